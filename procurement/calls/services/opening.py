"""The opening of a call's offers: one audit entry, written when the named officers have
released enough shares of the call's key after the deadline, that fingerprints every offer; and
the checks that hold the offers to it.

Decided here (docs/SECURITY.md, "Sealing of offers", gives the overview):

- An offer's content (call, vendor, solution, label, tiers, lead time, notes, status) has one
  canonical JSON form; its SHA-256 is recorded at the opening. The vendor's receipt is the
  SHA-256 of the sealed content (procurement.calls.sealing).
- The opening happens once per call, after its deadline, when k of its n opening officers have
  released their shares (procurement.calls.sealing.services.release_share). It sets
  ``offers_opened_at`` by a conditional UPDATE (only the writer that finds it empty goes on, on
  both databases) and writes one ``call.offers_opened`` entry: the officers, each offer's
  reference, status, content hash and sealed hash, and the hash of that list; and it records
  each submitted offer's eligibility with its basis (procurement.calls.access.frozen). A
  cancelled call is never opened.
- Until its call is opened, every audit entry about an offer is sealed: the audit views leave
  it out (registry.sealing), counts included.
- ``flask audit verify`` recomputes every opened offer's hash and names any offer whose content
  no longer matches its opening entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from flask import Flask
from sqlalchemy import ColumnElement, String, and_, cast, select, update
from sqlalchemy.orm import selectinload

from procurement.calls.access import frozen
from procurement.calls.models import CallStatus, JointCall, Offer
from registry import audit, sealing
from registry.database import db, utcnow
from registry.models import AuditEntry

OPENING_ACTION = "call.offers_opened"


def offer_content(offer: Offer) -> dict[str, Any]:
    """What an offer says, in the form its hash covers (prices as strings, to the cent)."""
    content: dict[str, Any] = {
        "offer": offer.reference,
        "call": offer.call_id,
        "vendor": offer.vendor_id,
        "solution": offer.solution_id,
        "label": offer.label_id,
        "tiers": [[tier.min_quantity, f"{tier.unit_price:.2f}"] for tier in offer.tiers],
        "lead_time_days": offer.lead_time_days,
        "notes": offer.notes,
        "status": offer.status.value,
    }
    # Only when named, so that the receipts of offers made before versions stay the same.
    if offer.version_id is not None:
        content["version"] = offer.version_id
    return content


def content_hash(offer: Offer) -> str:
    """SHA-256 of the offer's canonical content."""
    return hashlib.sha256(audit.canonical_json(offer_content(offer)).encode("utf-8")).hexdigest()


def set_hash(fingerprints: list[dict[str, str]]) -> str:
    """SHA-256 of the list of (offer, status, hash) recorded at an opening."""
    return hashlib.sha256(audit.canonical_json(fingerprints).encode("utf-8")).hexdigest()


def _offers_of(call_id: int) -> list[Offer]:
    return list(
        db.session.scalars(
            select(Offer)
            .where(Offer.call_id == call_id)
            .options(selectinload(Offer.tiers))
            .order_by(Offer.id)
            .execution_options(populate_existing=True)
        )
    )


def open_offers(call: JointCall, *, officers: Sequence[int] = ()) -> bool:
    """Write the call's opening entry if its deadline has passed and nobody has yet.

    ``officers``: the ids of the officers whose shares opened it.

    True when this call wrote it (the caller commits). Safe under concurrency: the UPDATE that
    claims the opening matches only while ``offers_opened_at`` is empty, so a second writer
    (waiting on the row) finds nothing to claim.
    """
    if call.offers_opened_at is not None or call.status is CallStatus.CANCELLED:
        return False
    now = utcnow()
    if not call.deadline_passed(now):
        return False
    claimed = db.session.execute(
        update(JointCall)
        .where(
            JointCall.id == call.id,
            JointCall.offers_opened_at.is_(None),
            JointCall.status != CallStatus.CANCELLED,
            JointCall.deadline <= now,
        )
        .values(offers_opened_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        db.session.refresh(call)
        return False
    db.session.refresh(call)
    offers = _offers_of(call.id)
    fingerprints = []
    for offer in offers:
        computed = content_hash(offer)
        item = {"offer": offer.reference, "status": offer.status.value, "hash": computed}
        if offer.sealed_hash:
            item["sealed_hash"] = offer.sealed_hash
        elif offer.content_hash and offer.content_hash != computed:
            # The receipt the vendor holds differs: the record keeps both.
            item["receipt"] = offer.content_hash
        fingerprints.append(item)
    submitted = sum(1 for item in fingerprints if item["status"] == "submitted")
    audit.record(
        None,
        OPENING_ACTION,
        call,
        summary=(
            f"Offers on {call.reference} opened after the deadline: {submitted} submitted, "
            f"{len(fingerprints) - submitted} withdrawn"
        ),
        data={
            "offers": fingerprints,
            "set_hash": set_hash(fingerprints),
            "officers": list(officers),
        },
    )
    frozen.freeze(call, offers)
    db.session.expire(call, ["offers", "all_offers"])
    return True


def calls_awaiting_opening() -> list[JointCall]:
    """Every call past its deadline whose offers are not opened yet (not cancelled)."""
    return list(
        db.session.scalars(
            select(JointCall)
            .where(
                JointCall.offers_opened_at.is_(None),
                JointCall.status != CallStatus.CANCELLED,
                JointCall.deadline <= utcnow(),
            )
            .order_by(JointCall.id)
        )
    )


def sealed_offer_entries() -> ColumnElement[bool]:
    """Audit entries about an offer whose call is not opened yet."""
    unopened = (
        select(cast(Offer.id, String))
        .join(JointCall, JointCall.id == Offer.call_id)
        .where(JointCall.offers_opened_at.is_(None))
    )
    return and_(AuditEntry.object_type == Offer.__tablename__, AuditEntry.object_id.in_(unopened))


def check_openings() -> list[str]:
    """Every offer whose content no longer hashes to what its call's opening entry recorded."""
    problems: list[str] = []
    entries = db.session.execute(
        select(AuditEntry.seq, AuditEntry.object_id, AuditEntry.data)
        .where(AuditEntry.action == OPENING_ACTION)
        .order_by(AuditEntry.seq)
    ).all()
    for seq, call_id, data in entries:
        recorded = json.loads(data).get("offers", [])
        offers = {offer.reference: offer for offer in _offers_of(int(call_id))}
        for item in recorded:
            offer = offers.pop(item["offer"], None)
            if offer is None:
                problems.append(f"{item['offer']} (opened in entry #{seq}) is missing")
            elif content_hash(offer) != item["hash"]:
                problems.append(
                    f"{item['offer']} no longer matches its hash in opening entry #{seq}"
                )
        problems += [
            f"{reference} was added after its call was opened (entry #{seq})"
            for reference in sorted(offers)
        ]
    return problems


def init_app(app: Flask) -> None:
    """Seal offer entries in the audit views; hold opened offers to their opening entry."""
    sealing.register_hidden_entries(app, sealed_offer_entries)
    sealing.register_check(app, check_openings)
