"""`flask --app app procurement ...`: aggregation rounds from the command line."""

from __future__ import annotations

from decimal import Decimal

import click

from procurement.aggregation.parameters import AggregationParameters
from procurement.aggregation.pricing import DEFAULT_BETA, PriceCurve
from procurement.services.rounds import round_curves, round_lots, run_aggregation, unmatched_needs
from registry.database import db
from registry.dates import today
from registry.money import money_text
from registry.wording import counted


@click.group("procurement")
def procurement_group() -> None:
    """Buyer needs and joint-procurement lots."""


@procurement_group.command("aggregate")
@click.option(
    "--region-level",
    type=click.IntRange(0, 2),
    default=2,
    show_default=True,
    help="1 pools nationally, 2 within each region.",
)
@click.option("--min-buyers", type=click.IntRange(1, 50), default=2, show_default=True)
@click.option("--min-vendors", type=click.IntRange(0, 50), default=2, show_default=True)
@click.option(
    "--min-saving",
    type=click.FloatRange(0, 90),
    default=5.0,
    show_default=True,
    help=(
        "Minimum modelled saving of pooling, in percent: 1 − Q^(1+β)/Σqᵢ^(1+β) of the "
        "buyers' quantities on the price–volume curve, not a price observed."
    ),
)
@click.option(
    "--lot-value-cap",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Maximum value of a lot (maximum quantity at the ceilings).",
)
@click.option(
    "--beta",
    type=click.FloatRange(-0.99, -0.01),
    default=float(DEFAULT_BETA),
    show_default=True,
    help="Slope of the price–volume curve where past awards are too few to fit one.",
)
@click.option("--procedure-days", type=click.IntRange(0, 365), default=60, show_default=True)
@click.option("--lead-time-days", type=click.IntRange(0, 365), default=30, show_default=True)
def aggregate_command(
    region_level: int,
    min_buyers: int,
    min_vendors: int,
    min_saving: float,
    lot_value_cap: float | None,
    beta: float,
    procedure_days: int,
    lead_time_days: int,
) -> None:
    """Run an aggregation round over the open needs and print a summary."""
    params = AggregationParameters(
        today=today(),
        region_level=region_level,
        min_buyers=min_buyers,
        min_vendors=min_vendors,
        # Through str: the user typed a decimal, not a binary float.
        min_saving=Decimal(str(min_saving)) / 100,
        lot_value_cap=None if lot_value_cap is None else Decimal(str(lot_value_cap)),
        procedure_days=procedure_days,
        lead_time_days=lead_time_days,
        price_curve=PriceCurve(beta=Decimal(str(beta))),
    )
    round_ = run_aggregation(None, params, from_command_line=True)
    db.session.commit()
    click.echo(
        f"Round {round_.id}: {counted(round_.needs_considered, 'open need')}, "
        f"{counted(round_.lots_proposed, 'lot')} proposed with "
        f"{counted(round_.needs_pooled, 'need')}, "
        f"{round_.needs_unmatched} unmatched."
    )
    for item in round_curves(round_):
        click.echo(
            f"  curve {item.category}/{item.unit}/{item.currency}: beta {item.curve.beta:.3f} "
            f"({'fitted on' if item.slope_fitted else 'default, anchored at'} "
            f"{counted(item.awards, 'award')})"
        )
    for lot in round_lots(round_):
        click.echo(
            f"  {lot.reference}  {lot.category.code:<22} {lot.unit.value:<17} "
            f"{lot.region_path or '-':<10} buyers {lot.buyers:>2}  "
            f"quantity {lot.firm_quantity}/{lot.maximum_quantity}  "
            f"price {money_text(lot.estimated_unit_price, lot.currency)}  "
            f"saving {lot.estimated_saving * 100:.1f} %"
        )
    reasons: dict[str, int] = {}
    for need in unmatched_needs():
        reasons[need.unmatched_reason or "?"] = reasons.get(need.unmatched_reason or "?", 0) + 1
    for reason, count in sorted(reasons.items()):
        click.echo(f"  unmatched {reason}: {count}")


@procurement_group.command("open-offers")
def open_offers_command() -> None:
    """List the calls past their deadline whose offers await their opening officers.

    For the cron (its output is mailed): offers open only when enough named officers release
    their shares in the portal; nothing is opened here.
    """
    from procurement.calls.sealing.services import opening_counts
    from procurement.calls.services.opening import calls_awaiting_opening

    waiting = calls_awaiting_opening()
    for call in waiting:
        counts = opening_counts(call)
        released = f"{counts['released']} of {counts['threshold']}" if counts else "1 officer"
        click.echo(f"{call.reference}: awaiting its opening officers ({released} shares).")
    click.echo(f"{counted(len(waiting), 'call')} await opening.")


@procurement_group.command("publish")
def publish_command() -> None:
    """Publish every OCDS release due and not yet stored (or changed since): the backfill.

    Idempotent: a second run publishes nothing. Each procurement change publishes what it makes
    due when it is committed and the open-data endpoints only read: this command stores what
    became due as time passed (a deadline) and catches up after an upgrade (run it on a cron).
    """
    from procurement.ocds.packages import publish_all
    from registry import audit

    count = publish_all()
    if count:
        audit.record(
            None,
            "ocds.publish",
            object_type="published_release",
            summary=f"{counted(count, 'OCDS release')} published from the command line.",
            data={"releases": count},
        )
        db.session.commit()
    click.echo(f"{counted(count, 'release')} published.")
