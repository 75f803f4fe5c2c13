"""Demo data: a legal identifier for every demo organisation, then the releases published."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from procurement.publication.identifiers import SIRENE
from registry.database import db
from registry.models import Organisation

# Fictional SIRENs: the demo's number 9 9 9 then the organisation's id, then the Luhn digit.
_DEMO_PREFIX = "999"


def luhn_digit(digits: str) -> str:
    """The digit that completes `digits` to a number passing the Luhn check."""
    for candidate in "0123456789":
        total = 0
        for index, char in enumerate(reversed(digits + candidate)):
            value = int(char) * (2 if index % 2 == 1 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable: one digit always completes a Luhn number")


def demo_siren(organisation_id: int) -> str:
    """A fictional but well-formed SIREN for a demo organisation."""
    body = f"{_DEMO_PREFIX}{organisation_id:05d}"
    return body + luhn_digit(body)


def seed_demo_identifiers() -> list[Any]:
    """Give each demo organisation without one a SIREN (no accounts to print)."""
    for organisation in db.session.scalars(
        select(Organisation).where(Organisation.legal_identifier == "")
    ):
        organisation.legal_identifier = demo_siren(organisation.id)
        organisation.legal_identifier_scheme = SIRENE
    return []


def seed_demo_releases() -> list[Any]:
    """Publish the releases of the demo needs and calls (the backfill the command does)."""
    from procurement.ocds.packages import publish_all

    publish_all()
    return []
