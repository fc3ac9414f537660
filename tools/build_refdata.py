"""Build citizenid's administrative-unit files from the ``vietnamadminunits`` data set.

Reads the SQLite database and the 2025 converter JSON shipped by the MIT-licensed PyPI package
``vietnamadminunits`` (read as data only: none of its code is imported or copied) and writes the
compact, sorted, NFC files that ``citizenid.refdata`` loads::

    python tools/build_refdata.py                       # package found on sys.path
    python tools/build_refdata.py --source DIR          # DIR holds dataset.db and converter_2025.json

The ethnic-group, religion and province-population tables are curated by hand and are not touched.
The output is byte-for-byte reproducible (gzip without timestamps), so a rebuild that changes nothing
leaves git clean.  Exits non-zero on a gap: a legacy unit without a current successor (or without
exactly one default one), a successor outside the merged province, a current unit without predecessor.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import importlib.util
import io
import json
import sqlite3
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "src" / "citizenid" / "refdata" / "data"
COMMUNE_KINDS = ("Thị trấn", "Đặc khu", "Phường", "Xã")
DISTRICT_KINDS = ("Thành phố", "Thị xã", "Quận", "Huyện")
PROVINCE_KINDS = ("Thành phố", "Tỉnh")


def text(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


def split_kind(name: str, declared: str | None, kinds: tuple[str, ...]) -> tuple[str, str]:
    """The unit's name with its kind spelled canonically, and the kind, both taken from the name.

    The source's type column disagrees with the official name for a handful of units (e.g. "Phường 5"
    typed "Xã"), and a few names capitalise the kind ("Thị Trấn Ái Tử", "Thị Xã Buôn Hồ"); the GSO
    lists carry the kind in the name, so the name wins and its prefix is respelled.
    """
    for kind in kinds:
        if name.lower().startswith(kind.lower() + " "):
            return kind + name[len(kind) :], kind
    if declared is None:
        raise SystemExit(f"no kind for {name!r}")
    return name, text(declared)


@dataclass(frozen=True)
class LegacyUnit:
    province_code: str
    district_code: str
    commune_code: str | None  # None for the island districts that had no communes


Row = tuple[str, ...]


@dataclass
class Tables:
    """Output rows keyed by code, and the source's text keys that its converter refers to."""

    legacy_provinces: dict[str, Row] = field(default_factory=dict)
    legacy_districts: dict[str, Row] = field(default_factory=dict)
    legacy_communes: dict[str, Row] = field(default_factory=dict)
    current_provinces: dict[str, Row] = field(default_factory=dict)
    current_communes: dict[str, Row] = field(default_factory=dict)
    province_mapping: dict[str, str] = field(default_factory=dict)
    commune_mapping: list[Row] = field(default_factory=list)
    district_mapping: list[Row] = field(default_factory=list)
    legacy_by_key: dict[str, LegacyUnit] = field(default_factory=dict)
    legacy_province_by_key: dict[str, str] = field(default_factory=dict)
    current_by_key: dict[tuple[str, str], str] = field(default_factory=dict)
    current_province_by_key: dict[str, str] = field(default_factory=dict)


def find_source() -> Path:
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("vietnamadminunits is not installed: pass --source DIR")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def commune(code: str, name: str, declared: str, scheme: str) -> tuple[str, str]:
    fixed, kind = split_kind(text(name), declared, COMMUNE_KINDS)
    if (fixed, kind) != (name, declared):
        print(f"  note: {scheme} {code} {name!r} typed {declared!r} in the source; kept {fixed!r}")
    return fixed, kind


def read_legacy(db: sqlite3.Connection, tables: Tables) -> None:
    for row in db.execute(
        "SELECT provinceCode, province, provinceShort, provinceKey, districtCode, district, districtType,"
        " districtKey, wardCode, ward, wardType, wardKey FROM admin_units_legacy"
    ):
        (p_code, p_name, p_short, p_key, d_code, d_name, d_type, d_key, w_code, w_name, w_type, w_key) = row
        name, kind = split_kind(text(p_name), None, PROVINCE_KINDS)
        tables.legacy_provinces[p_code] = (p_code, name, text(p_short), kind)
        tables.legacy_districts[d_code] = (d_code, *split_kind(text(d_name), d_type, DISTRICT_KINDS), p_code)
        tables.legacy_province_by_key[p_key] = p_code
        if w_code is not None:
            tables.legacy_communes[w_code] = (w_code, *commune(w_code, w_name, w_type, "legacy"), d_code, p_code)
        tables.legacy_by_key[f"{p_key}_{d_key}_{w_key or ''}"] = LegacyUnit(p_code, d_code, w_code)


def read_current(db: sqlite3.Connection, tables: Tables) -> None:
    for row in db.execute(
        "SELECT provinceCode, province, provinceShort, provinceKey, wardCode, ward, wardType, wardKey FROM admin_units"
    ):
        p_code, p_name, p_short, p_key, w_code, w_name, w_type, w_key = row
        name, kind = split_kind(text(p_name), None, PROVINCE_KINDS)
        tables.current_provinces[p_code] = (p_code, name, text(p_short), kind)
        tables.current_communes[w_code] = (w_code, *commune(w_code, w_name, w_type, "current"), p_code)
        tables.current_by_key[(p_key, w_key)] = w_code
        tables.current_province_by_key[p_key] = p_code


def map_provinces(converter: dict[str, Any], tables: Tables) -> list[str]:
    for current_key, legacy_keys in converter["DICT_PROVINCE"].items():
        for legacy_key in legacy_keys:
            legacy = tables.legacy_province_by_key[legacy_key]
            tables.province_mapping[legacy] = tables.current_province_by_key[current_key]
    return [
        f"legacy province {c} has no successor" for c in tables.legacy_provinces if c not in tables.province_mapping
    ]


def successors(converter: dict[str, Any], tables: Tables) -> dict[LegacyUnit, list[tuple[str, bool]]]:
    """Each legacy unit's current communes, flagged default; a unit not split has one, the default."""
    links: dict[LegacyUnit, list[tuple[str, bool]]] = defaultdict(list)
    for current_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, legacy_keys in wards.items():
            for legacy_key in legacy_keys:
                code = tables.current_by_key[(current_key, ward_key)]
                links[tables.legacy_by_key[legacy_key]].append((code, True))
    for current_key, divided in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for legacy_key, parts in divided.items():
            for part in parts:
                code = tables.current_by_key[(current_key, part["newWardKey"])]
                links[tables.legacy_by_key[legacy_key]].append((code, bool(part["isDefaultNewWard"])))
    return links


def map_communes(links: dict[LegacyUnit, list[tuple[str, bool]]], tables: Tables) -> list[str]:
    problems: list[str] = []
    for unit in tables.legacy_by_key.values():
        targets = links.get(unit, [])
        name = unit.commune_code or f"district {unit.district_code}"
        defaults = sum(default for _, default in targets)
        if not targets:
            problems.append(f"legacy {name} maps to no current commune")
        elif defaults != 1:
            problems.append(f"legacy {name} has {defaults} default successors among {len(targets)}")
        expected = tables.province_mapping.get(unit.province_code)
        problems += [
            f"legacy {name} maps to {code} outside current province {expected}"
            for code, _ in targets
            if tables.current_communes[code][3] != expected
        ]
        rows = [(code, "1" if default else "0") for code, default in targets]
        if unit.commune_code is None:
            tables.district_mapping += [(unit.district_code, *row) for row in rows]
        else:
            tables.commune_mapping += [(unit.commune_code, *row) for row in rows]
    reached = {row[1] for row in tables.commune_mapping + tables.district_mapping}
    return [f"current commune {c} has no legacy predecessor" for c in sorted(set(tables.current_communes) - reached)]


def write_all(tables: Tables, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    print(f"writing {out}")
    province = ("code", "name", "short_name", "type")
    mapping = ("legacy_code", "current_code", "is_default")
    write_csv(out / "legacy_provinces.csv", province, list(tables.legacy_provinces.values()))
    write_csv(
        out / "legacy_districts.csv",
        ("code", "name", "type", "province_code"),
        list(tables.legacy_districts.values()),
    )
    write_csv(
        out / "legacy_communes.csv.gz",
        ("code", "name", "type", "district_code", "province_code"),
        list(tables.legacy_communes.values()),
    )
    write_csv(out / "current_provinces.csv", province, list(tables.current_provinces.values()))
    write_csv(
        out / "current_communes.csv.gz",
        ("code", "name", "type", "province_code"),
        list(tables.current_communes.values()),
    )
    write_csv(out / "province_mapping.csv", ("legacy_code", "current_code"), list(tables.province_mapping.items()))
    write_csv(out / "commune_mapping.csv.gz", mapping, tables.commune_mapping)
    write_csv(out / "district_mapping.csv", mapping, tables.district_mapping)


def write_csv(path: Path, header: Row, rows: list[Row]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(sorted(rows))
    data = buffer.getvalue().encode("utf-8")
    if path.suffix == ".gz":
        # mtime=0 and no file name in the header keep rebuilds byte-identical.
        data = gzip.compress(data, compresslevel=9, mtime=0)
    path.write_bytes(data)
    print(f"  {path.name:32} {len(rows):6} rows {path.stat().st_size:8} bytes")


def build(source: Path, out: Path) -> int:
    """Write every generated file into ``out``; 1 if the source has a gap, else 0."""
    db = sqlite3.connect(f"file:{source / 'dataset.db'}?mode=ro", uri=True)
    converter = json.loads((source / "converter_2025.json").read_text(encoding="utf-8"))
    tables = Tables()
    read_legacy(db, tables)
    read_current(db, tables)
    db.close()
    problems = map_provinces(converter, tables)
    links = successors(converter, tables)
    problems += map_communes(links, tables)
    write_all(tables, out)
    split = sum(1 for unit, targets in links.items() if unit.commune_code and len(targets) > 1)
    print(
        f"{len(tables.legacy_provinces)} legacy provinces, {len(tables.legacy_districts)} districts, "
        f"{len(tables.legacy_communes)} communes ({split} split across several current communes, "
        f"{len(tables.district_mapping)} island districts without communes); "
        f"{len(tables.current_provinces)} current provinces, {len(tables.current_communes)} communes"
    )
    for problem in problems:
        print(f"GAP: {problem}", file=sys.stderr)
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, help="folder with dataset.db and converter_2025.json")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT})")
    args = parser.parse_args(argv)
    return build(args.source or find_source(), args.out)


if __name__ == "__main__":
    sys.exit(main())
