"""Orders (call-offs) under an awarded framework: who may order, how much, and who sees them.

Decided here (README, "Lawful joint procurement", "Orders under a framework"):

- A buyer orders only against its own contract line, once the line is signed, within the
  framework's period (the award's contract_start to contract_end, days in UTC).
- The sum of a line's orders never exceeds the line's maximum quantity (firm + optional, as
  modified under art. 72 if it was: calls.modifications). The
  running total is the line's ``ordered_quantity``, raised by one conditional UPDATE that
  refuses when the new total would pass the maximum: the database decides, so two orders placed
  at the same moment cannot together exceed it (PostgreSQL re-checks the condition on the
  locked row; SQLite runs one writer at a time).
- The part of an order beyond the firm quantity (counting earlier orders) is marked optional.
- Orders are seen by the line's buyer, the winning vendor and the authority; others get 404.
"""

from __future__ import annotations

import datetime as dt

from flask import url_for
from sqlalchemy import Select, func, select, update

from procurement.calls.models import ContractLine
from procurement.calls.notices import org_emails
from procurement.calls.orders.models import CallOrder
from registry import audit
from registry.access import require_role, require_same_organisation
from registry.arguments import MAX_ID
from registry.database import db, utcnow
from registry.exceptions import NotVisible, RuleViolation
from registry.mail import send_mail
from registry.models import Role, User
from registry.money import money_text
from registry.wording import counted

NOTE_MAX = 2000
READERS = (Role.AUTHORITY, Role.VENDOR, Role.BUYER)


def _may_see(user: User, line: ContractLine) -> bool:
    if user.role is Role.AUTHORITY:
        return True
    if user.role is Role.BUYER:
        return line.buyer_id == user.organisation_id
    return line.award.offer.vendor_id == user.organisation_id


def get_line(actor: User | None, line_id: int) -> ContractLine:
    """A contract line: to its buyer, the winning vendor and the authority; else 404."""
    user = require_role(actor, *READERS)
    line = db.session.get(ContractLine, line_id) if 0 < line_id <= MAX_ID else None
    if line is None or not _may_see(user, line):
        raise NotVisible()
    return line


def get_order(actor: User | None, order_id: int) -> CallOrder:
    """An order: to whoever may see its contract line; else 404."""
    user = require_role(actor, *READERS)
    order = db.session.get(CallOrder, order_id) if 0 < order_id <= MAX_ID else None
    if order is None or not _may_see(user, order.line):
        raise NotVisible()
    return order


def orders_of_line(line: ContractLine) -> Select[CallOrder]:
    """The line's orders, newest first (for pagination)."""
    return (
        select(CallOrder)
        .where(CallOrder.line_id == line.id)
        .order_by(CallOrder.placed_at.desc(), CallOrder.id.desc())
    )


def remaining(line: ContractLine) -> int:
    """How many units can still be ordered on the line."""
    return line.maximum_in_force - line.ordered_quantity


def order_problem(line: ContractLine, today: dt.date) -> str | None:
    """Why the line takes no order today (not signed, outside the framework's period), or None."""
    award = line.award
    if line.signed_at is None:
        return (
            f"{line.reference} is not signed yet: orders can be placed once the buyer has "
            "signed its contract."
        )
    if today < award.contract_start:
        return (
            f"The framework runs from {award.contract_start} to {award.contract_end}: orders "
            f"can be placed from {award.contract_start}."
        )
    end = line.end_in_force
    if today > end:
        return f"The framework ended on {end}: no order can be placed under it any more."
    return None


def place_order(
    actor: User | None,
    line: ContractLine,
    quantity: int,
    note: str = "",
    now: dt.datetime | None = None,
) -> CallOrder:
    """Order `quantity` units on the buyer's own line, audited and mailed to the vendor."""
    user = require_role(actor, Role.BUYER)
    require_same_organisation(user, line.buyer_id)
    moment = now or utcnow()
    if quantity < 1:
        raise RuleViolation("Order at least one unit.", "quantity")
    if len(note) > NOTE_MAX:
        raise RuleViolation(f"Keep the note within {NOTE_MAX} characters.", "note")
    problem = order_problem(line, moment.date())
    if problem is not None:
        raise RuleViolation(problem)
    total = None if quantity > line.maximum_in_force else _add_to_line(line, quantity)
    db.session.refresh(line, ["ordered_quantity"])
    if total is None:
        left = remaining(line)
        raise RuleViolation(
            f"{counted(quantity, 'unit')} would exceed the maximum of {line.maximum_in_force} on "
            f"{line.reference}: {counted(left, 'unit')} remain to be ordered.",
            "quantity",
        )
    before = total - quantity
    order = CallOrder(
        line=line,
        buyer_id=line.buyer_id,
        quantity=quantity,
        optional_quantity=max(0, total - max(line.quantity, before)),
        unit_price=line.unit_price_in_force,
        value=line.unit_price_in_force * quantity,
        note=note,
        placed_at=moment,
        placed_by=user,
    )
    db.session.add(order)
    db.session.flush()
    audit.record(
        user,
        "call.order",
        order,
        summary=f"{order.reference} of {counted(quantity, 'unit')} on {line.reference}",
        data={
            "line": line.id,
            "quantity": quantity,
            "optional_quantity": order.optional_quantity,
            "ordered_total": total,
            "unit_price": str(order.unit_price),
        },
    )
    _mail_vendor(order)
    return order


def _add_to_line(line: ContractLine, quantity: int) -> int | None:
    """Raise the line's ordered total unless it would pass the maximum: the new total, or None."""
    total: int | None = db.session.execute(
        update(ContractLine)
        .where(
            ContractLine.id == line.id,
            ContractLine.ordered_quantity + quantity
            <= func.coalesce(ContractLine.modified_maximum_quantity, ContractLine.maximum_quantity),
        )
        .values(ordered_quantity=ContractLine.ordered_quantity + quantity)
        .returning(ContractLine.ordered_quantity)
        .execution_options(synchronize_session=False)
    ).scalar()
    return total


def _mail_vendor(order: CallOrder) -> None:
    line = order.line
    award = line.award
    call = award.call
    currency = call.lot.currency
    optional = (
        f" ({order.optional_quantity} of them from the optional quantity)"
        if order.optional_quantity
        else ""
    )
    for email in org_emails([award.offer.vendor_id]):
        send_mail(
            email,
            f"Order {order.reference} under {call.reference} from {line.buyer.name}",
            (
                f"{line.buyer.name} orders {counted(order.quantity, 'unit')}{optional} of "
                f"{award.offer.solution.name} at {money_text(order.unit_price, currency)} per unit "
                f"({money_text(order.value, currency)}) under its contract {line.reference} of the "
                f"framework “{call.title}”.\n"
                + (f"Note: {order.note}\n" if order.note else "")
                + url_for("call_orders.order", order_id=order.id, _external=True)
                + "\n"
            ),
        )
