"""Provinces, communes, ethnic groups and religions as arrays the generator can sample from.

Built once from :mod:`citizenid.refdata` and :mod:`citizenid.synth.regional`.  Everything is indexed
by the position of a legacy province in :func:`citizenid.refdata.legacy_provinces`: people are born
and registered in legacy provinces, and their current commune is reached through the official
conversion of a legacy commune, so a commune is drawn with a weight that grows with the number of
old communes merged into it, a fair stand-in for its population.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from citizenid import refdata
from citizenid.synth import regional

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Geography:
    legacy_codes: tuple[str, ...]
    legacy_number: IntArray
    """PPP of a birth registered in the legacy province before the 2025 merger, as an integer."""
    current_number: IntArray
    """PPP of the current province the legacy one became (the post-merger registration rule)."""
    region: IntArray
    """Index into :data:`citizenid.synth.regional.REGIONS`."""
    birth_weights: FloatArray
    """Where births are registered: chosen so that, after migration, residence matches the census."""
    hubs: IntArray
    hub_weights: FloatArray
    commune_codes: tuple[str, ...]
    """Current commune codes, the vocabulary that the commune indices below point into."""
    commune_urban: BoolArray
    successor: IntArray
    """Current commune (index into ``commune_codes``) of each legacy commune, grouped by province."""
    successor_start: IntArray
    successor_count: IntArray
    ethnic_codes: tuple[str, ...]
    ethnic_cdf: FloatArray
    """Cumulative distribution of ethnic groups, one row per legacy province."""
    religion_codes: tuple[str, ...]
    religion_cdf: FloatArray
    """Cumulative distribution of religions, one row per legacy province."""
    ethnic_religion: tuple[tuple[int, FloatArray], ...]
    """(ethnic index, cumulative religion distribution) for groups whose faith is their own."""


@cache
def geography() -> Geography:
    provinces = refdata.legacy_provinces()
    codes = tuple(p.code for p in provinces)
    index = {code: i for i, code in enumerate(codes)}
    population = refdata.province_population()
    residents = np.array([population[c] for c in codes], dtype=float)
    residents /= residents.sum()
    hub_index = np.array([index[c] for c in regional.MIGRATION_HUBS], dtype=np.int64)
    hub_weights = np.array(list(regional.MIGRATION_HUBS.values()))
    hub_weights /= hub_weights.sum()

    births = _birth_weights(residents, hub_index, hub_weights)
    communes, urban, successor, start, count = _communes(codes)
    # Ethnic group and faith go with the home province, so they are spread over births, not residents.
    ethnic_codes, ethnic_cdf = _ethnic_distribution(codes, births)
    religion_codes, religion_cdf, ethnic_religion = _religion_distribution(codes, births, ethnic_codes)
    return Geography(
        legacy_codes=codes,
        legacy_number=np.array([int(c) for c in codes], dtype=np.int64),
        current_number=np.array(
            [int(refdata.current_province_for_legacy(c).code) for c in codes], dtype=np.int64
        ),
        region=np.array([_region(c) for c in codes], dtype=np.int64),
        birth_weights=births,
        hubs=hub_index,
        hub_weights=hub_weights,
        commune_codes=communes,
        commune_urban=urban,
        successor=successor,
        successor_start=start,
        successor_count=count,
        ethnic_codes=ethnic_codes,
        ethnic_cdf=ethnic_cdf,
        religion_codes=religion_codes,
        religion_cdf=religion_cdf,
        ethnic_religion=ethnic_religion,
    )


def _region(code: str) -> int:
    if code in regional.MOUNTAIN_PROVINCES:
        return regional.REGIONS.index(regional.NORTHERN_MOUNTAINS)
    for upper, region in regional.REGION_UPPER_BOUNDS:
        if code <= upper:
            return regional.REGIONS.index(region)
    raise ValueError(f"legacy province {code} is in no region")


def _birth_weights(residents: FloatArray, hubs: IntArray, hub_weights: FloatArray) -> FloatArray:
    """Birth-province weights that, moved by the migration rule, give back the census residence.

    A household lives at home unless it moved (MIGRANT_SHARE); movers go to a hub (MIGRANTS_TO_HUBS)
    or anywhere else as births are spread.  So residence = (1 - m·h)·birth + m·h·hubs.
    """
    moved_to_hubs = regional.MIGRANT_SHARE * regional.MIGRANTS_TO_HUBS
    inflow = np.zeros_like(residents)
    inflow[hubs] = hub_weights
    births = (residents - moved_to_hubs * inflow) / (1.0 - moved_to_hubs)
    # A hub still has its own births: never let the correction empty it.
    births = np.maximum(births, 0.3 * residents)
    result: FloatArray = births / births.sum()
    return result


def _communes(codes: tuple[str, ...]) -> tuple[tuple[str, ...], BoolArray, IntArray, IntArray, IntArray]:
    current = refdata.current_communes()
    vocabulary = tuple(c.code for c in current)
    position = {code: i for i, code in enumerate(vocabulary)}
    urban = np.array([c.kind == "Phường" for c in current], dtype=bool)
    by_province: dict[str, list[int]] = {code: [] for code in codes}
    for legacy in refdata.legacy_communes():
        default = refdata.current_communes_for_legacy(legacy.code)[0]
        by_province[legacy.province_code].append(position[default.code])
    count = np.array([len(by_province[c]) for c in codes], dtype=np.int64)
    start = np.concatenate(([0], np.cumsum(count)[:-1])).astype(np.int64)
    successor = np.array([i for c in codes for i in by_province[c]], dtype=np.int64)
    return vocabulary, urban, successor, start, count


def _cdf(weights: FloatArray) -> FloatArray:
    totals = weights.sum(axis=-1, keepdims=True)
    cdf: FloatArray = np.cumsum(weights / totals, axis=-1)
    cdf[..., -1] = 1.0
    return cdf


def _ethnic_distribution(codes: tuple[str, ...], residents: FloatArray) -> tuple[tuple[str, ...], FloatArray]:
    """Each group's national share placed mostly in its home provinces, the majority filling the rest."""
    groups = refdata.ethnic_groups()
    ethnic_codes = tuple(g.code for g in groups)
    index = {code: i for i, code in enumerate(codes)}
    people = np.zeros((len(codes), len(groups)))  # expected share of the nation: province x group
    majority = ethnic_codes.index("01")
    for j, group in enumerate(groups):
        if j == majority:
            continue
        homes = [index[c] for c in regional.ETHNIC_HOMES.get(group.code, ())]
        spread = residents * (1.0 - regional.ETHNIC_HOME_SHARE if homes else 1.0)
        people[:, j] = group.share * spread
        if homes:
            home_weights = residents[homes] / residents[homes].sum()
            people[homes, j] += group.share * regional.ETHNIC_HOME_SHARE * home_weights
    minorities = people.sum(axis=1)
    room = residents * (1.0 - regional.MAJORITY_FLOOR)
    # Where the minorities' homes overlap more than the province holds, shrink them to fit.
    people *= np.minimum(1.0, room / np.maximum(minorities, 1e-12))[:, None]
    people[:, majority] = residents - people.sum(axis=1)
    return ethnic_codes, _cdf(people)


def _religion_distribution(
    codes: tuple[str, ...], residents: FloatArray, ethnic_codes: tuple[str, ...]
) -> tuple[tuple[str, ...], FloatArray, tuple[tuple[int, FloatArray], ...]]:
    """National shares, with the strongholds set apart and the rest spread over other provinces."""
    entries = refdata.religions()
    religion_codes = tuple(e.code for e in entries)
    none = religion_codes.index("00")
    rates = np.zeros((len(codes), len(entries)))
    fixed = np.zeros_like(rates, dtype=bool)
    for i, code in enumerate(codes):
        for religion, share in regional.RELIGION_STRONGHOLDS.get(code, ()):
            rates[i, religion_codes.index(religion)] = share
            fixed[i, religion_codes.index(religion)] = True
    # Groups with a faith of their own already hold part of each national share.
    groups = {g.code: g.share for g in refdata.ethnic_groups()}
    held = np.zeros(len(entries))
    for group, distribution in regional.ETHNIC_RELIGION.items():
        for religion, share in distribution:
            held[religion_codes.index(religion)] += groups[group] * share
    for j, entry in enumerate(entries):
        if j == none:
            continue
        placed = (rates[:, j] * residents).sum()
        elsewhere = residents[~fixed[:, j]].sum()
        rates[~fixed[:, j], j] = max(entry.share - held[j] - placed, 0.0) / elsewhere
    rates[:, none] = np.maximum(1.0 - rates.sum(axis=1), 0.0)
    own = tuple(
        (
            ethnic_codes.index(group),
            _cdf(_weights_over(religion_codes, dict(distribution))),
        )
        for group, distribution in regional.ETHNIC_RELIGION.items()
    )
    return religion_codes, _cdf(rates), own


def _weights_over(vocabulary: tuple[str, ...], weights: dict[str, float]) -> FloatArray:
    result = np.zeros(len(vocabulary))
    for code, weight in weights.items():
        result[vocabulary.index(code)] = weight
    return result


def draw_rows(rng: np.random.Generator, cdf: FloatArray, rows: IntArray) -> IntArray:
    """One category per element, from the cumulative distribution in row ``rows[i]`` of ``cdf``."""
    # Row r's distribution shifted to [r, r + 1] makes one sorted array: a single search serves all.
    height, width = cdf.shape
    shifted = (cdf + np.arange(height)[:, None]).ravel()
    position = np.searchsorted(shifted, rows + rng.random(rows.shape[0]), side="right")
    picked: IntArray = np.minimum(position - rows * width, width - 1).astype(np.int64)
    return picked


def draw_communes(rng: np.random.Generator, geo: Geography, province: IntArray) -> IntArray:
    """A current commune (index into ``commune_codes``) for each legacy province index."""
    offset = (rng.random(province.shape[0]) * geo.successor_count[province]).astype(np.int64)
    picked: IntArray = geo.successor[geo.successor_start[province] + offset]
    return picked
