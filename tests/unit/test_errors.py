from __future__ import annotations

import importlib
import pkgutil

import citizenid
from citizenid.errors import CitizenIdError, all_error_classes


def _import_everything() -> None:
    for module in pkgutil.walk_packages(citizenid.__path__, "citizenid."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)


def test_error_codes_are_unique_and_well_formed() -> None:
    _import_everything()
    classes = all_error_classes()
    assert len(classes) > 10
    codes = [cls.code for cls in classes]
    duplicates = {c for c in codes if codes.count(c) > 1}
    assert not duplicates, f"codes used twice: {duplicates}"
    for cls in classes:
        assert cls.code.split("-")[0].isupper(), cls
        assert 400 <= cls.status <= 599, cls


def test_problem_document_shape() -> None:
    body = CitizenIdError("boom", field="x").problem()
    assert body["status"] == 500
    assert body["code"] == "GEN-000"
    assert body["detail"] == "boom"
    assert body["field"] == "x"
