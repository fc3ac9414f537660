"""``citizenid documents`` as an operator runs it: a real process on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.csv as pacsv

from citizenid.synth import generate_population
from tests.functional.test_cli import assert_one_line_error, run  # noqa: F401 - the fixture


def test_an_agency_loads_its_licences_and_an_operator_reads_them(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    table = generate_population(20, seed=8)
    people_csv = tmp_path / "people.csv"
    pacsv.write_csv(table, people_csv)
    assert run("person", "import", str(people_csv)).returncode == 0
    living = [p for p in table.to_pylist() if p["status"] == "living"]
    source = tmp_path / "gplx.csv"
    source.write_text(
        "action,doc_type,doc_number,personal_number,attributes\n"
        f'add,driving_licence,010203040501,{living[0]["personal_number"]},"{{""classes"": ""B""}}"\n'
        f'add,driving_licence,0102,{living[1]["personal_number"]},"{{""classes"": ""B""}}"\n',
        encoding="utf-8")
    loaded = run("documents", "load", str(source), "--agency", "BCA")
    assert loaded.returncode == 0, loaded.stderr
    assert "accepted 1, rejected 1" in loaded.stdout
    assert "DOC-001" in (tmp_path / "gplx.errors.csv").read_text(encoding="utf-8")
    shown = run("documents", "show", living[0]["personal_number"])
    assert json.loads(shown.stdout)[0]["attributes"]["classes"] == ["B"]
    assert "Giấy phép lái xe" in run("documents", "types").stdout


def test_bad_input_is_one_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    assert_one_line_error(run("documents", "show", "12"), "DOC-001")
    assert_one_line_error(run("documents", "load", str(tmp_path / "none.csv"), "--agency", "BHXH"), "DOC-001")
    unknown = run("documents", "load", str(tmp_path / "none.csv"), "--agency", "NOBODY")
    assert unknown.returncode == 2
    assert "Traceback" not in unknown.stderr
