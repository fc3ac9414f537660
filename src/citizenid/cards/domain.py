"""The card's rules: application states, validity by renewal age, card numbers, the printed QR code.

Pure: no SQLAlchemy, no FastAPI.  Everything here is a function of its arguments, so the service can
apply it inside a transaction and the tests can pin it at every boundary.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from citizenid.cards.errors import CardInvalid, IllegalTransition

RENEWAL_AGES = (14, 25, 40, 60)
# A card issued within this many years before a renewal age stays valid until the next one.
GRACE_YEARS = 2
NO_PHOTO_BELOW_AGE = 6
CARD_NUMBER_DIGITS = 10


class ApplicationState(enum.StrEnum):
    RECEIVED = "received"
    VERIFIED = "verified"
    APPROVED = "approved"
    IN_PRODUCTION = "in_production"
    PRODUCED = "produced"
    DISPATCHED = "dispatched"
    ISSUED = "issued"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


S = ApplicationState
TRANSITIONS: dict[ApplicationState, frozenset[ApplicationState]] = {
    S.RECEIVED: frozenset({S.VERIFIED, S.REJECTED, S.CANCELLED}),
    S.VERIFIED: frozenset({S.APPROVED, S.REJECTED, S.CANCELLED}),
    S.APPROVED: frozenset({S.IN_PRODUCTION, S.CANCELLED}),
    # A card that fails quality control goes back to the queue; the application is made again.
    S.IN_PRODUCTION: frozenset({S.PRODUCED, S.APPROVED}),
    S.PRODUCED: frozenset({S.DISPATCHED}),
    S.DISPATCHED: frozenset({S.ISSUED}),
    S.ISSUED: frozenset(),
    S.REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
}
OPEN_STATES = frozenset(s for s in ApplicationState if TRANSITIONS[s])
# What campaign targets count: an application counts once it has ever reached the state.
MILESTONES = (S.RECEIVED, S.APPROVED, S.PRODUCED, S.ISSUED)


def check_transition(current: ApplicationState, target: ApplicationState) -> None:
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "nothing (it is closed)"
        raise IllegalTransition(f"an application that is {current} cannot become {target}; it may become {allowed}")


class Reason(enum.StrEnum):
    FIRST_CARD = "first_card"
    RENEWAL = "renewal"
    LOSS = "loss"
    DAMAGE = "damage"
    CHANGE_OF_DETAILS = "change_of_details"


class CardState(enum.StrEnum):
    PRODUCED = "produced"
    SPOILED = "spoiled"  # failed quality control: never leaves the factory
    DISPATCHED = "dispatched"
    ACTIVE = "active"
    REVOKED = "revoked"


class RevocationReason(enum.StrEnum):
    LOST = "lost"
    STOLEN = "stolen"
    DAMAGED = "damaged"
    DECEASED = "deceased"
    REPLACED = "replaced"


# -- validity -----------------------------------------------------------------------------------------


def anniversary(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later; 29 February falls on 28 February in a common year, so a
    card never outlives the day its holder reaches the age (decision 0051)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def age_on(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def expiry_date(birth: dt.date, issued: dt.date) -> dt.date | None:
    """The card's expiry: the birthday at the first renewal age more than two years after issue.
    None ("Không thời hạn") when no renewal age is left, i.e. issued at 58 or older."""
    if issued < birth:
        raise CardInvalid("a card cannot be issued before its holder is born")
    limit = anniversary(issued, GRACE_YEARS)
    for age in RENEWAL_AGES:
        birthday = anniversary(birth, age)
        if birthday > limit:
            return birthday
    return None


def next_renewal(birth: dt.date, expiry: dt.date | None) -> int | None:
    """The renewal age at which a card expiring on ``expiry`` must be renewed (None: never)."""
    if expiry is None:
        return None
    return age_on(birth, expiry)


# -- card numbers --------------------------------------------------------------------------------------


def format_card_number(serial: int) -> str:
    if not 1 <= serial < 10**CARD_NUMBER_DIGITS:
        raise CardInvalid(f"card serial {serial} is out of range")
    return f"{serial:0{CARD_NUMBER_DIGITS}d}"


def revocation_key(personal_number: str, issued: dt.date) -> str:
    """What the signed revocation list carries for one card: the personal number and the issue date.

    The personal number alone would revoke every card of the person, the replacement included
    (decision 0053); twelve digits and YYYYMMDD fit the list's 20-character PrintableString.
    """
    return f"{personal_number}{issued:%Y%m%d}"


# -- the printed card ------------------------------------------------------------------------------------

SEX_TEXT = {"M": "Nam", "F": "Nữ"}


def qr_payload(personal_number: str, old_id: str | None, full_name: str, birth: dt.date, sex: str,
               residence: str, issued: dt.date) -> str:
    """The QR code printed on the card: seven UTF-8 fields joined by ``|`` (reference/vietnam-id.md)."""
    fields = (personal_number, old_id or "", full_name, f"{birth:%d%m%Y}", SEX_TEXT[sex], residence, f"{issued:%d%m%Y}")
    for value in fields:
        if "|" in value:
            raise CardInvalid("a card field may not contain '|'")
    return "|".join(unicodedata.normalize("NFC", v) for v in fields)


def parse_qr_payload(text: str) -> dict[str, str]:
    parts = text.split("|")
    if len(parts) != 7:
        raise CardInvalid("a card QR code holds seven fields")
    names = ("personal_number", "old_id_number", "full_name", "birth_date", "sex", "residence", "issue_date")
    return dict(zip(names, parts, strict=True))


# -- intake ----------------------------------------------------------------------------------------------

COMPARED_FIELDS = (
    "family_name", "middle_name", "given_name", "sex", "birth_date", "residence_commune", "residence_detail",
    "origin_commune", "ethnicity", "religion", "nationality", "old_id_number", "father_name", "mother_name",
    "spouse_name",
)


@dataclass(frozen=True, slots=True)
class Mismatch:
    field: str
    declared: str | None
    registered: str | None


def _norm(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", str(value)).split())
    return text or None


def compare_details(declared: Mapping[str, Any], registered: Mapping[str, Any]) -> list[Mismatch]:
    """Field by field, what the applicant declared against what the register holds (NFC, spacing folded)."""
    unknown = set(declared) - set(COMPARED_FIELDS)
    if unknown:
        raise CardInvalid(f"unknown declared fields: {', '.join(sorted(unknown))}")
    found = []
    for name in COMPARED_FIELDS:
        if name in declared and _norm(declared[name]) != _norm(registered.get(name)):
            found.append(Mismatch(name, _norm(declared[name]), _norm(registered.get(name))))
    return found


def required_captures(birth: dt.date, on: dt.date) -> bool:
    """Under six no photo and no fingerprints are taken."""
    return age_on(birth, on) >= NO_PHOTO_BELOW_AGE


# -- campaign --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Progress:
    target: int
    done: int
    daily_rate: float
    due: dt.date
    forecast: dt.date | None

    @property
    def met(self) -> bool:
        return self.done >= self.target

    @property
    def on_track(self) -> bool:
        return self.met or (self.forecast is not None and self.forecast <= self.due)


def forecast(target: int, done: int, recent: int, window_days: int, today: dt.date, due: dt.date) -> Progress:
    """When ``target`` is met at the rate of the last ``window_days`` (``recent`` events in them)."""
    if window_days < 1:
        raise CardInvalid("the rate window is at least one day")
    rate = recent / window_days
    if done >= target:
        when: dt.date | None = today
    elif rate <= 0:
        when = None
    else:
        when = today + dt.timedelta(days=math.ceil((target - done) / rate))
    return Progress(target, done, rate, due, when)
