"""Drawing Vietnamese names as indices into fixed vocabularies, many people at a time.

Family names: the published national shares are shares of everyone, minorities included, so the
common stock is drawn with weights that leave room for the groups drawing from their own surnames
(Thái, Khmer, Mông, Dao) and still land on the national figures.  Middle names depend on sex and
birth cohort ("Văn" and "Thị" fade, two-word middles spread); given names on sex only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from citizenid.synth import names, regional

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

NO_NAME = -1
_TAIL_ZIPF_OFFSET = 3.0


@dataclass(frozen=True, slots=True)
class _Categorical:
    """A distribution over vocabulary indices (``NO_NAME`` allowed)."""

    cdf: FloatArray
    values: IntArray

    def draw(self, rng: np.random.Generator, n: int) -> IntArray:
        picked: IntArray = self.values[np.searchsorted(self.cdf, rng.random(n), side="right")]
        return picked


def _categorical(values: Sequence[int], weights: Sequence[float] | FloatArray) -> _Categorical:
    w = np.asarray(weights, dtype=float)
    cdf = np.cumsum(w / w.sum())
    cdf[-1] = 1.0
    return _Categorical(cdf, np.asarray(values, dtype=np.int64))


class _Vocabulary:
    def __init__(self) -> None:
        self.words: list[str] = []
        self._index: dict[str, int] = {}

    def __call__(self, word: str) -> int:
        if word not in self._index:
            self._index[word] = len(self.words)
            self.words.append(word)
        return self._index[word]

    def find(self, word: str) -> int:
        return self._index.get(word, NO_NAME - 1)


@dataclass(frozen=True, slots=True)
class NameStock:
    family_names: tuple[str, ...]
    middle_names: tuple[str, ...]
    given_names: tuple[str, ...]
    _common_family: _Categorical
    """Over family-name *groups*: a group holds a northern and a southern spelling."""
    _northern: IntArray
    _southern: IntArray
    _southern_odds: FloatArray
    """(region, group): probability of the southern spelling."""
    _ethnic_family: tuple[tuple[int, _Categorical], ...]
    _middle: tuple[tuple[_Categorical, ...], tuple[_Categorical, ...]]
    """[female, male][cohort]."""
    _given: tuple[_Categorical, _Categorical]
    _mong_given: tuple[_Categorical, _Categorical]
    _mong_middle: int
    _mong: int
    _middle_last_word_as_given: IntArray

    def family(self, rng: np.random.Generator, region: IntArray, ethnicity: IntArray) -> IntArray:
        n = region.shape[0]
        group = self._common_family.draw(rng, n)
        southern = rng.random(n) < self._southern_odds[region, group]
        picked = np.where(southern, self._southern[group], self._northern[group])
        for ethnic, distribution in self._ethnic_family:
            own = np.flatnonzero(ethnicity == ethnic)
            picked[own] = distribution.draw(rng, own.size)
        return picked

    def middle(self, rng: np.random.Generator, male: BoolArray, birth_year: IntArray,
               ethnicity: IntArray) -> IntArray:
        cohort = np.searchsorted(names.COHORT_START_YEARS, birth_year, side="right") - 1
        cohort = np.clip(cohort, 0, len(names.COHORT_START_YEARS) - 1)
        picked = np.empty(male.shape[0], dtype=np.int64)
        for sex in (0, 1):
            for c, distribution in enumerate(self._middle[sex]):
                rows = np.flatnonzero((male == bool(sex)) & (cohort == c))
                picked[rows] = distribution.draw(rng, rows.size)
        # Half of Mông men carry the clan marker "A" rather than a Kinh middle name.
        mong_men = np.flatnonzero(male & (ethnicity == self._mong))
        picked[mong_men] = np.where(rng.random(mong_men.size) < 0.5, self._mong_middle, picked[mong_men])
        return picked

    def given(self, rng: np.random.Generator, male: BoolArray, ethnicity: IntArray,
              middle: IntArray) -> IntArray:
        picked = np.empty(male.shape[0], dtype=np.int64)
        mong = ethnicity == self._mong
        for sex in (0, 1):
            for stock, rows in ((self._given[sex], np.flatnonzero((male == bool(sex)) & ~mong)),
                                (self._mong_given[sex], np.flatnonzero((male == bool(sex)) & mong))):
                picked[rows] = stock.draw(rng, rows.size)
                # "Minh Minh" is not a name: redraw a given name that repeats the middle's last word.
                clash = rows[self._repeats_middle(picked[rows], middle[rows])]
                while clash.size:
                    picked[clash] = stock.draw(rng, clash.size)
                    clash = clash[self._repeats_middle(picked[clash], middle[clash])]
        return picked

    def _repeats_middle(self, given: IntArray, middle: IntArray) -> BoolArray:
        last = self._middle_last_word_as_given[np.maximum(middle, 0)]
        result: BoolArray = (middle != NO_NAME) & (last == given)
        return result


@cache
def name_stock(ethnic_codes: tuple[str, ...], ethnic_shares: tuple[float, ...]) -> NameStock:
    """The vocabularies and distributions, for the ethnic list of :mod:`citizenid.refdata`."""
    family, middle, given = _Vocabulary(), _Vocabulary(), _Vocabulary()
    groups = names.FAMILY_NAME_GROUPS
    northern = np.array([family(g[0]) for g in groups] + [family(t) for t in names.FAMILY_NAME_TAIL])
    southern = np.array([family(g[1]) for g in groups] + [family(t) for t in names.FAMILY_NAME_TAIL])
    ethnic_family = tuple(
        (ethnic_codes.index(code), _categorical([family(n) for n, _ in stock], [w for _, w in stock]))
        for code, stock in names.ETHNIC_FAMILY_NAMES.items()
    )
    common = _common_family_weights(ethnic_codes, ethnic_shares, northern, southern, family)
    odds = np.zeros((len(regional.REGIONS), northern.size))
    for r, region in enumerate(regional.REGIONS):
        huynh, vo = regional.SOUTHERN_SPELLING[region]
        odds[r, [i for i, g in enumerate(groups) if g[0] == "Hoàng"]] = huynh
        odds[r, [i for i, g in enumerate(groups) if g[0] == "Vũ"]] = vo

    middles = tuple(tuple(_middle_distribution(sex, c, middle) for c in range(len(names.COHORT_START_YEARS)))
                    for sex in ("F", "M"))
    mong_middle = middle(names.MONG_MALE_MIDDLE)
    givens = tuple(_categorical([given(n) for n, _ in s], [w for _, w in s])
                   for s in (names.GIVEN_FEMALE, names.GIVEN_MALE))
    mong_givens = tuple(_categorical([given(n) for n, _ in s], [w for _, w in s])
                        for s in (names.MONG_GIVEN_FEMALE, names.MONG_GIVEN_MALE))
    last_word = np.array([given.find(m.split(" ")[-1]) for m in middle.words], dtype=np.int64)
    return NameStock(
        family_names=tuple(family.words),
        middle_names=tuple(middle.words),
        given_names=tuple(given.words),
        _common_family=_categorical(range(northern.size), common),
        _northern=northern,
        _southern=southern,
        _southern_odds=odds,
        _ethnic_family=ethnic_family,
        _middle=(middles[0], middles[1]),
        _given=(givens[0], givens[1]),
        _mong_given=(mong_givens[0], mong_givens[1]),
        _mong_middle=mong_middle,
        _mong=ethnic_codes.index(names.MONG),
        _middle_last_word_as_given=last_word,
    )


def _common_family_weights(
    ethnic_codes: tuple[str, ...],
    ethnic_shares: tuple[float, ...],
    northern: IntArray,
    southern: IntArray,
    family: _Vocabulary,
) -> FloatArray:
    """Group weights for the common stock such that, with the minorities' own names, the nation
    shows the published shares; the long tail takes what the named groups leave, Zipf-like."""
    groups = names.FAMILY_NAME_GROUPS
    national = np.zeros(northern.size)
    national[: len(groups)] = [g[2] / 100.0 for g in groups]
    tail = np.arange(len(names.FAMILY_NAME_TAIL), dtype=float)
    zipf = 1.0 / (tail + _TAIL_ZIPF_OFFSET)
    national[len(groups):] = (1.0 - national.sum()) * zipf / zipf.sum()

    group_of = {int(w): g for g, w in enumerate(northern)} | {int(w): g for g, w in enumerate(southern)}
    own_share = 0.0
    for code, stock in names.ETHNIC_FAMILY_NAMES.items():
        share = ethnic_shares[ethnic_codes.index(code)]
        own_share += share
        total = sum(w for _, w in stock)
        for name, weight in stock:
            g = group_of.get(family(name))
            if g is not None:
                national[g] -= share * weight / total
    weights: FloatArray = np.maximum(national, 0.0) / (1.0 - own_share)
    # The minorities' names outside the common stock belong to the national long tail too: the tail
    # shrinks to make room for them, the named groups keep their published shares.
    named = len(groups)
    weights[named:] *= max(1.0 - weights[:named].sum(), 0.0) / weights[named:].sum()
    return weights


def _middle_distribution(sex: str, cohort: int, vocabulary: _Vocabulary) -> _Categorical:
    classic, double, none = names.COHORT_MIDDLE[sex][cohort]
    male = sex == "M"
    classic_name = names.MIDDLE_MALE_CLASSIC if male else names.MIDDLE_FEMALE_CLASSIC
    singles = names.MIDDLE_MALE if male else names.MIDDLE_FEMALE
    doubles = names.MIDDLE_MALE_DOUBLE if male else names.MIDDLE_FEMALE_DOUBLE
    values = [vocabulary(classic_name), NO_NAME]
    weights = [classic, none]
    rest = 1.0 - classic - double - none
    for stock, share in ((singles, rest), (doubles, double)):
        total = sum(w for _, w in stock)
        values += [vocabulary(n) for n, _ in stock]
        weights += [share * w / total for _, w in stock]
    return _categorical(values, weights)
