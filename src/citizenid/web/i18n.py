"""Translations and Vietnamese conventions for the pages.

Templates hold no user-facing text of their own: every string goes through ``_()`` and lives in the
gettext catalogues under ``locales/<lang>/LC_MESSAGES/messages.po`` (read with Babel, no compile
step).  Message ids are English; Vietnamese is the default language.  Dates, times and numbers follow
the language's conventions (Vietnamese: ``27/11/2026``, ``1.234.567``) and times are shown in
Asia/Ho_Chi_Minh, while storage stays in UTC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")


@cache
def catalogue(language: str) -> dict[str, str]:
    """msgid → msgstr for one language; an untranslated message falls back to its (English) id."""
    path = files("citizenid.web") / "locales" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        po = read_po(handle, locale=language)
    return {str(m.id): str(m.string) for m in po if m.id and m.string and not m.fuzzy}


@dataclass(frozen=True)
class Translator:
    language: str

    def gettext(self, message: str) -> str:
        return catalogue(self.language).get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        # Vietnamese has one plural form; English two.  The catalogues keep the singular id for both.
        return self.gettext(singular if n == 1 else plural)

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.language)

    def date(self, value: dt.date | None) -> str:
        if value is None:
            return ""
        return format_date(value, format="dd/MM/yyyy" if self.language == "vi" else "medium", locale=self.language)

    def partial_date(self, iso: str | None) -> str:
        """A date the register may know only in part ("1952", "1952-07", "1952-07-14") the local way:
        ``14/07/1952``, ``07/1952``, ``1952`` (the order on Vietnamese forms, and unambiguous in English)."""
        if not iso:
            return ""
        return "/".join(reversed(iso.split("-")))

    def datetime(self, value: dt.datetime | None) -> str:
        if value is None:
            return ""
        local = value.astimezone(LOCAL_TIME)
        pattern = "HH:mm dd/MM/yyyy" if self.language == "vi" else "medium"
        return format_datetime(local, format=pattern, tzinfo=LOCAL_TIME, locale=self.language)


def choose_language(cookie: str | None) -> str:
    """The language cookie if it names a known language, else Vietnamese: the console is Vietnamese first
    whatever the browser says (an officer's browser is often set to English)."""
    return cookie if cookie in LANGUAGES else DEFAULT_LANGUAGE
