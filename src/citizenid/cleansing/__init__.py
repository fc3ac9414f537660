"""Cleansing the legacy population records: normalise, validate, link, merge, measure (issue 3).

The pure first stages are exported here: :func:`normalise` turns a source record into a
:class:`NormalisedRecord` that keeps every original value and adds comparison keys; :func:`validate`
runs the quality rules (:data:`RULES`) over it; :func:`quality_share` and :func:`quality_by_province`
measure what share is clean.  Linkage with Splink is in :mod:`~citizenid.cleansing.link` (loaded on
use: it brings pandas and Splink), the stored pipeline in :mod:`~citizenid.cleansing.service`.
"""

from citizenid.cleansing.addresses import AddressReading, read_address, read_province
from citizenid.cleansing.dates import TWO_DIGIT_YEAR_PIVOT, DateReading, read_date
from citizenid.cleansing.errors import CleansingInvalid, UnknownRule
from citizenid.cleansing.normalise import (
    CodeReading,
    NameReading,
    NormalisedRecord,
    NumberReading,
    family_key,
    is_family_name,
    normalise,
    read_ethnicity,
    read_name,
    read_number,
    read_religion,
    read_sex,
)
from citizenid.cleansing.validate import (
    RULES,
    Issue,
    ProvinceQuality,
    Rule,
    is_clean,
    quality_by_province,
    quality_share,
    rule,
    validate,
)

__all__ = [
    "RULES",
    "TWO_DIGIT_YEAR_PIVOT",
    "AddressReading",
    "CleansingInvalid",
    "CodeReading",
    "DateReading",
    "Issue",
    "NameReading",
    "NormalisedRecord",
    "NumberReading",
    "ProvinceQuality",
    "Rule",
    "UnknownRule",
    "family_key",
    "is_clean",
    "is_family_name",
    "normalise",
    "quality_by_province",
    "quality_share",
    "read_address",
    "read_date",
    "read_ethnicity",
    "read_name",
    "read_number",
    "read_province",
    "read_religion",
    "read_sex",
    "rule",
    "validate",
]
