"""A vulnerability case from report to disclosure: intake, analysis, scores, deadlines, history.

reported → under analysis → confirmed / not affected (with a VEX justification) / rejected;
confirmed → fixed (in a declared version). Every step timestamps the case, writes a case event
and an audit entry, and mails the vendor and the authority. Nothing of a case is public before it
is disclosed (`is_disclosed`): settled (confirmed, not affected or fixed) and past its embargo.

The authority may act at every step; the vendor acts on its own solutions' cases. Researchers
have no account: they hold the case reference the form gave them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, or_, select

from catalog.models import Solution, SolutionStatus, SolutionVersion
from evaluations.services.transitions import authority_staff
from registry import audit
from registry.access import require_role
from registry.database import db, utcnow
from registry.dates import today
from registry.exceptions import NotVisible, RuleViolation
from registry.mail import send_mail
from registry.models import Organisation, Role, User
from registry.public_address import public_url
from registry.text import clean_name, clean_text
from vulnerabilities import sealed_reports
from vulnerabilities.models import (
    CVE_MAX,
    CWE_MAX,
    TITLE_MAX,
    CaseEvent,
    CaseSource,
    CaseStatus,
    CaseVersion,
    ProductStatus,
    Severity,
    VexJustification,
    VulnerabilityCase,
)
from vulnerabilities.scoring import Scored, score_v3, score_v4

SETTLED = (CaseStatus.CONFIRMED, CaseStatus.NOT_AFFECTED, CaseStatus.FIXED)
OPEN = (CaseStatus.REPORTED, CaseStatus.UNDER_ANALYSIS, CaseStatus.CONFIRMED)
REPORT_MAX = 20_000
SUMMARY_MAX = 4_000
NOTE_MIN = 3

STATUS_TEXT = {
    CaseStatus.REPORTED: "Reported",
    CaseStatus.UNDER_ANALYSIS: "Under analysis",
    CaseStatus.CONFIRMED: "Confirmed",
    CaseStatus.NOT_AFFECTED: "Not affected",
    CaseStatus.FIXED: "Fixed",
    CaseStatus.REJECTED: "Rejected",
}

VEX_TEXT = {
    VexJustification.COMPONENT_NOT_PRESENT: "The vulnerable component is not present",
    VexJustification.VULNERABLE_CODE_NOT_PRESENT: "The vulnerable code is not present",
    VexJustification.VULNERABLE_CODE_CANNOT_BE_CONTROLLED_BY_ADVERSARY: (
        "The vulnerable code cannot be controlled by an adversary"
    ),
    VexJustification.VULNERABLE_CODE_NOT_IN_EXECUTE_PATH: (
        "The vulnerable code is not in the execution path"
    ),
    VexJustification.INLINE_MITIGATIONS_ALREADY_EXIST: "Inline mitigations already exist",
}

# Defaults of the settings (each can be set with a SAFETECH_VULN_* variable).
DEFAULT_REMEDIATION_DAYS = {
    Severity.CRITICAL: 30,
    Severity.HIGH: 60,
    Severity.MEDIUM: 90,
    Severity.LOW: 180,
    Severity.NONE: 180,
}


# --- settings -----------------------------------------------------------------------------


def analysis_days() -> int:
    """Days the vendor has, from the report, to confirm or refute it (VULN_ANALYSIS_DAYS)."""
    return int(current_app.config.get("VULN_ANALYSIS_DAYS", 14))


def remediation_days(severity: Severity | None) -> int:
    """Days from confirmation to a fix, by severity (VULN_REMEDIATION_DAYS, "critical=30,…")."""
    days = dict(DEFAULT_REMEDIATION_DAYS)
    setting = current_app.config.get("VULN_REMEDIATION_DAYS", "")
    if isinstance(setting, dict):
        days.update({Severity(k): int(v) for k, v in setting.items()})
    elif setting:
        for part in str(setting).split(","):
            name, _, value = part.partition("=")
            days[Severity(name.strip().lower())] = int(value)
    return days[severity or Severity.NONE]


def embargo_days() -> int:
    """Default embargo of a report, in days from intake (VULN_EMBARGO_DAYS)."""
    return int(current_app.config.get("VULN_EMBARGO_DAYS", 90))


def label_threshold() -> Severity:
    """The severity from which a confirmed case marks labels (VULN_LABEL_SEVERITY)."""
    return Severity(str(current_app.config.get("VULN_LABEL_SEVERITY", "high")).lower())


# --- reading ------------------------------------------------------------------------------


def is_disclosed(case: VulnerabilityCase, on: dt.date | None = None) -> bool:
    """Whether the public may see the case: settled and past its embargo."""
    day = on or today()
    return case.status in SETTLED and (case.embargo_until is None or case.embargo_until <= day)


def disclosed_clause(on: dt.date | None = None) -> ColumnElement[bool]:
    """SQL for `is_disclosed`."""
    day = on or today()
    return and_(
        VulnerabilityCase.status.in_(SETTLED),
        or_(VulnerabilityCase.embargo_until.is_(None), VulnerabilityCase.embargo_until <= day),
    )


def visible_cases(user: User | None) -> Select[VulnerabilityCase]:
    """The cases ``user`` may see: all for the authority, its own for a vendor, else disclosed."""
    statement = select(VulnerabilityCase)
    if user is not None and user.role is Role.AUTHORITY:
        return statement
    if user is not None and user.role is Role.VENDOR:
        return statement.where(
            or_(VulnerabilityCase.vendor_id == user.organisation_id, disclosed_clause())
        )
    return statement.where(disclosed_clause())


def can_manage(user: User | None, case: VulnerabilityCase) -> bool:
    """The authority, or a member of the case's vendor."""
    if user is None:
        return False
    if user.role is Role.AUTHORITY:
        return True
    return user.role is Role.VENDOR and user.organisation_id == case.vendor_id


def get_case(user: User | None, reference: str) -> VulnerabilityCase:
    """The case by reference if ``user`` may see it, else NotVisible (the same for both)."""
    case = db.session.scalar(
        select(VulnerabilityCase).where(VulnerabilityCase.reference == reference)
    )
    if case is None or not (can_manage(user, case) or is_disclosed(case)):
        raise NotVisible()
    return case


def report_text(user: User | None, case: VulnerabilityCase) -> tuple[str, str]:
    """The reporter's words and contact, for the authority and the case's vendor only."""
    if not can_manage(user, case):
        raise NotVisible()
    return sealed_reports.unseal(case.report_sealed), sealed_reports.unseal(case.reporter_sealed)


def versions_with(case: VulnerabilityCase, *statuses: ProductStatus) -> list[SolutionVersion]:
    """The case's versions in any of ``statuses``, in the order they were added."""
    return [row.version for row in case.versions if row.status in statuses]


def open_cases_of(
    solution_ids: Iterable[int], on: dt.date | None = None
) -> dict[int, list[VulnerabilityCase]]:
    """Disclosed confirmed (unfixed) cases per solution: what a buyer must know of."""
    ids = list(set(solution_ids))
    if not ids:
        return {}
    rows = db.session.scalars(
        select(VulnerabilityCase)
        .where(
            VulnerabilityCase.solution_id.in_(ids),
            VulnerabilityCase.status == CaseStatus.CONFIRMED,
            disclosed_clause(on),
        )
        .order_by(VulnerabilityCase.id)
    )
    found: dict[int, list[VulnerabilityCase]] = {}
    for case in rows:
        found.setdefault(case.solution_id, []).append(case)
    return found


# --- writing ------------------------------------------------------------------------------


def _text(value: str | None, field: str, label: str, limit: int, required: bool = False) -> str:
    text = (value or "").strip()
    if required and len(text) < NOTE_MIN:
        raise RuleViolation(f"{label} is required.", field)
    if len(text) > limit:
        raise RuleViolation(f"{label} must be at most {limit} characters.", field)
    return text


def _cve(value: str | None) -> str:
    text = (value or "").strip().upper()
    if not text:
        return ""
    parts = text.split("-")
    if (
        len(text) > CVE_MAX
        or len(parts) != 3
        or parts[0] != "CVE"
        or not (parts[1].isdigit() and len(parts[1]) == 4)
        or not (parts[2].isdigit() and len(parts[2]) >= 4)
    ):
        raise RuleViolation("A CVE id looks like CVE-2026-12345.", "cve_id")
    return text


def _cwe(value: str | None) -> str:
    text = (value or "").strip().upper()
    if not text:
        return ""
    if len(text) > CWE_MAX or not text.startswith("CWE-") or not text[4:].isdigit():
        raise RuleViolation("A CWE id looks like CWE-79.", "cwe_id")
    return text


def set_scores(case: VulnerabilityCase, v3: str | None, v4: str | None) -> None:
    """Parse, score and store the vectors (empty clears one); severity follows v4.0, else v3.1."""
    scored3: Scored | None = score_v3(v3) if v3 and v3.strip() else None
    scored4: Scored | None = score_v4(v4) if v4 and v4.strip() else None
    case.cvss_v3_vector = scored3.vector if scored3 else ""
    case.cvss_v3_score = scored3.score if scored3 else None
    case.cvss_v4_vector = scored4.vector if scored4 else ""
    case.cvss_v4_score = scored4.score if scored4 else None
    main = scored4 or scored3
    case.severity = main.severity if main else None


def set_versions(
    case: VulnerabilityCase, version_ids: Iterable[int], status: ProductStatus
) -> None:
    """Put the given versions of the case's solution in ``status`` (others keep theirs)."""
    wanted = {int(v) for v in version_ids}
    if not wanted:
        return
    versions = db.session.scalars(
        select(SolutionVersion).where(
            SolutionVersion.id.in_(wanted), SolutionVersion.solution_id == case.solution_id
        )
    ).all()
    if len(versions) != len(wanted):
        raise RuleViolation("Choose versions of this solution.", "versions")
    existing = {row.version_id: row for row in case.versions}
    for version in versions:
        row = existing.get(version.id)
        if row is None:
            case.versions.append(CaseVersion(version_id=version.id, version=version, status=status))
        else:
            row.status = status


def _new_reference() -> str:
    return f"PENDING-{utcnow().strftime('%H%M%S%f')}"


def open_case(
    actor: User | None,
    solution: Solution,
    source: CaseSource,
    *,
    title: str,
    report: str = "",
    reporter: str = "",
    summary: str = "",
    cve_id: str = "",
    cwe_id: str = "",
    cvss_v3: str = "",
    cvss_v4: str = "",
    version_ids: Sequence[int] = (),
    embargo_until: dt.date | None = None,
    csaf_tracking_id: str = "",
    csaf_document: str = "",
) -> VulnerabilityCase:
    """File a case (reported), with its deadlines and default embargo; tell vendor and authority.

    A researcher files with no account (``actor`` None); a vendor only for its own solution.
    """
    if source is CaseSource.RESEARCHER and solution.status is not SolutionStatus.PUBLISHED:
        raise NotVisible()  # the public knows published solutions only
    if source is CaseSource.VENDOR:
        actor = require_role(actor, Role.VENDOR, Role.AUTHORITY)
        if actor.role is Role.VENDOR and actor.organisation_id != solution.vendor_id:
            raise NotVisible()
    if source is CaseSource.CSAF:
        require_role(actor, Role.AUTHORITY)
    day = today()
    case = VulnerabilityCase(
        reference=_new_reference(),
        solution_id=solution.id,
        solution=solution,
        vendor_id=solution.vendor_id,
        source=source,
        status=CaseStatus.REPORTED,
        status_changed_at=utcnow(),
        # Titles and summaries of imported advisories reach public pages without a form.
        title=_text(clean_name(title), "title", "A title", TITLE_MAX, required=True),
        summary=_text(clean_text(summary, multiline=True), "summary", "The summary", SUMMARY_MAX),
        cve_id=_cve(cve_id),
        cwe_id=_cwe(cwe_id),
        analysis_due=day + dt.timedelta(days=analysis_days()),
        embargo_until=embargo_until
        if embargo_until is not None or source is CaseSource.CSAF
        else day + dt.timedelta(days=embargo_days()),
        reported_by_id=actor.id if actor is not None else None,
        csaf_tracking_id=csaf_tracking_id,
        csaf_document=csaf_document,
    )
    body = _text(
        report, "report", "The report", REPORT_MAX, required=source is CaseSource.RESEARCHER
    )
    if body:
        case.report_sealed = sealed_reports.seal(body)
    contact = _text(reporter, "reporter", "The contact", 500)
    if contact:
        case.reporter_sealed = sealed_reports.seal(contact)
    set_scores(case, cvss_v3, cvss_v4)
    db.session.add(case)
    set_versions(case, version_ids, ProductStatus.UNDER_INVESTIGATION)
    db.session.flush()
    case.reference = f"VULN-{day.year}-{case.id:05d}"
    _event(actor, case, "reported", None, f"Reported ({source.value})")
    tell(
        case,
        f"Vulnerability report {case.reference} about {solution.name}",
        f"A vulnerability report about {solution.name} was filed as {case.reference}. "
        f"The analysis is due by {case.analysis_due}.",
    )
    return case


def _event(
    actor: User | None,
    case: VulnerabilityCase,
    action: str,
    from_status: CaseStatus | None,
    note: str,
) -> CaseEvent:
    event = CaseEvent(
        case_id=case.id,
        action=action,
        from_status=from_status.value if from_status else None,
        to_status=case.status.value,
        note=note,
        actor_id=actor.id if actor is not None else None,
    )
    case.events.append(event)
    # Internal entry: the audit log is not public, and it names the case by its reference only.
    audit.record(
        actor,
        f"vulnerability.{action}",
        case,
        summary=f"Vulnerability case {case.reference}: {action}",
        data={"reference": case.reference, "from": event.from_status, "to": event.to_status},
        organisation_id=case.vendor_id,
    )
    return event


def case_url(case: VulnerabilityCase) -> str:
    """The case's page for the people who manage it."""
    return public_url(f"/vulnerabilities/{case.reference}")


def tell(case: VulnerabilityCase, subject: str, body: str) -> None:
    """Mail the vendor's members and the authority; never the report's content."""
    vendor = db.session.get(Organisation, case.vendor_id)
    people = [u for u in (vendor.users if vendor else []) if u.is_active] + authority_staff()
    link = case_url(case)
    for user in people:
        send_mail(user.email, subject, f"Hello {user.full_name},\n\n{body}\n\n{link}")


def _move(
    actor: User | None,
    case: VulnerabilityCase,
    allowed: Iterable[CaseStatus],
    to: CaseStatus,
    action: str,
    note: str,
) -> None:
    allowed = tuple(allowed)
    if case.status not in allowed:
        raise RuleViolation(
            f"A case {STATUS_TEXT[case.status].lower()} cannot be {action.replace('_', ' ')}."
        )
    before = case.status
    case.status = to
    case.status_changed_at = utcnow()
    _event(actor, case, action, before, note)
    tell(
        case,
        f"Vulnerability case {case.reference}: {STATUS_TEXT[to].lower()}",
        f"The vulnerability case {case.reference} ({case.title}) is now "
        f"{STATUS_TEXT[to].lower()}." + (f"\n\n{note}" if note else ""),
    )
    _after_step(actor, case)


def _after_step(actor: User | None, case: VulnerabilityCase) -> None:
    db.session.flush()
    for callback in current_app.extensions.get(STEP_CALLBACKS, []):
        callback(actor, case)


def _manager(actor: User | None, case: VulnerabilityCase) -> User:
    user = require_role(actor, Role.VENDOR, Role.AUTHORITY)
    if not can_manage(user, case):
        raise NotVisible()
    return user


def start_analysis(actor: User | None, case: VulnerabilityCase, note: str = "") -> None:
    """The vendor (or the authority) acknowledges the report and analyses it."""
    user = _manager(actor, case)
    _move(
        user,
        case,
        [CaseStatus.REPORTED],
        CaseStatus.UNDER_ANALYSIS,
        "analysis_started",
        _text(note, "note", "The note", SUMMARY_MAX),
    )


def confirm(
    actor: User | None,
    case: VulnerabilityCase,
    *,
    analysis: str,
    affected_version_ids: Sequence[int],
    cvss_v3: str = "",
    cvss_v4: str = "",
    cve_id: str | None = None,
    cwe_id: str | None = None,
    summary: str | None = None,
) -> None:
    """The vulnerability is real: name the affected versions and a score; the remediation
    deadline starts from today, by severity."""
    user = _manager(actor, case)
    if not affected_version_ids:
        raise RuleViolation("Name at least one affected version.", "versions")
    if not (cvss_v3 or "").strip() and not (cvss_v4 or "").strip():
        raise RuleViolation("Give a CVSS v3.1 or v4.0 vector.", "cvss_v3_vector")
    case.vendor_analysis = _text(analysis, "analysis", "The analysis", SUMMARY_MAX, required=True)
    if cve_id is not None:
        case.cve_id = _cve(cve_id)
    if cwe_id is not None:
        case.cwe_id = _cwe(cwe_id)
    if summary is not None:
        case.summary = _text(summary, "summary", "The summary", SUMMARY_MAX)
    set_scores(case, cvss_v3, cvss_v4)
    set_versions(case, affected_version_ids, ProductStatus.KNOWN_AFFECTED)
    case.remediation_due = today() + dt.timedelta(days=remediation_days(case.severity))
    _move(
        user,
        case,
        [CaseStatus.REPORTED, CaseStatus.UNDER_ANALYSIS],
        CaseStatus.CONFIRMED,
        "confirmed",
        case.vendor_analysis,
    )


def declare_not_affected(
    actor: User | None,
    case: VulnerabilityCase,
    *,
    justification: VexJustification | str,
    analysis: str,
    version_ids: Sequence[int] = (),
) -> None:
    """A VEX statement: the solution is not affected, for the given reason."""
    user = _manager(actor, case)
    try:
        case.vex_justification = VexJustification(justification)
    except ValueError as error:
        raise RuleViolation("Choose a VEX justification.", "justification") from error
    case.vendor_analysis = _text(analysis, "analysis", "The analysis", SUMMARY_MAX, required=True)
    ids = list(version_ids) or [row.version_id for row in case.versions]
    set_versions(case, ids, ProductStatus.KNOWN_NOT_AFFECTED)
    _move(
        user,
        case,
        [CaseStatus.REPORTED, CaseStatus.UNDER_ANALYSIS],
        CaseStatus.NOT_AFFECTED,
        "not_affected",
        f"{VEX_TEXT[case.vex_justification]}. {case.vendor_analysis}",
    )


def mark_fixed(
    actor: User | None, case: VulnerabilityCase, version: SolutionVersion, note: str = ""
) -> None:
    """The vulnerability is fixed in ``version``, a declared version of the same solution."""
    user = _manager(actor, case)
    if version.solution_id != case.solution_id:
        raise RuleViolation("Choose a version of this solution.", "fixed_version")
    if version.id in {
        row.version_id for row in case.versions if row.status is ProductStatus.KNOWN_AFFECTED
    }:
        raise RuleViolation(
            "The fixed version cannot be one of the affected versions.", "fixed_version"
        )
    case.fixed_version_id = version.id
    case.fixed_version = version
    set_versions(case, [version.id], ProductStatus.FIXED)
    text = f"Fixed in version {version.version}." + (
        f" {_text(note, 'note', 'The note', SUMMARY_MAX)}" if note else ""
    )
    _move(user, case, [CaseStatus.CONFIRMED], CaseStatus.FIXED, "fixed", text)
    for callback in current_app.extensions.get(FIXED_CALLBACKS, []):
        callback(user, case)


def rescore(
    actor: User | None, case: VulnerabilityCase, *, cvss_v3: str, cvss_v4: str, note: str
) -> None:
    """New CVSS vectors for an open case, with the reason. A confirmed case's fix deadline
    follows the new severity, counted from the day it was confirmed."""
    user = _manager(actor, case)
    if case.status not in OPEN:
        raise RuleViolation(f"A case {STATUS_TEXT[case.status].lower()} keeps its scores.")
    if not (cvss_v3 or "").strip() and not (cvss_v4 or "").strip():
        raise RuleViolation("Give a CVSS v3.1 or v4.0 vector.", "cvss_v3_vector")
    why = _text(note, "note", "A reason", SUMMARY_MAX, required=True)
    before = case.severity
    set_scores(case, cvss_v3, cvss_v4)
    text = f"Scores changed (severity {before.value if before else 'none'} → "
    text += f"{case.severity.value if case.severity else 'none'}): {why}"
    confirmed_at = next(
        (event.at for event in reversed(case.events) if event.action == "confirmed"), None
    )
    if case.status is CaseStatus.CONFIRMED and confirmed_at is not None:
        case.remediation_due = confirmed_at.date() + dt.timedelta(
            days=remediation_days(case.severity)
        )
        text += f" The fix is now due by {case.remediation_due}."
    _event(user, case, "rescored", case.status, text)
    tell(case, f"Vulnerability case {case.reference}: scores changed", text)
    _after_step(user, case)


def reject(actor: User | None, case: VulnerabilityCase, reason: str) -> None:
    """The authority closes a report that is no vulnerability of this solution (never public)."""
    user = require_role(actor, Role.AUTHORITY)
    _move(
        user,
        case,
        [CaseStatus.REPORTED, CaseStatus.UNDER_ANALYSIS],
        CaseStatus.REJECTED,
        "rejected",
        _text(reason, "reason", "A reason", SUMMARY_MAX, required=True),
    )


def set_embargo(
    actor: User | None, case: VulnerabilityCase, until: dt.date | None, reason: str
) -> None:
    """The authority moves (or lifts) the embargo; the reason goes into the history."""
    user = require_role(actor, Role.AUTHORITY)
    why = _text(reason, "reason", "A reason", SUMMARY_MAX, required=True)
    before = case.embargo_until
    case.embargo_until = until
    _event(
        user,
        case,
        "embargo_changed",
        case.status,
        f"Embargo {before or 'none'} → {until or 'none'}: {why}",
    )
    _after_step(user, case)


# Called as callback(actor, case) after a case is marked fixed (labels learn the fixed version).
FIXED_CALLBACKS = "vulnerabilities.fixed_callbacks"
# Called as callback(actor, case) after every step of a case (labels marked once disclosed).
STEP_CALLBACKS = "vulnerabilities.step_callbacks"
