"""The column-wise feature path (cached per distinct value, optionally in worker processes) gives exactly
the per-record path's keys."""

from __future__ import annotations

from typing import Any

import pytest

from citizenid.cleansing import features as feature_module
from citizenid.cleansing.errors import CleansingInvalid
from citizenid.cleansing.features import FEATURE_COLUMNS, feature_columns, feature_rows
from citizenid.synth.legacy import generate_legacy


def _records(people: int) -> list[tuple[str, str, dict[str, Any]]]:
    data = generate_legacy(people, seed=20250701)
    records = []
    for spec in data.specs:
        for row in data.sources[spec.name].to_pylist():
            canon = {can: row[src] for src, can in spec.columns.items()}
            records.append((spec.name, str(canon.pop("record_id")), canon))
    return records


@pytest.fixture(scope="module")
def records() -> list[tuple[str, str, dict[str, Any]]]:
    return _records(1_500)


def _as_columns(rows: list[dict[str, str | None]]) -> dict[str, list[str | None]]:
    return {name: [row[name] for row in rows] for name in FEATURE_COLUMNS}


def test_columns_equal_the_per_record_path(records: list[tuple[str, str, dict[str, Any]]]) -> None:
    assert len(records) > 3_000
    expected = _as_columns(feature_rows(records))
    assert feature_columns(records, workers=1) == expected
    assert feature_columns(iter(records), workers=1) == expected  # any iterable, not only a list


def test_worker_processes_give_the_same_columns_in_order(
    records: list[tuple[str, str, dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feature_module, "PARALLEL_FROM", 100)
    monkeypatch.setattr(feature_module, "_WARM_UP", 50)
    expected = _as_columns(feature_rows(records))
    assert feature_columns(records, workers=2) == expected


def test_messy_cells_read_as_the_per_record_path_reads_them() -> None:
    records: list[tuple[str, str, dict[str, Any]]] = [
        ("s", "1", {"full_name": float("nan"), "family_name": "  ", "given_name": "An", "birth_date": 19900305}),
        ("s", "2", {"full_name": "Văn An Nguyễn", "birth_date": "13/05/90", "sex": "F.",
                    "personal_number": "001 090 012 345"}),
        ("s", "3", {"full_name": "", "residence": "xa Dong Hoi huyen Dong Anh Ha Noi", "sex": "x"}),
        ("s", "4", {}),
    ]
    assert feature_columns(records, workers=1) == _as_columns(feature_rows(records))


def test_a_record_that_is_no_mapping_is_refused_as_before() -> None:
    with pytest.raises(CleansingInvalid):
        feature_columns([("s", "1", ["Nguyễn Văn An"])], workers=1)  # type: ignore[list-item]
