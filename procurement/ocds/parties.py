"""The organisations of a release: references, parties with their roles, the procuring entity."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from procurement.calls.models import JointCall
from procurement.publication.identifiers import (
    BUYER_LEGAL_TYPE_SCHEME,
    buyer_legal_type,
    ocds_identifier,
)
from registry.database import db
from registry.models import Organisation, OrganisationKind, VendorSize

SME_SIZES = (VendorSize.STARTUP, VendorSize.SME)


def _org_id(organisation: Organisation) -> str:
    return f"ORG-{organisation.id}"


def organisation_reference(organisation: Organisation) -> dict[str, Any]:
    """An organisation's reference (id and name), as a release cites it."""
    return {"id": _org_id(organisation), "name": organisation.name}


def _party(organisation: Organisation, roles: Iterable[str]) -> dict[str, Any]:
    party: dict[str, Any] = {
        **organisation_reference(organisation),
        "roles": sorted(set(roles)),
        "address": {"countryName": organisation.country},
    }
    if organisation.region:
        party["address"]["region"] = organisation.region
    identifier = ocds_identifier(organisation)
    if identifier is not None:
        party["identifier"] = identifier
    details: dict[str, Any] = {}
    if organisation.vendor_size is not None:
        details["scale"] = "sme" if organisation.vendor_size in SME_SIZES else "large"
    legal_type = buyer_legal_type(organisation)
    if legal_type is not None:
        code, description = legal_type
        details["classifications"] = [
            {"scheme": BUYER_LEGAL_TYPE_SCHEME, "id": code, "description": description}
        ]
    if details:
        party["details"] = details
    return party


class Parties:
    """Organisations of a release, each once with all its roles."""

    def __init__(self) -> None:
        self._orgs: dict[int, Organisation] = {}
        self._roles: dict[int, set[str]] = {}

    def add(self, organisation: Organisation, role: str) -> dict[str, Any]:
        """Name the organisation in the given role; its reference, for the section citing it."""
        self._orgs[organisation.id] = organisation
        self._roles.setdefault(organisation.id, set()).add(role)
        return organisation_reference(organisation)

    def as_list(self) -> list[dict[str, Any]]:
        """The parties section: every organisation named, by id, with its roles."""
        return [_party(self._orgs[key], self._roles[key]) for key in sorted(self._orgs)]


def authority_of(call: JointCall | None = None) -> Organisation | None:
    """The procuring entity: the organisation that opened the call, else the authority."""
    if call is not None and call.opened_by is not None:
        return call.opened_by.organisation
    return db.session.scalar(
        select(Organisation)
        .where(Organisation.kind == OrganisationKind.AUTHORITY)
        .order_by(Organisation.id)
        .limit(1)
    )
