"""Survivorship: the fullest name, the most precise date, the majority, and the record each came from."""

from __future__ import annotations

import pytest

from citizenid.cleansing.normalise import normalise
from citizenid.cleansing.survivorship import SourceRecord, survive


def _rec(uid: str, **fields: str) -> SourceRecord:
    return SourceRecord(uid, normalise(fields))


def test_fullest_name_most_precise_date_majority_values() -> None:
    records = [
        _rec("a/1", full_name="NGUYEN VAN AN", birth_date="1990", sex="Nam", ethnicity="Kinh",
             residence="Ấp Cây Dương, Xã Thanh Bình, Tỉnh Đồng Tháp"),
        _rec("b/2", family_name="Nguyễn", middle_name="Văn", given_name="An", birth_date="1990-03-05", sex="M"),
        _rec("c/3", full_name="Nguyễn An", birth_date="05/03/1990", sex="Nam", ethnicity="01",
             residence="Ấp Cây Dương, TT Thanh Bình, H. Thanh Bình, T. Đồng Tháp"),
    ]
    chosen = survive(records)
    assert (chosen.details["family_name"], chosen.details["middle_name"], chosen.details["given_name"]) == (
        "Nguyễn", "Văn", "An")
    assert chosen.provenance["name"] == "b/2"
    assert chosen.details["birth_date"] == "1990-03-05"
    assert chosen.details["sex"] == "M"
    assert chosen.details["ethnicity"] == "01"
    assert chosen.details["residence_commune"] == "30130"
    assert chosen.details["residence_detail"] == "Ấp Cây Dương"
    assert chosen.provenance["residence"] in {"a/1", "c/3"}


def test_ties_go_to_the_smallest_record_id_whatever_the_order() -> None:
    one = _rec("x/2", full_name="Lê Thị Hoa", birth_date="01/02/1980", sex="Nữ")
    two = _rec("x/1", full_name="Lê Thị Hòa", birth_date="01/02/1980", sex="Nữ")
    assert survive([one, two]) == survive([two, one])
    assert survive([one, two]).provenance["name"] == "x/1"


def test_no_records_is_a_caller_error() -> None:
    with pytest.raises(ValueError, match="at least one"):
        survive([])
