"""Everything about the people of a run of households except how they are laid out in Arrow.

Household-wide facts are drawn once per household (home province, whether the family moved, where
it lives, its ethnic group and faith); a spouse or in-law may come from elsewhere; children inherit
family name, home town, ethnic group and faith from their father, or their mother when he is not in
the household.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from citizenid.synth import names, regional
from citizenid.synth.households import CHILD, GRANDCHILD, OTHER, SPOUSE, Households, birth_days
from citizenid.synth.naming import NameStock
from citizenid.synth.numbers import NumberAllocator
from citizenid.synth.places import Geography, draw_communes, draw_rows

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

# Births registered after the two-level reform: the register's rule (docs/decisions/0004) is the
# code of the current province.  Kept here as the same date so both sides agree.
MERGER_DATE = dt.date(2025, 7, 1)
_EPOCH = dt.date(1970, 1, 1)

# A spouse or in-law born somewhere other than the family's home province.
_MARRIED_IN_FROM_ELSEWHERE = 0.3
# Children of families that moved: registered where the family lives now, or back home.
_BORN_AFTER_MOVE_CHILD = 0.7
_BORN_AFTER_MOVE_ADULT = 0.3

# Old 9-digit ID cards (CMND) were issued from 14 until the 12-digit card replaced them (2016-2021).
_OLD_ID_BEFORE_2000 = 0.92
_OLD_ID_2000_2003 = 0.35

# Legacy records of the oldest people sometimes hold only the year, or the year and month.
_PARTIAL_BEFORE_1945 = 0.15
_PARTIAL_1945_1959 = 0.03
_YEAR_ONLY = 0.6

FULL_DATE, YEAR_MONTH, YEAR_ONLY = 0, 1, 2

# Address shapes: "Số 12 Lê Lợi" and "Số 12 ngõ 34 Lê Lợi" in the north, "12 Lê Lợi" and
# "12/34 Lê Lợi" (a hẻm) in the south, "Thôn Đông" / "Ấp 3" / "Bản Nà Hang" in the countryside.
NORTH_STREET, NORTH_ALLEY, SOUTH_STREET, SOUTH_ALLEY, HAMLET = range(5)
HAMLET_WORDS: tuple[str, ...] = ("Thôn", "Ấp", "Bản")
_HAMLET_NAMES = (names.HAMLETS_THON, names.HAMLETS_AP, names.HAMLETS_BAN)
HAMLET_NAMES: tuple[str, ...] = tuple(n for stock in _HAMLET_NAMES for n in stock)
_HAMLET_OFFSET = np.cumsum([0] + [len(stock) for stock in _HAMLET_NAMES[:-1]])
_HAMLET_COUNT = np.array([len(stock) for stock in _HAMLET_NAMES])
_NUMBERED_HAMLET = 0.45
_HAMLET_NUMBERS = 14
_IN_AN_ALLEY = 0.45
_NORTHERN_ADDRESS = frozenset(
    regional.REGIONS.index(r) for r in (regional.NORTHERN_MOUNTAINS, regional.RED_RIVER, regional.NORTH_CENTRAL)
)


@dataclass(frozen=True, slots=True)
class Addresses:
    """The parts of each household's street address or hamlet, one element per household."""

    shape: npt.NDArray[np.int8]
    house: IntArray
    alley: IntArray
    street: IntArray
    """Index into :data:`citizenid.synth.names.STREETS`."""
    hamlet_word: IntArray
    """Index into :data:`HAMLET_WORDS`."""
    hamlet_name: IntArray
    """Index into :data:`HAMLET_NAMES`, or -1 for a numbered hamlet (``house`` holds its number)."""


@dataclass(frozen=True, slots=True)
class People:
    households: Households
    birth_day: IntArray
    """Days since 1970-01-01."""
    birth_precision: npt.NDArray[np.int8]
    registration_code: IntArray
    """PPP of the personal number: where the birth was registered, as an integer."""
    number: IntArray
    origin_commune: IntArray
    residence_commune: IntArray
    addresses: Addresses
    ethnicity: IntArray
    religion: IntArray
    family_name: IntArray
    middle_name: IntArray
    given_name: IntArray
    old_id: IntArray
    """-1 for people who never held the 9-digit card."""


def draw_people(
    rng: np.random.Generator,
    structure: Households,
    geo: Geography,
    stock: NameStock,
    allocator: NumberAllocator,
    as_of: dt.date,
) -> People:
    household = structure.household
    households = int(household[-1]) + 1 if len(structure) else 0
    home_province = _draw(rng, geo.birth_weights, households)
    moved = rng.random(households) < regional.MIGRANT_SHARE
    to_hub = rng.random(households) < regional.MIGRANTS_TO_HUBS
    destination = np.where(to_hub, geo.hubs[_draw(rng, geo.hub_weights, households)],
                           _draw(rng, geo.birth_weights, households))
    lives_in = np.where(moved, destination, home_province)
    residence = draw_communes(rng, geo, lives_in)
    family_ethnicity = draw_rows(rng, geo.ethnic_cdf, home_province)
    family_religion = _religion(rng, geo, home_province, family_ethnicity)

    rel = structure.relationship
    married_in = (structure.lineage < 0) & ((rel == SPOUSE) | (rel == OTHER))
    outsider = married_in & (rng.random(len(structure)) < _MARRIED_IN_FROM_ELSEWHERE)
    home = np.where(outsider, _draw(rng, geo.birth_weights, len(structure)), home_province[household])
    own_ethnicity = draw_rows(rng, geo.ethnic_cdf, home)
    parent = np.where(structure.lineage >= 0, structure.lineage, structure.mother)
    ethnicity = inherit(np.where(outsider, own_ethnicity, family_ethnicity[household]), parent)
    own_religion = _religion(rng, geo, home, ethnicity)
    religion = inherit(np.where(outsider, own_religion, family_religion[household]), parent)

    birth_day = _days(as_of) - birth_days(structure.age)
    birth_year = birth_day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    descendant = (rel == CHILD) | (rel == GRANDCHILD)
    p_here = np.where(structure.age < 18, _BORN_AFTER_MOVE_CHILD, _BORN_AFTER_MOVE_ADULT)
    born_here = descendant & moved[household] & (rng.random(len(structure)) < p_here)
    registration = np.where(born_here, lives_in[household], home)
    province_code = np.where(birth_day >= _days(MERGER_DATE),
                             geo.current_number[registration], geo.legacy_number[registration])
    number = allocator.personal_numbers(province_code, structure.male, birth_year)

    origin = inherit(draw_communes(rng, geo, home), parent)
    family_name = inherit(stock.family(rng, geo.region[home], ethnicity), structure.lineage)
    middle = stock.middle(rng, structure.male, birth_year, ethnicity)
    given = stock.given(rng, structure.male, ethnicity, middle)

    return People(
        households=structure,
        birth_day=birth_day,
        birth_precision=_precision(rng, birth_year),
        registration_code=province_code,
        number=number,
        origin_commune=origin,
        residence_commune=residence[household],
        addresses=_addresses(rng, geo, lives_in, residence),
        ethnicity=ethnicity,
        religion=religion,
        family_name=family_name,
        middle_name=middle,
        given_name=given,
        old_id=_old_ids(rng, allocator, birth_year, structure.age),
    )


def inherit(values: IntArray, source: IntArray) -> IntArray:
    """Copy each value from the row ``source`` points to, down chains (grandchild, son, grandfather)."""
    linked = source >= 0
    index = np.maximum(source, 0)
    for _ in range(8):
        passed = np.where(linked, values[index], values)
        if np.array_equal(passed, values):
            break
        values = passed
    return values


def _draw(rng: np.random.Generator, weights: FloatArray, n: int) -> IntArray:
    cdf = np.cumsum(weights)
    picked: IntArray = np.minimum(np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right"),
                                  weights.size - 1).astype(np.int64)
    return picked


def _religion(rng: np.random.Generator, geo: Geography, province: IntArray, ethnicity: IntArray) -> IntArray:
    religion = draw_rows(rng, geo.religion_cdf, province)
    for group, cdf in geo.ethnic_religion:
        rows = np.flatnonzero(ethnicity == group)
        religion[rows] = np.searchsorted(cdf, rng.random(rows.size), side="right")
    return religion


def _days(day: dt.date) -> int:
    return (day - _EPOCH).days


def _precision(rng: np.random.Generator, birth_year: IntArray) -> npt.NDArray[np.int8]:
    p_partial = np.select([birth_year < 1945, birth_year < 1960], [_PARTIAL_BEFORE_1945, _PARTIAL_1945_1959], 0.0)
    u = rng.random(birth_year.shape[0])
    precision = np.where(u < p_partial * _YEAR_ONLY, YEAR_ONLY, np.where(u < p_partial, YEAR_MONTH, FULL_DATE))
    return precision.astype(np.int8)


def _old_ids(rng: np.random.Generator, allocator: NumberAllocator, birth_year: IntArray,
             age: FloatArray) -> IntArray:
    p_card = np.select([birth_year < 2000, birth_year < 2004], [_OLD_ID_BEFORE_2000, _OLD_ID_2000_2003], 0.0)
    holds = (rng.random(birth_year.shape[0]) < p_card) & (age >= 14)
    old_id = np.full(birth_year.shape[0], -1, dtype=np.int64)
    old_id[holds] = allocator.old_ids(int(holds.sum()))
    return old_id


def _addresses(rng: np.random.Generator, geo: Geography, province: IntArray, commune: IntArray) -> Addresses:
    n = province.shape[0]
    region = geo.region[province]
    north = np.isin(region, list(_NORTHERN_ADDRESS))
    alley = rng.random(n) < _IN_AN_ALLEY
    shape = np.where(north, np.where(alley, NORTH_ALLEY, NORTH_STREET), np.where(alley, SOUTH_ALLEY, SOUTH_STREET))
    shape = np.where(geo.commune_urban[commune], shape, HAMLET)
    word_of_region = np.array([HAMLET_WORDS.index(regional.HAMLET_WORD[r]) for r in regional.REGIONS])
    word = word_of_region[region]
    # Low house numbers are far more common than high ones.
    house = 1 + np.floor(rng.pareto(1.2, n) * 20).astype(np.int64) % 400
    named = (word == HAMLET_WORDS.index("Bản")) | (rng.random(n) >= _NUMBERED_HAMLET)
    hamlet = _HAMLET_OFFSET[word] + np.floor(rng.random(n) * _HAMLET_COUNT[word]).astype(np.int64)
    return Addresses(
        shape=shape.astype(np.int8),
        house=np.where((shape == HAMLET) & ~named, rng.integers(1, _HAMLET_NUMBERS + 1, n), house),
        alley=1 + np.floor(rng.pareto(1.5, n) * 15).astype(np.int64) % 300,
        street=np.floor(rng.random(n) * len(names.STREETS)).astype(np.int64),
        hamlet_word=word,
        hamlet_name=np.where(named, hamlet, -1),
    )
