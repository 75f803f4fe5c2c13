"""Signed label credentials: W3C Data Integrity proofs (eddsa-jcs-2022) and Bitstring Status Lists.

Pure functions: JSON-compatible data in, JSON-compatible data out; no Flask, no database.

- Keys are Ed25519, exchanged as Multikey strings (``publicKeyMultibase`` / ``secretKeyMultibase``).
- ``sign_credential`` / ``verify_credential`` implement the ``eddsa-jcs-2022`` cryptosuite of
  https://www.w3.org/TR/vc-di-eddsa/ (sections 3.3.1 to 3.3.7) step by step.
- ``verify_credential`` answers whether the *signature* holds. Whether the label is still valid
  (revoked, suspended, expired) is a separate question, answered by the caller with the status
  list helpers at the bottom of this module; ``Verdict`` takes any code so it can report those.
"""

from __future__ import annotations

import base64
import copy
import gzip
import hashlib
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

import base58
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

PROOF_TYPE: Final = "DataIntegrityProof"
CRYPTOSUITE: Final = "eddsa-jcs-2022"
DEFAULT_PROOF_PURPOSE: Final = "assertionMethod"

# Multicodec headers, as unsigned varints: ed25519-pub is 0xed, ed25519-priv is 0x1300.
ED25519_PUBLIC_KEY_HEADER: Final = b"\xed\x01"
ED25519_SECRET_KEY_HEADER: Final = b"\x80\x26"
ED25519_KEY_LENGTH: Final = 32
ED25519_SIGNATURE_LENGTH: Final = 64

# Bitstring Status List v1.0: a list shorter than 16 KiB would let an observer narrow down
# which credential is being checked (herd privacy), so the spec sets this floor.
STATUS_LIST_MIN_BITS: Final = 131_072
# A few kilobytes of gzip can expand to gigabytes; refuse anything beyond 2**27 entries.
STATUS_LIST_MAX_BYTES: Final = 16 * 1024 * 1024

_BASE58_ALPHABET = re.compile(r"[1-9A-HJ-NP-Za-km-z]+")
_BASE64URL_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")
# Base58 decoding is quadratic in the input length and a 64-byte signature needs at most
# 88 characters, so anything longer is refused before it is decoded.
_MAX_PROOF_VALUE_CHARS = 100
_MAX_KEY_CHARS = 60
# XML Schema 1.1 dateTimeStamp: a dateTime whose time zone is mandatory.
_DATETIME_STAMP = re.compile(
    r"-?(?P<year>[1-9][0-9]{3,}|0[0-9]{3})-(?P<month>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12][0-9]|3[01])"
    r"T(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?)"
    r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
)


# --- Keys (Multikey) --------------------------------------------------------------------------


def generate_private_key() -> Ed25519PrivateKey:
    """Return a new Ed25519 signing key; its public half is ``key.public_key()``."""
    return Ed25519PrivateKey.generate()


def encode_public_key(key: Ed25519PublicKey | bytes) -> str:
    """Encode an Ed25519 public key as a Multikey ``publicKeyMultibase`` string ('z6Mk…')."""
    raw = key.public_bytes_raw() if isinstance(key, Ed25519PublicKey) else bytes(key)
    if len(raw) != ED25519_KEY_LENGTH:
        raise ValueError(f"an Ed25519 public key is {ED25519_KEY_LENGTH} bytes, got {len(raw)}")
    return _encode_base58btc(ED25519_PUBLIC_KEY_HEADER + raw)


def decode_public_key(multibase: str) -> bytes:
    """Return the 32 raw key bytes of a Multikey ``publicKeyMultibase``; ValueError if invalid."""
    return _decode_multikey(multibase, ED25519_PUBLIC_KEY_HEADER, "public")


def encode_private_key(key: Ed25519PrivateKey) -> str:
    """Encode an Ed25519 private key as a Multikey ``secretKeyMultibase`` string ('z3u2…')."""
    return _encode_base58btc(ED25519_SECRET_KEY_HEADER + key.private_bytes_raw())


def decode_private_key(multibase: str) -> Ed25519PrivateKey:
    """Parse a Multikey ``secretKeyMultibase`` into a signing key; ValueError if invalid."""
    raw = _decode_multikey(multibase, ED25519_SECRET_KEY_HEADER, "secret")
    return Ed25519PrivateKey.from_private_bytes(raw)


def _decode_multikey(multibase: object, header: bytes, which: str) -> bytes:
    decoded = _decode_base58btc(multibase, max_chars=_MAX_KEY_CHARS)
    if not decoded.startswith(header):
        raise ValueError(f"not an Ed25519 {which} Multikey (wrong multicodec header)")
    raw = decoded[len(header) :]
    if len(raw) != ED25519_KEY_LENGTH:
        raise ValueError(f"an Ed25519 {which} key is {ED25519_KEY_LENGTH} bytes, got {len(raw)}")
    return raw


def _encode_base58btc(data: bytes) -> str:
    return "z" + base58.b58encode(data).decode("ascii")


def _decode_base58btc(value: object, *, max_chars: int) -> bytes:
    if not isinstance(value, str) or not value.startswith("z"):
        raise ValueError("not a base58-btc multibase string (must start with 'z')")
    body = value[1:]
    if len(body) > max_chars:
        raise ValueError("multibase string is too long")
    # The base58 package silently strips whitespace; a strict alphabet check keeps one
    # encoding per value.
    if not _BASE58_ALPHABET.fullmatch(body):
        raise ValueError("multibase string contains characters outside the base58 alphabet")
    return base58.b58decode(body)


# --- Proofs (eddsa-jcs-2022) ------------------------------------------------------------------


def format_created(moment: datetime) -> str:
    """Format an aware datetime as the UTC dateTimeStamp a proof's ``created`` expects."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("created must be a timezone-aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign_credential(
    document: dict[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str,
    proof_purpose: str = DEFAULT_PROOF_PURPOSE,
) -> dict[str, Any]:
    """Return a copy of ``document`` secured with an eddsa-jcs-2022 DataIntegrityProof."""
    if not isinstance(document, dict):
        raise TypeError("the document to sign must be a dict")
    if "proof" in document:
        # Adding a second proof would make a proof set, which this registry never issues.
        raise ValueError("the document already has a proof")
    if not isinstance(private_key, Ed25519PrivateKey):
        raise TypeError("private_key must be an Ed25519PrivateKey")
    if not isinstance(verification_method, str) or not verification_method:
        raise ValueError("verification_method must be a non-empty string")
    if not isinstance(proof_purpose, str) or not proof_purpose:
        raise ValueError("proof_purpose must be a non-empty string")
    if not is_datetime_stamp(created):
        raise ValueError(f"created must be an XML Schema dateTimeStamp, got {_describe(created)}")

    # A deep copy, so that later changes to the caller's dict cannot desynchronise the proof.
    unsecured = copy.deepcopy(document)
    # 3.3.1 step 1, then 3.3.5: the proof options, which are the proof configuration.
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    # 3.3.1 step 2: the context is signed too, so it cannot be swapped after signing.
    if "@context" in unsecured:
        proof["@context"] = copy.deepcopy(unsecured["@context"])
    # 3.3.1 steps 3 to 6; rfc8785 raises CanonicalizationError (a ValueError) on data that
    # JCS cannot represent, such as NaN or an integer beyond 2**53 - 1.
    signature = private_key.sign(_hash_data(proof, unsecured))
    # 3.3.1 step 7.
    proof["proofValue"] = _encode_base58btc(signature)
    return {**unsecured, "proof": proof}


class VerdictCode(StrEnum):
    """Outcomes of checking a credential: its proof first, then (for labels) its status."""

    VALID = "VALID"
    MALFORMED = "MALFORMED"
    UNSUPPORTED_SUITE = "UNSUPPORTED_SUITE"
    WRONG_PURPOSE = "WRONG_PURPOSE"
    UNKNOWN_KEY = "UNKNOWN_KEY"
    BAD_SIGNATURE = "BAD_SIGNATURE"
    # Reported by evaluations.labels.documents once the signature holds.
    KEY_REVOKED = "KEY_REVOKED"
    WRONG_ISSUER = "WRONG_ISSUER"
    STATUS_LIST_INVALID = "STATUS_LIST_INVALID"
    # The signature holds, but no current status list says whether the label is revoked or
    # suspended: never VALID without knowing.
    STATUS_UNKNOWN = "STATUS_UNKNOWN"
    REVOKED = "REVOKED"
    SUSPENDED = "SUSPENDED"
    EXPIRED = "EXPIRED"
    NOT_YET_VALID = "NOT_YET_VALID"


@dataclass(frozen=True)
class Verdict:
    """The answer to "does this credential check out?", with a message for people."""

    # A plain str rather than VerdictCode so that the status check can report its own codes
    # (REVOKED, SUSPENDED, EXPIRED) with the same type; a StrEnum member is a str.
    code: str
    message: str
    ok: bool = False


def verify_credential(
    document: object,
    resolve_key: Callable[[str], bytes | None],
    *,
    expected_proof_purpose: str = DEFAULT_PROOF_PURPOSE,
) -> Verdict:
    """Check the eddsa-jcs-2022 proof of ``document``; never raises on untrusted input.

    ``resolve_key`` maps a verificationMethod to its 32 raw public-key bytes, or None when it
    is not one of the issuer's keys; it is trusted code and must not raise.
    """
    checked = _proof_of(document)
    if isinstance(checked, Verdict):
        return checked
    credential, proof = checked
    fields = _proof_fields(proof)
    if isinstance(fields, Verdict):
        return fields
    verification_method, proof_purpose, signature = fields
    if proof_purpose != expected_proof_purpose:
        return Verdict(
            VerdictCode.WRONG_PURPOSE,
            f"the proof is for {_describe(proof_purpose)}, not {expected_proof_purpose!r}",
        )
    hash_data = _signed_hash(credential, proof)
    if isinstance(hash_data, Verdict):
        return hash_data
    return _check_signature(resolve_key, verification_method, signature, hash_data)


def _proof_of(document: object) -> tuple[dict[str, Any], dict[str, Any]] | Verdict:
    """The credential and its single proof object, or the verdict on why there is none."""
    if not isinstance(document, dict):
        return _malformed(f"a credential must be a JSON object, got {type(document).__name__}")
    if "proof" not in document:
        return _malformed("the credential has no proof")
    proof = document["proof"]
    if isinstance(proof, list):
        return _malformed("proof sets (several proofs) are not supported")
    if not isinstance(proof, dict):
        return _malformed("the proof must be a JSON object")
    return document, proof


def _proof_fields(proof: dict[str, Any]) -> tuple[str, str, bytes] | Verdict:
    """The proof's verificationMethod, proofPurpose and signature, once its suite is ours."""
    for key, name, expected in (
        ("type", "proof type", PROOF_TYPE),
        ("cryptosuite", "cryptosuite", CRYPTOSUITE),
    ):
        value = proof.get(key)
        if not isinstance(value, str):
            return _malformed(f"the proof has no {key}")
        if value != expected:
            return Verdict(
                VerdictCode.UNSUPPORTED_SUITE,
                f"unsupported {name} {_describe(value)}; expected {expected}",
            )
    verification_method = proof.get("verificationMethod")
    if not isinstance(verification_method, str) or not verification_method:
        return _malformed("the proof has no verificationMethod")
    proof_purpose = proof.get("proofPurpose")
    if not isinstance(proof_purpose, str):
        return _malformed("the proof has no proofPurpose")
    # 3.3.5 step 3: a created date, when present, must be a valid dateTimeStamp.
    if "created" in proof and not is_datetime_stamp(proof["created"]):
        return _malformed("the proof's created date is not an XML Schema dateTimeStamp")
    # 3.3.2 step 3.
    try:
        signature = _decode_base58btc(proof.get("proofValue"), max_chars=_MAX_PROOF_VALUE_CHARS)
    except ValueError as error:
        return _malformed(f"the proofValue is invalid: {error}")
    if len(signature) != ED25519_SIGNATURE_LENGTH:
        return _malformed("the proofValue is not a 64-byte Ed25519 signature")
    return verification_method, proof_purpose, signature


def _signed_hash(document: dict[str, Any], proof: dict[str, Any]) -> bytes | Verdict:
    """The hash data the signature covers (3.3.2), or the verdict on why it cannot be made."""
    # 3.3.2 steps 1 and 2: shallow copies suffice (nothing below mutates nested values) and
    # avoid deep-copying arbitrarily nested untrusted input.
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    proof_options = {key: value for key, value in proof.items() if key != "proofValue"}
    try:
        # 3.3.2 step 4: the document may have gained contexts after the signed ones (the spec
        # allows appending), but the signed ones must come first, in order.
        if "@context" in proof_options:
            if not _context_starts_with(document, proof_options["@context"]):
                return Verdict(
                    VerdictCode.BAD_SIGNATURE,
                    "the credential's @context does not start with the signed @context",
                )
            unsecured["@context"] = proof_options["@context"]
        # 3.3.2 steps 5 to 7.
        return _hash_data(proof_options, unsecured)
    except (rfc8785.CanonicalizationError, RecursionError) as error:
        return _malformed(f"the credential is not canonicalisable JSON: {_describe(str(error))}")


def _check_signature(
    resolve_key: Callable[[str], bytes | None],
    verification_method: str,
    signature: bytes,
    hash_data: bytes,
) -> Verdict:
    """Verify the Ed25519 signature with the issuer's key for the verification method."""
    public_key_bytes = resolve_key(verification_method)
    if public_key_bytes is None:
        return Verdict(
            VerdictCode.UNKNOWN_KEY,
            f"the verification method {_describe(verification_method)} is not a known key",
        )
    try:
        public_key = Ed25519PublicKey.from_public_bytes(public_key_bytes)
    except (ValueError, TypeError):
        return Verdict(
            VerdictCode.UNKNOWN_KEY,
            f"the key for {_describe(verification_method)} is not an Ed25519 public key",
        )
    # 3.3.7.
    try:
        public_key.verify(signature, hash_data)
    except InvalidSignature:
        return Verdict(
            VerdictCode.BAD_SIGNATURE,
            "the signature does not match: the credential or its proof was altered",
        )
    return Verdict(VerdictCode.VALID, "the signature is valid", ok=True)


def is_datetime_stamp(value: object) -> bool:
    """Tell whether ``value`` is an XML Schema 1.1 dateTimeStamp (a dateTime with a zone)."""
    if not isinstance(value, str):
        return False
    match = _DATETIME_STAMP.fullmatch(value)
    if match is None:
        return False
    # The pattern allows 31 days in every month; the calendar decides the rest.
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    if value.startswith("-"):
        year = -year
    return day <= _days_in_month(year, month)


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _hash_data(proof_config: dict[str, Any], unsecured_document: dict[str, Any]) -> bytes:
    # 3.3.3: the proof configuration's hash comes first, then the document's.
    proof_config_hash = hashlib.sha256(rfc8785.dumps(proof_config)).digest()
    document_hash = hashlib.sha256(rfc8785.dumps(unsecured_document)).digest()
    return proof_config_hash + document_hash


def _context_starts_with(document: dict[Any, Any], signed_context: object) -> bool:
    document_context = _as_list(document["@context"]) if "@context" in document else []
    signed = _as_list(signed_context)
    if len(document_context) < len(signed):
        return False
    # Compare canonical forms: Python's == would equate True with 1 and 1 with 1.0.
    return all(
        rfc8785.dumps(ours) == rfc8785.dumps(theirs)
        for ours, theirs in zip(document_context, signed, strict=False)
    )


def _as_list(context: object) -> list[Any]:
    return context if isinstance(context, list) else [context]


def _malformed(message: str) -> Verdict:
    return Verdict(VerdictCode.MALFORMED, message)


def _describe(value: object, limit: int = 80) -> str:
    # Messages may quote untrusted input; keep them short.
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- Bitstring Status List --------------------------------------------------------------------


class StatusListError(ValueError):
    """An encoded status list or an index into it is invalid."""


def encode_status_list(revoked_indices: Iterable[int], length: int = STATUS_LIST_MIN_BITS) -> str:
    """Encode the set bits as a Bitstring Status List ``encodedList`` ('u' + base64url(gzip))."""
    if isinstance(length, bool) or not isinstance(length, int):
        raise StatusListError("the status list length must be an integer")
    if length < STATUS_LIST_MIN_BITS:
        raise StatusListError(f"a status list holds at least {STATUS_LIST_MIN_BITS} entries")
    if length % 8:
        raise StatusListError("the status list length must be a multiple of 8")
    if length > STATUS_LIST_MAX_BYTES * 8:
        raise StatusListError(f"a status list holds at most {STATUS_LIST_MAX_BYTES * 8} entries")
    bitstring = bytearray(length // 8)
    for index in revoked_indices:
        _check_index(index, length)
        # Index 0 is the left-most bit: the most significant bit of the first byte.
        bitstring[index // 8] |= 0x80 >> (index % 8)
    # mtime=0 makes the output depend on the bits only, so an unchanged list republishes
    # byte for byte (stable ETags and caches).
    compressed = gzip.compress(bytes(bitstring), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode_status_list(encoded: str, *, max_bytes: int = STATUS_LIST_MAX_BYTES) -> bytes:
    """Return the raw bitstring of an ``encodedList``; StatusListError if it is invalid."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise StatusListError("an encodedList is multibase base64url and starts with 'u'")
    body = encoded[1:]
    # urlsafe_b64decode ignores stray characters; refuse them so garbage is not half-read.
    if not _BASE64URL_ALPHABET.fullmatch(body) or len(body) % 4 == 1:
        raise StatusListError("the encodedList is not valid base64url")
    compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    # wbits=31 accepts the gzip container only; max_length bounds the output (gzip bombs).
    decompressor = zlib.decompressobj(wbits=31)
    try:
        bitstring = decompressor.decompress(compressed, max_bytes + 1)
    except zlib.error as error:
        raise StatusListError(f"the encodedList is not valid GZIP data: {error}") from error
    if len(bitstring) > max_bytes:
        raise StatusListError(f"the status list is larger than {max_bytes} bytes")
    if not decompressor.eof:
        raise StatusListError("the GZIP data of the encodedList is truncated")
    if decompressor.unused_data:
        raise StatusListError("the encodedList has data after the GZIP stream")
    if len(bitstring) * 8 < STATUS_LIST_MIN_BITS:
        raise StatusListError(f"a status list holds at least {STATUS_LIST_MIN_BITS} entries")
    return bitstring


def bit_is_set(bitstring: bytes, index: int) -> bool:
    """Read entry ``index`` of a decoded bitstring (index 0 is the most significant bit)."""
    _check_index(index, len(bitstring) * 8)
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def status_bit(encoded: str, index: int) -> bool:
    """Read entry ``index`` of an ``encodedList``: True means revoked (or suspended)."""
    return bit_is_set(decode_status_list(encoded), index)


def _check_index(index: object, length: int) -> None:
    if isinstance(index, bool) or not isinstance(index, int):
        raise StatusListError(f"a status list index must be an integer, got {_describe(index)}")
    if not 0 <= index < length:
        raise StatusListError(f"status list index {index} is outside 0..{length - 1}")
