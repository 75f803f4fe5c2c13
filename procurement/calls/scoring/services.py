"""A call's award criteria: set at opening, published, and applied at the award.

- ``set_criteria`` (from ``open_call``): whole-percent weights for price, lead time and quality,
  adding up to 100; none given keeps the call on price alone (100 %), as before.
- ``weighted_award`` (from ``award_call``): the viable offers after re-pricing are scored and
  ranked (procurement.calls.scoring.rules); the best weighted score wins, the published
  tie-break decides ties.
- ``record_scores``: each ranked offer's score per criterion, stored with the award.
- ``award_notes``: the scores, abnormally low prices (art. 69) and a single-offer award, in
  the words of the award's rationale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from flask import current_app
from sqlalchemy import select

from procurement.calls.award import AwardDecision, MemberInput, OfferInput
from procurement.calls.models import Award, JointCall, Offer
from procurement.calls.scoring.models import AwardCriterion, AwardScore
from procurement.calls.scoring.rules import (
    DEFAULT_ABNORMALLY_LOW_RATIO,
    TIE_BREAK,
    CriterionKind,
    Scored,
    Weight,
    abnormally_low,
    check_weights,
    decide_weighted,
    points,
)
from registry import audit
from registry.database import db
from registry.dates import today
from registry.exceptions import RuleViolation
from registry.models import User

SCORE_STEP = Decimal("0.0001")


def abnormally_low_ratio() -> Decimal:
    """Below this share of the other offers' mean price an offer is abnormally low."""
    return Decimal(
        str(current_app.config.get("ABNORMALLY_LOW_RATIO", DEFAULT_ABNORMALLY_LOW_RATIO))
    )


def criteria_of(call: JointCall) -> list[AwardCriterion]:
    """The call's published criteria in their order; empty: price alone."""
    return list(
        db.session.scalars(
            select(AwardCriterion)
            .where(AwardCriterion.call_id == call.id)
            .order_by(AwardCriterion.position)
        )
    )


def weights_of(call: JointCall) -> list[Weight]:
    """The call's criteria as the rules take them."""
    return [Weight(item.kind, item.weight) for item in criteria_of(call)]


def parse_weights(weights: Mapping[str, int | None] | None) -> list[Weight]:
    """Weights by criterion name ("price", "lead_time", "quality"); missing or 0 left out."""
    parsed = []
    for name, weight in (weights or {}).items():
        try:
            kind = CriterionKind(name)
        except ValueError:
            raise RuleViolation(f"“{name}” is not an award criterion.", "award_criteria") from None
        if weight is None or weight == 0:
            continue
        if isinstance(weight, bool) or not isinstance(weight, int):
            raise RuleViolation("Give each weight in whole percent.", f"weight_{name}")
        parsed.append(Weight(kind, weight))
    if [(item.kind, item.weight) for item in parsed] == [(CriterionKind.PRICE, 100)]:
        return []  # price at 100 % is the rule without criteria
    return parsed


def checked_weights(weights: Mapping[str, int | None] | None) -> list[Weight]:
    """The weights as the rules take them, or a RuleViolation saying what to correct."""
    parsed = parse_weights(weights)
    problem = check_weights(parsed)
    if problem:
        raise RuleViolation(problem, "weight_price")
    return parsed


def set_criteria(authority: User, call: JointCall, parsed: Sequence[Weight]) -> None:
    """Publish the call's weighted award criteria (checked by ``checked_weights``)."""
    rows = [
        AwardCriterion(call_id=call.id, kind=item.kind, weight=item.weight, position=index)
        for index, item in enumerate(parsed)
    ]
    db.session.add_all(rows)
    if rows:
        audit.record(
            authority,
            "call.award_criteria",
            call,
            summary=f"{call.reference} publishes weighted award criteria",
            data={"criteria": {item.kind.value: item.weight for item in parsed}},
        )


def weighted_award(
    call: JointCall,
    members: Sequence[MemberInput],
    offers: Sequence[OfferInput],
    compliant: Sequence[Offer],
    min_buyers: int,
) -> tuple[AwardDecision, tuple[Scored, ...]] | None:
    """The decision on the call's criteria; None when the call is on price alone."""
    weights = weights_of(call)
    if not weights:
        return None
    quality = {offer.id: Decimal(str(offer.label.score_percent)) for offer in compliant}
    weighted = decide_weighted(
        members, offers, weights, quality, today(), call.lot.earliest_need_by, min_buyers
    )
    return weighted.decision, weighted.ranking


def record_scores(award: Award, ranking: Sequence[Scored]) -> None:
    """Store each ranked offer's score per criterion with the award."""
    for rank, item in enumerate(ranking, start=1):
        for kind, score in item.scores:
            db.session.add(
                AwardScore(
                    award_id=award.id,
                    offer_id=item.offer_id,
                    kind=kind,
                    score=_decimal(score),
                    total=_decimal(item.total),
                    rank=rank,
                )
            )


def _decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(SCORE_STEP)


def award_notes(
    call: JointCall, decision: AwardDecision, ranking: Sequence[Scored], compliant: int
) -> str:
    """Sentences for the rationale: the scores, abnormally low prices, a single offer."""
    notes = []
    if ranking:
        weights = ", ".join(f"{w.kind.label} {w.weight} %" for w in weights_of(call))
        scores = "; ".join(
            f"OFFER-{item.offer_id:05d}: "
            + ", ".join(f"{kind.label.lower()} {points(score)}" for kind, score in item.scores)
            + f", weighted {points(item.total)}"
            for item in ranking
        )
        notes.append(
            f"Awarded on the published criteria ({weights}) as the highest weighted score. "
            f"Scores: {scores}. {TIE_BREAK}"
        )
    prices = {o.offer_id: o.unit_price for o in decision.outcomes if o.unit_price is not None}
    low = abnormally_low(prices, call.lot.estimated_unit_price, abnormally_low_ratio())
    for offer_id, reference in sorted(low.items()):
        notes.append(
            f"OFFER-{offer_id:05d} is abnormally low ({prices[offer_id]} against "
            f"{reference.quantize(Decimal('0.01'))}): it was not rejected for its price."
        )
    if compliant == 1:
        notes.append("Single offer: only one compliant offer was received.")
    return " ".join(notes)


def scores_of(award: Award) -> list[tuple[int, int, Decimal, dict[CriterionKind, Decimal]]]:
    """(rank, offer id, weighted score, score per criterion) of each ranked offer, best first."""
    rows = db.session.scalars(
        select(AwardScore).where(AwardScore.award_id == award.id).order_by(AwardScore.id)
    )
    found: dict[int, tuple[int, int, Decimal, dict[CriterionKind, Decimal]]] = {}
    for row in rows:
        entry = found.setdefault(row.offer_id, (row.rank, row.offer_id, row.total, {}))
        entry[3][row.kind] = row.score
    return sorted(found.values())
