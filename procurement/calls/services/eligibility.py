"""Which vendors' solutions may answer a lot, and why a vendor cannot.

Decided here (docs/PROCUREMENT.md, "Flow" 4–6, gives the overview):

- Eligible solution: a published solution of the vendor whose primary category is the lot's,
  holding a VALID, unexpired label under any version of the lot's norm at a level rank at least
  the lot's (a lot without a norm: any valid label). Every vendor sees open calls; a vendor
  without an eligible solution sees why and has no offer form, and a posted offer is refused.
- A label due for re-certification (evaluations.labels.basis) makes no solution eligible: not
  to be told of a new call, to offer, nor at the award's compliance check. The vendor's
  refusal names such a label and says re-certification is what is missing.
"""

from __future__ import annotations

from collections.abc import Sequence

from procurement.calls.models import JointCall
from procurement.models import Lot
from procurement.services.eligibility import Certified, certified_labels
from procurement.services.needs import level_name


def meets_lot(item: Certified, lot: Lot) -> bool:
    """Whether a certified solution meets the lot: its category, and its norm and level if any."""
    if item.category_id != lot.category_id:
        return False
    return lot.norm_id is None or (item.norm_id == lot.norm_id and item.rank >= lot.level_rank)


def eligible_solutions(vendor_id: int, lot: Lot) -> list[Certified]:
    """The vendor's solutions able to meet the lot, each with its best qualifying label."""
    seen: dict[int, Certified] = {}
    for item in certified_labels([lot.category_id], vendor_id):
        if meets_lot(item, lot) and item.solution_id not in seen:
            seen[item.solution_id] = item
    return list(seen.values())


def eligible_vendor_ids(lot: Lot) -> set[int]:
    """Vendors with at least one solution able to meet the lot."""
    return {item.vendor_id for item in certified_labels([lot.category_id]) if meets_lot(item, lot)}


def requirement_text(lot: Lot) -> str:
    """The lot's requirement in words."""
    if lot.norm is None:
        return f"a valid label (any norm) on a published solution in {lot.category.name}"
    level = level_name(lot.norm, lot.level_rank)
    return (
        f"a valid label under {lot.norm.code} at level {level} or above on a published "
        f"solution in {lot.category.name}"
    )


def ineligibility_reason(vendor_id: int, lot: Lot) -> str:
    """Why the vendor cannot offer ("" when it can)."""
    if eligible_solutions(vendor_id, lot):
        return ""
    due = [
        item
        for item in certified_labels([lot.category_id], vendor_id, with_due=True)
        if item.recertification_due and meets_lot(item, lot)
    ]
    if due:
        held = sorted({f"{item.label_number} ({item.solution_name})" for item in due})
        which = f"label {held[0]} is" if len(held) == 1 else f"labels {', '.join(held)} are"
        return (
            f"Your {which} due for re-certification: the norm version was superseded and "
            "the transition date has passed, or the norm was withdrawn. A label due for "
            "re-certification does not make a solution eligible for a joint call; have the "
            "solution certified against the version in force."
        )
    if lot.norm is None:
        return f"None of your published solutions in {lot.category.name} holds a valid label."
    level = level_name(lot.norm, lot.level_rank)
    return (
        f"None of your published solutions in {lot.category.name} holds a valid label "
        f"under {lot.norm.code} at level {level} or above."
    )


def vendor_eligibility(vendor_id: int, calls: Sequence[JointCall]) -> dict[int, str]:
    """Call id → why the vendor cannot offer ("" when it can), in one query."""
    certified = certified_labels({call.lot.category_id for call in calls}, vendor_id)
    result = {}
    for call in calls:
        can = any(meets_lot(item, call.lot) for item in certified)
        result[call.id] = "" if can else ineligibility_reason(vendor_id, call.lot)
    return result
