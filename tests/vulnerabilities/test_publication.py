"""Publication of disclosed cases: advisory pages, lists, Atom, CSAF provider layout, JSON API."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pysequoia import Cert, Sig, verify

from registry.database import db
from registry.dates import today
from registry.models import User
from tests.vulnerabilities.case_builders import (
    CRITICAL_V3,
    HIGH_V4,
    MEDIUM_V3,
    Scene,
    confirmed,
    make_scene,
    reported,
)
from vulnerabilities import cases
from vulnerabilities.csaf.documents import csaf_document
from vulnerabilities.csaf.validation import provider_metadata_problems, validate_many
from vulnerabilities.models import CaseSource, VexJustification, VulnerabilityCase

ATOM = "{http://www.w3.org/2005/Atom}"
PAST = today() - dt.timedelta(days=1)
SECRET = "Kestrel-uplink overflow 7Q4"


@pytest.fixture
def scene(app: Flask, create_user: Callable[..., User]) -> Iterator[Scene]:
    with app.test_request_context():
        yield make_scene(create_user)


def _fixed_v4(scene: Scene) -> VulnerabilityCase:
    case = reported(scene, title="Firmware update signature skipped", embargo=PAST)
    cases.start_analysis(scene.vendor, case)
    cases.confirm(
        scene.vendor,
        case,
        analysis="The updater accepts unsigned images.",
        affected_version_ids=[scene.first.id],
        cvss_v4=HIGH_V4,
        cve_id="CVE-2026-12345",
        cwe_id="CWE-347",
        summary="An attacker on the network can install firmware.",
    )
    cases.mark_fixed(scene.vendor, case, scene.fix, "Images are verified.")
    db.session.commit()
    return case


def _not_affected(scene: Scene) -> VulnerabilityCase:
    case = reported(scene, title="OpenSSL heap overread", embargo=PAST)
    cases.declare_not_affected(
        scene.vendor,
        case,
        justification=VexJustification.COMPONENT_NOT_PRESENT,
        analysis="The camera does not ship OpenSSL.",
    )
    db.session.commit()
    return case


def _solution_not_affected(scene: Scene) -> VulnerabilityCase:
    """A VEX statement about the whole solution: the report named no version."""
    case = cases.open_case(
        scene.vendor,
        scene.label.solution,
        CaseSource.VENDOR,
        title="Bluetooth pairing flaw",
        embargo_until=PAST,
    )
    cases.declare_not_affected(
        scene.vendor,
        case,
        justification=VexJustification.VULNERABLE_CODE_NOT_PRESENT,
        analysis="The camera has no Bluetooth stack.",
    )
    db.session.commit()
    return case


def _confirmed(scene: Scene, title: str, embargo: dt.date, **scores: str) -> VulnerabilityCase:
    case = reported(scene, title=title, embargo=embargo)
    cases.start_analysis(scene.vendor, case)
    cases.confirm(
        scene.vendor,
        case,
        analysis="The stream handler skips the session check.",
        affected_version_ids=[scene.first.id],
        **scores,
    )
    db.session.commit()
    return case


def test_every_published_document_is_valid_csaf_vex(scene: Scene) -> None:
    kinds = [
        _confirmed(scene, "Stream without session", PAST, cvss_v3=CRITICAL_V3, cwe_id="CWE-306"),
        _fixed_v4(scene),
        _not_affected(scene),
        _confirmed(scene, "Both scores", PAST, cvss_v3=MEDIUM_V3, cvss_v4=HIGH_V4),
        _solution_not_affected(scene),
    ]
    documents = [csaf_document(case) for case in kinds]
    for case, document, result in zip(kinds, documents, validate_many(documents), strict=True):
        assert result.mandatory_tests_ran, result.not_run_reason
        assert result.valid, (case.title, [str(p) for p in result.problems])
        assert document["document"]["category"] == "csaf_vex"
        assert document["document"]["tracking"]["id"] == case.reference
    confirmed_doc, fixed_doc, not_affected_doc, both_doc, whole_doc = (
        csaf_document(c) for c in kinds
    )
    first, fix = f"CSAFPID-{scene.first.id}", f"CSAFPID-{scene.fix.id}"
    # Every declared version is a product; the statuses come from the case.
    names = json.dumps(fixed_doc["product_tree"])
    assert (
        f"{scene.label.solution.name} 1.0" in names and f"{scene.label.solution.name} 1.1" in names
    )
    vulnerability = fixed_doc["vulnerabilities"][0]
    assert vulnerability["product_status"] == {"known_affected": [first], "fixed": [fix]}
    assert vulnerability["remediations"][0]["category"] == "vendor_fix"
    assert "1.1" in vulnerability["remediations"][0]["details"]
    assert vulnerability["cve"] == "CVE-2026-12345"
    assert vulnerability["cwe"] == {
        "id": "CWE-347",
        "name": "Improper Verification of Cryptographic Signature",
    }
    assert "scores" not in vulnerability  # v4 only: CSAF 2.0 has no field, a note carries it
    assert any(HIGH_V4 in note["text"] for note in vulnerability["notes"])
    assert len(fixed_doc["document"]["tracking"]["revision_history"]) >= 1
    # Confirmed, no fix: honestly no remediation available; the v3 score as computed.
    vulnerability = confirmed_doc["vulnerabilities"][0]
    assert vulnerability["remediations"][0]["category"] == "none_available"
    assert vulnerability["scores"][0]["cvss_v3"]["baseScore"] == 9.8
    assert vulnerability["scores"][0]["cvss_v3"]["baseSeverity"] == "CRITICAL"
    assert vulnerability["cwe"]["id"] == "CWE-306"
    # Not affected: the VEX justification as a flag.
    vulnerability = not_affected_doc["vulnerabilities"][0]
    assert vulnerability["product_status"] == {"known_not_affected": [first]}
    assert vulnerability["flags"] == [{"label": "component_not_present", "product_ids": [first]}]
    vulnerability = both_doc["vulnerabilities"][0]
    assert vulnerability["scores"][0]["cvss_v3"]["vectorString"] == MEDIUM_V3
    assert any(HIGH_V4 in note["text"] for note in vulnerability["notes"])
    # Not affected, no version named: every declared version is not affected.
    assert whole_doc["vulnerabilities"][0]["product_status"] == {"known_not_affected": [first, fix]}
    # The same case gives the same document every time.
    assert csaf_document(kinds[1]) == fixed_doc


def _public_addresses(client: FlaskClient, case: VulnerabilityCase) -> dict[str, str]:
    """The text of every public address a disclosed case should appear at."""
    texts = {}
    solution_id, label_number = case.solution_id, None
    from evaluations.models import Label

    label = db.session.scalar(db.select(Label).where(Label.solution_id == solution_id))
    assert label is not None
    label_number = label.number
    for path in (
        "/advisories",
        f"/advisories/{case.reference}",
        f"/advisories/{case.reference}.json",
        "/advisories.atom",
        f"/solutions/{solution_id}/advisories",
        f"/labels/{label_number}/advisories",
        "/api/v1/advisories",
        f"/api/v1/advisories/{case.reference}",
        "/.well-known/csaf/white/feed-tlp-white.json",
        "/.well-known/csaf/white/index.txt",
        "/.well-known/csaf/white/changes.csv",
    ):
        response = client.get(path)
        texts[path] = response.get_data(as_text=True) if response.status_code == 200 else ""
    return texts


def test_an_embargoed_case_appears_nowhere_until_its_embargo_ends(
    app: Flask, client: FlaskClient, scene: Scene, login: Callable[..., object]
) -> None:
    future = today() + dt.timedelta(days=30)
    case = _confirmed(scene, SECRET, future, cvss_v3=CRITICAL_V3)
    year_path = f"/.well-known/csaf/white/{today().year}/{case.reference.lower()}.json"
    before = _public_addresses(client, case)
    assert not [path for path, text in before.items() if SECRET in text]
    assert case.reference.lower() not in before["/.well-known/csaf/white/index.txt"]
    assert client.get(year_path).status_code == 404
    # Not to its own vendor either, on these public addresses.
    login(client, scene.vendor)
    assert client.get(f"/advisories/{case.reference}").status_code == 404
    assert client.get(f"/advisories/{case.reference}.json").status_code == 404
    assert client.get(f"/api/v1/advisories/{case.reference}").status_code == 404
    client.get("/logout")

    cases.set_embargo(scene.authority, case, today(), "Coordinated release today.")
    db.session.commit()
    after = _public_addresses(client, case)
    missing = [
        path
        for path, text in after.items()
        if path.startswith("/.well-known/csaf/white/") is False and SECRET not in text
    ]
    assert not missing
    assert SECRET in after["/.well-known/csaf/white/feed-tlp-white.json"]
    assert case.reference.lower() in after["/.well-known/csaf/white/index.txt"]
    assert case.reference.lower() in after["/.well-known/csaf/white/changes.csv"]
    assert SECRET in client.get(year_path).get_data(as_text=True)


def test_the_directory_serves_the_same_bytes_with_matching_hashes(
    client: FlaskClient, scene: Scene
) -> None:
    case = _fixed_v4(scene)
    index = client.get("/.well-known/csaf/white/index.txt")
    assert index.mimetype == "text/plain"
    path = index.get_data(as_text=True).strip()
    assert path == f"{today().year}/{case.reference.lower()}.json"
    document = client.get(f"/.well-known/csaf/white/{path}")
    assert document.mimetype == "application/json"
    assert document.data == client.get(f"/advisories/{case.reference}.json").data
    for algorithm in ("sha256", "sha512"):
        digest = client.get(f"/.well-known/csaf/white/{path}.{algorithm}")
        assert digest.mimetype == "text/plain"
        assert (
            digest.get_data(as_text=True).split()[0]
            == hashlib.new(algorithm, document.data).hexdigest()
        )
        assert digest.get_data(as_text=True).split()[1] == path.split("/")[1]
    changes = client.get("/.well-known/csaf/white/changes.csv")
    assert changes.mimetype == "text/csv"
    assert changes.get_data(as_text=True).startswith(f'"{path}","')
    feed = client.get("/.well-known/csaf/white/feed-tlp-white.json").get_json()["feed"]
    assert [entry["id"] for entry in feed["entry"]] == [case.reference]
    assert feed["entry"][0]["content"]["src"].endswith(path)
    assert feed["category"][0]["term"] == "csaf"
    metadata = client.get("/.well-known/csaf/provider-metadata.json").get_json()
    assert provider_metadata_problems(metadata) == []
    assert metadata["role"] == "csaf_trusted_provider"
    assert metadata["canonical_url"].endswith("/.well-known/csaf/provider-metadata.json")
    assert metadata["distributions"][1]["rolie"]["feeds"][0]["url"].endswith("/feed-tlp-white.json")
    assert client.get("/.well-known/csaf/white/2001/nothing.json").status_code == 404
    assert client.get("/.well-known/csaf/white/2001/nothing.json.asc").status_code == 404


def test_every_document_is_signed_with_the_key_the_metadata_names(
    client: FlaskClient, scene: Scene
) -> None:
    case = _fixed_v4(scene)
    metadata = client.get("/.well-known/csaf/provider-metadata.json").get_json()
    [key] = metadata["public_openpgp_keys"]
    served = client.get(urlsplit(key["url"]).path)
    assert served.mimetype == "application/pgp-keys"
    assert "PRIVATE" not in served.get_data(as_text=True)
    certificate = Cert.from_bytes(served.data)
    assert str(certificate.fingerprint).upper() == key["fingerprint"]
    path = f"/.well-known/csaf/white/{today().year}/{case.reference.lower()}.json"
    document = client.get(path).data
    signed = client.get(f"{path}.asc")
    assert signed.mimetype == "application/pgp-signature"
    assert signed.data.startswith(b"-----BEGIN PGP SIGNATURE-----")
    feed = client.get("/.well-known/csaf/white/feed-tlp-white.json").get_json()["feed"]
    links = {link["rel"]: link["href"] for link in feed["entry"][0]["link"]}
    assert links["signature"].endswith(f"{path}.asc")
    signature = Sig.from_bytes(signed.data)
    assert verify(bytes=document, store=lambda ids: [certificate], signature=signature)
    # An altered document does not verify.
    with pytest.raises(RuntimeError, match="no valid signatures"):
        verify(bytes=document + b" ", store=lambda ids: [certificate], signature=signature)
    # The key is made once and kept: a second request names the same one.
    again = client.get("/.well-known/csaf/provider-metadata.json").get_json()
    assert again["public_openpgp_keys"] == metadata["public_openpgp_keys"]
    assert client.get("/.well-known/csaf/openpgp/0123456789ABCDEF.asc").status_code == 404


def test_the_atom_feed_lists_disclosed_advisories_newest_first(
    client: FlaskClient, scene: Scene
) -> None:
    older = _not_affected(scene)
    newer = _fixed_v4(scene)
    hidden = _confirmed(scene, SECRET, today() + dt.timedelta(days=9), cvss_v3=CRITICAL_V3)
    response = client.get("/advisories.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)  # noqa: S314 - our own feed
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}id") is not None and feed.find(f"{ATOM}updated") is not None
    assert {link.get("rel") for link in feed.findall(f"{ATOM}link")} == {"self", "alternate"}
    entries = feed.findall(f"{ATOM}entry")
    titles = [entry.findtext(f"{ATOM}title") or "" for entry in entries]
    assert [t.split(":")[0] for t in titles] == [newer.reference, older.reference]
    assert hidden.reference not in response.get_data(as_text=True)
    for entry in entries:
        assert entry.findtext(f"{ATOM}id") and entry.findtext(f"{ATOM}updated")


def test_the_advisory_page_shows_versions_affected_and_fixed(
    client: FlaskClient, scene: Scene
) -> None:
    case = _fixed_v4(scene)
    page = client.get(f"/advisories/{case.reference}").get_data(as_text=True)
    assert "Affected</th><td>1.0" in page
    assert "Fixed</th><td>1.1" in page
    assert "CVE-2026-12345" in page and "Improper Verification of Cryptographic Signature" in page
    assert f"/labels/{scene.label.number}" in page
    assert f"/advisories/{case.reference}.json" in page
    not_affected = _not_affected(scene)
    page = client.get(f"/advisories/{not_affected.reference}").get_data(as_text=True)
    assert "Not affected</th><td>1.0 — The vulnerable component is not present" in page
    detail = client.get(f"/api/v1/advisories/{case.reference}").get_json()
    assert detail["versions"]["known_affected"][0]["version"] == "1.0"
    assert detail["versions"]["fixed"][0]["version"] == "1.1"
    assert detail["csaf_url"].endswith(f"/advisories/{case.reference}.json")


def test_lists_filter_and_say_when_empty(client: FlaskClient, scene: Scene) -> None:
    assert "No advisory has been published here yet" in client.get("/advisories").get_data(
        as_text=True
    )
    assert "No advisory" in client.get(f"/labels/{scene.label.number}/advisories").get_data(
        as_text=True
    )
    case = _confirmed(scene, "Stream without session", PAST, cvss_v3=CRITICAL_V3)
    assert case.reference in client.get("/advisories?severity=critical").get_data(as_text=True)
    assert case.reference not in client.get("/advisories?severity=low").get_data(as_text=True)
    assert case.reference in client.get(f"/labels/{scene.label.number}/advisories").get_data(
        as_text=True
    )
    assert client.get("/labels/STR-1999-99999/advisories").status_code == 404
    assert client.get("/solutions/999999/advisories").status_code == 404
    api = client.get("/api/v1/advisories?severity=critical").get_json()
    assert [item["reference"] for item in api["items"]] == [case.reference]
    assert client.get("/api/v1/advisories?severity=low").get_json()["total"] == 0
    assert client.get("/api/v1/advisories?severity=bogus").status_code == 400


def test_a_rejected_or_unsettled_case_is_never_published(client: FlaskClient, scene: Scene) -> None:
    case = reported(scene, title=SECRET, embargo=PAST)
    for path in (f"/advisories/{case.reference}", f"/api/v1/advisories/{case.reference}"):
        assert client.get(path).status_code == 404
    assert SECRET not in client.get("/advisories").get_data(as_text=True)
    confirmed(scene, case)
    assert client.get(f"/advisories/{case.reference}").status_code == 200
