"""``citizenid sign``: the PIN comes from the environment or stdin, never argv; errors are one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from citizenid.chip.image import ChipImage
from citizenid.errors import InvalidInput
from citizenid.signing.cli import app
from citizenid.signing.errors import NotAPdf, PinBlocked, SignatureInvalid, WrongPin
from citizenid.signing.service import SigningService

from .conftest import PIN, PUK

runner = CliRunner()


def files(tmp_path: Path, card_image: ChipImage, pdf: bytes) -> tuple[Path, Path]:
    card, document = tmp_path / "card.json", tmp_path / "don.pdf"
    card_image.save(card)
    document.write_bytes(pdf)
    return card, document


def test_sign_with_pin_from_env_then_verify(signing: SigningService, card_image: ChipImage, pdf: bytes,
                                            tmp_path: Path) -> None:
    card, document = files(tmp_path, card_image, pdf)
    result = runner.invoke(app, [str(document), "--card", str(card), "--timestamp"], obj=signing,
                           env={"CITIZENID_SIGNING_PIN": PIN})
    assert result.exit_code == 0, (result.output, result.exception)
    signed = tmp_path / "don.signed.pdf"
    assert "PAdES B-T" in result.output
    verified = runner.invoke(app, ["verify", str(signed), "--json"], obj=signing)
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.output)["signatures"][0]["level"] == "B-T"


def test_pin_from_stdin_and_wrong_pin_is_saved_on_the_card(signing: SigningService, card_image: ChipImage,
                                                           pdf: bytes, tmp_path: Path) -> None:
    card, document = files(tmp_path, card_image, pdf)
    wrong = runner.invoke(app, [str(document), "--card", str(card)], obj=signing, input="000000\n", env={})
    assert isinstance(wrong.exception, WrongPin)
    assert not (tmp_path / "don.signed.pdf").exists()
    reloaded = ChipImage.load(card)
    assert reloaded.applications is not None
    assert reloaded.applications.signing is not None
    assert reloaded.applications.signing.pin.tries_left == 4
    right = runner.invoke(app, [str(document), "--card", str(card), "--out", str(tmp_path / "o.pdf")], obj=signing,
                          input=f"{PIN}\n")
    assert right.exit_code == 0, right.output
    assert (tmp_path / "o.pdf").read_bytes().startswith(pdf)


def test_blocked_card_unblocked_with_the_puk(signing: SigningService, card_image: ChipImage, pdf: bytes,
                                             tmp_path: Path) -> None:
    card, document = files(tmp_path, card_image, pdf)
    for _ in range(5):
        runner.invoke(app, [str(document), "--card", str(card)], obj=signing, env={"CITIZENID_SIGNING_PIN": "999999"})
    blocked = runner.invoke(app, [str(document), "--card", str(card)], obj=signing,
                            env={"CITIZENID_SIGNING_PIN": PIN})
    assert isinstance(blocked.exception, PinBlocked)
    unblocked = runner.invoke(app, ["unblock", "--card", str(card)], obj=signing, input=f"{PUK}\n112233\n")
    assert unblocked.exit_code == 0, (unblocked.output, unblocked.exception)
    signed = runner.invoke(app, [str(document), "--card", str(card)], obj=signing,
                           env={"CITIZENID_SIGNING_PIN": "112233"})
    assert signed.exit_code == 0, signed.output


def test_verify_refuses_a_tampered_pdf_and_a_non_pdf(signing: SigningService, card_image: ChipImage, pdf: bytes,
                                                     tmp_path: Path) -> None:
    signed = bytearray(signing.sign_pdf_with_image(pdf, card_image, PIN))
    position = signed.index(b"Don xin")
    signed[position] = ord("X")
    (tmp_path / "tampered.pdf").write_bytes(bytes(signed))
    result = runner.invoke(app, ["verify", str(tmp_path / "tampered.pdf")], obj=signing)
    assert isinstance(result.exception, SignatureInvalid)
    assert "FAIL" in result.output
    (tmp_path / "x.pdf").write_text("not a pdf")
    card, _ = files(tmp_path, card_image, pdf)
    result = runner.invoke(app, [str(tmp_path / "x.pdf"), "--card", str(card)], obj=signing,
                           env={"CITIZENID_SIGNING_PIN": PIN})
    assert isinstance(result.exception, NotAPdf)


def test_the_real_command_prints_one_line_and_exits_non_zero(tmp_path: Path) -> None:
    (tmp_path / "x.pdf").write_text("not a pdf")
    env = {**os.environ, "CITIZENID_DATA_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "citizenid.cli", "sign", "verify", str(tmp_path / "x.pdf")],
                            env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2, result
    assert result.stderr.strip().splitlines() == ["error [SIGN-030]: the document is not a PDF (no %PDF- header)"]


def test_the_card_is_named_exactly_once(signing: SigningService, card_image: ChipImage, pdf: bytes,
                                        tmp_path: Path) -> None:
    card, document = files(tmp_path, card_image, pdf)
    neither = runner.invoke(app, [str(document)], obj=signing, env={"CITIZENID_SIGNING_PIN": PIN})
    both = runner.invoke(app, [str(document), "--card", str(card), "--reader", "x"], obj=signing,
                         env={"CITIZENID_SIGNING_PIN": PIN})
    no_mrz = runner.invoke(app, [str(document), "--reader", "x"], obj=signing, env={"CITIZENID_SIGNING_PIN": PIN})
    for result in (neither, both, no_mrz):
        assert isinstance(result.exception, InvalidInput), result.output
