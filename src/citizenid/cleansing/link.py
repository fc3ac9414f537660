"""Link source records of the same person with Splink: DuckDB by default, Spark with ``engine="spark"``.

The model (docs/decisions/0041-linkage-model.md) compares the features of
:mod:`citizenid.cleansing.features`:

- names folded and in Vietnamese order; family names through their equivalence key (Hoàng = Huỳnh),
  given and family names exact with term-frequency adjustments (a shared "Nguyễn" says little, a
  shared "Khúc" a lot), then Jaro-Winkler levels for typing and OCR errors; a missing middle name is
  neutral (dropped middle names are common);
- birth dates exact, day and month swapped, the same year when one side knows only the year, one
  digit off, the same year;
- the current commune (legacy units mapped), then the same current province; the street detail;
- sex; the personal number, exact or one digit off.

Blocking never uses the family name alone; every rule pairs it with the given name or a full date.
m is estimated by expectation maximisation in two sessions (blocked on the birth date, then on the
family name, given name and commune), u by random sampling with a fixed seed, so the same input
gives the same model.  Pairs are then decided (:mod:`citizenid.cleansing.decide`) and clustered into persons.
"""

from __future__ import annotations

import logging
import math
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from citizenid.cleansing.decide import Thresholds, clusters, decide_pairs
from citizenid.cleansing.errors import LinkageFailed
from citizenid.cleansing.features import FEATURE_COLUMNS

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[Engine, ...] = ("duckdb", "spark")
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LinkageParameters:
    """Everything that decides a run's result besides its input (recorded with the run)."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    seed: int = 20250701
    u_max_pairs: float = 2e6
    em_sample: float = 1.0
    """``record_sample_proportion`` of each EM session."""
    prior_recall: float = 0.7
    """Assumed recall of the deterministic rule that estimates the prior match probability."""
    em_max_iterations: int = 25
    u_chunks: int = 10
    duckdb_memory_limit: str | None = None
    """DuckDB spills to disk above this (e.g. "5GB"); None: DuckDB's default, 80 % of the machine."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "upper_match_weight": self.thresholds.upper,
            "lower_match_weight": self.thresholds.lower,
            "seed": self.seed,
            "u_max_pairs": self.u_max_pairs,
            "em_sample": self.em_sample,
            "prior_recall": self.prior_recall,
            "em_max_iterations": self.em_max_iterations,
            "u_chunks": self.u_chunks,
        }


@dataclass(frozen=True)
class LinkOutcome:
    pairs: pd.DataFrame
    """Scored pairs above the lower threshold: ``unique_id_l``, ``unique_id_r``, ``match_weight``,
    ``match_probability``, every ``gamma_`` and ``bf_`` column, and ``decision``."""
    cluster_of: dict[str, str]
    """unique_id -> cluster id (the smallest unique_id of its cluster) over automatic merges."""
    model: dict[str, Any]
    """The trained Splink model (settings with m and u), JSON-serialisable."""


# -- the model ---------------------------------------------------------------------------------------


def settings(engine: Engine = "duckdb", *, max_iterations: int = 25) -> Any:
    """citizenid's Splink settings (untrained)."""
    import splink.comparison_level_library as cll  # noqa: PLC0415 - Splink loads in a second: on use
    import splink.comparison_library as cl  # noqa: PLC0415
    from splink import SettingsCreator, block_on  # noqa: PLC0415

    del engine  # the same settings on every engine: the levels are dialect-aware
    comparisons: list[Any] = [
        cl.CustomComparison(
            output_column_name="giv",
            comparison_levels=[
                cll.NullLevel("giv"),
                cll.ExactMatchLevel("giv", term_frequency_adjustments=True),
                cll.CustomLevel("giv_l = fam_r AND fam_l = giv_r", "family and given name swapped"),
                cll.DamerauLevenshteinLevel("giv", 1),
                cll.ExactMatchLevel("giv_ocr").configure(label_for_charts="same after OCR confusions"),
                cll.JaroWinklerLevel("giv", 0.9),
                cll.ElseLevel(),
            ],
            comparison_description="given name, folded",
        ),
        cl.CustomComparison(
            output_column_name="fam",
            comparison_levels=[
                cll.NullLevel("fam"),
                cll.ExactMatchLevel("fam", term_frequency_adjustments=True),
                cll.CustomLevel("giv_l = fam_r AND fam_l = giv_r", "family and given name swapped"),
                cll.JaroWinklerLevel("fam", 0.88),
                cll.ElseLevel(),
            ],
            comparison_description="family name, folded, regional spellings as one",
        ),
        cl.CustomComparison(
            output_column_name="mid",
            comparison_levels=[
                cll.NullLevel("mid"),
                cll.ExactMatchLevel("mid"),
                cll.JaroWinklerLevel("mid", 0.88),
                cll.ElseLevel(),
            ],
            comparison_description="middle name, folded; missing on one side is neutral",
        ),
        cl.CustomComparison(
            output_column_name="dob",
            comparison_levels=[
                cll.NullLevel("dob_year"),
                cll.ExactMatchLevel("dob"),
                cll.CustomLevel("dob_l = dob_swapped_r", "day and month swapped"),
                cll.CustomLevel("(dob_l IS NULL OR dob_r IS NULL) AND dob_year_l = dob_year_r",
                                "same year, one side knows only the year"),
                cll.LevenshteinLevel("dob", 1),
                cll.ExactMatchLevel("dob_year"),
                cll.ElseLevel(),
            ],
            comparison_description="birth date",
        ),
        cl.CustomComparison(
            output_column_name="address",
            comparison_levels=[
                cll.NullLevel("province"),
                cll.ExactMatchLevel("commune"),
                cll.ExactMatchLevel("province"),
                cll.ElseLevel(),
            ],
            comparison_description="current commune, then current province",
        ),
        cl.CustomComparison(
            output_column_name="detail",
            comparison_levels=[
                cll.NullLevel("detail"),
                cll.ExactMatchLevel("detail"),
                cll.JaroWinklerLevel("detail", 0.9),
                cll.ElseLevel(),
            ],
            comparison_description="street detail, folded",
        ),
        cl.ExactMatch("sex"),
        cl.CustomComparison(
            output_column_name="number",
            comparison_levels=[
                cll.NullLevel("number"),
                cll.ExactMatchLevel("number"),
                cll.LevenshteinLevel("number", 1),
                cll.ElseLevel(),
            ],
            comparison_description="personal number",
        ),
    ]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=BLOCKING_RULES(block_on),
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        max_iterations=max_iterations,
    )


def BLOCKING_RULES(block_on: Any) -> list[Any]:  # noqa: N802 - a constant list, built where Splink is loaded
    """Never the family name alone: common names ("Nguyễn", a third of the country) would explode."""
    return [
        block_on("fam", "giv", "dob_year"),
        block_on("giv", "dob"),
        block_on("fam", "dob"),
        block_on("giv", "mid", "commune"),
        block_on("dob", "commune"),
        block_on("number"),
        # A name recorded in the other order where both ends are family names ("Trịnh Tuấn Thái").
        "l.giv = r.fam AND l.fam = r.giv AND l.dob_year = r.dob_year",
    ]


def _db_api(engine: Engine, spark: Any = None, memory_limit: str | None = None) -> Any:
    if engine == "duckdb":
        import duckdb  # noqa: PLC0415
        from splink import DuckDBAPI  # noqa: PLC0415

        connection = duckdb.connect()
        # Spills go to the system's temporary directory, not to a '.tmp' in whatever directory we run from.
        spill = Path(tempfile.gettempdir()) / "citizenid-duckdb"
        connection.execute(f"SET temp_directory = '{spill.as_posix()}'")
        if memory_limit:
            connection.execute(f"SET memory_limit = '{memory_limit}'")
            connection.execute("SET preserve_insertion_order = false")
        return DuckDBAPI(connection)
    if engine == "spark":
        from splink import SparkAPI  # noqa: PLC0415

        if spark is None:
            spark = local_spark()
        partitions = int(spark.conf.get("spark.sql.shuffle.partitions"))
        return SparkAPI(  # type: ignore[no-untyped-call]
            spark_session=spark, break_lineage_method="persist", num_partitions_on_repartition=partitions
        )
    raise LinkageFailed(f"no linkage engine '{engine}': choose one of {', '.join(ENGINES)}")


def local_spark(cores: int = 2, partitions: int = 4) -> Any:
    """A local Spark session with Splink's similarity functions (Jaro-Winkler, Damerau-Levenshtein) on
    its class path; on a cluster, give ``link`` the cluster's session, started with the same jar."""
    try:
        from pyspark.sql import SparkSession  # noqa: PLC0415
        from splink.backends.spark import similarity_jar_location  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - pyspark is a declared dependency
        raise LinkageFailed("pyspark is not installed") from exc
    return (
        SparkSession.builder.master(f"local[{cores}]")
        .config("spark.jars", similarity_jar_location())
        .appName("citizenid-cleanse")
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.default.parallelism", str(partitions))
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )


def link(
    features: pd.DataFrame,
    parameters: LinkageParameters | None = None,
    *,
    engine: Engine = "duckdb",
    spark: Any = None,
) -> LinkOutcome:
    """Train the model on ``features``, score the blocked pairs, decide them and cluster into persons."""
    parameters = parameters or LinkageParameters()
    frame = features.loc[:, list(FEATURE_COLUMNS)].sort_values("unique_id", kind="stable").reset_index(drop=True)
    if frame["unique_id"].duplicated().any():
        raise LinkageFailed("two source records share one id: ids are source/record_id and must be unique")
    if len(frame) < 2:
        return LinkOutcome(_empty_pairs(), {uid: uid for uid in frame["unique_id"]}, {})
    from splink import Linker, block_on  # noqa: PLC0415

    db_api = _db_api(engine, spark, parameters.duckdb_memory_limit)
    table = db_api.register(frame if engine == "duckdb" else db_api.spark.createDataFrame(frame.astype(object)))
    linker = Linker(table, settings(engine, max_iterations=parameters.em_max_iterations), log_level=logging.WARNING)
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on("fam", "giv", "dob"), block_on("number")], recall=parameters.prior_recall
    )
    training.estimate_u_using_random_sampling(
        max_pairs=parameters.u_max_pairs, seed=parameters.seed, num_chunks=parameters.u_chunks
    )
    # Two sessions, each estimating what the other's blocking rule fixes; neither blocks on a name
    # alone, which would pair every "Nguyễn … Anh" with every other (millions of pairs at scale).
    for rule in (block_on("dob"), block_on("fam", "giv", "commune")):
        try:
            training.estimate_parameters_using_expectation_maximisation(
                rule, record_sample_proportion=parameters.em_sample
            )
        except Exception as exc:  # noqa: BLE001 - Splink raises bare errors when a session finds too few pairs
            _log.warning("EM session %s skipped: %s", rule, exc)
    predictions = linker.inference.predict(threshold_match_weight=parameters.thresholds.lower)
    pairs = predictions.as_pandas_dataframe()  # type: ignore[no-untyped-call]
    model = linker.misc.save_model_to_json()
    pairs = decide_pairs(pairs, parameters.thresholds)
    pairs = pairs.sort_values(["unique_id_l", "unique_id_r"], kind="stable").reset_index(drop=True)
    automatic = pairs.loc[pairs["decision"] == "merge", ["unique_id_l", "unique_id_r"]].itertuples(index=False)
    return LinkOutcome(pairs, clusters(frame["unique_id"].tolist(), automatic), model)


def _empty_pairs() -> pd.DataFrame:
    return pd.DataFrame(columns=["unique_id_l", "unique_id_r", "match_weight", "match_probability", "decision"])


EVIDENCE_COMPARISONS = ("giv", "fam", "mid", "dob", "address", "detail", "sex", "number")


def pair_evidence(row: Mapping[str, Any], comparisons: Sequence[str] = EVIDENCE_COMPARISONS) -> dict[str, Any]:
    """What each comparison found for one pair: its level, the values on each side, and its match weight
    (term-frequency adjustment included) — what a supervisor reads beside the two records."""
    evidence: dict[str, Any] = {}
    for name in comparisons:
        gamma = row.get(f"gamma_{name}")
        weight = _number(row.get(f"mw_{name}"))
        adjustment = _number(row.get(f"mw_tf_adj_{name}"))
        evidence[name] = {
            "level": None if gamma is None or pd.isna(gamma) else int(gamma),
            "weight": None if weight is None else round(weight + (adjustment or 0.0), 3),
        }
    return evidence


def _number(value: object) -> float | None:
    if value is None or isinstance(value, str):
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number
