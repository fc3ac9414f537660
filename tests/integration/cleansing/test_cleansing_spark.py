"""The same linkage code on Spark in local mode: same model shape, same people found on a tiny input."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from citizenid.cleansing.evaluate import pairwise
from citizenid.cleansing.features import feature_rows
from citizenid.cleansing.link import LinkageParameters, link, local_spark
from citizenid.synth.legacy import generate_legacy

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("spark"),
    pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java (17) on the PATH"),
]


def test_spark_links_like_duckdb() -> None:
    pytest.importorskip("pyspark.sql")
    data = generate_legacy(120, seed=9)
    records = []
    for spec in data.specs:
        for row in data.sources[spec.name].to_pylist():
            canon = {can: row[src] for src, can in spec.columns.items()}
            records.append((spec.name, str(canon.pop("record_id")), canon))
    truth = {f"{r['source']}/{r['record_id']}": r["person_id"] for r in data.truth.to_pylist()}
    frame = pd.DataFrame(feature_rows(records))
    parameters = LinkageParameters(u_max_pairs=2e4, u_chunks=1, em_max_iterations=4)
    spark = local_spark(cores=1, partitions=1)
    try:
        on_spark = link(frame, parameters, engine="spark", spark=spark)
    finally:
        spark.stop()
    on_duckdb = link(frame, parameters)
    spark_scores = pairwise(on_spark.cluster_of, truth)
    assert spark_scores.precision >= 0.99
    assert spark_scores.recall >= 0.9
    assert [c["output_column_name"] for c in on_spark.model["comparisons"]] == [
        c["output_column_name"] for c in on_duckdb.model["comparisons"]
    ]
    assert abs(spark_scores.f1 - pairwise(on_duckdb.cluster_of, truth).f1) < 0.05
