"""Vietnam's reference data: administrative units of both schemes, ethnic groups, religions.

Administrative units come in two schemes (see :mod:`citizenid.refdata.domain`): the 63 legacy
provinces with their districts and communes, and the 34 current provinces with their communes, plus
the official conversion from the first to the second.  Tables load lazily from package data on first
use.  Unknown codes raise :class:`UnknownCode`.  Provenance: ``data/NOTICE.md``.
"""

from citizenid.refdata.domain import CodeEntry, Commune, District, Province, Scheme
from citizenid.refdata.errors import UnknownCode
from citizenid.refdata.loaders import (
    current_commune,
    current_communes,
    current_communes_for_legacy,
    current_communes_for_legacy_district,
    current_communes_in,
    current_province,
    current_province_for_legacy,
    current_provinces,
    ethnic_group,
    ethnic_groups,
    legacy_commune,
    legacy_communes,
    legacy_district,
    legacy_districts,
    legacy_province,
    legacy_provinces,
    province_by_number_code,
    province_population,
    religion,
    religions,
)
from citizenid.refdata.text import address_text, code_name
from citizenid.vntext import fold

__all__ = [
    "CodeEntry",
    "Commune",
    "District",
    "Province",
    "Scheme",
    "UnknownCode",
    "address_text",
    "code_name",
    "current_commune",
    "current_communes",
    "current_communes_for_legacy",
    "current_communes_for_legacy_district",
    "current_communes_in",
    "current_province",
    "current_province_for_legacy",
    "current_provinces",
    "ethnic_group",
    "ethnic_groups",
    "fold",
    "legacy_commune",
    "legacy_communes",
    "legacy_district",
    "legacy_districts",
    "legacy_province",
    "legacy_provinces",
    "province_by_number_code",
    "province_population",
    "religion",
    "religions",
]
