"""The synthetic population: determinism, shape, and the invariants a real register would hold."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from typing import Any

import pyarrow as pa
import pytest

import citizenid.synth
from citizenid import refdata
from citizenid.synth import PERSON_SCHEMA, generate_population, generate_population_batches

AS_OF = dt.date(2026, 1, 1)
LINKS = ("father_number", "father_name", "mother_number", "mother_name", "spouse_number", "spouse_name")
PROVINCE_CODES = {p.number_code for p in refdata.legacy_provinces()} | {
    p.number_code for p in refdata.current_provinces()
}


@pytest.fixture(scope="module")
def population() -> pa.Table:
    return generate_population(50_000)


@pytest.fixture(scope="module")
def people(population: pa.Table) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = population.to_pylist()
    return rows


@pytest.fixture(scope="module")
def by_number(people: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {p["personal_number"]: p for p in people}


def birth(person: dict[str, Any]) -> dt.date:
    """The birth date, a partly known one read as its earliest possible day."""
    parts = [int(x) for x in person["birth_date"].split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])


def years_between(older: dt.date, younger: dt.date) -> float:
    return (younger - older).days / 365.2425


def test_public_surface() -> None:
    assert citizenid.synth.__all__ == ["PERSON_SCHEMA", "generate_population", "generate_population_batches"]


@pytest.mark.parametrize("count", [0, 1, 2, 7, 64, 1000, 3001])
def test_exact_row_count_and_schema(count: int) -> None:
    table = generate_population(count)
    assert table.num_rows == count
    assert table.schema.equals(PERSON_SCHEMA)


def test_same_seed_same_people_different_seed_different_people() -> None:
    first = generate_population(3000, seed=7)
    assert first.equals(generate_population(3000, seed=7))
    other = generate_population(3000, seed=8)
    assert first.column("personal_number") != other.column("personal_number")
    assert first.column("full_name") != other.column("full_name")


def test_reference_date_moves_the_population() -> None:
    assert not generate_population(500, as_of=dt.date(2030, 6, 1)).equals(generate_population(500))


def test_smaller_population_is_a_prefix_of_a_larger_one() -> None:
    small, large = generate_population(7), generate_population(500).slice(0, 7)
    for name in PERSON_SCHEMA.names:
        if name not in LINKS:
            assert small.column(name).equals(large.column(name)), name


def test_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="count"):
        generate_population(-1)


@pytest.mark.parametrize("year", [1990, 2400])
def test_reference_date_outside_the_number_scheme_is_refused(year: int) -> None:
    with pytest.raises(ValueError, match="as_of"):
        generate_population(10, as_of=dt.date(year, 1, 1))


def test_no_empty_strings_and_required_columns_filled(population: pa.Table) -> None:
    for field in PERSON_SCHEMA:
        column = population.column(field.name)
        assert "" not in column.to_pylist(), field.name
        if not field.nullable:
            assert column.null_count == 0, field.name


def test_constant_columns(population: pa.Table) -> None:
    assert set(population.column("nationality").to_pylist()) == {"VNM"}
    assert set(population.column("status").to_pylist()) == {"living"}
    assert set(population.column("sex").to_pylist()) == {"M", "F"}


def test_text_is_nfc_and_single_spaced(people: list[dict[str, Any]]) -> None:
    for p in people:
        for value in p.values():
            if isinstance(value, str):
                assert unicodedata.normalize("NFC", value) == value
                assert value == value.strip()
                assert "  " not in value
        parts = [p["family_name"], p["middle_name"], p["given_name"]]
        assert p["full_name"] == " ".join(x for x in parts if x is not None)


def test_personal_numbers_follow_the_rule(people: list[dict[str, Any]]) -> None:
    for p in people:
        number, year = p["personal_number"], int(p["birth_date"][:4])
        assert len(number) == 12
        assert number.isdigit()
        assert number[:3] == p["birth_registration_province"]
        assert number[:3] in PROVINCE_CODES
        century_sex = 2 * ((year - 1900) // 100) + (0 if p["sex"] == "M" else 1)
        assert int(number[3]) == century_sex
        assert number[4:6] == f"{year % 100:02d}"


def test_births_after_the_merger_use_the_current_province(people: list[dict[str, Any]]) -> None:
    current = {p.number_code for p in refdata.current_provinces()}
    recent = [p for p in people if len(p["birth_date"]) == 10 and p["birth_date"] >= "2025-07-01"]
    assert recent
    assert all(p["birth_registration_province"] in current for p in recent)


def test_numbers_and_old_ids_are_unique(population: pa.Table) -> None:
    numbers = population.column("personal_number").to_pylist()
    assert len(set(numbers)) == len(numbers)
    old_ids = [x for x in population.column("old_id_number").to_pylist() if x is not None]
    assert len(set(old_ids)) == len(old_ids)
    assert all(len(x) == 9 and x.isdigit() for x in old_ids)


def test_old_ids_belong_to_people_born_before_the_new_card(people: list[dict[str, Any]]) -> None:
    holders = [p for p in people if p["old_id_number"] is not None]
    assert all(int(p["birth_date"][:4]) < 2004 for p in holders)
    born_before_2000 = [p for p in people if int(p["birth_date"][:4]) < 2000]
    share = sum(p["old_id_number"] is not None for p in born_before_2000) / len(born_before_2000)
    assert share > 0.8


def test_birth_dates_are_iso_and_partial_only_for_the_oldest(people: list[dict[str, Any]]) -> None:
    partial = [p for p in people if len(p["birth_date"]) != 10]
    assert 0.002 < len(partial) / len(people) < 0.01
    assert {len(p["birth_date"]) for p in partial} == {4, 7}
    assert all(int(p["birth_date"][:4]) < 1960 for p in partial)
    for p in people:
        assert birth(p) <= AS_OF
        if len(p["birth_date"]) == 10:
            assert dt.date.fromisoformat(p["birth_date"]).isoformat() == p["birth_date"]


def test_codes_come_from_reference_data(population: pa.Table) -> None:
    current_communes = {c.code for c in refdata.current_communes()}
    assert set(population.column("origin_commune").to_pylist()) <= current_communes
    assert set(population.column("residence_commune").to_pylist()) <= current_communes
    assert set(population.column("ethnicity").to_pylist()) <= {e.code for e in refdata.ethnic_groups()}
    assert set(population.column("religion").to_pylist()) <= {r.code for r in refdata.religions()}


def test_family_links_resolve_and_are_plausible(
    people: list[dict[str, Any]], by_number: dict[str, dict[str, Any]]
) -> None:
    checked = Counter[str]()
    for p in people:
        for link, sex, low, high in (("father", "M", 18, 70), ("mother", "F", 18, 46)):
            number = p[f"{link}_number"]
            if number is None:
                assert p[f"{link}_name"] is None
                continue
            parent = by_number[number]
            assert parent["full_name"] == p[f"{link}_name"]
            assert parent["sex"] == sex
            assert parent["household_id"] == p["household_id"]
            assert low - 1 <= years_between(birth(parent), birth(p)) <= high + 1, (link, p, parent)
            checked[link] += 1
        spouse_number = p["spouse_number"]
        if spouse_number is not None:
            spouse = by_number[spouse_number]
            assert spouse["spouse_number"] == p["personal_number"]
            assert spouse["full_name"] == p["spouse_name"]
            assert spouse["sex"] != p["sex"]
            assert spouse["household_id"] == p["household_id"]
            assert abs(years_between(birth(spouse), birth(p))) <= 26
            assert min(years_between(birth(x), AS_OF) for x in (p, spouse)) >= 17.9
            checked["spouse"] += 1
    assert min(checked.values()) > 5000


def test_children_take_their_fathers_family_name(
    people: list[dict[str, Any]], by_number: dict[str, dict[str, Any]]
) -> None:
    with_father = [p for p in people if p["father_number"] is not None]
    assert all(p["family_name"] == by_number[p["father_number"]]["family_name"] for p in with_father)


def test_households_share_a_residence_and_have_one_head_first(people: list[dict[str, Any]]) -> None:
    households: dict[str, list[dict[str, Any]]] = {}
    for p in people:
        households.setdefault(p["household_id"], []).append(p)
    for members in households.values():
        assert len({(m["residence_commune"], m["residence_detail"]) for m in members}) == 1
        assert members[0]["household_relationship"] == "head"
        assert [m["household_relationship"] for m in members].count("head") == 1
    ids = list(households)
    assert ids == sorted(ids)
    assert ids[0] == "HK0000000001"
    assert 3.2 < len(people) / len(households) < 3.8
    relationships = Counter(p["household_relationship"] for p in people)
    assert set(relationships) == {"head", "spouse", "child", "parent", "grandchild", "sibling", "other"}


def test_family_name_shares(population: pa.Table) -> None:
    names = Counter(population.column("family_name").to_pylist())
    total = population.num_rows
    assert abs(names["Nguyễn"] / total - 0.384) <= 0.03 * 0.384
    assert abs((names["Hoàng"] + names["Huỳnh"]) / total - 0.051) < 0.01
    assert len(names) > 80


def test_regional_spellings_of_one_family_name(people: list[dict[str, Any]]) -> None:
    def share_huynh(prefixes: tuple[str, ...]) -> float:
        both = [p["family_name"] for p in people if p["family_name"] in ("Hoàng", "Huỳnh")
                and p["birth_registration_province"][1:3] in prefixes]
        return both.count("Huỳnh") / len(both)

    north = tuple(f"{c:02d}" for c in range(1, 38))
    south = tuple(f"{c:02d}" for c in range(79, 97))
    assert share_huynh(north) < 0.15 < 0.7 < share_huynh(south)


def test_sex_ratio(people: list[dict[str, Any]]) -> None:
    males = sum(p["sex"] == "M" for p in people)
    assert 0.47 < males / len(people) < 0.53
    young = [p["sex"] for p in people if birth(p) >= dt.date(2015, 1, 1)]
    assert 1.04 < young.count("M") / young.count("F") < 1.22
    old = [p["sex"] for p in people if birth(p) < dt.date(1946, 1, 1)]
    assert old.count("M") / old.count("F") < 0.8


def test_age_pyramid(people: list[dict[str, Any]]) -> None:
    target = [7.5, 8, 7.8, 6.9, 6.7, 7.4, 8.2, 8, 7.4, 6.7, 6, 5.3, 4.6, 3.6, 2.4, 1.5, 2]
    bands = Counter(min(int(years_between(birth(p), AS_OF) // 5), 16) for p in people)
    for band, share in enumerate(target):
        assert abs(100 * bands[band] / len(people) - share) < 1.5, band


def test_most_people_live_in_the_province_they_were_born_in(people: list[dict[str, Any]]) -> None:
    province_of = {c.code: c.province_code for c in refdata.current_communes()}
    legacy = {p.code for p in refdata.legacy_provinces()}

    def born_in(code: str) -> str:
        return refdata.current_province_for_legacy(code[1:]).code if code[1:] in legacy else code[1:]

    at_home = sum(province_of[p["residence_commune"]] == born_in(p["birth_registration_province"])
                  for p in people)
    assert 0.7 < at_home / len(people) < 0.9


def test_minorities_live_in_their_regions(people: list[dict[str, Any]]) -> None:
    khmer = [p["birth_registration_province"] for p in people if p["ethnicity"] == "05"]
    assert sum(code >= "080" for code in khmer) / len(khmer) > 0.7
    mong = [p["birth_registration_province"] for p in people if p["ethnicity"] == "08"]
    assert sum(code <= "040" for code in mong) / len(mong) > 0.7


@pytest.mark.parametrize("batch_size", [1, 5, 997, 200_000])
def test_batches_are_the_table_without_splitting_households(batch_size: int) -> None:
    count = 2500
    batches = list(generate_population_batches(count, seed=3, batch_size=batch_size))
    assert pa.Table.from_batches(batches).equals(generate_population(count, seed=3))
    seen: set[str] = set()
    for batch in batches:
        households = batch.column("household_id").to_pylist()
        assert batch.num_rows <= batch_size or len(set(households)) == 1
        assert not seen & set(households)
        seen |= set(households)


def test_bad_arguments_are_refused_before_streaming_starts() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        generate_population_batches(10, batch_size=0)
    with pytest.raises(ValueError, match="count"):
        generate_population_batches(-5)
