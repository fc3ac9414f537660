"""ICAO Doc 9303 part 11 appendix D: BAC key derivation, mutual authentication and secure messaging."""

from __future__ import annotations

import hashlib

import pytest

from citizenid.chip import _crypto
from citizenid.chip.bac import BacKeys, BacTerminal, chip_answer
from citizenid.chip.errors import AccessDeniedError, SecureMessagingError
from citizenid.chip.sm import Command, SecureMessaging, parse_command

MRZ_INFO = "L898902C<369080619406236"
RND_IC = bytes.fromhex("4608F91988702212")
RND_IFD = bytes.fromhex("781723860C06C226")
K_IFD = bytes.fromhex("0B795240CB7049B01C19B33E32804F0B")
K_IC = bytes.fromhex("0B4F80323EB3191CB04970CB4052790B")
E_M_IFD = bytes.fromhex("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2" "5F1448EEA8AD90A7")
CHIP_RESPONSE = bytes.fromhex(
    "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449"
)
KS_ENC = bytes.fromhex("979EC13B1CBFE9DCD01AB0FED307EAE5")
KS_MAC = bytes.fromhex("F1CB1F1FB5ADF208806B89DC579DC1F8")
SSC = 0x887022120C06C226


def test_key_derivation() -> None:
    assert hashlib.sha1(MRZ_INFO.encode()).hexdigest().upper() == "239AB9CB282DAF66231DC5A4DF6BFBAEDF477565"
    keys = BacKeys.from_mrz(MRZ_INFO)
    assert keys.k_enc.hex().upper() == "AB94FDECF2674FDFB9B391F85D7F76F2"
    assert keys.k_mac.hex().upper() == "7962D9ECE03D1ACD4C76089DCE131543"


def test_terminal_side_of_mutual_authentication() -> None:
    terminal = BacTerminal(BacKeys.from_mrz(MRZ_INFO), RND_IFD, K_IFD)
    assert terminal.authenticate_data(RND_IC) == E_M_IFD
    sm = terminal.complete(CHIP_RESPONSE)
    assert (sm._enc, sm._mac, sm.ssc) == (KS_ENC, KS_MAC, SSC)


def test_chip_side_of_mutual_authentication() -> None:
    result = chip_answer(BacKeys.from_mrz(MRZ_INFO), RND_IC, E_M_IFD, K_IC)
    assert result is not None
    answer, sm = result
    assert answer == CHIP_RESPONSE
    assert (sm._enc, sm._mac, sm.ssc) == (KS_ENC, KS_MAC, SSC)


def test_wrong_mrz_is_refused_on_both_sides() -> None:
    wrong = BacKeys.from_mrz("L898902C<369080619406237")
    assert chip_answer(wrong, RND_IC, E_M_IFD) is None
    terminal = BacTerminal(wrong, RND_IFD, K_IFD)
    terminal.authenticate_data(RND_IC)
    with pytest.raises(AccessDeniedError):
        terminal.complete(CHIP_RESPONSE)


EXCHANGE = [
    (Command(0x00, 0xA4, 0x02, 0x0C, bytes.fromhex("011E")),
     "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800", "990290008E08FA855A5D4C50A8ED9000", ""),
    (Command(0x00, 0xB0, 0x00, 0x00, le=4),
     "0CB000000D9701048E08ED6705417E96BA5500",
     "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000", "60145F01"),
    (Command(0x00, 0xB0, 0x00, 0x04, le=0x12),
     "0CB000040D9701128E082EA28A70F3C7B53500",
     "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000",
     "04303130365F36063034303030305C026175"),
]


def test_secure_messaging_exchange_terminal_side() -> None:
    sm = SecureMessaging(KS_ENC, KS_MAC, SSC, aes=False)
    for command, protected, response, plain in EXCHANGE:
        assert sm.protect(command).hex().upper() == protected
        data, sw = sm.unprotect(bytes.fromhex(response))
        assert (data.hex().upper(), sw) == (plain, 0x9000)


def test_secure_messaging_exchange_chip_side() -> None:
    sm = SecureMessaging(KS_ENC, KS_MAC, SSC, aes=False)
    for command, protected, response, plain in EXCHANGE:
        unwrapped = sm.unwrap_command(parse_command(bytes.fromhex(protected)))
        assert (unwrapped.ins, unwrapped.p1, unwrapped.p2, unwrapped.data) == (
            command.ins, command.p1, command.p2, command.data)
        assert unwrapped.le == command.le
        assert sm.wrap_response(bytes.fromhex(plain), 0x9000).hex().upper() == response


def test_a_flipped_mac_bit_is_refused() -> None:
    sm = SecureMessaging(KS_ENC, KS_MAC, SSC, aes=False)
    apdu = bytearray(bytes.fromhex(EXCHANGE[0][1]))
    apdu[-3] ^= 1
    with pytest.raises(SecureMessagingError) as caught:
        sm.unwrap_command(parse_command(bytes(apdu)))
    assert caught.value.sw == 0x6988


def test_retail_mac_and_padding() -> None:
    assert _crypto.pad(b"") == b"\x80" + bytes(7)
    assert _crypto.pad(bytes(8)) == bytes(8) + b"\x80" + bytes(7)
    assert _crypto.unpad(_crypto.pad(b"abc")) == b"abc"
    with pytest.raises(ValueError, match="whole blocks"):
        _crypto.retail_mac(KS_MAC, b"abc")


@pytest.mark.parametrize(
    ("apdu", "expected"),
    [("00A4040C07A0000002471001", Command(0, 0xA4, 4, 0x0C, bytes.fromhex("A0000002471001"))),
     ("0084000008", Command(0, 0x84, 0, 0, le=8)),
     ("00B0000000", Command(0, 0xB0, 0, 0, le=256)),
     ("00B10000000004540200FF0000", Command(0, 0xB1, 0, 0, bytes.fromhex("540200FF"), 65536, True)),
     ("00B00000000100", Command(0, 0xB0, 0, 0, le=256, extended=True))],
)
def test_command_apdu_parsing(apdu: str, expected: Command) -> None:
    assert parse_command(bytes.fromhex(apdu)) == expected
    assert parse_command(expected.encode()) == expected


def test_keyed_retail_mac_agrees_with_the_plain_one() -> None:
    keyed = _crypto.RetailMac(KS_MAC)
    for size in (8, 16, 24, 64):
        data = bytes(range(size))
        assert keyed(data) == _crypto.retail_mac(KS_MAC, data)
