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
from procurement.calls.models import Award, CallStatus, JointCall, Offer
from procurement.calls.scoring.models import AwardCriterion, AwardScore, OwnCriterion, OwnScore
from procurement.calls.scoring.rules import (
    DEFAULT_ABNORMALLY_LOW_RATIO,
    TIE_BREAK,
    CriterionKind,
    OwnWeight,
    Scored,
    Weight,
    abnormally_low,
    check_own_weights,
    check_weights,
    decide_weighted,
    points,
)
from registry import audit
from registry.access import require_role
from registry.database import db, utcnow
from registry.dates import today
from registry.exceptions import RuleViolation
from registry.models import Role, User
from registry.money import money_text

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
    own = own_criteria_of(call)
    if not weights and not own:
        return None
    quality = {offer.id: Decimal(str(offer.label.score_percent)) for offer in compliant}
    weighted = decide_weighted(
        members,
        offers,
        weights,
        quality,
        today(),
        call.lot.earliest_need_by,
        min_buyers,
        [OwnWeight(item.name, item.weight) for item in own],
        own_scores_by_offer(call),
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
        weights = ", ".join(
            [f"{w.kind.label} {w.weight} %" for w in weights_of(call)]
            + [f"{own.name} {own.weight} %" for own in own_criteria_of(call)]
        )
        scores = "; ".join(
            f"OFFER-{item.offer_id:05d}: "
            + ", ".join(
                [f"{kind.label.lower()} {points(score)}" for kind, score in item.scores]
                + [f"{name} {points(score)}" for name, score in item.own]
            )
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
            f"OFFER-{offer_id:05d} is abnormally low "
            f"({money_text(prices[offer_id], call.lot.currency)} against "
            f"{money_text(reference, call.lot.currency)}): it was not rejected for its price."
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


# --- criteria the authority defines itself ---------------------------------------------------

OWN_NAME_MAX = 120
OWN_DESCRIPTION_MAX = 2000
REASON_MAX = 2000


def parse_own_criteria(text: str | None) -> list[tuple[str, int, str]]:
    """The authority's own criteria from the form, one a line: "name | weight | description"."""
    parsed = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|", 2)]
        if len(parts) < 2 or not parts[1].isdigit():
            raise RuleViolation(
                f"Line {number}: write a criterion as “name | weight in % | description”, "
                "e.g. “Support in French | 10 | Hotline and documentation in French”.",
                "own_criteria",
            )
        name, weight = parts[0], int(parts[1])
        description = parts[2] if len(parts) > 2 else ""
        if len(name) > OWN_NAME_MAX or len(description) > OWN_DESCRIPTION_MAX:
            raise RuleViolation(
                f"Line {number}: keep the name within {OWN_NAME_MAX} characters and the "
                f"description within {OWN_DESCRIPTION_MAX}.",
                "own_criteria",
            )
        parsed.append((name, weight, description))
    return parsed


def checked_criteria(
    weights: Mapping[str, int | None] | None, own: Sequence[tuple[str, int, str]] | None
) -> tuple[list[Weight], list[tuple[str, int, str]]]:
    """The weights and the authority's own criteria, or a RuleViolation saying what to correct:
    with own criteria every weight, theirs included, adds up to 100."""
    if not own:
        return checked_weights(weights), []
    parsed = parse_weights(weights)
    if not parsed and (weights or {}).get("price") == 100:
        parsed = [Weight(CriterionKind.PRICE, 100)]
    problem = check_own_weights(parsed, [OwnWeight(name, weight) for name, weight, _ in own])
    if problem:
        raise RuleViolation(problem, "own_criteria")
    return parsed, list(own)


def set_own_criteria(authority: User, call: JointCall, own: Sequence[tuple[str, int, str]]) -> None:
    """Publish the call's own criteria (checked by ``checked_criteria``), audited."""
    if not own:
        return
    db.session.add_all(
        OwnCriterion(
            call_id=call.id, name=name, description=description, weight=weight, position=index
        )
        for index, (name, weight, description) in enumerate(own)
    )
    audit.record(
        authority,
        "call.own_award_criteria",
        call,
        summary=f"{call.reference} publishes {len(own)} award criteria of its own",
        data={"criteria": [{"name": n, "weight": w, "description": d} for n, w, d in own]},
    )


def own_criteria_of(call: JointCall) -> list[OwnCriterion]:
    """The authority's own criteria of the call, in their published order."""
    return list(
        db.session.scalars(
            select(OwnCriterion)
            .where(OwnCriterion.call_id == call.id)
            .order_by(OwnCriterion.position)
        )
    )


def own_scores_of(call: JointCall) -> dict[tuple[int, int], OwnScore]:
    """(criterion id, offer id) → the authority's score, for every score given on the call."""
    rows = db.session.scalars(
        select(OwnScore).join(OwnCriterion).where(OwnCriterion.call_id == call.id)
    )
    return {(row.criterion_id, row.offer_id): row for row in rows}


def own_scores_by_offer(call: JointCall) -> dict[int, dict[str, Fraction]]:
    """Offer id → criterion name → score, as the rules take them."""
    names = {item.id: item.name for item in own_criteria_of(call)}
    found: dict[int, dict[str, Fraction]] = {}
    for (criterion_id, offer_id), row in own_scores_of(call).items():
        found.setdefault(offer_id, {})[names[criterion_id]] = Fraction(row.score)
    return found


def missing_own_scores(call: JointCall, offers: Sequence[Offer]) -> list[str]:
    """ "OFFER-… on <criterion>" for each offer not yet scored on an own criterion."""
    given = own_scores_of(call)
    return [
        f"{offer.reference} on “{criterion.name}”"
        for offer in offers
        for criterion in own_criteria_of(call)
        if (criterion.id, offer.id) not in given
    ]


def score_own(
    actor: User | None,
    call: JointCall,
    offer: Offer,
    criterion: OwnCriterion,
    score: int | None,
    reason: str,
) -> OwnScore:
    """The authority scores an opened offer on one of its own criteria (0–100) with a reason;
    scoring again replaces the score until the award. Audited."""
    authority = require_role(actor, Role.AUTHORITY)
    if criterion.call_id != call.id or offer.call_id != call.id:
        raise RuleViolation("This criterion or offer is not of this call.")
    if call.status is not CallStatus.OPEN:
        raise RuleViolation(f"This call is already {call.status.label.lower()}: scores are final.")
    if call.offers_opened_at is None:
        raise RuleViolation("The offers are still sealed: score them once they are opened.")
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
        raise RuleViolation("Give a whole score from 0 to 100.", "score")
    text = (reason or "").strip()
    if not text:
        raise RuleViolation("Say why the offer gets this score.", "reason")
    if len(text) > REASON_MAX:
        raise RuleViolation(f"Keep the reason within {REASON_MAX} characters.", "reason")
    row = db.session.scalar(
        select(OwnScore).where(OwnScore.criterion_id == criterion.id, OwnScore.offer_id == offer.id)
    )
    if row is None:
        row = OwnScore(criterion_id=criterion.id, offer_id=offer.id, score=score, reason=text)
        db.session.add(row)
    row.score, row.reason = score, text
    row.scored_at, row.scored_by_id = utcnow(), authority.id
    db.session.flush()
    audit.record(
        authority,
        "call.own_score",
        call,
        summary=f"{offer.reference} scored {score} on “{criterion.name}”",
        data={"offer": offer.id, "criterion": criterion.name, "score": score, "reason": text},
    )
    return row


def require_own_scores(call: JointCall, offers: Sequence[Offer]) -> None:
    """Refuse the award until every offer is scored on every own criterion."""
    missing = missing_own_scores(call, offers)
    if missing:
        raise RuleViolation(
            "Score every offer on each criterion of your own before the award (Scores page of "
            "the call): missing " + "; ".join(missing) + ". Nothing was awarded."
        )
