"""Integer arguments of the query string, read one way: within what the database holds.

An id or a number a query compares with a column is refused (400, naming the parameter) when it
is not a whole number within the column's range: PostgreSQL raises on an out-of-range integer
and SQLite on one past 64 bits. Page numbers and sizes stay forgiving: bad input gives the
default, and a number out of range is brought within it.
"""

from __future__ import annotations

from flask import request
from werkzeug.exceptions import BadRequest

MAX_ID = 2**31 - 1  # an INTEGER column, on SQLite and PostgreSQL alike
MAX_PAGE = 10_000
# More digits than any bound here: the text is not converted at all (int() is quadratic).
_MAX_DIGITS = 18


class BadParameter(BadRequest):
    """A 400 for one named parameter: the page names it, the API's problem body too."""

    def __init__(self, name: str, description: str) -> None:
        super().__init__(description=f"parameter {name}: {description}")
        self.parameter = name


def parse_integer(text: str, minimum: int, maximum: int) -> int | None:
    """The integer `text` spells in ASCII digits (an optional sign), if within the bounds."""
    text = text.strip()
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > _MAX_DIGITS:
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def integer_argument(name: str, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """`name` from the query string: None when absent or blank, else a number within bounds.

    Anything else is refused with a 400 that names the parameter (an id by default).
    """
    raw = request.args.get(name, "")
    if not raw.strip():
        return None
    value = parse_integer(raw, minimum, maximum)
    if value is None:
        raise BadParameter(name, f"a whole number from {minimum} to {maximum}.")
    return value


def page_argument(name: str = "page", default: int = 1, maximum: int = MAX_PAGE) -> int:
    """A page number or size from the query string, from 1 to `maximum`, forgiving bad input."""
    text = request.args.get(name, "").strip()
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not (digits.isascii() and digits.isdigit()):
        return default
    if len(digits) > _MAX_DIGITS:
        return 1 if text.startswith("-") else maximum
    return min(max(int(text), 1), maximum)
