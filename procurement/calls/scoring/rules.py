"""Weighted award criteria, the published tie-break and abnormally low offers: the pure rules.

Plain frozen data in, plain frozen data out, like procurement.calls.award. Decided here:

- Each criterion gives an offer a score from 0 to 100; the weighted score is
  Σ weight × score / 100 with whole-percent weights summing to 100. Scores are exact fractions,
  so that equal offers tie exactly and only the tie-break decides between them.
- Price: 100 × the lowest final unit price among the viable offers / the offer's final unit
  price (the price each offer reaches after re-pricing and dropouts).
- Lead time: full marks when the delivery (award date + lead time) falls on or before the
  earliest need-by date of the lot's buyers; then 100 − 100 × days late / LATE_DAYS, never
  below 0 (zero at LATE_DAYS days late).
- Quality: the consolidated score (0–100 %) of the label that made the offered solution
  eligible, itself consolidated from the label's per-criterion results.
- Tie-break (published with the criteria): the lower final unit price, then the higher score
  on each other criterion in order of weight (heaviest first, then in the order published),
  then the shorter lead time, the earlier submission and the lower offer id. With price at
  100 % the winner is the winner of the price-only rule.
- Abnormally low (Directive 2014/24/EU, art. 69): a price below ``ratio`` × the mean price of
  the other offers (the lot's estimated unit price when the offer is alone).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from procurement.calls.award import MIN_BUYERS, AwardDecision, MemberInput, OfferInput, decide

LATE_DAYS = 90
FULL = Fraction(100)
DEFAULT_ABNORMALLY_LOW_RATIO = Decimal("0.8")


class CriterionKind(enum.StrEnum):
    """What a criterion scores."""

    PRICE = "price"
    LEAD_TIME = "lead_time"
    QUALITY = "quality"

    @property
    def label(self) -> str:
        """A human name for the criterion."""
        return {"price": "Price", "lead_time": "Lead time", "quality": "Quality"}[self.value]

    @property
    def explanation(self) -> str:
        """How an offer is scored on it, as published in the notice."""
        return {
            "price": "100 × the lowest final unit price / the offer's final unit price.",
            "lead_time": (
                "100 when delivery falls on or before the buyers' earliest need-by date, "
                f"then 100 less 100/{LATE_DAYS} per day late, at least 0."
            ),
            "quality": "The overall score (0–100 %) of the offered solution's label.",
        }[self.value]


TIE_BREAK = (
    "Ties go to the lower final unit price, then the higher score on each other criterion, "
    "heaviest first, then the shorter lead time, the earlier submission and the lower offer "
    "number."
)


@dataclass(frozen=True)
class Weight:
    """A criterion and its weight in whole percent."""

    kind: CriterionKind
    weight: int


@dataclass(frozen=True)
class OwnWeight:
    """A criterion the authority defined itself (scored by hand, 0–100) and its weight."""

    name: str
    weight: int


@dataclass(frozen=True)
class Candidate:
    """A viable offer as the scoring sees it; ``own``: its scores on the authority's own
    criteria, by criterion name."""

    offer_id: int
    unit_price: Decimal
    lead_time_days: int
    quality: Decimal
    submitted_at: dt.datetime
    own: tuple[tuple[str, Fraction], ...] = ()


@dataclass(frozen=True)
class Scored:
    """An offer's score per criterion (0–100) and its weighted score (0–100)."""

    offer_id: int
    scores: tuple[tuple[CriterionKind, Fraction], ...]
    total: Fraction
    own: tuple[tuple[str, Fraction], ...] = ()

    def score(self, kind: CriterionKind) -> Fraction:
        """The offer's score on one criterion (0 when the call does not use it)."""
        return dict(self.scores).get(kind, Fraction(0))

    def own_score(self, name: str) -> Fraction:
        """The offer's score on one of the authority's own criteria (0 when not scored)."""
        return dict(self.own).get(name, Fraction(0))


def check_weights(weights: Sequence[Weight]) -> str:
    """Why the weights cannot be published ("" when they can)."""
    kinds = [item.kind for item in weights]
    if len(set(kinds)) != len(kinds):
        return "Give each criterion once."
    if any(item.weight < 0 or item.weight > 100 for item in weights):
        return "Give each weight in whole percent, from 0 to 100."
    if weights and sum(item.weight for item in weights) != 100:
        return "The weights of the award criteria must add up to 100 %."
    return ""


def check_own_weights(weights: Sequence[Weight], own: Sequence[OwnWeight]) -> str:
    """Why the weights with the authority's own criteria cannot be published ("" when they can)."""
    names = [item.name.casefold() for item in own]
    if any(not item.name.strip() for item in own):
        return "Give each criterion of your own a name."
    if len(set(names)) != len(names):
        return "Give each criterion of your own a different name."
    if any(item.weight < 1 or item.weight > 100 for item in own):
        return "Give each criterion of your own a weight in whole percent, from 1 to 100."
    if own and sum(item.weight for item in weights) + sum(item.weight for item in own) != 100:
        return (
            "The weights of the award criteria, your own included, must add up to 100 %: "
            "lower the weight of the price."
        )
    return check_weights(weights) if not own else ""


def lead_time_score(lead_time_days: int, award_date: dt.date, need_by: dt.date) -> Fraction:
    """100 on or before the need-by date, falling to 0 at LATE_DAYS days late."""
    late = (award_date + dt.timedelta(days=lead_time_days) - need_by).days
    if late <= 0:
        return FULL
    return max(Fraction(0), FULL - FULL * late / LATE_DAYS)


def score_offers(
    weights: Sequence[Weight],
    candidates: Sequence[Candidate],
    award_date: dt.date,
    need_by: dt.date,
    own_weights: Sequence[OwnWeight] = (),
) -> list[Scored]:
    """Every candidate's scores, ranked best first (weighted score, then the tie-break).

    ``own_weights``: the authority's own criteria; each candidate carries its scores on them
    (a missing score counts 0)."""
    if not candidates:
        return []
    lowest = min(candidate.unit_price for candidate in candidates)
    own_used = [item for item in own_weights if item.weight]
    used = [item for item in weights if item.weight] or (
        [] if own_used else [Weight(CriterionKind.PRICE, 100)]
    )
    scored = []
    for candidate in candidates:
        scores = tuple(
            (item.kind, _score(item.kind, candidate, lowest, award_date, need_by)) for item in used
        )
        given = dict(candidate.own)
        own = tuple(
            (item.name, min(FULL, max(Fraction(0), given.get(item.name, Fraction(0)))))
            for item in own_used
        )
        total = sum(
            (Fraction(w.weight) * s / 100 for w, (_, s) in zip(used, scores, strict=True)),
            Fraction(0),
        ) + sum(
            (Fraction(w.weight) * s / 100 for w, (_, s) in zip(own_used, own, strict=True)),
            Fraction(0),
        )
        scored.append(Scored(candidate.offer_id, scores, total, own))
    by_id = {candidate.offer_id: candidate for candidate in candidates}
    others: list[tuple[int, CriterionKind | str]] = [
        (item.weight, item.kind) for item in used if item.kind is not CriterionKind.PRICE
    ] + [(item.weight, item.name) for item in own_used]
    others.sort(key=lambda pair: -pair[0])

    def other_score(item: Scored, key: CriterionKind | str) -> Fraction:
        return item.score(key) if isinstance(key, CriterionKind) else item.own_score(key)

    def rank(item: Scored) -> tuple[object, ...]:
        candidate = by_id[item.offer_id]
        return (
            -item.total,
            candidate.unit_price,
            *(-other_score(item, key) for _, key in others),
            candidate.lead_time_days,
            candidate.submitted_at,
            candidate.offer_id,
        )

    return sorted(scored, key=rank)


def _score(
    kind: CriterionKind,
    candidate: Candidate,
    lowest: Decimal,
    award_date: dt.date,
    need_by: dt.date,
) -> Fraction:
    if kind is CriterionKind.PRICE:
        return (
            FULL * Fraction(lowest) / Fraction(candidate.unit_price)
            if candidate.unit_price
            else FULL
        )
    if kind is CriterionKind.LEAD_TIME:
        return lead_time_score(candidate.lead_time_days, award_date, need_by)
    return min(FULL, max(Fraction(0), Fraction(candidate.quality)))


def abnormally_low(
    prices: dict[int, Decimal], estimated_unit_price: Decimal | None, ratio: Decimal
) -> dict[int, Decimal]:
    """Offer id → the reference its price is below ``ratio`` of, for each abnormally low offer.

    The reference is the mean price of the other offers, or the estimate when the offer is alone.
    """
    flagged = {}
    for offer_id, price in prices.items():
        others = [p for other, p in prices.items() if other != offer_id]
        reference = sum(others, Decimal(0)) / len(others) if others else estimated_unit_price
        if reference and price < ratio * reference:
            flagged[offer_id] = reference
    return flagged


def points(value: Fraction) -> str:
    """A score for people: two decimals."""
    return f"{Decimal(value.numerator) / Decimal(value.denominator):.2f}"


@dataclass(frozen=True)
class WeightedDecision:
    """The price-only decision's outcomes with the winner the weighted criteria give."""

    decision: AwardDecision
    ranking: tuple[Scored, ...]


def decide_weighted(
    members: Sequence[MemberInput],
    offers: Sequence[OfferInput],
    weights: Sequence[Weight],
    quality: dict[int, Decimal],
    award_date: dt.date,
    need_by: dt.date,
    min_buyers: int = MIN_BUYERS,
    own_weights: Sequence[OwnWeight] = (),
    own_scores: Mapping[int, Mapping[str, Fraction]] | None = None,
) -> WeightedDecision:
    """Re-price every offer as today, then rank the viable ones on the weighted criteria
    (with the authority's own criteria, scored by hand: ``own_scores`` by offer id)."""
    base = decide(members, offers, min_buyers)
    if base.winner is None:
        return WeightedDecision(base, ())
    by_id = {offer.id: offer for offer in offers}
    candidates = [
        Candidate(
            outcome.offer_id,
            outcome.unit_price or Decimal(0),
            by_id[outcome.offer_id].lead_time_days,
            quality.get(outcome.offer_id, Decimal(0)),
            by_id[outcome.offer_id].submitted_at,
            tuple(sorted((own_scores or {}).get(outcome.offer_id, {}).items())),
        )
        for outcome in base.outcomes
        if outcome.viable
    ]
    ranking = score_offers(weights, candidates, award_date, need_by, own_weights)
    winner = next(o for o in base.outcomes if o.offer_id == ranking[0].offer_id)
    return WeightedDecision(AwardDecision(winner, base.outcomes, base.reason), tuple(ranking))
