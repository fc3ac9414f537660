"""The reference entities: administrative units of both schemes and coded lists.

Two schemes of administrative units coexist.  ``legacy`` is the 63-province, three-level system in
force until 30 June 2025; ``current`` the 34-province, two-level system (no districts) in force since
1 July 2025.  Both use the General Statistics Office's codes: 2 digits for a province, 3 for a
district, 5 for a commune.  A code means nothing without its scheme: "82" is Tiền Giang in the legacy
scheme and Đồng Tháp in the current one, and commune codes overlap the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Scheme = Literal["legacy", "current"]


@dataclass(frozen=True, slots=True)
class Province:
    code: str
    """2-digit GSO code, e.g. ``"01"``."""
    name: str
    """Official name with its kind, e.g. ``"Thành phố Hà Nội"``."""
    short_name: str
    """Name without the kind, e.g. ``"Hà Nội"``."""
    scheme: Scheme

    @property
    def number_code(self) -> str:
        """The 3-digit prefix of personal identification numbers (Circular 07/2016/TT-BCA): ``"001"``."""
        return "0" + self.code


@dataclass(frozen=True, slots=True)
class District:
    """A district of the legacy scheme; the current scheme has none."""

    code: str
    name: str
    province_code: str


@dataclass(frozen=True, slots=True)
class Commune:
    """A commune-level unit: Xã, Phường, Thị trấn (legacy only) or Đặc khu (current only)."""

    code: str
    """5-digit GSO code, unique within its scheme."""
    name: str
    kind: str
    province_code: str
    district_code: str | None
    """The legacy district; ``None`` in the current scheme."""
    scheme: Scheme


@dataclass(frozen=True, slots=True)
class CodeEntry:
    """One entry of a coded list (ethnic groups, religions)."""

    code: str
    name: str
    variants: tuple[str, ...]
    """Other spellings and names met in records, for lookups; never shown instead of ``name``."""
    share: float
    """Approximate fraction of the population (2019 census), for weighting synthetic data."""
