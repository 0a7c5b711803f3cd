"""Names as people type them: people's, payers', employers' and staff members'; and the
characters no typed text may hide (``hides_text``)."""

from __future__ import annotations

import re
import unicodedata

JOINERS = {"\u200c", "\u200d"}
"""Zero-width (non-)joiners: invisible, but part of how names in Persian, Hindi and other
scripts are spelt; every other control or format character in a name is refused."""

BLANK = {
    "\u034f",  # combining grapheme joiner
    "\u115f",  # Hangul choseong filler
    "\u1160",  # Hangul jungseong filler
    "\u17b4",  # Khmer vowel inherent aq
    "\u17b5",  # Khmer vowel inherent aa
    "\u180b",  # Mongolian free variation selectors one to three
    "\u180c",
    "\u180d",
    "\u180f",  # Mongolian free variation selector four
    "\u2800",  # Braille pattern blank
    "\u3164",  # Hangul filler
    "\uffa0",  # halfwidth Hangul filler
}
"""Letters and marks that are drawn as nothing (Unicode's default-ignorable characters outside
the control and format categories, and the blank Braille cell): a name of one of these looks
empty, and one inside a name looks like a space or nothing at all."""


FLAG_TAGS = re.compile(
    "\U0001f3f4[\U000e0061-\U000e007a]{2}[\U000e0030-\U000e0039\U000e0061-\U000e007a]{1,4}"
    "\U000e007f"
)
"""A subdivision flag (Scotland, Wales, England): a black flag spelt out by tag characters,
invisible on their own, naming a region (two letters, then one to four letters or digits:
``gbsct``), ended by the cancel tag. Other text in tag characters is hidden text."""


def _unseen(ch: str) -> bool:
    """A control or formatting character (bar the joiners), or one drawn as nothing."""
    return ch in BLANK or (unicodedata.category(ch) in ("Cc", "Cf") and ch not in JOINERS)


def hides_text(value: str, allowed: str = "") -> bool:
    """Whether ``value`` has a character that cannot be seen (other than ``allowed`` ones,
    such as line breaks): a control or formatting character, one drawn as nothing, or a tag
    character outside a flag's spelling."""
    return any(_unseen(ch) for ch in FLAG_TAGS.sub("\U0001f3f4", value) if ch not in allowed)


def _visible(value: str) -> str:
    """``value`` with single spaces; refused with a control or formatting character, or one
    drawn as nothing, in it."""
    name = " ".join(value.split())
    if hides_text(name):
        raise ValueError("the name has a character that cannot be seen")
    return name


def real_name(value: str) -> str:
    """A person's (or a payer's) name with its white space made single spaces; one without
    letters, or with a control or invisible formatting character, is refused."""
    if not any(ch.isalpha() for ch in value):
        raise ValueError("the name must contain letters")
    return _visible(value)


def company_name(value: str) -> str:
    """An organisation's name, held to the same rule except that digits alone will do: a
    company may be a number ("247", "1066")."""
    if not any(ch.isalnum() for ch in value):
        raise ValueError("the name must contain letters or digits")
    return _visible(value)
