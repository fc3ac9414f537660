"""Vietnamese text: NFC, one explicit rule for tone-mark placement, and diacritic-folded keys.

Unicode NFC does not unify where the tone mark sits: "hoà" and "hòa" are both valid NFC and differ.
Names are stored exactly as written (NFC); comparison keys are derived from them:

- :func:`tone_key` keeps every diacritic but moves each syllable's tone mark to one place (the
  classic rule used by most keyboards and by the civil-status forms: "hòa", "thúy", "khỏe"), and
  lower-cases.  Two spellings of the same name meet here.
- :func:`fold` drops every diacritic (đ → d) as well: what a person types without a Vietnamese
  keyboard, and what search falls back to.
"""

from __future__ import annotations

import re
import unicodedata

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng
_VOWELS = set("aăâeêioôơuưy")
_MODIFIED = set("ăâêôơư")
_SPACE = re.compile(r"\s+")
_SYLLABLE = re.compile(r"[^\W\d_]+", re.UNICODE)


def nfc(text: str) -> str:
    """NFC with whitespace collapsed and trimmed: the form every name is stored in."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def fold(text: str) -> str:
    """Lower-case ASCII key: diacritics removed, đ → d, whitespace collapsed."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACE.sub(" ", stripped).strip()


def tone_key(text: str) -> str:
    """Lower-case NFC key with every tone mark placed by the classic rule."""
    return _SYLLABLE.sub(lambda m: _place_tone(m.group(0)), nfc(text).lower())


def _place_tone(syllable: str) -> str:
    decomposed = unicodedata.normalize("NFD", syllable)
    tone = next((ch for ch in decomposed if ch in _TONES), None)
    if tone is None:
        return unicodedata.normalize("NFC", decomposed)
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch != tone))
    index = _tone_position(bare)
    if index is None:
        return unicodedata.normalize("NFC", decomposed)
    return unicodedata.normalize("NFC", bare[: index + 1] + tone + bare[index + 1 :])


def _tone_position(bare: str) -> int | None:
    """Index of the letter that carries the tone in a syllable without tone marks."""
    start = 0
    # "qu" and "gi" open a syllable as one consonant: the u / i is not part of the vowel nucleus.
    if bare.startswith("qu") or (bare.startswith("gi") and len(bare) > 2 and bare[2] in _VOWELS):
        start = 2
    positions = [i for i in range(start, len(bare)) if bare[i] in _VOWELS]
    if not positions:
        positions = [i for i in range(len(bare)) if bare[i] in _VOWELS]
        if not positions:
            return None
    # The nucleus is the first run of vowels.
    run = [positions[0]]
    for i in positions[1:]:
        if i == run[-1] + 1:
            run.append(i)
        else:
            break
    modified = [i for i in run if bare[i] in _MODIFIED]
    if modified:
        return modified[-1] if bare[run[0]: run[0] + 2] == "ươ" else modified[0]
    has_final = run[-1] < len(bare) - 1
    if len(run) == 1:
        return run[0]
    if len(run) >= 3:
        return run[1]
    if has_final:
        return run[1]
    # Two vowels, open syllable: "hài", "mía"; classic rule also puts "oa", "oe", "uy" on the first.
    return run[0]


def split_full_name(full_name: str) -> tuple[str, str | None, str]:
    """Family, middle (possibly several words, or None) and given name of a name in Vietnamese order."""
    parts = nfc(full_name).split(" ")
    if not parts or parts == [""]:
        raise ValueError("empty name")
    if len(parts) == 1:
        return parts[0], None, parts[0]
    middle = " ".join(parts[1:-1]) or None
    return parts[0], middle, parts[-1]
