"""Awarding a call: compliance at award time, the decision, contract lines and the mail.

Decided here (docs/PROCUREMENT.md, "Flow" 4–6, gives the overview):

- Award (pure rules in procurement.calls.award): every offer still compliant at award time goes
  through the drop-out loop; the winner is the lowest final unit price leaving at least
  max(2, the round's minimum buyers) buyers. Nothing viable: the call ends unsuccessful with
  the reason. A buyer that dropped out gets its need back to OPEN (it may pool again at the
  next round); contracted needs become CONTRACTED.
- Modelled pooling effect: Σ qᵢ·p(qᵢ) per remaining buyer on the round's price curve anchored
  at the awarded unit price for the awarded quantity (a round stores only its slope β), and
  1 − total value / that value. It is a model: the awarded price cancels out of it, so it is
  stored (column ``realised_saving``, kept for history) and shown only under that name. What
  the award saves against observed prices is read from the offers (``calls.savings``).
- Winner's evidence (procurement.calls.access.evidence): once evidence has been asked on a
  call, the award is refused until the offer it retains has its evidence accepted; an offer
  whose evidence was rejected is out of the compliance check.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from evaluations.labels.dates import add_months
from procurement.calls.access import evidence, frozen
from procurement.calls.access.models import WinnerEvidence
from procurement.calls.award import (
    MIN_BUYERS,
    AwardDecision,
    MemberInput,
    OfferInput,
    OfferOutcome,
    Tier,
    counterfactual_value,
    decide,
    quantities_by_buyer,
)
from procurement.calls.legal.services import mandated_quantities
from procurement.calls.models import Award, AwardDropout, CallStatus, ContractLine, JointCall, Offer
from procurement.calls.notices import call_link, org_emails
from procurement.calls.scoring.low_price import rejected_offers, require_no_pending_request
from procurement.calls.scoring.rules import Scored
from procurement.calls.scoring.services import (
    award_notes,
    record_scores,
    require_own_scores,
    weighted_award,
)
from procurement.calls.services.lifecycle import (
    close_call,
    end_unsuccessful,
    require_awaiting_award,
)
from procurement.calls.standstill.services import send_letters
from procurement.models import Lot, LotMember, LotStatus, NeedStatus
from procurement.services.rounds import round_parameters
from registry import audit
from registry.access import require_role
from registry.database import db, utcnow
from registry.dates import today
from registry.exceptions import RuleViolation
from registry.mail import send_mail
from registry.models import Role, User
from registry.money import CENT, SAVING_STEP, money_text
from registry.wording import counted


def _member_input(member: LotMember) -> MemberInput:
    need = member.need
    firm, optional = mandated_quantities(member)
    return MemberInput(
        need_id=need.id,
        buyer_id=member.buyer_id,
        firm_quantity=firm,
        optional_quantity=optional,
        ceiling=need.max_unit_price,
    )


def _offer_input(offer: Offer) -> OfferInput:
    return OfferInput(
        id=offer.id,
        tiers=tuple(Tier(t.min_quantity, t.unit_price) for t in offer.tiers),
        lead_time_days=offer.lead_time_days,
        submitted_at=offer.submitted_at,
    )


def compliance(call: JointCall) -> dict[int, str]:
    """Offer id → why it is not compliant ("" when it is): its eligibility frozen at the
    deadline unless the authority decided otherwise since (procurement.calls.access.frozen)."""
    return frozen.compliance(call)


def min_buyers(lot: Lot) -> int:
    """Buyers an award must keep: the round's minimum, and never fewer than two."""
    return max(MIN_BUYERS, round_parameters(lot.round).min_buyers)


def award_call(actor: User | None, call: JointCall) -> JointCall:
    """Award the call to the best compliant offer, or end it unsuccessful (see the docstring)."""
    authority = require_role(actor, Role.AUTHORITY)
    require_awaiting_award(call, "the award")
    if call.offers_opened_at is None:
        raise RuleViolation(
            "The offers are still sealed: the call's opening officers must release their "
            "shares on the call's opening page first. Nothing was awarded."
        )
    require_no_pending_request(call)
    checks = compliance(call)
    checks.update(rejected_offers(call))
    compliant = [offer for offer in call.offers if not checks[offer.id]]
    require_own_scores(call, compliant)
    decision, ranking = _decide(call, compliant)
    not_retained = _not_retained(call, checks, decision)
    winner = decision.winner
    if winner is None or winner.unit_price is None:
        reason = decision.reason + _listed(" ", not_retained)
        end_unsuccessful(authority, call, reason, "call.award_unsuccessful")
        return call
    offer = next(o for o in compliant if o.id == winner.offer_id)
    blocked = evidence.award_block(call, offer)
    if blocked:
        raise RuleViolation(blocked)
    rationale = _rationale(offer, winner, decision, bool(ranking)) + _listed(
        " Not retained: ", not_retained
    )
    notes = award_notes(call, decision, ranking, len(compliant))
    rationale += f" {notes}" if notes else ""
    decided = _new_award(authority, offer, winner, winner.unit_price, rationale)
    _contract_members(decided, winner)
    db.session.flush()
    record_scores(decided, ranking)
    close_call(call, authority, CallStatus.AWARDED, "")
    call.lot.status = LotStatus.AWARDED
    db.session.flush()
    _notify_award(call, decided)
    _record_award(authority, decided, winner)
    send_letters(authority, decided, checks, decision)
    return call


def _decide(call: JointCall, compliant: list[Offer]) -> tuple[AwardDecision, tuple[Scored, ...]]:
    """The pure award rules, run on the lot's active members and the compliant offers; with
    the ranking on the call's weighted criteria (empty when the call is on price alone)."""
    lot = call.lot
    members = [_member_input(member) for member in lot.active_members]
    offers = [_offer_input(o) for o in compliant]
    weighted = weighted_award(call, members, offers, compliant, min_buyers(lot))
    if weighted is not None:
        return weighted
    return decide(members, offers, min_buyers(lot)), ()


def _not_retained(call: JointCall, checks: dict[int, str], decision: AwardDecision) -> list[str]:
    """Why each offer is out: no longer compliant, then not viable after re-pricing."""
    excluded = [f"{o.reference}: {checks[o.id]}" for o in call.offers if checks[o.id]]
    refused = [
        f"OFFER-{outcome.offer_id:05d}: {outcome.reason}"
        for outcome in decision.outcomes
        if not outcome.viable
    ]
    return excluded + refused


def _listed(prefix: str, items: list[str]) -> str:
    """The items after the prefix, joined into one sentence; nothing when there are none."""
    return prefix + "; ".join(items) + "." if items else ""


def _rationale(
    offer: Offer, winner: OfferOutcome, decision: AwardDecision, weighted: bool = False
) -> str:
    """Why the winning offer won, and how many needs dropped out on the way."""
    rationale = (
        f"{offer.reference} ({offer.vendor.name}, {offer.solution.name}) at "
        f"{money_text(winner.unit_price, offer.call.lot.currency)} per unit for "
        f"{winner.quantity} units, lead time "
        f"{offer.lead_time_days} days: the "
        + ("best" if weighted else "lowest final unit price")
        + f" of {counted(len(decision.outcomes), 'compliant offer')}."
    )
    if winner.dropouts:
        rationale += (
            f" {counted(len(winner.dropouts), 'buyer need')} dropped out above their maximum "
            "unit price"
            f" and the rest was re-priced in {counted(len(winner.steps), 'step')}."
        )
    return rationale


def _modelled_saving(lot: Lot, winner: OfferOutcome, price: Decimal) -> tuple[Decimal, Decimal]:
    """The counterfactual value on the round's curve and the modelled pooling saving."""
    total = (winner.quantity * price).quantize(CENT)
    beta = (
        round_parameters(lot.round)
        .curve_for_key(lot.category.code, lot.unit.value, lot.currency)
        .beta
    )
    counterfactual = counterfactual_value(quantities_by_buyer(winner.kept), price, beta).quantize(
        CENT
    )
    saving = (1 - total / counterfactual).quantize(SAVING_STEP) if counterfactual else Decimal(0)
    return counterfactual, saving


def _new_award(
    authority: User, offer: Offer, winner: OfferOutcome, price: Decimal, rationale: str
) -> Award:
    """The award of the call to the winning offer at its final unit price, added to the session."""
    call = offer.call
    counterfactual, saving = _modelled_saving(call.lot, winner, price)
    start = today()
    decided = Award(
        call=call,
        offer_id=offer.id,
        quantity=winner.quantity,
        maximum_quantity=winner.maximum_quantity,
        unit_price=price,
        total_value=(winner.quantity * price).quantize(CENT),
        counterfactual_value=counterfactual,
        realised_saving=saving,
        rationale=rationale,
        decided_at=utcnow(),
        decided_by_id=authority.id,
        contract_start=start,
        contract_end=add_months(start, call.contract_months) - dt.timedelta(days=1),
    )
    db.session.add(decided)
    return decided


def _contract_members(decided: Award, winner: OfferOutcome) -> None:
    """A contract line per need kept (now contracted); a dropout per need out (open again)."""
    members_by_need = {member.need_id: member for member in decided.call.lot.active_members}
    for kept in winner.kept:
        member = _set_need_status(members_by_need[kept.need_id], NeedStatus.CONTRACTED)
        decided.lines.append(
            ContractLine(
                member_id=member.id,
                need_id=kept.need_id,
                buyer_id=kept.buyer_id,
                quantity=kept.firm_quantity,
                maximum_quantity=kept.firm_quantity + kept.optional_quantity,
                unit_price=decided.unit_price,
                value=(kept.firm_quantity * decided.unit_price).quantize(CENT),
                created_at=utcnow(),
            )
        )
    for dropout in winner.dropouts:
        member = _set_need_status(members_by_need[dropout.need_id], NeedStatus.OPEN)
        decided.dropouts.append(
            AwardDropout(
                member_id=member.id,
                need_id=dropout.need_id,
                buyer_id=dropout.buyer_id,
                ceiling=dropout.ceiling,
                price_at_dropout=dropout.price_at_dropout,
            )
        )


def _set_need_status(member: LotMember, status: NeedStatus) -> LotMember:
    """Move the member's need to the status the award gives it; the member, for its line."""
    member.need.status = status
    member.need.updated_at = utcnow()
    return member


def _record_award(authority: User, decided: Award, winner: OfferOutcome) -> None:
    """The audit entry of the award."""
    call = decided.call
    audit.record(
        authority,
        "call.award",
        call,
        summary=f"{call.reference} awarded to {decided.offer.reference}",
        data={
            "award": decided.id,
            "offer": decided.offer_id,
            "unit_price": str(decided.unit_price),
            "quantity": winner.quantity,
            "contract_lines": len(decided.lines),
            "dropouts": [d.need_id for d in decided.dropouts],
            "modelled_pooling_saving": str(decided.realised_saving),
        },
    )


def _notify_award(call: JointCall, decided: Award) -> None:
    link = call_link(call)
    currency = call.lot.currency
    for line in decided.lines:
        for email in org_emails([line.buyer_id]):
            send_mail(
                email,
                f"Joint call {call.reference} awarded: your contract {line.reference}",
                (
                    f"The joint call “{call.title}” is awarded. Your need "
                    f"“{line.need.title}” is contracted: {counted(line.quantity, 'unit')} (up to "
                    f"{line.maximum_quantity}) at {money_text(line.unit_price, currency)} "
                    f"per unit, "
                    f"from {decided.contract_start} to {decided.contract_end}.\n{link}\n"
                ),
            )
    for dropout in decided.dropouts:
        for email in org_emails([dropout.buyer_id]):
            send_mail(
                email,
                f"Joint call {call.reference} awarded above your maximum price",
                (
                    f"The joint call “{call.title}” is awarded, but the unit price "
                    f"({money_text(dropout.price_at_dropout, currency)}) was above your "
                    f"maximum unit price ({money_text(dropout.ceiling, currency)}) for "
                    f"“{dropout.need.title}”. Your need is "
                    f"open again for the next aggregation round.\n{link}\n"
                ),
            )
    # Vendors get their award letter (procurement.calls.standstill.services.send_letters).


def provisional_winner(call: JointCall) -> Offer | None:
    """The offer the award would retain now (None when nothing is viable), on an opened call."""
    if call.offers_opened_at is None:
        return None
    checks = compliance(call)
    checks.update(rejected_offers(call))  # as the award does: rejected low prices are out
    compliant = [offer for offer in call.offers if not checks[offer.id]]
    winner = _decide(call, compliant)[0].winner
    if winner is None or winner.unit_price is None:
        return None
    return next(o for o in compliant if o.id == winner.offer_id)


def ask_winner_evidence(
    actor: User | None, call: JointCall, asked_for: str, due_at: dt.datetime
) -> WinnerEvidence:
    """Ask the provisional winner for its supporting documents (art. 59(4)); the rules are in
    procurement.calls.access.evidence."""
    require_role(actor, Role.AUTHORITY)
    offer = provisional_winner(call)
    if offer is None:
        raise RuleViolation(
            "No offer would be retained by the award now: there is nobody to ask for evidence."
        )
    return evidence.ask(actor, call, offer, asked_for, due_at)
