"""Legal identifiers of organisations and buyer legal types, as published in OCDS and eForms.

An organisation's identifier is published in ``parties[].identifier`` with its org-id scheme:
``FR-SIRENE`` for a French SIREN (9 digits, Luhn check digit) or ``EU-VAT`` for an EU VAT
number (two-letter country prefix, then 2 to 13 letters or digits). A buyer's type is published
as its eForms buyer legal type (codelist buyer-legal-type) in ``parties[].details.classifications``.
"""

from __future__ import annotations

import re

from registry.models import BuyerType, Organisation

SIRENE = "FR-SIRENE"
EU_VAT = "EU-VAT"
BUYER_LEGAL_TYPE_SCHEME = "eu-buyer-legal-type"

_VAT = re.compile(
    r"^(AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|XI)[0-9A-Z]{2,13}$"
)

# eForms buyer-legal-type codes (Publications Office authority table "buyer-legal-type").
BUYER_LEGAL_TYPES: dict[BuyerType, tuple[str, str]] = {
    BuyerType.NATIONAL_GOVERNMENT: ("cga", "Central government authority"),
    BuyerType.REGIONAL_GOVERNMENT: ("ra", "Regional authority"),
    BuyerType.LOCAL_GOVERNMENT: ("la", "Local authority"),
    # Fire and rescue services are public bodies of the departments.
    BuyerType.EMERGENCY_SERVICES: (
        "body-pl-la",
        "Body governed by public law, controlled by a local authority",
    ),
    BuyerType.TRANSPORT: ("pub-undert", "Public undertaking"),
    BuyerType.CRITICAL_SITE: ("spec-rights-entity", "Entity with special or exclusive rights"),
}


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


def ocds_identifier(organisation: Organisation) -> dict[str, str] | None:
    """The organisation's OCDS identifier, when it has a valid one."""
    scheme = organisation.legal_identifier_scheme
    value = normalised(organisation.legal_identifier)
    if not value or identifier_problem(scheme, value) is not None:
        return None
    return {"scheme": scheme, "id": value, "legalName": organisation.name}


def buyer_legal_type(organisation: Organisation) -> tuple[str, str] | None:
    """The eForms buyer legal type (code, description) of a buyer, when it has one."""
    if organisation.buyer_type is None:
        return None
    return BUYER_LEGAL_TYPES.get(organisation.buyer_type)
