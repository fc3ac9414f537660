"""The package's public surface and its error codes."""

from __future__ import annotations

import citizenid.cleansing
from citizenid.errors import all_error_classes


def test_all_names_the_public_surface() -> None:
    exported = citizenid.cleansing.__all__
    assert len(set(exported)) == len(exported)
    assert all(hasattr(citizenid.cleansing, name) for name in exported)
    public = {name for name in vars(citizenid.cleansing) if not name.startswith("_")}
    modules = {"addresses", "dates", "errors", "names", "normalise", "units", "validate", "api", "cli", "decide",
               "evaluate", "features", "ingest", "link", "models", "service", "survivorship"}
    assert public - set(exported) <= modules


def test_error_codes_are_cleansing_codes_and_unique() -> None:
    codes = [cls.code for cls in all_error_classes()]
    assert {"CLN-400", "CLN-404"} <= set(codes)
    assert len(codes) == len(set(codes))
