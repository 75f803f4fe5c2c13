"""Awarding a call: compliance at award time, the decision, contract lines and the mail.

Decided here (docs/PROCUREMENT.md, "Flow" 4–6, gives the overview):

- Award (pure rules in procurement.award): every offer still compliant at award time goes
  through the drop-out loop; the winner is the lowest final unit price leaving at least
  max(2, the round's minimum buyers) buyers. Nothing viable: the call ends unsuccessful with
  the reason. A buyer that dropped out gets its need back to OPEN (it may pool again at the
  next round); contracted needs become CONTRACTED.
- Modelled pooling effect: Σ qᵢ·p(qᵢ) per remaining buyer on the round's price curve anchored
  at the awarded unit price for the awarded quantity (a round stores only its slope β), and
  1 − total value / that value. It is a model: the awarded price cancels out of it, so it is
  stored (column ``realised_saving``, kept for history) and shown only under that name. What
  the award saves against observed prices is read from the offers (``calls.savings``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from evaluations.labels.dates import add_months
from procurement import award as award_rules
from procurement import services
from procurement.call_models import Award, AwardDropout, CallStatus, ContractLine, JointCall, Offer
from procurement.calls.eligibility import _meets, requirement_text
from procurement.calls.lifecycle import _close, _end_unsuccessful, _require_awaiting_award
from procurement.calls.limits import _CENT, _SAVING_STEP
from procurement.calls.notices import _org_emails, call_link
from procurement.calls.opening import open_offers
from procurement.models import Lot, LotMember, LotStatus, NeedStatus
from registry import audit
from registry.access import require_role
from registry.database import db, utcnow
from registry.mail import send_mail
from registry.models import Role, User


def _member_input(member: LotMember) -> award_rules.MemberInput:
    need = member.need
    return award_rules.MemberInput(
        need_id=need.id,
        buyer_id=member.buyer_id,
        firm_quantity=need.firm_quantity,
        optional_quantity=need.optional_quantity,
        ceiling=need.max_unit_price,
    )


def _offer_input(offer: Offer) -> award_rules.OfferInput:
    return award_rules.OfferInput(
        id=offer.id,
        tiers=tuple(award_rules.Tier(t.min_quantity, t.unit_price) for t in offer.tiers),
        lead_time_days=offer.lead_time_days,
        submitted_at=offer.submitted_at,
    )


def compliance(call: JointCall) -> dict[int, str]:
    """Offer id → why it is no longer compliant ("" when it is), checked now."""
    certified = [
        item for item in services.certified_labels([call.lot.category_id]) if _meets(item, call.lot)
    ]
    by_solution = {(item.vendor_id, item.solution_id) for item in certified}
    return {
        offer.id: ""
        if (offer.vendor_id, offer.solution_id) in by_solution
        else f"{offer.solution.name} no longer holds {requirement_text(call.lot)}"
        for offer in call.offers
    }


def min_buyers(lot: Lot) -> int:
    """Buyers an award must keep: the round's minimum, and never fewer than two."""
    return max(award_rules.MIN_BUYERS, services.round_parameters(lot.round).min_buyers)


def award_call(actor: User | None, call: JointCall) -> JointCall:
    """Award the call to the best compliant offer, or end it unsuccessful (see the docstring)."""
    authority = require_role(actor, Role.AUTHORITY)
    _require_awaiting_award(call, "the award")
    open_offers(call)  # the opening entry comes first, whoever reads the call first
    lot = call.lot
    checks = compliance(call)
    compliant = [offer for offer in call.offers if not checks[offer.id]]
    members = [_member_input(member) for member in lot.active_members]
    decision = award_rules.decide(members, [_offer_input(o) for o in compliant], min_buyers(lot))
    excluded = [f"{o.reference}: {checks[o.id]}" for o in call.offers if checks[o.id]]
    refused = [
        f"OFFER-{outcome.offer_id:05d}: {outcome.reason}"
        for outcome in decision.outcomes
        if not outcome.viable
    ]
    winner = decision.winner
    if winner is None or winner.unit_price is None:
        reason = decision.reason
        if excluded or refused:
            reason += " " + "; ".join(excluded + refused) + "."
        _end_unsuccessful(authority, call, reason, "call.award_unsuccessful")
        return call
    offer = next(o for o in compliant if o.id == winner.offer_id)
    price = winner.unit_price
    total = (winner.quantity * price).quantize(_CENT)
    beta = (
        services.round_parameters(lot.round)
        .curve_for_key(lot.category.code, lot.unit.value, lot.currency)
        .beta
    )
    counterfactual = award_rules.counterfactual_value(
        award_rules.quantities_by_buyer(winner.kept), price, beta
    ).quantize(_CENT)
    saving = (1 - total / counterfactual).quantize(_SAVING_STEP) if counterfactual else Decimal(0)
    start = services.today()
    rationale = (
        f"{offer.reference} ({offer.vendor.name}, {offer.solution.name}) at {price} "
        f"{lot.currency} per unit for {winner.quantity} units, lead time "
        f"{offer.lead_time_days} days: the lowest final unit price of "
        f"{len(decision.outcomes)} compliant offer(s)."
    )
    if winner.dropouts:
        rationale += (
            f" {len(winner.dropouts)} buyer need(s) dropped out above their maximum unit price"
            f" and the rest was re-priced in {len(winner.steps)} step(s)."
        )
    if excluded or refused:
        rationale += " Not retained: " + "; ".join(excluded + refused) + "."
    decided = Award(
        call=call,
        offer_id=offer.id,
        quantity=winner.quantity,
        maximum_quantity=winner.maximum_quantity,
        unit_price=price,
        total_value=total,
        counterfactual_value=counterfactual,
        realised_saving=saving,
        rationale=rationale,
        decided_at=utcnow(),
        decided_by_id=authority.id,
        contract_start=start,
        contract_end=add_months(start, call.contract_months) - dt.timedelta(days=1),
    )
    db.session.add(decided)
    members_by_need = {member.need_id: member for member in lot.active_members}
    for kept in winner.kept:
        member = members_by_need[kept.need_id]
        decided.lines.append(
            ContractLine(
                member_id=member.id,
                need_id=kept.need_id,
                buyer_id=kept.buyer_id,
                quantity=kept.firm_quantity,
                maximum_quantity=kept.firm_quantity + kept.optional_quantity,
                unit_price=price,
                value=(kept.firm_quantity * price).quantize(_CENT),
                created_at=utcnow(),
            )
        )
        member.need.status = NeedStatus.CONTRACTED
        member.need.updated_at = utcnow()
    for dropout in winner.dropouts:
        member = members_by_need[dropout.need_id]
        decided.dropouts.append(
            AwardDropout(
                member_id=member.id,
                need_id=dropout.need_id,
                buyer_id=dropout.buyer_id,
                ceiling=dropout.ceiling,
                price_at_dropout=dropout.price_at_dropout,
            )
        )
        member.need.status = NeedStatus.OPEN
        member.need.updated_at = utcnow()
    _close(call, authority, CallStatus.AWARDED, "")
    lot.status = LotStatus.AWARDED
    db.session.flush()
    _notify_award(call, decided)
    audit.record(
        authority,
        "call.award",
        call,
        summary=f"{call.reference} awarded to {offer.reference}",
        data={
            "award": decided.id,
            "offer": offer.id,
            "unit_price": str(price),
            "quantity": winner.quantity,
            "contract_lines": len(decided.lines),
            "dropouts": [d.need_id for d in decided.dropouts],
            "modelled_pooling_saving": str(saving),
        },
    )
    return call


def _notify_award(call: JointCall, decided: Award) -> None:
    link = call_link(call)
    currency = call.lot.currency
    for line in decided.lines:
        for email in _org_emails([line.buyer_id]):
            send_mail(
                email,
                f"Joint call {call.reference} awarded: your contract {line.reference}",
                (
                    f"The joint call “{call.title}” is awarded. Your need "
                    f"“{line.need.title}” is contracted: {line.quantity} unit(s) (up to "
                    f"{line.maximum_quantity}) at {line.unit_price} {currency} per unit, "
                    f"from {decided.contract_start} to {decided.contract_end}.\n{link}\n"
                ),
            )
    for dropout in decided.dropouts:
        for email in _org_emails([dropout.buyer_id]):
            send_mail(
                email,
                f"Joint call {call.reference} awarded above your maximum price",
                (
                    f"The joint call “{call.title}” is awarded, but the unit price "
                    f"({dropout.price_at_dropout} {currency}) was above your maximum unit price "
                    f"({dropout.ceiling} {currency}) for “{dropout.need.title}”. Your need is "
                    f"open again for the next aggregation round.\n{link}\n"
                ),
            )
    for offer in call.offers:
        won = offer.id == decided.offer_id
        for email in _org_emails([offer.vendor_id]):
            send_mail(
                email,
                f"Joint call {call.reference}: your offer "
                + ("is awarded" if won else "was not retained"),
                (
                    f"Your offer {offer.reference} on “{call.title}” "
                    + (
                        f"is awarded: {decided.quantity} unit(s) at {decided.unit_price} "
                        f"{currency} for {len(decided.lines)} buyer(s)."
                        if won
                        else f"was not retained; the call was awarded at {decided.unit_price} "
                        f"{currency} per unit."
                    )
                    + f"\n{link}\n"
                ),
            )
