"""Demo maintenance requests on demo labels (idempotent): one approved minor change (two
versions in the scope), one refused after its review, one routed as major.

Runs after the labels' demo; does nothing once any maintenance request exists, or when there
are not three valid labels with a declared version outside their scope.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from catalog import services
from catalog.models import SolutionChangeRequest, SolutionVersion
from evaluations import maintenance
from evaluations.labels.certified import scope_entries
from evaluations.models import Label, LabelStatus, MaintenanceRequest
from registry.database import db, utcnow
from registry.demo import AUTHORITY_EMAIL, DEMO_DOMAIN, EVALUATION_BODIES
from registry.models import User
from registry.norms.models import NormCriterion


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _vendor_user(label: Label) -> User | None:
    return db.session.scalar(
        select(User)
        .where(User.organisation_id == label.vendor_id, User.is_active.is_(True))
        .order_by(User.id)
        .limit(1)
    )


def _candidates() -> list[tuple[Label, SolutionVersion, User]]:
    """Valid labels with a scope, a version outside it and a vendor user, oldest first."""
    found = []
    labels = db.session.scalars(
        select(Label).where(Label.status == LabelStatus.VALID).order_by(Label.id)
    )
    for label in labels:
        versions = maintenance.versions_to_declare(label)
        vendor = _vendor_user(label)
        if versions and vendor is not None and scope_entries(label):
            found.append((label, versions[0], vendor))
    return found


def _touched(label: Label) -> list[NormCriterion]:
    """Two criteria of the label's norm: the first scored one, and the first pass/fail one."""
    criteria = label.norm_version.ordered_criteria()
    scored = [c for c in criteria if c.kind.value != "pass_fail"][:1]
    pass_fail = [c for c in criteria if c.kind.value == "pass_fail"][:1]
    return scored + pass_fail or criteria[:1]


def _reviewed(
    people: dict[str, User], label: Label, version: SolutionVersion, analysis: str, score: str
) -> MaintenanceRequest:
    """A request declared by the vendor, routed minor, declared free of conflict, reviewed."""
    touched = _touched(label)
    request = maintenance.declare_maintenance(
        people["vendor"], label, version, analysis, [c.code for c in touched], False
    )
    due = utcnow().date() + dt.timedelta(days=21)
    maintenance.route(people["authority"], request, "minor", people["evaluator"], due)
    maintenance.declare_conflict(people["evaluator"], request, False, "")
    for criterion in touched:
        value = "pass" if criterion.kind.value == "pass_fail" else score
        maintenance.save_score(
            people["evaluator"],
            request,
            criterion,
            value,
            f"Demo: {criterion.code} re-tested on version {version.version}.",
        )
    maintenance.submit_review(
        people["evaluator"], request, "Demo: the touched criteria re-tested on the new version."
    )
    return request


def seed_demo_maintenance() -> list[Any]:
    """Three demo maintenance requests; running it twice changes nothing."""
    authority = _user(AUTHORITY_EMAIL)
    evaluator = _user(f"{EVALUATION_BODIES[0][1]}@{DEMO_DOMAIN}")
    if authority is None or evaluator is None:
        return []
    if db.session.scalar(select(MaintenanceRequest.id).limit(1)) is not None:
        return []
    candidates = _candidates()
    if len(candidates) < 3:
        return []
    (first, new_first, vendor_first), (second, new_second, vendor_second) = candidates[:2]
    people = {"authority": authority, "evaluator": evaluator, "vendor": vendor_first}
    approved = _reviewed(
        people,
        first,
        new_first,
        "Demo: a maintenance release. The video export gained a faster codec; formats, "
        "signatures and the audit trail are unchanged.",
        "4",
    )
    maintenance.approve(
        authority, approved, "Demo: the delta review confirms the certified properties."
    )
    people["vendor"] = vendor_second
    refused = _reviewed(
        people,
        second,
        new_second,
        "Demo: the privacy masking was rewritten for the new sensor.",
        "2",
    )
    maintenance.refuse(
        authority,
        refused,
        "Demo: the masking was rewritten rather than adjusted; the review cannot show the "
        "certified level holds. Apply for a new evaluation of this version.",
    )
    third, new_third, vendor_third = candidates[2]
    major = maintenance.declare_maintenance(
        vendor_third,
        third,
        new_third,
        "Demo: a new video analytics engine replaces the former one.",
        [c.code for c in third.norm_version.ordered_criteria()],
        True,
    )
    maintenance.route(
        authority,
        major,
        "major",
        note="Demo: every criterion is touched and the change is security relevant: a new "
        "evaluation is required.",
    )
    db.session.flush()
    return []


# The change the demo vendor asks for: one more declared standard, which a label relies on.
DEMO_CHANGED_STANDARD = "EN 62676-4"


def seed_demo_change_request() -> list[Any]:
    """One pending change of certified facts, on a certified solution; idempotent."""
    if db.session.scalar(select(SolutionChangeRequest.id).limit(1)) is not None:
        return []
    taken = set(db.session.scalars(select(MaintenanceRequest.label_id)))
    for label in db.session.scalars(
        select(Label).where(Label.status == LabelStatus.VALID).order_by(Label.id.desc())
    ):
        vendor = _vendor_user(label)
        solution = label.solution
        if label.id in taken or vendor is None or DEMO_CHANGED_STANDARD in solution.standard_codes:
            continue
        data = services.data_of(solution)
        data.standards = [*data.standards, DEMO_CHANGED_STANDARD]
        data.change_reason = (
            "Demo: the new firmware passed the EN 62676-4 video surveillance test campaign; "
            "the test report is attached to our next maintenance request."
        )
        services.update_solution(vendor, solution, data)
        db.session.flush()
        return []
    return []
