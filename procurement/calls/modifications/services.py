"""Modifications of a signed contract line (Directive 2014/24/EU art. 72), decided here:

- The authority records a modification of a signed line: a new maximum quantity, unit price or
  last day of ordering (any of them), its legal ground and a description. Its value change is
  maximum × unit price after, less before.
- The portal checks the limits it can: under art. 72(1)(b) and (c) each modification adds at
  most half of the line's initial value (maximum × unit price as signed); under art. 72(2) the
  net sum of the line's de minimis modifications stays below the EU threshold for supplies
  (legal.regime.threshold) and below 10 % of the initial value. The other grounds rest on the
  authority's description.
- The maximum never goes below what is already ordered: one conditional UPDATE sets the terms
  in force only while the ordered total fits, so an order placed at the same moment cannot pass
  the new maximum (orders check against the line's maximum in force the same way).
- Modifications are seen by whoever sees the line's orders; only the authority records them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Select, select, update

from procurement.calls.legal.regime import threshold
from procurement.calls.models import ContractLine
from procurement.calls.modifications.models import ContractModification, ModificationGround
from registry import audit
from registry.access import require_role
from registry.database import db, utcnow
from registry.exceptions import RuleViolation
from registry.models import Role, User
from registry.wording import counted

DESCRIPTION_MAX = 4000
# Art. 72(1)(b) and (c): each increase at most 50 % of the initial contract's value.
INCREASE_SHARE = Decimal("0.5")
# Art. 72(2)(ii): below 10 % of the initial value for supply and service contracts.
DE_MINIMIS_SHARE = Decimal("0.1")
CAPPED_GROUNDS = (ModificationGround.ADDITIONAL, ModificationGround.UNFORESEEABLE)


def initial_value(line: ContractLine) -> Decimal:
    """The line's value as signed: its maximum quantity × its unit price."""
    return line.maximum_quantity * line.unit_price


def modifications_of_line(line: ContractLine) -> Select[ContractModification]:
    """The line's modifications, oldest first."""
    return (
        select(ContractModification)
        .where(ContractModification.line_id == line.id)
        .order_by(ContractModification.id)
    )


def de_minimis_total(line: ContractLine) -> Decimal:
    """The net value change of the line's art. 72(2) modifications so far."""
    changes = db.session.scalars(
        select(ContractModification.value_change).where(
            ContractModification.line_id == line.id,
            ContractModification.ground == ModificationGround.DE_MINIMIS,
        )
    )
    return sum(changes, Decimal(0))


def limit_problem(line: ContractLine, ground: ModificationGround, change: Decimal) -> str | None:
    """Why a modification of this value change is beyond what its ground allows, or None."""
    initial = initial_value(line)
    if ground in CAPPED_GROUNDS and change > initial * INCREASE_SHARE:
        return (
            f"Under art. 72(1)(b) and (c) a modification may add at most 50 % of the contract's "
            f"initial value ({(initial * INCREASE_SHARE).quantize(Decimal('0.01'))} of "
            f"{initial}); this one adds {change}. A larger increase needs a new procedure."
        )
    if ground is ModificationGround.DE_MINIMIS:
        net = abs(de_minimis_total(line) + change)
        ceiling = min(threshold(), initial * DE_MINIMIS_SHARE)
        if net >= ceiling:
            return (
                f"Under art. 72(2) the line's de minimis modifications together must stay below "
                f"the EU threshold ({threshold()}) and 10 % of the initial value ({initial}): "
                f"with this one they change it by {net}, and must stay below "
                f"{ceiling.quantize(Decimal('0.01'))}. Choose another ground or a smaller change."
            )
    return None


def modify_line(
    actor: User | None,
    line: ContractLine,
    ground: ModificationGround,
    description: str,
    *,
    maximum: int | None = None,
    unit_price: Decimal | None = None,
    end: dt.date | None = None,
    now: dt.datetime | None = None,
) -> ContractModification:
    """Record a modification of a signed line within its ground's limits, audited."""
    user = require_role(actor, Role.AUTHORITY)
    description = description.strip()
    if not description:
        raise RuleViolation("Describe the modification and why its ground applies.", "description")
    if len(description) > DESCRIPTION_MAX:
        raise RuleViolation(f"Keep the description within {DESCRIPTION_MAX} characters.")
    if line.signed_at is None:
        raise RuleViolation(
            f"{line.reference} is not signed yet: only a signed contract can be modified."
        )
    before = (line.maximum_in_force, line.unit_price_in_force, line.end_in_force)
    after = (
        before[0] if maximum is None else maximum,
        before[1] if unit_price is None else unit_price,
        before[2] if end is None else end,
    )
    if after == before:
        raise RuleViolation(
            "Change the maximum quantity, the unit price or the last day: nothing would change."
        )
    if after[0] < 1:
        raise RuleViolation("The maximum quantity must be at least one unit.", "maximum")
    if after[1] <= 0:
        raise RuleViolation("The unit price must be above zero.", "unit_price")
    if after[2] < line.award.contract_start:
        raise RuleViolation(
            f"The last day cannot be before the framework's start, {line.award.contract_start}.",
            "end",
        )
    change = after[0] * after[1] - before[0] * before[1]
    problem = limit_problem(line, ground, change)
    if problem is not None:
        raise RuleViolation(problem)
    updated = db.session.execute(
        update(ContractLine)
        .where(ContractLine.id == line.id, ContractLine.ordered_quantity <= after[0])
        .values(
            modified_maximum_quantity=after[0], modified_unit_price=after[1], modified_end=after[2]
        )
        .returning(ContractLine.id)
        .execution_options(synchronize_session=False)
    ).scalar()
    db.session.refresh(line)
    if updated is None:
        raise RuleViolation(
            f"{counted(line.ordered_quantity, 'unit')} already ordered on {line.reference}: "
            "the maximum cannot go below that.",
            "maximum",
        )
    modification = ContractModification(
        line_id=line.id,
        ground=ground,
        description=description,
        maximum_before=before[0],
        maximum_after=after[0],
        unit_price_before=before[1],
        unit_price_after=after[1],
        end_before=before[2],
        end_after=after[2],
        value_change=change,
        recorded_at=now or utcnow(),
        recorded_by=user,
    )
    db.session.add(modification)
    db.session.flush()
    audit.record(
        user,
        "call.modify",
        modification,
        summary=f"{modification.reference} of {line.reference} ({ground.value})",
        data={
            "line": line.id,
            "ground": ground.value,
            "maximum": [before[0], after[0]],
            "unit_price": [str(before[1]), str(after[1])],
            "end": [before[2].isoformat(), after[2].isoformat()],
            "value_change": str(change),
        },
    )
    return modification
