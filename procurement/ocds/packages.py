"""Queries and packages: the releases of one ocid or of all, and the release package."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from procurement.calls.models import JointCall
from procurement.calls.orders.ocds import call_order_releases, releases_for_order
from procurement.models import Need
from procurement.ocds.call_releases import call_releases
from procurement.ocds.formats import prefix, stamp
from procurement.ocds.parties import authority_of
from procurement.ocds.planning import PUBLISHED_NEED_STATUSES, need_release
from registry.database import db, utcnow

PAGE_SIZE = 500
DEFAULT_LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
OCDS_VERSION = "1.1"
# The extension.json of each official extension the releases use, at the version the tests hold a
# copy of (tests/standards/ocds-1.1/): the tagged release where the extension has one (v1.1.5),
# else the commit of its default branch the copy was taken from (these extensions have no tag).
_RAW = "https://raw.githubusercontent.com/open-contracting-extensions"
_EXTENSION_VERSIONS = (
    ("ocds_lots_extension", "v1.1.5"),
    ("ocds_bid_extension", "v1.1.5"),
    ("ocds_location_extension", "v1.1.5"),
    ("ocds_techniques_extension", "5568b00a8dd694a3d34441bdd9ef2bd3f9d44b11"),
    ("ocds_requirements_extension", "b4f5ba94b46bded427f5cd771b53397d020f7ec5"),
    ("ocds_contract_buyer_extension", "e9d393b46b77d7df9f18399408cb9c065efb6d13"),
    # Party Scale: parties/details/scale.
    ("ocds_partyDetails_scale_extension", "152cd9fb74e021e537b17d84420615acf7dec032"),
    # Pagination: the links of the pages of /procurement/ocds.json.
    ("ocds_pagination_extension", "a0df51b5214325561d4efde52f775ea75271c683"),
)
EXTENSIONS = [f"{_RAW}/{name}/{ref}/extension.json" for name, ref in _EXTENSION_VERSIONS]


_NEED_OCID = re.compile(r"^(?P<prefix>.+)-NEED-(?P<id>\d{1,10})$")


def _published_needs() -> Any:
    return (
        select(Need)
        .where(Need.status.in_(PUBLISHED_NEED_STATUSES))
        .options(selectinload(Need.buyer), selectinload(Need.category))
        .order_by(Need.id)
    )


def _calls() -> Any:
    return select(JointCall).order_by(JointCall.id)


def releases_for(ocid: str, now: dt.datetime | None = None) -> list[dict[str, Any]] | None:
    """The releases of one ocid, or None when there is no such public process."""
    now = now or utcnow()
    call = db.session.scalar(select(JointCall).where(JointCall.ocid == ocid))
    if call is not None:
        return call_releases(call, now)
    ordered = releases_for_order(ocid)
    if ordered is not None:
        return ordered
    match = _NEED_OCID.match(ocid)
    if match is None or match["prefix"] != prefix():
        return None
    number = int(match["id"])
    if number > 2**31 - 1:
        return None
    need = db.session.get(Need, number)
    if need is None or need.status not in PUBLISHED_NEED_STATUSES:
        return None
    return [need_release(need)]


def all_releases(now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Every release: the needs' planning releases, then each call's, in a stable order."""
    now = now or utcnow()
    releases = [need_release(need) for need in db.session.scalars(_published_needs())]
    for call in db.session.scalars(_calls()):
        releases.extend(call_releases(call, now))
        releases.extend(call_order_releases(call))
    return releases


def package(releases: list[dict[str, Any]], uri: str) -> dict[str, Any]:
    """A release package around some releases, with the publisher's metadata."""
    authority = authority_of()
    published = max((r["date"] for r in releases), default=stamp(utcnow()))
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": list(EXTENSIONS),
        "publishedDate": published,
        "publisher": {
            "name": current_app.config.get(
                "OCDS_PUBLISHER", authority.name if authority else "SafeTech Registry"
            ),
            "uri": url_for("public.home", _external=True),
        },
        "license": current_app.config.get("OCDS_LICENSE", DEFAULT_LICENSE),
        "publicationPolicy": url_for("procurement_public.open_data", _external=True),
        "releases": releases,
    }


def bulk_page(page: int, per_page: int = PAGE_SIZE) -> tuple[list[dict[str, Any]], bool]:
    """One page of every release, and whether another page follows."""
    releases = all_releases()
    start = (page - 1) * per_page
    return releases[start : start + per_page], start + per_page < len(releases)
