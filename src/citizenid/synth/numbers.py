"""Unique personal and old ID numbers for a population generated in pieces.

A number's random part must look random yet never repeat across the whole population, even when the
population streams out in batches that are never held together.  Drawing and then resampling
collisions would need every earlier number in memory; instead each (province, century/sex, year)
cell counts the people it has numbered so far and sends that count through a keyed pseudo-random
permutation of 0..999,999.  Distinct counts give distinct numbers by construction, the result is
as scattered as a draw, and it depends only on the seed and on the people before.  Old 9-digit ID
numbers work the same way over one counter for the whole population.

The permutation is a four-round Feistel network on bit strings, walked back into the range when it
lands past the end (cycle walking); its round keys come from the seeded generator.  It is a
shuffle, not cryptography: real numbers are allocated by the register from a cryptographic source
(:mod:`citizenid.registry`), synthetic ones must be reproducible.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
_U64 = npt.NDArray[np.uint64]

SERIALS_PER_CELL = 10**6
OLD_ID_SPACE = 10**9
_PROVINCE_CODES = 1000
_CELLS = _PROVINCE_CODES * 10 * 100
_FIRST_CENTURY = 1900
_ROUNDS = 4
_GOLDEN = 0x9E3779B97F4A7C15


def _mix(x: _U64) -> _U64:
    """SplitMix64's finaliser: a fast, well-spread 64-bit hash."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    result: _U64 = x ^ (x >> np.uint64(31))
    return result


def permute(values: IntArray, keys: _U64, domain: int) -> IntArray:
    """A bijection of ``0 .. domain-1`` chosen by ``keys`` (one key per value, or one for all)."""
    half = (max(int(domain - 1).bit_length(), 2) + 1) // 2
    mask = np.uint64((1 << half) - 1)
    shift = np.uint64(half)
    keys = np.broadcast_to(keys, values.shape)
    round_keys = [_mix(keys + np.uint64(_GOLDEN * (r + 1) % 2**64)) for r in range(_ROUNDS)]
    x = values.astype(np.uint64)
    pending = np.ones(x.shape, dtype=bool)
    while pending.any():
        left, right = x[pending] >> shift, x[pending] & mask
        for k in round_keys:
            left, right = right, left ^ (_mix(right ^ k[pending]) & mask)
        x[pending] = (left << shift) | right
        # Out of range: apply the permutation again; every cycle returns to the range.
        pending[pending] = x[pending] >= np.uint64(domain)
    return x.astype(np.int64)


class NumberAllocator:
    """Hands out personal numbers and old ID numbers, unique across everything it has numbered."""

    def __init__(self, keys: _U64) -> None:
        self._cell_key, self._old_id_key = keys[0], keys[1]
        self._numbered = np.zeros(_CELLS, dtype=np.int64)
        self._old_ids = 0

    def personal_numbers(self, province: IntArray, male: BoolArray, birth_year: IntArray) -> IntArray:
        """``PPP G YY RRRRRR`` as integers; ``province`` is the 3-digit PPP as an integer."""
        century_sex = 2 * ((birth_year - _FIRST_CENTURY) // 100) + np.where(male, 0, 1)
        cell = (province * 10 + century_sex) * 100 + birth_year % 100
        rank = self._numbered[cell] + _rank_within(cell)
        self._numbered += np.bincount(cell, minlength=_CELLS)
        if rank.size and int(rank.max()) >= SERIALS_PER_CELL:
            raise OverflowError("more than a million people share a province, sex and birth year")
        keys = _mix(cell.astype(np.uint64) ^ self._cell_key)
        serial = permute(rank, keys, SERIALS_PER_CELL)
        result: IntArray = cell * SERIALS_PER_CELL + serial
        return result

    def old_ids(self, count: int) -> IntArray:
        if self._old_ids + count > OLD_ID_SPACE:
            raise OverflowError("the 9-digit old ID space is exhausted")
        counter = np.arange(self._old_ids, self._old_ids + count, dtype=np.int64)
        self._old_ids += count
        return permute(counter, np.asarray(self._old_id_key, dtype=np.uint64), OLD_ID_SPACE)


def _rank_within(cell: IntArray) -> IntArray:
    """How many earlier elements share each element's cell."""
    order = np.argsort(cell, kind="stable")
    ordered = cell[order]
    positions = np.arange(cell.size, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if cell.size else positions
    group_start = np.repeat(starts, np.diff(np.r_[starts, cell.size]))
    rank = np.empty_like(positions)
    rank[order] = positions - group_start
    return rank
