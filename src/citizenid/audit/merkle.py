"""RFC 9162 (Certificate Transparency v2) Merkle tree hashing, inclusion and consistency proofs.  Pure.

leaf hash = SHA-256(0x00 ‖ entry), node hash = SHA-256(0x01 ‖ left ‖ right), and the empty tree's root is
SHA-256 of nothing.  Proof *generation* is written against a :class:`NodeSource`, so the same code serves
an in-memory tree (tests, offline tools) and the database, which keeps the hash of every complete
("perfect") subtree and so answers any proof with O(log n) stored hashes instead of rehashing the log.

A perfect subtree is named by ``(level, index)``: it covers leaves ``[index·2^level, (index+1)·2^level)``.
Every range the RFC's recursion produces is a run of perfect subtrees of decreasing size, so any MTH the
proofs need is a right fold of stored hashes (:func:`range_subtrees`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

# A node's key packs (level, index) into one integer that fits a signed 64-bit column: 2^48 leaves
# (~2.8·10^14) is far beyond any register's audit log, and one column keeps batched lookups simple.
_INDEX_BITS = 48


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two smaller than ``size`` (``size`` > 1): where RFC 9162 splits a tree."""
    return 1 << ((size - 1).bit_length() - 1)


@dataclass(frozen=True, slots=True, order=True)
class Subtree:
    """A perfect subtree: ``2**level`` leaves starting at ``index * 2**level``."""

    level: int
    index: int

    @property
    def key(self) -> int:
        return (self.level << _INDEX_BITS) | self.index

    @classmethod
    def from_key(cls, key: int) -> Subtree:
        return cls(key >> _INDEX_BITS, key & ((1 << _INDEX_BITS) - 1))

    @property
    def start(self) -> int:
        return self.index << self.level

    @property
    def end(self) -> int:
        return (self.index + 1) << self.level


def range_subtrees(start: int, end: int) -> list[Subtree]:
    """The perfect subtrees, largest first, whose right fold is MTH(D[start:end]).

    Only valid for ranges the RFC recursion produces (``start`` aligned to a power of two at least as big
    as the range's largest piece); anything else is a programming error.
    """
    pieces: list[Subtree] = []
    offset = start
    remaining = end - start
    while remaining:
        level = remaining.bit_length() - 1
        if offset & ((1 << level) - 1):
            raise ValueError(f"[{start}, {end}) is not a range of the RFC 9162 recursion")
        pieces.append(Subtree(level, offset >> level))
        offset += 1 << level
        remaining -= 1 << level
    return pieces


def fold_right(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from its perfect subtrees' hashes, largest first."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The ranges whose MTHs form PATH(index, D[0:size]), leaf side first (RFC 9162 §2.1.3.1)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    top_down: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            top_down.append((lo + k, hi))
            hi = lo + k
        else:
            top_down.append((lo, lo + k))
            lo += k
    return top_down[::-1]


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """The ranges whose MTHs form PROOF(first, D[0:second]) (RFC 9162 §2.1.4.1); empty for trivial cases."""
    if not 0 <= first <= second:
        raise ValueError(f"no consistency proof from {first} to {second}")
    if first in (0, second):
        return []
    top_down: list[tuple[int, int]] = []
    lo, hi, m, whole = 0, second, first, True
    while True:
        if m == hi - lo:
            if not whole:
                top_down.append((lo, hi))
            break
        k = _split(hi - lo)
        if m <= k:
            top_down.append((lo + k, hi))
            hi = lo + k
        else:
            top_down.append((lo, lo + k))
            lo += k
            m -= k
            whole = False
    return top_down[::-1]


class NodeSource(Protocol):
    """Hands out the hashes of perfect subtrees (level 0: leaf hashes)."""

    def subtree_hashes(self, subtrees: Iterable[Subtree]) -> Mapping[Subtree, bytes]: ...


def needed_subtrees(ranges: Iterable[tuple[int, int]]) -> set[Subtree]:
    return {s for start, end in ranges for s in range_subtrees(start, end)}


def hash_ranges(ranges: Sequence[tuple[int, int]], known: Mapping[Subtree, bytes]) -> list[bytes]:
    """MTH of each range from perfect-subtree hashes fetched beforehand (see :func:`needed_subtrees`)."""
    return [fold_right([known[s] for s in range_subtrees(start, end)]) for start, end in ranges]


def inclusion_proof(index: int, size: int, source: NodeSource) -> list[bytes]:
    ranges = inclusion_ranges(index, size)
    return hash_ranges(ranges, source.subtree_hashes(needed_subtrees(ranges)))


def consistency_proof(first: int, second: int, source: NodeSource) -> list[bytes]:
    ranges = consistency_ranges(first, second)
    return hash_ranges(ranges, source.subtree_hashes(needed_subtrees(ranges)))


def root_hash(size: int, source: NodeSource) -> bytes:
    if size == 0:
        return EMPTY_ROOT
    return hash_ranges([(0, size)], source.subtree_hashes(range_subtrees(0, size)))[0]


# -- verification (what anyone holding a checkpoint runs) ------------------------------------------


def _well_formed(*hashes: bytes) -> bool:
    return all(isinstance(h, bytes) and len(h) == HASH_SIZE for h in hashes)


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does ``proof`` put the leaf hash ``leaf`` at ``index`` of the tree ``root``?"""
    if not 0 <= index < size or not _well_formed(leaf, root, *proof):
        return False
    fn, sn, result = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    return sn == 0 and result == root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: is the tree ``second_root`` of ``second`` leaves an append-only extension of
    ``first_root`` of ``first`` leaves?"""
    if not 0 <= first <= second or not _well_formed(first_root, second_root, *proof):
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof and first_root == EMPTY_ROOT
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the old root is itself a node of the new tree
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


# -- building ----------------------------------------------------------------------------------------


class CompactRange:
    """The right edge of a growing tree: one perfect-subtree hash per set bit of its size.

    Appending a leaf merges equal-sized neighbours, like binary addition; each merge is a newly
    completed perfect subtree, reported to the caller so it can be stored.  The root is the right fold
    of the edge.  Memory is O(log n), so a whole log streams through it.
    """

    __slots__ = ("_edge", "size")

    def __init__(self, size: int = 0, edge: Sequence[bytes] = ()) -> None:
        if len(edge) != size.bit_count():
            raise ValueError(f"a tree of {size} leaves has {size.bit_count()} edge hashes, not {len(edge)}")
        self.size = size
        self._edge = list(edge)

    @staticmethod
    def edge_subtrees(size: int) -> list[Subtree]:
        """The perfect subtrees on the right edge of a tree of ``size`` leaves, largest first."""
        return range_subtrees(0, size)

    def append(self, leaf: bytes) -> list[tuple[Subtree, bytes]]:
        """Add a leaf hash; returns every perfect subtree it completed (the leaf itself first)."""
        index = self.size
        completed = [(Subtree(0, index), leaf)]
        current = leaf
        level = 0
        while (index >> level) & 1:
            current = node_hash(self._edge.pop(), current)
            level += 1
            completed.append((Subtree(level, index >> level), current))
        self._edge.append(current)
        self.size += 1
        return completed

    @property
    def edge(self) -> list[bytes]:
        return list(self._edge)

    def root(self) -> bytes:
        return fold_right(self._edge) if self._edge else EMPTY_ROOT


class MemoryTree:
    """A whole tree in memory: every perfect subtree's hash.  For tests, tools and benchmarks."""

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self._nodes: dict[Subtree, bytes] = {}
        self._range = CompactRange()
        for leaf in leaves:
            self.append(leaf)

    @property
    def size(self) -> int:
        return self._range.size

    def append(self, leaf: bytes) -> None:
        self._nodes.update(self._range.append(leaf))

    def subtree_hashes(self, subtrees: Iterable[Subtree]) -> dict[Subtree, bytes]:
        return {s: self._nodes[s] for s in subtrees}

    def root(self, size: int | None = None) -> bytes:
        return root_hash(self.size if size is None else size, self)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof(index, self.size if size is None else size, self)

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        return consistency_proof(first, self.size if second is None else second, self)
