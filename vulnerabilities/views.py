"""The case pages: the vendor and the authority work a vulnerability case through its steps.

Only the authority and the case's vendor see a case here, disclosed or not; the public reads
the advisory. Each step is a form → a service of `vulnerabilities.cases` → commit → redirect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import Select, select
from wtforms.fields.choices import SelectChoice

from catalog.models import Solution, SolutionVersion
from catalog.versions import version_of
from registry.access import login_required, require_role
from registry.arguments import integer_argument
from registry.database import db
from registry.dates import today
from registry.exceptions import NotVisible, RuleViolation
from registry.models import Role, User
from registry.views.actions import show_violation
from vulnerabilities import cases
from vulnerabilities.blueprint import bp
from vulnerabilities.case_forms import (
    ConfirmCaseForm,
    EmbargoForm,
    FixedForm,
    NotAffectedForm,
    RejectForm,
    RescoreForm,
    StartAnalysisForm,
)
from vulnerabilities.models import (
    CaseStatus,
    ProductStatus,
    Severity,
    VulnerabilityCase,
)

MANAGERS = (Role.VENDOR, Role.AUTHORITY)
OPEN_ANALYSIS = (CaseStatus.REPORTED, CaseStatus.UNDER_ANALYSIS)
PRODUCT_STATUS_TEXT = {
    ProductStatus.KNOWN_AFFECTED: "Affected",
    ProductStatus.KNOWN_NOT_AFFECTED: "Not affected",
    ProductStatus.FIXED: "Fixed",
    ProductStatus.UNDER_INVESTIGATION: "Under investigation",
}


def _manager() -> User:
    """The signed-in vendor or authority; everyone else finds nothing here."""
    user: User = g.user
    if user.role not in MANAGERS:
        raise NotVisible()
    return user


def _managed_case(reference: str) -> VulnerabilityCase:
    """The case for its vendor and the authority only: disclosure does not open this page."""
    user = _manager()
    case = db.session.scalar(
        select(VulnerabilityCase).where(VulnerabilityCase.reference == reference)
    )
    if case is None or not cases.can_manage(user, case):
        raise NotVisible()
    return case


def overdue_deadline(case: VulnerabilityCase, on: dt.date | None = None) -> str:
    """The deadline the case has missed ("analysis", "remediation"), or an empty string."""
    day = on or today()
    if case.status in OPEN_ANALYSIS and case.analysis_due and case.analysis_due < day:
        return "analysis"
    if case.status is CaseStatus.CONFIRMED and case.remediation_due and case.remediation_due < day:
        return "remediation"
    return ""


# --- the list -----------------------------------------------------------------------------


def _list_statement(user: User) -> Select[VulnerabilityCase]:
    statement = select(VulnerabilityCase)
    if user.role is Role.VENDOR:
        statement = statement.where(VulnerabilityCase.vendor_id == user.organisation_id)
    return statement


def _choice(value: str | None, allowed: type[CaseStatus] | type[Severity]) -> Any:
    try:
        return allowed(value) if value else None
    except ValueError:
        return None


@bp.get("/vulnerabilities")
@login_required
def cases_list() -> str:
    """The vendor's cases of its solutions, or every case for the authority; with filters."""
    user = _manager()
    base = _list_statement(user)
    solution_ids = db.session.scalars(
        base.with_only_columns(VulnerabilityCase.solution_id).distinct()
    ).all()
    solutions = db.session.scalars(
        select(Solution).where(Solution.id.in_(solution_ids)).order_by(Solution.name)
    ).all()
    status = _choice(request.args.get("status"), CaseStatus)
    severity = _choice(request.args.get("severity"), Severity)
    solution_id = integer_argument("solution")
    statement = base
    if status is not None:
        statement = statement.where(VulnerabilityCase.status == status)
    if severity is not None:
        statement = statement.where(VulnerabilityCase.severity == severity)
    if solution_id is not None and solution_id in solution_ids:
        statement = statement.where(VulnerabilityCase.solution_id == solution_id)
    else:
        solution_id = None
    page = db.paginate(
        statement.order_by(VulnerabilityCase.reported_at.desc(), VulnerabilityCase.id.desc()),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    filters = {
        "status": status.value if status else "",
        "severity": severity.value if severity else "",
        "solution": solution_id or "",
    }
    return render_template(
        "vulnerabilities/cases.html",
        page=page,
        filters=filters,
        args={k: v for k, v in filters.items() if v},
        solutions=solutions,
        statuses=list(CaseStatus),
        severities=list(Severity),
        status_text=cases.STATUS_TEXT,
        overdue=overdue_deadline,
        any_case=bool(solution_ids),
    )


# --- one case -----------------------------------------------------------------------------


def _version_choices(versions: list[SolutionVersion]) -> list[SelectChoice]:
    return [
        SelectChoice(v.id, f"{v.version} (released {v.released_on.isoformat()})") for v in versions
    ]


def _declared(case: VulnerabilityCase) -> list[SolutionVersion]:
    return sorted(case.solution.versions, key=lambda v: (v.released_on, v.id))


def _fix_candidates(case: VulnerabilityCase) -> list[SolutionVersion]:
    affected = {v.id for v in cases.versions_with(case, ProductStatus.KNOWN_AFFECTED)}
    return [v for v in _declared(case) if v.id not in affected]


def _forms(case: VulnerabilityCase, given: dict[str, FlaskForm]) -> dict[str, FlaskForm]:
    """Every step's form, blank unless ``given`` holds the one just submitted."""
    declared = _version_choices(_declared(case))
    in_case = [row.version_id for row in case.versions]
    confirm = given.get("confirm_form") or ConfirmCaseForm(
        formdata=None,
        versions=in_case,
        cvss_v3_vector=case.cvss_v3_vector,
        cvss_v4_vector=case.cvss_v4_vector,
        cve_id=case.cve_id,
        cwe_id=case.cwe_id,
        summary=case.summary,
    )
    confirm.versions.choices = declared
    not_affected = given.get("not_affected_form") or NotAffectedForm(
        formdata=None, versions=in_case
    )
    not_affected.versions.choices = declared
    fixed = given.get("fixed_form") or FixedForm(formdata=None)
    fixed.fixed_version.choices = _version_choices(_fix_candidates(case))
    return {
        "start_form": given.get("start_form") or StartAnalysisForm(formdata=None),
        "confirm_form": confirm,
        "not_affected_form": not_affected,
        "fixed_form": fixed,
        "reject_form": given.get("reject_form") or RejectForm(formdata=None),
        "embargo_form": given.get("embargo_form")
        or EmbargoForm(formdata=None, embargo_until=case.embargo_until),
        "rescore_form": given.get("rescore_form")
        or RescoreForm(
            formdata=None,
            prefix=RESCORE,
            cvss_v3_vector=case.cvss_v3_vector,
            cvss_v4_vector=case.cvss_v4_vector,
        ),
    }


def _advisory_url(case: VulnerabilityCase) -> str | None:
    """The public advisory of a disclosed case."""
    if not cases.is_disclosed(case):
        return None
    return url_for("advisories.advisory", reference=case.reference)


def _page(case: VulnerabilityCase, status: int = 200, **given: FlaskForm) -> tuple[str, int]:
    user: User = g.user
    report, contact = cases.report_text(user, case)
    rows = [(row.version, PRODUCT_STATUS_TEXT[row.status]) for row in case.versions]
    return render_template(
        "vulnerabilities/case.html",
        case=case,
        report=report,
        contact=contact,
        versions=rows,
        status_text=cases.STATUS_TEXT,
        vex_text=cases.VEX_TEXT,
        overdue=overdue_deadline(case),
        disclosed=cases.is_disclosed(case),
        advisory_url=_advisory_url(case),
        is_authority=user.role is Role.AUTHORITY,
        **_forms(case, given),
    ), status


@bp.get("/vulnerabilities/<reference>")
@login_required
def case_page(reference: str) -> tuple[str, int]:
    """One case: facts, scores, versions, deadlines, the sealed report, history, next steps."""
    return _page(_managed_case(reference))


def _step(
    reference: str,
    form_name: str,
    form: FlaskForm,
    call: Callable[[VulnerabilityCase], str],
) -> Any:
    """Validate ``form``, run the step, commit and go back to the case; or show the errors."""
    case = _managed_case(reference)
    _forms(case, {form_name: form})  # gives the submitted form its version choices
    if form.validate_on_submit():
        try:
            message = call(case)
        except RuleViolation as error:
            show_violation(form, error)
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("vulnerabilities.case_page", reference=case.reference))
    else:
        db.session.rollback()
    case = _managed_case(reference)
    return _page(case, 400, **{form_name: form})


@bp.post("/vulnerabilities/<reference>/analysis")
@login_required
def case_start_analysis(reference: str) -> Any:
    """Reported → under analysis (the vendor or the authority)."""
    form = StartAnalysisForm()

    def run(case: VulnerabilityCase) -> str:
        cases.start_analysis(g.user, case, form.note.data or "")
        return f"{case.reference} is under analysis."

    return _step(reference, "start_form", form, run)


# The re-score form shares field names with the confirm form: its own prefix keeps ids apart.
RESCORE = "rescore"


@bp.post("/vulnerabilities/<reference>/scores")
@login_required
def case_rescore(reference: str) -> Any:
    """New CVSS vectors for an open case (the vendor or the authority), with the reason."""
    form = RescoreForm(prefix=RESCORE)

    def run(case: VulnerabilityCase) -> str:
        cases.rescore(
            g.user,
            case,
            cvss_v3=form.cvss_v3_vector.data or "",
            cvss_v4=form.cvss_v4_vector.data or "",
            note=form.note.data or "",
        )
        return f"The scores of {case.reference} are changed."

    return _step(reference, "rescore_form", form, run)


@bp.post("/vulnerabilities/<reference>/confirm")
@login_required
def case_confirm(reference: str) -> Any:
    """The vulnerability is confirmed: versions, scores, identifiers, summary."""
    form = ConfirmCaseForm()

    def run(case: VulnerabilityCase) -> str:
        cases.confirm(
            g.user,
            case,
            analysis=form.analysis.data or "",
            affected_version_ids=form.versions.data or [],
            cvss_v3=form.cvss_v3_vector.data or "",
            cvss_v4=form.cvss_v4_vector.data or "",
            cve_id=form.cve_id.data or "",
            cwe_id=form.cwe_id.data or "",
            summary=form.summary.data or "",
        )
        return f"{case.reference} is confirmed; the fix is due by {case.remediation_due}."

    return _step(reference, "confirm_form", form, run)


@bp.post("/vulnerabilities/<reference>/not-affected")
@login_required
def case_not_affected(reference: str) -> Any:
    """A VEX statement: not affected, with its justification."""
    form = NotAffectedForm()

    def run(case: VulnerabilityCase) -> str:
        cases.declare_not_affected(
            g.user,
            case,
            justification=form.justification.data or "",
            analysis=form.analysis.data or "",
            version_ids=form.versions.data or [],
        )
        return f"{case.reference} is recorded as not affected."

    return _step(reference, "not_affected_form", form, run)


@bp.post("/vulnerabilities/<reference>/fixed")
@login_required
def case_fixed(reference: str) -> Any:
    """Confirmed → fixed in a declared version of the solution."""
    form = FixedForm()

    def run(case: VulnerabilityCase) -> str:
        version = version_of(case.solution_id, form.fixed_version.data)
        if version is None:
            raise RuleViolation("Choose a declared version of this solution.", "fixed_version")
        cases.mark_fixed(g.user, case, version, form.note.data or "")
        return f"{case.reference} is fixed in version {version.version}."

    return _step(reference, "fixed_form", form, run)


@bp.post("/vulnerabilities/<reference>/reject")
@login_required
def case_reject(reference: str) -> Any:
    """The authority rejects the report, after a confirmation."""
    _managed_case(reference)
    require_role(g.user, Role.AUTHORITY)
    form = RejectForm()

    def run(case: VulnerabilityCase) -> str:
        cases.reject(g.user, case, form.reason.data or "")
        return f"{case.reference} is rejected."

    return _step(reference, "reject_form", form, run)


@bp.post("/vulnerabilities/<reference>/embargo")
@login_required
def case_embargo(reference: str) -> Any:
    """The authority moves or lifts the embargo, with a reason."""
    _managed_case(reference)
    require_role(g.user, Role.AUTHORITY)
    form = EmbargoForm()

    def run(case: VulnerabilityCase) -> str:
        cases.set_embargo(g.user, case, form.embargo_until.data, form.reason.data or "")
        until = case.embargo_until
        return f"Embargo of {case.reference}: " + (f"until {until}." if until else "lifted.")

    return _step(reference, "embargo_form", form, run)
