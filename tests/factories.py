"""Test data with traits: valid raw person records whose numbers agree with their fields."""

from __future__ import annotations

import itertools
from typing import Any

from citizenid.registry.numbers import compose

_serial = itertools.count(1)

# Phường Ba Đình (Hà Nội) and Phường Sài Gòn (TP. Hồ Chí Minh) in the 34-province units.
HANOI_COMMUNE = "00004"
HCMC_COMMUNE = "26740"


def person_record(
    *,
    family: str = "Nguyễn",
    middle: str | None = "Văn",
    given: str = "An",
    sex: str = "M",
    birth_date: str = "1990-05-17",
    province3: str = "001",
    commune: str = HANOI_COMMUNE,
    **overrides: Any,
) -> dict[str, Any]:
    number = compose(province3, sex, int(birth_date[:4]), next(_serial)).value
    record: dict[str, Any] = {
        "personal_number": number,
        "family_name": family,
        "middle_name": middle,
        "given_name": given,
        "sex": sex,
        "birth_date": birth_date,
        "birth_registration_province": province3,
        "residence_commune": commune,
        "residence_detail": "Số 1 phố Điện Biên Phủ",
        "ethnicity": "01",
        "religion": "00",
        "nationality": "VNM",
    }
    record.update(overrides)
    return record
