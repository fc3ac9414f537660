"""Linkage: comparison features, decisions and their guards, clusters, scores, and a small end-to-end run."""

from __future__ import annotations

import pandas as pd
import pytest

from citizenid.cleansing.decide import Thresholds, clusters, decide, decide_pairs, guards_failed
from citizenid.cleansing.errors import LinkageFailed
from citizenid.cleansing.evaluate import cluster_level, pairwise, pairwise_edges
from citizenid.cleansing.features import FEATURE_COLUMNS, feature_rows, features, ocr_key
from citizenid.cleansing.link import LinkageParameters, link, pair_evidence
from citizenid.cleansing.normalise import normalise
from citizenid.synth.legacy import generate_legacy


def _features(record: dict[str, str]) -> dict[str, str | None]:
    return features("s", "1", normalise(record))


def test_names_meet_whatever_diacritics_order_and_regional_spelling() -> None:
    a = _features({"full_name": "Huỳnh Văn Thuý", "birth_date": "05/03/1990"})
    b = _features({"full_name": "Thuy Van Hoang", "birth_date": "1990-03-05"})  # Western order, no diacritics
    c = _features({"family_name": "HOÀNG", "middle_name": "Văn", "given_name": "Thúy", "birth_date": "05031990"})
    assert a["fam"] == b["fam"] == c["fam"] == "hoang"
    assert a["giv"] == b["giv"] == c["giv"] == "thuy"
    assert a["mid"] == c["mid"] == "van"
    assert a["dob"] == b["dob"] == c["dob"] == "1990-03-05"


def test_dates_give_their_swapped_form_and_year() -> None:
    f = _features({"full_name": "Lê Thị Lan", "birth_date": "05/03/1990"})
    assert f["dob_swapped"] == "1990-05-03"
    assert f["dob_year"] == "1990"
    year_only = _features({"full_name": "Lê Thị Lan", "birth_date": "1990"})
    assert year_only["dob"] is None
    assert year_only["dob_year"] == "1990"
    same_day_month = _features({"full_name": "Lê Thị Lan", "birth_date": "03/03/1990"})
    assert same_day_month["dob_swapped"] is None


def test_addresses_compare_on_the_current_commune() -> None:
    legacy = _features({"full_name": "A B", "residence": "Ấp Cây Dương, TT Thanh Bình, H. Thanh Bình, T. Đồng Tháp"})
    current = _features({"full_name": "A B", "residence": "Ấp Cây Dương, Xã Thanh Bình, Tỉnh Đồng Tháp"})
    assert legacy["commune"] == current["commune"] == "30130"
    assert legacy["province"] == current["province"] == "82"
    assert legacy["detail"] == current["detail"] == "ap cay duong"


def test_ocr_key_collapses_scanner_confusions() -> None:
    assert ocr_key("horig") == ocr_key("hong")
    assert ocr_key("narn") == ocr_key("nam")
    assert ocr_key("hung") != ocr_key("hang")


def test_feature_rows_have_every_column() -> None:
    rows = feature_rows([("s", "1", {"full_name": "Nguyễn Văn An"})])
    assert tuple(rows[0]) == FEATURE_COLUMNS


@pytest.mark.parametrize(
    ("weight", "guards", "expected"),
    [(20.0, [], "merge"), (20.0, ["given_names_differ"], "review"), (8.0, [], "review"), (1.0, [], "apart")],
)
def test_decisions(weight: float, guards: list[str], expected: str) -> None:
    assert decide(weight, guards, Thresholds(12, 4)) == expected


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="lower threshold"):
        Thresholds(upper=3, lower=5)


def test_guards_cap_twins_and_different_numbers_at_review() -> None:
    pairs = pd.DataFrame({
        "unique_id_l": ["a", "b", "c", "d"], "unique_id_r": ["x", "y", "z", "w"],
        "match_weight": [30.0, 30.0, 30.0, 30.0],
        "gamma_giv": [0, 5, 5, 5], "gamma_number": [-1, 1, 2, -1], "gamma_sex": [1, 1, 1, 0], "gamma_dob": [5, 5, 5, 5],
    })
    decided = decide_pairs(pairs, Thresholds())
    assert decided["decision"].tolist() == ["review", "review", "merge", "review"]
    assert decided["guards"].tolist() == ["given_names_differ", "numbers_differ", "", "sexes_differ"]
    assert guards_failed({"gamma_giv": 0, "gamma_dob": 0}) == ["given_names_differ", "birth_years_differ"]


def test_clusters_are_connected_components_named_by_their_smallest_id() -> None:
    found = clusters(["a", "b", "c", "d", "e"], [("c", "b"), ("d", "c")])
    assert found == {"a": "a", "b": "b", "c": "b", "d": "b", "e": "e"}
    assert clusters(["a", "b", "c", "d", "e"], [("d", "c"), ("c", "b")]) == found


def test_scores_against_truth() -> None:
    truth = {"1": "p", "2": "p", "3": "p", "4": "q"}
    perfect = pairwise({"1": "a", "2": "a", "3": "a", "4": "b"}, truth)
    assert (perfect.precision, perfect.recall, perfect.f1) == (1.0, 1.0, 1.0)
    split = pairwise({"1": "a", "2": "a", "3": "c", "4": "b"}, truth)
    assert split.precision == 1.0
    assert split.recall == pytest.approx(1 / 3)
    wrong = pairwise({"1": "a", "2": "a", "3": "a", "4": "a"}, truth)
    assert wrong.precision == pytest.approx(0.5)
    assert cluster_level({"1": "a", "2": "a", "3": "c", "4": "b"}, truth).precision == pytest.approx(1 / 3)
    assert pairwise_edges([("1", "2"), ("1", "4")], truth).precision == 0.5


def test_duplicate_ids_and_unknown_engines_are_refused() -> None:
    frame = pd.DataFrame(feature_rows([("s", "1", {"full_name": "A B"}), ("s", "1", {"full_name": "A B"})]))
    with pytest.raises(LinkageFailed):
        link(frame)
    with pytest.raises(LinkageFailed):
        link(pd.DataFrame(feature_rows([("s", "1", {}), ("s", "2", {})])), engine="oracle")  # type: ignore[arg-type]


def test_end_to_end_on_noisy_sources_finds_the_people() -> None:
    data = generate_legacy(1500, seed=3)
    records = []
    for spec in data.specs:
        for row in data.sources[spec.name].to_pylist():
            canon = {can: row[src] for src, can in spec.columns.items()}
            records.append((spec.name, str(canon.pop("record_id")), canon))
    truth = {f"{r['source']}/{r['record_id']}": r["person_id"] for r in data.truth.to_pylist()}
    outcome = link(pd.DataFrame(feature_rows(records)), LinkageParameters(u_max_pairs=3e5))
    scores = pairwise(outcome.cluster_of, truth)
    assert scores.precision >= 0.995
    assert scores.recall >= 0.95
    merges = outcome.pairs[outcome.pairs["decision"] == "merge"]
    edges = list(zip(merges["unique_id_l"], merges["unique_id_r"], strict=True))
    assert pairwise_edges(edges, truth).precision >= 0.998
    assert {"gamma_giv", "mw_dob", "guards"} <= set(outcome.pairs.columns)
    assert outcome.model["comparisons"]
    evidence = pair_evidence(merges.iloc[0].to_dict())
    assert set(evidence) == {"giv", "fam", "mid", "dob", "address", "detail", "sex", "number"}
    assert evidence["giv"]["level"] is not None


def test_cli_refuses_unknown_engines_and_crossed_thresholds() -> None:
    from typer.testing import CliRunner  # noqa: PLC0415

    from citizenid.cli import app  # noqa: PLC0415

    runner = CliRunner()
    engine = runner.invoke(app, ["cleanse", "link", "--engine", "oracle"])
    assert isinstance(engine.exception, LinkageFailed)
    crossed = runner.invoke(app, ["cleanse", "link", "--upper", "1", "--lower", "5"])
    assert isinstance(crossed.exception, LinkageFailed)
