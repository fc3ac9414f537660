"""Household structure: who lives with whom, their sexes, ages and kinship.

Households are drawn from templates (a person alone, a couple, parents and children, three
generations, siblings).  Each template builds ``n`` households at once as ``(n, slots)`` matrices, one
column per member slot; a slot may be absent (fewer children, a widowed grandparent).  Ages are built
from the youngest generation up (mother's age at each birth, then her age now), so every kinship link
is plausible by construction; the few draws that still break a rule (a grandparent past 104) are
redrawn.  The template mix and age bands are calibrated against the 2025 age pyramid and the 2019
census household sizes (docs/decisions/0003-synthetic-population.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from citizenid.synth.names import RELATIONSHIPS

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

HEAD, SPOUSE, CHILD, PARENT, GRANDCHILD, SIBLING, OTHER = (RELATIONSHIPS.index(r) for r in (
    "head", "spouse", "child", "parent", "grandchild", "sibling", "other"))

MAX_AGE = 104.0
_DAYS_PER_YEAR = 365.2425
# Sex ratio at birth (boys per girl): ~1.06 until the 2000s, ~1.12 since prenatal sex selection spread.
_RECENT_COHORT_YEAR = 2005
_P_MALE_RECENT = 112 / 212
_P_MALE_EARLIER = 106 / 206

_LEAVING_AGE = 20.0
_P_MALE_STAYING_ADULT = 0.62

_MAX_CHILDREN = 5

# Share of each template among households.
_TEMPLATE_WEIGHTS: dict[str, float] = {
    "single": 0.068,
    "couple": 0.17,
    "nuclear": 0.458,
    "lone_parent": 0.084,
    "with_parents": 0.073,
    "under_elders": 0.113,
    "siblings": 0.012,
    "nuclear_other": 0.018,
}

# (lower bound of age band, weight): a band runs to the next bound; the last bound closes the list.
Bands = tuple[tuple[float, ...], tuple[float, ...]]
_YOUNGEST_CHILD: Bands = ((0, 5, 10, 15, 20, 25, 32), (0.26, 0.196, 0.194, 0.164, 0.114, 0.07))
_YOUNGEST_GRANDCHILD: Bands = ((0, 5, 10, 15, 20, 26), (0.37, 0.193, 0.201, 0.114, 0.124))
_SINGLE_AGE: Bands = ((18, 25, 35, 45, 60, 70, 80, 90, 100), (0.08, 0.05, 0.03, 0.17, 0.34, 0.13, 0.16, 0.04))
_COUPLE_WIFE_AGE: Bands = ((19, 25, 35, 45, 55, 65, 75, 85, 95), (0.04, 0.02, 0.01, 0.23, 0.38, 0.23, 0.08, 0.01))
_CHILD_COUNTS = (0.38, 0.46, 0.12, 0.03, 0.01)
_LONE_PARENT_CHILD_COUNTS = (0.52, 0.36, 0.1, 0.02)
_GRANDCHILD_COUNTS = (0.4, 0.45, 0.15)


@dataclass(frozen=True, slots=True)
class Households:
    """People of a run of households, each household's members contiguous, head first."""

    household: IntArray
    """Index of the person's household, non-decreasing."""
    male: BoolArray
    age: FloatArray
    """Exact age in years on the reference date."""
    relationship: npt.NDArray[np.int8]
    """Index into :data:`citizenid.synth.names.RELATIONSHIPS`."""
    father: IntArray
    """Row of the father in the same table, -1 when he is not a member of the household."""
    mother: IntArray
    spouse: IntArray
    lineage: IntArray
    """Row of the member whose family name and home town this person shares (a father, or the head
    for siblings), -1 when the person brings their own."""

    def __len__(self) -> int:
        return int(self.household.shape[0])


@dataclass(slots=True)
class _Draft:
    """``n`` households of one template: one row per household, one column per member slot."""

    age: FloatArray
    male: BoolArray
    present: BoolArray
    relationship: npt.NDArray[np.int8]
    father: npt.NDArray[np.int8]
    mother: npt.NDArray[np.int8]
    spouse: npt.NDArray[np.int8]
    lineage: npt.NDArray[np.int8]

    @classmethod
    def empty(cls, n: int, slots: int) -> _Draft:
        def refs() -> npt.NDArray[np.int8]:
            return np.full((n, slots), -1, dtype=np.int8)

        return cls(
            age=np.zeros((n, slots)),
            male=np.zeros((n, slots), dtype=bool),
            present=np.ones((n, slots), dtype=bool),
            relationship=np.full((n, slots), OTHER, dtype=np.int8),
            father=refs(), mother=refs(), spouse=refs(), lineage=refs(),
        )

    def marry(self, husband: int, wife: int) -> None:
        self.spouse[:, husband] = wife
        self.spouse[:, wife] = husband

    def put(self, rows: IntArray, other: _Draft) -> None:
        for f in _DRAFT_FIELDS:
            getattr(self, f)[rows] = getattr(other, f)


_DRAFT_FIELDS = ("age", "male", "present", "relationship", "father", "mother", "spouse", "lineage")


def build_households(rng: np.random.Generator, count: int, as_of_year: float) -> Households:
    """``count`` households in random template order, members head first."""
    names = list(_TEMPLATE_WEIGHTS)
    weights = np.array([_TEMPLATE_WEIGHTS[n] for n in names])
    per_template = rng.multinomial(count, weights / weights.sum())
    drafts = [
        _valid_draft(_TEMPLATES[name], rng, int(n), as_of_year)
        for name, n in zip(names, per_template, strict=True)
        if n > 0
    ]
    order = rng.permutation(count)
    return _flatten(drafts, order, count)


def _valid_draft(
    template: Callable[[np.random.Generator, int, float], _Draft],
    rng: np.random.Generator,
    n: int,
    as_of_year: float,
) -> _Draft:
    draft = template(rng, n, as_of_year)
    # Redraw only the implausible households; a few percent at most, so this ends in a few rounds.
    for _ in range(100):
        bad = np.flatnonzero(_implausible(draft))
        if bad.size == 0:
            return draft
        draft.put(bad, template(rng, int(bad.size), as_of_year))
    raise RuntimeError("household template keeps producing implausible ages")  # pragma: no cover


def _implausible(d: _Draft) -> BoolArray:
    bad: BoolArray = np.any(d.present & ((d.age < 0) | (d.age > MAX_AGE)), axis=1)
    for ref, low, high in ((d.mother, 18.0, 45.5), (d.father, 18.0, 70.0), (d.spouse, -25.0, 25.0)):
        index = np.maximum(ref, 0).astype(np.intp)
        linked = d.present & (ref >= 0) & np.take_along_axis(d.present, index, axis=1)
        gap = np.take_along_axis(d.age, index, axis=1) - d.age
        bad |= (linked & ((gap < low) | (gap > high))).any(axis=1)
    married = d.present & (d.spouse >= 0)
    bad |= (married & (d.age < 18.0)).any(axis=1)
    return bad


def _flatten(drafts: list[_Draft], order: IntArray, count: int) -> Households:
    """Lay the drafts' members out as rows: households in ``order``, heads first, absent slots gone."""
    sizes = np.zeros(count, dtype=np.int64)
    household_of: list[IntArray] = []
    offset = 0
    for d in drafts:
        n = d.age.shape[0]
        ids = order[offset: offset + n]
        offset += n
        household_of.append(ids)
        sizes[ids] = d.present.sum(axis=1)
    starts = np.concatenate(([0], np.cumsum(sizes)))
    total = int(starts[-1])

    out: dict[str, Any] = {
        "household": np.repeat(np.arange(count, dtype=np.int64), sizes),
        "male": np.zeros(total, dtype=bool),
        "age": np.zeros(total),
        "relationship": np.zeros(total, dtype=np.int8),
        **{f: np.full(total, -1, dtype=np.int64) for f in ("father", "mother", "spouse", "lineage")},
    }
    for d, ids in zip(drafts, household_of, strict=True):
        slots = d.age.shape[1]
        # Head first, then the template's slot order; absent slots sort last and are dropped.
        key = np.where(d.relationship == HEAD, -1, np.arange(slots))
        key = np.where(d.present, key, slots)
        position = np.empty_like(key)
        np.put_along_axis(position, np.argsort(key, axis=1, kind="stable"),
                          np.broadcast_to(np.arange(slots), key.shape), axis=1)
        row = starts[ids][:, None] + position
        live = d.present
        target = row[live]
        out["male"][target] = d.male[live]
        out["age"][target] = d.age[live]
        out["relationship"][target] = d.relationship[live]
        for f in ("father", "mother", "spouse", "lineage"):
            ref = getattr(d, f)
            index = np.maximum(ref, 0).astype(np.intp)
            linked = (ref >= 0) & np.take_along_axis(d.present, index, axis=1)
            out[f][target] = np.where(linked, np.take_along_axis(row, index, axis=1), -1)[live]
    return Households(**out)


# ---------------------------------------------------------------------------------------- sampling


def _from_bands(rng: np.random.Generator, n: int, bands: Bands) -> FloatArray:
    bounds, weights = np.asarray(bands[0], dtype=float), np.asarray(bands[1])
    band = rng.choice(weights.size, size=n, p=weights / weights.sum())
    low, high = bounds[band], bounds[band + 1]
    result: FloatArray = low + rng.random(n) * (high - low)
    return result


def _counts(rng: np.random.Generator, n: int, shares: tuple[float, ...]) -> IntArray:
    p = np.asarray(shares)
    result: IntArray = rng.choice(p.size, size=n, p=p / p.sum()) + 1
    return result


def _spouse_gap(rng: np.random.Generator, n: int) -> FloatArray:
    """Husband's age minus wife's: mostly 0-6 years, sometimes she is the elder."""
    gap: FloatArray = np.clip(rng.normal(3.0, 2.6, n), -5.0, 16.0)
    return gap


def _mother_at_birth(rng: np.random.Generator, n: int) -> FloatArray:
    result: FloatArray = np.clip(rng.normal(26.0, 5.0, n), 18.0, 42.0)
    return result


def _husband_survives(rng: np.random.Generator, age: FloatArray) -> BoolArray:
    """Whether an old husband is still alive: women outlive men, so old age is mostly widows."""
    p_alive = np.clip(1.0 - (age - 55.0) / 40.0, 0.25, 1.0)
    result: BoolArray = rng.random(age.shape) < p_alive
    return result


def _child_sex(rng: np.random.Generator, age: FloatArray, as_of_year: float) -> BoolArray:
    recent = (as_of_year - age) >= _RECENT_COHORT_YEAR
    p_male = np.where(recent, _P_MALE_RECENT, _P_MALE_EARLIER)
    # Daughters marry out younger and into their husband's household; grown sons stay.
    p_male = np.where(age >= _LEAVING_AGE, _P_MALE_STAYING_ADULT, p_male)
    result: BoolArray = rng.random(age.shape) < p_male
    return result


def _births(
    rng: np.random.Generator, counts: IntArray, youngest: FloatArray
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Mother's age now, children's ages oldest first (``_MAX_CHILDREN`` columns), and which exist."""
    n = counts.shape[0]
    first = np.clip(rng.normal(24.5, 4.0, n), 18.0, 40.0)
    intervals = 1.0 + rng.gamma(2.0, 1.3, (n, _MAX_CHILDREN - 1))
    at_birth = first[:, None] + np.concatenate((np.zeros((n, 1)), np.cumsum(intervals, axis=1)), axis=1)
    rows = np.arange(n)
    last = at_birth[rows, counts - 1]
    # Close the spacing up rather than let a mother give birth after 45.
    squeeze = np.where(last > 44.5, (44.5 - first) / np.maximum(last - first, 1e-9), 1.0)
    at_birth = first[:, None] + (at_birth - first[:, None]) * squeeze[:, None]
    mother_age = at_birth[rows, counts - 1] + youngest
    present = np.arange(_MAX_CHILDREN) < counts[:, None]
    return mother_age, mother_age[:, None] - at_birth, present


# --------------------------------------------------------------------------------------- templates


def _single(rng: np.random.Generator, n: int, _as_of_year: float) -> _Draft:
    d = _Draft.empty(n, 1)
    age = _from_bands(rng, n, _SINGLE_AGE)
    d.age[:, 0] = age
    # Young people living alone are mostly men; old ones mostly widows.
    p_male = np.select([age < 35, age < 60], [0.62, 0.5], 0.24)
    d.male[:, 0] = rng.random(n) < p_male
    d.relationship[:, 0] = HEAD
    return d


def _couple(rng: np.random.Generator, n: int, _as_of_year: float) -> _Draft:
    d = _Draft.empty(n, 2)
    wife = _from_bands(rng, n, _COUPLE_WIFE_AGE)
    d.age[:, 0] = np.maximum(wife + _spouse_gap(rng, n), 20.0)
    d.age[:, 1] = wife
    d.male[:, 0] = True
    d.present[:, 0] = _husband_survives(rng, d.age[:, 0])
    head_is_wife = (rng.random(n) < 0.2) | ~d.present[:, 0]
    d.relationship[:, 0] = np.where(head_is_wife, SPOUSE, HEAD)
    d.relationship[:, 1] = np.where(head_is_wife, HEAD, SPOUSE)
    d.marry(0, 1)
    return d


def _nuclear_family(
    rng: np.random.Generator,
    n: int,
    as_of_year: float,
    *,
    lone_parent: bool = False,
    with_parents: bool = False,
    with_other: bool = False,
) -> _Draft:
    """Husband (slot 0), wife (1), children (2-6), optionally his parents (7, 8) and one other (last)."""
    husband, wife, first_child = 0, 1, 2
    slots = first_child + _MAX_CHILDREN + (2 if with_parents else 0) + (1 if with_other else 0)
    d = _Draft.empty(n, slots)
    counts = _counts(rng, n, _LONE_PARENT_CHILD_COUNTS if lone_parent else _CHILD_COUNTS)
    if with_parents:
        counts = np.minimum(counts, 3)
    mother_age, child_ages, has_child = _births(rng, counts, _from_bands(rng, n, _YOUNGEST_CHILD))
    father_age = mother_age + _spouse_gap(rng, n)
    children = slice(first_child, first_child + _MAX_CHILDREN)
    d.age[:, husband], d.age[:, wife], d.age[:, children] = father_age, mother_age, child_ages
    d.present[:, children] = has_child
    d.male[:, husband] = True
    d.male[:, children] = _child_sex(rng, child_ages, as_of_year)
    d.relationship[:, children] = CHILD
    d.father[:, children], d.mother[:, children], d.lineage[:, children] = husband, wife, husband
    d.marry(husband, wife)
    if lone_parent:
        mother_stays = rng.random(n) < 0.75
        d.present[:, husband], d.present[:, wife] = ~mother_stays, mother_stays
        d.relationship[:, husband] = HEAD
        d.relationship[:, wife] = HEAD
    else:
        head_is_wife = (rng.random(n) < 0.22) & (not with_parents)
        d.relationship[:, husband] = np.where(head_is_wife, SPOUSE, HEAD)
        d.relationship[:, wife] = np.where(head_is_wife, HEAD, SPOUSE)
    if with_parents:
        _add_parents(rng, d, husband, first_child + _MAX_CHILDREN)
    if with_other:
        other = slots - 1
        d.age[:, other] = 15.0 + rng.random(n) * 60.0
        d.male[:, other] = rng.random(n) < 0.4
        d.relationship[:, other] = OTHER
    return d


def _add_parents(rng: np.random.Generator, d: _Draft, child: int, first: int) -> None:
    """The parents of ``child`` in slots ``first`` (father) and ``first + 1`` (mother)."""
    n = d.age.shape[0]
    father, mother = first, first + 1
    d.age[:, mother] = d.age[:, child] + _mother_at_birth(rng, n)
    d.age[:, father] = d.age[:, mother] + _spouse_gap(rng, n)
    d.male[:, father] = True
    d.present[:, father] = _husband_survives(rng, d.age[:, father])
    d.present[:, mother] = ~d.present[:, father] | (rng.random(n) < 0.85)
    d.relationship[:, [father, mother]] = PARENT
    d.marry(father, mother)
    d.father[:, child], d.mother[:, child], d.lineage[:, child] = father, mother, father


def _under_elders(rng: np.random.Generator, n: int, as_of_year: float) -> _Draft:
    """Elderly head (and spouse), their married child with the child's spouse, and grandchildren."""
    elder_father, elder_mother, man, woman, first_grandchild = 0, 1, 2, 3, 4
    grandchildren = slice(first_grandchild, first_grandchild + 3)
    d = _Draft.empty(n, first_grandchild + 3)
    counts = _counts(rng, n, _GRANDCHILD_COUNTS)
    woman_age, ages, has = _births(rng, counts, _from_bands(rng, n, _YOUNGEST_GRANDCHILD))
    d.age[:, man], d.age[:, woman] = woman_age + _spouse_gap(rng, n), woman_age
    d.age[:, grandchildren], d.present[:, grandchildren] = ages[:, :3], has[:, :3]
    d.male[:, man] = True
    d.male[:, grandchildren] = _child_sex(rng, ages[:, :3], as_of_year)
    d.marry(man, woman)
    d.relationship[:, grandchildren] = GRANDCHILD
    d.father[:, grandchildren], d.mother[:, grandchildren] = man, woman
    d.lineage[:, grandchildren] = man

    # Vietnamese families are mostly patrilocal: the married child is usually the son.
    son = rng.random(n) < 0.85
    child_age = np.where(son, d.age[:, man], d.age[:, woman])
    d.age[:, elder_mother] = child_age + _mother_at_birth(rng, n)
    d.age[:, elder_father] = d.age[:, elder_mother] + _spouse_gap(rng, n)
    d.male[:, elder_father] = True
    d.marry(elder_father, elder_mother)
    d.present[:, elder_father] = _husband_survives(rng, d.age[:, elder_father])
    d.present[:, elder_mother] = ~d.present[:, elder_father] | (rng.random(n) < 0.85)
    father_heads = d.present[:, elder_father]
    d.relationship[:, elder_father] = np.where(father_heads, HEAD, SPOUSE)
    d.relationship[:, elder_mother] = np.where(father_heads, SPOUSE, HEAD)
    d.relationship[:, man] = np.where(son, CHILD, OTHER)
    d.relationship[:, woman] = np.where(son, OTHER, CHILD)
    for slot, own in ((man, son), (woman, ~son)):
        d.father[:, slot] = np.where(own, elder_father, -1)
        d.mother[:, slot] = np.where(own, elder_mother, -1)
        d.lineage[:, slot] = np.where(own, elder_father, -1)
    return d


def _siblings(rng: np.random.Generator, n: int, _as_of_year: float) -> _Draft:
    d = _Draft.empty(n, 3)
    head_age = 18.0 + rng.random(n) * 20.0
    d.age[:, 0] = head_age
    d.age[:, 1:] = np.maximum(head_age[:, None] + rng.uniform(-8.0, 8.0, (n, 2)), 15.0)
    d.male[:] = rng.random((n, 3)) < 0.5
    d.present[:, 2] = rng.random(n) < 0.3
    d.relationship[:, 0] = HEAD
    d.relationship[:, 1:] = SIBLING
    d.lineage[:, 1:] = 0
    return d


_TEMPLATES: dict[str, Callable[[np.random.Generator, int, float], _Draft]] = {
    "single": _single,
    "couple": _couple,
    "nuclear": _nuclear_family,
    "lone_parent": lambda rng, n, year: _nuclear_family(rng, n, year, lone_parent=True),
    "with_parents": lambda rng, n, year: _nuclear_family(rng, n, year, with_parents=True),
    "under_elders": _under_elders,
    "siblings": _siblings,
    "nuclear_other": lambda rng, n, year: _nuclear_family(rng, n, year, with_other=True),
}


def birth_days(age: FloatArray) -> IntArray:
    """Days between birth and the reference date for exact ages in years."""
    days: IntArray = np.floor(age * _DAYS_PER_YEAR).astype(np.int64)
    return days
