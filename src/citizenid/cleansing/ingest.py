"""Read one legacy file (CSV or Parquet) through its source's column mapping, or say exactly why not.

A batch is all or nothing: any problem (unreadable file, wrong encoding, unknown or missing columns,
malformed rows, missing or repeated record ids) rejects the whole file with a report that names the
rows, and nothing is staged (docs/decisions/0044-cleansing-storage.md).  Values are kept as the file
gave them (text, or the Parquet value turned into text), never rewritten.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

CANONICAL_COLUMNS = frozenset({
    "record_id", "full_name", "family_name", "middle_name", "given_name", "birth_date", "sex",
    "personal_number", "birth_registration_province", "residence", "ethnicity", "religion",
    "father_birth_date", "father_birth_year", "mother_birth_date", "mother_birth_year",
})
"""What a source column may map to: :mod:`citizenid.cleansing.normalise`'s names and ``record_id``."""

MAX_PROBLEMS = 50


@dataclass
class SourceFile:
    source: str
    path: Path
    sha256: str
    rows: list[dict[str, str | None]] = field(default_factory=list)
    """Each row under the canonical names, ``record_id`` included."""
    originals: list[dict[str, Any]] = field(default_factory=list)
    """Each row under the source's own column names, as read."""
    problems: list[str] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_mapping(mapping: Mapping[str, str]) -> list[str]:
    problems = []
    unknown = sorted(set(mapping.values()) - CANONICAL_COLUMNS)
    if unknown:
        problems.append(f"the mapping names columns citizenid does not know: {', '.join(unknown)}")
    if list(mapping.values()).count("record_id") != 1:
        problems.append("the mapping must map exactly one source column to record_id")
    targets = [v for v in mapping.values() if v != "record_id"]
    twice = sorted({v for v in targets if targets.count(v) > 1})
    if twice:
        problems.append(f"the mapping maps several source columns to {', '.join(twice)}")
    return problems


def _read(path: Path) -> pa.Table:
    if path.suffix.lower() == ".parquet":
        return pq.read_table(path)
    if path.suffix.lower() == ".csv":
        # Every column as text: a number with leading zeros or a date stays as written.
        with path.open("r", encoding="utf-8", newline="") as handle:
            columns = next(csv.reader(handle), [])
        if columns:
            columns[0] = columns[0].lstrip("\ufeff")
        types = {name: pa.string() for name in columns}
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding="utf8"),
            convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=True),
        )
    raise ValueError(f"{path.name}: a source file must be .csv or .parquet")


def read_source(source: str, path: Path, mapping: Mapping[str, str]) -> SourceFile:
    """The file's rows under canonical names, or the problems that reject it."""
    result = SourceFile(source, path, "")
    result.problems += check_mapping(mapping)
    if not path.is_file():
        result.problems.append(f"{path}: no such file")
        return result
    result.sha256 = sha256_of(path)
    try:
        table = _read(path)
    except UnicodeDecodeError as exc:
        result.problems.append(f"{path.name}: not UTF-8 text (byte {exc.start}): convert the file to UTF-8 first")
        return result
    except (pa.ArrowInvalid, pa.ArrowTypeError, OSError, ValueError) as exc:
        text = str(exc)
        if "utf8" in text.lower() or "utf-8" in text.lower():
            text = f"not UTF-8 text: convert the file to UTF-8 first ({text.splitlines()[0]})"
        result.problems.append(f"{path.name}: cannot be read: {text.splitlines()[0] if text else type(exc).__name__}")
        return result
    unknown = [c for c in table.column_names if c not in mapping]
    if unknown:
        result.problems.append(f"{path.name}: columns not in the mapping of '{source}': {', '.join(unknown)}")
    missing = [c for c in mapping if c not in table.column_names]
    if missing:
        result.problems.append(f"{path.name}: columns of the mapping missing from the file: {', '.join(missing)}")
    if result.problems:
        return result
    _take_rows(result, table, mapping)
    return result


def _take_rows(result: SourceFile, table: pa.Table, mapping: Mapping[str, str]) -> None:
    id_column = next(c for c, v in mapping.items() if v == "record_id")
    seen: set[str] = set()
    first = 2 if result.path.suffix.lower() == ".csv" else 1  # a CSV's first line is its header
    for number, row in enumerate(table.to_pylist(), start=first):
        record_id = row.get(id_column)
        cell = None if record_id is None else str(record_id).strip()
        if not cell:
            result.problems.append(f"row {number}: no record id in column '{id_column}'")
        elif len(cell) > 120:
            result.problems.append(f"row {number}: the record id is longer than 120 characters")
        elif cell in seen:
            result.problems.append(f"row {number}: record id '{cell}' appears twice in the file")
        else:
            seen.add(cell)
        if len(result.problems) >= MAX_PROBLEMS:
            result.problems.append("… further problems not listed")
            return
        result.originals.append({k: _plain(v) for k, v in row.items()})
        result.rows.append({mapping[k]: _text(v) for k, v in row.items()})


def _plain(value: Any) -> Any:
    """A JSON-storable form of a cell, as close to the file as JSON allows."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    return text if text.strip() else None
