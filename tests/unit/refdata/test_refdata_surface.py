"""The package's public surface and the generated files."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

import citizenid.refdata
from citizenid.errors import all_error_classes

REPO = Path(__file__).resolve().parents[3]
DATA = REPO / "src" / "citizenid" / "refdata" / "data"
# Where the unpacked vietnamadminunits wheel was read from when the files were built.
SOURCE = Path("/tmp/pk/x/vietnamadminunits/vietnamadminunits/data")


def test_all_names_the_public_surface() -> None:
    exported = set(citizenid.refdata.__all__)
    assert len(exported) == len(citizenid.refdata.__all__)
    assert all(hasattr(citizenid.refdata, name) for name in exported)
    public = {name for name in vars(citizenid.refdata) if not name.startswith("_")}
    assert public - exported <= {"api", "domain", "errors", "loaders", "text"}


def test_error_codes_stay_unique() -> None:
    codes = [cls.code for cls in all_error_classes()]
    assert "REF-001" in codes
    assert len(codes) == len(set(codes))


def test_data_stays_small() -> None:
    assert sum(p.stat().st_size for p in DATA.iterdir()) < 400_000


@pytest.mark.skipif(not (SOURCE / "dataset.db").exists(), reason="vietnamadminunits data not unpacked")
def test_build_reproduces_the_committed_files(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("build_refdata", REPO / "tools" / "build_refdata.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        assert module.build(SOURCE, tmp_path) == 0
    finally:
        del sys.modules[spec.name]
    for built in tmp_path.iterdir():
        assert built.read_bytes() == (DATA / built.name).read_bytes(), built.name
