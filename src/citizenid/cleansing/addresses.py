"""Free-text addresses parsed into administrative units and mapped from the legacy scheme to the current.

Legacy records write an address as one string, most specific part first, with or without diacritics
and with the clerks' abbreviations: "Số 12 ngõ 34 phố Đội Cấn, P. Đội Cấn, Q. Ba Đình, TP Hà Nội",
"xa Dong Hoi huyen Dong Anh Ha Noi".  The parser reads it from the right (province, district,
commune) because the right end is the most regular part; whatever is left on the left is the street
detail, kept as written.  Names are compared on folded keys ("Đông Hội" = "dong hoi"); where a folded
key names several units, the spelling with diacritics and the unit kind (Xã / Phường) decide, and if
they cannot, the address is left unresolved with its candidates rather than guessed.

A commune that the legacy scheme does not know in the named district is looked up among the current
communes of the province: records written since July 2025 mix new wards with old district names.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from citizenid.cleansing.units import (
    Unit,
    bare_tone_key,
    current_communes_by_key,
    current_province_of,
    districts_by_key,
    fold_char,
    folded_text,
    legacy_communes_by_key,
    province_pair,
    provinces_by_key,
    unit_key,
    unit_kind,
)
from citizenid.refdata import (
    Commune,
    District,
    Province,
    current_communes_for_legacy,
    current_province_for_legacy,
)
from citizenid.vntext import fold, nfc, tone_key

Level = Literal["province", "city", "district", "commune"]
"""What a segment's prefix says it is; "city" (Thành phố / TP) is a province or a district."""

# Order matters: longer prefixes first, and "t." only after "tp", "tx", "tt".
_PREFIX_TEXT: tuple[tuple[str, Level, bool, str], ...] = (
    # (pattern on folded text, level, whether the prefix is a whole word, the unit kind it names)
    (r"^thanh pho\b", "city", True, "Thành phố"),
    (r"^(t\.\s*p\b\.?|tp\b\.?|tp(?=[a-z0-9]))", "city", False, "Thành phố"),
    (r"^thi xa\b", "district", True, "Thị xã"),
    (r"^(tx\b\.?|tx(?=[0-9]))", "district", False, "Thị xã"),
    (r"^thi tran\b", "commune", True, "Thị trấn"),
    (r"^(tt\b\.?)", "commune", False, "Thị trấn"),
    (r"^tinh\b", "province", True, "Tỉnh"),
    (r"^(t\.)", "province", False, "Tỉnh"),
    (r"^quan\b", "district", True, "Quận"),
    (r"^(q\b\.?|q(?=[0-9]))", "district", False, "Quận"),
    (r"^huyen\b", "district", True, "Huyện"),
    (r"^(h\b\.?)", "district", False, "Huyện"),
    (r"^phuong\b", "commune", True, "Phường"),
    (r"^(p\b\.?|p(?=[0-9]))", "commune", False, "Phường"),
    (r"^xa\b", "commune", True, "Xã"),
    (r"^(x\b\.?)", "commune", False, "Xã"),
    (r"^dac khu\b", "commune", True, "Đặc khu"),
)
_PREFIXES = tuple((re.compile(pattern), level, is_word, kind) for pattern, level, is_word, kind in _PREFIX_TEXT)
# Where an address written without commas is cut into segments: before a unit word or abbreviation.
_CUT = re.compile(r"\s(?=(thanh pho|thi xa|thi tran|tinh|quan|huyen|phuong|xa|dac khu|tp|tx|tt)\b|(p|q|x|h|t)\.)")
_COUNTRY = {"viet nam", "vietnam", "vn", "vnm"}


@dataclass(frozen=True, slots=True)
class AddressReading:
    """What an address says, unit by unit; codes are GSO codes of the scheme each field names."""

    original: str | None
    detail: str | None
    """The street part left of the units (house, alley, hamlet), NFC, as written."""
    legacy_province: str | None
    legacy_district: str | None
    legacy_commune: str | None
    current_province: str | None
    current_commune: str | None
    """The legacy commune's default successor, or the current commune the address names itself."""
    successors: tuple[str, ...]
    """Every current commune the legacy commune became, the default first; one entry unless split."""
    scheme: Literal["legacy", "current"] | None
    """Which scheme the commune was found in; ``None`` when no commune was."""
    unresolved: tuple[str, ...]

    @property
    def split(self) -> bool:
        """The legacy commune was divided between several current communes."""
        return len(self.successors) > 1

    @property
    def resolved(self) -> bool:
        return self.current_commune is not None


# -- parsing -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Segment:
    text: str
    """NFC, as written."""
    level: Level | None
    kind: str | None
    """The unit kind the prefix names ("Xã", "Huyện"), ``None`` without a prefix."""
    names: tuple[str, ...]
    """Keys to try: the name after the prefix, then the whole segment when the prefix was a word
    that can also open a name ("Phương Mai" folds to the prefix "phuong")."""


@lru_cache(maxsize=200_000)
def _segment(text: str) -> _Segment:
    # A pure function of the text (a frozen value); unit segments ("Huyện Đông Anh") repeat a lot.
    folded = folded_text(text)
    for pattern, level, is_word, kind in _PREFIXES:
        match = pattern.match(folded)
        if match:
            rest = unit_key(folded[match.end() :])
            if not rest:
                continue
            names = (rest, unit_key(folded)) if is_word else (rest,)
            return _Segment(text, level, kind, names)
    return _Segment(text, None, None, (unit_key(folded),))


def _segments(text: str) -> list[_Segment]:
    parts = [p.strip() for p in re.split(r"[,;\n]+", text) if p.strip()]
    if len(parts) == 1:
        parts = _cut_at_unit_words(parts[0])
    return [_segment(p) for p in parts]


def _cut_at_unit_words(text: str) -> list[str]:
    """Segments of an address written without commas, cut before each unit word."""
    folded_chars: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        for out in fold_char(ch):
            folded_chars.append(out)
            origin.append(index)
    folded = "".join(folded_chars)
    cuts = [origin[m.start()] for m in _CUT.finditer(folded)]
    bounds = [0, *cuts, len(text)]
    return [text[a:b].strip() for a, b in itertools.pairwise(bounds) if text[a:b].strip()]


def _pick(candidates: Sequence[Unit], segment: _Segment) -> tuple[Unit | None, int]:
    """The one candidate the unit kind and the diacritics single out, else ``None`` and how many remain."""
    pool = list(candidates)
    if len(pool) > 1 and segment.kind is not None:
        pool = [c for c in pool if unit_kind(c) == segment.kind] or pool
    if len(pool) > 1:
        pool = _same_spelling(pool, segment) or pool
    return (pool[0], 0) if len(pool) == 1 else (None, len(pool))


def _same_spelling(pool: list[Unit], segment: _Segment) -> list[Unit]:
    """Candidates spelled as written, when the writer used diacritics at all.

    "sa pa" typed without diacritics says nothing about "Sa Pa" versus "Sả Pả"; "Phường Sa Pa" does.
    """
    written = tone_key(segment.text)
    if written == fold(written):
        return []
    words = written.split()
    return [unit for unit in pool if " ".join(words[-len(bare_tone_key(unit).split()) :]) == bare_tone_key(unit)]


def _find(index: dict[str, list[Unit]] | None, segment: _Segment) -> list[Unit]:
    if not index:
        return []
    for name in segment.names:
        found = index.get(name)
        if found:
            return found
    return []


def read_address(text: str | None) -> AddressReading:
    """Read a free-text address; never raises on messy text, says what it could not resolve."""
    if text is None or not nfc(text):
        return AddressReading(text, None, None, None, None, None, None, (), None, ())
    segments = [s for s in _segments(nfc(text)) if s.names[-1] not in _COUNTRY]
    unresolved: list[str] = []
    legacy, current = _take_province(segments)
    district, districts_in_doubt = _take_district(segments, legacy)
    if district is not None and legacy is None:
        legacy, current = province_pair(district.province_code)
    if legacy is None:
        unresolved.append("province: not named or not known")
    if districts_in_doubt:
        unresolved.append(f"district: {segments[-1].text!r} names {districts_in_doubt} districts")
    commune: Commune | None = None
    doubt = 0
    scheme: Literal["legacy", "current"] | None = None
    if segments and segments[-1].level in (None, "commune"):
        commune, scheme, doubt = _find_commune(segments[-1], legacy, current, district)
        if commune is not None:
            segments.pop()
        elif doubt:
            unresolved.append(f"commune: {segments[-1].text!r} names {doubt} communes")
    if commune is None and not doubt:
        unresolved.append("commune: not named or not known")
    return _reading(text, segments, legacy, current, district, commune, scheme, unresolved)


def _take_province(segments: list[_Segment]) -> tuple[Province | None, Province | None]:
    """The province the last segment (or the last words of it) names, removed from ``segments``."""
    if not segments:
        return None, None
    found = _find_province(segments[-1]) if segments[-1].level in (None, "province", "city") else None
    if found is not None:
        segments.pop()
        return found
    # Without commas the province has no prefix of its own: "huyen Dong Anh Ha Noi".
    tail = _province_at_end(segments[-1])
    if tail is None:
        return None, None
    found, head = tail
    segments[-1] = head
    return found


def _take_district(segments: list[_Segment], legacy: Province | None) -> tuple[District | None, int]:
    if not segments or segments[-1].level not in (None, "district", "city"):
        return None, 0
    scope = districts_by_key().get(legacy.code if legacy else "")
    district, doubt = _pick(_find(scope, segments[-1]), segments[-1])
    if district is not None:
        segments.pop()
    return district, doubt


def _find_province(segment: _Segment) -> tuple[Province, Province | None] | None:
    index = provinces_by_key()
    for name in segment.names:
        if name in index:
            return index[name]
    return None


def _province_at_end(segment: _Segment) -> tuple[tuple[Province, Province | None], _Segment] | None:
    """A province named by the last words of a segment that has no comma before it ("... Dong Anh Ha Noi")."""
    words = segment.text.split()
    for count in range(min(4, len(words) - 1), 0, -1):
        found = _find_province(_segment(" ".join(words[-count:])))
        if found is not None:
            return found, _segment(" ".join(words[:-count]))
    return None


def _find_commune(
    segment: _Segment, legacy: Province | None, current: Province | None, district: District | None
) -> tuple[Commune | None, Literal["legacy", "current"] | None, int]:
    scope = district.code if district else ("p" + legacy.code if legacy else None)
    found: Commune | None = None
    if scope is not None:
        found, doubt = _pick(_find(legacy_communes_by_key().get(scope), segment), segment)
        if found is not None and (segment.kind in (None, found.kind)):
            return found, "legacy", 0
        if doubt:
            # Several legacy communes fit: a current commune of the same name would be a guess.
            return None, None, doubt
    target = current
    if target is None and legacy is not None:
        target = current_province_for_legacy(legacy.code)
    if target is not None:
        now, more = _pick(_find(current_communes_by_key().get(target.code), segment), segment)
        # A legacy "Xã Thanh Xuân" yields to a current "Phường Thanh Xuân" when the record says Phường.
        if now is not None and (found is None or now.kind == segment.kind):
            return now, "current", 0
        if found is None:
            return None, None, more
    return (found, "legacy", 0) if found is not None else (None, None, 0)


def _reading(
    text: str,
    rest: list[_Segment],
    legacy: Province | None,
    current: Province | None,
    district: District | None,
    commune: Commune | None,
    scheme: Literal["legacy", "current"] | None,
    unresolved: list[str],
) -> AddressReading:
    successors: tuple[str, ...] = ()
    current_code: str | None = None
    current_province_code = current_province_for_legacy(legacy.code).code if legacy else None
    if commune is not None and scheme == "legacy":
        successors = tuple(c.code for c in current_communes_for_legacy(commune.code))
        current_code = successors[0]
        current_province_code = current_province_of(current_code)
    elif commune is not None:
        current_code = commune.code
        current_province_code = commune.province_code
    elif current is not None and legacy is None:
        current_province_code = current.code
    detail = ", ".join(s.text for s in rest) or None
    return AddressReading(
        original=text,
        detail=detail,
        legacy_province=legacy.code if legacy else None,
        legacy_district=district.code if district else None,
        legacy_commune=commune.code if commune is not None and scheme == "legacy" else None,
        current_province=current_province_code,
        current_commune=current_code,
        successors=successors,
        scheme=scheme,
        unresolved=tuple(unresolved),
    )


def read_province(text: str | None) -> Province | None:
    """The legacy province a name or code means ("Hà Nội", "TP HCM", "01", "001"), or ``None``."""
    if text is None or not nfc(text):
        return None
    value = nfc(text)
    if re.fullmatch(r"[0-9]{2,3}", value):
        return province_pair(value[-2:] if len(value) == 3 and value[0] == "0" else value)[0]
    segment = _segment(value)
    pair = _find_province(segment)
    return pair[0] if pair else None
