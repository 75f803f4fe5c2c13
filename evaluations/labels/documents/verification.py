"""Offline verification of a label credential, given as JSON or as a label PDF.

The signature, the issuer, the revocation and suspension bits and the dates are checked; the
result is a verdict, never an exception. A label is VALID only when current status lists (the
label's revocation and suspension lists, signed by the registry, ``validUntil`` not passed) say
it is neither revoked nor suspended; without them the verdict is STATUS_UNKNOWN.

Credentials naming either version of the SafeTech context verify alike (the proof covers the
JSON, not its JSON-LD reading); those naming version 2 also say which versions are certified.
"""

from __future__ import annotations

import io
import json
import logging
import os
import unicodedata
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from evaluations.labels.credentials import (
    StatusListError,
    Verdict,
    VerdictCode,
    bit_is_set,
    decode_status_list,
    verify_credential,
)
from evaluations.labels.documents.signing import (
    LABEL_CREDENTIAL_TYPE,
    STATUS_LIST_CREDENTIAL_TYPE,
    STATUS_PURPOSES,
)
from evaluations.labels.keys import lookup_in_document, resolver_from_document

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
    published keys file. ``status_lists`` are the status list credentials, parsed; without a
    current revocation list and a current suspension list for the label, a label whose
    signature and dates hold is STATUS_UNKNOWN, never VALID.
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
            # open(), not Path(source).open(): Path("") would name the current folder.
            with open(source, "rb") as handle:  # noqa: PTH123
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
    # The order of the checks is the precedence of the verdicts: what is wrong with the file
    # (MALFORMED, BAD_SIGNATURE, UNKNOWN_KEY, KEY_REVOKED, WRONG_ISSUER), then what a given
    # status list says or is (STATUS_LIST_INVALID, REVOKED, SUSPENDED), then the label's own
    # dates (EXPIRED, NOT_YET_VALID: known without any list), then STATUS_UNKNOWN, and VALID
    # only when none of these applies.
    credential = _check_signature(credential, keys_document)
    if LABEL_CREDENTIAL_TYPE not in _as_list(credential.get("type")):
        raise _Refused(
            VerdictCode.MALFORMED,
            f"the signature holds but this is not a SafeTech label ({LABEL_CREDENTIAL_TYPE})",
        )
    summary = _summary(credential)
    status = _check_status(credential, keys_document, list(status_lists or []), summary, now)
    valid_from = _parse_moment(credential.get("validFrom"), "validFrom")
    valid_until = _parse_moment(credential.get("validUntil"), "validUntil")
    if valid_until is not None and now > valid_until:
        return Verdict(VerdictCode.EXPIRED, f"{summary}; expired on {valid_until:%Y-%m-%d}")
    if valid_from is not None and now < valid_from:
        return Verdict(
            VerdictCode.NOT_YET_VALID, f"{summary}; not valid before {valid_from:%Y-%m-%d}"
        )
    if status.unknown:
        urls = " and ".join(_printable(url, 120) for url in status.list_urls) or "the registry"
        return Verdict(
            VerdictCode.STATUS_UNKNOWN,
            f"{summary}; signature valid, but whether it is revoked or suspended is unknown: "
            f"{'; '.join(status.unknown)}. Download the current status lists from {urls} "
            "and verify again with them",
        )
    return Verdict(VerdictCode.VALID, f"{summary}; signature valid; {status.known}", ok=True)


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


@dataclass(frozen=True)
class _StatusFindings:
    """What the given status lists tell of a label that is neither revoked nor suspended."""

    known: str
    unknown: list[str]
    list_urls: list[str]


@dataclass(frozen=True)
class _ListReading:
    """One verified status list: the label's bit in it, and until when the list is current."""

    bit: bool
    valid_from: datetime | None
    valid_until: datetime | None


def _check_status(
    credential: dict[str, Any],
    keys_document: object,
    lists: list[object],
    summary: str,
    now: datetime,
) -> _StatusFindings:
    """Raise REVOKED, SUSPENDED or STATUS_LIST_INVALID; otherwise say what is (un)known.

    Both purposes must be known from a current list: one whose ``validUntil`` has not passed.
    A revocation bit counts even from an out-of-date list, since a revocation is final
    (Bitstring Status List v1.0: "This status is not reversible"); a suspension can be lifted,
    so only a current list can say a label is or is not suspended.
    """
    entries: dict[str, dict[str, Any]] = {}
    for entry in _as_list(credential.get("credentialStatus")):
        if (
            isinstance(entry, dict)
            and entry.get("statusPurpose") in STATUS_PURPOSES
            and isinstance(entry.get("statusListCredential"), str)
        ):
            entries.setdefault(entry["statusPurpose"], entry)
    unknown: list[str] = []
    current: list[_ListReading] = []
    for purpose in STATUS_PURPOSES:
        entry = entries.get(purpose)
        if entry is None:
            unknown.append(f"the label has no {purpose} status entry")
            continue
        readings = [
            _read_status_list(item, entry, purpose, keys_document)
            for item in lists
            if isinstance(item, dict) and item.get("id") == entry["statusListCredential"]
        ]
        if purpose == "revocation" and any(reading.bit for reading in readings):
            raise _Refused(
                VerdictCode.REVOKED, f"{summary}; REVOKED according to the {purpose} list"
            )
        fresh = [r for r in readings if r.valid_until is not None and now <= r.valid_until]
        if not fresh:
            unknown.append(_why_not_current(purpose, readings, bool(lists)))
            continue
        # Of several current copies, the most recently signed one tells the status.
        newest = max(fresh, key=lambda r: r.valid_from or datetime.min.replace(tzinfo=UTC))
        if newest.bit:
            raise _Refused(
                VerdictCode.SUSPENDED, f"{summary}; SUSPENDED according to the {purpose} list"
            )
        current.append(newest)
    list_urls = [entries[p]["statusListCredential"] for p in STATUS_PURPOSES if p in entries]
    if unknown:
        return _StatusFindings("", unknown, list_urls)
    until = min(r.valid_until for r in current if r.valid_until is not None)
    return _StatusFindings(
        f"not revoked or suspended according to status lists current until "
        f"{until.astimezone(UTC):%Y-%m-%d %H:%M} UTC",
        [],
        list_urls,
    )


def _why_not_current(purpose: str, readings: list[_ListReading], any_given: bool) -> str:
    if not readings:
        return f"no {purpose} status list {'matches it' if any_given else 'was given'}"
    dated = [r.valid_until for r in readings if r.valid_until is not None]
    if not dated:
        return f"the {purpose} status list has no validUntil, so nothing says it is current"
    return f"the {purpose} status list expired on {max(dated).astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _read_status_list(
    status_list: dict[str, Any],
    entry: dict[str, Any],
    purpose: str,
    keys_document: object,
) -> _ListReading:
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
    try:
        valid_from = _parse_moment(status_list.get("validFrom"), "validFrom")
        valid_until = _parse_moment(status_list.get("validUntil"), "validUntil")
    except _Refused as refused:
        raise _Refused(
            VerdictCode.STATUS_LIST_INVALID,
            f"the {purpose} status list's {refused.verdict.message}",
        ) from None
    index_text = entry.get("statusListIndex")
    try:
        if not isinstance(index_text, str) or not index_text.isdigit():
            raise StatusListError("the statusListIndex is not a base-10 integer")
        encoded = subject.get("encodedList")
        if not isinstance(encoded, str):
            raise StatusListError("the status list has no encodedList")
        bit = bit_is_set(decode_status_list(encoded), int(index_text))
    except StatusListError as error:
        raise _Refused(
            VerdictCode.STATUS_LIST_INVALID,
            f"the {purpose} status list cannot be read: {_printable(str(error))}",
        ) from error
    return _ListReading(bit, valid_from, valid_until)


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
        f"{_scope_summary(label)}"
    )


def _scope_summary(label: dict[str, Any]) -> str:
    """The certified versions a credential names (SafeTech context v2); nothing under v1."""
    if "scope" not in label:
        return ""
    versions = [
        _printable(entry.get("version"), 20)
        for entry in _as_list(label.get("scope"))
        if isinstance(entry, dict)
    ]
    if not versions:
        return ", no certified version recorded"
    return f", certified versions {_printable(', '.join(versions), 160)}"


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
