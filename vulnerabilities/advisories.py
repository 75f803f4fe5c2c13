"""Public advisories of disclosed cases: pages, lists per solution and label, Atom, CSAF provider.

Only disclosed cases (settled and past their embargo) exist here, for every visitor alike: the
vendor and the authority manage the others on the case pages, never through these addresses.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from sqlalchemy import Select, select

from catalog.models import Solution
from catalog.services import get_listed_solution
from evaluations.labels.publishing import find_public_label
from evaluations.models import Label, LabelScope
from registry import atom
from registry.arguments import integer_argument
from registry.database import db, utcnow
from vulnerabilities.cases import STATUS_TEXT, VEX_TEXT, disclosed_clause
from vulnerabilities.csaf import documents, provider, signing
from vulnerabilities.models import (
    CaseVersion,
    ProductStatus,
    Severity,
    VulnerabilityCase,
)

bp = Blueprint("advisories", __name__)

FEED_SIZE = 50
REFERENCE_PATTERN = r"^VULN-[0-9]{4}-[0-9]{5,}$"
SEVERITY_TEXT = {s: s.value.capitalize() for s in Severity}


def disclosed() -> Select[VulnerabilityCase]:
    """Disclosed cases, the newest case first."""
    return select(VulnerabilityCase).where(disclosed_clause()).order_by(VulnerabilityCase.id.desc())


def find_disclosed(reference: str) -> VulnerabilityCase | None:
    """The disclosed case with this reference (None for any other, whoever asks)."""
    return db.session.scalar(disclosed().where(VulnerabilityCase.reference == reference))


def _disclosed_or_404(reference: str) -> VulnerabilityCase:
    case = find_disclosed(reference)
    if case is None:
        abort(404)
    return case


def severity_argument() -> Severity | None:
    """The `severity` filter of a list, if it names a severity."""
    value = request.args.get("severity", "")
    return Severity(value) if value in {s.value for s in Severity} else None


def filtered(statement: Select[Any], severity: Severity | None, solution_id: int | None) -> Any:
    """A list of disclosed cases narrowed to a severity and a solution."""
    if severity is not None:
        statement = statement.where(VulnerabilityCase.severity == severity)
    if solution_id is not None:
        statement = statement.where(VulnerabilityCase.solution_id == solution_id)
    return statement


def _page(statement: Select[Any]) -> Any:
    return db.paginate(statement, per_page=current_app.config["PER_PAGE"], error_out=False)


def _solution_choices() -> list[tuple[int, str]]:
    ids = select(VulnerabilityCase.solution_id).where(disclosed_clause())
    solutions = db.session.scalars(select(Solution).where(Solution.id.in_(ids))).all()
    return sorted(((s.id, s.name) for s in solutions), key=lambda item: item[1].lower())


@bp.get("/advisories")
def index() -> str:
    """Every disclosed advisory, newest first, by severity and solution."""
    severity = severity_argument()
    solution_id = integer_argument("solution")
    page = _page(filtered(disclosed(), severity, solution_id))
    args: dict[str, Any] = {}
    if severity:
        args["severity"] = severity.value
    if solution_id is not None:
        args["solution"] = solution_id
    return render_template(
        "vulnerabilities/advisories/index.html",
        page=page,
        severity=severity.value if severity else "",
        solution_id=solution_id,
        solutions=_solution_choices(),
        severities=SEVERITY_TEXT,
        args=args,
        heading="Vulnerability advisories",
        endpoint="advisories.index",
        endpoint_args={},
    )


@bp.get("/solutions/<int:solution_id>/advisories")
def solution_advisories(solution_id: int) -> str:
    """The disclosed advisories of one listed solution."""
    solution = get_listed_solution(solution_id)
    page = _page(disclosed().where(VulnerabilityCase.solution_id == solution.id))
    return render_template(
        "vulnerabilities/advisories/index.html",
        page=page,
        heading=f"Vulnerability advisories of {solution.name}",
        back=(url_for("catalog.solution", solution_id=solution.id), solution.name),
        args={},
        endpoint="advisories.solution_advisories",
        endpoint_args={"solution_id": solution.id},
    )


def label_cases(version_ids: list[int]) -> Select[VulnerabilityCase]:
    """Disclosed cases naming any of these versions (affected, fixed, not affected, …)."""
    return disclosed().where(
        VulnerabilityCase.id.in_(
            select(CaseVersion.case_id).where(CaseVersion.version_id.in_(version_ids))
        )
    )


@bp.get("/labels/<number>/advisories")
def label_advisories(number: str) -> str:
    """The disclosed advisories about versions in a published label's certified scope."""
    label = find_public_label(number)
    if label is None:
        abort(404)
    page = _page(label_cases([row.version_id for row in label.scope]))
    return render_template(
        "vulnerabilities/advisories/index.html",
        page=page,
        heading=f"Vulnerability advisories of label {label.number}",
        back=(url_for("labels.label_page", number=label.number), f"Label {label.number}"),
        args={},
        endpoint="advisories.label_advisories",
        endpoint_args={"number": label.number},
    )


def labels_concerned(case: VulnerabilityCase) -> list[Any]:
    """Published labels whose certified scope holds a version the case names."""
    version_ids = [row.version_id for row in case.versions]
    if not version_ids:
        return []
    return list(
        db.session.scalars(
            select(Label)
            .where(
                Label.credential != "",
                Label.id.in_(
                    select(LabelScope.label_id).where(LabelScope.version_id.in_(version_ids))
                ),
            )
            .order_by(Label.number)
        )
    )


@bp.get("/advisories/<reference>")
def advisory(reference: str) -> str:
    """One disclosed advisory: what is affected, what is fixed, what to do."""
    case = _disclosed_or_404(reference)
    history = documents.revisions(case)
    return render_template(
        "vulnerabilities/advisories/advisory.html",
        case=case,
        groups=documents.product_groups(case),
        statuses=ProductStatus,
        status_text=STATUS_TEXT,
        vex_text=VEX_TEXT,
        cwe_name=documents.cwe_names().get(case.cwe_id, ""),
        labels=labels_concerned(case),
        published_on=history[0].at.date(),
        updated_on=history[-1].at.date(),
        directory_path=documents.directory_path(case),
    )


def _json(data: bytes) -> Response:
    response = Response(data, mimetype="application/json")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _text(data: str, mimetype: str = "text/plain") -> Response:
    response = Response(data.encode("utf-8"), mimetype=mimetype)
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/advisories/<reference>.json")
def csaf(reference: str) -> Response:
    """The advisory as a CSAF 2.0 VEX document."""
    return _json(provider.csaf_bytes(_disclosed_or_404(reference)))


# --- Atom -----------------------------------------------------------------------------------


def _atom_stamp(csaf_stamp: str) -> str:
    return csaf_stamp.replace(".000Z", "Z")


def atom_feed_xml(limit: int = FEED_SIZE) -> bytes:
    """The Atom feed (RFC 4287) of disclosed advisories, the most recently changed first."""
    items = provider.published()[:limit]
    feed = atom.new_feed(
        specific="advisories",
        title=f"{current_app.config['AUTHORITY_NAME']}: vulnerability advisories",
        updated=_atom_stamp(items[0].current if items else documents.stamp(utcnow())),
        self_url=url_for("advisories.feed", _external=True),
        page_url=url_for("advisories.index", _external=True),
    )
    for item in items:
        case = item.case
        entry = atom.add(feed, "entry")
        atom.add(entry, "id", atom.tag(f"advisory:{case.reference}"))
        atom.add(entry, "title", f"{case.reference}: {case.title} ({case.solution.name})")
        atom.add(entry, "published", _atom_stamp(item.initial))
        atom.add(entry, "updated", _atom_stamp(item.current))
        page = url_for("advisories.advisory", reference=case.reference, _external=True)
        atom.add(entry, "link", rel="alternate", type="text/html", href=page)
        atom.add(
            entry,
            "link",
            rel="alternate",
            type="application/json",
            href=url_for("advisories.csaf", reference=case.reference, _external=True),
        )
        if case.severity is not None:
            atom.add(entry, "category", term=case.severity.value)
        summary = f"{STATUS_TEXT[case.status]}. {case.solution.name} by {case.vendor.name}."
        if case.cve_id:
            summary += f" {case.cve_id}."
        if case.summary:
            summary += f" {case.summary}"
        atom.add(entry, "summary", summary, type="text")
    return atom.to_bytes(feed)


@bp.get("/advisories.atom")
def feed() -> Response:
    """The Atom feed of disclosed advisories."""
    response = Response(atom_feed_xml(), mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# --- the CSAF provider layout ---------------------------------------------------------------


@bp.get("/.well-known/csaf/provider-metadata.json")
def provider_metadata() -> Response:
    """The CSAF provider metadata."""
    return _json(json.dumps(provider.provider_metadata(), indent=2, sort_keys=True).encode())


@bp.get("/.well-known/csaf/white/feed-tlp-white.json")
def rolie_feed() -> Response:
    """The ROLIE feed of the TLP:WHITE advisories."""
    return _json(json.dumps(provider.rolie_feed(), indent=2, sort_keys=True).encode())


@bp.get("/.well-known/csaf/white/index.txt")
def directory_index() -> Response:
    """index.txt of the directory distribution."""
    return _text(provider.index_txt())


@bp.get("/.well-known/csaf/white/changes.csv")
def directory_changes() -> Response:
    """changes.csv of the directory distribution."""
    return _text(provider.changes_csv(), "text/csv")


def _published_or_404(year: int, name: str) -> bytes:
    case = provider.find_published(year, f"{name}.json")
    if case is None:
        abort(404)
    return provider.csaf_bytes(case)


@bp.get("/.well-known/csaf/white/<int:year>/<name>.json")
def directory_document(year: int, name: str) -> Response:
    """One advisory in the directory distribution."""
    return _json(_published_or_404(year, name))


@bp.get("/.well-known/csaf/white/<int:year>/<name>.json.asc")
def directory_signature(year: int, name: str) -> Response:
    """The detached OpenPGP signature of one advisory's bytes."""
    signed = signing.signature(_published_or_404(year, name))
    return Response(signed, mimetype="application/pgp-signature")


@bp.get("/.well-known/csaf/openpgp/<fingerprint>.asc")
def openpgp_key(fingerprint: str) -> Response:
    """The public OpenPGP key the provider metadata names."""
    if fingerprint.upper() != signing.fingerprint():
        abort(404)
    response = Response(signing.public_key_armored(), mimetype="application/pgp-keys")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/.well-known/csaf/white/<int:year>/<name>.json.<any(sha256, sha512):algorithm>")
def directory_hash(year: int, name: str, algorithm: str) -> Response:
    """The SHA-256 or SHA-512 of one advisory's bytes."""
    return _text(provider.digest(_published_or_404(year, name), algorithm, f"{name}.json"))
