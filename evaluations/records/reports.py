"""Evaluators' reports on their assignment: test reports (PDF, any number, each titled) and
one signed evaluation report.

Signing: the evaluator re-enters their password; the portal records the file's SHA-256, who
signed and when, in the audit chain. A signed report is never replaced in place: a new signed
version supersedes it and both are kept.

Who may download them: the authority, the evaluation's evaluators who declared no conflict,
and the vendor once the evaluation is decided (the reports are the basis of the decision it
received). Every download is logged (`downloads`).
"""

from __future__ import annotations

from typing import BinaryIO

from sqlalchemy import func, select

from evaluations.models import Assignment, Evaluation, EvaluationStatus
from evaluations.records.models import EvaluatorReport, ReportKind
from evaluations.services.transitions import (
    ACTIVE_ASSIGNMENTS,
    authority_staff,
    describe,
    notify,
)
from evaluations.services.visibility import may_see_details
from registry import audit, uploads
from registry.access import require_role
from registry.database import db
from registry.exceptions import NotVisible, RuleViolation
from registry.models import Role, User
from registry.passwords import verify_password

TITLE_MAX = 200
# Reports are taken while the evaluation is being evaluated or waits for its decision.
REPORTING_STATUSES = (EvaluationStatus.IN_REVIEW, EvaluationStatus.SCORED)


def _require_reporting(actor: User | None, assignment: Assignment) -> User:
    user = require_role(actor, Role.EVALUATOR)
    if assignment.evaluator_id != user.id:
        raise NotVisible()
    if assignment.status not in ACTIVE_ASSIGNMENTS:
        raise RuleViolation("Declare your conflicts of interest before adding reports.")
    if assignment.evaluation.status not in REPORTING_STATUSES:
        raise RuleViolation(
            f"This evaluation is {assignment.evaluation.status.label.lower()}: "
            "it takes no reports now."
        )
    return user


def _title(value: str | None) -> str:
    text = (value or "").strip()
    if len(text) < 3:
        raise RuleViolation("Give the report a title.", "title")
    if len(text) > TITLE_MAX:
        raise RuleViolation(f"The title must be at most {TITLE_MAX} characters.", "title")
    return text


def _checked_pdf(filename: str | None, stream: BinaryIO) -> uploads.CheckedFile:
    checked = uploads.check_upload(filename, stream)
    if checked.extension != "pdf":
        raise RuleViolation("A report must be a PDF file.", "file")
    return checked


def _store(
    user: User,
    assignment: Assignment,
    kind: ReportKind,
    title: str,
    checked: uploads.CheckedFile,
) -> EvaluatorReport:
    """Store the file and its row, numbered after the assignment's reports of its kind."""
    previous = db.session.scalar(
        select(func.max(EvaluatorReport.version)).where(
            EvaluatorReport.assignment_id == assignment.id, EvaluatorReport.kind == kind
        )
    )
    version = (previous or 0) + 1
    with uploads.stored_file(checked) as stored_name:
        report = EvaluatorReport(
            evaluation_id=assignment.evaluation_id,
            assignment_id=assignment.id,
            kind=kind,
            title=title,
            version=version,
            **uploads.stored_file_columns(checked, stored_name, user.id),
        )
        if kind is ReportKind.EVALUATION:
            report.signed_at = report.uploaded_at
            report.signed_by_id = user.id
        db.session.add(report)
        db.session.flush()
    return report


def add_test_report(
    actor: User | None,
    assignment: Assignment,
    title: str,
    filename: str | None,
    stream: BinaryIO,
) -> EvaluatorReport:
    """Store one test report (PDF) on the evaluator's own assignment."""
    user = _require_reporting(actor, assignment)
    text = _title(title)
    checked = _checked_pdf(filename, stream)
    report = _store(user, assignment, ReportKind.TEST, text, checked)
    audit.record(
        user,
        "records.test_report",
        report,
        summary=f"test report “{text}” for {describe(assignment.evaluation)}",
        data={"sha256": checked.sha256, "evaluation": assignment.evaluation_id},
    )
    return report


def sign_evaluation_report(
    actor: User | None,
    assignment: Assignment,
    title: str,
    filename: str | None,
    stream: BinaryIO,
    password: str,
) -> EvaluatorReport:
    """Store and sign the evaluation report: the password confirms who signs; a report signed
    before is kept and superseded by this new version."""
    user = _require_reporting(actor, assignment)
    if not verify_password(user.password_hash, password or ""):
        raise RuleViolation("The password is not right: the report is not signed.", "password")
    text = _title(title)
    checked = _checked_pdf(filename, stream)
    report = _store(user, assignment, ReportKind.EVALUATION, text, checked)
    version = report.version
    audit.record(
        user,
        "records.sign_report",
        report,
        summary=(
            f"{user.email} signed evaluation report v{version} “{text}” "
            f"for {describe(assignment.evaluation)}"
        ),
        data={
            "sha256": checked.sha256,
            "version": version,
            "evaluation": assignment.evaluation_id,
            "signed_by": user.id,
            "signed_at": report.signed_at,
        },
    )
    notify(
        authority_staff(),
        "An evaluation report was signed",
        f"{user.full_name} signed the evaluation report (version {version}) of "
        f"{describe(assignment.evaluation)}.",
    )
    return report


def reports_of(evaluation: Evaluation) -> list[EvaluatorReport]:
    """The evaluation's reports: by assignment and kind, newest first."""
    return list(
        db.session.scalars(
            select(EvaluatorReport)
            .where(EvaluatorReport.evaluation_id == evaluation.id)
            .order_by(
                EvaluatorReport.assignment_id,
                EvaluatorReport.kind,
                EvaluatorReport.version.desc(),
                EvaluatorReport.id,
            )
        )
    )


def current_signed_ids(reports: list[EvaluatorReport]) -> set[int]:
    """The ids of the signed reports in force: each assignment's newest version."""
    newest: dict[int, EvaluatorReport] = {}
    for report in reports:
        if report.kind is ReportKind.EVALUATION:
            best = newest.get(report.assignment_id)
            if best is None or report.version > best.version:
                newest[report.assignment_id] = report
    return {report.id for report in newest.values()}


def may_see_reports(actor: User | None, evaluation: Evaluation) -> bool:
    """The authority, the evaluators who declared no conflict, the vendor once decided."""
    if actor is None or not may_see_details(actor, evaluation):
        return False
    if actor.role is Role.VENDOR:
        return evaluation.status is EvaluationStatus.DECIDED
    return True


def get_report(actor: User | None, evaluation: Evaluation, report_id: int) -> EvaluatorReport:
    """A report of this evaluation the actor may download (its file not purged)."""
    report = db.session.get(EvaluatorReport, report_id)
    if report is None or report.evaluation_id != evaluation.id:
        raise NotVisible()
    if not may_see_reports(actor, evaluation) or uploads.is_purged(report.stored_name):
        raise NotVisible()
    return report
