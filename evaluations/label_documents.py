"""A label as plain data, its signed credential, status lists, and offline verification.

Pure functions (no Flask, no database): the label service turns its rows into ``LabelFacts``
and hands them here; the PDF renderer (evaluations.pdf) takes the same facts.

The credential follows the W3C Verifiable Credentials Data Model 2.0 with an eddsa-jcs-2022
Data Integrity proof (evaluations.credentials). Its ``@context`` is the VC 2.0 context alone:
that context's ``@vocab`` (``https://www.w3.org/ns/credentials/issuer-dependent#``) gives our
own terms (``SafeTechLabelCredential``, ``level``, ``scorePercent``, …) a valid JSON-LD
meaning without a second context document that verifiers would have to fetch or cache. The
proof is over JCS canonical JSON, so no JSON-LD processing is needed to verify it offline.

The label's *status* (valid, suspended, revoked) is deliberately not in the credential: a
signed document cannot change, so the status is published in two Bitstring Status List
credentials (one for revocation, one for suspension) that each label credential points to at
the same index. Expiry is the credential's ``validUntil``.
"""

from __future__ import annotations

import io
import json
import os
import unicodedata
import warnings
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from evaluations.credentials import (
    STATUS_LIST_MIN_BITS,
    StatusListError,
    Verdict,
    VerdictCode,
    bit_is_set,
    decode_status_list,
    encode_status_list,
    format_created,
    sign_credential,
    verify_credential,
)
from evaluations.keys import (
    SigningKey,
    keys_document_url,
    lookup_in_document,
    resolver_from_document,
)

VC_V2_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
LABEL_CREDENTIAL_TYPE: Final = "SafeTechLabelCredential"
STATUS_LIST_CREDENTIAL_TYPE: Final = "BitstringStatusListCredential"
STATUS_PURPOSES: Final = ("revocation", "suspension")
STATUS_LIST_PATH: Final = "/labels/status"
# The name of the credential file inside a label PDF.
ATTACHMENT_NAME: Final = "label-credential.json"
# A label PDF is tens of kilobytes; anything this large is not one of ours.
MAX_LABEL_FILE_BYTES: Final = 20 * 1024 * 1024


@dataclass(frozen=True)
class CriterionSummary:
    """One line of the criteria summary: a criterion and its consolidated result."""

    code: str
    title: str
    result: str
    section: str = ""


@dataclass(frozen=True)
class LabelFacts:
    """Everything shown on a label card and stated in its credential, as plain values."""

    number: str
    status: str
    level: str
    score_percent: float
    solution_id: int
    solution_name: str
    vendor_id: int
    vendor_name: str
    norm_code: str
    norm_title: str
    norm_version: str
    issued_on: date
    expires_on: date
    verification_url: str
    status_list_index: int
    criteria: tuple[CriterionSummary, ...] = field(default_factory=tuple)
    authority_name: str = "National Public Security Technology Authority"
    status_reason: str = ""

    def as_json(self) -> dict[str, Any]:
        """The facts as JSON-compatible values (dates as ISO strings), for hashing and logs."""
        data = asdict(self)
        data["issued_on"] = self.issued_on.isoformat()
        data["expires_on"] = self.expires_on.isoformat()
        data["score_percent"] = score_value(self.score_percent)
        return data


def score_value(score: float | Decimal | int) -> float:
    """A score percentage as the number the credential states: one decimal place."""
    # Half up, as people round: 87.25 % is printed 87.3 %, not 87.2 % (banker's rounding).
    return float(Decimal(str(score)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def status_list_base(base_url: str) -> str:
    """The URL prefix under which the status list credentials are published."""
    return base_url.rstrip("/") + STATUS_LIST_PATH


def status_list_credential_url(status_list_url: str, purpose: str) -> str:
    """The URL of the status list credential for one purpose ('revocation', 'suspension')."""
    if purpose not in STATUS_PURPOSES:
        raise ValueError(f"unknown status purpose {purpose!r}")
    return f"{status_list_url.rstrip('/')}/{purpose}.json"


def _day_start(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _day_end(day: date) -> str:
    # A label is valid through its expiry date (UTC), as printed on the card.
    return f"{day.isoformat()}T23:59:59Z"


def build_credential(
    facts: LabelFacts,
    issuer_url: str,
    status_list_url: str,
    *,
    credential_id: str | None = None,
) -> dict[str, Any]:
    """The unsigned VC 2.0 credential of a label (sign it with ``sign_label_credential``)."""
    if not 0 <= facts.status_list_index < STATUS_LIST_MIN_BITS:
        raise ValueError(f"status_list_index must be in 0..{STATUS_LIST_MIN_BITS - 1}")
    norm = {"code": facts.norm_code, "title": facts.norm_title, "version": facts.norm_version}
    credential: dict[str, Any] = {"@context": [VC_V2_CONTEXT]}
    if credential_id:
        credential["id"] = credential_id
    credential.update(
        {
            "type": ["VerifiableCredential", LABEL_CREDENTIAL_TYPE],
            "name": f"SafeTech label {facts.number}",
            "description": (
                f"{facts.level} certification of {facts.solution_name} against norm "
                f"{facts.norm_code} version {facts.norm_version}"
            ),
            "issuer": {"id": issuer_url, "name": facts.authority_name},
            "validFrom": _day_start(facts.issued_on),
            "validUntil": _day_end(facts.expires_on),
            "credentialSubject": {
                "type": "CertifiedSolution",
                "name": facts.solution_name,
                "solutionId": facts.solution_id,
                "vendor": {"name": facts.vendor_name, "vendorId": facts.vendor_id},
                "label": {
                    "type": "SafeTechLabel",
                    "number": facts.number,
                    "level": facts.level,
                    "scorePercent": score_value(facts.score_percent),
                    "issued": facts.issued_on.isoformat(),
                    "expires": facts.expires_on.isoformat(),
                    "verificationUrl": facts.verification_url,
                    "norm": norm,
                    "criteria": [
                        {
                            "code": row.code,
                            "title": row.title,
                            "section": row.section,
                            "result": row.result,
                        }
                        for row in facts.criteria
                    ],
                },
            },
            "credentialStatus": [
                _status_entry(status_list_url, purpose, facts.status_list_index)
                for purpose in STATUS_PURPOSES
            ],
        }
    )
    return credential


def _status_entry(status_list_url: str, purpose: str, index: int) -> dict[str, Any]:
    list_url = status_list_credential_url(status_list_url, purpose)
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        # The spec makes the index a string holding a base-10 integer.
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def _created(moment: datetime | None) -> str:
    return format_created(moment or datetime.now(UTC))


def sign_label_credential(
    credential: dict[str, Any],
    signing_key: SigningKey,
    base_url: str,
    *,
    created: datetime | None = None,
) -> dict[str, Any]:
    """Secure a credential with the registry's key (eddsa-jcs-2022 proof)."""
    return sign_credential(
        credential,
        signing_key.private_key,
        signing_key.verification_method(base_url),
        _created(created),
    )


def issue_label_credential(
    facts: LabelFacts,
    signing_key: SigningKey,
    base_url: str,
    *,
    credential_id: str | None = None,
    created: datetime | None = None,
) -> dict[str, Any]:
    """Build and sign a label's credential; issuer and status lists follow from ``base_url``."""
    credential = build_credential(
        facts,
        keys_document_url(base_url),
        status_list_base(base_url),
        credential_id=credential_id,
    )
    return sign_label_credential(credential, signing_key, base_url, created=created)


def build_status_list_credential(
    purpose: str,
    revoked_indices: Iterable[int],
    signing_key: SigningKey,
    base_url: str,
    *,
    created: datetime | None = None,
) -> dict[str, Any]:
    """The signed Bitstring Status List credential for one purpose, with the given bits set."""
    list_url = status_list_credential_url(status_list_base(base_url), purpose)
    moment = _created(created)
    credential = {
        "@context": [VC_V2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", STATUS_LIST_CREDENTIAL_TYPE],
        "issuer": keys_document_url(base_url),
        "validFrom": moment,
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode_status_list(revoked_indices),
        },
    }
    return sign_credential(
        credential, signing_key.private_key, signing_key.verification_method(base_url), moment
    )


def credential_bytes(credential: dict[str, Any]) -> bytes:
    """The credential as the UTF-8 JSON file that is published and attached to the PDF."""
    return (json.dumps(credential, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# --- Verification -----------------------------------------------------------------------------


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

    try:
        # pypdf reports recoverable damage as warnings; a verdict is what the caller wants.
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
