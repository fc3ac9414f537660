"""The pages hold no text of their own: every message they use has a Vietnamese translation."""

from __future__ import annotations

import re
from importlib.resources import files

from citizenid.auth.domain import Role
from citizenid.biometrics.domain import CaseStatus, ScreeningStatus
from citizenid.cards.domain import ApplicationState, CardState, Reason, RevocationReason
from citizenid.documents.catalogue import CATALOGUE
from citizenid.documents.domain import DocumentStatus
from citizenid.exchange.domain import ConsentStatus
from citizenid.registry.domain import EventKind, Relationship, Sex, Status
from citizenid.web.cards_pages import DECLARED_FIELDS, FINGERS
from citizenid.web.i18n import LANGUAGES, Translator, catalogue

WEB = files("citizenid.web")
MESSAGE = re.compile(r"""(?:\b_|gettext)\(\s*["']([^"']+)["']\s*\)""")


def _messages() -> set[str]:
    found: set[str] = set()
    for item in (WEB / "templates").iterdir():
        found |= set(MESSAGE.findall(item.read_text(encoding="utf-8")))
    for item in WEB.iterdir():
        if item.name.endswith(".py"):
            found |= set(MESSAGE.findall(item.read_text(encoding="utf-8")))
    return found


def test_every_message_has_a_vietnamese_translation() -> None:
    vi = catalogue("vi")
    coded = {f"sex:{s.value}" for s in Sex} | {f"status:{s.value}" for s in Status} | {
        f"event:{k.value}" for k in EventKind} | {f"relationship:{r.value}" for r in Relationship} | {
        f"language:{code}" for code in LANGUAGES} | {r.value for r in Role} | {
        f"document:{code}" for code in CATALOGUE} | {f"document-status:{s.value}" for s in DocumentStatus} | {
        f"consent:{s.value}" for s in ConsentStatus} | {f"application:{s.value}" for s in ApplicationState} | {
        f"reason:{r.value}" for r in Reason} | {f"card:{s.value}" for s in CardState} | {
        f"revocation:{r.value}" for r in RevocationReason} | {f"field:{f}" for f in DECLARED_FIELDS} | {
        f"finger:{f}" for f in FINGERS} | {f"review:{s}" for s in ("pending", "accepted", "rejected")} | {
        f"merge:{s}" for s in ("applied", "undone")} | {f"bio:{s.value}" for s in CaseStatus} | {
        f"bio:{s.value}" for s in ScreeningStatus}
    messages = _messages()
    assert len(messages) > 40
    missing = sorted((messages | coded) - set(vi))
    assert missing == []


def test_templates_have_no_bare_text() -> None:
    """Outside tags and template expressions, a template may hold only punctuation and spacing."""
    for item in (WEB / "templates").iterdir():
        text = item.read_text(encoding="utf-8")
        text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", text, flags=re.S)
        text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
        text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
        words = re.findall(r"[^\W\d_]{2,}", text)
        assert words == [], (item.name, words[:5])


def test_vietnamese_conventions_for_numbers_dates_and_times() -> None:
    import datetime as dt  # noqa: PLC0415

    vi = Translator("vi")
    assert vi.number(1234567) == "1.234.567"
    assert vi.date(dt.date(2026, 7, 1)) == "01/07/2026"
    # stored in UTC, shown in Asia/Ho_Chi_Minh
    assert vi.datetime(dt.datetime(2026, 6, 30, 17, 30, tzinfo=dt.UTC)) == "00:30 01/07/2026"
    assert Translator("en").number(1234567) == "1,234,567"


def test_partial_dates_read_day_first() -> None:
    vi = Translator("vi")
    assert vi.partial_date("1952-07-14") == "14/07/1952"
    assert vi.partial_date("1952-07") == "07/1952"
    assert vi.partial_date("1952") == "1952"
    assert vi.partial_date(None) == ""
