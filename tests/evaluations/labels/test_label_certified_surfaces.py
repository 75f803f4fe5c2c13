"""Every label surface (page, PDF, credential, API) shows what the label certifies: the facts
frozen with it and its certified versions, read from the label, never from the solution record.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import update

from catalog.models import Solution
from catalog.versions import declare_version
from evaluations.labels.certified import add_to_scope
from evaluations.labels.documents.context import safetech_context_url
from evaluations.labels.documents.signing import credential_bytes, sign_label_credential
from evaluations.labels.issuing import issue_label
from evaluations.labels.keys import current_signing_key
from evaluations.models import Label, MaintenanceRequest, MaintenanceStatus
from registry.database import db, utcnow
from registry.models import User
from tests.evaluations.labels.label_builders import (
    LabelWorld,
    certified_evaluation,
    issued_label,
    make_world,
)
from tests.evaluations.labels.test_label_pdf import pdf_text, squeeze

NO_VERSION = "No version recorded (issued before versions were tracked)"
SCOPE_TEXT = "2.1 (released 2026-03-01), 2.0 (released 2025-09-15)"
PURL_21 = "pkg:generic/acme/harbour-watch@2.1"
CPE_21 = "cpe:2.3:a:acme:harbour_watch:2.1:*:*:*:*:*:*:*"


@pytest.fixture
def world(app: Flask, create_user: Callable[..., User]) -> Iterator[LabelWorld]:
    """People and a published norm version."""
    with app.test_request_context():
        yield make_world(create_user)


def versioned_label(world: LabelWorld) -> Label:
    """A label issued for version 2.0, then amended: 2.1 joined its scope after a review."""
    evaluation = certified_evaluation(world, solution_name="Harbour Watch")
    solution = evaluation.solution
    first = declare_version(
        world.vendor,
        solution,
        "2.0",
        dt.date(2025, 9, 15),
        purl="pkg:generic/acme/harbour-watch@2.0",
    )
    evaluation.product_version_id = first.id
    db.session.commit()
    label = issue_label(world.authority, evaluation, public_statement="Meets the norm.")
    db.session.commit()
    added = declare_version(
        world.vendor, solution, "2.1", dt.date(2026, 3, 1), purl=PURL_21, cpe=CPE_21
    )
    review = MaintenanceRequest(
        label_id=label.id,
        version_id=added.id,
        status=MaintenanceStatus.APPROVED,
        impact_analysis="Bug fixes only.",
        status_changed_at=utcnow(),
    )
    db.session.add(review)
    db.session.flush()
    add_to_scope(label, added, world.authority, review.id)
    db.session.commit()
    return label


def _pdf_text(client: FlaskClient, number: str, tmp_path: Path) -> str:
    with client.get(f"/labels/{number}.pdf") as response:
        assert response.status_code == 200
        return pdf_text(response.get_data(), tmp_path)


def _credential(client: FlaskClient, number: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(client.get(f"/labels/{number}.json").data)
    return document


def test_every_surface_shows_the_certified_versions_and_the_amendment(
    client: FlaskClient, world: LabelWorld, tmp_path: Path
) -> None:
    label = versioned_label(world)

    page = client.get(f"/labels/{label.number}").get_data(as_text=True)
    assert f'<dd class="certified-versions">{SCOPE_TEXT}</dd>' in page
    assert PURL_21 in page and CPE_21 in page
    assert "Video analysis" in page  # the certified category
    assert "Amended</td><td>Version 2.1 added to the certified scope" in page

    assert squeeze(f"Certified versions {SCOPE_TEXT}") in _pdf_text(client, label.number, tmp_path)

    credential = _credential(client, label.number)
    assert credential["@context"][1].endswith("/contexts/safetech/v2")
    signed = credential["credentialSubject"]["label"]
    assert [entry["version"] for entry in signed["scope"]] == ["2.1", "2.0"]
    assert signed["scope"][0]["cpe"] == CPE_21
    assert signed["factsRevision"] == 2

    api = client.get(f"/api/v1/labels/{label.number}").get_json()
    assert [entry["version"] for entry in api["scope"]["versions"]] == ["2.1", "2.0"]
    assert api["scope"]["versions"][0]["purl"] == PURL_21
    assert api["scope"]["text"] == SCOPE_TEXT
    assert api["certified"]["name"] == "Harbour Watch"
    assert api["certified"]["facts_revision"] == 2
    [amended] = [event for event in api["history"] if event["action"] == "amended"]
    assert amended["reason"].startswith("Version 2.1 added to the certified scope")
    listed = client.get(f"/api/v1/labels?solution={label.solution_id}").get_json()
    assert listed["items"][0]["scope"]["text"] == SCOPE_TEXT
    decisions = client.get("/api/v1/decisions").get_json()["items"]
    assert decisions[0]["action"] == "amended" and decisions[0]["label"] == label.number


def test_a_label_issued_before_versions_were_tracked_says_so(
    client: FlaskClient, world: LabelWorld, tmp_path: Path
) -> None:
    label = issued_label(world)
    page = client.get(f"/labels/{label.number}").get_data(as_text=True)
    assert f'<dd class="certified-versions">{NO_VERSION}</dd>' in page
    assert squeeze(NO_VERSION) in _pdf_text(client, label.number, tmp_path)
    assert _credential(client, label.number)["credentialSubject"]["label"]["scope"] == []
    api = client.get(f"/api/v1/labels/{label.number}").get_json()
    assert api["scope"] == {"versions": [], "text": NO_VERSION}


def test_the_surfaces_read_the_label_not_the_solution_record(
    client: FlaskClient, runner: FlaskCliRunner, world: LabelWorld, tmp_path: Path
) -> None:
    """Only an approved change request may change what a label certifies; a record changed
    any other way (here, directly in the database) changes none of the label's surfaces, not
    even once the label is signed again."""
    label = issued_label(world, solution_name="Harbour Watch")
    db.session.execute(
        update(Solution)
        .where(Solution.id == label.solution_id)
        .values(name="Renamed Watch", uses_biometrics=True, privacy_sensitive=True)
    )
    db.session.commit()
    assert runner.invoke(args=["labels", "resign"]).exit_code == 0

    page = client.get(f"/labels/{label.number}").get_data(as_text=True)
    assert "Harbour Watch" in page and "Renamed Watch" not in page
    assert "Not privacy-sensitive" in page
    text = _pdf_text(client, label.number, tmp_path)
    assert squeeze("Harbour Watch") in text and squeeze("Renamed Watch") not in text
    subject = _credential(client, label.number)["credentialSubject"]
    assert subject["name"] == "Harbour Watch"
    assert subject["usesBiometrics"] is False
    api = client.get(f"/api/v1/labels/{label.number}").get_json()
    assert api["certified"]["name"] == api["solution"]["name"] == "Harbour Watch"
    assert api["certified"]["uses_biometrics"] is False
    for listing in ("/labels", "/decisions"):
        text = client.get(listing).get_data(as_text=True)
        assert "Harbour Watch" in text and "Renamed Watch" not in text, listing
    # The catalog's own page shows the record as it now reads.
    assert "Renamed Watch" in client.get(f"/solutions/{label.solution_id}").get_data(as_text=True)


def test_a_label_signed_under_context_v1_shows_its_scope_from_the_label(
    app: Flask, client: FlaskClient, world: LabelWorld
) -> None:
    """A credential signed before the certified claims existed (v1) says nothing of them; the
    page and API then read them from the label's frozen facts and scope, still not the record."""
    label = versioned_label(world)
    stored = json.loads(label.credential)
    unsigned = {key: value for key, value in stored.items() if key != "proof"}
    base_url = app.config["BASE_URL"]
    unsigned["@context"] = [unsigned["@context"][0], safetech_context_url(base_url, 1)]
    subject = unsigned["credentialSubject"]
    for term in ("category", "activities", "standards", "privacySensitive", "usesBiometrics"):
        del subject[term]
    del subject["usesFacialRecognition"], subject["label"]["scope"]
    del subject["label"]["factsRevision"]
    credential = sign_label_credential(unsigned, current_signing_key(), base_url)
    label.credential = credential_bytes(credential).decode("utf-8")
    db.session.commit()

    page = client.get(f"/labels/{label.number}").get_data(as_text=True)
    assert f'<dd class="certified-versions">{SCOPE_TEXT}</dd>' in page
    api = client.get(f"/api/v1/labels/{label.number}").get_json()
    assert api["scope"]["text"] == SCOPE_TEXT
    assert api["certified"]["category"]["code"] == "video-analysis"
