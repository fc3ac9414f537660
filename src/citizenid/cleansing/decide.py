"""Decide each scored pair (merge, review, apart) and cluster the merges into persons.  Pure, no I/O.

Above the upper match weight a pair is merged automatically, between the thresholds it goes to a
supervisor's review queue, below it stays apart (docs/decisions/0043-linkage-thresholds.md).  A false
merge gives two people one identity, the worst error the register can make, so some evidence caps a
pair at review whatever its weight — the model's independence assumption cannot see that twins
agree on everything but the given name:

- the given names differ beyond a typing error (twins, siblings);
- both records carry a personal number and the numbers differ;
- both records give a sex and they differ;
- the birth dates are not even of the same year.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

Decision = Literal["merge", "review", "apart"]

# Splink numbers a comparison's levels from the last (0, "else") up; -1 is the null level.
GUARDS: dict[str, tuple[str, frozenset[int]]] = {
    "given_names_differ": ("gamma_giv", frozenset({0})),
    "numbers_differ": ("gamma_number", frozenset({0, 1})),
    "sexes_differ": ("gamma_sex", frozenset({0})),
    "birth_years_differ": ("gamma_dob", frozenset({0})),
}


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Match weights (log2 Bayes factors, prior included) that separate the three decisions."""

    upper: float = 10.0
    lower: float = 4.0

    def __post_init__(self) -> None:
        if self.lower > self.upper:
            raise ValueError(f"the lower threshold {self.lower} is above the upper one {self.upper}")


def guards_failed(row: dict[str, object]) -> list[str]:
    """Names of the guards that keep this pair from an automatic merge."""
    failed = []
    for name, (column, levels) in GUARDS.items():
        value = row.get(column)
        if value is not None and not pd.isna(value) and int(value) in levels:  # type: ignore[call-overload]
            failed.append(name)
    return failed


def decide(weight: float, guards: Sequence[str], thresholds: Thresholds) -> Decision:
    if weight >= thresholds.upper and not guards:
        return "merge"
    if weight >= thresholds.lower or (weight >= thresholds.upper and guards):
        return "review"
    return "apart"


def decide_pairs(pairs: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """``pairs`` with a ``decision`` and a ``guards`` column (comma-separated names)."""
    out = pairs.copy()
    blocked = pd.Series([""] * len(out), index=out.index, dtype=object)
    for name, (column, levels) in GUARDS.items():
        if column in out.columns:
            hit = out[column].isin(list(levels))
            blocked = blocked.where(~hit, blocked + "," + name)
    out["guards"] = blocked.str.lstrip(",")
    weight = out["match_weight"].astype(float)
    out["decision"] = "apart"
    out.loc[weight >= thresholds.lower, "decision"] = "review"
    out.loc[(weight >= thresholds.upper) & (out["guards"] == ""), "decision"] = "merge"
    return out


def clusters(ids: Iterable[str], edges: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Connected components: id -> the smallest id of its component (stable whatever the edge order)."""
    parent: dict[str, str] = {i: i for i in ids}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for left, right in edges:
        a, b = root(left), root(right)
        if a != b:
            if b < a:
                a, b = b, a
            parent[b] = a
    return {i: root(i) for i in parent}
