"""Mutation fuzzing of the strict decoders: valid files with bytes changed, cut or inserted."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from citizenid.chip import lds
from citizenid.chip.card import VirtualChip
from citizenid.chip.errors import ChipImageError, LdsError
from citizenid.chip.image import ChipImage
from citizenid.chip.lds import File
from citizenid.chip.reader import CardRead, Reader
from citizenid.chip.sod import parse_sod
from citizenid.chip.transport import InProcessTransport
from citizenid.chip.verifier import TrustStore, Verifier
from citizenid.errors import CitizenIdError
from citizenid.pki.service import PkiService

DECODERS: dict[File, Callable[[bytes], object]] = {
    File.COM: lds.decode_com,
    File.DG1: lds.decode_dg1,
    File.DG2: lds.decode_dg2,
    File.DG13: lds.decode_dg13,
    File.DG14: lds.decode_dg14,
    File.DG15: lds.decode_dg15,
    File.SOD: parse_sod,
    File.CARD_ACCESS: lds.decode_security_infos,
}

mutation = st.tuples(st.sampled_from(["flip", "cut", "insert"]), st.integers(0, 10**6), st.integers(0, 255))


def mutate(data: bytes, edits: list[tuple[str, int, int]]) -> bytes:
    out = bytearray(data)
    for kind, where, value in edits:
        if not out:
            break
        at = where % len(out)
        if kind == "flip":
            out[at] ^= value or 1
        elif kind == "cut":
            del out[at:]
        else:
            out.insert(at, value)
    return bytes(out)


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "400")), deadline=None)
@given(file=st.sampled_from(sorted(DECODERS)), edits=st.lists(mutation, min_size=1, max_size=4))
def test_mutated_files_decode_or_fail_cleanly(session_image: ChipImage, file: File,
                                              edits: list[tuple[str, int, int]]) -> None:
    data = mutate(session_image.files[file], edits)
    try:
        outcome = DECODERS[file](data)
    except LdsError as error:
        outcome = error.code
    assert outcome is not None


@settings(max_examples=150, deadline=None)
@given(edits=st.lists(mutation, min_size=1, max_size=3))
def test_mutated_chip_image_files_load_or_fail_cleanly(session_image: ChipImage,
                                                       edits: list[tuple[str, int, int]]) -> None:
    data = mutate(session_image.to_bytes(), edits)
    try:
        outcome: object = ChipImage.from_bytes(data)
    except ChipImageError as error:
        outcome = error.code
    assert outcome is not None


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "200")), deadline=None)
@given(file=st.sampled_from(sorted(DECODERS)), edits=st.lists(mutation, min_size=1, max_size=3))
def test_verifier_reports_every_mutation_without_raising(session_image: ChipImage, pki: PkiService, file: File,
                                                         edits: list[tuple[str, int, int]]) -> None:
    files = dict(session_image.files)
    files[file] = mutate(files[file], edits)
    read = CardRead(files=files, access="BAC", chip_authenticated=True, active_attempted=True)
    result = Verifier(TrustStore(pki.csca_certificates())).verify(read)
    if files[file] != session_image.files[file] and file.data_group is not None:
        assert not result.valid  # every data group is covered by a hash in EF.SOD
    assert result.checks


class HostileCard:
    """Answers every APDU with the next scripted response: a cloned, broken or malicious chip."""

    def __init__(self, responses: list[bytes]) -> None:
        self._responses = iter(responses)

    def transmit(self, apdu: bytes) -> bytes:
        return next(self._responses, b"\x6f\x00")


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")), deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=80), st.just(b"\x90\x00"), st.just(b"\x62\x82")), max_size=12))
def test_reader_facing_a_hostile_card_fails_cleanly(responses: list[bytes]) -> None:
    reader = Reader(InProcessTransport(HostileCard(responses)))
    try:
        outcome: object = reader.read("093047064193010543301052")
    except CitizenIdError as error:
        outcome = error.code
    assert outcome


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")), deadline=None)
@given(file=st.sampled_from(sorted(DECODERS)), edits=st.lists(mutation, min_size=1, max_size=3))
def test_reader_on_a_chip_with_corrupt_files_fails_cleanly(session_image: ChipImage, pki: PkiService, file: File,
                                                           edits: list[tuple[str, int, int]]) -> None:
    files = dict(session_image.files)
    files[file] = mutate(files[file], edits)
    image = dataclasses.replace(session_image, files=files)
    try:
        card = Reader(InProcessTransport(VirtualChip(image))).read(image.mrz_information)
        outcome: object = Verifier(TrustStore(pki.csca_certificates())).verify(card)
    except CitizenIdError as error:
        outcome = error.code
    assert outcome


def test_card_access_with_unknown_pace_parameters_falls_back_to_bac() -> None:
    assert lds.pace_parameter_id(lds.encode_card_access(13)) == 13
    assert lds.pace_parameter_id(lds.encode_card_access(260281)) is None
