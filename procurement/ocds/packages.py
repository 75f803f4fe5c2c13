"""Queries and packages: the releases published under one ocid or in all, the release package.

What is served is what was stored (procurement.publication): a request only reads. Releases are
stored when the change that makes them due is committed (procurement.publication.on_commit), and
``flask procurement publish`` stores those that became due as time passed (a deadline).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from typing import Any

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from procurement.calls.models import JointCall
from procurement.calls.orders.ocds import call_order_releases, releases_for_order
from procurement.models import Need, NeedStatus
from procurement.ocds.call_releases import call_releases
from procurement.ocds.formats import need_ocid, prefix, stamp
from procurement.ocds.parties import authority_of
from procurement.ocds.planning import PUBLISHED_NEED_STATUSES, need_release
from procurement.publication.releases import (
    capture_committed,
    count_stored,
    published_ocids,
    stored_page,
    stored_releases,
)
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
    # Enquiries: a call's published questions and answers (tender.enquiries).
    ("ocds_enquiry_extension", "v1.1.5"),
    ("ocds_techniques_extension", "5568b00a8dd694a3d34441bdd9ef2bd3f9d44b11"),
    ("ocds_requirements_extension", "b4f5ba94b46bded427f5cd771b53397d020f7ec5"),
    ("ocds_contract_buyer_extension", "e9d393b46b77d7df9f18399408cb9c065efb6d13"),
    # Party Scale: parties/details/scale.
    ("ocds_partyDetails_scale_extension", "152cd9fb74e021e537b17d84420615acf7dec032"),
    # Organization classification: parties/details/classifications (the eForms buyer legal type).
    ("ocds_organizationClassification_extension", "243be1f7daed9d4423f218d9a7fb364ab70c57b9"),
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


def releases_for(ocid: str) -> list[dict[str, Any]] | None:
    """The releases published under one ocid, or None when there is no such public process.
    Reading writes nothing."""
    call = db.session.scalar(select(JointCall).where(JointCall.ocid == ocid))
    if call is not None:
        return stored_releases(ocid)
    if releases_for_order(ocid) is not None:
        return stored_releases(ocid)
    match = _NEED_OCID.match(ocid)
    if match is None or match["prefix"] != prefix():
        return None
    number = int(match["id"])
    if number > 2**31 - 1:
        return None
    need = db.session.get(Need, number)
    if need is None:
        return None
    return stored_releases(ocid) or None


def _need_release(need: Need) -> dict[str, Any]:
    """A need's planning release; once withdrawn, an update saying so (what was published
    stays published)."""
    release = need_release(need)
    if need.status is NeedStatus.WITHDRAWN:
        release["tag"] = ["planningUpdate"]
        release["tender"]["status"] = "withdrawn"
    return release


def publish_all(now: dt.datetime | None = None) -> int:
    """Publish every release due (needs' planning releases, then each call's); how many were
    new. Idempotent: a release is stored again only as a new version when its content changed."""
    now = now or utcnow()
    return capture_committed(due_builds(now), now)


def due_builds(now: dt.datetime) -> list[list[dict[str, Any]]]:
    """The releases of every public process as they are now, one list per ocid."""
    return _builds(now, _published_needs(), select(Need), _calls())


def due_builds_of(
    now: dt.datetime, need_ids: Collection[int], call_ids: Collection[int]
) -> list[list[dict[str, Any]]]:
    """The releases of those needs' and calls' processes as they are now, one list per ocid:
    the part of ``due_builds`` for those processes, in the same order."""
    return _builds(
        now,
        _published_needs().where(Need.id.in_(need_ids)),
        select(Need).where(Need.id.in_(need_ids)),
        _calls().where(JointCall.id.in_(call_ids)),
    )


def _builds(now: dt.datetime, published: Any, needs: Any, calls: Any) -> list[list[dict[str, Any]]]:
    builds = [[need_release(need)] for need in db.session.scalars(published)]
    withdrawn = {
        need_ocid(need): need
        for need in db.session.scalars(needs.where(Need.status == NeedStatus.WITHDRAWN))
    }
    builds += [[_need_release(withdrawn[o])] for o in sorted(published_ocids(list(withdrawn)))]
    for call in db.session.scalars(calls):
        builds.append(call_releases(call, now))
        # Each order under the call's framework is a process of its own.
        builds += [[release] for release in call_order_releases(call)]
    return builds


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
    """One page of every release published, and whether another page follows."""
    start = (page - 1) * per_page
    return stored_page(start, per_page), start + per_page < count_stored()
