"""Linkage quality against ground truth: pairwise and cluster-level precision, recall and F1.  Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float
    f1: float
    true_positives: int
    predicted: int
    actual: int

    def as_dict(self) -> dict[str, float | int]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                "true_positives": self.true_positives, "predicted": self.predicted, "actual": self.actual}


def _scores(tp: int, predicted: int, actual: int) -> Scores:
    precision = tp / predicted if predicted else 1.0
    recall = tp / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, tp, predicted, actual)


def _pairs(sizes: Counter[object]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes.values())


def pairwise(cluster_of: Mapping[str, str], truth: Mapping[str, str]) -> Scores:
    """Pairs of records put together by the clusters, against pairs of the same true person."""
    ids = [i for i in truth if i in cluster_of]
    predicted = _pairs(Counter(cluster_of[i] for i in ids))
    actual = _pairs(Counter(truth[i] for i in ids))
    tp = _pairs(Counter((cluster_of[i], truth[i]) for i in ids))
    return _scores(tp, predicted, actual)


def pairwise_edges(edges: list[tuple[str, str]], truth: Mapping[str, str]) -> Scores:
    """Precision of individual decided pairs (not their transitive closure); recall is left to clusters."""
    tp = sum(1 for a, b in edges if truth.get(a) is not None and truth.get(a) == truth.get(b))
    return _scores(tp, len(edges), len(edges))


def cluster_level(cluster_of: Mapping[str, str], truth: Mapping[str, str]) -> Scores:
    """Share of predicted clusters that are exactly a true person's records, and of persons found exactly."""
    ids = [i for i in truth if i in cluster_of]
    predicted: dict[str, set[str]] = {}
    actual: dict[str, set[str]] = {}
    for i in ids:
        predicted.setdefault(cluster_of[i], set()).add(i)
        actual.setdefault(truth[i], set()).add(i)
    exact = {frozenset(members) for members in actual.values()}
    tp = sum(1 for members in predicted.values() if frozenset(members) in exact)
    return _scores(tp, len(predicted), len(actual))
