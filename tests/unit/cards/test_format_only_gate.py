"""The gate without biometrics: formats and sizes only, nobody screened, no face match."""

from __future__ import annotations

import io

from PIL import Image

from citizenid.cards.biometric_gate import FormatOnlyGate


def _image(size: tuple[int, int], kind: str, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, 128).save(out, kind)
    return out.getvalue()


PRINTS = {2: _image((200, 200), "PNG", "L"), 7: _image((200, 200), "PNG", "L")}


def test_usable_captures_pass() -> None:
    gate = FormatOnlyGate()
    assert gate.check_capture(_image((480, 640), "JPEG"), PRINTS).ok
    assert gate.check_capture(_image((240, 320), "PNG"), PRINTS).ok
    assert gate.screen_application("HS1", "001090000001", b"", PRINTS).candidates == ()
    assert gate.application_cleared("HS1")
    assert gate.verify_holder("HS1", _image((480, 640), "JPEG")) is None


def test_each_problem_is_named() -> None:
    gate = FormatOnlyGate()
    check = gate.check_capture(_image((480, 640), "GIF"), {2: b"not an image", 11: PRINTS[2]})
    assert not check.ok
    assert check.reasons == (
        "the photo is not a JPEG or PNG image",
        "fingerprint 2 is not an image",
        "finger position 11 is not 1-10",
        "missing fingerprints: 7",
    )
    small = gate.check_capture(_image((239, 320), "JPEG"), {**PRINTS, 3: _image((100, 300), "PNG", "L")})
    assert small.reasons == ("the photo is 239x320; at least 240x320 is needed",
                             "fingerprint 3 is 100x300; at least 150 pixels a side is needed")
    assert FormatOnlyGate(required_fingers=(1,)).check_capture(_image((480, 640), "JPEG"), PRINTS).reasons == (
        "missing fingerprints: 1",)
