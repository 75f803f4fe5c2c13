"""OpenPGP signatures of the published CSAF documents, which make the portal a CSAF trusted
provider (CSAF 2.0, requirements 19 and 20): a detached, ASCII-armored signature next to each
document, and the public key at an address the provider metadata names.

The key is made by Sequoia-PGP (``pysequoia``) at the first signature and kept, armored, in
``KEYS_DIR/csaf-openpgp.key`` (mode 0600), which backups copy with the other keys. It does not
expire; replacing it is deleting the file (the next signature makes a new one).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from pysequoia import Cert, SignatureMode, Tsk, sign

from registry.secret_files import read_or_create

KEY_FILE = "csaf-openpgp.key"
# The loaded key by file and modification time: parsing it once per process, not per request.
_LOADED: dict[tuple[str, float], Tsk] = {}


def _path() -> Path:
    folder = Path(current_app.config["KEYS_DIR"])
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder / KEY_FILE


def _new_key() -> str:
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    return str(Tsk.generate(f"{current_app.config['AUTHORITY_NAME']} CSAF <csaf@{host}>"))


def _key() -> Tsk:
    path = _path()
    text = read_or_create(path, _new_key)
    loaded_key = (str(path), path.stat().st_mtime)
    if loaded_key not in _LOADED:
        _LOADED.clear()
        _LOADED[loaded_key] = Tsk.from_bytes(text.encode())
    return _LOADED[loaded_key]


def certificate() -> Cert:
    """The public key (certificate) that verifies the signatures."""
    return _key().extract_certificate()


def fingerprint() -> str:
    """The public key's fingerprint, upper-case hex (as the provider metadata names it)."""
    return str(certificate().fingerprint).upper()


def public_key_armored() -> str:
    """The public key, ASCII-armored (never the secret part)."""
    return str(certificate())


def signature(data: bytes) -> bytes:
    """A detached, ASCII-armored OpenPGP signature of ``data``."""
    signed: bytes = sign(_key().signer(), data, mode=SignatureMode.DETACHED)
    return signed
