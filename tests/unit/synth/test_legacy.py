"""The noisy legacy sources: deterministic, and every change to a true value is in the error log."""

from __future__ import annotations

import collections
import unicodedata
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from citizenid.cli import app
from citizenid.synth import generate_population
from citizenid.synth.legacy import SOURCES, _address, _write_date, generate_legacy, tone_variant

SEED = 11


@pytest.fixture(scope="module")
def data():  # type: ignore[no-untyped-def]
    return generate_legacy(600, seed=SEED)


def test_same_seed_same_sources(data) -> None:  # type: ignore[no-untyped-def]
    again = generate_legacy(600, seed=SEED)
    for name, table in data.sources.items():
        assert table.equals(again.sources[name])
    assert data.truth.equals(again.truth)
    assert data.errors == again.errors
    other = generate_legacy(600, seed=SEED + 1)
    assert not data.sources["ho_khau"].equals(other.sources["ho_khau"])


def test_every_kind_of_error_is_injected(data) -> None:  # type: ignore[no-untyped-def]
    kinds = collections.Counter(e.kind for e in data.errors)
    for kind in ("missing_diacritics", "decomposed_unicode", "tone_mark_variant", "western_order",
                 "dropped_middle_name", "family_name_variant", "typing", "ocr", "swapped_day_month",
                 "year_only", "abbreviated_address", "missing_field", "duplicate_record", "twin", "namesake"):
        assert kinds[kind] > 0, kind


def test_a_record_without_logged_errors_says_what_the_person_is(data) -> None:  # type: ignore[no-untyped-def]
    people = {p["personal_number"]: p for p in generate_population(600, seed=SEED).to_pylist()}
    truth = {(r["source"], r["record_id"]): r["person_id"] for r in data.truth.to_pylist()}
    logged: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
    for e in data.errors:
        logged[(e.source, e.record_id)].add(e.field)
    spec = next(s for s in SOURCES if s.name == "ho_khau")
    checked = 0
    for row in data.sources["ho_khau"].to_pylist():
        key = ("ho_khau", row["stt"])
        person = people.get(truth[key])
        fields = logged[key]
        if person is None or "person" in fields:
            continue  # a hard negative: a person added beside the population
        if not fields & {"name", "family_name", "middle_name", "given_name", "full_name"}:
            assert row["ho_va_ten"] == person["full_name"]
        if "birth_date" not in fields:
            assert row["ngay_sinh"] == _write_date(person["birth_date"], spec.date_style)
        if "residence" not in fields:
            assert row["noi_thuong_tru"] == _address(person["residence_commune"], person["residence_detail"], "legacy")
        if "sex" not in fields:
            assert row["gioi_tinh"] == ("Nam" if person["sex"] == "M" else "Nữ")
        checked += 1
    assert checked > 300


def test_logged_changes_are_real(data) -> None:  # type: ignore[no-untyped-def]
    for e in data.errors:
        if e.kind in {"typing", "ocr", "family_name_variant", "tone_mark_variant", "swapped_day_month"}:
            assert e.before != e.after, e
        if e.kind == "missing_field":
            assert e.before is not None
            assert e.after is None


def test_tone_variant_moves_the_mark_both_ways() -> None:
    assert tone_variant("Hòa") == "Hoà"
    assert tone_variant("Hoà") == "Hòa"
    assert tone_variant("Thúy") == "Thuý"
    assert tone_variant("Hoàng") == "Hoàng"  # the mark of a closed syllable has one place
    assert unicodedata.is_normalized("NFC", tone_variant("Khỏe"))


def test_cli_writes_the_sources(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["synth", "legacy", str(tmp_path), "--count", "50", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ho_khau.csv").is_file()
    assert (tmp_path / "cu_tru.parquet").is_file()
    assert pq.read_table(tmp_path / "truth.parquet").num_rows > 50
    assert (tmp_path / "mapping.json").is_file()
