"""Cleansing the legacy population records: normalise and validate (link, merge and measure follow).

The pure first stages of the pipeline (issue 3).  :func:`normalise` turns a source record into a
:class:`NormalisedRecord` that keeps every original value and adds comparison keys; :func:`validate`
runs the quality rules (:data:`RULES`) over it; :func:`quality_share` and :func:`quality_by_province`
measure what share is clean.  No database, no I/O: ingest, storage and linkage wire these in later.
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
