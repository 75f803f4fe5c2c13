"""Import of CSAF 2.0 advisories: validate, match products to declared versions, file cases.

A document is refused unless it passes the CSAF 2.0 JSON schema and the mandatory tests (both
must have run). Each product of its product tree is matched to a declared version of a solution:
by package URL (canonical forms, version included), else by CPE (canonical 2.3 form), else by
its name being exactly "<solution name> <version>" (case-insensitive). For each vulnerability
and each solution with matched products, one case (source CSAF) is opened and moved to the
status its product_status implies; products that match nothing are listed for the authority
(`UnmatchedProduct`), who matches them by hand or dismisses them.

Importing the same tracking id and revision again changes nothing; a new revision of an
advisory updates the cases it filed (document, then any step forward its statuses imply).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cpe import CPE
from packageurl import PackageURL
from sqlalchemy import select

from catalog.models import Solution, SolutionVersion
from registry import audit
from registry.access import require_role
from registry.database import db, utcnow
from registry.exceptions import NotVisible, RuleViolation
from registry.models import Role, User
from vulnerabilities import cases
from vulnerabilities.csaf.validation import Problem, validate
from vulnerabilities.models import (
    TITLE_MAX,
    CaseSource,
    CaseStatus,
    ProductStatus,
    UnmatchedProduct,
    VexJustification,
    VulnerabilityCase,
)

# CSAF product_status groups and the status a version takes in a case ("recommended" is advice).
GROUPS = {
    "known_affected": ProductStatus.KNOWN_AFFECTED,
    "first_affected": ProductStatus.KNOWN_AFFECTED,
    "last_affected": ProductStatus.KNOWN_AFFECTED,
    "fixed": ProductStatus.FIXED,
    "first_fixed": ProductStatus.FIXED,
    "known_not_affected": ProductStatus.KNOWN_NOT_AFFECTED,
    "under_investigation": ProductStatus.UNDER_INVESTIGATION,
}
ALL_GROUPS = (*GROUPS, "recommended")
DISMISS_MIN = 3


@dataclass(frozen=True)
class Product:
    """A product of the product tree: its id, full name and identification helpers."""

    product_id: str
    name: str
    purl: str = ""
    cpe: str = ""


@dataclass
class ImportResult:
    """What an import did: cases filed or updated, products left unmatched, or why refused."""

    tracking_id: str = ""
    revision: str = ""
    cases: list[VulnerabilityCase] = field(default_factory=list)
    unchanged: list[VulnerabilityCase] = field(default_factory=list)
    unmatched: list[UnmatchedProduct] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    refused: bool = False


# --- reading the document -----------------------------------------------------------------


def _helper_product(full: dict[str, Any]) -> Product:
    helper = full.get("product_identification_helper") or {}
    return Product(
        str(full.get("product_id", "")),
        str(full.get("name", "")),
        str(helper.get("purl", "")),
        str(helper.get("cpe", "")),
    )


def _walk_branches(branches: Iterable[dict[str, Any]]) -> Iterator[Product]:
    for branch in branches:
        if "product" in branch:
            yield _helper_product(branch["product"])
        yield from _walk_branches(branch.get("branches", []))


def products_of(document: dict[str, Any]) -> dict[str, Product]:
    """Every product of the tree by id: branches (recursively), full names, relationships.

    A relationship's product without identifiers of its own takes those of the product it
    refers to (the component is what a version names).
    """
    tree = document.get("product_tree") or {}
    found: dict[str, Product] = {}
    for product in _walk_branches(tree.get("branches", [])):
        found[product.product_id] = product
    for full in tree.get("full_product_names", []):
        product = _helper_product(full)
        found[product.product_id] = product
    for relation in tree.get("relationships", []):
        product = _helper_product(relation["full_product_name"])
        referred = found.get(relation.get("product_reference", ""))
        if referred is not None and not (product.purl or product.cpe):
            product = Product(product.product_id, product.name, referred.purl, referred.cpe)
        found[product.product_id] = product
    return found


def _groups_of(document: dict[str, Any]) -> dict[str, list[str]]:
    tree = document.get("product_tree") or {}
    return {g["group_id"]: list(g["product_ids"]) for g in tree.get("product_groups", [])}


def _canonical_purl(text: str) -> str:
    try:
        canonical: str = PackageURL.from_string(text.strip()).to_string()
    except ValueError:
        return ""
    return canonical


def _canonical_cpe(text: str) -> str:
    try:
        canonical: str = CPE(text.strip()).as_fs()
    except (NotImplementedError, ValueError, TypeError):
        return ""
    return canonical


class Matcher:
    """Declared versions by canonical purl, canonical CPE and "<solution> <version>" name."""

    def __init__(self) -> None:
        rows = db.session.execute(
            select(SolutionVersion, Solution).join(
                Solution, Solution.id == SolutionVersion.solution_id
            )
        ).all()
        self.by_purl: dict[str, SolutionVersion] = {}
        self.by_cpe: dict[str, SolutionVersion] = {}
        self.by_name: dict[str, SolutionVersion] = {}
        for version, solution in rows:
            if version.purl:
                self.by_purl.setdefault(_canonical_purl(version.purl), version)
            if version.cpe:
                self.by_cpe.setdefault(_canonical_cpe(version.cpe), version)
            self.by_name.setdefault(f"{solution.name} {version.version}".casefold(), version)
        self.by_purl.pop("", None)
        self.by_cpe.pop("", None)

    def match(self, product: Product) -> SolutionVersion | None:
        """The declared version the product names, or None."""
        if product.purl:
            found = self.by_purl.get(_canonical_purl(product.purl))
            if found is not None:
                return found
        if product.cpe:
            found = self.by_cpe.get(_canonical_cpe(product.cpe))
            if found is not None:
                return found
        return self.by_name.get(" ".join(product.name.split()).casefold())


def _notes_text(notes: Iterable[dict[str, Any]]) -> str:
    wanted = [n for n in notes if n.get("category") in ("summary", "description")]
    wanted.sort(key=lambda n: n.get("category") != "summary")
    return "\n\n".join(str(n.get("text", "")).strip() for n in wanted).strip()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class Finding:
    """One vulnerability entry, as one solution's case will hold it."""

    title: str
    summary: str
    cve: str
    cwe: str
    vector: str
    justification: VexJustification | None
    impact: str
    versions: dict[ProductStatus, list[SolutionVersion]]


def _vector_for(vulnerability: dict[str, Any], product_ids: set[str]) -> str:
    scores = vulnerability.get("scores", [])
    for score in scores:
        if set(score.get("products", [])) & product_ids and "cvss_v3" in score:
            return str(score["cvss_v3"].get("vectorString", ""))
    return ""


def _justification_for(
    vulnerability: dict[str, Any], product_ids: set[str], groups: dict[str, list[str]]
) -> VexJustification | None:
    for flag in vulnerability.get("flags", []):
        covered = set(flag.get("product_ids", []))
        for group in flag.get("group_ids", []):
            covered.update(groups.get(group, []))
        if covered & product_ids:
            try:
                return VexJustification(flag.get("label", ""))
            except ValueError:
                continue
    return None


def _impact_for(vulnerability: dict[str, Any], product_ids: set[str]) -> str:
    for threat in vulnerability.get("threats", []):
        if threat.get("category") == "impact" and (
            not threat.get("product_ids") or set(threat["product_ids"]) & product_ids
        ):
            return str(threat.get("details", "")).strip()
    return ""


# --- importing ----------------------------------------------------------------------------


def _refused(actor: User, result: ImportResult, source_name: str) -> ImportResult:
    result.refused = True
    audit.record(
        actor,
        "vulnerability.csaf_refused",
        object_type="csaf_advisory",
        object_id=_clip(result.tracking_id or source_name, 80),
        summary=f"CSAF advisory {source_name} refused ({len(result.problems)} problems)",
        data={
            "source": source_name,
            "tracking_id": result.tracking_id,
            "problems": [str(p) for p in result.problems[:20]],
        },
    )
    db.session.flush()
    return result


def _tracking(document: Any) -> tuple[str, str]:
    if not isinstance(document, dict):
        return "", ""
    tracking = (document.get("document") or {}).get("tracking") or {}
    return str(tracking.get("id", "")), str(tracking.get("version", ""))


Sorted = dict[Solution, tuple[dict[ProductStatus, list[SolutionVersion]], set[str]]]


def _sort_products(
    vulnerability: dict[str, Any],
    matched: dict[str, SolutionVersion | None],
    unmatched: dict[tuple[str, str], list[str]],
    mentioned: set[str],
) -> Sorted:
    """The vulnerability's matched versions by solution and status (with their product ids);
    its unmatched products are added to ``unmatched`` with its CVE."""
    cve = str(vulnerability.get("cve", ""))
    statuses: dict[str, list[str]] = vulnerability.get("product_status", {})
    found: Sorted = {}
    for group in ALL_GROUPS:
        for pid in statuses.get(group, []):
            mentioned.add(pid)
            version = matched.get(pid)
            if version is None:
                cves = unmatched.setdefault((pid, group), [])
                if cve and cve not in cves:
                    cves.append(cve)
                continue
            if group not in GROUPS:
                continue
            versions, ids = found.setdefault(version.solution, ({}, set()))
            listed = versions.setdefault(GROUPS[group], [])
            if version not in listed:
                listed.append(version)
            ids.add(pid)
    return found


def import_advisory(actor: User | None, document: Any, source_name: str) -> ImportResult:
    """Validate a CSAF 2.0 document, then file its cases and list its unmatched products."""
    user = require_role(actor, Role.AUTHORITY)
    tracking_id, revision = _tracking(document)
    result = ImportResult(tracking_id=tracking_id, revision=revision)
    checked = validate(document)
    if not checked.valid:
        result.problems = list(checked.problems)
        if not result.problems:
            result.problems = [
                Problem(
                    "$",
                    f"The mandatory tests did not run: {checked.not_run_reason}",
                    "mandatory tests",
                )
            ]
        return _refused(user, result, source_name)
    text = json.dumps(document, ensure_ascii=False, indent=2)
    products = products_of(document)
    groups = _groups_of(document)
    matcher = Matcher()
    matched = {pid: matcher.match(product) for pid, product in products.items()}
    unmatched: dict[tuple[str, str], list[str]] = {}
    mentioned: set[str] = set()
    for vulnerability in document.get("vulnerabilities", []):
        sorted_out = _sort_products(vulnerability, matched, unmatched, mentioned)
        for solution, (versions, ids) in sorted_out.items():
            finding = Finding(
                title=_clip(
                    str(vulnerability.get("title") or document["document"]["title"]), TITLE_MAX
                ),
                summary=_clip(
                    _notes_text(vulnerability.get("notes", []))
                    or _notes_text(document["document"].get("notes", [])),
                    cases.SUMMARY_MAX,
                ),
                cve=str(vulnerability.get("cve", "")),
                cwe=str((vulnerability.get("cwe") or {}).get("id", "")),
                vector=_vector_for(vulnerability, ids),
                justification=_justification_for(vulnerability, ids, groups),
                impact=_impact_for(vulnerability, ids),
                versions=versions,
            )
            _file(user, solution, finding, result, text)
    for pid in products:
        if pid not in mentioned and matched[pid] is None:
            unmatched.setdefault((pid, ""), [])
    for (pid, group), cves in unmatched.items():
        result.unmatched.append(_unmatched_row(tracking_id, products.get(pid), pid, group, cves))
    audit.record(
        user,
        "vulnerability.csaf_imported",
        object_type="csaf_advisory",
        object_id=_clip(tracking_id, 80),
        summary=(
            f"CSAF advisory {tracking_id} (revision {revision}) imported from {source_name}: "
            f"{len(result.cases)} cases filed or updated, {len(result.unmatched)} products "
            "unmatched"
        ),
        data={
            "source": source_name,
            "tracking_id": tracking_id,
            "revision": revision,
            "cases": [c.reference for c in result.cases],
            "unchanged": [c.reference for c in result.unchanged],
            "unmatched": len(result.unmatched),
        },
    )
    db.session.flush()
    return result


def _unmatched_row(
    tracking_id: str, product: Product | None, pid: str, group: str, cves: list[str]
) -> UnmatchedProduct:
    existing = db.session.scalar(
        select(UnmatchedProduct).where(
            UnmatchedProduct.csaf_tracking_id == tracking_id,
            UnmatchedProduct.product_id == pid,
            UnmatchedProduct.product_status == group,
        )
    )
    if existing is not None:
        if existing.resolved_at is None:
            existing.cve_ids = ", ".join(cves)
        return existing
    row = UnmatchedProduct(
        csaf_tracking_id=tracking_id,
        product_id=pid,
        name=product.name if product else "",
        purl=product.purl if product else "",
        cpe=product.cpe if product else "",
        product_status=group,
        cve_ids=", ".join(cves),
    )
    db.session.add(row)
    return row


def _revision_of(case: VulnerabilityCase) -> str:
    try:
        return _tracking(json.loads(case.csaf_document))[1]
    except ValueError:
        return ""


def _existing_case(
    tracking_id: str, solution: Solution, finding: Finding
) -> VulnerabilityCase | None:
    statement = select(VulnerabilityCase).where(
        VulnerabilityCase.csaf_tracking_id == tracking_id,
        VulnerabilityCase.solution_id == solution.id,
        VulnerabilityCase.source == CaseSource.CSAF,
    )
    if finding.cve:
        statement = statement.where(VulnerabilityCase.cve_id == finding.cve.upper())
    else:
        statement = statement.where(VulnerabilityCase.title == finding.title)
    return db.session.scalars(statement.order_by(VulnerabilityCase.id)).first()


def _file(
    user: User, solution: Solution, finding: Finding, result: ImportResult, text: str
) -> None:
    existing = _existing_case(result.tracking_id, solution, finding)
    if existing is not None and _revision_of(existing) == result.revision:
        result.unchanged.append(existing)
        return
    if existing is None:
        case = cases.open_case(
            user,
            solution,
            CaseSource.CSAF,
            title=finding.title,
            summary=finding.summary,
            cve_id=finding.cve,
            cwe_id=finding.cwe,
            csaf_tracking_id=result.tracking_id,
            csaf_document=text,
            embargo_until=None,
        )
        cases.start_analysis(
            user, case, f"Imported from CSAF advisory {result.tracking_id} r{result.revision}."
        )
    else:
        case = existing
        case.csaf_document = text
    _advance(user, case, finding, result)
    result.cases.append(case)


def _ids(versions: Iterable[SolutionVersion]) -> list[int]:
    return [v.id for v in versions]


def _advance(user: User, case: VulnerabilityCase, finding: Finding, result: ImportResult) -> None:
    """Move the case as far as the advisory's statuses allow, from wherever it stands."""
    affected = finding.versions.get(ProductStatus.KNOWN_AFFECTED, [])
    fixed = finding.versions.get(ProductStatus.FIXED, [])
    not_affected = finding.versions.get(ProductStatus.KNOWN_NOT_AFFECTED, [])
    investigated = finding.versions.get(ProductStatus.UNDER_INVESTIGATION, [])
    source = f"CSAF advisory {result.tracking_id} revision {result.revision}"
    cases.set_versions(case, _ids(investigated), ProductStatus.UNDER_INVESTIGATION)
    open_steps = (CaseStatus.REPORTED, CaseStatus.UNDER_ANALYSIS)
    if affected:
        if case.status in open_steps and finding.vector:
            cases.confirm(
                user,
                case,
                analysis=finding.impact or f"Affected according to {source}.",
                affected_version_ids=_ids(affected),
                cvss_v3=finding.vector,
            )
        elif case.status in open_steps:
            cases.set_versions(case, _ids(affected), ProductStatus.KNOWN_AFFECTED)
            result.notes.append(
                f"{case.reference} stays under analysis: the advisory gives no CVSS v3 vector "
                "for its affected products; confirm it with a score."
            )
        else:
            cases.set_versions(case, _ids(affected), ProductStatus.KNOWN_AFFECTED)
    cases.set_versions(case, _ids(not_affected), ProductStatus.KNOWN_NOT_AFFECTED)
    if fixed:
        latest = max(fixed, key=lambda v: (v.released_on, v.id))
        cases.set_versions(case, _ids(fixed), ProductStatus.FIXED)
        if case.status is CaseStatus.CONFIRMED:
            cases.mark_fixed(user, case, latest, f"According to {source}.")
        elif case.status in open_steps and not affected:
            result.notes.append(
                f"{case.reference} stays under analysis: the advisory names fixed versions "
                "but no affected one."
            )
    if not_affected and not affected and not fixed and case.status in open_steps:
        if finding.justification is not None:
            cases.declare_not_affected(
                user,
                case,
                justification=finding.justification,
                analysis=finding.impact or f"Not affected according to {source}.",
                version_ids=_ids(not_affected),
            )
        else:
            result.notes.append(
                f"{case.reference} stays under analysis: the advisory states no VEX "
                "justification (flag) for its not-affected products."
            )


# --- the authority's list of unmatched products -------------------------------------------


def unresolved_products() -> Any:
    """SQL for the unmatched products still waiting for the authority, newest first."""
    return (
        select(UnmatchedProduct)
        .where(UnmatchedProduct.resolved_at.is_(None))
        .order_by(UnmatchedProduct.imported_at.desc(), UnmatchedProduct.id.desc())
    )


def get_unmatched(actor: User | None, row_id: int) -> UnmatchedProduct:
    """An unmatched product, for the authority only (NotVisible when there is none)."""
    require_role(actor, Role.AUTHORITY)
    row = db.session.get(UnmatchedProduct, row_id)
    if row is None:
        raise NotVisible()
    return row


def _unresolved(row: UnmatchedProduct) -> None:
    if row.resolved_at is not None:
        raise RuleViolation("This product was already matched or dismissed.")


def match_product(
    actor: User | None, row: UnmatchedProduct, version: SolutionVersion
) -> VulnerabilityCase:
    """Match an unmatched product to a declared version: attach it to the advisory's case for
    that solution and CVE, or open one (under analysis)."""
    user = require_role(actor, Role.AUTHORITY)
    _unresolved(row)
    cve_ids = [c.strip() for c in row.cve_ids.split(",") if c.strip()]
    statement = select(VulnerabilityCase).where(
        VulnerabilityCase.csaf_tracking_id == row.csaf_tracking_id,
        VulnerabilityCase.solution_id == version.solution_id,
        VulnerabilityCase.status != CaseStatus.REJECTED,
    )
    if cve_ids:
        statement = statement.where(VulnerabilityCase.cve_id.in_(cve_ids))
    case = db.session.scalars(statement.order_by(VulnerabilityCase.id)).first()
    status = GROUPS.get(row.product_status, ProductStatus.UNDER_INVESTIGATION)
    if case is None:
        sibling = db.session.scalars(
            select(VulnerabilityCase)
            .where(VulnerabilityCase.csaf_tracking_id == row.csaf_tracking_id)
            .order_by(VulnerabilityCase.id)
        ).first()
        title = f"{', '.join(cve_ids) or row.csaf_tracking_id}: {row.name or row.product_id}"
        case = cases.open_case(
            user,
            version.solution,
            CaseSource.CSAF,
            title=_clip(title, TITLE_MAX),
            cve_id=cve_ids[0] if cve_ids else "",
            csaf_tracking_id=row.csaf_tracking_id,
            csaf_document=sibling.csaf_document if sibling else "",
            embargo_until=None,
        )
        cases.start_analysis(
            user, case, f"Product {row.product_id} of {row.csaf_tracking_id} matched by hand."
        )
    cases.set_versions(case, [version.id], status)
    row.case_id = case.id
    row.resolved_at = utcnow()
    row.resolved_by_id = user.id
    row.resolution = f"Matched to {version.solution.name} {version.version} ({case.reference})"
    audit.record(
        user,
        "vulnerability.csaf_product_matched",
        row,
        summary=f"Product {row.product_id} of {row.csaf_tracking_id}: {row.resolution}",
        data={"case": case.reference, "version_id": version.id},
        organisation_id=version.solution.vendor_id,
    )
    db.session.flush()
    return case


def dismiss_product(actor: User | None, row: UnmatchedProduct, reason: str) -> None:
    """The product is none of ours (or not worth a case): record why."""
    user = require_role(actor, Role.AUTHORITY)
    _unresolved(row)
    why = " ".join((reason or "").split())
    if len(why) < DISMISS_MIN:
        raise RuleViolation("Give a reason for dismissing the product.", "reason")
    row.resolved_at = utcnow()
    row.resolved_by_id = user.id
    row.resolution = _clip(f"Dismissed: {why}", 2000)
    audit.record(
        user,
        "vulnerability.csaf_product_dismissed",
        row,
        summary=f"Product {row.product_id} of {row.csaf_tracking_id} dismissed: {why}",
        data={"reason": why},
    )
    db.session.flush()
