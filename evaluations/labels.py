"""Labels: issuing, suspension, reinstatement, revocation, expiry, and what is published of them.

The services follow the registry's pattern (check, change, audit, flush; the caller commits).
A label's signed credential is made once, at issue, and stored on the row; the status is not
in it but in the two published status lists, and the PDF (which prints the status) is
rendered from the stored credential plus the row's status, cached by content.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import and_, func, select
from sqlalchemy.exc import DBAPIError

from catalog.models import Solution, SolutionStatus, solution_activity
from catalog.search import enqueue_solution_change
from evaluations.keys import current_signing_key
from evaluations.label_documents import (
    STATUS_PURPOSES,
    CriterionSummary,
    LabelFacts,
    build_status_list_credential,
    credential_bytes,
    issue_label_credential,
)
from evaluations.models import (
    Assignment,
    AssignmentStatus,
    Decision,
    Evaluation,
    EvaluationStatus,
    Label,
    LabelEvent,
    LabelStatus,
    Resolution,
    Score,
)
from evaluations.numbering import format_label_number, next_label_sequence
from evaluations.pdf import cached_label_pdf
from evaluations.scoring import (
    PASS_FAIL,
    Criterion,
    CriterionResult,
    EvaluatorScore,
    apply_resolutions,
    consolidate,
)
from registry import audit
from registry.access import require_role
from registry.database import db, sqlite_begin, utcnow
from registry.exceptions import RuleViolation
from registry.mail import send_mail
from registry.models import (
    Organisation,
    OrganisationStatus,
    Role,
    SecurityActivity,
    TechnologyCategory,
    User,
)
from registry.norms.models import NormVersionStatus

# The counter row (in label_counter) that hands out status list positions: year 0 is never a
# label year, and a counter row gives the same "no duplicates, never reused" guarantee.
STATUS_INDEX_COUNTER = 0
MAX_REASON_LENGTH = 2000
LABEL_NUMBER_PATTERN = re.compile(r"STR-[0-9]{4}-[0-9]{5,6}")
# Labels that still count (or may count again) until their expiry date.
LIVE_STATUSES = (LabelStatus.VALID, LabelStatus.SUSPENDED)

ACTION_TEXT = {
    "issued": "Issued",
    "suspended": "Suspended",
    "reinstated": "Reinstated",
    "revoked": "Revoked",
    "expired": "Expired",
}

AUDIT_ACTIONS = {
    "issued": "label.issue",
    "suspended": "label.suspend",
    "reinstated": "label.reinstate",
    "revoked": "label.revoke",
    "expired": "label.expire",
}


# --- Dates ------------------------------------------------------------------------------------


def today() -> dt.date:
    """Today's date in UTC, the calendar labels are issued and expire by."""
    return utcnow().date()


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- Issuing ----------------------------------------------------------------------------------


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise RuleViolation("Give a reason; it is published in the decision log.", "reason")
    if len(text) > MAX_REASON_LENGTH:
        raise RuleViolation(
            f"The reason is too long (at most {MAX_REASON_LENGTH} characters).", "reason"
        )
    return text


def verification_url(number: str) -> str:
    """The public page that verifies a label (printed on the PDF, in the QR code)."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/labels/{number}"


def _criterion_result_text(result: CriterionResult) -> str:
    if result.value is None:
        return "Not scored"
    if result.kind == PASS_FAIL:
        return "Pass" if result.value else "Fail"
    return f"{float(result.value):g} / 5"


def criteria_results(evaluation: Evaluation) -> list[tuple[Any, CriterionResult]]:
    """Each criterion of the evaluation's norm version with its consolidated result."""
    version = evaluation.norm_version
    ordered = version.ordered_criteria()
    criteria = [
        Criterion(c.code, c.kind.value, float(c.weight), bool(c.mandatory)) for c in ordered
    ]
    by_id = {c.id: c for c in ordered}
    rows = db.session.execute(
        select(Assignment.evaluator_id, Score.criterion_id, Score.value, Score.passed)
        .join(Assignment, Assignment.id == Score.assignment_id)
        .where(
            Assignment.evaluation_id == evaluation.id,
            Assignment.status == AssignmentStatus.SUBMITTED,
        )
    ).all()
    scores = []
    for evaluator_id, criterion_id, value, passed in rows:
        criterion = by_id.get(criterion_id)
        if criterion is None:
            continue
        raw = passed if criterion.kind.value == PASS_FAIL else value
        if raw is not None:
            scores.append(EvaluatorScore(evaluator_id, criterion.code, raw))
    results = consolidate(criteria, scores)
    resolutions: dict[str, object] = {}
    for resolution in db.session.scalars(
        select(Resolution).where(Resolution.evaluation_id == evaluation.id)
    ):
        criterion = by_id.get(resolution.criterion_id)
        if criterion is None:
            continue
        raw = resolution.passed if criterion.kind.value == PASS_FAIL else resolution.value
        if raw is not None:
            resolutions[criterion.code] = raw
    results = apply_resolutions(results, resolutions)
    return list(zip(ordered, results, strict=True))


def build_label_facts(label: Label) -> LabelFacts:
    """The label's facts from the database: solution, vendor, norm and per-criterion results."""
    version = label.norm_version
    summaries = tuple(
        CriterionSummary(
            code=criterion.code,
            title=criterion.title,
            result=_criterion_result_text(result),
            section=criterion.section.title if criterion.section is not None else "",
        )
        for criterion, result in criteria_results(label.evaluation)
    )
    return LabelFacts(
        number=label.number,
        status=label.status.value,
        level=label.level,
        score_percent=float(label.score_percent),
        solution_id=label.solution_id,
        solution_name=label.solution.name,
        vendor_id=label.vendor_id,
        vendor_name=label.vendor.name,
        norm_code=version.norm.code,
        norm_title=version.norm.title,
        norm_version=str(version.number),
        issued_on=label.valid_from,
        expires_on=label.expires_on,
        verification_url=verification_url(label.number),
        status_list_index=label.status_list_index,
        criteria=summaries,
        authority_name=current_app.config.get("AUTHORITY_NAME") or LabelFacts.authority_name,
        status_reason=label.status_reason,
    )


def sign_label(label: Label) -> None:
    """(Re)make the label's signed credential from its facts with the current key."""
    facts = build_label_facts(label)
    credential = issue_label_credential(
        facts,
        current_signing_key(),
        current_app.config["BASE_URL"],
        credential_id=f"{verification_url(label.number)}.json",
        created=label.issued_at,
    )
    label.credential = credential_bytes(credential).decode("utf-8")


def _lock_evaluation(evaluation_id: int) -> Evaluation | None:
    # populate_existing: a concurrent issuer's commit must be seen after waiting for the lock.
    return db.session.scalars(
        select(Evaluation)
        .where(Evaluation.id == evaluation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()


def issue_label(actor: User | None, evaluation: Evaluation) -> Label:
    """Issue the label of a certified evaluation: number, dates, credential, event, audit, mail."""
    actor = require_role(actor, Role.AUTHORITY)
    locked = _lock_evaluation(evaluation.id)
    if locked is None:
        raise RuleViolation("The evaluation no longer exists.")
    evaluation = locked
    existing = db.session.scalar(select(Label).where(Label.evaluation_id == evaluation.id))
    if existing is not None:
        raise RuleViolation(f"A label was already issued for this evaluation ({existing.number}).")
    if evaluation.status is not EvaluationStatus.DECIDED or evaluation.decision is not (
        Decision.CERTIFIED
    ):
        raise RuleViolation("Only an evaluation decided as certified gets a label.")
    if not evaluation.decided_level or evaluation.computed_percent is None:
        raise RuleViolation("The decision names no level or score.")
    version = evaluation.norm_version
    now = utcnow()
    issued_on = now.date()
    year = issued_on.year
    sequence = next_label_sequence(year)
    status_index = next_label_sequence(STATUS_INDEX_COUNTER)
    label = Label(
        number=format_label_number(year, sequence),
        year=year,
        sequence=sequence,
        evaluation_id=evaluation.id,
        solution_id=evaluation.solution_id,
        norm_version_id=evaluation.norm_version_id,
        vendor_id=evaluation.vendor_id,
        level=evaluation.decided_level,
        score_percent=float(evaluation.computed_percent),
        issued_at=now,
        valid_from=issued_on,
        expires_on=add_months(issued_on, version.validity_months),
        status=LabelStatus.VALID,
        status_reason="",
        status_changed_at=now,
        status_list_index=status_index,
        issued_by_id=actor.id,
        credential="",
    )
    db.session.add(label)
    db.session.flush()
    sign_label(label)
    _record_event(
        actor,
        label,
        "issued",
        None,
        evaluation.decision_rationale.strip() or f"Certified at level {label.level}",
    )
    return label


def _record_event(
    actor: User | None, label: Label, action: str, from_status: str | None, reason: str
) -> LabelEvent:
    entry = audit.record(
        actor,
        AUDIT_ACTIONS[action],
        label,
        summary=f"Label {label.number} {action}: {reason}"[:2000],
        data={
            "number": label.number,
            "from": from_status,
            "to": label.status.value,
            "reason": reason,
            "solution_id": label.solution_id,
        },
        organisation_id=label.vendor_id,
    )
    event = LabelEvent(
        label_id=label.id,
        action=action,
        from_status=from_status,
        to_status=label.status.value,
        reason=reason,
        at=entry.at,
        actor_id=actor.id if actor is not None else None,
        audit_hash=entry.hash,
        audit_seq=entry.seq,
    )
    db.session.add(event)
    db.session.flush()
    # The search index shows label facts: log the change in this same transaction.
    enqueue_solution_change(label.solution_id, f"label.{action}")
    _notify_vendor(label, action, reason)
    return event


def _notify_vendor(label: Label, action: str, reason: str) -> None:
    vendor = db.session.get(Organisation, label.vendor_id)
    if vendor is None:
        return
    solution = db.session.get(Solution, label.solution_id)
    url = verification_url(label.number)
    subject = f"Label {label.number}: {ACTION_TEXT.get(action, action).lower()}"
    body = (
        f"The label {label.number} ({label.level}) of {solution.name if solution else 'your'} "
        f"solution is now {label.status.value.upper()}.\n\nReason: {reason}\n\n"
        f"Verification page: {url}\n"
    )
    for member in vendor.users:
        if member.is_active:
            send_mail(member.email, subject, f"Hello {member.full_name},\n\n{body}")


# --- Status changes ---------------------------------------------------------------------------


def _lock_label(label_id: int) -> Label:
    locked = db.session.scalars(
        select(Label)
        .where(Label.id == label_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if locked is None:
        raise RuleViolation("The label no longer exists.")
    return locked


def _change_status(
    actor: User | None,
    label: Label,
    action: str,
    allowed_from: Iterable[LabelStatus],
    to: LabelStatus,
    reason: str,
) -> Label:
    label = _lock_label(label.id)
    allowed = tuple(allowed_from)
    if label.status not in allowed:
        raise RuleViolation(
            f"Label {label.number} is {label.status.value}; it cannot be {action} "
            f"(only a {' or '.join(s.value for s in allowed)} label can)."
        )
    previous = label.status.value
    label.status = to
    label.status_reason = reason
    label.status_changed_at = utcnow()
    _record_event(actor, label, action, previous, reason)
    return label


def suspend_label(actor: User | None, label: Label, reason: str) -> Label:
    """Suspend a valid label (it can be reinstated)."""
    actor = require_role(actor, Role.AUTHORITY)
    return _change_status(
        actor, label, "suspended", [LabelStatus.VALID], LabelStatus.SUSPENDED, _reason(reason)
    )


def reinstate_label(actor: User | None, label: Label, reason: str) -> Label:
    """Make a suspended label valid again, unless it has expired meanwhile."""
    actor = require_role(actor, Role.AUTHORITY)
    reason = _reason(reason)
    if label.expires_on < today():
        raise RuleViolation(f"Label {label.number} expired on {label.expires_on}; it stays so.")
    return _change_status(
        actor, label, "reinstated", [LabelStatus.SUSPENDED], LabelStatus.VALID, reason
    )


def revoke_label(actor: User | None, label: Label, reason: str) -> Label:
    """Revoke a valid or suspended label, for good."""
    actor = require_role(actor, Role.AUTHORITY)
    return _change_status(
        actor, label, "revoked", LIVE_STATUSES, LabelStatus.REVOKED, _reason(reason)
    )


def expire_labels(on: dt.date | None = None) -> list[Label]:
    """Expire every valid or suspended label whose expiry date is before `on` (idempotent)."""
    day = on or today()
    expired = []
    candidates = db.session.scalars(
        select(Label.id).where(Label.status.in_(LIVE_STATUSES), Label.expires_on < day)
    ).all()
    for label_id in candidates:
        label = _lock_label(label_id)
        if label.status not in LIVE_STATUSES or label.expires_on >= day:
            continue  # another process expired (or changed) it meanwhile
        previous = label.status.value
        label.status = LabelStatus.EXPIRED
        label.status_reason = f"Validity ended on {label.expires_on.isoformat()}"
        label.status_changed_at = utcnow()
        _record_event(None, label, "expired", previous, label.status_reason)
        expired.append(label)
    return expired


def recertification_due(label: Label, on: dt.date | None = None) -> bool:
    """Whether the label's norm version was superseded and its transition date has passed."""
    version = label.norm_version
    return (
        label.status in LIVE_STATUSES
        and version.status is NormVersionStatus.SUPERSEDED
        and version.transition_date is not None
        and version.transition_date < (on or today())
    )


# --- What is published ------------------------------------------------------------------------


def find_public_label(number: str) -> Label | None:
    """The label with this number if the public may see it; None looks like "unknown"."""
    if not LABEL_NUMBER_PATTERN.fullmatch(number):
        return None
    label = db.session.scalar(select(Label).where(Label.number == number))
    # A label whose credential was never made (a half-finished issue) is not published.
    if label is None or not label.credential:
        return None
    return label


def label_facts(label: Label) -> LabelFacts:
    """The facts printed on the label, from its stored credential plus its current status."""
    credential = json.loads(label.credential)
    subject = credential["credentialSubject"]
    data = subject["label"]
    return LabelFacts(
        number=data["number"],
        status=label.status.value,
        level=data["level"],
        score_percent=float(data["scorePercent"]),
        solution_id=int(subject["solutionId"]),
        solution_name=subject["name"],
        vendor_id=int(subject["vendor"]["vendorId"]),
        vendor_name=subject["vendor"]["name"],
        norm_code=data["norm"]["code"],
        norm_title=data["norm"]["title"],
        norm_version=data["norm"]["version"],
        issued_on=dt.date.fromisoformat(data["issued"]),
        expires_on=dt.date.fromisoformat(data["expires"]),
        verification_url=data["verificationUrl"],
        status_list_index=label.status_list_index,
        criteria=tuple(
            CriterionSummary(
                code=row["code"],
                title=row["title"],
                result=row["result"],
                section=row.get("section", ""),
            )
            for row in data["criteria"]
        ),
        authority_name=credential["issuer"].get("name", LabelFacts.authority_name),
        status_reason=label.status_reason,
    )


def label_credential_bytes(label: Label) -> bytes:
    """The signed credential file, exactly as issued."""
    return label.credential.encode("utf-8")


def label_pdf_path(label: Label) -> Path:
    """The cached PDF of the label in its current status (rendered only if not cached yet)."""
    return cached_label_pdf(label_facts(label), label_credential_bytes(label))


def warm_label_pdf(label: Label) -> None:
    """Render the label's PDF now (after a commit), so the first visitor gets a cached file."""
    try:
        label_pdf_path(label)
    except OSError:  # the cache will be filled on the first request instead
        current_app.logger.exception("could not render the PDF of label %s", label.number)


def status_indices(purpose: str) -> tuple[list[int], dt.datetime | None]:
    """The status list positions flagged for a purpose, and when that set last changed."""
    wanted = LabelStatus.REVOKED if purpose == "revocation" else LabelStatus.SUSPENDED
    rows = db.session.execute(
        select(Label.status_list_index, Label.status_changed_at).where(Label.status == wanted)
    ).all()
    last = db.session.scalar(
        select(func.max(LabelEvent.at)).where(
            (LabelEvent.to_status == wanted.value) | (LabelEvent.from_status == wanted.value)
        )
    )
    return sorted(row[0] for row in rows), last


@functools.lru_cache(maxsize=16)
def _signed_status_list(
    purpose: str, indices: tuple[int, ...], key_id: str, base_url: str, created: str, keys_dir: str
) -> str:
    key = current_signing_key(keys_dir)
    moment = dt.datetime.fromisoformat(created)
    credential = build_status_list_credential(purpose, indices, key, base_url, created=moment)
    return credential_bytes(credential).decode("utf-8")


def status_list_credential(purpose: str) -> dict[str, Any]:
    """The signed Bitstring Status List credential of one purpose (revocation, suspension)."""
    if purpose not in STATUS_PURPOSES:
        raise ValueError(purpose)
    indices, last = status_indices(purpose)
    # A fixed "created" (the last change) makes the same list sign to the same bytes, so its
    # ETag only changes when a label's status does.
    created = (last or dt.datetime(2026, 1, 1, tzinfo=dt.UTC)).replace(microsecond=0)
    # The key id is part of the cache key: after a rotation the lists are signed anew.
    key = current_signing_key()
    text = _signed_status_list(
        purpose,
        tuple(indices),
        key.id,
        current_app.config["BASE_URL"],
        created.isoformat(),
        current_app.config["KEYS_DIR"],
    )
    result: dict[str, Any] = json.loads(text)
    return result


def status_lists() -> list[dict[str, Any]]:
    """Both published status lists, as verifiers use them."""
    return [status_list_credential(purpose) for purpose in STATUS_PURPOSES]


def certified_counts() -> dict[tuple[str, str], int]:
    """Published solutions with at least one valid label, per (activity, primary category)."""
    has_valid = (
        select(Label.id)
        .where(Label.solution_id == Solution.id, Label.status == LabelStatus.VALID)
        .exists()
    )
    rows = db.session.execute(
        select(SecurityActivity.code, TechnologyCategory.code, func.count(Solution.id))
        .select_from(Solution)
        .join(Organisation, Organisation.id == Solution.vendor_id)
        .join(solution_activity, solution_activity.c.solution_id == Solution.id)
        .join(SecurityActivity, SecurityActivity.id == solution_activity.c.activity_id)
        .join(TechnologyCategory, TechnologyCategory.id == Solution.primary_category_id)
        .where(
            and_(
                Solution.status == SolutionStatus.PUBLISHED,
                Organisation.status == OrganisationStatus.ACTIVE,
                has_valid,
            )
        )
        .group_by(SecurityActivity.code, TechnologyCategory.code)
    ).all()
    return {(activity, category): count for activity, category, count in rows}


def expire_at_start_up(app: Flask) -> None:
    """Run the expiry job once as the app starts; skip quietly before the tables exist."""
    with app.app_context():
        try:
            # A deferred (read) transaction for the check: starting workers must not queue
            # for SQLite's write lock when, as on most days, nothing has to expire.
            with sqlite_begin("DEFERRED"):
                due = db.session.scalar(
                    select(Label.id)
                    .where(Label.status.in_(LIVE_STATUSES), Label.expires_on < today())
                    .limit(1)
                )
            db.session.rollback()
            if due is None:
                return
            with sqlite_begin("IMMEDIATE"):
                expired = expire_labels()
                db.session.commit()
            if expired:
                app.logger.info("expired %d label(s) at start-up", len(expired))
        except DBAPIError as error:
            # No label table yet (before `flask db upgrade`) or the database is busy: the daily
            # `flask --app app labels expire` will do it.
            db.session.rollback()
            app.logger.debug("label expiry skipped at start-up: %s", error)
        finally:
            db.session.remove()
