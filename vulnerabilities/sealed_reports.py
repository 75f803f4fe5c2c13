"""A reporter's words and contact, encrypted at rest with AES-256-GCM.

The key is a file in KEYS_DIR (``reports.key``), made at the first report, with mode 0600, and
copied by backups with the signing keys. The database alone never reveals a report: a copy of
it without the keys folder holds only ciphertext.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

from registry.secret_files import read_or_create

KEY_FILE = "reports.key"
_FORMAT = b"\x01"  # the first byte of every sealed value: the format it was sealed with
_CONTEXT = b"safetech-vulnerability-report"


def _key() -> bytes:
    folder = Path(current_app.config["KEYS_DIR"])
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return bytes.fromhex(read_or_create(folder / KEY_FILE, lambda: secrets.token_hex(32)))


def seal(text: str) -> bytes:
    """``text`` encrypted under the report key, with a fresh nonce."""
    nonce = secrets.token_bytes(12)
    return _FORMAT + nonce + AESGCM(_key()).encrypt(nonce, text.encode(), _CONTEXT)


def unseal(sealed: bytes | None) -> str:
    """The text ``seal`` encrypted ("" for nothing); raises if the value was altered."""
    if not sealed:
        return ""
    if sealed[:1] != _FORMAT:
        raise ValueError("not a sealed report")
    nonce, body = sealed[1:13], sealed[13:]
    return AESGCM(_key()).decrypt(nonce, body, _CONTEXT).decode()
