"""Words as a reader expects them: a count with its noun in the right number ("1 label",
"3 labels", "0 labels"), never "label(s)". `counted` is also the Jinja filter
``{{ n|counted("label") }}``, and `registry.money.money_text` the filter
``{{ price|money(currency) }}`` ("1,000.00 EUR"), the one way a page shows an amount."""

from __future__ import annotations

import re

from flask import Flask

from registry.money import money_text

_SIBILANT = re.compile(r"(s|x|z|ch|sh)$")
_CONSONANT_Y = re.compile(r"[^aeiou]y$")


def plural_of(noun: str) -> str:
    """The regular English plural of ``noun`` (its last word): label → labels, copy → copies,
    box → boxes. Irregular nouns pass their plural to `counted`."""
    if _CONSONANT_Y.search(noun):
        return noun[:-1] + "ies"
    if _SIBILANT.search(noun):
        return noun + "es"
    return noun + "s"


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``count`` and the noun in the number it takes: one is singular, everything else plural."""
    noun = singular if count == 1 else (plural or plural_of(singular))
    return f"{count} {noun}"


def init_app(app: Flask) -> None:
    """Make `counted` and `money` template filters."""
    app.jinja_env.filters["counted"] = counted
    app.jinja_env.filters["money"] = money_text
