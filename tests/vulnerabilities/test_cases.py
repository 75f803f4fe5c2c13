"""A case's life: intake, analysis, scores, deadlines, disclosure and what it does to labels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from cryptography.exceptions import InvalidTag
from cvss import CVSS3, CVSS4
from flask import Flask
from sqlalchemy import select

from catalog.models import SolutionStatus
from evaluations import maintenance
from evaluations.labels.remediation import open_advisories
from evaluations.labels.status_changes import reinstate_label, suspend_label
from evaluations.models import LabelEvent, LabelStatus
from registry.database import db
from registry.dates import today
from registry.exceptions import AccessDenied, NotVisible, RuleViolation
from registry.mail import read_outbox
from registry.models import OrganisationKind, User
from tests.vulnerabilities.case_builders import (
    CRITICAL_V3,
    HIGH_V4,
    MEDIUM_V3,
    Scene,
    confirmed,
    make_scene,
    reported,
)
from vulnerabilities import cases, sealed_reports
from vulnerabilities.labels import apply_label_effects, labels_to_suspend
from vulnerabilities.models import CaseStatus, ProductStatus, Severity, VexJustification
from vulnerabilities.scoring import score_v3, score_v4


@pytest.fixture
def scene(app: Flask, create_user: Callable[..., User]) -> Iterator[Scene]:
    with app.test_request_context():
        yield make_scene(create_user)


def test_a_report_gets_a_reference_deadlines_and_a_sealed_body(app: Flask, scene: Scene) -> None:
    case = reported(scene)
    assert case.reference == f"VULN-{today().year}-{case.id:05d}"
    assert case.status is CaseStatus.REPORTED
    assert case.analysis_due == today() + dt.timedelta(days=14)
    assert case.embargo_until == today() + dt.timedelta(days=90)
    # The body is not in the row as text; it reads back for the vendor and the authority only.
    assert b"/stream" not in (case.report_sealed or b"")
    assert cases.report_text(scene.vendor, case)[0].startswith("GET /stream")
    with pytest.raises(NotVisible):
        cases.report_text(None, case)
    # The vendor and the authority hear of it; the mail carries no detail of the report.
    mails = read_outbox(app.config["OUTBOX_DIR"])
    to = {m.to for m in mails}
    assert scene.vendor.email in to and scene.authority.email in to
    assert all("/stream" not in m.body for m in mails)


def test_a_sealed_report_refuses_to_open_once_altered(scene: Scene) -> None:
    sealed = bytearray(sealed_reports.seal("secret"))
    sealed[-1] ^= 1
    with pytest.raises(InvalidTag):
        sealed_reports.unseal(bytes(sealed))


def test_scores_are_the_cvss_librarys(scene: Scene) -> None:
    for vector in (CRITICAL_V3, MEDIUM_V3):
        assert score_v3(vector).score == float(CVSS3(vector).base_score)
    assert score_v4(HIGH_V4).score == float(CVSS4(HIGH_V4).base_score)
    assert score_v4(HIGH_V4).severity is Severity.CRITICAL
    with pytest.raises(RuleViolation, match="AV:X"):
        score_v3("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")


def test_confirming_sets_the_remediation_deadline_by_severity(app: Flask, scene: Scene) -> None:
    case = reported(scene)
    confirmed(scene, case)
    assert case.severity is Severity.CRITICAL
    assert case.remediation_due == today() + dt.timedelta(days=30)
    assert [v.version for v in cases.versions_with(case, ProductStatus.KNOWN_AFFECTED)] == ["1.0"]
    assert [e.action for e in case.events] == ["reported", "analysis_started", "confirmed"]


def test_another_vendor_neither_sees_nor_acts(
    app: Flask, scene: Scene, create_user: Callable[..., User]
) -> None:
    other = create_user(kind=OrganisationKind.VENDOR)
    case = reported(scene)
    with pytest.raises(NotVisible):
        cases.get_case(other, case.reference)
    with pytest.raises(NotVisible):
        cases.start_analysis(other, case)
    assert case not in db.session.scalars(cases.visible_cases(other)).all()
    assert case in db.session.scalars(cases.visible_cases(scene.vendor)).all()


def test_an_embargoed_case_marks_labels_only_once_the_embargo_ends(scene: Scene) -> None:
    case = reported(scene, embargo=today() + dt.timedelta(days=10))
    confirmed(scene, case)
    assert not cases.is_disclosed(case)
    assert open_advisories(scene.label) == []
    assert apply_label_effects(on=today() + dt.timedelta(days=9)) == []
    assert apply_label_effects(on=today() + dt.timedelta(days=10)) == [case]
    db.session.commit()
    [advisory] = open_advisories(scene.label)
    assert advisory.case_reference == case.reference
    actions = db.session.scalars(
        select(LabelEvent.action).where(LabelEvent.label_id == scene.label.id)
    ).all()
    assert "remediation" in actions
    # Once only.
    assert apply_label_effects(on=today() + dt.timedelta(days=11)) == []


def test_a_medium_case_does_not_mark_labels_by_default(scene: Scene) -> None:
    case = reported(scene, embargo=today())
    confirmed(scene, case, MEDIUM_V3)
    assert cases.is_disclosed(case)
    assert open_advisories(scene.label) == []


def test_a_missed_deadline_lists_the_label_to_suspend(scene: Scene) -> None:
    case = reported(scene, embargo=today())
    confirmed(scene, case)
    assert labels_to_suspend() == []
    assert case.remediation_due is not None
    [entry] = labels_to_suspend(on=case.remediation_due + dt.timedelta(days=1))
    assert entry.label.id == scene.label.id and case.reference in entry.reason


def _fix_certified(scene: Scene) -> None:
    """Version 1.1 joins the label's scope by an approved minor maintenance."""
    request = maintenance.declare_maintenance(
        scene.vendor, scene.label, scene.fix, "Session check restored.", ("EXPORT",), False
    )
    due = today() + dt.timedelta(days=14)
    evaluator = scene.world.evaluators[0]
    maintenance.route(scene.authority, request, "minor", evaluator, due, "Small")
    maintenance.declare_conflict(evaluator, request, False, "")
    criterion = next(c for c in scene.world.version.criteria if c.code == "EXPORT")
    maintenance.save_score(evaluator, request, criterion, "4", "Checked the change.")
    maintenance.submit_review(evaluator, request, "Only the session check changed.")
    maintenance.approve(scene.authority, request, "The delta review is sound.")
    db.session.commit()


def test_the_fixed_version_joining_the_scope_ends_the_mark(scene: Scene) -> None:
    case = reported(scene, embargo=today())
    confirmed(scene, case)
    assert len(open_advisories(scene.label)) == 1
    cases.mark_fixed(scene.vendor, case, scene.fix, "Session check restored.")
    db.session.commit()
    assert case.status is CaseStatus.FIXED
    assert len(open_advisories(scene.label)) == 1  # fixed, but not yet certified
    _fix_certified(scene)
    assert open_advisories(scene.label) == []


def test_a_label_suspended_for_a_case_takes_the_fix_and_can_be_reinstated(scene: Scene) -> None:
    case = reported(scene, embargo=today())
    confirmed(scene, case)
    [entry] = labels_to_suspend(on=today() + dt.timedelta(days=31))
    suspend_label(scene.authority, scene.label, entry.reason)
    cases.mark_fixed(scene.vendor, case, scene.fix, "Session check restored.")
    db.session.commit()
    _fix_certified(scene)
    assert scene.label.status is LabelStatus.SUSPENDED  # the authority decides, not the system
    assert open_advisories(scene.label) == []
    reinstate_label(
        scene.authority,
        scene.label,
        "Version 1.1 fixes the case and is certified.",
        no_response_reason="The fix was verified by a re-test.",
    )
    db.session.commit()
    assert scene.label.status.value == "valid"


def test_not_affected_needs_a_vex_justification(scene: Scene) -> None:
    case = reported(scene)
    with pytest.raises(RuleViolation, match="VEX"):
        cases.declare_not_affected(scene.vendor, case, justification="nope", analysis="Fine.")
    cases.declare_not_affected(
        scene.vendor,
        case,
        justification=VexJustification.VULNERABLE_CODE_NOT_PRESENT,
        analysis="The stream handler is not built into 1.0.",
    )
    db.session.commit()
    assert case.status is CaseStatus.NOT_AFFECTED
    assert cases.versions_with(case, ProductStatus.KNOWN_NOT_AFFECTED) == [scene.first]


def test_only_the_authority_rejects(scene: Scene) -> None:
    case = reported(scene)
    with pytest.raises(AccessDenied):
        cases.reject(scene.vendor, case, "Spam")
    cases.reject(scene.authority, case, "Not about this product.")
    assert case.status is CaseStatus.REJECTED
    assert not cases.is_disclosed(case, today() + dt.timedelta(days=400))


def test_a_researcher_reports_only_on_a_published_solution(scene: Scene) -> None:
    solution = scene.label.solution
    solution.status = SolutionStatus.DRAFT
    with pytest.raises(NotVisible):
        reported(scene)
