"""Keyed permutations and the allocator that keeps synthetic numbers unique across blocks."""

from __future__ import annotations

import numpy as np
import pytest

from citizenid.synth.numbers import NumberAllocator, permute


@pytest.mark.parametrize("domain", [2, 10, 1000, 12_345])
def test_permute_is_a_bijection_of_the_domain(domain: int) -> None:
    values = np.arange(domain, dtype=np.int64)
    out = permute(values, np.uint64(42), domain)
    assert sorted(out.tolist()) == values.tolist()


def test_permute_depends_on_the_key() -> None:
    values = np.arange(1000, dtype=np.int64)
    assert not np.array_equal(permute(values, np.uint64(1), 10**6), permute(values, np.uint64(2), 10**6))


def test_allocator_numbers_stay_unique_across_calls() -> None:
    allocator = NumberAllocator(np.array([5, 6], dtype=np.uint64))
    numbers = []
    for _ in range(3):
        province = np.full(4000, 79, dtype=np.int64)
        male = np.arange(4000) % 2 == 0
        year = np.full(4000, 1990, dtype=np.int64)
        numbers.append(allocator.personal_numbers(province, male, year))
    joined = np.concatenate(numbers)
    assert np.unique(joined).size == joined.size
    text = [f"{n:012d}" for n in joined[:4]]
    assert text[0].startswith("079090")
    assert text[1].startswith("079190")
    old = np.concatenate([allocator.old_ids(5000), allocator.old_ids(5000)])
    assert np.unique(old).size == old.size
    assert old.max() < 10**9
