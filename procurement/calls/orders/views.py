"""Orders under a framework: a contract line's orders and order form, and each order."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, url_for

from procurement.calls.orders import services
from procurement.calls.orders.forms import OrderForm
from procurement.calls.orders.models import CallOrder
from registry.access import roles_required
from registry.database import db, utcnow
from registry.exceptions import RuleViolation
from registry.models import Role
from registry.views.actions import show_violation

bp = Blueprint("call_orders", __name__, url_prefix="/procurement")


def _line_page(line_id: int, form: OrderForm | None = None, status: int = 200) -> Any:
    line = services.get_line(g.user, line_id)
    page = db.paginate(
        services.orders_of_line(line), per_page=current_app.config["PER_PAGE"], error_out=False
    )
    may_order = g.user.role is Role.BUYER
    return (
        render_template(
            "procurement/calls/orders/line.html",
            line=line,
            award=line.award,
            call=line.award.call,
            page=page,
            remaining=services.remaining(line),
            problem=services.order_problem(line, utcnow().date()),
            form=(form or OrderForm()) if may_order else None,
        ),
        status,
    )


@bp.get("/contracts/<int:line_id>/orders")
@roles_required(*services.READERS)
def line_orders(line_id: int) -> Any:
    """A contract line's orders, what remains to order and (for its buyer) the order form."""
    return _line_page(line_id)


@bp.post("/contracts/<int:line_id>/orders")
@roles_required(Role.BUYER)
def place_order(line_id: int) -> Any:
    """Place an order on the buyer's own signed contract line."""
    line = services.get_line(g.user, line_id)
    form = OrderForm()
    if form.validate_on_submit():
        try:
            order: CallOrder = services.place_order(
                g.user, line, form.quantity.data or 0, form.note.data or ""
            )
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash(f"{order.reference} is placed; the vendor was sent it.", "success")
            return redirect(url_for("call_orders.order", order_id=order.id))
    return _line_page(line_id, form, 400)


@bp.get("/orders/<int:order_id>")
@roles_required(*services.READERS)
def order(order_id: int) -> str:
    """An order: to its buyer, the vendor and the authority."""
    item = services.get_order(g.user, order_id)
    return render_template(
        "procurement/calls/orders/order.html",
        order=item,
        line=item.line,
        call=item.line.award.call,
    )
