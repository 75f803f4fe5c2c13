"""Declaring versions, their SBOMs and their end of support (catalog.versions)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from catalog.models import Solution, SolutionVersion
from catalog.versions import attach_sbom, declare_version, mark_end_of_support
from registry import uploads
from registry.backup.hooks import registrations
from registry.database import db
from registry.dates import today
from registry.exceptions import AccessDenied, RuleViolation
from registry.models import AuditEntry, OrganisationKind, User
from tests.catalog import solution_builders
from tests.catalog.sbom_builders import VALID_COMPONENTS, invalid_sbom_bytes, sbom_bytes

LAST_MONTH = today() - dt.timedelta(days=30)


@pytest.fixture
def vendor(app: Flask, create_user: Callable[..., User]) -> User:
    """A vendor member."""
    return create_user(kind=OrganisationKind.VENDOR)


@pytest.fixture
def solution(vendor: User) -> Solution:
    """A published solution of the vendor."""
    return solution_builders.published(vendor)


def _refused(call: Callable[[], object]) -> RuleViolation:
    with pytest.raises(RuleViolation) as refused:
        call()
    db.session.rollback()
    return refused.value


def test_declare_canonicalises_identifiers(vendor: User, solution: Solution) -> None:
    version = declare_version(
        vendor,
        solution,
        " 4.2 ",
        LAST_MONTH,
        purl="pkg:GENERIC/acme/harbour-watch@4.2",
        cpe="cpe:2.3:a:acme:harbour_watch:4.2:*:*:*:*:*:*:*",
    )
    db.session.commit()
    assert version.version == "4.2"
    assert version.purl == "pkg:generic/acme/harbour-watch@4.2"
    assert version.cpe == "cpe:2.3:a:acme:harbour_watch:4.2:*:*:*:*:*:*:*"
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "solution.version_declared")
    ).one()
    assert "4.2" in entry.summary


@pytest.mark.parametrize(
    ("arguments", "field", "words"),
    [
        ({"purl": "not a purl"}, "purl", "package URL"),
        ({"purl": "pkg:"}, "purl", "package URL"),
        ({"cpe": "cpe:/a:acme:harbour_watch:4.2"}, "cpe", "CPE 2.3"),
        ({"cpe": "cpe:2.3:z:acme"}, "cpe", "CPE"),
        ({"released_on": today() + dt.timedelta(days=1)}, "released_on", "future"),
        ({"version": "   "}, "version", "Enter the version"),
    ],
)
def test_declare_refuses_bad_input(
    vendor: User, solution: Solution, arguments: dict[str, object], field: str, words: str
) -> None:
    values: dict[str, object] = {"version": "4.2", "released_on": LAST_MONTH, **arguments}
    error = _refused(
        lambda: declare_version(
            vendor,
            solution,
            str(values["version"]),
            values["released_on"],  # type: ignore[arg-type]
            purl=str(values.get("purl", "")),
            cpe=str(values.get("cpe", "")),
        )
    )
    assert error.field == field
    assert words in error.message
    assert db.session.scalars(select(SolutionVersion)).all() == []


def test_declare_refuses_a_duplicate_and_another_vendors_solution(
    vendor: User, solution: Solution, create_user: Callable[..., User]
) -> None:
    declare_version(vendor, solution, "4.2", LAST_MONTH)
    db.session.commit()
    error = _refused(lambda: declare_version(vendor, solution, "4.2", today()))
    assert (error.field, error.message) == ("version", "Version 4.2 is already declared.")
    other = create_user(kind=OrganisationKind.VENDOR)
    error = _refused(lambda: declare_version(other, solution, "4.3", today()))
    assert error.field == "solution_id"


def _version(vendor: User, solution: Solution) -> SolutionVersion:
    version = declare_version(vendor, solution, "4.2", LAST_MONTH)
    db.session.commit()
    return version


def test_a_valid_sbom_is_stored_with_its_component_count(
    app: Flask, vendor: User, solution: Solution
) -> None:
    version = _version(vendor, solution)
    data = sbom_bytes()
    sbom = attach_sbom(vendor, version, "harbour-watch-4.2.cdx.json", io.BytesIO(data))
    db.session.commit()
    assert (sbom.spec_version, sbom.component_count) == ("1.5", VALID_COMPONENTS)
    assert sbom.original_name == "harbour-watch-4.2.cdx.json"
    assert sbom.content_type == "application/vnd.cyclonedx+json"
    assert uploads.path_of(sbom.stored_name).read_bytes() == data
    assert db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "solution.version_sbom_attached")
    ).one()
    # One SBOM per version.
    error = _refused(lambda: attach_sbom(vendor, version, "again.json", io.BytesIO(data)))
    assert "already has its SBOM" in error.message


def test_sbom_of_another_spec_version_is_checked_against_its_own_schema(
    vendor: User, solution: Solution
) -> None:
    version = _version(vendor, solution)
    # 1.6 accepts what 1.5 does; an unknown spec version is refused before any schema.
    sbom = attach_sbom(vendor, version, "b.json", io.BytesIO(sbom_bytes(specVersion="1.6")))
    assert sbom.spec_version == "1.6"
    db.session.rollback()
    error = _refused(
        lambda: attach_sbom(vendor, version, "b.json", io.BytesIO(sbom_bytes(specVersion="9.9")))
    )
    assert "specVersion 9.9 is not accepted" in error.message


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("sbom.json", invalid_sbom_bytes(), "at $.components[0].type, 'banana' is not one of"),
        ("sbom.json", sbom_bytes(unexpected=True), "'unexpected' was unexpected"),
        ("sbom.json", b"{not json", "not valid JSON"),
        ("sbom.json", sbom_bytes(bomFormat="SPDX"), "not a CycloneDX document"),
        ("sbom.json", b"", "empty"),
        ("sbom.xml", b"<bom/>", "CycloneDX JSON file"),
    ],
)
def test_an_invalid_sbom_is_refused_naming_the_first_error(
    app: Flask, vendor: User, solution: Solution, name: str, data: bytes, words: str
) -> None:
    version = _version(vendor, solution)
    error = _refused(lambda: attach_sbom(vendor, version, name, io.BytesIO(data)))
    assert error.field == "sbom"
    assert words in error.message
    assert db.session.get(SolutionVersion, version.id).sbom is None  # type: ignore[union-attr]
    folder = uploads.upload_dir()
    assert not folder.exists() or not list(folder.glob("*.json"))  # nothing was written


def test_an_sbom_over_the_size_limit_is_refused(
    app: Flask, vendor: User, solution: Solution
) -> None:
    version = _version(vendor, solution)
    app.config["EVIDENCE_MAX_BYTES"] = 100
    error = _refused(lambda: attach_sbom(vendor, version, "big.json", io.BytesIO(sbom_bytes())))
    assert "larger than" in error.message


def test_only_the_owner_attaches_an_sbom(
    vendor: User, solution: Solution, create_user: Callable[..., User]
) -> None:
    version = _version(vendor, solution)
    other = create_user(kind=OrganisationKind.VENDOR)
    error = _refused(lambda: attach_sbom(other, version, "s.json", io.BytesIO(sbom_bytes())))
    assert error.field == "version"
    authority = create_user(kind=OrganisationKind.AUTHORITY)
    with pytest.raises(AccessDenied):
        attach_sbom(authority, version, "s.json", io.BytesIO(sbom_bytes()))


def test_end_of_support_is_set_once_and_not_before_release(
    vendor: User, solution: Solution
) -> None:
    version = _version(vendor, solution)
    error = _refused(
        lambda: mark_end_of_support(vendor, version, LAST_MONTH - dt.timedelta(days=1))
    )
    assert error.field == "end_of_support_on"
    ends = today() + dt.timedelta(days=365)
    mark_end_of_support(vendor, version, ends)
    db.session.commit()
    assert db.session.get(SolutionVersion, version.id).end_of_support_on == ends  # type: ignore[union-attr]
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "solution.version_end_of_support")
    ).one()
    assert ends.isoformat() in entry.summary
    error = _refused(lambda: mark_end_of_support(vendor, version, today()))
    assert "already set" in error.message


def test_sbom_files_are_registered_for_backup(app: Flask) -> None:
    with app.app_context():
        assert "version_sbom" in registrations().file_tables
