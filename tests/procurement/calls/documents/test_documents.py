"""Versioned tender documents and a complete notice: a new version keeps the earlier file and its
hash downloadable, comes only with a corrigendum, shows on the call pages and in OCDS (checked by
the schema and libcoveocds); CPV codes carry their published check digits, a wrong setting stops
the start, and OCDS items are classified by CPV."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from procurement.calls import limits
from procurement.calls.documents import services
from procurement.calls.documents.models import CallDocumentVersion
from procurement.calls.enquiries.models import Corrigendum
from procurement.calls.enquiries.services import publish_corrigendum
from procurement.calls.legal import cpv, regime
from procurement.calls.models import CallDocument, JointCall
from procurement.calls.services import lifecycle
from registry.database import db
from registry.dates import today
from registry.exceptions import AccessDenied, RuleViolation
from registry.models import AuditEntry, User
from tests.procurement.calls.call_builders import CallWorld, call_world, pass_deadline
from tests.procurement.ocds import ocds_schema
from tests.procurement.ocds.test_ocds_cove import assert_accepted, served_packages

Login = Callable[..., Any]
FIRST = b"%PDF-1.4 technical specification, first version\n"
SECOND = b"%PDF-1.4 technical specification, annex 2 replaced\n"


def _call(world: CallWorld) -> JointCall:
    call = lifecycle.open_call(
        world.authority,
        world.lot,
        "Joint call for licences",
        "Licences for every buyer of the lot.",
        limits.deadline_on(today() + dt.timedelta(days=30)),
        24,
    )
    db.session.commit()
    return call


def _attached(world: CallWorld, call: JointCall) -> CallDocument:
    document = services.attach_document(
        world.authority,
        call,
        "Technical specification",
        "specification",
        "specification.pdf",
        io.BytesIO(FIRST),
    )
    db.session.commit()
    return document


def test_a_new_version_keeps_the_earlier_file_and_its_hash(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, vendors=1)
    call = _call(world)
    login(client, world.authority)
    response = client.post(
        f"/procurement/calls/{call.id}/documents",
        data={
            "title": "Technical specification",
            "kind": "specification",
            "file": (io.BytesIO(FIRST), "specification.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    (document,) = call.documents
    assert document.kind == "specification" and document.version == 1
    deadline = call.deadline
    response = client.post(
        f"/procurement/calls/{call.id}/documents/{document.id}/versions",
        data={
            f"version-{document.id}-file": (io.BytesIO(SECOND), "specification-v2.pdf"),
            f"version-{document.id}-description": "Annex 2 of the specification is replaced.",
            f"version-{document.id}-deadline": "",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    reread = db.session.get(CallDocument, document.id)
    assert reread is not None and reread.version == 2
    document = reread
    assert document.sha256 == hashlib.sha256(SECOND).hexdigest()
    (corrigendum,) = db.session.scalars(select(Corrigendum)).all()
    assert document.corrigendum_id == corrigendum.id
    assert corrigendum.description == "Annex 2 of the specification is replaced."
    assert db.session.get(JointCall, call.id).deadline > deadline  # type: ignore[union-attr]
    (earlier,) = services.versions_of(document)
    assert earlier.version == 1 and earlier.sha256 == hashlib.sha256(FIRST).hexdigest()
    assert earlier.superseded_by_id == corrigendum.id
    # Both files stay downloadable, on the call page and publicly.
    current = client.get(f"/procurement/calls/{call.id}/documents/{document.id}")
    assert current.data == SECOND
    old = client.get(f"/procurement/calls/{call.id}/documents/{document.id}/versions/{earlier.id}")
    assert old.status_code == 200 and old.data == FIRST
    page = client.get(f"/procurement/calls/{call.id}").get_data(as_text=True)
    assert "Version 2" in page and earlier.sha256 in page and corrigendum.reference in page
    assert "Technical specification" in page and "Publish version 3" in page
    assert regime.local_stamp(earlier.uploaded_at) in page  # local time with its zone
    # The notice shows the lot's CPV codes with their check digits.
    assert f"<code>{regime.cpv_codes(call.lot.category.code)[0]}</code>" in page
    client.post("/logout")
    public = client.get(f"/procurement/public/calls/{call.id}").get_data(as_text=True)
    assert earlier.sha256 in public and document.sha256 in public
    assert "version 2" in public and "Version 1" in public
    link = f"/procurement/public/calls/{call.id}/documents/{document.id}/versions/{earlier.id}"
    assert link in public and client.get(link).data == FIRST
    assert client.get(f"/procurement/public/calls/{call.id}/documents/{document.id}").data == SECOND
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "call.document_version")
    ).one()
    data = json.loads(entry.data)
    assert data["previous_sha256"] == earlier.sha256
    assert data["sha256"] == document.sha256 and data["version"] == 2
    assert db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "call.corrigendum")
    ).all()


def test_a_new_version_without_a_corrigendum_is_refused(
    client: FlaskClient, login: Login, create_user: Callable[..., User]
) -> None:
    world = call_world(create_user, vendors=1)
    call = _call(world)
    document = _attached(world, call)
    with pytest.raises(RuleViolation, match="comes with a corrigendum"):
        services.publish_version(
            world.authority, document, "specification.pdf", io.BytesIO(SECOND), None
        )
    db.session.rollback()
    # From the page: without saying what changes, nothing is published.
    login(client, world.authority)
    response = client.post(
        f"/procurement/calls/{call.id}/documents/{document.id}/versions",
        data={
            f"version-{document.id}-file": (io.BytesIO(SECOND), "specification-v2.pdf"),
            f"version-{document.id}-description": "",
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Say what changes in this version." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CallDocument, document.id).version == 1  # type: ignore[union-attr]
    assert db.session.scalars(select(CallDocumentVersion)).all() == []
    assert db.session.scalars(select(Corrigendum)).all() == []


def test_versions_follow_the_rules_of_the_call(create_user: Callable[..., User]) -> None:
    world = call_world(create_user, vendors=1)
    call = _call(world)
    document = _attached(world, call)
    # A corrigendum of another call (never saved) does not announce this call's version.
    foreign = Corrigendum(
        call_id=call.id + 1,
        description="Another call's change.",
        previous_deadline=call.deadline,
        new_deadline=call.deadline,
    )
    with pytest.raises(RuleViolation, match="another call"):
        services.publish_version(world.authority, document, "v2.pdf", io.BytesIO(SECOND), foreign)
    db.session.rollback()
    own = publish_corrigendum(world.authority, call, "Annex 2 is replaced.")
    with pytest.raises(RuleViolation, match="same as the current version"):
        services.publish_version(world.authority, document, "v2.pdf", io.BytesIO(FIRST), own)
    with pytest.raises(AccessDenied):
        services.publish_version(world.vendors[0], document, "v2.pdf", io.BytesIO(SECOND), own)
    db.session.rollback()
    own = publish_corrigendum(world.authority, call, "Annex 2 is replaced.")
    services.publish_version(world.authority, document, "v2.pdf", io.BytesIO(SECOND), own)
    db.session.commit()
    pass_deadline(call)
    later = Corrigendum(
        call=call,
        description="x",
        previous_deadline=call.deadline,
        new_deadline=call.deadline,
    )
    with pytest.raises(RuleViolation, match="deadline for offers passed"):
        services.publish_version(
            world.authority, document, "v3.pdf", io.BytesIO(b"%PDF-1.4 v3\n"), later
        )
    db.session.rollback()


def test_ocds_documents_and_cpv_items_pass_the_schema_and_the_checker(
    client: FlaskClient, create_user: Callable[..., User], tmp_path: Path
) -> None:
    world = call_world(create_user, vendors=1)
    call = _call(world)
    document = _attached(world, call)
    corrigendum = publish_corrigendum(world.authority, call, "Annex 2 is replaced.")
    services.publish_version(
        world.authority, document, "specification-v2.pdf", io.BytesIO(SECOND), corrigendum
    )
    db.session.commit()
    body: dict[str, Any] = client.get(f"/procurement/ocds/{call.ocid}.json").json  # type: ignore[assignment]
    # Each change publishes a release of its own: the latest tender is the one to read.
    tender = [release["tender"] for release in body["releases"] if "tender" in release][-1]
    documents = {item["id"]: item for item in tender["documents"]}
    current = documents[f"DOC-{document.id:05d}"]
    assert current["documentType"] == "technicalSpecifications"
    assert current["title"] == "Technical specification"
    assert current["format"] == "application/pdf"
    assert current["url"].endswith(f"/public/calls/{call.id}/documents/{document.id}")
    assert current["dateModified"] > current["datePublished"] or (
        current["dateModified"] >= current["datePublished"]
    )
    assert "Version 2" in current["description"] and corrigendum.reference in current["description"]
    earlier = documents[f"DOC-{document.id:05d}-V1"]
    assert (
        "superseded" in earlier["title"]
        and hashlib.sha256(FIRST).hexdigest() in (earlier["description"])
    )
    category = call.lot.category.code
    codes = regime.cpv_codes(category)
    for item in tender["items"]:
        assert item["classification"]["scheme"] == "CPV"
        assert item["classification"]["id"] == codes[0][:8]
        assert {"scheme": "x_safetech_category"}.items() <= item["additionalClassifications"][
            -1
        ].items()
    release = ocds_schema.release_schema()
    ocds_schema.assert_valid(ocds_schema.package_validator(release), release, body)
    assert_accepted(served_packages(client), tmp_path)


def test_cpv_check_digits_of_known_real_codes() -> None:
    assert cpv.problem("35120000-1") is None  # Surveillance and security systems and devices
    assert cpv.title("35120000-1") == "Surveillance and security systems and devices"
    assert cpv.problem("48000000-8") is None  # Software package and information systems
    assert cpv.problem("35125300-2") is None and cpv.problem("72212730-5") is None
    assert cpv.problem("35120000-7") == (
        "35120000-7 has a wrong check digit: the CPV code is 35120000-1."
    )
    assert "wrong check digit" in (cpv.problem("48000000-1") or "")
    assert "not a CPV code this portal knows" in (cpv.problem("99999999-9") or "")
    assert "not a CPV code" in (cpv.problem("3512000") or "")
    assert cpv.full_code("35120000") == "35120000-1"
    for codes in regime.DEFAULT_CPV_CODES.values():
        assert all(cpv.problem(code) is None and len(code) == 10 for code in codes)


def test_a_wrong_cpv_setting_stops_the_start(
    app_factory: Callable[..., Flask],
) -> None:
    with pytest.raises(RuntimeError, match=r"cybersecurity: 48730000-9 has a wrong check digit"):
        app_factory(CPV_CODES={"cybersecurity": ["48730000-9"]})
    with pytest.raises(RuntimeError, match="not a CPV code"):
        app_factory(CPV_CODES={"video-analysis": "camera"})
    started = app_factory(CPV_CODES={"cybersecurity": ["48730000"]})
    with started.app_context():
        # Given without its check digit, a known code takes the published one.
        assert regime.cpv_codes("cybersecurity") == ("48730000-4",)
