"""The cryptography of sealed offers, on well-kept libraries only.

- Sealing to a public key: an ephemeral X25519 key pair, HKDF-SHA256 of the shared secret,
  AES-256-GCM with the context (call, vendor) as associated data. A sealed blob is
  ``ephemeral public key (32) ‖ nonce (12) ‖ ciphertext``.
- An officer's private key is wrapped with a key derived from their password by argon2id
  (argon2-cffi's ``hash_secret_raw``, RFC 9106 low-memory profile) and AES-256-GCM.
- A call's 32-byte private key is split k of n by Shamir's scheme (pycryptodome), as two
  16-byte halves each split with the same indexes; a share is ``index (1) ‖ half 1 ‖ half 2``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from argon2.profiles import RFC_9106_LOW_MEMORY
from Crypto.Protocol.SecretSharing import Shamir
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12
SALT_BYTES = 16
_RAW = serialization.Encoding.Raw


class SealError(Exception):
    """A sealed blob, wrapped key or share that does not open (wrong key, changed bytes)."""


def new_key_pair() -> tuple[bytes, bytes]:
    """(private, public) raw X25519 keys."""
    private = X25519PrivateKey.generate()
    return (
        private.private_bytes(_RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption()),
        private.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw),
    )


def _hkdf(shared: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(shared)


def seal(public_key: bytes, plaintext: bytes, context: bytes) -> bytes:
    """Encrypt to the holder of the private key of ``public_key``; ``context`` is bound."""
    ephemeral = X25519PrivateKey.generate()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public_key))
    ephemeral_public = ephemeral.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
    key = _hkdf(shared, b"safetech-seal:" + ephemeral_public + public_key)
    nonce = os.urandom(NONCE_BYTES)
    return ephemeral_public + nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def unseal(private_key: bytes, blob: bytes, context: bytes) -> bytes:
    """The plaintext of a sealed blob, or SealError."""
    if len(blob) < KEY_BYTES + NONCE_BYTES + 16:
        raise SealError("too short")
    ephemeral_public, nonce = blob[:KEY_BYTES], blob[KEY_BYTES : KEY_BYTES + NONCE_BYTES]
    private = X25519PrivateKey.from_private_bytes(private_key)
    public = private.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
    shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    key = _hkdf(shared, b"safetech-seal:" + ephemeral_public + public)
    try:
        return AESGCM(key).decrypt(nonce, blob[KEY_BYTES + NONCE_BYTES :], context)
    except InvalidTag:
        raise SealError("does not open") from None


def _password_key(password: str, salt: bytes) -> bytes:
    profile = RFC_9106_LOW_MEMORY
    return hash_secret_raw(
        password.encode("utf-8"),
        salt,
        time_cost=profile.time_cost,
        memory_cost=profile.memory_cost,
        parallelism=profile.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


@dataclass(frozen=True)
class WrappedKey:
    """A private key wrapped under a password: salt, nonce and AES-GCM ciphertext."""

    salt: bytes
    nonce: bytes
    ciphertext: bytes


def wrap(private_key: bytes, password: str, context: bytes) -> WrappedKey:
    """Wrap a private key under a password (argon2id, then AES-GCM)."""
    salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
    key = _password_key(password, salt)
    return WrappedKey(salt, nonce, AESGCM(key).encrypt(nonce, private_key, context))


def unwrap(wrapped: WrappedKey, password: str, context: bytes) -> bytes:
    """The private key, or SealError when the password (or the record) is wrong."""
    key = _password_key(password, wrapped.salt)
    try:
        return AESGCM(key).decrypt(wrapped.nonce, wrapped.ciphertext, context)
    except InvalidTag:
        raise SealError("wrong password") from None


def split(secret: bytes, threshold: int, holders: int) -> list[bytes]:
    """``holders`` shares of a 32-byte secret, any ``threshold`` of which rebuild it."""
    if len(secret) != KEY_BYTES:
        raise ValueError("a 32-byte secret")
    first = Shamir.split(threshold, holders, secret[:16], ssss=False)
    second = Shamir.split(threshold, holders, secret[16:], ssss=False)
    return [
        bytes([index]) + half_one + half_two
        for (index, half_one), (_, half_two) in zip(first, second, strict=True)
    ]


def combine(shares: Sequence[bytes]) -> bytes:
    """The secret rebuilt from ``threshold`` (or more) shares."""
    first = [(share[0], share[1:17]) for share in shares]
    second = [(share[0], share[17:33]) for share in shares]
    return Shamir.combine(first, ssss=False) + Shamir.combine(second, ssss=False)


def public_of(private_key: bytes) -> bytes:
    """The raw public key of a raw X25519 private key."""
    return (
        X25519PrivateKey.from_private_bytes(private_key)
        .public_key()
        .public_bytes(_RAW, serialization.PublicFormat.Raw)
    )
