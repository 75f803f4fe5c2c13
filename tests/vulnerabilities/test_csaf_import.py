"""Importing CSAF 2.0 advisories: refused when invalid, matched to declared versions, idempotent."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cvss import CVSS3
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from catalog.models import Solution, SolutionVersion
from catalog.versions import declare_version
from registry.database import db
from registry.dates import today
from registry.models import AuditEntry, OrganisationKind, User
from tests.catalog.solution_builders import published
from vulnerabilities.csaf import validation
from vulnerabilities.csaf.importing import import_advisory
from vulnerabilities.models import (
    CaseSource,
    CaseStatus,
    ProductStatus,
    UnmatchedProduct,
    VexJustification,
    VulnerabilityCase,
)

EXAMPLES = Path(__file__).parents[1] / "standards" / "csaf-2.0" / "examples"
ADVISORIES = sorted(
    p for p in EXAMPLES.rglob("*.json") if p.name != "provider-metadata-example.json"
)
VECTOR = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
PURL = "pkg:generic/quayside/sentinel@1.0"
CPE_FIX = "cpe:2.3:a:quayside:sentinel:1.1:*:*:*:*:*:*:*"


@dataclass
class Catalog:
    """A vendor's solution with three declared versions, and the authority's officer."""

    authority: User
    vendor: User
    solution: Solution
    first: SolutionVersion  # 1.0, with a purl
    fix: SolutionVersion  # 1.1, with a CPE
    named: SolutionVersion  # 2.0, no identifier


@pytest.fixture
def catalog(app: Flask, create_user: Callable[..., User]) -> Iterator[Catalog]:
    with app.test_request_context():
        authority = create_user(kind=OrganisationKind.AUTHORITY)
        vendor = create_user(kind=OrganisationKind.VENDOR)
        solution = published(vendor, name="Quayside Sentinel")
        day = today()
        first = declare_version(vendor, solution, "1.0", day - dt.timedelta(days=90), purl=PURL)
        fix = declare_version(vendor, solution, "1.1", day - dt.timedelta(days=9), cpe=CPE_FIX)
        named = declare_version(vendor, solution, "2.0", day - dt.timedelta(days=1))
        db.session.commit()
        yield Catalog(authority, vendor, solution, first, fix, named)


def example(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((EXAMPLES / name).read_text())
    return document


def advisory(
    products: list[dict[str, Any]], vulnerabilities: list[dict[str, Any]], tracking: str
) -> dict[str, Any]:
    """A csaf_base document on the frame of an official example."""
    document = example("csaf_vex/2022-evd-uc-01-na-001.json")
    document["document"]["category"] = "csaf_base"
    document["document"]["title"] = "Quayside Sentinel advisory"
    document["document"]["tracking"]["id"] = tracking
    document["product_tree"] = {"full_product_names": products}
    document["vulnerabilities"] = vulnerabilities
    return document


def product(pid: str, name: str, **helper: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"product_id": pid, "name": name}
    if helper:
        entry["product_identification_helper"] = helper
    return entry


def count(model: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_every_official_example_imports_with_its_products_listed_as_unmatched(
    catalog: Catalog,
) -> None:
    # One run of the mandatory tests for all of them; each import then finds its result.
    validation.validate_many([json.loads(path.read_text()) for path in ADVISORIES])
    for path in ADVISORIES:
        document = json.loads(path.read_text())
        result = import_advisory(catalog.authority, document, path.name)
        db.session.commit()
        assert not result.refused, (path.name, [str(p) for p in result.problems])
        assert result.cases == []
        listed = {row.product_id for row in result.unmatched}
        statuses = {
            pid
            for vulnerability in document.get("vulnerabilities", [])
            for pids in vulnerability.get("product_status", {}).values()
            for pid in pids
        }
        assert statuses <= listed, path.name
        assert listed, path.name
    assert count(VulnerabilityCase) == 0
    imported = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "vulnerability.csaf_imported")
    ).all()
    assert len(imported) == len(ADVISORIES)
    row = db.session.scalars(
        select(UnmatchedProduct).where(UnmatchedProduct.csaf_tracking_id == "2022-EVD-UC-01-NA-001")
    ).one()
    assert (row.product_id, row.name, row.product_status, row.cve_ids) == (
        "CSAFPID-0001",
        "Example Company ABC 4.2",
        "known_not_affected",
        "CVE-2021-44228",
    )


def test_a_schema_fault_is_refused_with_its_path(catalog: Catalog) -> None:
    wrong_enum = example("bsi-2022-0001.json")
    wrong_enum["document"]["tracking"]["status"] = "published"
    result = import_advisory(catalog.authority, wrong_enum, "wrong.json")
    assert result.refused
    assert [p.path for p in result.problems] == ["$.document.tracking.status"]
    missing = example("bsi-2022-0001.json")
    del missing["document"]["publisher"]
    result = import_advisory(catalog.authority, missing, "missing.json")
    assert result.refused
    assert any(p.path == "$.document" and "publisher" in p.message for p in result.problems)
    db.session.commit()
    assert count(UnmatchedProduct) == 0
    refusals = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "vulnerability.csaf_refused")
    ).all()
    assert len(refusals) == 2


def test_an_undefined_product_is_refused_by_the_mandatory_test(catalog: Catalog) -> None:
    document = copy.deepcopy(example("bsi-2022-0001.json"))
    document["vulnerabilities"][0]["product_status"] = {"known_affected": ["NO-SUCH-PRODUCT"]}
    result = import_advisory(catalog.authority, document, "undefined.json")
    assert result.refused
    assert [(p.test, p.path) for p in result.problems] == [
        ("mandatoryTest_6_1_1", "$.vulnerabilities[0].product_status.known_affected[0]")
    ]
    assert count(UnmatchedProduct) == 0


def test_a_document_not_fully_checked_is_refused(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(validation, "LIBRARY", tmp_path / "absent")
    document = example("bsi-2022-0001.json")
    document["document"]["tracking"]["id"] = "NOT-CHECKED-2026-1"  # never checked before
    result = import_advisory(catalog.authority, document, "bsi.json")
    assert result.refused
    [problem] = result.problems
    assert "mandatory tests did not run" in problem.message
    assert "csaf-validator-lib" in problem.message


def _affected_and_fixed(tracking: str = "QS-2026-001") -> dict[str, Any]:
    return advisory(
        [
            product("P-OLD", "Sentinel one", purl="pkg:generic/quayside/sentinel@1.0"),
            product("P-FIX", "Sentinel fix", cpe=CPE_FIX),
            product("P-ELSE", "Harbour Crane 3", purl="pkg:generic/other/crane@3"),
        ],
        [
            {
                "cve": "CVE-2026-12345",
                "cwe": {"id": "CWE-306", "name": "Missing Authentication for Critical Function"},
                "title": "Unauthenticated stream access",
                "notes": [{"category": "summary", "text": "The stream needs no session."}],
                "product_status": {
                    "known_affected": ["P-OLD", "P-ELSE"],
                    "fixed": ["P-FIX"],
                },
                "scores": [
                    {
                        "products": ["P-OLD", "P-ELSE"],
                        "cvss_v3": {
                            "version": "3.1",
                            "vectorString": VECTOR,
                            "baseScore": 9.8,
                            "baseSeverity": "CRITICAL",
                        },
                    }
                ],
            }
        ],
        tracking,
    )


def test_matched_products_file_a_confirmed_then_fixed_case_once(catalog: Catalog) -> None:
    document = _affected_and_fixed()
    result = import_advisory(catalog.authority, document, "qs.json")
    db.session.commit()
    assert not result.refused, result.problems
    [case] = result.cases
    assert case.source is CaseSource.CSAF
    assert case.solution_id == catalog.solution.id
    assert case.status is CaseStatus.FIXED
    assert case.fixed_version_id == catalog.fix.id
    assert {(r.version.version, r.status) for r in case.versions} == {
        ("1.0", ProductStatus.KNOWN_AFFECTED),
        ("1.1", ProductStatus.FIXED),
    }
    assert case.cvss_v3_score == float(CVSS3(VECTOR).base_score)
    assert (case.cve_id, case.cwe_id) == ("CVE-2026-12345", "CWE-306")
    assert case.title == "Unauthenticated stream access"
    assert case.summary == "The stream needs no session."
    assert case.csaf_tracking_id == "QS-2026-001"
    assert case.embargo_until is None
    assert json.loads(case.csaf_document) == document
    [row] = result.unmatched
    assert (row.product_id, row.purl, row.product_status, row.cve_ids) == (
        "P-ELSE",
        "pkg:generic/other/crane@3",
        "known_affected",
        "CVE-2026-12345",
    )

    again = import_advisory(catalog.authority, _affected_and_fixed(), "qs.json")
    db.session.commit()
    assert again.cases == []
    assert again.unchanged == [case]
    assert count(VulnerabilityCase) == 1
    assert count(UnmatchedProduct) == 1


def _vex(tracking: str = "QS-VEX-1") -> dict[str, Any]:
    return advisory(
        [product("P-NAMED", "quayside  sentinel 2.0"), product("P-ONE", "Sentinel", purl=PURL)],
        [
            {
                "cve": "CVE-2021-44228",
                "product_status": {"known_not_affected": ["P-NAMED"]},
                "flags": [{"label": "vulnerable_code_not_present", "product_ids": ["P-NAMED"]}],
                "threats": [
                    {
                        "category": "impact",
                        "details": "The logging library is not shipped.",
                        "product_ids": ["P-NAMED"],
                    }
                ],
            },
            {"cve": "CVE-2026-22222", "product_status": {"known_affected": ["P-ONE"]}},
        ],
        tracking,
    )


def test_a_vex_statement_and_an_unscored_advisory(catalog: Catalog) -> None:
    result = import_advisory(catalog.authority, _vex(), "vex.json")
    db.session.commit()
    assert not result.refused, result.problems
    settled, unscored = result.cases
    assert settled.status is CaseStatus.NOT_AFFECTED
    assert settled.vex_justification is VexJustification.VULNERABLE_CODE_NOT_PRESENT
    assert settled.vendor_analysis == "The logging library is not shipped."
    assert [(r.version_id, r.status) for r in settled.versions] == [
        (catalog.named.id, ProductStatus.KNOWN_NOT_AFFECTED)
    ]
    assert settled.title == "Quayside Sentinel advisory"
    assert unscored.status is CaseStatus.UNDER_ANALYSIS
    assert unscored.cvss_v3_score is None
    assert [(r.version_id, r.status) for r in unscored.versions] == [
        (catalog.first.id, ProductStatus.KNOWN_AFFECTED)
    ]
    assert any(unscored.reference in note and "CVSS" in note for note in result.notes)


def _write(folder: Path, name: str, content: Any) -> None:
    (folder / name).write_text(content if isinstance(content, str) else json.dumps(content))


def test_the_watch_command_moves_files_and_writes_problems(
    catalog: Catalog, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    tmp_path = tmp_path / "inbox"
    tmp_path.mkdir()
    wrong = example("bsi-2022-0001.json")
    wrong["document"]["tracking"]["status"] = "published"
    _write(tmp_path, "good.json", example("csaf_vex/2022-evd-uc-01-na-001.json"))
    _write(tmp_path, "wrong.json", wrong)
    _write(tmp_path, "broken.json", "{not json")
    _write(tmp_path, "notes.txt", "left alone")
    result = runner.invoke(
        args=["vulnerabilities", "watch", str(tmp_path), "--once", "--as", catalog.authority.email]
    )
    assert result.exit_code == 0, result.output
    assert "3 files: 1 imported, 2 refused." in result.output
    assert (tmp_path / "imported" / "good.json").is_file()
    assert (tmp_path / "refused" / "wrong.json").is_file()
    problems = (tmp_path / "refused" / "wrong.json.problems.txt").read_text()
    assert "$.document.tracking.status" in problems
    assert "not JSON" in (tmp_path / "refused" / "broken.json.problems.txt").read_text()
    assert sorted(p.name for p in tmp_path.glob("*")) == ["imported", "notes.txt", "refused"]
    assert count(UnmatchedProduct) == 1


def test_the_commands_need_an_active_authority_officer(
    catalog: Catalog, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    _write(tmp_path, "good.json", example("bsi-2022-0001.json"))
    for email in (catalog.vendor.email, "nobody@example.org"):
        result = runner.invoke(
            args=["vulnerabilities", "import-csaf", str(tmp_path / "good.json"), "--as", email]
        )
        assert result.exit_code != 0
        assert "not an active authority officer" in result.output
    result = runner.invoke(args=["vulnerabilities", "watch", str(tmp_path), "--once"])
    assert result.exit_code != 0
    assert (tmp_path / "good.json").is_file()


def test_import_csaf_prints_what_it_did(
    catalog: Catalog, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    _write(tmp_path, "qs.json", _affected_and_fixed())
    result = runner.invoke(
        args=[
            "vulnerabilities",
            "import-csaf",
            str(tmp_path / "qs.json"),
            "--as",
            catalog.authority.email,
        ]
    )
    assert result.exit_code == 0, result.output
    assert "QS-2026-001 r1: 1 cases filed or updated, 0 unchanged, 1 products unmatched" in (
        result.output
    )
    assert (tmp_path / "qs.json").is_file()  # import-csaf leaves files where they are


def test_the_upload_page_shows_cases_or_problems(
    catalog: Catalog, client: FlaskClient, login: Callable[..., Any]
) -> None:
    login(client, catalog.authority)
    page = client.get("/admin/vulnerabilities/import")
    assert page.status_code == 200
    wrong = example("bsi-2022-0001.json")
    wrong["document"]["tracking"]["status"] = "published"
    refused = client.post(
        "/admin/vulnerabilities/import",
        data={"document": (io.BytesIO(json.dumps(wrong).encode()), "wrong.json")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 200
    assert b"Refused" in refused.data
    assert b"$.document.tracking.status" in refused.data
    not_json = client.post(
        "/admin/vulnerabilities/import",
        data={"document": (io.BytesIO(b"{oops"), "oops.json")},
        content_type="multipart/form-data",
    )
    assert b"The file is not JSON" in not_json.data
    done = client.post(
        "/admin/vulnerabilities/import",
        data={"document": (io.BytesIO(json.dumps(_affected_and_fixed()).encode()), "qs.json")},
        content_type="multipart/form-data",
    )
    case = db.session.scalars(select(VulnerabilityCase)).one()
    assert case.reference.encode() in done.data
    assert b"P-ELSE" in done.data


def test_the_authority_matches_or_dismisses_unmatched_products(
    catalog: Catalog, client: FlaskClient, login: Callable[..., Any]
) -> None:
    login(client, catalog.authority)
    assert b"No unmatched product is waiting" in client.get("/admin/vulnerabilities/unmatched").data
    import_advisory(catalog.authority, example("csaf_vex/2022-evd-uc-01-na-001.json"), "na.json")
    for row in [
        UnmatchedProduct(csaf_tracking_id="QS-X", product_id="X-1", product_status="fixed"),
        UnmatchedProduct(
            csaf_tracking_id="QS-X",
            product_id="X-2",
            product_status="known_affected",
            cve_ids="CVE-2026-33333",
            name="Sentinel two",
        ),
    ]:
        db.session.add(row)
    db.session.commit()
    listing = client.get("/admin/vulnerabilities/unmatched")
    assert b"CSAFPID-0001" in listing.data and b"X-2" in listing.data
    first, second = db.session.scalars(
        select(UnmatchedProduct).where(UnmatchedProduct.csaf_tracking_id == "QS-X")
    ).all()
    refused = client.post(f"/admin/vulnerabilities/unmatched/{first.id}/dismiss", data={})
    assert refused.status_code == 302
    client.post(
        f"/admin/vulnerabilities/unmatched/{first.id}/dismiss",
        data={"reason": "Not a product of ours."},
    )
    matched = client.post(
        f"/admin/vulnerabilities/unmatched/{second.id}/match",
        data={"version_id": str(catalog.first.id)},
        follow_redirects=True,
    )
    assert b"Product X-2 matched to Quayside Sentinel 1.0." in matched.data
    db.session.expire_all()
    assert first.resolution == "Dismissed: Not a product of ours."
    case = db.session.scalars(select(VulnerabilityCase)).one()
    assert second.case_id == case.id
    assert (case.cve_id, case.status, case.csaf_tracking_id) == (
        "CVE-2026-33333",
        CaseStatus.UNDER_ANALYSIS,
        "QS-X",
    )
    assert [(r.version_id, r.status) for r in case.versions] == [
        (catalog.first.id, ProductStatus.KNOWN_AFFECTED)
    ]
    listing = client.get("/admin/vulnerabilities/unmatched")
    assert f"/unmatched/{second.id}/match".encode() not in listing.data
    assert b"CSAFPID-0001" in listing.data
    again = client.post(
        f"/admin/vulnerabilities/unmatched/{second.id}/match",
        data={"version_id": str(catalog.fix.id)},
        follow_redirects=True,
    )
    assert b"already matched or dismissed" in again.data
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {
        "vulnerability.csaf_product_matched",
        "vulnerability.csaf_product_dismissed",
    } <= actions
