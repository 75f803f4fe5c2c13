"""Mandates as the demo's buyers (and the test worlds' builders) sign them before a call opens."""

from __future__ import annotations

from sqlalchemy import select

from procurement.calls.legal import regime
from procurement.calls.legal.services import MandateTerms, active_mandate, sign_mandate
from procurement.models import Lot
from registry.database import db
from registry.models import User

DEMO_SIGNATORY = "Claire Dubois"
DEMO_CAPACITY = "Deputy mayor, by delegation of the council"


def opening_days(lot: Lot) -> int:
    """The shortest offer period the lot's regime allows, in days."""
    return regime.regime_min_offer_days(regime.lot_regime(lot)[2])


def sign_all_mandates(lot: Lot, signers: dict[int, User] | None = None) -> None:
    """Each active member without a mandate signs one for its need's full quantities, by the
    given user of its organisation (``signers``, by organisation id) or its first active user."""
    for member in lot.active_members:
        if active_mandate(member) is not None:
            continue
        signer = (signers or {}).get(member.buyer_id) or db.session.scalar(
            select(User)
            .where(User.organisation_id == member.buyer_id, User.is_active.is_(True))
            .order_by(User.id)
            .limit(1)
        )
        if signer is None:
            continue
        sign_mandate(
            signer,
            member,
            MandateTerms(
                DEMO_SIGNATORY,
                DEMO_CAPACITY,
                member.need.firm_quantity,
                member.need.maximum_quantity,
            ),
        )
