"""Legal identifiers of organisations and buyer legal types, as published in OCDS and eForms.

An organisation's identifier is published in ``parties[].identifier`` with its org-id scheme:
``FR-SIRENE`` for a French SIREN (9 digits, Luhn check digit) or ``EU-VAT`` for an EU VAT
number (two-letter country prefix, then 2 to 13 letters or digits). A buyer's type is published
as its eForms buyer legal type (codelist buyer-legal-type) in ``parties[].details.classifications``.
"""

from __future__ import annotations

from registry.legal_identifiers import EU_VAT, SIRENE, identifier_problem, luhn_valid, normalised
from registry.models import BuyerType, Organisation

# The checks live beside the organisation's profile form (registry.legal_identifiers).
__all__ = [
    "BUYER_LEGAL_TYPES",
    "BUYER_LEGAL_TYPE_SCHEME",
    "EU_VAT",
    "SIRENE",
    "buyer_legal_type",
    "identifier_problem",
    "luhn_valid",
    "normalised",
    "ocds_identifier",
]

BUYER_LEGAL_TYPE_SCHEME = "eu-buyer-legal-type"

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
