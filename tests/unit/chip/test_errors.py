from __future__ import annotations

import citizenid.chip.errors as chip_errors
import citizenid.pki.errors as pki_errors
from citizenid.chip import service as chip_service
from citizenid.errors import CitizenIdError, all_error_classes
from citizenid.pki import service as pki_service


def test_codes_are_unique_and_prefixed() -> None:
    ours = [c for c in all_error_classes() if c.__module__ in (chip_errors.__name__, pki_errors.__name__)]
    assert len(ours) >= 20
    codes = [c.code for c in all_error_classes()]
    for cls in ours:
        assert codes.count(cls.code) == 1, cls
        assert cls.code.startswith("CHIP-" if cls.__module__ == chip_errors.__name__ else "PKI-")
        assert issubclass(cls, CitizenIdError)


def test_every_error_is_in_its_module_docstring() -> None:
    for module in (chip_errors, pki_errors):
        for name in dir(module):
            cls = getattr(module, name)
            if isinstance(cls, type) and issubclass(cls, CitizenIdError) and cls.__module__ == module.__name__:
                assert name in (module.__doc__ or ""), name
                assert cls.code in (module.__doc__ or ""), name


def test_public_surfaces_resolve() -> None:
    for module in (chip_service, pki_service):
        for name in module.__all__:
            assert getattr(module, name) is not None, name


def test_card_error_carries_its_status_word() -> None:
    error = chip_errors.CardError("refused", 0x6982)
    assert error.sw == 0x6982
    assert error.problem()["sw"] == "6982"
    assert "SW 6982" in error.detail
