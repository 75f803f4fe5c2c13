"""Legal identifiers of organisations: a French SIREN or an EU VAT number, and their checks.

An organisation's administrator (or the authority) enters the identifier in the organisation's
profile; the open-data releases and the eForms notices publish it with its org-id scheme:
``FR-SIRENE`` for a SIREN (9 digits, Luhn check digit) or ``EU-VAT`` for an EU VAT number (two
-letter country prefix, then 2 to 13 letters or digits).
"""

from __future__ import annotations

import re

SIRENE = "FR-SIRENE"
EU_VAT = "EU-VAT"
SCHEMES = {SIRENE: "SIREN (France, 9 digits)", EU_VAT: "EU VAT number (FR…, DE…, EL…)"}

_VAT = re.compile(
    r"^(AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|XI)[0-9A-Z]{2,13}$"
)


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check (SIREN, SIRET)."""
    if not digits.isdigit() or not digits.isascii():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalised(value: str) -> str:
    """An identifier without spaces, dots or dashes, in capitals."""
    return re.sub(r"[\s.\-]", "", value).upper()


def identifier_problem(scheme: str, value: str) -> str | None:
    """What is wrong with a legal identifier, as a sentence; None when it is valid."""
    value = normalised(value)
    if scheme == SIRENE:
        if len(value) != 9 or not value.isdigit() or not value.isascii():
            return "A SIREN has 9 digits: copy it from the organisation's registration."
        if not luhn_valid(value):
            return "This SIREN fails its check digit: check for a mistyped digit."
        return None
    if scheme == EU_VAT:
        if not _VAT.match(value):
            return (
                "An EU VAT number starts with its country's two letters (FR, DE, EL…) "
                "followed by 2 to 13 letters or digits."
            )
        return None
    return "Choose the identifier's scheme: FR-SIRENE (a SIREN) or EU-VAT (a VAT number)."
