"""The registry's Ed25519 signing keys: one current key, retired ones kept for old labels.

Layout of ``KEYS_DIR`` (default ``instance/keys``, mode 0700):

- ``<key-id>.key``: the private key as a Multikey ``secretKeyMultibase`` line, mode 0600,
  written once and never changed or deleted (a label signed with it must stay verifiable).
- ``keys.json``: the manifest, public data: every key's id, public key, creation date and,
  once rotated out, its retirement (or, after a compromise, revocation) date.
- ``.lock``: held (``flock``) while a key is generated or rotated, so two gunicorn workers
  starting at once make one key, not two.

Every file is written to a temporary name and renamed into place: a reader sees the old
manifest or the new one, never half of one. Reads take no lock.

The public half is published at ``/.well-known/safetech-keys.json`` as a W3C Controlled
Identifier document whose verification methods are Multikeys (https://www.w3.org/TR/cid-1.0/).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from evaluations.labels.credentials import (
    decode_private_key,
    decode_public_key,
    encode_private_key,
    encode_public_key,
    format_created,
    generate_private_key,
)
from registry.files import fsync_folder, write_atomically

KEYS_DOCUMENT_PATH: Final = "/.well-known/safetech-keys.json"
CID_CONTEXT: Final = "https://www.w3.org/ns/cid/v1"
MANIFEST_NAME: Final = "keys.json"
LOCK_NAME: Final = ".lock"
_MANIFEST_VERSION: Final = 1
# A keys file a verifier downloads is small; this bounds what resolver_from_document reads.
_MAX_METHODS: Final = 1000


class KeyStoreError(RuntimeError):
    """The keys directory is damaged (missing or mismatching files); never repaired silently."""


@dataclass(frozen=True)
class KeyRecord:
    """The public facts about one key, as kept in the manifest."""

    id: str
    public_key_multibase: str
    created: str
    retired: str | None = None
    revoked: str | None = None

    @property
    def is_current(self) -> bool:
        """True for the key that signs new credentials."""
        return self.retired is None and self.revoked is None


@dataclass(frozen=True)
class SigningKey:
    """The current private key with its id, ready to sign."""

    id: str
    private_key: Ed25519PrivateKey
    public_key_multibase: str
    created: str

    def verification_method(self, base_url: str) -> str:
        """The URL a proof names to point verifiers at this key."""
        return verification_method_id(base_url, self.id)


def keys_document_url(base_url: str) -> str:
    """The URL of the published keys document; also the issuer id of every credential."""
    return base_url.rstrip("/") + KEYS_DOCUMENT_PATH


def verification_method_id(base_url: str, key_id: str) -> str:
    """The verification method URL of one key: the keys document URL plus '#<key-id>'."""
    return f"{keys_document_url(base_url)}#{key_id}"


def key_id_for(public_key_multibase: str) -> str:
    """A key's id: derived from its public key, so anyone can recompute and compare it."""
    digest = hashlib.sha256(decode_public_key(public_key_multibase)).hexdigest()
    return f"ed25519-{digest[:16]}"


def _now() -> str:
    return format_created(datetime.now(UTC))


class KeyStore:
    """The signing keys kept as files in one directory."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    # --- reading (no lock: files only ever appear whole) -------------------------------------

    def records(self) -> list[KeyRecord]:
        """Every key, oldest first, creating the first one when there is none."""
        manifest = self._read_manifest()
        if manifest is None:
            self.ensure_key()
            manifest = self._read_manifest()
            if manifest is None:  # pragma: no cover - ensure_key just wrote it
                raise KeyStoreError(f"{self._manifest_path} could not be created")
        return manifest

    def current_record(self) -> KeyRecord:
        """The public facts of the key that signs new credentials."""
        return self._only_current(self.records())

    def current_signing_key(self) -> SigningKey:
        """The current private key, checked against the public key in the manifest."""
        record = self.current_record()
        path = self._key_path(record.id)
        try:
            secret = path.read_text(encoding="ascii").strip()
        except FileNotFoundError as error:
            raise KeyStoreError(f"the private key file {path} is missing") from error
        try:
            private_key = decode_private_key(secret)
        except ValueError as error:
            raise KeyStoreError(f"the private key file {path} is damaged: {error}") from error
        if encode_public_key(private_key.public_key()) != record.public_key_multibase:
            raise KeyStoreError(f"the private key file {path} does not match the manifest")
        return SigningKey(record.id, private_key, record.public_key_multibase, record.created)

    # --- changing (under the lock) -----------------------------------------------------------

    def ensure_key(self) -> KeyRecord:
        """Create the first key if there is none; safe when several processes start at once."""
        manifest = self._read_manifest()
        if manifest:
            return self._only_current(manifest)
        with self._locked():
            # Another process may have created it while this one waited for the lock.
            manifest = self._read_manifest()
            if manifest:
                return self._only_current(manifest)
            if any(self.directory.glob("*.key")):
                # Generating a fresh key here would quietly unpublish the old ones and leave
                # the labels they signed unverifiable.
                raise KeyStoreError(
                    f"{self.directory} holds private keys but no {MANIFEST_NAME}; restore it "
                    "from a backup rather than start a new key"
                )
            record = self._new_key()
            self._write_manifest([record])
            return record

    def rotate(self, *, revoke_previous: bool = False) -> KeyRecord:
        """Make a new current key; the old one is retired (or revoked) and stays published."""
        self.ensure_key()
        with self._locked():
            now = _now()
            updated = []
            for record in self._read_manifest() or []:
                if record.is_current:
                    record = KeyRecord(
                        record.id,
                        record.public_key_multibase,
                        record.created,
                        retired=now,
                        revoked=now if revoke_previous else None,
                    )
                updated.append(record)
            new = self._new_key()
            self._write_manifest([*updated, new])
            return new

    # --- files ---------------------------------------------------------------------------------

    @property
    def _manifest_path(self) -> Path:
        return self.directory / MANIFEST_NAME

    def _key_path(self, key_id: str) -> Path:
        if not key_id.replace("-", "").isalnum():
            raise KeyStoreError(f"invalid key id {key_id!r} in {self._manifest_path}")
        return self.directory / f"{key_id}.key"

    def _only_current(self, manifest: list[KeyRecord]) -> KeyRecord:
        current = [record for record in manifest if record.is_current]
        if len(current) != 1:
            raise KeyStoreError(
                f"{self._manifest_path} must name exactly one current key, found {len(current)}"
            )
        return current[0]

    def _read_manifest(self) -> list[KeyRecord] | None:
        try:
            raw = self._manifest_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            data = json.loads(raw)
            if data.get("version") != _MANIFEST_VERSION:
                raise ValueError(f"unknown manifest version {data.get('version')!r}")
            records = [
                KeyRecord(
                    id=str(item["id"]),
                    public_key_multibase=str(item["publicKeyMultibase"]),
                    created=str(item["created"]),
                    retired=item.get("retired"),
                    revoked=item.get("revoked"),
                )
                for item in data["keys"]
            ]
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise KeyStoreError(f"{self._manifest_path} is damaged: {error}") from error
        if not records:
            raise KeyStoreError(f"{self._manifest_path} lists no key")
        return records

    def _write_manifest(self, records: list[KeyRecord]) -> None:
        data = {
            "version": _MANIFEST_VERSION,
            "keys": [
                {
                    "id": record.id,
                    "publicKeyMultibase": record.public_key_multibase,
                    "created": record.created,
                    "retired": record.retired,
                    "revoked": record.revoked,
                }
                for record in records
            ],
        }
        body = json.dumps(data, indent=2) + "\n"
        _write_atomically(self._manifest_path, body.encode("utf-8"), mode=0o644)

    def _new_key(self) -> KeyRecord:
        private_key = generate_private_key()
        public = encode_public_key(private_key.public_key())
        record = KeyRecord(key_id_for(public), public, _now())
        secret = encode_private_key(private_key) + "\n"
        _write_atomically(self._key_path(record.id), secret.encode("ascii"), mode=0o600)
        return record

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            # flock locks belong to the open file description: two threads of one process
            # (each with its own open()) exclude each other just like two processes do.
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


def _write_atomically(path: Path, data: bytes, *, mode: int) -> None:
    """Write ``data`` to a temporary file created with ``mode``, then rename it into place."""
    write_atomically(path, data, mode=mode)
    # Make the rename itself durable, so a crash cannot lose a key that already signed.
    fsync_folder(path.parent)


# --- The application's store ------------------------------------------------------------------


def key_store(keys_dir: str | os.PathLike[str] | None = None) -> KeyStore:
    """The store in ``keys_dir``, or in the current application's ``KEYS_DIR``."""
    if keys_dir is None:
        from flask import current_app

        keys_dir = current_app.config["KEYS_DIR"]
    return KeyStore(keys_dir)


def current_signing_key(keys_dir: str | os.PathLike[str] | None = None) -> SigningKey:
    """The key that signs new credentials (created on first use)."""
    return key_store(keys_dir).current_signing_key()


def rotate_key(
    keys_dir: str | os.PathLike[str] | None = None, *, revoke_previous: bool = False
) -> KeyRecord:
    """Start signing with a new key; the previous one stays published (retired or revoked)."""
    return key_store(keys_dir).rotate(revoke_previous=revoke_previous)


def public_keys_document(
    base_url: str, keys_dir: str | os.PathLike[str] | None = None
) -> dict[str, Any]:
    """The controlled identifier document listing every key, served at the well-known URL.

    ``created`` and ``retired`` are informative properties of this registry (the CID context
    does not define them; JSON-LD processors ignore them). ``revoked`` is the CID property: a
    revoked key must no longer verify anything, which only a compromise calls for. A retired
    key is merely no longer used to sign and still verifies the labels it signed.
    """
    document_id = keys_document_url(base_url)
    methods = []
    assertion = []
    for record in key_store(keys_dir).records():
        method: dict[str, Any] = {
            "id": verification_method_id(base_url, record.id),
            "type": "Multikey",
            "controller": document_id,
            "publicKeyMultibase": record.public_key_multibase,
            "created": record.created,
        }
        if record.retired:
            method["retired"] = record.retired
        if record.revoked:
            method["revoked"] = record.revoked
        else:
            assertion.append(method["id"])
        methods.append(method)
    return {
        "@context": [CID_CONTEXT],
        "id": document_id,
        "verificationMethod": methods,
        "assertionMethod": assertion,
    }


# --- Offline resolution -----------------------------------------------------------------------


@dataclass(frozen=True)
class KeyLookup:
    """What a keys document says about one verification method id."""

    public_key: bytes | None
    revoked: str | None = None
    controller: str | None = None


def lookup_in_document(document: object, method_id: str) -> KeyLookup:
    """Find ``method_id`` in a (possibly hostile) keys document; never raises."""
    if not isinstance(document, dict):
        return KeyLookup(None)
    methods = document.get("verificationMethod")
    if not isinstance(methods, list):
        return KeyLookup(None)
    assertion = document.get("assertionMethod")
    for method in methods[:_MAX_METHODS]:
        if not isinstance(method, dict) or method.get("id") != method_id:
            continue
        if method.get("type") != "Multikey":
            return KeyLookup(None)
        controller = method.get("controller")
        controller = controller if isinstance(controller, str) else None
        revoked = method.get("revoked")
        if revoked is not None:
            return KeyLookup(None, revoked=str(revoked)[:40], controller=controller)
        # A key listed but not authorised for assertions does not sign credentials.
        if isinstance(assertion, list) and method_id not in assertion:
            return KeyLookup(None, controller=controller)
        multibase = method.get("publicKeyMultibase")
        try:
            if not isinstance(multibase, str):
                raise ValueError("publicKeyMultibase is not a string")
            public_key = decode_public_key(multibase)
        except ValueError:
            return KeyLookup(None, controller=controller)
        return KeyLookup(public_key, controller=controller)
    return KeyLookup(None)


def resolver_from_document(document: object) -> Callable[[str], bytes | None]:
    """A ``resolve_key`` for verify_credential that reads a downloaded keys document only."""

    def resolve(method_id: str) -> bytes | None:
        return lookup_in_document(document, method_id).public_key

    return resolve
