"""The signing key store, the published keys document and the rotate-key command."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from evaluations.labels.credentials import VerdictCode, decode_public_key, verify_credential
from evaluations.labels.documents.facts import LabelFacts
from evaluations.labels.documents.signing import (
    build_status_list_credential,
    issue_label_credential,
)
from evaluations.labels.documents.verification import verify_label_file
from evaluations.labels.keys import (
    KeyStore,
    KeyStoreError,
    key_id_for,
    keys_document_url,
    public_keys_document,
    resolver_from_document,
)

BASE = "https://registry.example"


def _facts(number: str = "STR-2026-00001") -> LabelFacts:
    return LabelFacts(
        number=number,
        status="valid",
        level="Certified",
        score_percent=71.0,
        solution_id=1,
        solution_name="Sentinel",
        vendor_id=2,
        vendor_name="Acme",
        norm_code="VA-INTEROP",
        norm_title="Video analysis interoperability",
        norm_version="1",
        issued_on=date(2026, 1, 1),
        expires_on=date(2099, 12, 31),
        verification_url=f"{BASE}/labels/{number}",
        status_list_index=1,
    )


def _signed(store: KeyStore, number: str = "STR-2026-00001") -> dict[str, Any]:
    return issue_label_credential(_facts(number), store.current_signing_key(), BASE)


def _key_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.key"))


# --- One key, made once -----------------------------------------------------------------------


def test_first_use_creates_one_key_and_later_uses_reuse_it(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    first = store.current_signing_key()
    again = KeyStore(tmp_path / "keys").current_signing_key()

    assert first.id == again.id
    assert first.public_key_multibase == again.public_key_multibase
    assert len(_key_files(tmp_path / "keys")) == 1
    assert first.id == key_id_for(first.public_key_multibase)


def test_private_keys_are_readable_by_the_owner_only(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    store.ensure_key()
    (key_file,) = _key_files(tmp_path / "keys")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    # Nothing half-written is left behind.
    assert not list((tmp_path / "keys").glob(".*.tmp"))


def test_the_application_makes_its_key_at_start_up(app: Flask, app_factory: Any) -> None:
    keys_dir = Path(app.config["KEYS_DIR"])
    assert (keys_dir / "keys.json").is_file()
    current = KeyStore(keys_dir).current_record()
    # A second worker starting on the same directory uses the same key.
    app_factory()
    assert KeyStore(keys_dir).current_record() == current
    assert len(_key_files(keys_dir)) == 1


def test_concurrent_first_use_in_threads_makes_one_key(tmp_path: Path) -> None:
    directory = tmp_path / "keys"
    barrier = threading.Barrier(8)
    ids: list[str] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            barrier.wait()
            ids.append(KeyStore(directory).current_signing_key().id)
        except BaseException as error:  # collected and reported below
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert len(set(ids)) == 1 and len(ids) == 8
    assert len(_key_files(directory)) == 1


def test_concurrent_first_use_in_processes_makes_one_key(tmp_path: Path) -> None:
    directory = tmp_path / "keys"
    go = tmp_path / "go"
    # Each process waits for the same signal, then races for the first key.
    script = (
        "import pathlib, sys, time\n"
        "from evaluations.labels.keys import KeyStore\n"
        "go = pathlib.Path(sys.argv[2])\n"
        "while not go.exists():\n"
        "    time.sleep(0.001)\n"
        "print(KeyStore(sys.argv[1]).current_signing_key().id)\n"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(directory), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    time.sleep(0.5)  # let every interpreter start and reach the wait loop
    go.touch()
    outputs = [process.communicate(timeout=60) for process in processes]

    assert all(process.returncode == 0 for process in processes), outputs
    assert len({out.strip() for out, _ in outputs}) == 1
    assert len(_key_files(directory)) == 1


# --- Rotation ---------------------------------------------------------------------------------


def test_rotation_keeps_old_keys_published_and_old_credentials_verifiable(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    old_credential = _signed(store, "STR-2026-00001")
    old = store.current_record()

    new = store.rotate()
    new_credential = _signed(store, "STR-2026-00002")
    document = public_keys_document(BASE, tmp_path / "keys")

    assert new.id != old.id
    assert store.current_record().id == new.id
    methods = {method["id"]: method for method in document["verificationMethod"]}
    old_method = methods[f"{keys_document_url(BASE)}#{old.id}"]
    assert old_method["retired"]
    assert "revoked" not in old_method
    assert "retired" not in methods[f"{keys_document_url(BASE)}#{new.id}"]
    assert set(document["assertionMethod"]) == set(methods)
    assert (
        old_credential["proof"]["verificationMethod"]
        != (new_credential["proof"]["verificationMethod"])
    )
    lists = [
        build_status_list_credential(purpose, [], store.current_signing_key(), BASE)
        for purpose in ("revocation", "suspension")
    ]
    for credential in (old_credential, new_credential):
        assert verify_label_file(json.dumps(credential).encode(), document, lists).ok
    # The retired key is kept on disk: a restore from this directory verifies everything.
    assert len(_key_files(tmp_path / "keys")) == 2


def test_rotating_twice_keeps_every_key(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    store.ensure_key()
    store.rotate()
    store.rotate()
    records = store.records()
    assert len(records) == 3
    assert [record.is_current for record in records] == [False, False, True]


def test_a_compromised_key_is_revoked_and_no_longer_verifies(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    credential = _signed(store)
    old = store.current_record()

    store.rotate(revoke_previous=True)
    document = public_keys_document(BASE, tmp_path / "keys")

    old_method_id = f"{keys_document_url(BASE)}#{old.id}"
    (old_method,) = [m for m in document["verificationMethod"] if m["id"] == old_method_id]
    assert old_method["revoked"]
    assert old_method_id not in document["assertionMethod"]
    verdict = verify_label_file(json.dumps(credential).encode(), document)
    assert verdict.code == VerdictCode.KEY_REVOKED
    assert old.id in verdict.message


# --- The published document -------------------------------------------------------------------


def test_the_keys_document_lists_multikeys_and_no_secret(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    signing_key = store.current_signing_key()
    document = public_keys_document(BASE, tmp_path / "keys")

    assert document["@context"] == ["https://www.w3.org/ns/cid/v1"]
    assert document["id"] == f"{BASE}/.well-known/safetech-keys.json"
    (method,) = document["verificationMethod"]
    assert method == {
        "id": f"{BASE}/.well-known/safetech-keys.json#{signing_key.id}",
        "type": "Multikey",
        "controller": document["id"],
        "publicKeyMultibase": signing_key.public_key_multibase,
        "created": signing_key.created,
    }
    assert method["publicKeyMultibase"].startswith("z6Mk")
    assert decode_public_key(method["publicKeyMultibase"]) == (
        signing_key.private_key.public_key().public_bytes_raw()
    )
    assert "secretKeyMultibase" not in json.dumps(document)
    assert "z3u2" not in json.dumps(document)


def test_a_downloaded_keys_file_verifies_offline(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    credential = _signed(store)
    downloaded = json.loads(json.dumps(public_keys_document(BASE, tmp_path / "keys")))
    assert verify_credential(credential, resolver_from_document(downloaded)).ok


def _document_with(**changes: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def change(document: dict[str, Any]) -> dict[str, Any]:
        document["verificationMethod"][0].update(changes)
        return document

    return change


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda document: None, id="none"),
        pytest.param(lambda document: [], id="list"),
        pytest.param(lambda document: "keys", id="string"),
        pytest.param(lambda document: {}, id="empty"),
        pytest.param(lambda document: {"verificationMethod": "x"}, id="methods-string"),
        pytest.param(lambda document: {"verificationMethod": [None, 1, "x"]}, id="methods-junk"),
        pytest.param(_document_with(type="JsonWebKey"), id="other-type"),
        pytest.param(_document_with(publicKeyMultibase=None), id="key-null"),
        pytest.param(_document_with(publicKeyMultibase="z" + "1" * 5000), id="key-long"),
        pytest.param(_document_with(publicKeyMultibase="zQ3s" + "a" * 40), id="key-other-curve"),
        pytest.param(_document_with(revoked="2026-01-01T00:00:00Z"), id="revoked"),
        pytest.param(
            lambda document: {**document, "assertionMethod": []}, id="not-an-assertion-key"
        ),
    ],
)
def test_a_damaged_keys_document_resolves_nothing_and_never_raises(
    tmp_path: Path, damage: Callable[[dict[str, Any]], Any]
) -> None:
    store = KeyStore(tmp_path / "keys")
    credential = _signed(store)
    document = damage(public_keys_document(BASE, tmp_path / "keys"))
    method = credential["proof"]["verificationMethod"]
    assert resolver_from_document(document)(method) is None
    verdict = verify_label_file(json.dumps(credential).encode(), document)
    assert not verdict.ok
    assert verdict.code in (VerdictCode.UNKNOWN_KEY, VerdictCode.KEY_REVOKED)


# --- A damaged store fails loudly --------------------------------------------------------------


def test_a_lost_manifest_is_not_replaced_by_a_new_key(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    store.ensure_key()
    (tmp_path / "keys" / "keys.json").unlink()
    with pytest.raises(KeyStoreError, match="restore it"):
        store.current_signing_key()
    assert len(_key_files(tmp_path / "keys")) == 1


def test_a_private_key_that_does_not_match_the_manifest_is_refused(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    store.ensure_key()
    other = KeyStore(tmp_path / "other")
    other.ensure_key()
    (mine,) = _key_files(tmp_path / "keys")
    (theirs,) = _key_files(tmp_path / "other")
    mine.write_bytes(theirs.read_bytes())
    with pytest.raises(KeyStoreError, match="does not match"):
        store.current_signing_key()


def test_a_missing_private_key_is_reported(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    store.ensure_key()
    (key_file,) = _key_files(tmp_path / "keys")
    key_file.unlink()
    with pytest.raises(KeyStoreError, match="missing"):
        store.current_signing_key()


def test_a_damaged_manifest_is_reported(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    store.ensure_key()
    (tmp_path / "keys" / "keys.json").write_text("{not json")
    with pytest.raises(KeyStoreError, match="damaged"):
        store.records()


# --- The well-known route and the command ------------------------------------------------------


def test_the_well_known_route_serves_every_key(app: Flask, client: FlaskClient) -> None:
    response = client.get("/.well-known/safetech-keys.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "public" in response.headers["Cache-Control"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    document = response.get_json()
    base_url = app.config["BASE_URL"]
    assert document == public_keys_document(base_url)
    (method,) = document["verificationMethod"]
    assert method["id"].startswith(f"{base_url}/.well-known/safetech-keys.json#ed25519-")

    again = client.get(
        "/.well-known/safetech-keys.json", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_the_well_known_route_ignores_the_host_header(app: Flask, client: FlaskClient) -> None:
    response = client.get("/.well-known/safetech-keys.json", base_url="http://evil.example")
    assert "evil.example" not in response.get_data(as_text=True)


def test_rotate_key_command_publishes_the_new_key_beside_the_old(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner
) -> None:
    before = client.get("/.well-known/safetech-keys.json")
    old_id = KeyStore(app.config["KEYS_DIR"]).current_record().id

    result = runner.invoke(args=["labels", "rotate-key"])

    assert result.exit_code == 0, result.output
    new_id = KeyStore(app.config["KEYS_DIR"]).current_record().id
    assert new_id != old_id
    assert f"New signing key {new_id}" in result.output
    assert old_id in result.output and "retired" in result.output
    after = client.get("/.well-known/safetech-keys.json")
    assert after.headers["ETag"] != before.headers["ETag"]
    ids = [method["id"].split("#")[1] for method in after.get_json()["verificationMethod"]]
    assert ids == [old_id, new_id]


def test_rotate_key_command_can_revoke_a_compromised_key(
    app: Flask, runner: FlaskCliRunner
) -> None:
    old_id = KeyStore(app.config["KEYS_DIR"]).current_record().id
    result = runner.invoke(args=["labels", "rotate-key", "--compromised"])
    assert result.exit_code == 0, result.output
    assert "revoked" in result.output
    (old,) = [r for r in KeyStore(app.config["KEYS_DIR"]).records() if r.id == old_id]
    assert old.revoked is not None


def test_keys_command_prints_the_published_document(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["labels", "keys"])
    assert result.exit_code == 0
    assert json.loads(result.output) == public_keys_document(app.config["BASE_URL"])


def test_created_dates_are_utc_timestamps(tmp_path: Path) -> None:
    record = KeyStore(tmp_path / "keys").ensure_key()
    created = datetime.fromisoformat(record.created)
    assert created.tzinfo is not None
    assert abs((datetime.now(UTC) - created).total_seconds()) < 60
