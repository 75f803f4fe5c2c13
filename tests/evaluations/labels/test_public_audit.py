"""The decision log publishes what its audit entries hash, and a signed checkpoint vouches for
them: `flask audit verify-public` checks both offline."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from evaluations.labels.credentials import generate_private_key, sign_credential
from evaluations.labels.status_changes import expire_labels, reinstate_label, suspend_label
from evaluations.models import LabelEvent
from registry import audit
from registry.database import db
from registry.models import AuditEntry, User
from tests.evaluations.labels.label_builders import LabelWorld, issued_label, make_world


@pytest.fixture
def world(app: Flask, create_user: Callable[..., User]) -> Iterator[LabelWorld]:
    """People and a published norm version."""
    with app.test_request_context():
        yield make_world(create_user)


@pytest.fixture
def history(world: LabelWorld) -> LabelWorld:
    """Three labels: one suspended then reinstated, then all three expired one after another."""
    first = issued_label(world, public_statement="Meets the norm (first).")
    second = issued_label(world)
    third = issued_label(world)
    suspend_label(world.authority, first, "Defect reported by a buyer.")
    reinstate_label(
        world.authority,
        first,
        "Defect fixed in release 2.1.",
        no_response_reason="The fix was verified by a re-test.",
    )
    db.session.commit()
    # Expiries in a row: consecutive public entries, which must chain to each other.
    expire_labels(on=max(second.expires_on, third.expires_on) + dt.timedelta(1))
    db.session.commit()
    return world


def _download(client: FlaskClient, folder: Path) -> dict[str, Any]:
    documents = {
        "decisions": client.get("/api/v1/decisions?per_page=200").get_json(),
        "checkpoint": client.get("/audit/checkpoint.json").get_json(),
        "keys": client.get("/.well-known/safetech-keys.json").get_json(),
    }
    _save(folder, documents)
    return documents


def _save(folder: Path, documents: dict[str, Any]) -> None:
    for name, document in documents.items():
        (folder / f"{name}.json").write_text(json.dumps(document), encoding="utf-8")


def _verify(runner: FlaskCliRunner, folder: Path) -> Any:
    return runner.invoke(
        args=[
            "audit",
            "verify-public",
            "--decisions",
            str(folder / "decisions.json"),
            "--checkpoint",
            str(folder / "checkpoint.json"),
            "--keys",
            str(folder / "keys.json"),
        ]
    )


def test_each_decision_publishes_the_fields_its_hash_covers(
    history: LabelWorld, client: FlaskClient
) -> None:
    items = client.get("/api/v1/decisions?per_page=200").get_json()["items"]
    assert [i["action"] for i in items].count("expired") == 3 and len(items) == 8
    for item in items:
        entry = item["audit"]
        assert audit.entry_hash(entry["hashed"], entry["previous_hash"]) == entry["hash"]
        hashed = entry["hashed"]
        assert hashed["actor_id"] is None
        assert hashed["actor_label"] in {"authority", "system"}
        data = json.loads(hashed["data"])
        assert data["public"] is True and data["reason"] == item["reason"]
    # The chain is whole, and who acted stays on record, internally, next to each entry.
    assert audit.verify_chain().ok
    officers = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "label.suspend.officer")
    ).all()
    assert len(officers) == 1 and officers[0].actor_label == history.authority.email


def test_the_checkpoint_signs_the_head_and_the_public_entries(
    history: LabelWorld, client: FlaskClient
) -> None:
    checkpoint = client.get("/audit/checkpoint.json").get_json()
    head = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one()
    assert (checkpoint["sequence"], checkpoint["hash"]) == (head.seq, head.hash)
    items = client.get("/api/v1/decisions?per_page=200").get_json()["items"]
    published = sorted((i["audit"]["seq"], i["audit"]["hash"]) for i in items)
    assert checkpoint["public_entries"]["count"] == 8
    assert checkpoint["public_entries"]["digest"] == audit.public_digest(published)
    assert checkpoint["proof"]["cryptosuite"] == "eddsa-jcs-2022"


def test_a_clean_instance_verifies_from_outside(
    history: LabelWorld, client: FlaskClient, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    _download(client, tmp_path)
    result = _verify(runner, tmp_path)
    assert result.exit_code == 0, result.output
    assert "VERIFIED: 8 public entries" in result.output and "PROBLEM" not in result.output


def _tamper_hashed_reason(documents: dict[str, Any]) -> None:
    entry = documents["decisions"]["items"][0]["audit"]["hashed"]
    data = json.loads(entry["data"])
    data["reason"] = "Nothing happened."
    entry["data"] = audit.canonical_json(data)


def _tamper_shown_reason(documents: dict[str, Any]) -> None:
    documents["decisions"]["items"][0]["reason"] = "Nothing happened."


def _wrong_previous_hash(documents: dict[str, Any]) -> None:
    documents["decisions"]["items"][2]["audit"]["previous_hash"] = "1" * 64


def _rechained_expiry(documents: dict[str, Any]) -> None:
    # An intruder alters the newer expiry and recomputes its hash: its predecessor, the
    # earlier expiry, no longer chains to it, and the checkpoint's digest no longer matches.
    entry = documents["decisions"]["items"][0]["audit"]
    entry["previous_hash"] = "2" * 64
    entry["hash"] = audit.entry_hash(entry["hashed"], entry["previous_hash"])


def _removed_decision(documents: dict[str, Any]) -> None:
    del documents["decisions"]["items"][3]


def _forged_checkpoint(documents: dict[str, Any]) -> None:
    checkpoint = documents["checkpoint"]
    unsigned = {key: value for key, value in checkpoint.items() if key != "proof"}
    unsigned["sequence"] += 1
    # Signed by a stranger's key under the registry's key id.
    documents["checkpoint"] = sign_credential(
        unsigned,
        generate_private_key(),
        checkpoint["proof"]["verificationMethod"],
        checkpoint["proof"]["created"],
    )


def _altered_checkpoint(documents: dict[str, Any]) -> None:
    documents["checkpoint"]["public_entries"]["count"] -= 1


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (_tamper_hashed_reason, "its published fields and previous hash do not give its hash"),
        (_tamper_shown_reason, "the reason shown ('Nothing happened.') is not the one hashed"),
        (_wrong_previous_hash, "its published fields and previous hash do not give its hash"),
        (_rechained_expiry, "its previous hash is not the hash of entry"),
        (_removed_decision, "the decision files hold 7 that can be checked"),
        (_forged_checkpoint, "checkpoint: the signature does not match"),
        (_altered_checkpoint, "checkpoint: the signature does not match"),
    ],
)
def test_tampering_fails_with_a_clear_message(
    history: LabelWorld,
    client: FlaskClient,
    runner: FlaskCliRunner,
    tmp_path: Path,
    tamper: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    documents = copy.deepcopy(_download(client, tmp_path))
    tamper(documents)
    _save(tmp_path, documents)
    result = _verify(runner, tmp_path)
    assert result.exit_code == 1, result.output
    assert message in result.output and "FAILED" in result.output


def test_a_rechained_entry_also_breaks_the_checkpoint_digest(
    history: LabelWorld, client: FlaskClient, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    documents = _download(client, tmp_path)
    item = documents["decisions"]["items"][1]["audit"]  # the earlier expiry
    item["previous_hash"] = "3" * 64
    item["hash"] = audit.entry_hash(item["hashed"], item["previous_hash"])
    _save(tmp_path, documents)
    result = _verify(runner, tmp_path)
    assert result.exit_code == 1
    assert "are not those it signed" in result.output


def test_decisions_newer_than_the_checkpoint_are_noted_not_failed(
    history: LabelWorld, client: FlaskClient, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    checkpoint = client.get("/audit/checkpoint.json").get_json()
    issued_label(history)
    documents = _download(client, tmp_path)
    _save(tmp_path, {**documents, "checkpoint": checkpoint})
    result = _verify(runner, tmp_path)
    assert result.exit_code == 0, result.output
    assert "NOTE: 1 public entry is newer than the checkpoint" in result.output


def test_entries_written_before_public_entries_are_noted_not_published(
    world: LabelWorld, client: FlaskClient, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    label = issued_label(world)
    # A label event as it was recorded before: the officer's e-mail and the internal text.
    entry = audit.record(
        world.authority,
        "label.suspend",
        label,
        summary="Label suspended: internal notes",
        data={"number": label.number, "reason": "internal notes"},
    )
    db.session.add(
        LabelEvent(
            label_id=label.id,
            action="suspended",
            from_status="valid",
            to_status="suspended",
            reason="Older reason.",
            at=entry.at,
            audit_hash=entry.hash,
            audit_seq=entry.seq,
        )
    )
    db.session.commit()
    body = client.get("/api/v1/decisions").get_data(as_text=True)
    assert world.authority.email not in body and "internal notes" not in body
    older = client.get("/api/v1/decisions").get_json()["items"][0]["audit"]
    assert older == {
        "seq": entry.seq,
        "hash": entry.hash,
        "previous_hash": entry.prev_hash,
        "hashed": None,
    }
    _download(client, tmp_path)
    result = _verify(runner, tmp_path)
    assert result.exit_code == 0, result.output
    assert "fields cannot be checked" in result.output and "VERIFIED: 1 public" in result.output
