"""Label pages: status page, PDF, credential, status lists, verification, decision log, API."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from PIL import Image
from sqlalchemy import select

from evaluations.labels.credentials import VerdictCode, generate_private_key, sign_credential
from evaluations.labels.events import AUDIT_ACTIONS
from evaluations.labels.keys import public_keys_document
from evaluations.labels.pdf import render_label_pdf
from evaluations.labels.publishing import status_list_credential
from evaluations.labels.revocation import pending_revocation
from evaluations.labels.status_changes import expire_labels, reinstate_label, suspend_label
from evaluations.models import Label, LabelEvent
from registry import dates
from registry.database import db
from registry.models import AuditEntry, User
from tests.evaluations.labels.label_builders import (
    LabelWorld,
    issued_label,
    make_world,
    revoke,
    second_officer,
    served_verdict,
    supersede,
)

BASE_URL = "http://127.0.0.1:5000"


@pytest.fixture
def world(app: Flask, create_user: Callable[..., User]) -> Iterator[LabelWorld]:
    """People and a published norm version."""
    with app.test_request_context():
        yield make_world(create_user)


def _pdf(client: FlaskClient, number: str, **options: Any) -> Any:
    """GET a label PDF, closing the served file (send_file streams it)."""
    with client.get(f"/labels/{number}.pdf", **options) as response:
        response.get_data()
        return response


def _verify(client: FlaskClient, document: bytes, name: str = "label.json") -> str:
    response = client.post(
        "/verify",
        data={"file": (io.BytesIO(document), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- The public page --------------------------------------------------------------------------


def test_the_page_shows_the_status_first_then_the_facts(
    client: FlaskClient, world: LabelWorld
) -> None:
    label = issued_label(world, level="Advanced", percent=85.0, solution_name="Quay <Watch>")
    page = client.get(f"/labels/{label.number}").get_data(as_text=True)
    assert page.index("VALID") < page.index("Advanced") < page.index("ONVIF-S")
    assert "Quay &lt;Watch&gt;" in page and "<Watch>" not in page
    assert f"{label.number}.pdf" in page and f"{label.number}.json" in page


@pytest.mark.parametrize(
    ("action", "word"),
    [("suspend_label", "SUSPENDED"), ("revoke", "REVOKED"), (None, "EXPIRED")],
)
def test_each_status_is_unmistakable(
    client: FlaskClient, world: LabelWorld, action: str | None, word: str
) -> None:
    label = issued_label(world)
    if action == "revoke":
        revoke(world, label, "Because of a finding")
    elif action == "suspend_label":
        suspend_label(world.authority, label, "Because of a finding")
    else:
        label.expires_on = dates.today() - dt.timedelta(days=1)
        db.session.flush()
        expire_labels()
    db.session.commit()
    page = client.get(f"/labels/{label.number}").get_data(as_text=True)
    assert page.count(word) >= 2  # the title and the banner
    assert "VALID<" not in page


def test_re_certification_due_is_shown(client: FlaskClient, world: LabelWorld) -> None:
    label = issued_label(world)
    supersede(world.version, dates.today() - dt.timedelta(days=1))
    page = client.get(f"/labels/{label.number}").get_data(as_text=True)
    assert "Re-certification due" in page


def test_unknown_and_malformed_numbers_look_the_same(
    client: FlaskClient, world: LabelWorld
) -> None:
    label = issued_label(world)
    unpublished = issued_label(world)
    unpublished.credential = ""  # as if its issue were never finished
    db.session.commit()
    year = dates.today().year
    bodies = set()
    for number in (f"STR-{year}-99999", "STR-1-2", "<script>", unpublished.number):
        response = client.get(f"/labels/{number}")
        assert response.status_code == 404
        bodies.add(response.get_data(as_text=True).replace(number, "N"))
        assert _pdf(client, number).status_code == 404
        assert client.get(f"/labels/{number}.json").status_code == 404
    assert len(bodies) <= 2  # the same page; only an escaped echo of the number may differ
    assert all("Unknown label" in body for body in bodies)
    assert client.get(f"/labels/{label.number}").status_code == 200


# --- PDF --------------------------------------------------------------------------------------


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "label.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["/usr/bin/pdftotext", "-layout", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _qr_codes(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "scan.pdf"
    path.write_bytes(pdf)
    prefix = tmp_path / "page"
    subprocess.run(
        ["/usr/bin/pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(path), str(prefix)],
        check=True,
    )
    (image_path,) = tmp_path.glob("page*.png")
    with Image.open(image_path) as image:
        return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def test_the_pdf_shows_number_level_status_and_a_qr_code_of_the_page(
    app: Flask, client: FlaskClient, world: LabelWorld, tmp_path: Path
) -> None:
    label = issued_label(world, level="Advanced", percent=88.0)
    response = _pdf(client, label.number)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers.get("ETag") and response.headers.get("Last-Modified")
    text = _pdf_text(response.data, tmp_path)
    assert label.number in text and "Advanced" in text and "Valid on" in text
    assert _qr_codes(response.data, tmp_path) == [f"{BASE_URL}/labels/{label.number}"]
    again = _pdf(client, label.number, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_the_pdf_is_rendered_once_and_again_when_the_status_changes(
    app: Flask,
    client: FlaskClient,
    world: LabelWorld,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    renders: list[str] = []
    real_render = render_label_pdf

    def counting_render(
        facts: Any, credential: bytes, as_of: Any = None, remediation: tuple[str, ...] = ()
    ) -> bytes:
        renders.append(facts.status)
        return real_render(facts, credential, as_of, remediation)

    monkeypatch.setattr("evaluations.labels.pdf.render_label_pdf", counting_render)
    label = issued_label(world)
    first = _pdf(client, label.number).data
    second = _pdf(client, label.number).data
    assert first == second and renders == ["valid"]
    suspend_label(world.authority, label, "Finding")
    db.session.commit()
    suspended = _pdf(client, label.number).data
    assert renders == ["valid", "suspended"]
    assert "Suspended on" in _pdf_text(suspended, tmp_path)
    _pdf(client, label.number)
    assert len(renders) == 2


# --- Credential, status lists, verification ---------------------------------------------------


def test_the_served_credential_verifies_and_follows_the_status(
    client: FlaskClient, world: LabelWorld
) -> None:
    label = issued_label(world)
    response = client.get(f"/labels/{label.number}.json")
    assert response.mimetype == "application/vc"
    credential = response.get_json(force=True)
    assert credential["credentialStatus"][0]["statusListCredential"] == (
        f"{BASE_URL}/labels/status/revocation.json"
    )
    assert served_verdict(client, label.number).code == VerdictCode.VALID
    suspend_label(world.authority, label, "Finding")
    db.session.commit()
    assert served_verdict(client, label.number).code == VerdictCode.SUSPENDED
    reinstate_label(
        world.authority, label, "Fixed", no_response_reason="The fix was verified by a re-test."
    )
    db.session.commit()
    assert served_verdict(client, label.number).code == VerdictCode.VALID
    revoke(world, label, "Fraud")
    db.session.commit()
    assert served_verdict(client, label.number).code == VerdictCode.REVOKED
    status_list = client.get("/labels/status/revocation.json")
    assert "max-age=60" in status_list.headers["Cache-Control"]


def _tampered(credential: bytes) -> bytes:
    document = json.loads(credential)
    document["credentialSubject"]["label"]["level"] = "Platinum"
    return json.dumps(document).encode()


def _copied_signature(credential: bytes, other: bytes) -> bytes:
    document = json.loads(credential)
    document["proof"] = json.loads(other)["proof"]
    return json.dumps(document).encode()


def _unknown_key(credential: bytes) -> bytes:
    document = json.loads(credential)
    proof = document.pop("proof")
    method = proof["verificationMethod"].split("#")[0] + "#ed25519-0000000000000000"
    return json.dumps(
        sign_credential(document, generate_private_key(), method, proof["created"])
    ).encode()


def test_verification_gives_a_distinct_verdict_for_each_problem(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, world: LabelWorld, tmp_path: Path
) -> None:
    label, other, revoked = (issued_label(world) for _ in range(3))
    revoke(world, revoked, "Fraud")
    db.session.commit()
    credential = client.get(f"/labels/{label.number}.json").data
    other_credential = client.get(f"/labels/{other.number}.json").data
    cases = {
        "VALID": credential,
        "BAD_SIGNATURE": _tampered(credential),
        "BAD_SIGNATURE ": _copied_signature(credential, other_credential),
        "UNKNOWN_KEY": _unknown_key(credential),
        "REVOKED": client.get(f"/labels/{revoked.number}.json").data,
        "MALFORMED": b"\x00\xffnot json at all",
    }
    for expected, document in cases.items():
        page = _verify(client, document)
        assert f'data-verdict="{expected.strip()}"' in page, (expected, page[-3000:])
        assert f"({expected.strip()})" not in page  # the reader sees words, not the code
    pdf = _pdf(client, label.number).data
    assert '<h2 class="usa-alert__heading">Valid</h2>' in _verify(client, pdf, "label.pdf")
    # The CLI, offline, with the published keys and status lists.
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(public_keys_document(app.config["BASE_URL"])))
    lists = []
    for purpose in ("revocation", "suspension"):
        path = tmp_path / f"{purpose}.json"
        path.write_bytes(client.get(f"/labels/status/{purpose}.json").data)
        lists += ["--status-list", str(path)]
    outputs = {}
    for expected, document in cases.items():
        path = tmp_path / "candidate.json"
        path.write_bytes(document)
        result = runner.invoke(args=["labels", "verify", str(path), "--keys", str(keys), *lists])
        outputs[expected] = result.output
        assert result.output.startswith(expected.strip() + ":"), (expected, result.output)
        assert result.exit_code == (0 if expected == "VALID" else 1)
    # A changed field and a borrowed signature are the same fact to a verifier: the
    # signature does not match this content.
    assert outputs["BAD_SIGNATURE"].split(":")[0] == outputs["BAD_SIGNATURE "].split(":")[0]


def test_the_cli_says_status_unknown_for_a_revoked_labels_pdf_without_status_lists(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, world: LabelWorld, tmp_path: Path
) -> None:
    """Offline, a revoked label's PDF (printed while it was valid) never passes for valid."""
    label = issued_label(world)
    pdf = tmp_path / "label.pdf"
    pdf.write_bytes(_pdf(client, label.number).data)
    revoke(world, label, "Fraud")
    db.session.commit()
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(public_keys_document(app.config["BASE_URL"])))

    result = runner.invoke(args=["labels", "verify", str(pdf), "--keys", str(keys)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"STATUS_UNKNOWN: label {label.number}")
    assert "revoked or suspended is unknown" in result.output
    assert f"{BASE_URL}/labels/status/revocation.json" in result.output

    # With the lists the registry serves now, the same file is REVOKED.
    lists = []
    for purpose in ("revocation", "suspension"):
        path = tmp_path / f"{purpose}.json"
        path.write_bytes(client.get(f"/labels/status/{purpose}.json").data)
        lists += ["--status-list", str(path)]
    result = runner.invoke(args=["labels", "verify", str(pdf), "--keys", str(keys), *lists])
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"REVOKED: label {label.number}")


def test_the_verify_page_says_which_status_it_checked_and_when(
    client: FlaskClient, world: LabelWorld
) -> None:
    label, suspended, revoked = (issued_label(world) for _ in range(3))
    suspend_label(world.authority, suspended, "Finding")
    revoke(world, revoked, "Fraud")
    db.session.commit()
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    checked = ((label, "VALID"), (suspended, "SUSPENDED"), (revoked, "REVOKED"))
    for number, code in ((each.number, code) for each, code in checked):
        page = _verify(client, client.get(f"/labels/{number}.json").data)
        assert f'data-verdict="{code}"' in page
        source = page[page.index('id="status-source"') :]
        assert "Status checked against the registry's current status lists at" in source
        stamp = source[source.index('datetime="') + len('datetime="') :].split('"')[0]
        assert before <= dt.datetime.fromisoformat(stamp) <= dt.datetime.now(dt.UTC)
    # A broken file says nothing about any status.
    assert 'id="status-source"' not in _verify(client, b"{}")


def test_the_verify_page_says_status_unknown_for_lists_it_does_not_publish(
    app: Flask, client: FlaskClient, world: LabelWorld
) -> None:
    """A credential with the registry's signature whose status lists live elsewhere (as one
    signed for an old address before `labels resign`): its status is unknown here."""
    from evaluations.labels.documents.signing import sign_label_credential
    from evaluations.labels.keys import current_signing_key

    stored = json.loads(issued_label(world).credential)
    unsigned = {key: value for key, value in stored.items() if key != "proof"}
    for entry in unsigned["credentialStatus"]:
        entry["statusListCredential"] = entry["statusListCredential"].replace(
            BASE_URL, "https://old-address.example"
        )
    moved = sign_label_credential(unsigned, current_signing_key(), app.config["BASE_URL"])
    page = _verify(client, json.dumps(moved).encode())
    assert 'data-verdict="STATUS_UNKNOWN"' in page
    assert ">Valid</h2>" not in page and "usa-alert--success" not in page
    assert "Status unknown" in page
    assert "https://old-address.example/labels/status/revocation.json" in page


def test_the_served_status_list_is_never_near_its_expiry(
    app: Flask, client: FlaskClient, world: LabelWorld
) -> None:
    """At any moment, every worker serves the same signed bytes with over 12 hours left."""
    from evaluations.labels import publishing

    label = issued_label(world)
    suspend_label(world.authority, label, "Finding")
    db.session.commit()
    suspended_at = db.session.scalar(
        select(LabelEvent.at).where(LabelEvent.to_status == "suspended")
    )
    assert suspended_at is not None
    changed = suspended_at.replace(microsecond=0)
    moments = [changed + dt.timedelta(minutes=minutes) for minutes in range(0, 4 * 24 * 60, 97)]
    for now in moments:
        for purpose in ("revocation", "suspension"):
            served = status_list_credential(purpose, now=now)
            valid_from = dt.datetime.fromisoformat(served["validFrom"])
            valid_until = dt.datetime.fromisoformat(served["validUntil"])
            assert valid_from <= now
            assert valid_until - now > dt.timedelta(hours=12)
            assert valid_until - valid_from == dt.timedelta(hours=24)
            # Signed at the list's last change or at the latest 00:00 or 12:00 UTC.
            resigned = valid_from.hour in (0, 12) and valid_from.minute == valid_from.second == 0
            assert resigned or (purpose == "suspension" and valid_from == changed)
            # Another worker process (an empty cache) signs the very same bytes.
            publishing._signed_status_list.cache_clear()
            assert status_list_credential(purpose, now=now) == served
    # The suspension list is signed at the change, so it says the suspension at once.
    assert status_list_credential("suspension", now=changed)["validFrom"] == (
        changed.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    # Served as is: the ttl and Cache-Control agree.
    response = client.get("/labels/status/suspension.json")
    ttl = response.get_json(force=True)["credentialSubject"]["ttl"]
    assert f"max-age={ttl // 1000}" in response.headers["Cache-Control"]


def test_the_verify_page_handles_garbage_and_empty_submissions(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert client.get("/verify").status_code == 200
    empty = client.post("/verify", data={})
    assert empty.status_code == 200 and "Choose a file" in empty.get_data(as_text=True)
    for garbage in (b"", b"{", b"%PDF-1.7 broken", b"[]" * 10, base64.b64encode(b"x" * 100)):
        page = _verify(client, garbage, "x.pdf")
        assert 'data-verdict="MALFORMED"' in page or "Choose a file" in page
    pasted = client.post("/verify", data={"pasted": '{"proof": 1}'})
    assert 'data-verdict="MALFORMED"' in pasted.get_data(as_text=True)
    # A smaller limit for the test: the test client spools large bodies to files it never closes.
    monkeypatch.setattr("evaluations.labels.views.MAX_VERIFY_BYTES", 1000)
    big = client.post(
        "/verify",
        data={"file": (io.BytesIO(b" " * 2000), "big.json")},
        content_type="multipart/form-data",
    )
    assert big.status_code == 200 and "too large" in big.get_data(as_text=True)


# --- Decision log, list, API, authority forms -------------------------------------------------


def test_the_decision_log_lists_decisions_with_their_audit_hashes(
    client: FlaskClient, world: LabelWorld
) -> None:
    label = issued_label(world)
    suspend_label(world.authority, label, "Audit pending")
    db.session.commit()
    page = client.get("/decisions").get_data(as_text=True)
    assert page.index("Suspended") < page.index("Issued")
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action.in_(AUDIT_ACTIONS.values()))
    ).all()
    assert len(entries) == 2
    for entry in entries:
        assert entry.hash in page and f"#{entry.seq}" in page
    data = client.get("/api/v1/decisions").get_json()
    assert [item["action"] for item in data["items"]] == ["suspended", "issued"]
    by_seq = {entry.seq: entry.hash for entry in entries}
    for item in data["items"]:
        assert by_seq[item["audit"]["seq"]] == item["audit"]["hash"]


def test_the_label_list_filters_by_status(client: FlaskClient, world: LabelWorld) -> None:
    valid, suspended = issued_label(world), issued_label(world)
    suspend_label(world.authority, suspended, "Finding")
    db.session.commit()
    page = client.get("/labels?status=suspended").get_data(as_text=True)
    assert suspended.number in page and valid.number not in page
    assert valid.number in client.get("/labels").get_data(as_text=True)
    api = client.get("/api/v1/labels?status=valid").get_json()
    assert [item["number"] for item in api["items"]] == [valid.number]
    assert client.get("/api/v1/labels?status=bogus").status_code == 400
    detail = client.get(f"/api/v1/labels/{suspended.number}").get_json()
    assert detail["status"] == "suspended" and detail["criteria"][0]["code"] == "ONVIF-S"
    assert client.get("/api/v1/labels/STR-2026-99999").status_code == 404


def test_the_authority_suspends_reinstates_and_two_officers_revoke_through_the_forms(
    app: Flask, client: FlaskClient, world: LabelWorld, login: Callable[..., Any]
) -> None:
    label = issued_label(world)
    number = label.number
    login(client, world.authority)
    assert "Suspend" in client.get(f"/labels/{number}/manage").get_data(as_text=True)
    refused = client.post(f"/labels/{number}/suspend", data={"reason": ""}, follow_redirects=True)
    assert "Give a reason" in refused.get_data(as_text=True)
    client.post(f"/labels/{number}/suspend", data={"reason": "Finding"})
    client.post(
        f"/labels/{number}/reinstate",
        data={"reason": "Fixed", "no_response_reason": "Verified by a re-test."},
    )
    client.post(
        f"/labels/{number}/revocation", data={"reason": "Fraud", "emergency_reason": "Fraud."}
    )
    own = client.get(f"/labels/{number}/manage").get_data(as_text=True)
    assert "waiting for a second officer" in own and "Withdraw" in own
    assert "Confirm revocation" not in own
    deputy = app.test_client()
    login(deputy, second_officer(world))
    listed = deputy.get("/labels/revocations").get_data(as_text=True)
    assert number in listed and world.authority.email in listed
    other = deputy.get(f"/labels/{number}/manage").get_data(as_text=True)
    assert "Confirm revocation" in other and "Refuse" in other
    proposal = pending_revocation(label)
    assert proposal is not None
    deputy.post(f"/labels/{number}/revocation/{proposal.id}/confirm")
    final = client.post(f"/labels/{number}/reinstate", data={"reason": "Please"})
    assert final.status_code == 302
    db.session.expire_all()
    found = db.session.scalar(select(Label).where(Label.number == number))
    assert found is not None
    assert [e.action for e in found.events] == ["issued", "suspended", "reinstated", "revoked"]
    assert found.events[-1].actor_id == second_officer(world).id
    assert found.events[-1].reason == "Fraud"


def test_a_vendor_cannot_change_a_label(
    client: FlaskClient, world: LabelWorld, login: Callable[..., Any]
) -> None:
    label = issued_label(world)
    login(client, world.vendor)
    revocation = client.post(f"/labels/{label.number}/revocation", data={"reason": "x"})
    assert revocation.status_code == 403
    assert client.get(f"/labels/{label.number}/manage").status_code == 403
    db.session.expire_all()
    assert label.status.value == "valid"


def test_the_authority_finds_its_actions_at_the_top_of_the_label_page(
    app: Flask, client: FlaskClient, world: LabelWorld, login: Callable[..., Any]
) -> None:
    label = issued_label(world)
    number = label.number
    manage = f'href="/labels/{number}/manage"'
    assert "Authority actions" not in client.get(f"/labels/{number}").get_data(as_text=True)
    vendor = app.test_client()
    login(vendor, world.vendor)
    seen_by_vendor = vendor.get(f"/labels/{number}").get_data(as_text=True)
    assert "Authority actions" not in seen_by_vendor and manage not in seen_by_vendor
    login(client, world.authority)
    page = client.get(f"/labels/{number}").get_data(as_text=True)
    assert '<h2 class="usa-summary-box__heading" id="authority-actions-heading">' in page
    assert page.index("Authority actions") < page.index(manage) < page.index("<h2>Facts</h2>")
    assert "You can suspend this label or propose its revocation." in page
    suspend_label(world.authority, label, "Finding")
    db.session.commit()
    suspended = client.get(f"/labels/{number}").get_data(as_text=True)
    assert "You can reinstate this label or propose its revocation." in suspended
    client.post(
        f"/labels/{number}/revocation", data={"reason": "Fraud", "emergency_reason": "Fraud."}
    )
    proposed = client.get(f"/labels/{number}").get_data(as_text=True)
    assert "it waits for a second officer to confirm or refuse it" in proposed
