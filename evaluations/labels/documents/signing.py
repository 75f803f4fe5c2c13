"""A label's credential and the status list credentials: building and signing them.

The credential follows the W3C Verifiable Credentials Data Model 2.0 with an eddsa-jcs-2022
Data Integrity proof (evaluations.labels.credentials). Its ``@context`` is the VC 2.0 context
followed by the registry's SafeTech context (evaluations.labels.documents.context), which
defines every term of our own (``SafeTechLabelCredential``, ``label``, ``level``,
``criteria``, …): the VC 2.0 context has no catch-all vocabulary, so without it a JSON-LD
processor would drop the label's claims. The proof is over JCS canonical JSON, so no JSON-LD
processing (and no context download) is needed to verify it offline; the contexts are signed
with the rest (the proof repeats them), so they cannot be swapped afterwards. The status list
credentials use only VC 2.0 terms (``validUntil`` and the status list's ``ttl`` among them) and
carry the VC 2.0 context alone.

The label's *status* (valid, suspended, revoked) is deliberately not in the credential: a
signed document cannot change, so the status is published in two Bitstring Status List
credentials (one for revocation, one for suspension) that each label credential points to at
the same index. Expiry is the credential's ``validUntil``.

A status list says what was true when it was signed, so it carries a ``validUntil`` too
(``STATUS_LIST_VALIDITY`` after its ``validFrom``): a verifier holding an older copy must fetch
a new one before it can say a label is valid. Its ``ttl`` (Bitstring Status List v1.0, in
milliseconds) is how long a copy may be cached before a refresh should be attempted; the spec
says it does not replace the validity period, and the served list's HTTP ``Cache-Control``
says the same number of seconds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from evaluations.labels.credentials import (
    STATUS_LIST_MIN_BITS,
    encode_status_list,
    format_created,
    sign_credential,
)
from evaluations.labels.documents.context import safetech_context_url
from evaluations.labels.documents.facts import CertifiedVersion, LabelFacts, score_value
from evaluations.labels.keys import SigningKey, keys_document_url

VC_V2_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
# The media type of a VC 2.0 credential, embedded proof included (VC Data Model 2.0, "Media
# Types"); ``application/vc+json`` was a draft's name for it.
VC_MEDIA_TYPE: Final = "application/vc"
LABEL_CREDENTIAL_TYPE: Final = "SafeTechLabelCredential"
STATUS_LIST_CREDENTIAL_TYPE: Final = "BitstringStatusListCredential"
STATUS_PURPOSES: Final = ("revocation", "suspension")
STATUS_LIST_PATH: Final = "/labels/status"
# How long a signed status list stays valid; the registry signs it again well before that.
STATUS_LIST_VALIDITY: Final = timedelta(hours=24)
# How long a fetched status list may be cached (milliseconds): a verifier learns of a
# revocation within a minute.
STATUS_LIST_TTL_MS: Final = 60_000


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
    context_url: str,
    *,
    credential_id: str | None = None,
) -> dict[str, Any]:
    """The unsigned VC 2.0 credential of a label (sign it with ``sign_label_credential``).

    ``context_url`` is the registry's current SafeTech context (``safetech_context_url``):
    version 2 defines what the label certifies (category, activities, standards, privacy flags,
    its scope of versions and the facts revision).
    """
    if not 0 <= facts.status_list_index < STATUS_LIST_MIN_BITS:
        raise ValueError(f"status_list_index must be in 0..{STATUS_LIST_MIN_BITS - 1}")
    norm = {"code": facts.norm_code, "title": facts.norm_title, "version": facts.norm_version}
    credential: dict[str, Any] = {"@context": [VC_V2_CONTEXT, context_url]}
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
                **_certified_claims(facts),
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
                    "factsRevision": facts.facts_revision,
                    "scope": [_scope_entry(entry) for entry in facts.scope],
                },
            },
            "credentialStatus": [
                _status_entry(status_list_url, purpose, facts.status_list_index)
                for purpose in STATUS_PURPOSES
            ],
        }
    )
    return credential


def _certified_claims(facts: LabelFacts) -> dict[str, Any]:
    """What the label certifies of the solution, beside its name and vendor."""
    claims: dict[str, Any] = {}
    if facts.category is not None:
        claims["category"] = {"code": facts.category.code, "title": facts.category.title}
    claims.update(
        {
            "activities": [{"code": a.code, "title": a.title} for a in facts.activities],
            "standards": list(facts.standards),
            "privacySensitive": facts.privacy_sensitive,
            "usesBiometrics": facts.uses_biometrics,
            "usesFacialRecognition": facts.uses_facial_recognition,
        }
    )
    return claims


def _scope_entry(entry: CertifiedVersion) -> dict[str, Any]:
    """One certified version; its purl and CPE when the vendor declared them."""
    data: dict[str, Any] = {
        "type": "CertifiedVersion",
        "version": entry.version,
        "released": entry.released_on.isoformat(),
    }
    if entry.purl:
        data["purl"] = entry.purl
    if entry.cpe:
        data["cpe"] = entry.cpe
    return data


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
    """Build and sign a label's credential; its issuer, context and list URLs follow base_url."""
    credential = build_credential(
        facts,
        keys_document_url(base_url),
        status_list_base(base_url),
        safetech_context_url(base_url),
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
    """The signed Bitstring Status List credential for one purpose, with the given bits set.

    It is valid from ``created`` (default: now) for ``STATUS_LIST_VALIDITY``.
    """
    list_url = status_list_credential_url(status_list_base(base_url), purpose)
    signed_at = created or datetime.now(UTC)
    moment = _created(signed_at)
    credential = {
        "@context": [VC_V2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", STATUS_LIST_CREDENTIAL_TYPE],
        "issuer": keys_document_url(base_url),
        "validFrom": moment,
        "validUntil": format_created(signed_at + STATUS_LIST_VALIDITY),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode_status_list(revoked_indices),
            "ttl": STATUS_LIST_TTL_MS,
        },
    }
    return sign_credential(
        credential, signing_key.private_key, signing_key.verification_method(base_url), moment
    )


def credential_bytes(credential: dict[str, Any]) -> bytes:
    """The credential as the UTF-8 JSON file that is published and attached to the PDF."""
    return (json.dumps(credential, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
