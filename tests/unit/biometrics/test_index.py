from __future__ import annotations

import numpy as np
import pytest

from citizenid.biometrics.index import EnrolmentKey, FaissShard, IndexParameters, ShardedIndex


def cloud(n: int, d: int = 32, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def keys(n: int) -> list[EnrolmentKey]:
    return [EnrolmentKey(f"{i:012d}", f"A{i}") for i in range(n)]


def near(x: np.ndarray, noise: float = 0.05, seed: int = 1) -> np.ndarray:
    y = x + np.random.default_rng(seed).normal(scale=noise, size=x.shape).astype(np.float32)
    return y / np.linalg.norm(y, axis=1, keepdims=True)


def test_exact_search_finds_the_true_match() -> None:
    x = cloud(500)
    index = ShardedIndex.local(32)
    index.add(keys(500), x)
    hits = index.search(near(x[:20]), 3)
    assert [h[0].key.application_id for h in hits] == [f"A{i}" for i in range(20)]
    assert all(h[0].score > h[1].score for h in hits)
    assert len(index) == 500


def test_shards_fan_out_and_merge_to_the_single_index_answer() -> None:
    x = cloud(600)
    single, sharded = ShardedIndex.local(32), ShardedIndex.local(32, shards=4)
    single.add(keys(600), x)
    sharded.add(keys(600), x)
    assert all(len(s) > 100 for s in sharded.shards)  # persons spread over every shard
    q = near(x[:30], noise=0.3)
    for a, b in zip(single.search(q, 5), sharded.search(q, 5), strict=True):
        assert [h.key for h in a] == [h.key for h in b]
        assert [h.score for h in a] == pytest.approx([h.score for h in b], abs=1e-5)


def test_re_enrolment_supersedes_and_rebuild_compacts() -> None:
    x = cloud(50)
    shard = FaissShard(32)
    shard.add(keys(50), x)
    shard.add([EnrolmentKey("000000000003", "A3")], x[10:11])
    assert len(shard) == 50
    (hits,) = shard.search(x[3:4], 50)
    assert EnrolmentKey("000000000003", "A3") not in [h.key for h in hits[:1]]
    assert len({h.key for h in hits}) == len(hits)  # the superseded template never comes back
    (top,) = shard.search(x[10:11], 2)
    assert {h.key.application_id for h in top} == {"A10", "A3"}
    shard.rebuild(keys(10), x[:10])
    assert len(shard) == 10
    assert shard.search(x[3:4], 1)[0][0].key.application_id == "A3"


@pytest.mark.parametrize("kind", ["hnsw", "ivfpq", "ivfsq8"])
def test_compressed_indexes_recall_the_true_match(kind: str) -> None:
    x = cloud(2000, d=32, seed=2)
    index = ShardedIndex.local(32, shards=2, parameters=IndexParameters(kind=kind, min_train=500, pq_m=8))
    index.rebuild(keys(2000), x)
    hits = index.search(near(x[:200], noise=0.02), 1)
    recall = np.mean([h[0].key.application_id == f"A{i}" for i, h in enumerate(hits)])
    assert recall >= 0.97
    index.add([EnrolmentKey("999999999999", "NEW")], cloud(1, d=32, seed=9))  # incremental after training
    assert index.search(cloud(1, d=32, seed=9), 1)[0][0].key.application_id == "NEW"
    assert index.memory_bytes() > 0


def test_bad_shapes_are_refused() -> None:
    shard = FaissShard(32)
    with pytest.raises(ValueError, match="32"):
        shard.add(keys(2), cloud(2, d=16))
    with pytest.raises(ValueError, match="keys"):
        shard.add(keys(3), cloud(2))
    assert shard.search(cloud(2), 3) == [[], []]
