"""The certification work in the to-do queues.

The authority: evaluations to assign, scored evaluations to decide (their disagreements are
settled there), maintenance requests to route or decide, labels expiring within 60 days. An
evaluator: its assignments and maintenance reviews, by due date. A vendor: requests for
information, applications not yet submitted, its labels expiring within 60 days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import Flask, url_for
from sqlalchemy import ColumnElement, select

from catalog.models import Solution
from evaluations.models import (
    Assignment,
    AssignmentStatus,
    Evaluation,
    EvaluationStatus,
    Label,
    LabelStatus,
    MaintenanceRequest,
    MaintenanceStatus,
)
from evaluations.services.scores import consolidation
from registry.database import db
from registry.dates import today
from registry.models import Role, User
from registry.navigation import AUTHORITY
from registry.queue import (
    QueueGroup,
    QueueItem,
    RowsStatement,
    count_and_first,
    register_queue_source,
)
from registry.wording import counted

# A label this close to its expiry date is in the queues of the authority and its vendor.
EXPIRY_WARNING_DAYS = 60

_ACTIVE_ASSIGNMENT = (
    AssignmentStatus.AWAITING_DECLARATION,
    AssignmentStatus.SCORING,
    AssignmentStatus.SUBMITTED,
)
_TO_DO = (AssignmentStatus.AWAITING_DECLARATION, AssignmentStatus.SCORING)

Row = tuple[Any, ...]


def _group(
    kind: str,
    statement: RowsStatement,
    where: ColumnElement[bool],
    item: Callable[[Row], QueueItem],
    see_all_url: str,
    order: int,
) -> QueueGroup:
    count, rows = count_and_first(statement, where)
    return QueueGroup(kind, count, [item(tuple(row)) for row in rows], see_all_url, order)


def _evaluations(*columns: Any) -> RowsStatement:
    return (
        select(Evaluation.id, Solution.name, Evaluation.status_changed_at, Evaluation.due_date)
        .join(Solution, Solution.id == Evaluation.solution_id)
        .order_by(Evaluation.status_changed_at, Evaluation.id)
        .add_columns(*columns)
    )


def evaluations_to_assign(user: User) -> QueueGroup:
    """Submitted applications without an active evaluator: review them, then assign."""
    del user
    kind = "Evaluations to assign"
    active = select(Assignment.id).where(
        Assignment.evaluation_id == Evaluation.id, Assignment.status.in_(_ACTIVE_ASSIGNMENT)
    )
    where = (Evaluation.status == EvaluationStatus.SUBMITTED) & ~active.exists()

    def item(row: Row) -> QueueItem:
        id_, name, since, due, reviewed_at = row
        title = name if reviewed_at else f"{name} (application to review first)"
        return QueueItem(kind, title, url_for("evaluations.detail", evaluation_id=id_), since, due)

    url = url_for("evaluations.pipeline", status=EvaluationStatus.SUBMITTED.value)
    return _group(
        kind, _evaluations(Evaluation.application_reviewed_at), where, item, url, order=20
    )


def evaluations_to_decide(user: User) -> QueueGroup:
    """Scored evaluations: settle their disagreements (the item says how many), then decide."""
    del user
    kind = "Scored evaluations to decide"

    def item(row: Row) -> QueueItem:
        id_, name, since, due = row
        evaluation = db.session.get(Evaluation, id_)
        unresolved = consolidation(evaluation).unresolved if evaluation is not None else []
        if unresolved:
            name = f"{name}: {counted(len(unresolved), 'disagreement')} to settle first"
        return QueueItem(kind, name, url_for("evaluations.detail", evaluation_id=id_), since, due)

    url = url_for("evaluations.pipeline", status=EvaluationStatus.SCORED.value)
    where = Evaluation.status == EvaluationStatus.SCORED
    return _group(kind, _evaluations(), where, item, url, order=30)


def _maintenance(title: Callable[[str], str], kind: str) -> Callable[[Row], QueueItem]:
    def item(row: Row) -> QueueItem:
        id_, name, since, due = row
        url = url_for("evaluations.maintenance_request", request_id=id_)
        return QueueItem(kind, title(name), url, since, due)

    return item


def _maintenance_requests() -> RowsStatement:
    return (
        select(
            MaintenanceRequest.id,
            Solution.name,
            MaintenanceRequest.status_changed_at,
            MaintenanceRequest.due_date,
        )
        .join(Label, Label.id == MaintenanceRequest.label_id)
        .join(Solution, Solution.id == Label.solution_id)
        .order_by(MaintenanceRequest.status_changed_at, MaintenanceRequest.id)
    )


def maintenance_to_handle(user: User) -> QueueGroup:
    """New versions of certified solutions waiting to be routed or decided."""
    del user
    kind = "Maintenance requests to route or decide"
    waiting = (MaintenanceStatus.DECLARED, MaintenanceStatus.REVIEWED)
    return _group(
        kind,
        _maintenance_requests(),
        MaintenanceRequest.status.in_(waiting),
        _maintenance(lambda name: f"New version of {name}", kind),
        url_for("evaluations.maintenance_queue"),
        order=70,
    )


def labels_expiring(user: User) -> QueueGroup:
    """Valid labels expiring within 60 days: the vendor's own, or all for the authority."""
    kind = "Labels expiring within 60 days"
    authority = user.role is Role.AUTHORITY
    where = (Label.status == LabelStatus.VALID) & (
        Label.expires_on <= today() + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    )
    if not authority:
        where = where & (Label.vendor_id == user.organisation_id)
    statement = (
        select(Label.number, Solution.name, Label.expires_on)
        .join(Solution, Solution.id == Label.solution_id)
        .order_by(Label.expires_on, Label.id)
    )
    endpoint = "labels.manage" if authority else "labels.label_page"

    def item(row: Row) -> QueueItem:
        number, name, expires_on = row
        url = url_for(endpoint, number=number)
        return QueueItem(kind, f"{name}, label {number}", url, due=expires_on)

    url = url_for("labels.index", status=LabelStatus.VALID.value)
    return _group(kind, statement, where, item, url, order=80)


def assignments_to_do(user: User) -> QueueGroup:
    """The evaluator's assignments to declare or score, by due date (overdue first)."""
    kind = "Assignments to declare or score"
    statement = (
        select(
            Assignment.evaluation_id,
            Solution.name,
            Assignment.status,
            Assignment.assigned_at,
            Assignment.due_date,
        )
        .join(Evaluation, Evaluation.id == Assignment.evaluation_id)
        .join(Solution, Solution.id == Evaluation.solution_id)
        .order_by(Assignment.due_date, Assignment.assigned_at, Assignment.id)
    )
    where = (Assignment.evaluator_id == user.id) & Assignment.status.in_(_TO_DO)

    def item(row: Row) -> QueueItem:
        evaluation_id, name, status, since, due = row
        declare = status is AssignmentStatus.AWAITING_DECLARATION
        step = "declare your interests" if declare else "score"
        url = url_for("evaluations.detail", evaluation_id=evaluation_id)
        return QueueItem(kind, f"{name}: {step}", url, since, due)

    return _group(kind, statement, where, item, url_for("evaluations.assignments"), order=10)


def maintenance_reviews(user: User) -> QueueGroup:
    """The evaluator's delta reviews of minor changes, by due date."""
    kind = "Maintenance reviews"
    where = (MaintenanceRequest.evaluator_id == user.id) & (
        MaintenanceRequest.status == MaintenanceStatus.IN_REVIEW
    )
    return _group(
        kind,
        _maintenance_requests(),
        where,
        _maintenance(lambda name: f"Review the new version of {name}", kind),
        url_for("evaluations.assignments"),
        order=20,
    )


def _own_applications(user: User, kind: str, status: EvaluationStatus, order: int) -> QueueGroup:
    """The vendor's applications in ``status``, each linked to its page."""

    def item(row: Row) -> QueueItem:
        id_, name, since, due = row
        return QueueItem(kind, name, url_for("evaluations.detail", evaluation_id=id_), since, due)

    where = (Evaluation.vendor_id == user.organisation_id) & (Evaluation.status == status)
    return _group(kind, _evaluations(), where, item, url_for("evaluations.index"), order=order)


def information_requests(user: User) -> QueueGroup:
    """Applications the authority returned for information: answer and submit again."""
    return _own_applications(user, "Requests for information", EvaluationStatus.RETURNED, 10)


def drafts_to_submit(user: User) -> QueueGroup:
    """Applications started but not submitted."""
    return _own_applications(user, "Applications not submitted", EvaluationStatus.DRAFT, 20)


def init_app(app: Flask) -> None:
    """Register the certification work of each role."""
    vendor, evaluator = frozenset({Role.VENDOR}), frozenset({Role.EVALUATOR})
    for source in (evaluations_to_assign, evaluations_to_decide, maintenance_to_handle):
        register_queue_source(app, AUTHORITY, source)
    register_queue_source(app, AUTHORITY | vendor, labels_expiring)
    register_queue_source(app, evaluator, assignments_to_do)
    register_queue_source(app, evaluator, maintenance_reviews)
    register_queue_source(app, vendor, information_requests)
    register_queue_source(app, vendor, drafts_to_submit)
