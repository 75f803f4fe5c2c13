"""Versions of a solution: declared by its vendor, certified by labels, never deleted.

A version has a version string and a release date, and may name itself as vulnerability
databases and advisories do: a package URL (purl, parsed with ``packageurl-python``) and a CPE
2.3 formatted string (parsed with ``cpe``). Both are stored in their canonical form. Its
CycloneDX SBOM (JSON) is validated against the schema of the spec version it declares and
stored as evidence is. The vendor can mark its end of support.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import IO, Any

from cpe import CPE
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from packageurl import PackageURL
from sqlalchemy import select

from catalog.models import IDENTIFIER_MAX, VERSION_MAX, Solution, SolutionVersion, VersionSbom
from catalog.plain_text import one_line
from registry import audit, uploads
from registry.access import require_role
from registry.database import db, utcnow
from registry.dates import today
from registry.exceptions import RuleViolation
from registry.models import Role, User


def check_version_string(text: str | None) -> str:
    """A version string on one line, 1 to VERSION_MAX characters."""
    value = one_line(text or "")
    if not value:
        raise RuleViolation("Enter the version, as the product shows it (e.g. 4.2.1).", "version")
    if len(value) > VERSION_MAX:
        raise RuleViolation(
            f"The version is too long (at most {VERSION_MAX} characters).", "version"
        )
    return value


def check_purl(text: str | None) -> str:
    """A package URL in canonical form, or "" when none is given."""
    value = (text or "").strip()
    if not value:
        return ""
    try:
        canonical: str = PackageURL.from_string(value).to_string()
    except ValueError as error:
        raise RuleViolation(
            f"This is not a package URL (pkg:type/namespace/name@version): {error}", "purl"
        ) from error
    if len(canonical) > IDENTIFIER_MAX:
        raise RuleViolation(f"The package URL is too long (at most {IDENTIFIER_MAX}).", "purl")
    return canonical


def check_cpe(text: str | None) -> str:
    """A CPE 2.3 formatted string, or "" when none is given."""
    value = (text or "").strip()
    if not value:
        return ""
    if not value.startswith("cpe:2.3:") or len(value) > IDENTIFIER_MAX:
        raise RuleViolation(
            "Enter a CPE 2.3 formatted string (cpe:2.3:part:vendor:product:version:…).", "cpe"
        )
    try:
        parsed = CPE(value, CPE.VERSION_2_3)
    except (NotImplementedError, ValueError, TypeError) as error:
        raise RuleViolation(f"This is not a valid CPE 2.3 name: {error}", "cpe") from error
    canonical: str = parsed.as_fs()
    return canonical


def declare_version(
    actor: User | None,
    solution: Solution,
    version: str,
    released_on: dt.date,
    *,
    purl: str = "",
    cpe: str = "",
) -> SolutionVersion:
    """The owning vendor declares a released version of its solution."""
    user = require_role(actor, Role.VENDOR)
    if user.organisation_id != solution.vendor_id:
        raise RuleViolation("Choose one of your organisation's solutions.", "solution_id")
    name = check_version_string(version)
    if released_on > today():
        raise RuleViolation(
            "A version is declared once released: the date is in the future.", "released_on"
        )
    existing = db.session.scalar(
        select(SolutionVersion.id).where(
            SolutionVersion.solution_id == solution.id, SolutionVersion.version == name
        )
    )
    if existing is not None:
        raise RuleViolation(f"Version {name} is already declared.", "version")
    row = SolutionVersion(
        solution_id=solution.id,
        version=name,
        released_on=released_on,
        purl=check_purl(purl),
        cpe=check_cpe(cpe),
        created_at=utcnow(),
        created_by_id=user.id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        user,
        "solution.version_declared",
        row,
        summary=f"Version {name} of {solution.name} declared (released {released_on})",
        data={"solution_id": solution.id, "version": name},
        organisation_id=solution.vendor_id,
    )
    return row


def version_of(solution_id: int, version_id: int | None) -> SolutionVersion | None:
    """The version `version_id` if it belongs to the solution."""
    if version_id is None:
        return None
    row = db.session.get(SolutionVersion, version_id)
    return row if row is not None and row.solution_id == solution_id else None


# --- SBOMs ---------------------------------------------------------------------------------

SBOM_CONTENT_TYPE = "application/vnd.cyclonedx+json"
# CycloneDX has a JSON schema from 1.2 on; older documents were XML only.
SBOM_SPEC_VERSIONS = ("1.2", "1.3", "1.4", "1.5", "1.6", "1.7")


@dataclass(frozen=True)
class CheckedSbom:
    """An SBOM that passed validation: the file to store, its spec version, its components."""

    file: uploads.CheckedFile
    spec_version: str
    component_count: int


def _sbom_document(data: bytes) -> dict[str, Any]:
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise RuleViolation(
            f"The SBOM is not valid JSON: {error}. Send a CycloneDX JSON document.", "sbom"
        ) from error
    if not isinstance(document, dict) or document.get("bomFormat") != "CycloneDX":
        raise RuleViolation(
            'The SBOM is not a CycloneDX document (it needs "bomFormat": "CycloneDX").', "sbom"
        )
    return document


def _validate_sbom(text: str, spec_version: str) -> None:
    validator = JsonStrictValidator(SchemaVersion.from_version(spec_version))
    error = validator.validate_str(text)
    if error is not None:
        where = getattr(error.data, "json_path", "$")
        message = getattr(error.data, "message", str(error))
        raise RuleViolation(
            f"The SBOM does not follow CycloneDX {spec_version}: at {where}, {message}.", "sbom"
        )


def count_components(components: Any) -> int:
    """Components of a CycloneDX component list, nested ones included."""
    if not isinstance(components, list):
        return 0
    items = [item for item in components if isinstance(item, dict)]
    return sum(1 + count_components(item.get("components")) for item in items)


def check_sbom(filename: str | None, stream: IO[bytes]) -> CheckedSbom:
    """Read an uploaded SBOM and validate it against the CycloneDX schema it declares.

    At most ``uploads.max_bytes()``; JSON only (CycloneDX 1.2 to 1.7). A refusal names the
    first error the schema finds.
    """
    limit = uploads.max_bytes()
    data = stream.read(limit + 1)
    name = uploads.display_name(filename)
    if not name.lower().endswith(".json"):
        raise RuleViolation("Send the SBOM as a CycloneDX JSON file (.json).", "sbom")
    if not data:
        raise RuleViolation("The SBOM file is empty.", "sbom")
    if len(data) > limit:
        raise RuleViolation(
            f"The SBOM is larger than {limit // (1024 * 1024)} MiB; send a smaller one.", "sbom"
        )
    document = _sbom_document(data)
    spec_version = str(document.get("specVersion", ""))
    if spec_version not in SBOM_SPEC_VERSIONS:
        raise RuleViolation(
            f"CycloneDX specVersion {spec_version or '(missing)'} is not accepted; "
            f"use one of {', '.join(SBOM_SPEC_VERSIONS)}.",
            "sbom",
        )
    _validate_sbom(data.decode("utf-8"), spec_version)
    checked = uploads.CheckedFile(
        data=data,
        display_name=name,
        extension="json",
        content_type=SBOM_CONTENT_TYPE,
        sha256=hashlib.sha256(data).hexdigest(),
    )
    return CheckedSbom(checked, spec_version, count_components(document.get("components")))


def _owned_version(actor: User | None, version: SolutionVersion) -> User:
    user = require_role(actor, Role.VENDOR)
    if user.organisation_id != version.solution.vendor_id:
        raise RuleViolation("Choose a version of one of your organisation's solutions.", "version")
    return user


def attach_sbom(
    actor: User | None, version: SolutionVersion, filename: str | None, stream: IO[bytes]
) -> VersionSbom:
    """The owning vendor attaches the CycloneDX SBOM of a version (one per version)."""
    user = _owned_version(actor, version)
    if version.sbom is not None:
        raise RuleViolation(f"Version {version.version} already has its SBOM.", "sbom")
    checked = check_sbom(filename, stream)
    with uploads.stored_file(checked.file) as stored_name:
        row = VersionSbom(
            version=version,
            spec_version=checked.spec_version,
            component_count=checked.component_count,
            **uploads.stored_file_columns(checked.file, stored_name, user.id),
        )
        db.session.add(row)
        db.session.flush()
        audit.record(
            user,
            "solution.version_sbom_attached",
            row,
            summary=(
                f"SBOM of {version.solution.name} {version.version} attached "
                f"(CycloneDX {checked.spec_version}, {checked.component_count} components)"
            ),
            data={"version_id": version.id, "sha256": checked.file.sha256},
            organisation_id=version.solution.vendor_id,
        )
    return row


def mark_end_of_support(actor: User | None, version: SolutionVersion, date: dt.date) -> None:
    """The owning vendor says when support of a version ends (or ended); said once."""
    user = _owned_version(actor, version)
    if version.end_of_support_on is not None:
        raise RuleViolation(
            f"Version {version.version}'s end of support is already set "
            f"({version.end_of_support_on.isoformat()}).",
            "end_of_support_on",
        )
    if date < version.released_on:
        raise RuleViolation(
            "Support cannot end before the version was released "
            f"({version.released_on.isoformat()}).",
            "end_of_support_on",
        )
    version.end_of_support_on = date
    db.session.flush()
    audit.record(
        user,
        "solution.version_end_of_support",
        version,
        summary=f"End of support of {version.solution.name} {version.version}: {date}",
        data={"solution_id": version.solution_id, "end_of_support_on": date.isoformat()},
        organisation_id=version.solution.vendor_id,
    )
