"""Document number rules, the tax code's check digit, licence terms and the document's life."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citizenid.documents.catalogue import (
    CATALOGUE,
    document_type,
    licence_classes,
    licence_expiry,
    tax_check_digit,
    tax_code,
    vehicle_plate,
)
from citizenid.documents.domain import Action, DocumentStatus, add, change, holds
from citizenid.documents.errors import DocumentConflict, DocumentInvalid

HOLDER = "001090000001"
TODAY = dt.date(2026, 11, 27)


def test_the_catalogue_seeds_the_common_vietnamese_documents() -> None:
    assert set(CATALOGUE) == {"health_insurance", "driving_licence", "social_insurance", "tax_code",
                              "vehicle_registration"}
    for kind in CATALOGUE.values():
        assert set(kind.shareable) <= set(kind.attributes)
        assert kind.name_vi
        assert kind.agency
    with pytest.raises(DocumentInvalid, match="unknown document type"):
        document_type("passport")


@pytest.mark.parametrize("code", ["0100109106", "0300588569"])  # published codes of two listed companies
def test_tax_check_digit_known_answers(code: str) -> None:
    assert tax_check_digit(code[:9]) == int(code[9])
    assert tax_code(code, HOLDER) == code


def test_tax_codes_that_fail() -> None:
    with pytest.raises(DocumentInvalid, match="check digit"):
        tax_code("0100109107", HOLDER)
    with pytest.raises(DocumentInvalid, match="holder's own"):
        tax_code("001090000002", HOLDER)
    assert tax_code(HOLDER, HOLDER) == HOLDER


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_a_tax_code_with_its_check_digit_always_passes(prefix: str) -> None:
    check = tax_check_digit(prefix)
    if check is None:
        for digit in range(10):
            with pytest.raises(DocumentInvalid):
                tax_code(prefix + str(digit), HOLDER)
    else:
        assert tax_code(prefix + str(check), HOLDER) == prefix + str(check)


@given(st.text(max_size=40))
def test_number_rules_accept_or_refuse_clearly(text: str) -> None:
    refusals: list[str] = []
    for kind in CATALOGUE.values():
        try:
            accepted = kind.normalise_number(text, HOLDER)
        except DocumentInvalid as exc:
            refusals.append(exc.detail)
        else:
            assert kind.normalise_number(accepted, HOLDER) == accepted  # normal forms are stable
    assert all(refusals)


def test_plates_and_health_insurance_codes() -> None:
    assert vehicle_plate("30a 123.45", HOLDER) == "30A-123.45"
    assert vehicle_plate("29B1-23456", HOLDER) == "29B1-234.56"
    assert vehicle_plate("51G-1234", HOLDER) == "51G-1234"
    with pytest.raises(DocumentInvalid, match="province code 05"):
        vehicle_plate("05A-123.45", HOLDER)
    kind = document_type("health_insurance")
    assert kind.normalise_number("dn 4 01 0123456789", HOLDER) == "DN4010123456789"
    with pytest.raises(DocumentInvalid):
        kind.normalise_number("DN6010123456789", HOLDER)  # benefit level 6 does not exist


def test_licence_classes_and_terms() -> None:
    assert licence_classes("b, a1 ,B") == ("A1", "B")
    with pytest.raises(DocumentInvalid):
        licence_classes("B2")  # the pre-2025 class names are not the law's any more
    issued = dt.date(2024, 2, 29)
    assert licence_expiry(("A1", "A"), issued) is None
    assert licence_expiry(("A1", "B"), issued) == dt.date(2034, 2, 28)
    assert licence_expiry(("B", "D"), issued) == dt.date(2029, 2, 28)


def test_a_licence_lives_and_is_verified_by_class() -> None:
    kind = document_type("driving_licence")
    licence = add(kind, HOLDER, "010203040506", {"classes": "B", "issued_on": "2020-05-01"}, agency="BCA",
                  today=TODAY)
    assert licence.valid_until == dt.date(2030, 5, 1)
    assert holds([licence], "driving_licence", TODAY, "B")
    assert not holds([licence], "driving_licence", TODAY, "C")
    assert not holds([licence], "driving_licence", dt.date(2030, 5, 2), "B")
    suspended = change(kind, licence, Action.SUSPEND, {}, today=TODAY)
    assert suspended.status is DocumentStatus.SUSPENDED
    assert suspended.version == 2
    assert not holds([suspended], "driving_licence", TODAY, "B")
    with pytest.raises(DocumentConflict):
        change(kind, suspended, Action.RENEW, {}, today=TODAY)
    revoked = change(kind, change(kind, suspended, Action.REINSTATE, {}, today=TODAY), Action.REVOKE, {},
                     today=TODAY)
    with pytest.raises(DocumentConflict, match="revoked"):
        change(kind, revoked, Action.REINSTATE, {}, today=TODAY)


def test_attributes_outside_the_type_are_refused() -> None:
    kind = document_type("health_insurance")
    with pytest.raises(DocumentInvalid, match="no attribute diagnosis"):
        add(kind, HOLDER, "0123456789", {"diagnosis": "x", "valid_until": "2027-01-01"}, agency="BHXH", today=TODAY)
    with pytest.raises(DocumentInvalid, match="needs valid_until"):
        add(kind, HOLDER, "0123456789", {"benefit_level": "4"}, agency="BHXH", today=TODAY)
    card = add(kind, HOLDER, "0123456789", {"benefit_level": "4", "registered_facility": "BV Bạch Mai",
                                            "valid_from": "2026-01-01", "valid_until": "2026-12-31"},
               agency="BHXH", today=TODAY)
    assert card.shared(kind, frozenset({"valid_until"})) == {"valid_until": "2026-12-31"}
    with pytest.raises(DocumentConflict, match="extend"):
        change(kind, card, Action.RENEW, {"valid_until": "2026-06-30"}, today=TODAY)
    renewed = change(kind, card, Action.RENEW, {"valid_until": "2027-12-31"}, today=TODAY)
    assert renewed.valid_until == dt.date(2027, 12, 31)
