"""Intake of vulnerability reports: the public coordinated-disclosure form, the portal's
security.txt and disclosure policy, and a vendor's report about its own solution.

A researcher needs no account: the form gives a case reference and nothing of the report is
ever shown back. Reports are throttled per client address, counted in the sign-in attempts
table so the limit holds across workers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import (
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import func, select

from catalog.models import Solution, SolutionStatus, SolutionVersion
from catalog.services import get_solution_for_management
from registry.access import roles_required
from registry.arguments import integer_argument
from registry.database import db, utcnow
from registry.exceptions import RuleViolation, TooManyAttempts
from registry.models import LoginAttempt, Organisation, Role, User
from registry.public_address import public_url
from registry.views.actions import show_violation
from vulnerabilities import cases
from vulnerabilities.blueprint import bp
from vulnerabilities.forms import ResearcherReportForm, VendorReportForm
from vulnerabilities.models import CaseSource, Severity, VulnerabilityCase

# The "e-mail" under which reports are counted in login_attempt: not an address, so it never
# names an account; rows are stored as succeeded so they never slow anyone's sign-in.
THROTTLE_KEY = "vulnerability-report"
THROTTLE_WINDOW = dt.timedelta(hours=1)
# security.txt must expire within a year (RFC 9116, 2.5.5); half a year keeps it well inside.
SECURITY_TXT_DAYS = 180
_RECEIVED = "vulnerability_report_received"


# --- throttling ---------------------------------------------------------------------------


def _reports_per_hour() -> int:
    """How many reports one client address may file per hour (VULN_REPORTS_PER_HOUR)."""
    return int(current_app.config.get("VULN_REPORTS_PER_HOUR", 5))


def _remote_addr() -> str:
    return (request.remote_addr or "unknown")[:64]


def _report_retry_after(remote_addr: str) -> int:
    """Seconds before ``remote_addr`` may file another report; 0 when it may now."""
    since = utcnow() - THROTTLE_WINDOW
    count, oldest = db.session.execute(
        select(func.count(), func.min(LoginAttempt.at)).where(
            LoginAttempt.email == THROTTLE_KEY,
            LoginAttempt.remote_addr == remote_addr,
            LoginAttempt.at >= since,
        )
    ).one()
    if count < _reports_per_hour() or oldest is None:
        return 0
    oldest_at = oldest if oldest.tzinfo else oldest.replace(tzinfo=dt.UTC)
    return max(1, int((oldest_at + THROTTLE_WINDOW - utcnow()).total_seconds()) + 1)


def _count_report(remote_addr: str) -> None:
    db.session.add(LoginAttempt(email=THROTTLE_KEY, remote_addr=remote_addr, succeeded=True))


# --- the researcher's form ----------------------------------------------------------------


def _find_published_solution(name: str, vendor: str = "") -> Solution:
    """The published solution of that name (and vendor, when given), or a RuleViolation."""
    wanted = name.strip().lower()
    statement = (
        select(Solution)
        .join(Organisation, Organisation.id == Solution.vendor_id)
        .where(
            Solution.status == SolutionStatus.PUBLISHED,
            func.lower(Solution.name) == wanted,
        )
        .order_by(Solution.id)
    )
    if vendor.strip():
        statement = statement.where(func.lower(Organisation.name) == vendor.strip().lower())
    found = db.session.scalars(statement.limit(2)).all()
    if not found:
        if vendor.strip():
            raise RuleViolation(
                "No published solution of that name is offered by that vendor. Check both "
                "names against the public catalog.",
                "vendor",
            )
        raise RuleViolation(
            "No published solution has this name. Enter it exactly as the public catalog shows it.",
            "solution",
        )
    if len(found) > 1:
        raise RuleViolation(
            "Several vendors offer a solution of this name: enter the vendor's name too.",
            "vendor",
        )
    return found[0]


def _declared_version(solution: Solution, version: str) -> SolutionVersion | None:
    return db.session.scalar(
        select(SolutionVersion).where(
            SolutionVersion.solution_id == solution.id,
            func.lower(SolutionVersion.version) == version.strip().lower(),
        )
    )


def _file_research_report(form: ResearcherReportForm) -> VulnerabilityCase:
    solution = _find_published_solution(form.solution.data or "", form.vendor.data or "")
    version_text = (form.version.data or "").strip()
    report = form.report.data or ""
    version_ids: list[int] = []
    if version_text:
        declared = _declared_version(solution, version_text)
        if declared is not None:
            version_ids.append(declared.id)
        # The version as the reporter wrote it stays with the sealed report, matched or not.
        report = f"Version tested: {version_text}\n\n{report}"
    return cases.open_case(
        None,
        solution,
        CaseSource.RESEARCHER,
        title=form.title.data or "",
        report=report,
        reporter=form.reporter.data or "",
        cve_id=form.cve_id.data or "",
        cvss_v3=form.cvss_v3_vector.data or "",
        cvss_v4=form.cvss_v4_vector.data or "",
        version_ids=version_ids,
    )


@bp.route("/report-vulnerability", methods=["GET", "POST"])
def report() -> Any:
    """The public coordinated-disclosure form: no account, a case reference in return."""
    form = ResearcherReportForm()
    if request.method == "POST":
        wait = _report_retry_after(_remote_addr())
        if wait:
            raise TooManyAttempts(wait)
    if form.validate_on_submit():
        try:
            case = _file_research_report(form)
        except RuleViolation as error:
            show_violation(form, error)
        else:
            _count_report(_remote_addr())
            db.session.commit()
            session[_RECEIVED] = case.reference
            return redirect(url_for("vulnerabilities.report_received"))
    return render_template("vulnerabilities/report.html", form=form, **_policy())


@bp.get("/report-vulnerability/received")
def report_received() -> Any:
    """The confirmation: the reference and what happens next, nothing of the report itself."""
    reference = session.get(_RECEIVED)
    case = None
    if isinstance(reference, str):
        case = db.session.scalar(
            select(VulnerabilityCase).where(VulnerabilityCase.reference == reference)
        )
    if case is None:
        return redirect(url_for("vulnerabilities.report"))
    return render_template(
        "vulnerabilities/report_received.html",
        reference=case.reference,
        analysis_due=case.analysis_due,
        embargo_until=case.embargo_until,
    )


# --- the portal's own security contact ----------------------------------------------------


def _policy() -> dict[str, Any]:
    threshold = cases.label_threshold()
    return {
        "analysis_days": cases.analysis_days(),
        "embargo_days": cases.embargo_days(),
        "remediation": [
            (severity.value.capitalize(), cases.remediation_days(severity))
            for severity in (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)
        ],
        "label_threshold": threshold.value,
    }


@bp.get("/security-policy")
def security_policy() -> Any:
    """The coordinated-disclosure policy, with the deadlines and embargo the portal applies."""
    return render_template("vulnerabilities/security_policy.html", **_policy())


def _security_txt_lines() -> list[str]:
    """The fields of /.well-known/security.txt (RFC 9116), one per line."""
    expires = (utcnow() + dt.timedelta(days=SECURITY_TXT_DAYS)).astimezone(dt.UTC)
    lines = [f"Contact: {url_for('vulnerabilities.report', _external=True)}"]
    contact = str(current_app.config.get("SECURITY_CONTACT") or "").strip()
    if contact:
        if "@" in contact and not contact.startswith(("mailto:", "https://")):
            contact = f"mailto:{contact}"
        lines.append(f"Contact: {contact}")
    lines += [
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        f"Canonical: {public_url('/.well-known/security.txt')}",
        f"Policy: {url_for('vulnerabilities.security_policy', _external=True)}",
        "Preferred-Languages: en",
    ]
    return lines


@bp.get("/.well-known/security.txt")
def security_txt() -> Response:
    """How to report a vulnerability of the portal or of a registered solution (RFC 9116)."""
    body = "\n".join(_security_txt_lines()) + "\n"
    return Response(body, content_type="text/plain; charset=utf-8")


# --- a vendor's own report ----------------------------------------------------------------


def _own_solutions(user: User) -> list[Solution]:
    return list(
        db.session.scalars(
            select(Solution)
            .where(Solution.vendor_id == user.organisation_id)
            .order_by(func.lower(Solution.name), Solution.id)
        )
    )


@bp.route("/vulnerabilities/new", methods=["GET", "POST"])
@roles_required(Role.VENDOR)
def new_report() -> Any:
    """A vendor reports a vulnerability of one of its own solutions."""
    solution_id = integer_argument("solution")
    if solution_id is None:
        solutions = _own_solutions(g.user)
        if len(solutions) != 1:
            return render_template("vulnerabilities/choose_solution.html", solutions=solutions)
        solution = solutions[0]
    else:
        solution = get_solution_for_management(g.user, solution_id)
    form = VendorReportForm()
    form.versions.choices = [(v.id, v.version) for v in solution.versions]
    if form.validate_on_submit():
        try:
            case = cases.open_case(
                g.user,
                solution,
                CaseSource.VENDOR,
                title=form.title.data or "",
                report=form.report.data or "",
                summary=form.summary.data or "",
                cve_id=form.cve_id.data or "",
                cvss_v3=form.cvss_v3_vector.data or "",
                cvss_v4=form.cvss_v4_vector.data or "",
                version_ids=form.versions.data or [],
            )
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            return redirect(url_for("vulnerabilities.case_page", reference=case.reference))
    return render_template("vulnerabilities/vendor_report.html", form=form, solution=solution)
