"""Versions of a solution: declared by its vendor, certified by labels, never deleted.

A version has a version string and a release date, and may name itself as vulnerability
databases and advisories do: a package URL (purl, parsed with ``packageurl-python``) and a CPE
2.3 formatted string (parsed with ``cpe``). Both are stored in their canonical form.
"""

from __future__ import annotations

import datetime as dt

from cpe import CPE
from packageurl import PackageURL
from sqlalchemy import select

from catalog.models import IDENTIFIER_MAX, VERSION_MAX, Solution, SolutionVersion
from catalog.plain_text import one_line
from registry import audit
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
