"""The 1:N search index: faiss shards, each holding whole persons, searched in parallel and merged.

A shard is one faiss index over unit-length face templates (inner product = cosine):

- ``exact``: ``IndexFlatIP``, every template compared (tests, small registers, and the recall reference);
- ``hnsw``: ``IndexHNSWFlat`` (graph search, full vectors, ~0.8 KB a person);
- ``ivfpq``: ``IndexIVFPQ`` (coarse lists + product-quantised codes, 64 bytes a person by default);
- ``ivfsq8``: ``IndexIVFScalarQuantizer`` (coarse lists + one byte per dimension, 128 bytes a person);
  both trained on the first :meth:`FaissShard.rebuild`, exact over what they hold until then.

:class:`ShardedIndex` routes a person to ``shard_of(personal_number)``, so shards can live on several
machines (a remote shard implements the same :class:`SearchIndex` protocol over the network); a search
asks every shard for its best ``k`` and keeps the best ``k`` of all.  Additions are incremental; a rebuild
replaces a shard's content (after re-enrolments, or to retrain the compressed codes).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from citizenid.biometrics.domain import shard_of

IndexKind = Literal["exact", "hnsw", "ivfpq", "ivfsq8"]
INDEX_KINDS: tuple[IndexKind, ...] = ("exact", "hnsw", "ivfpq", "ivfsq8")


@dataclass(frozen=True, slots=True)
class EnrolmentKey:
    personal_number: str
    application_id: str


@dataclass(frozen=True, slots=True)
class Hit:
    key: EnrolmentKey
    score: float


class SearchIndex(Protocol):
    def add(self, keys: Sequence[EnrolmentKey], vectors: NDArray[np.float32]) -> None: ...

    def search(self, vectors: NDArray[np.float32], k: int) -> list[list[Hit]]: ...

    def rebuild(self, keys: Sequence[EnrolmentKey], vectors: NDArray[np.float32]) -> None: ...

    def __len__(self) -> int: ...


@dataclass(frozen=True, slots=True)
class IndexParameters:
    kind: IndexKind = "exact"
    hnsw_m: int = 32
    hnsw_ef_construction: int = 40
    hnsw_ef_search: int = 128
    # Sub-quantisers, i.e. bytes per template with 8-bit codes: 32 lost the true match for ~2 % of searches
    # on 1M synthetic templates (the codes' error, not the lists probed); 64 keeps recall at 0.999.
    pq_m: int = 64
    nprobe: int = 32
    min_train: int = 10_000  # fewer templates than this stay exact: too few to train the codes well
    max_train: int = 200_000  # the codes are trained on a random sample of at most this many templates


class FaissShard:
    """One shard.  Not safe for concurrent additions; searches may run while nothing is added."""

    def __init__(self, dimension: int, parameters: IndexParameters | None = None) -> None:
        self.dimension = dimension
        self.parameters = parameters or IndexParameters()
        self._keys: list[EnrolmentKey] = []
        self._position: dict[EnrolmentKey, int] = {}
        self._lock = threading.RLock()
        self._index: Any = self._empty(0)

    def _empty(self, expected: int) -> Any:
        import faiss  # noqa: PLC0415 - faiss loads OpenMP and BLAS: only where an index is built

        p, d = self.parameters, self.dimension
        if p.kind == "hnsw":
            # The graph is built on L2, which ranks unit vectors as the inner product does (|a-b|² = 2 - 2a·b)
            # and gives far better graphs than inner-product construction on templates crowded in a cone.
            graph = faiss.IndexHNSWFlat(d, p.hnsw_m, faiss.METRIC_L2)
            graph.hnsw.efConstruction = p.hnsw_ef_construction
            graph.hnsw.efSearch = p.hnsw_ef_search
            return graph
        if p.kind in ("ivfpq", "ivfsq8") and expected >= p.min_train:
            nlist = max(16, int(4 * math.sqrt(expected)))
            quantiser = faiss.IndexFlatIP(d)
            lists: Any
            if p.kind == "ivfpq":
                lists = faiss.IndexIVFPQ(quantiser, d, nlist, p.pq_m, 8, faiss.METRIC_INNER_PRODUCT)
            else:
                lists = faiss.IndexIVFScalarQuantizer(quantiser, d, nlist, faiss.ScalarQuantizer.QT_8bit,
                                                      faiss.METRIC_INNER_PRODUCT)
            lists.nprobe = p.nprobe
            return lists
        return faiss.IndexFlatIP(d)

    def __len__(self) -> int:
        return len(self._position)

    def memory_bytes(self) -> int:
        """The serialised size of the faiss index: what a person costs in RAM, keys aside."""
        import faiss  # noqa: PLC0415

        with self._lock:
            return int(faiss.serialize_index(self._index).size)

    def add(self, keys: Sequence[EnrolmentKey], vectors: NDArray[np.float32]) -> None:
        vectors = _checked(vectors, self.dimension, len(keys))
        with self._lock:
            if len(keys) == 0:
                return
            start = len(self._keys)
            self._index.add(vectors)
            for offset, key in enumerate(keys):
                # A re-enrolled key points at its newest template; the old one is skipped until a rebuild.
                self._position[key] = start + offset
            self._keys.extend(keys)

    def rebuild(self, keys: Sequence[EnrolmentKey], vectors: NDArray[np.float32]) -> None:
        vectors = _checked(vectors, self.dimension, len(keys))
        index = self._empty(len(keys))
        if not index.is_trained:
            sample = vectors
            if len(vectors) > self.parameters.max_train:
                rows = np.random.default_rng(0).choice(len(vectors), self.parameters.max_train, replace=False)
                sample = vectors[np.sort(rows)]
            index.train(sample)
        if len(keys):
            index.add(vectors)
        with self._lock:
            self._index = index
            self._keys = list(keys)
            self._position = {key: i for i, key in enumerate(self._keys)}

    def search(self, vectors: NDArray[np.float32], k: int) -> list[list[Hit]]:
        vectors = _checked(vectors, self.dimension, None)
        with self._lock:
            if not self._keys:
                return [[] for _ in range(vectors.shape[0])]
            # Ask for a few more than k: superseded templates are dropped below.
            want = min(k + (len(self._keys) - len(self._position)), len(self._keys))
            scores, ids = self._index.search(vectors, want)
            if self._index.metric_type == faiss_l2():
                scores = 1.0 - scores / 2.0
            keys, position = self._keys, self._position
        results = []
        for row_scores, row_ids in zip(scores, ids, strict=True):
            hits = []
            for score, i in zip(row_scores, row_ids, strict=True):
                if i < 0:
                    continue
                key = keys[i]
                if position.get(key) == i:
                    hits.append(Hit(key, float(score)))
            results.append(hits[:k])
        return results


class ShardedIndex:
    """Persons spread over shards by a hash of their personal number; searches fan out and merge."""

    def __init__(self, shards: Sequence[SearchIndex]) -> None:
        if not shards:
            raise ValueError("an index needs at least one shard")
        self.shards = list(shards)
        self._pool = ThreadPoolExecutor(max_workers=len(self.shards), thread_name_prefix="bio-shard") \
            if len(self.shards) > 1 else None

    @classmethod
    def local(cls, dimension: int, shards: int = 1, parameters: IndexParameters | None = None) -> ShardedIndex:
        return cls([FaissShard(dimension, parameters) for _ in range(shards)])

    def __len__(self) -> int:
        return sum(len(s) for s in self.shards)

    def _split(self, keys: Sequence[EnrolmentKey]) -> dict[int, list[int]]:
        groups: dict[int, list[int]] = {}
        for i, key in enumerate(keys):
            groups.setdefault(shard_of(key.personal_number, len(self.shards)), []).append(i)
        return groups

    def add(self, keys: Sequence[EnrolmentKey], vectors: NDArray[np.float32]) -> None:
        for shard, rows in self._split(keys).items():
            self.shards[shard].add([keys[i] for i in rows], vectors[rows])

    def rebuild(self, keys: Sequence[EnrolmentKey], vectors: NDArray[np.float32]) -> None:
        groups = self._split(keys)
        for number, shard in enumerate(self.shards):
            rows = groups.get(number, [])
            shard.rebuild([keys[i] for i in rows], vectors[rows] if rows else vectors[:0])

    def search(self, vectors: NDArray[np.float32], k: int) -> list[list[Hit]]:
        if self._pool is None:
            return self.shards[0].search(vectors, k)
        answers = list(self._pool.map(lambda shard: shard.search(vectors, k), self.shards))
        merged = []
        for per_query in zip(*answers, strict=True):
            hits = [hit for shard_hits in per_query for hit in shard_hits]
            hits.sort(key=lambda h: h.score, reverse=True)
            merged.append(hits[:k])
        return merged

    def memory_bytes(self) -> int:
        return sum(s.memory_bytes() for s in self.shards if isinstance(s, FaissShard))


def faiss_l2() -> int:
    import faiss  # noqa: PLC0415

    return int(faiss.METRIC_L2)


def _checked(vectors: NDArray[np.float32], dimension: int, rows: int | None) -> NDArray[np.float32]:
    array = np.ascontiguousarray(vectors, dtype=np.float32)
    if array.ndim != 2 or array.shape[1] != dimension:
        raise ValueError(f"templates must be an (n, {dimension}) array, not {array.shape}")
    if rows is not None and array.shape[0] != rows:
        raise ValueError(f"{rows} keys for {array.shape[0]} templates")
    return array
