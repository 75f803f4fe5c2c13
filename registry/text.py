"""User-entered text, cleaned once at input, and the keys that tell whether two names are one.

Every form field goes through `clean_text` (or `clean_name` for names) before a view sees it,
so what is stored is NFC text without characters that break an output: C0/C1 controls (an
XML 1.0 document may not contain most of them), Unicode noncharacters and lone surrogates
(not encodable in UTF-8). Names also lose the invisible characters that make two names look
the same or make text run backwards: bidirectional overrides, embeddings, isolates and marks,
and zero-width characters. Outputs still escape for their own syntax; `xml_safe` is the last
line of defence for text stored before this cleaning existed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from confusable_homoglyphs import confusables

# C0 and C1 controls except tab (09) and line feed (0A); CR is handled before.
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
# The 66 noncharacters: U+FDD0..U+FDEF and the last two code points of every plane.
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
_SURROGATES = "\ud800-\udfff"
# Bidi embeddings and overrides (202A-202E), isolates (2066-2069), marks (200E, 200F, 061C).
_BIDI = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
# Zero-width space, non-joiner, joiner, word joiner, byte order mark.
_ZERO_WIDTH = "\u200b-\u200d\u2060\ufeff"
_BIDI_MARKS = "\u200e\u200f"

_UNSAFE = re.compile(f"[{_CONTROLS}{_NONCHARACTERS}{_SURROGATES}]")
_UNSAFE_IN_NAMES = re.compile(f"[{_CONTROLS}{_NONCHARACTERS}{_SURROGATES}{_BIDI}{_ZERO_WIDTH}]")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
# What XML 1.0 allows (section 2.2 Char), minus the controls and noncharacters it discourages.
_NOT_XML = re.compile(
    f"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\x7f-\x9f{_NONCHARACTERS}]"
)


def clean_text(value: str | None, *, multiline: bool = False) -> str:
    """NFC text without controls (tab and newline kept when `multiline`), stripped."""
    if value is None:
        return ""
    value = _LINE_BREAKS.sub("\n", value)
    if not multiline:
        value = value.replace("\n", " ").replace("\t", " ")
    value = _UNSAFE.sub("", value)
    return unicodedata.normalize("NFC", value).strip()


def clean_name(value: str | None) -> str:
    """A name on one line: `clean_text` without invisible characters, blanks collapsed."""
    if value is None:
        return ""
    value = _UNSAFE_IN_NAMES.sub("", _LINE_BREAKS.sub(" ", value))
    return " ".join(unicodedata.normalize("NFC", value).split())


def xml_safe(value: str) -> str:
    """`value` without the characters an XML 1.0 document cannot carry."""
    return _NOT_XML.sub("", value)


def _fold(value: str) -> str:
    # NFKC_Casefold as Unicode defines it (toNFKC(toCasefold(toNFKC(x)))): full-width letters,
    # ligatures and case variants all give the same key.
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", value).casefold())
    return " ".join(folded.split())


def name_key(name: str) -> str:
    """The key two names share when they are the same name: NFKC and case folded."""
    return _fold(clean_name(name))


def email_key(email: str) -> str:
    """The key two e-mail addresses share when they reach the same person, as we compare them."""
    return _fold(clean_name(email)).replace(" ", "")


@lru_cache(maxsize=4096)
def _prototype(character: str) -> str:
    # The confusables data (Unicode TR39 confusables.txt, as the library ships it) lists, for a
    # character that looks like another, that one prototype; a prototype lists all its look-alikes.
    found = confusables.is_confusable(character, greedy=True, preferred_aliases=[])
    if not found or len(found[0]["homoglyphs"]) != 1:
        return character
    target: str = found[0]["homoglyphs"][0]["c"].strip(_BIDI_MARKS)
    back = confusables.is_confusable(target, greedy=True, preferred_aliases=[]) if target else []
    if back and [h["c"].strip(_BIDI_MARKS) for h in back[0]["homoglyphs"]] == [character]:
        # Two characters that only look like each other: either one stands for both.
        return min(character, target)
    return target or character


def _map_prototypes(text: str) -> str:
    mapped = "".join(_prototype(c) for c in unicodedata.normalize("NFD", text))
    # Marks are dropped too: "Acmé" and "Acme" are hard to tell apart in a list.
    return "".join(c for c in unicodedata.normalize("NFD", mapped) if not unicodedata.combining(c))


def skeleton(text: str) -> str:
    """A TR39-style skeleton: names that look alike on screen share it ("Аcme" and "Acme")."""
    # Mapped before case folding ("I" looks like "l", not like "i"), and again after it.
    shown = unicodedata.normalize("NFKC", clean_name(text))
    return _fold(_map_prototypes(_fold(_map_prototypes(shown))))


def addresses_look_alike(first: str, second: str) -> bool:
    """Two different e-mail addresses that look the same, whole or by their domain."""
    if email_key(first) == email_key(second):
        return False
    if skeleton(first) == skeleton(second):
        return True
    first_domain, second_domain = first.rpartition("@")[2], second.rpartition("@")[2]
    return email_key(first_domain) != email_key(second_domain) and skeleton(
        first_domain
    ) == skeleton(second_domain)
