"""Which vendors' solutions may answer a lot, and why a vendor cannot.

Decided here (docs/PROCUREMENT.md, "Flow" 4–6, gives the overview):

- Eligible solution: a published solution of the vendor whose primary category is the lot's,
  holding a VALID, unexpired label under any version of the lot's norm at a level rank at least
  the lot's (a lot without a norm: any valid label). Every vendor sees open calls; a vendor
  without an eligible solution sees why and has no offer form, and a posted offer is refused.
- A label due for re-certification (evaluations.labels.basis) makes no solution eligible: not
  to be told of a new call, to offer, nor at the award's compliance check. The vendor's
  refusal names such a label and says re-certification is what is missing.
- A call may require the offered version in scope (`requires_version_in_scope`): an offer then
  names a version of its solution, and only a qualifying label whose certified scope holds that
  version makes the offer eligible (on every save and at the award's compliance check). A
  label issued before versions existed has an empty scope and holds no version.
- A call may exclude solutions with an open vulnerability (`max_open_vulnerability_severity`):
  a solution with a disclosed, confirmed and unfixed case at or above that severity is not
  eligible (not told of the call, no offer, not compliant at the award), and the refusal names
  the case's reference and severity. Undisclosed cases never count: a buyer may not know them.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from catalog.models import SolutionVersion
from catalog.vulnerability_facts import OpenVulnerability, open_vulnerabilities, severity_rank
from evaluations.models import LabelScope
from procurement.calls.models import JointCall
from procurement.models import Lot
from procurement.services.eligibility import Certified, certified_labels
from procurement.services.needs import level_name
from registry.database import db


def excluding(call: JointCall, solution_ids: Sequence[int]) -> dict[int, OpenVulnerability]:
    """Solution id → its worst open vulnerability at or above the call's severity, for the
    solutions the call's vulnerability option excludes (one query)."""
    threshold = call.max_open_vulnerability_severity
    if threshold is None or not solution_ids:
        return {}
    limit = severity_rank(threshold.value)
    result = {}
    for solution_id, found in open_vulnerabilities(solution_ids).items():
        over = [item for item in found if item.rank >= limit]
        if over:
            result[solution_id] = over[0]  # worst first
    return result


def exclusion_text(solution_name: str, case: OpenVulnerability) -> str:
    """Why a solution is excluded, naming the case and its severity."""
    return (
        f"{solution_name} has an open vulnerability, {case.reference} "
        f"({case.severity or 'unrated'}), at or above the severity this call excludes."
    )


def vulnerability_rule_text(call: JointCall) -> str:
    """The call's vulnerability option in words."""
    if call.max_open_vulnerability_severity is None:
        return "No exclusion for open vulnerabilities"
    return (
        "Solutions with an open confirmed vulnerability of severity "
        f"{call.max_open_vulnerability_severity.value} or above are not eligible"
    )


def meets_lot(item: Certified, lot: Lot) -> bool:
    """Whether a certified solution meets the lot: its category, and its norm and level if any."""
    if item.category_id != lot.category_id:
        return False
    return lot.norm_id is None or (item.norm_id == lot.norm_id and item.rank >= lot.level_rank)


def eligible_solutions(vendor_id: int, lot: Lot, call: JointCall | None = None) -> list[Certified]:
    """The vendor's solutions able to meet the lot (and the call's vulnerability option, when
    a call is given), each with its best qualifying label."""
    seen: dict[int, Certified] = {}
    for item in certified_labels([lot.category_id], vendor_id):
        if meets_lot(item, lot) and item.solution_id not in seen:
            seen[item.solution_id] = item
    if call is not None:
        excluded = excluding(call, list(seen))
        return [item for item in seen.values() if item.solution_id not in excluded]
    return list(seen.values())


def eligible_vendor_ids(lot: Lot, call: JointCall | None = None) -> set[int]:
    """Vendors with at least one solution able to meet the lot (and the call's option)."""
    items = [item for item in certified_labels([lot.category_id]) if meets_lot(item, lot)]
    if call is not None:
        excluded = excluding(call, [item.solution_id for item in items])
        items = [item for item in items if item.solution_id not in excluded]
    return {item.vendor_id for item in items}


def requirement_text(lot: Lot) -> str:
    """The lot's requirement in words."""
    if lot.norm is None:
        return f"a valid label (any norm) on a published solution in {lot.category.name}"
    level = level_name(lot.norm, lot.level_rank)
    return (
        f"a valid label under {lot.norm.code} at level {level} or above on a published "
        f"solution in {lot.category.name}"
    )


def call_requirement_text(call: JointCall) -> str:
    """The call's requirement in words, the version rule included."""
    text = requirement_text(call.lot)
    if call.requires_version_in_scope:
        text += ", the version offered being in that label's certified scope"
    if call.max_open_vulnerability_severity is not None:
        text += (
            ", without an open confirmed vulnerability of severity "
            f"{call.max_open_vulnerability_severity.value} or above"
        )
    return text


def label_for_version(
    vendor_id: int, lot: Lot, solution_id: int, version_id: int
) -> Certified | None:
    """The solution's best label meeting the lot whose certified scope holds the version."""
    candidates = [
        item
        for item in certified_labels([lot.category_id], vendor_id)
        if item.solution_id == solution_id and meets_lot(item, lot)
    ]
    if not candidates:
        return None
    holding = set(
        db.session.scalars(
            select(LabelScope.label_id).where(
                LabelScope.version_id == version_id,
                LabelScope.label_id.in_([item.label_id for item in candidates]),
            )
        ).all()
    )
    return next((item for item in candidates if item.label_id in holding), None)


def version_choices(solutions: Sequence[Certified]) -> list[tuple[int, str]]:
    """The declared versions of these solutions, as (version id, "Solution version") pairs."""
    names = {item.solution_id: item.solution_name for item in solutions}
    if not names:
        return []
    rows = db.session.scalars(
        select(SolutionVersion)
        .where(SolutionVersion.solution_id.in_(sorted(names)))
        .order_by(SolutionVersion.solution_id, SolutionVersion.released_on.desc())
    ).all()
    return [(row.id, f"{names[row.solution_id]} {row.version}") for row in rows]


def ineligibility_reason(vendor_id: int, lot: Lot, call: JointCall | None = None) -> str:
    """Why the vendor cannot offer ("" when it can); with a call, its vulnerability option too."""
    meeting = eligible_solutions(vendor_id, lot)
    if meeting and call is not None:
        excluded = excluding(call, [item.solution_id for item in meeting])
        if len(excluded) < len(meeting):
            return ""
        return " ".join(
            exclusion_text(item.solution_name, excluded[item.solution_id]) for item in meeting
        )
    if meeting:
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
        meeting = [item for item in certified if meets_lot(item, call.lot)]
        if call.max_open_vulnerability_severity is not None:
            excluded = excluding(call, [item.solution_id for item in meeting])
            meeting = [item for item in meeting if item.solution_id not in excluded]
        result[call.id] = "" if meeting else ineligibility_reason(vendor_id, call.lot, call)
    return result
