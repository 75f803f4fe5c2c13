"""Offline verification of a label credential, given as JSON or as a label PDF.

The signature, the issuer, the revocation and suspension bits (when status lists are given)
and the dates are checked; the result is a verdict, never an exception.
"""

from __future__ import annotations

import io
import json
import logging
import os
import unicodedata
import warnings
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Final

from evaluations.credentials import (
    StatusListError,
    Verdict,
    VerdictCode,
    bit_is_set,
    decode_status_list,
    verify_credential,
)
from evaluations.keys import lookup_in_document, resolver_from_document
from evaluations.label_documents.signing import (
    LABEL_CREDENTIAL_TYPE,
    STATUS_LIST_CREDENTIAL_TYPE,
    STATUS_PURPOSES,
)

# The name of the credential file inside a label PDF.
ATTACHMENT_NAME: Final = "label-credential.json"
# A label PDF is tens of kilobytes; anything this large is not one of ours.
MAX_LABEL_FILE_BYTES: Final = 20 * 1024 * 1024


class _Refused(Exception):
    """A check failed; carries the verdict to return."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.verdict = Verdict(code, message)


def verify_label_file(
    source: bytes | str | os.PathLike[str],
    keys_document: object,
    status_lists: Iterable[object] | None = None,
    *,
    now: datetime | None = None,
) -> Verdict:
    """Verify a label credential given as JSON or as a label PDF, offline; never raises.

    ``source`` is the file's content (bytes) or its path. ``keys_document`` is the registry's
    published keys file. With ``status_lists`` (the status list credentials, parsed), the
    label's revocation and suspension bits are checked too; without, only the signature and
    the dates are.
    """
    try:
        credential = load_label_credential(source)
    except _Refused as refused:
        return refused.verdict
    return verify_label_credential(credential, keys_document, status_lists, now=now)


def load_label_credential(source: bytes | str | os.PathLike[str]) -> object:
    """The parsed credential from JSON bytes or a label PDF's attachment (_Refused if not)."""
    data = _read_source(source)
    if b"%PDF-" in data[:1024]:
        data = _attachment_from_pdf(data)
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise _Refused(VerdictCode.MALFORMED, "the file is neither a PDF nor UTF-8 JSON") from error
    except (ValueError, RecursionError) as error:
        raise _Refused(VerdictCode.MALFORMED, "the file is neither a PDF nor valid JSON") from error


def _read_source(source: bytes | str | os.PathLike[str]) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        try:
            with open(source, "rb") as handle:
                data = handle.read(MAX_LABEL_FILE_BYTES + 1)
        except (OSError, ValueError, TypeError) as error:
            reason = error.strerror if isinstance(error, OSError) else str(error)
            raise _Refused(
                VerdictCode.MALFORMED, f"the file cannot be read: {_printable(reason)}"
            ) from error
    if len(data) > MAX_LABEL_FILE_BYTES:
        raise _Refused(VerdictCode.MALFORMED, "the file is too large to be a label")
    if not data.strip():
        raise _Refused(VerdictCode.MALFORMED, "the file is empty")
    return data


def _attachment_from_pdf(data: bytes) -> bytes:
    from pypdf import PdfReader

    # pypdf logs the damage it works around ("EOF marker not found" on a truncated file) and
    # warns; the verdict already says what matters, so neither may reach the verifier's
    # terminal beside it. pypdf reads nothing else in the application.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            found = reader.attachments.get(ATTACHMENT_NAME, [])
    except Exception as error:  # pypdf raises many kinds of error on hostile files
        raise _Refused(
            VerdictCode.MALFORMED, f"the PDF cannot be read ({type(error).__name__})"
        ) from error
    if not found:
        raise _Refused(
            VerdictCode.MALFORMED, f"the PDF has no attached credential ({ATTACHMENT_NAME})"
        )
    if len(found) > 1:
        raise _Refused(VerdictCode.MALFORMED, f"the PDF has several {ATTACHMENT_NAME} attachments")
    return found[0]


def verify_label_credential(
    credential: object,
    keys_document: object,
    status_lists: Iterable[object] | None = None,
    *,
    now: datetime | None = None,
) -> Verdict:
    """Verify a parsed label credential: signature, issuer, status lists, then dates."""
    try:
        return _verify(credential, keys_document, status_lists, now or datetime.now(UTC))
    except _Refused as refused:
        return refused.verdict
    except (RecursionError, MemoryError):  # pragma: no cover - hostile nesting past JCS
        return Verdict(VerdictCode.MALFORMED, "the credential is nested too deeply")


def _verify(
    credential: object,
    keys_document: object,
    status_lists: Iterable[object] | None,
    now: datetime,
) -> Verdict:
    credential = _check_signature(credential, keys_document)
    if LABEL_CREDENTIAL_TYPE not in _as_list(credential.get("type")):
        raise _Refused(
            VerdictCode.MALFORMED,
            f"the signature holds but this is not a SafeTech label ({LABEL_CREDENTIAL_TYPE})",
        )
    summary = _summary(credential)
    checked = "status not checked (no status lists given)"
    if status_lists is not None:
        checked = _check_status(credential, keys_document, list(status_lists), summary, now)
    valid_from = _parse_moment(credential.get("validFrom"), "validFrom")
    valid_until = _parse_moment(credential.get("validUntil"), "validUntil")
    if valid_until is not None and now > valid_until:
        return Verdict(VerdictCode.EXPIRED, f"{summary}; expired on {valid_until:%Y-%m-%d}")
    if valid_from is not None and now < valid_from:
        return Verdict(
            VerdictCode.NOT_YET_VALID, f"{summary}; not valid before {valid_from:%Y-%m-%d}"
        )
    return Verdict(VerdictCode.VALID, f"{summary}; signature valid; {checked}", ok=True)


def _check_signature(document: object, keys_document: object) -> dict[str, Any]:
    """Return the document once its proof verifies against the keys document."""
    verdict = verify_credential(document, resolver_from_document(keys_document))
    method = ""
    if isinstance(document, dict) and isinstance(document.get("proof"), dict):
        method = document["proof"].get("verificationMethod") or ""
    lookup = lookup_in_document(keys_document, method) if isinstance(method, str) else None
    if verdict.code == VerdictCode.UNKNOWN_KEY and lookup is not None and lookup.revoked:
        raise _Refused(
            VerdictCode.KEY_REVOKED,
            f"the signing key {_printable(method)} was revoked on {_printable(lookup.revoked)}",
        )
    if not verdict.ok or not isinstance(document, dict) or lookup is None:
        raise _Refused(verdict.code, verdict.message)
    # The key's controller is the issuer; a credential naming another issuer is not ours,
    # however it came to carry our signature.
    if lookup.controller is not None and _issuer_id(document) != lookup.controller:
        raise _Refused(
            VerdictCode.WRONG_ISSUER,
            f"the credential names issuer {_printable(_issuer_id(document))}, "
            f"but the key belongs to {_printable(lookup.controller)}",
        )
    return document


def _check_status(
    credential: dict[str, Any],
    keys_document: object,
    lists: list[object],
    summary: str,
    now: datetime,
) -> str:
    entries = [e for e in _as_list(credential.get("credentialStatus")) if isinstance(e, dict)]
    checked = []
    for entry in entries:
        purpose = entry.get("statusPurpose")
        list_url = entry.get("statusListCredential")
        if purpose not in STATUS_PURPOSES or not isinstance(list_url, str):
            continue
        status_list = next(
            (item for item in lists if isinstance(item, dict) and item.get("id") == list_url),
            None,
        )
        if status_list is None:
            continue
        if _status_bit(status_list, entry, purpose, keys_document, now):
            code = VerdictCode.REVOKED if purpose == "revocation" else VerdictCode.SUSPENDED
            raise _Refused(code, f"{summary}; {code.value} according to the {purpose} list")
        checked.append(purpose)
    if not checked:
        return "status not checked (no matching status list given)"
    return "not " + " or ".join(
        "revoked" if purpose == "revocation" else "suspended" for purpose in checked
    )


def _status_bit(
    status_list: dict[str, Any],
    entry: dict[str, Any],
    purpose: str,
    keys_document: object,
    now: datetime,
) -> bool:
    try:
        _check_signature(status_list, keys_document)
    except _Refused as refused:
        raise _Refused(
            VerdictCode.STATUS_LIST_INVALID,
            f"the {purpose} status list does not verify: {refused.verdict.message}",
        ) from None
    subject = status_list.get("credentialSubject")
    if (
        STATUS_LIST_CREDENTIAL_TYPE not in _as_list(status_list.get("type"))
        or not isinstance(subject, dict)
        or subject.get("statusPurpose") != purpose
    ):
        raise _Refused(
            VerdictCode.STATUS_LIST_INVALID,
            f"the list at {_printable(status_list.get('id'))} is not a {purpose} status list",
        )
    list_until = _parse_moment(status_list.get("validUntil"), "the status list's validUntil")
    if list_until is not None and now > list_until:
        raise _Refused(
            VerdictCode.STATUS_LIST_INVALID,
            f"the {purpose} status list is out of date; download a fresh one",
        )
    index_text = entry.get("statusListIndex")
    try:
        if not isinstance(index_text, str) or not index_text.isdigit():
            raise StatusListError("the statusListIndex is not a base-10 integer")
        encoded = subject.get("encodedList")
        if not isinstance(encoded, str):
            raise StatusListError("the status list has no encodedList")
        return bit_is_set(decode_status_list(encoded), int(index_text))
    except StatusListError as error:
        raise _Refused(
            VerdictCode.STATUS_LIST_INVALID,
            f"the {purpose} status list cannot be read: {_printable(str(error))}",
        ) from error


def _parse_moment(value: object, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise TypeError(name)
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError(name)
    except (TypeError, ValueError) as error:
        raise _Refused(
            VerdictCode.MALFORMED, f"{name} is not a date and time with a time zone"
        ) from error
    return moment


def _issuer_id(document: dict[str, Any]) -> object:
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _summary(credential: dict[str, Any]) -> str:
    subject = _object(credential.get("credentialSubject"))
    label = _object(subject.get("label"))
    vendor = _object(subject.get("vendor"))
    norm = _object(label.get("norm"))
    return (
        f"label {_printable(label.get('number'))}: {_printable(label.get('level'))} "
        f"for {_printable(subject.get('name'))} by {_printable(vendor.get('name'))}, "
        f"norm {_printable(norm.get('code'))} version {_printable(norm.get('version'))}, "
        f"valid {_printable(label.get('issued'))} to {_printable(label.get('expires'))}"
    )


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _as_list(value: object) -> list[Any]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _printable(value: object, limit: int = 80) -> str:
    """Untrusted text made safe for one terminal line: no controls, no bidi overrides."""
    text = "?" if value is None else str(value)
    cleaned = "".join(
        " " if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") else char
        for char in text[: limit * 2]
    )
    cleaned = " ".join(cleaned.split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"
