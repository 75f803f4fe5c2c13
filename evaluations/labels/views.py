"""Public label pages (HTML, PDF, credential, status lists), the decision log, verification,
and the authority's suspend / reinstate forms and revocation by two officers."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_wtf.file import FileField
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from catalog.models import SolutionStatus
from evaluations.forms import LabelReasonForm
from evaluations.labels import remediation, revocation, transparency
from evaluations.labels.basis import (
    NO_LONGER_OFFERED,
    basis_notice,
    labels_suspended_with_vendor,
    solution_offered,
)
from evaluations.labels.certified import certified_facts
from evaluations.labels.credentials import Verdict, VerdictCode
from evaluations.labels.documents.signing import STATUS_LIST_TTL_MS, VC_MEDIA_TYPE
from evaluations.labels.documents.verification import (
    MAX_LABEL_FILE_BYTES,
    load_label_credential,
    verify_label_file,
)
from evaluations.labels.keys import public_keys_document
from evaluations.labels.publishing import (
    find_public_label,
    label_credential_bytes,
    label_facts,
    label_pdf_path,
    status_list_credential,
    status_lists,
    warm_label_pdf,
)
from evaluations.labels.revocation import pending_revocation, pending_revocations
from evaluations.labels.status_changes import recertification_due
from evaluations.models import Label, LabelEvent, LabelRevocationProposal, LabelStatus
from registry.access import roles_required
from registry.database import db
from registry.exceptions import RuleViolation
from registry.forms import ConfirmForm, InputForm, ReasonForm
from registry.models import Organisation, Role
from registry.norms.models import NormVersion

bp = Blueprint("labels", __name__)


@bp.app_template_filter("certified_facts")
def certified_facts_filter(label: Label) -> dict[str, Any]:
    """What a label certifies (its frozen name, vendor, …), for lists of labels."""
    return certified_facts(label)


# A label credential is a few kilobytes and its PDF tens of kilobytes; the verify form refuses
# more than this before parsing anything.
MAX_VERIFY_BYTES = 2 * 1024 * 1024
assert MAX_VERIFY_BYTES <= MAX_LABEL_FILE_BYTES  # noqa: S101 - a constant's sanity, at import
STATUS_FILTERS = [("", "Any status")] + [(s.value, s.value.capitalize()) for s in LabelStatus]
VERDICT_TEXT: dict[str, str] = {
    VerdictCode.VALID: "Valid",
    VerdictCode.MALFORMED: "Not a label credential (malformed)",
    VerdictCode.UNSUPPORTED_SUITE: "Unsupported signature",
    VerdictCode.WRONG_PURPOSE: "Signature not meant for credentials",
    VerdictCode.UNKNOWN_KEY: "Signed with a key this registry never published",
    VerdictCode.BAD_SIGNATURE: "Tampered: the signature does not match the content",
    VerdictCode.KEY_REVOKED: "Signed with a revoked key",
    VerdictCode.WRONG_ISSUER: "Issued by someone else",
    VerdictCode.STATUS_LIST_INVALID: "Status list cannot be checked",
    VerdictCode.STATUS_UNKNOWN: "Status unknown: not shown as valid",
    VerdictCode.REVOKED: "Revoked",
    VerdictCode.SUSPENDED: "Suspended",
    VerdictCode.EXPIRED: "Expired",
    VerdictCode.NOT_YET_VALID: "Not yet valid",
}


class VerifyForm(InputForm):
    """A label file (credential JSON or label PDF), or pasted credential JSON."""

    file = FileField("Label file (the .json credential or the .pdf label)")
    pasted = TextAreaField(
        "Or paste the credential JSON", validators=[Optional(), Length(max=MAX_VERIFY_BYTES)]
    )


def _label_or_404(number: str) -> Label:
    label = find_public_label(number)
    if label is None:
        # The same page for an unknown number, a malformed one and an unpublished label.
        abort(404)
    return label


def unknown_label_page() -> tuple[str, int]:
    """The 404 page for any number that is not a published label."""
    return render_template("evaluations/labels/unknown.html"), 404


def _public_cache(response: Response, seconds: int) -> Response:
    response.headers["Cache-Control"] = f"public, max-age={seconds}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/labels")
def index() -> str:
    """Every published label, newest first, filterable by status."""
    status = request.args.get("status", "")
    statement: Select[Any] = (
        select(Label)
        .where(Label.credential != "")
        .options(
            selectinload(Label.solution),
            selectinload(Label.vendor),
            selectinload(Label.norm_version).selectinload(NormVersion.norm),
        )
        .order_by(Label.issued_at.desc(), Label.id.desc())
    )
    if status in {s.value for s in LabelStatus}:
        statement = statement.where(Label.status == LabelStatus(status))
    page = db.paginate(statement, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template(
        "evaluations/labels/index.html",
        page=page,
        status=status,
        status_choices=STATUS_FILTERS,
        under_remediation=remediation.labels_under_remediation(label.id for label in page.items),
    )


# Per application and process, by label number: the page as anonymous visitors see it, and
# the cached PDF's path, each with what it was drawn from. Each request still reads the label
# row; a page or path is reused only while everything it shows is unchanged (a status change
# also adds the history line), so neither is ever stale. At most CACHED_LABELS of each.
CACHED_LABELS = 1_000


def _cache(name: str) -> dict[str, tuple[tuple[Any, ...], Any]]:
    caches: dict[str, dict[str, tuple[tuple[Any, ...], Any]]]
    caches = current_app.extensions.setdefault("label_views_caches", {})
    return caches.setdefault(name, {})


def _label_source(label: Label) -> tuple[Any, ...]:
    """What a label's page and PDF are drawn from (the history changes with the status)."""
    return (
        label.id,
        label.status,
        label.status_reason,
        label.status_changed_at,
        label.status_list_index,
        hashlib.sha256(label.credential.encode("utf-8")).digest(),
        # An amendment (facts or scope) signed within the second of the last signature leaves
        # the credential as it was, but the page's history has a new line.
        label.facts_revision,
        # A vulnerability mark set or cleared changes the page and the PDF, not the label row.
        remediation.open_references(label),
    )


def _page_source(label: Label, basis: dict[str, Any]) -> tuple[Any, ...]:
    return (
        *_label_source(label),
        label.norm_version.number,
        # A line in the history (surveillance, for one) changes the page, not the label row.
        len(label.events),
        tuple(sorted(basis.items())),
        current_app.config["BASE_URL"],
    )


def _basis(label: Label) -> dict[str, Any]:
    """What the label's page says of its basis: re-certification, and the solution offered."""
    return {
        "recertification_due": recertification_due(label),
        "basis_notice": basis_notice(label),
        "solution_offered": solution_offered(label),
        "solution_archived": label.solution.status is SolutionStatus.ARCHIVED,
    }


def _keep(cache: dict[str, Any], key: str, value: Any) -> None:
    if len(cache) >= CACHED_LABELS and key not in cache:
        cache.pop(next(iter(cache)))
    cache[key] = value


@bp.get("/labels/<number>")
def label_page(number: str) -> Any:
    """The public verification page: the status first, then the facts and criteria."""
    label = find_public_label(number)
    if label is None:
        return unknown_label_page()
    basis = _basis(label)
    reusable = (
        g.user is None and not session.get("_flashes") and not current_app.jinja_env.auto_reload
    )
    source = _page_source(label, basis) if reusable else None
    pages = _cache("anonymous_pages")
    if source is not None:
        cached = pages.get(label.number)
        if cached is not None and cached[0] == source:
            return cached[1]
    page = render_template(
        "evaluations/labels/label.html",
        label=label,
        facts=label_facts(label),
        events=label.events,
        version=label.norm_version,
        no_longer_offered=NO_LONGER_OFFERED,
        open_advisories=remediation.open_advisories(label),
        advisory_endpoint="advisories.advisory" in current_app.view_functions,
        proposal=(
            pending_revocation(label)
            if g.user is not None and g.user.role is Role.AUTHORITY
            else None
        ),
        **basis,
    )
    if source is not None:
        _keep(pages, label.number, (source, page))
    return page


@bp.get("/labels/<number>.pdf")
def label_pdf(number: str) -> Response:
    """The printable label, from the on-disk cache (rendered when the label last changed)."""
    label = _label_or_404(number)
    # The file's name is a hash of the label's facts: worked out again only when they change.
    source = (*_label_source(label), current_app.config["PDF_CACHE_DIR"])
    files = _cache("pdf_files")
    known = files.get(label.number)
    path: Path | None = known[1] if known is not None and known[0] == source else None
    try:
        modified = path.stat().st_mtime if path is not None else None
    except FileNotFoundError:  # the cache folder was cleared: render it again
        modified = None
    if path is None or modified is None:
        path = label_pdf_path(label)
        modified = path.stat().st_mtime
        _keep(files, label.number, (source, path))
    # Read whole (tens of kilobytes, from the page cache): no file handle outlives the request.
    data = path.read_bytes()
    response = send_file(
        io.BytesIO(data),
        mimetype="application/pdf",
        as_attachment=False,
        download_name=f"{label.number}.pdf",
        conditional=True,
        # The cache file is named by the hash of its content: a ready-made strong ETag.
        etag=path.stem.rsplit("-", 1)[-1],
        last_modified=modified,
        max_age=60,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return _public_cache(response, 60)


@bp.get("/labels/<number>.json")
def label_credential(number: str) -> Response:
    """The signed W3C Verifiable Credential of the label, exactly as issued."""
    label = _label_or_404(number)
    response = current_app.response_class(label_credential_bytes(label), mimetype=VC_MEDIA_TYPE)
    response.set_etag(hashlib.sha256(label.credential.encode("utf-8")).hexdigest()[:32])
    response.make_conditional(request)
    response.headers["Content-Disposition"] = f'inline; filename="{label.number}.json"'
    return _public_cache(response, 3600)


@bp.get("/labels/status/<any(revocation, suspension):purpose>.json")
def status_list(purpose: str) -> Response:
    """A signed Bitstring Status List credential: the revoked or the suspended labels."""
    credential = status_list_credential(purpose)
    body = json.dumps(credential, ensure_ascii=False, indent=2).encode("utf-8")
    response = current_app.response_class(body, mimetype=VC_MEDIA_TYPE)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.make_conditional(request)
    # Short, and the list's own ttl: a verifier must learn of a revocation within a minute.
    return _public_cache(response, STATUS_LIST_TTL_MS // 1000)


# --- Decision log -----------------------------------------------------------------------------


def decision_rows() -> Any:
    """Every label decision (LabelEvent), newest first, with its label and solution loaded."""
    return (
        select(LabelEvent)
        .join(Label, Label.id == LabelEvent.label_id)
        .where(Label.credential != "")
        .options(
            selectinload(LabelEvent.label).selectinload(Label.solution),
            selectinload(LabelEvent.audit_entry),
        )
        .order_by(LabelEvent.at.desc(), LabelEvent.id.desc())
    )


@bp.get("/decisions")
def decisions() -> str:
    """The public decision log: every issue, suspension, reinstatement, revocation, expiry."""
    page = db.paginate(decision_rows(), per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("evaluations/decisions.html", page=page)


@bp.get("/audit/checkpoint.json")
def audit_checkpoint() -> Response:
    """The audit chain's head and the digest of its public entries, signed now."""
    document = transparency.signed_checkpoint(current_app.config["BASE_URL"])
    response = current_app.response_class(
        json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8"),
        mimetype="application/json",
    )
    # A verifier compares it with the decision log read at about the same time.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# --- The authority's actions ------------------------------------------------------------------


@bp.get("/labels/<number>/manage")
@roles_required(Role.AUTHORITY)
def manage(number: str) -> str:
    """The authority's page for one label: history and the status forms."""
    label = _label_or_404(number)
    return render_template(
        "evaluations/labels/manage.html",
        label=label,
        facts=label_facts(label),
        form=LabelReasonForm(),
        no_longer_offered=NO_LONGER_OFFERED,
        proposal=pending_revocation(label),
        **_basis(label),
    )


@bp.get("/labels/vendor/<int:organisation_id>/suspended")
@roles_required(Role.AUTHORITY)
def suspended_with_vendor(organisation_id: int) -> str:
    """The vendor's labels suspended with the organisation, each with its reinstate form:
    reactivating the organisation reinstates none by itself."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    return render_template(
        "evaluations/labels/suspended_with_vendor.html",
        organisation=organisation,
        labels=labels_suspended_with_vendor(organisation.id),
    )


# --- Revocation by two officers ----------------------------------------------------------------


@bp.get("/labels/revocations")
@roles_required(Role.AUTHORITY)
def revocation_proposals() -> str:
    """The pending revocation proposals, for the second officer to confirm or refuse."""
    return render_template("evaluations/labels/revocations.html", proposals=pending_revocations())


def _proposal_or_404(number: str, proposal_id: int) -> LabelRevocationProposal:
    label = _label_or_404(number)
    proposal = db.session.get(LabelRevocationProposal, proposal_id)
    if proposal is None or proposal.label_id != label.id:
        abort(404)
    return proposal


def _run(number: str, call: Any, done: str) -> Any:
    try:
        call()
    except RuleViolation as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("labels.manage", number=number))
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("labels.manage", number=number))


@bp.post("/labels/<number>/revocation/<int:proposal_id>/confirm")
@roles_required(Role.AUTHORITY)
def confirm_revocation(number: str, proposal_id: int) -> Any:
    """A second officer confirms the proposal: the label is revoked."""
    proposal = _proposal_or_404(number, proposal_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    response = _run(
        number,
        lambda: revocation.confirm_revocation(g.user, proposal),
        f"Label {number} is revoked. The vendor was notified.",
    )
    if proposal.label.status is LabelStatus.REVOKED:
        # The PDF prints the status: render the new one now, not on a visitor's request.
        warm_label_pdf(proposal.label)
    return response


@bp.post("/labels/<number>/revocation/<int:proposal_id>/refuse")
@roles_required(Role.AUTHORITY)
def refuse_revocation(number: str, proposal_id: int) -> Any:
    """A second officer refuses the proposal, with a note: the label stays as it is."""
    proposal = _proposal_or_404(number, proposal_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash("Say why you refuse; the proposing officer reads it.", "error")
        return redirect(url_for("labels.manage", number=number))
    return _run(
        number,
        lambda: revocation.refuse_revocation(g.user, proposal, form.reason.data or ""),
        f"Revocation of label {number} refused. The label stays as it is.",
    )


@bp.post("/labels/<number>/revocation/<int:proposal_id>/withdraw")
@roles_required(Role.AUTHORITY)
def withdraw_revocation(number: str, proposal_id: int) -> Any:
    """The proposing officer withdraws the proposal."""
    proposal = _proposal_or_404(number, proposal_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _run(
        number,
        lambda: revocation.withdraw_revocation(g.user, proposal),
        f"Revocation proposal for label {number} withdrawn.",
    )


# --- Verification -----------------------------------------------------------------------------


def _uploaded_bytes(form: VerifyForm) -> bytes | None:
    upload = form.file.data
    if upload is not None and upload.filename:
        try:
            data: bytes = upload.stream.read(MAX_VERIFY_BYTES + 1)
        finally:
            # A large upload is spooled to a temporary file: release it now.
            upload.close()
        return data
    pasted = str(form.pasted.data or "")
    if pasted.strip():
        return pasted.encode("utf-8")
    return None


# The verdicts that state a label's status as the status lists give it.
STATUS_CHECKED_VERDICTS = frozenset({VerdictCode.VALID, VerdictCode.REVOKED, VerdictCode.SUSPENDED})


def verify_bytes(data: bytes, now: dt.datetime) -> Verdict:
    """The verdict on a label file at ``now``, with this registry's keys and current status
    lists (signed from the database as it is now, so never older than the request)."""
    if len(data) > MAX_VERIFY_BYTES:
        return Verdict(VerdictCode.MALFORMED, "the file is too large to be a label")
    keys = public_keys_document(current_app.config["BASE_URL"])
    return verify_label_file(data, keys, status_lists(now=now), now=now)


def verified_label(data: bytes, verdict: Verdict) -> Label | None:
    """The registry's label a file proved to be (its signature and status held), else None."""
    if not verdict.ok:
        return None
    try:
        credential = load_label_credential(data)
        number = credential["credentialSubject"]["label"]["number"]  # type: ignore[index]
    except (ValueError, KeyError, TypeError):
        return None
    return find_public_label(number) if isinstance(number, str) else None


@bp.route("/verify", methods=["GET", "POST"])
def verify() -> Any:
    """Anyone uploads a label credential or PDF and gets the verdict, and what has become of
    the label's basis since (re-certification due, solution no longer offered)."""
    form = VerifyForm()
    verdict = None
    basis: dict[str, Any] = {}
    status = 200
    checked_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    if form.validate_on_submit():
        data = _uploaded_bytes(form)
        if data is None:
            form.file.errors = ["Choose a file or paste the credential."]
        else:
            verdict = verify_bytes(data, checked_at)
            label = verified_label(data, verdict)
            if label is not None:
                basis = _basis(label)
    elif request.method == "POST" and not form.errors:
        form.file.errors = ["Choose a file or paste the credential."]
    return (
        render_template(
            "evaluations/verify.html",
            form=form,
            verdict=verdict,
            verdict_text=VERDICT_TEXT.get(verdict.code, str(verdict.code)) if verdict else "",
            status_checked=verdict is not None and verdict.code in STATUS_CHECKED_VERDICTS,
            checked_at=checked_at,
            basis=basis,
            no_longer_offered=NO_LONGER_OFFERED,
        ),
        status,
    )
