"""The CSAF 2.0 VEX document the registry publishes for a disclosed case.

Built only from stored facts (no "now"), in a fixed order, so the same case gives the same bytes
on every request: the hashes published next to it stay true.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import select

from catalog.models import SolutionVersion
from registry.database import db
from registry.public_address import base_url, public_url
from vulnerabilities.cases import SETTLED, VEX_TEXT
from vulnerabilities.csaf.validation import LIBRARY, NODE_TIMEOUT_SECONDS, ROOT
from vulnerabilities.models import CaseStatus, ProductStatus, VulnerabilityCase

GENERATOR = "SafeTech Registry"
TLP_URL = "https://www.first.org/tlp/"
# The case steps that change what the advisory says (one revision each once it is public).
PUBLIC_STEPS = {
    "confirmed": "The vulnerability was confirmed.",
    "not_affected": "The vendor stated that the solution is not affected.",
    "fixed": "A fixed version was named.",
}
STATUS_ORDER = (
    ProductStatus.KNOWN_AFFECTED,
    ProductStatus.FIXED,
    ProductStatus.KNOWN_NOT_AFFECTED,
    ProductStatus.UNDER_INVESTIGATION,
)
CWE_SCRIPT = (
    "import { weaknesses } from '@secvisogram/csaf-validator-lib/cwe.js';"
    "process.stdout.write(JSON.stringify(weaknesses))"
)


@cache
def cwe_names() -> dict[str, str]:
    """CWE names by id, from the CWE list the CSAF reference validator ships and checks names
    against (mandatory test 6.1.11); empty without Node.js or the library."""
    node = shutil.which("node")
    if node is None or not LIBRARY.is_dir():
        return {}
    completed = subprocess.run(  # noqa: S603 - a fixed script
        [node, "--input-type=module", "-e", CWE_SCRIPT],
        capture_output=True,
        timeout=NODE_TIMEOUT_SECONDS,
        cwd=ROOT,
        check=False,
    )
    if completed.returncode != 0:
        return {}
    return {entry["id"]: entry["name"] for entry in json.loads(completed.stdout)}


def stamp(moment: dt.datetime) -> str:
    """A moment as CSAF writes it (UTC, milliseconds, Z)."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def product_id(version: SolutionVersion) -> str:
    """The CSAF product id of a declared version."""
    return f"CSAFPID-{version.id}"


@dataclass(frozen=True)
class Revision:
    """One published state of the advisory."""

    at: dt.datetime
    summary: str


def _settled_at(case: VulnerabilityCase) -> dt.datetime:
    """When the case first reached a status the public may see."""
    settled = {s.value for s in SETTLED}
    for event in case.events:
        if event.to_status in settled and event.from_status not in settled:
            return event.at
    return case.status_changed_at


def revisions(case: VulnerabilityCase) -> list[Revision]:
    """The initial release (the end of the embargo, or the settlement if later), then one per
    public step taken after it."""
    released = _settled_at(case)
    if case.embargo_until is not None:
        embargo_end = dt.datetime.combine(case.embargo_until, dt.time(), tzinfo=dt.UTC)
        released = max(_aware(released), embargo_end)
    found = [Revision(_aware(released), "Initial public release.")]
    for event in case.events:
        if event.action in PUBLIC_STEPS and _aware(event.at) > found[0].at:
            found.append(Revision(_aware(event.at), PUBLIC_STEPS[event.action]))
    return found


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def release_year(case: VulnerabilityCase) -> int:
    """The year of the initial release: the folder of the document in the provider's directory."""
    return revisions(case)[0].at.year


def file_name(case: VulnerabilityCase) -> str:
    """The document's file name, from its tracking id as CSAF 2.0 section 5.1 prescribes."""
    return re.sub(r"[^+\-a-z0-9]+", "_", case.reference.lower()) + ".json"


def directory_path(case: VulnerabilityCase) -> str:
    """The document's path in the provider's TLP:WHITE directory."""
    return f"/.well-known/csaf/white/{release_year(case)}/{file_name(case)}"


def solution_versions(case: VulnerabilityCase) -> list[SolutionVersion]:
    """Every declared version of the case's solution, oldest release first."""
    return list(
        db.session.scalars(
            select(SolutionVersion)
            .where(SolutionVersion.solution_id == case.solution_id)
            .order_by(SolutionVersion.released_on, SolutionVersion.id)
        )
    )


def _product_tree(case: VulnerabilityCase) -> dict[str, Any]:
    solution = case.solution.name
    versions = []
    for version in solution_versions(case):
        product: dict[str, Any] = {
            "name": f"{solution} {version.version}",
            "product_id": product_id(version),
        }
        helper = {k: v for k, v in (("cpe", version.cpe), ("purl", version.purl)) if v}
        if helper:
            product["product_identification_helper"] = helper
        versions.append(
            {"category": "product_version", "name": version.version, "product": product}
        )
    return {
        "branches": [
            {
                "category": "vendor",
                "name": case.vendor.name,
                "branches": [{"category": "product_name", "name": solution, "branches": versions}]
                if versions
                else [],
            }
        ]
    }


def product_groups(case: VulnerabilityCase) -> dict[ProductStatus, list[SolutionVersion]]:
    """The case's versions by product status, each in release order."""
    groups: dict[ProductStatus, list[SolutionVersion]] = {status: [] for status in STATUS_ORDER}
    for row in case.versions:
        groups[row.status].append(row.version)
    if case.status is CaseStatus.NOT_AFFECTED and not case.versions:
        # A statement about the whole solution: every declared version is not affected.
        groups[ProductStatus.KNOWN_NOT_AFFECTED] = solution_versions(case)
    for versions in groups.values():
        versions.sort(key=lambda v: (v.released_on, v.id))
    return groups


def _severity_text(case: VulnerabilityCase) -> str:
    return case.severity.value.upper() if case.severity else ""


def _notes(case: VulnerabilityCase) -> list[dict[str, str]]:
    notes = []
    if case.summary:
        notes.append({"category": "summary", "title": "Summary", "text": case.summary})
    if case.vendor_analysis:
        notes.append(
            {"category": "details", "title": "Vendor analysis", "text": case.vendor_analysis}
        )
    if case.vex_justification is not None:
        notes.append(
            {
                "category": "details",
                "title": "Why the solution is not affected",
                "text": f"{VEX_TEXT[case.vex_justification]}.",
            }
        )
    if case.cvss_v4_vector:
        notes.append(
            {
                "category": "other",
                "title": "CVSS v4.0",
                "text": f"{case.cvss_v4_vector} (base score {case.cvss_v4_score:.1f}). "
                "CSAF 2.0 has no field for CVSS v4.0 scores.",
            }
        )
    if not notes:
        notes.append({"category": "description", "title": "Title", "text": case.title})
    return notes


def _vulnerability(case: VulnerabilityCase, released: dt.datetime) -> dict[str, Any]:
    groups = product_groups(case)
    ids = {status: [product_id(v) for v in groups[status]] for status in STATUS_ORDER}
    vulnerability: dict[str, Any] = {}
    if case.cve_id:
        vulnerability["cve"] = case.cve_id
    name = cwe_names().get(case.cwe_id) if case.cwe_id else None
    if name:
        vulnerability["cwe"] = {"id": case.cwe_id, "name": name}
    vulnerability["ids"] = [
        {"system_name": current_app.config["AUTHORITY_NAME"], "text": case.reference}
    ]
    vulnerability["notes"] = _notes(case)
    vulnerability["product_status"] = {
        status.value: ids[status] for status in STATUS_ORDER if ids[status]
    }
    vulnerability["release_date"] = stamp(released)
    vulnerability["title"] = case.title
    affected = ids[ProductStatus.KNOWN_AFFECTED]
    if affected:
        fixed = case.fixed_version
        if case.status is CaseStatus.FIXED and fixed is not None:
            vulnerability["remediations"] = [
                {
                    "category": "vendor_fix",
                    "details": f"Update to version {fixed.version}, which fixes the vulnerability.",
                    "product_ids": affected,
                }
            ]
        else:
            vulnerability["remediations"] = [
                {
                    "category": "none_available",
                    "details": "No fixed version is available yet.",
                    "product_ids": affected,
                }
            ]
        if case.cvss_v3_vector and case.cvss_v3_score is not None:
            version = case.cvss_v3_vector.split("/", 1)[0].removeprefix("CVSS:")
            vulnerability["scores"] = [
                {
                    "cvss_v3": {
                        "baseScore": float(case.cvss_v3_score),
                        "baseSeverity": _v3_severity(float(case.cvss_v3_score)),
                        "vectorString": case.cvss_v3_vector,
                        "version": version,
                    },
                    "products": affected,
                }
            ]
    not_affected = ids[ProductStatus.KNOWN_NOT_AFFECTED]
    if not_affected:
        if case.vex_justification is not None:
            vulnerability["flags"] = [
                {"label": case.vex_justification.value, "product_ids": not_affected}
            ]
        else:
            vulnerability["threats"] = [
                {
                    "category": "impact",
                    "details": case.vendor_analysis
                    or "The vendor states that these versions are not affected.",
                    "product_ids": not_affected,
                }
            ]
    return vulnerability


def _v3_severity(score: float) -> str:
    """The CVSS v3 qualitative rating of a base score (the bands of the specification)."""
    if score == 0:
        return "NONE"
    if score < 4:
        return "LOW"
    if score < 7:
        return "MEDIUM"
    if score < 9:
        return "HIGH"
    return "CRITICAL"


def csaf_document(case: VulnerabilityCase) -> dict[str, Any]:
    """The CSAF 2.0 VEX document (profile csaf_vex) of a disclosed case."""
    history = revisions(case)
    released, current = history[0].at, history[-1].at
    document: dict[str, Any] = {
        "category": "csaf_vex",
        "csaf_version": "2.0",
        "distribution": {"tlp": {"label": "WHITE", "url": TLP_URL}},
        "notes": [
            {
                "category": "general",
                "title": "About this advisory",
                "text": f"Published by {current_app.config['AUTHORITY_NAME']} for the "
                f"registered solution {case.solution.name} of {case.vendor.name} "
                f"(case {case.reference}).",
            }
        ],
        "publisher": {
            "category": "coordinator",
            "name": current_app.config["AUTHORITY_NAME"],
            "namespace": base_url(),
        },
        "references": [
            {
                "category": "self",
                "summary": "This advisory in CSAF format",
                "url": public_url(directory_path(case)),
            },
            {
                "category": "self",
                "summary": "This advisory as a web page",
                "url": public_url(f"/advisories/{case.reference}"),
            },
        ],
        "title": case.title,
        "tracking": {
            "current_release_date": stamp(current),
            "generator": {"date": stamp(current), "engine": {"name": GENERATOR}},
            "id": case.reference,
            "initial_release_date": stamp(released),
            "revision_history": [
                {"date": stamp(r.at), "number": str(n), "summary": r.summary}
                for n, r in enumerate(history, start=1)
            ],
            "status": "final",
            "version": str(len(history)),
        },
    }
    if case.severity is not None:
        document["aggregate_severity"] = {"text": _severity_text(case)}
    return {
        "document": document,
        "product_tree": _product_tree(case),
        "vulnerabilities": [_vulnerability(case, released)],
    }
