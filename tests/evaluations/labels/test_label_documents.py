"""Label credentials: building, signing, status lists and offline verification verdicts."""

from __future__ import annotations

import copy
import dataclasses
import json
import unicodedata
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluations.labels.credentials import (
    STATUS_LIST_MIN_BITS,
    Verdict,
    VerdictCode,
    sign_credential,
    status_bit,
)
from evaluations.labels.documents.facts import (
    CertifiedVersion,
    Classification,
    CriterionSummary,
    LabelFacts,
    score_value,
)
from evaluations.labels.documents.signing import (
    STATUS_LIST_TTL_MS,
    build_credential,
    build_status_list_credential,
    credential_bytes,
    issue_label_credential,
    sign_label_credential,
    status_list_base,
)
from evaluations.labels.documents.verification import verify_label_credential, verify_label_file
from evaluations.labels.keys import KeyStore, SigningKey, public_keys_document

BASE = "https://registry.example"
KEYS_URL = f"{BASE}/.well-known/safetech-keys.json"
CONTEXT_URL = f"{BASE}/contexts/safetech/v2"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def make_facts(**changes: Any) -> LabelFacts:
    """A label as the label service would describe it."""
    facts = LabelFacts(
        number="STR-2026-00042",
        status="valid",
        level="Advanced",
        score_percent=87.25,
        solution_id=7,
        solution_name="Sentinel Video Analytics",
        vendor_id=3,
        vendor_name="Acme Security",
        norm_code="VA-INTEROP",
        norm_title="Video analysis interoperability",
        norm_version="2",
        issued_on=date(2026, 1, 15),
        expires_on=date(2028, 1, 15),
        verification_url=f"{BASE}/labels/STR-2026-00042",
        status_list_index=42,
        criteria=(
            CriterionSummary("VA-1", "ONVIF Profile S conformance", "Pass", "Interoperability"),
            CriterionSummary("VA-2", "Open export format", "4 / 5", "Interoperability"),
            CriterionSummary("PR-1", "Privacy impact assessment", "Pass", "Privacy"),
        ),
        category=Classification("video-analysis", "Video analysis"),
        activities=(Classification("public-space", "Public space protection"),),
        standards=("ONVIF-S", "GDPR"),
        privacy_sensitive=True,
        uses_biometrics=True,
        scope=(
            CertifiedVersion(
                "2.1",
                date(2026, 3, 1),
                purl="pkg:generic/acme/watch@2.1",
                cpe="cpe:2.3:a:acme:watch:2.1:*:*:*:*:*:*:*",
            ),
            CertifiedVersion("2.0", date(2025, 9, 15), purl="pkg:generic/acme/watch@2.0"),
        ),
        facts_revision=2,
    )
    return dataclasses.replace(facts, **changes)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> KeyStore:
    """A key store with one key, shared by the module (keys are slow to nobody, but tidy)."""
    keys = KeyStore(tmp_path_factory.mktemp("label-keys"))
    keys.ensure_key()
    return keys


@pytest.fixture(scope="module")
def signing_key(store: KeyStore) -> SigningKey:
    """The store's current key."""
    return store.current_signing_key()


@pytest.fixture(scope="module")
def keys_document(store: KeyStore) -> dict[str, Any]:
    """The published keys file, as a verifier downloads it."""
    document: dict[str, Any] = json.loads(json.dumps(public_keys_document(BASE, store.directory)))
    return document


def issue(signing_key: SigningKey, **changes: Any) -> dict[str, Any]:
    """A signed label credential."""
    return issue_label_credential(make_facts(**changes), signing_key, BASE)


def as_file(credential: object) -> bytes:
    """What a verifier is handed: the JSON file."""
    return json.dumps(credential).encode()


def _lists(
    signing_key: SigningKey,
    revoked: tuple[int, ...] = (),
    suspended: tuple[int, ...] = (),
    *,
    signed_at: datetime = NOW,
) -> list[dict[str, Any]]:
    """Both status lists as the registry signs them at ``signed_at`` (current then)."""
    return [
        build_status_list_credential("revocation", revoked, signing_key, BASE, created=signed_at),
        build_status_list_credential("suspension", suspended, signing_key, BASE, created=signed_at),
    ]


# --- Building -----------------------------------------------------------------------------------


def test_the_credential_follows_the_vc_2_data_model() -> None:
    credential = build_credential(
        make_facts(),
        KEYS_URL,
        status_list_base(BASE),
        CONTEXT_URL,
        credential_id=f"{BASE}/labels/x.json",
    )

    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2", CONTEXT_URL]
    assert credential["id"] == f"{BASE}/labels/x.json"
    assert credential["type"] == ["VerifiableCredential", "SafeTechLabelCredential"]
    assert credential["issuer"] == {
        "id": KEYS_URL,
        "name": "National Public Security Technology Authority",
    }
    assert credential["validFrom"] == "2026-01-15T00:00:00Z"
    assert credential["validUntil"] == "2028-01-15T23:59:59Z"
    subject = credential["credentialSubject"]
    assert subject["name"] == "Sentinel Video Analytics"
    assert subject["vendor"] == {"name": "Acme Security", "vendorId": 3}
    label = subject["label"]
    assert label["number"] == "STR-2026-00042"
    assert label["level"] == "Advanced"
    assert label["scorePercent"] == 87.3
    assert label["norm"] == {
        "code": "VA-INTEROP",
        "title": "Video analysis interoperability",
        "version": "2",
    }
    assert label["verificationUrl"] == f"{BASE}/labels/STR-2026-00042"
    assert label["criteria"][1] == {
        "code": "VA-2",
        "title": "Open export format",
        "section": "Interoperability",
        "result": "4 / 5",
    }
    # The status changes after signing, so it lives in the status lists, not here.
    assert "status" not in subject and "status" not in label
    # What the label certifies, frozen with it: the facts and the versions.
    assert subject["category"] == {"code": "video-analysis", "title": "Video analysis"}
    assert subject["activities"] == [{"code": "public-space", "title": "Public space protection"}]
    assert subject["standards"] == ["ONVIF-S", "GDPR"]
    assert (subject["privacySensitive"], subject["usesBiometrics"]) == (True, True)
    assert subject["usesFacialRecognition"] is False
    assert label["factsRevision"] == 2
    assert label["scope"] == [
        {
            "type": "CertifiedVersion",
            "version": "2.1",
            "released": "2026-03-01",
            "purl": "pkg:generic/acme/watch@2.1",
            "cpe": "cpe:2.3:a:acme:watch:2.1:*:*:*:*:*:*:*",
        },
        {
            "type": "CertifiedVersion",
            "version": "2.0",
            "released": "2025-09-15",
            "purl": "pkg:generic/acme/watch@2.0",
        },
    ]


def test_the_credential_points_at_both_status_lists() -> None:
    credential = build_credential(make_facts(), KEYS_URL, status_list_base(BASE), CONTEXT_URL)
    assert credential["credentialStatus"] == [
        {
            "id": f"{BASE}/labels/status/revocation.json#42",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "42",
            "statusListCredential": f"{BASE}/labels/status/revocation.json",
        },
        {
            "id": f"{BASE}/labels/status/suspension.json#42",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "suspension",
            "statusListIndex": "42",
            "statusListCredential": f"{BASE}/labels/status/suspension.json",
        },
    ]


@pytest.mark.parametrize("index", [-1, STATUS_LIST_MIN_BITS])
def test_a_status_index_outside_the_list_is_refused(index: int) -> None:
    with pytest.raises(ValueError, match="status_list_index"):
        build_credential(
            make_facts(status_list_index=index), KEYS_URL, status_list_base(BASE), CONTEXT_URL
        )


@pytest.mark.parametrize(
    ("score", "shown"), [(87.25, 87.3), (87.24, 87.2), (60, 60.0), (99.95, 100.0), (0, 0.0)]
)
def test_scores_are_rounded_half_up_to_one_decimal(score: float, shown: float) -> None:
    assert score_value(score) == shown


def test_the_status_list_credential_is_signed_and_sets_the_given_bits(
    signing_key: SigningKey, keys_document: dict[str, Any]
) -> None:
    status_list = build_status_list_credential("revocation", [3, 42], signing_key, BASE)

    assert status_list["id"] == f"{BASE}/labels/status/revocation.json"
    assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert status_list["issuer"] == KEYS_URL
    subject = status_list["credentialSubject"]
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    assert [status_bit(subject["encodedList"], i) for i in (2, 3, 42, 43)] == [
        False,
        True,
        True,
        False,
    ]
    assert status_list["proof"]["cryptosuite"] == "eddsa-jcs-2022"


def test_the_status_list_is_valid_for_a_day_and_cached_for_a_minute(
    signing_key: SigningKey,
) -> None:
    status_list = build_status_list_credential("suspension", [], signing_key, BASE, created=NOW)
    assert status_list["validFrom"] == "2026-11-25T12:00:00Z"
    assert status_list["validUntil"] == "2026-11-26T12:00:00Z"
    # Bitstring Status List v1.0: ttl is in milliseconds, in the credential subject.
    assert status_list["credentialSubject"]["ttl"] == STATUS_LIST_TTL_MS == 60_000


def test_unknown_status_purposes_are_refused(signing_key: SigningKey) -> None:
    with pytest.raises(ValueError, match="purpose"):
        build_status_list_credential("message", [], signing_key, BASE)


# --- Signature verdicts ------------------------------------------------------------------------


def test_a_signed_label_verifies_from_json_bytes_and_from_a_path(
    signing_key: SigningKey, keys_document: dict[str, Any], tmp_path: Path
) -> None:
    credential = issue(signing_key)
    path = tmp_path / "STR-2026-00042.json"
    path.write_bytes(credential_bytes(credential))

    for source in (credential_bytes(credential), path, str(path)):
        verdict = verify_label_file(source, keys_document, _lists(signing_key), now=NOW)
        assert verdict.code == VerdictCode.VALID, verdict.message
        assert verdict.ok
        assert "STR-2026-00042" in verdict.message
        assert "Advanced" in verdict.message
        assert "not revoked or suspended" in verdict.message
        assert "current until 2026-11-26 12:00 UTC" in verdict.message


def test_sign_label_credential_uses_the_given_key(
    signing_key: SigningKey, keys_document: dict[str, Any]
) -> None:
    credential = build_credential(make_facts(), KEYS_URL, status_list_base(BASE), CONTEXT_URL)
    signed = sign_label_credential(
        credential, signing_key, BASE, created=datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
    )
    assert signed["proof"]["verificationMethod"] == f"{KEYS_URL}#{signing_key.id}"
    assert signed["proof"]["created"] == "2026-01-15T09:30:00Z"
    assert verify_label_credential(signed, keys_document, _lists(signing_key), now=NOW).ok


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda c: c["credentialSubject"]["label"].update(level="Gold"), id="level"),
        pytest.param(lambda c: c["credentialSubject"].update(name="Other"), id="solution"),
        pytest.param(lambda c: c.update(validUntil="2099-01-01T00:00:00Z"), id="expiry"),
        pytest.param(lambda c: c["credentialStatus"][0].update(statusListIndex="7"), id="index"),
        pytest.param(lambda c: c["credentialSubject"]["label"]["criteria"].pop(), id="criteria"),
        pytest.param(lambda c: c["proof"].update(created="2020-01-01T00:00:00Z"), id="created"),
    ],
)
def test_a_tampered_field_is_a_bad_signature(
    signing_key: SigningKey, keys_document: dict[str, Any], tamper: Any
) -> None:
    credential = issue(signing_key)
    tamper(credential)
    verdict = verify_label_file(as_file(credential), keys_document, now=NOW)
    assert verdict.code == VerdictCode.BAD_SIGNATURE
    assert not verdict.ok


def test_another_labels_signature_is_a_bad_signature(
    signing_key: SigningKey, keys_document: dict[str, Any]
) -> None:
    genuine = issue(signing_key, number="STR-2026-00001", level="Certified")
    forged = issue(signing_key, number="STR-2026-00002", level="Advanced")
    forged["proof"] = copy.deepcopy(genuine["proof"])
    lists = _lists(signing_key)
    assert verify_label_file(as_file(genuine), keys_document, lists, now=NOW).ok
    verdict = verify_label_file(as_file(forged), keys_document, lists, now=NOW)
    assert verdict.code == VerdictCode.BAD_SIGNATURE


def test_a_key_the_registry_never_published_is_an_unknown_key(
    keys_document: dict[str, Any], tmp_path: Path
) -> None:
    stranger = KeyStore(tmp_path / "elsewhere").current_signing_key()
    credential = issue_label_credential(make_facts(), stranger, "https://forger.example")
    verdict = verify_label_file(as_file(credential), keys_document, now=NOW)
    assert verdict.code == VerdictCode.UNKNOWN_KEY
    assert "forger.example" in verdict.message


def test_an_impostor_key_naming_our_key_is_a_bad_signature(
    signing_key: SigningKey, keys_document: dict[str, Any], tmp_path: Path
) -> None:
    impostor = KeyStore(tmp_path / "impostor").current_signing_key()
    # The forger names the registry's key id but signs with their own private key.
    disguised = dataclasses.replace(impostor, id=signing_key.id)
    credential = issue_label_credential(make_facts(), disguised, BASE)
    verdict = verify_label_file(as_file(credential), keys_document, now=NOW)
    assert verdict.code == VerdictCode.BAD_SIGNATURE


def test_a_credential_naming_another_issuer_is_refused(
    signing_key: SigningKey, keys_document: dict[str, Any]
) -> None:
    credential = build_credential(
        make_facts(), "https://other.example/issuer", "https://x/s", CONTEXT_URL
    )
    signed = sign_label_credential(credential, signing_key, BASE)
    verdict = verify_label_file(as_file(signed), keys_document, now=NOW)
    assert verdict.code == VerdictCode.WRONG_ISSUER


def test_a_signed_credential_that_is_not_a_label_is_malformed(
    signing_key: SigningKey, keys_document: dict[str, Any]
) -> None:
    status_list = build_status_list_credential("revocation", [], signing_key, BASE)
    verdict = verify_label_file(as_file(status_list), keys_document, now=NOW)
    assert verdict.code == VerdictCode.MALFORMED
    assert "not a SafeTech label" in verdict.message


# --- Status and dates --------------------------------------------------------------------------


def test_a_label_in_neither_list_is_valid_and_says_what_was_checked(
    signing_key: SigningKey, keys_document: dict[str, Any]
) -> None:
    lists = _lists(signing_key, revoked=(41, 43), suspended=(40,))
    verdict = verify_label_file(as_file(issue(signing_key)), keys_document, lists, now=NOW)
    assert verdict.code == VerdictCode.VALID
    assert "not revoked or suspended" in verdict.message
    assert "certified versions 2.1, 2.0" in verdict.message


def test_a_credential_under_context_v1_verifies_as_before(
    signing_key: SigningKey, keys_document: dict[str, Any]
) -> None:
    """Labels signed before the certified claims (SafeTech context v1) still verify."""
    unsigned = build_credential(
        make_facts(), KEYS_URL, status_list_base(BASE), f"{BASE}/contexts/safetech/v1"
    )
    for term in ("category", "activities", "standards", "privacySensitive", "usesBiometrics"):
        del unsigned["credentialSubject"][term]
    del unsigned["credentialSubject"]["usesFacialRecognition"]
    del unsigned["credentialSubject"]["label"]["scope"]
    lists = _lists(signing_key, revoked=(), suspended=())
    credential = sign_label_credential(unsigned, signing_key, BASE)
    verdict = verify_label_file(as_file(credential), keys_document, lists, now=NOW)
    assert verdict.code == VerdictCode.VALID, verdict.message
    assert "certified version" not in verdict.message


def test_a_label_without_a_recorded_version_says_so(
    signing_key: SigningKey, keys_document: dict[str, Any]
) -> None:
    lists = _lists(signing_key, revoked=(), suspended=())
    verdict = verify_label_file(
        as_file(issue(signing_key, scope=())), keys_document, lists, now=NOW
    )
    assert verdict.code == VerdictCode.VALID
    assert "no certified version recorded" in verdict.message


def test_a_revoked_label_is_revoked(signing_key: SigningKey, keys_document: dict[str, Any]) -> None:
    lists = _lists(signing_key, revoked=(42,))
    verdict = verify_label_file(as_file(issue(signing_key)), keys_document, lists, now=NOW)
    assert verdict.code == VerdictCode.REVOKED
    assert not verdict.ok
    assert "STR-2026-00042" in verdict.message


def test_a_suspended_label_is_suspended(
    signing_key: SigningKey, keys_document: dict[str, Any]
) -> None:
    lists = _lists(signing_key, suspended=(42,))
    verdict = verify_label_file(as_file(issue(signing_key)), keys_document, lists, now=NOW)
    assert verdict.code == VerdictCode.SUSPENDED
    assert not verdict.ok


def test_only_the_revocation_list_given_leaves_the_status_unknown(
    signing_key: SigningKey, keys_document: dict[str, Any]
) -> None:
    lists = _lists(signing_key, suspended=(42,))[:1]
    verdict = verify_label_file(as_file(issue(signing_key)), keys_document, lists, now=NOW)
    assert verdict.code == VerdictCode.STATUS_UNKNOWN
    assert not verdict.ok
    assert "no suspension status list matches it" in verdict.message


def test_status_lists_of_another_registry_leave_the_status_unknown(
    signing_key: SigningKey, keys_document: dict[str, Any], tmp_path: Path
) -> None:
    other = KeyStore(tmp_path / "other").current_signing_key()
    lists = [
        build_status_list_credential(purpose, [42], other, "https://other.example", created=NOW)
        for purpose in ("revocation", "suspension")
    ]
    verdict = verify_label_file(as_file(issue(signing_key)), keys_document, lists, now=NOW)
    assert verdict.code == VerdictCode.STATUS_UNKNOWN
    assert "no revocation status list matches it" in verdict.message


def test_an_altered_status_list_is_refused(
    signing_key: SigningKey, keys_document: dict[str, Any]
) -> None:
    revocation, suspension = _lists(signing_key, revoked=(42,))
    # Someone clears the label's bit to make a revoked label look fine.
    revocation["credentialSubject"]["encodedList"] = suspension["credentialSubject"]["encodedList"]
    verdict = verify_label_file(
        as_file(issue(signing_key)), keys_document, [revocation, suspension], now=NOW
    )
    assert verdict.code == VerdictCode.STATUS_LIST_INVALID


def test_a_status_list_signed_by_someone_else_is_refused(
    signing_key: SigningKey, keys_document: dict[str, Any], tmp_path: Path
) -> None:
    forger = KeyStore(tmp_path / "forger").current_signing_key()
    fake = build_status_list_credential("revocation", [], forger, "https://forger.example")
    fake["id"] = f"{BASE}/labels/status/revocation.json"
    verdict = verify_label_file(as_file(issue(signing_key)), keys_document, [fake], now=NOW)
    assert verdict.code == VerdictCode.STATUS_LIST_INVALID


def test_a_status_list_for_the_wrong_purpose_is_refused(
    signing_key: SigningKey, keys_document: dict[str, Any]
) -> None:
    unsigned = build_status_list_credential("suspension", [], signing_key, BASE)
    del unsigned["proof"]
    unsigned["id"] = f"{BASE}/labels/status/revocation.json"
    swapped = sign_credential(
        unsigned,
        signing_key.private_key,
        signing_key.verification_method(BASE),
        "2026-11-25T00:00:00Z",
    )
    verdict = verify_label_file(as_file(issue(signing_key)), keys_document, [swapped], now=NOW)
    assert verdict.code == VerdictCode.STATUS_LIST_INVALID


@pytest.mark.parametrize(
    ("now", "code"),
    [
        (datetime(2028, 1, 15, 23, 59, tzinfo=UTC), VerdictCode.VALID),
        (datetime(2028, 1, 16, 0, 0, tzinfo=UTC), VerdictCode.EXPIRED),
        (datetime(2030, 6, 1, tzinfo=UTC), VerdictCode.EXPIRED),
        (datetime(2026, 1, 15, 0, 0, tzinfo=UTC), VerdictCode.VALID),
        (datetime(2026, 1, 14, 23, 59, tzinfo=UTC), VerdictCode.NOT_YET_VALID),
    ],
)
def test_validity_dates(
    signing_key: SigningKey, keys_document: dict[str, Any], now: datetime, code: str
) -> None:
    lists = _lists(signing_key, signed_at=now)
    verdict = verify_label_file(as_file(issue(signing_key)), keys_document, lists, now=now)
    assert verdict.code == code


def test_an_expired_label_with_current_time(
    signing_key: SigningKey, keys_document: dict[str, Any]
) -> None:
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    credential = issue(signing_key, issued_on=yesterday - timedelta(days=400), expires_on=yesterday)
    verdict = verify_label_file(as_file(credential), keys_document)
    assert verdict.code == VerdictCode.EXPIRED
    assert yesterday.isoformat() in verdict.message


def test_revocation_outranks_expiry(signing_key: SigningKey, keys_document: dict[str, Any]) -> None:
    lists = _lists(signing_key, revoked=(42,))
    verdict = verify_label_file(
        as_file(issue(signing_key)), keys_document, lists, now=datetime(2031, 1, 1, tzinfo=UTC)
    )
    assert verdict.code == VerdictCode.REVOKED


# --- Never VALID without a current status -------------------------------------------------------


def test_without_status_lists_a_genuine_label_is_status_unknown_not_valid(
    signing_key: SigningKey, keys_document: dict[str, Any]
) -> None:
    lists: list[object] | None
    for lists in (None, []):
        verdict = verify_label_file(as_file(issue(signing_key)), keys_document, lists, now=NOW)
        assert verdict.code == VerdictCode.STATUS_UNKNOWN
        assert not verdict.ok
        assert "signature valid" in verdict.message
        assert "revoked or suspended is unknown" in verdict.message
        assert "no revocation status list was given" in verdict.message
        assert "no suspension status list was given" in verdict.message
        # It says where to get what is missing.
        assert f"{BASE}/labels/status/revocation.json" in verdict.message
        assert f"{BASE}/labels/status/suspension.json" in verdict.message


@pytest.mark.parametrize(
    ("signed_ago", "code"),
    [
        (timedelta(0), VerdictCode.VALID),
        (timedelta(hours=23, minutes=59), VerdictCode.VALID),
        (timedelta(hours=24), VerdictCode.VALID),  # validUntil itself is still valid
        (timedelta(hours=24, seconds=1), VerdictCode.STATUS_UNKNOWN),
        (timedelta(days=30), VerdictCode.STATUS_UNKNOWN),
    ],
)
def test_a_status_list_is_current_until_its_valid_until(
    signing_key: SigningKey, keys_document: dict[str, Any], signed_ago: timedelta, code: str
) -> None:
    lists = _lists(signing_key, signed_at=NOW - signed_ago)
    verdict = verify_label_file(as_file(issue(signing_key)), keys_document, lists, now=NOW)
    assert verdict.code == code, verdict.message
    if code == VerdictCode.STATUS_UNKNOWN:
        assert "the revocation status list expired on" in verdict.message


def test_a_status_list_without_valid_until_is_not_current(
    signing_key: SigningKey, keys_document: dict[str, Any]
) -> None:
    """A list signed before lists had a validUntil (or by a careless signer) proves nothing
    about today."""
    lists = []
    for status_list in _lists(signing_key):
        unsigned = {k: v for k, v in status_list.items() if k not in ("proof", "validUntil")}
        lists.append(
            sign_credential(
                unsigned,
                signing_key.private_key,
                signing_key.verification_method(BASE),
                "2026-11-25T12:00:00Z",
            )
        )
    verdict = verify_label_file(as_file(issue(signing_key)), keys_document, lists, now=NOW)
    assert verdict.code == VerdictCode.STATUS_UNKNOWN
    assert "has no validUntil" in verdict.message


def test_a_status_list_with_an_unreadable_valid_until_is_invalid(
    signing_key: SigningKey, keys_document: dict[str, Any]
) -> None:
    revocation, suspension = _lists(signing_key)
    unsigned = {k: v for k, v in revocation.items() if k != "proof"}
    unsigned["validUntil"] = "tomorrow"
    revocation = sign_credential(
        unsigned,
        signing_key.private_key,
        signing_key.verification_method(BASE),
        "2026-11-25T12:00:00Z",
    )
    verdict = verify_label_file(
        as_file(issue(signing_key)), keys_document, [revocation, suspension], now=NOW
    )
    assert verdict.code == VerdictCode.STATUS_LIST_INVALID


def test_a_revocation_in_an_out_of_date_list_still_revokes_but_a_suspension_does_not(
    signing_key: SigningKey, keys_document: dict[str, Any]
) -> None:
    """A revocation is final (Bitstring Status List v1.0); a suspension may have been lifted."""
    month_ago = NOW - timedelta(days=30)
    revoked = _lists(signing_key, revoked=(42,), signed_at=month_ago)
    verdict = verify_label_file(as_file(issue(signing_key)), keys_document, revoked, now=NOW)
    assert verdict.code == VerdictCode.REVOKED
    suspended = _lists(signing_key, suspended=(42,), signed_at=month_ago)
    verdict = verify_label_file(as_file(issue(signing_key)), keys_document, suspended, now=NOW)
    assert verdict.code == VerdictCode.STATUS_UNKNOWN
    # A current list lifts the suspension an old copy still shows.
    lifted = suspended + _lists(signing_key)
    verdict = verify_label_file(as_file(issue(signing_key)), keys_document, lifted, now=NOW)
    assert verdict.code == VerdictCode.VALID


def test_of_two_current_copies_the_newest_tells_the_suspension(
    signing_key: SigningKey, keys_document: dict[str, Any]
) -> None:
    older = _lists(signing_key, signed_at=NOW - timedelta(hours=2))
    newer = _lists(signing_key, suspended=(42,), signed_at=NOW - timedelta(hours=1))
    for lists in (older + newer, newer + older):
        verdict = verify_label_file(as_file(issue(signing_key)), keys_document, lists, now=NOW)
        assert verdict.code == VerdictCode.SUSPENDED


def test_a_signed_label_without_a_suspension_entry_is_status_unknown(
    signing_key: SigningKey, keys_document: dict[str, Any]
) -> None:
    credential = build_credential(make_facts(), KEYS_URL, status_list_base(BASE), CONTEXT_URL)
    credential["credentialStatus"] = credential["credentialStatus"][:1]
    signed = sign_label_credential(credential, signing_key, BASE)
    verdict = verify_label_credential(signed, keys_document, _lists(signing_key), now=NOW)
    assert verdict.code == VerdictCode.STATUS_UNKNOWN
    assert "the label has no suspension status entry" in verdict.message


# Every combination of what a verifier may hold for each purpose: the verdict is VALID only
# when both purposes are known from a current list and neither bit is set.
_HELD = ("current", "out of date", "missing")


@pytest.mark.parametrize(
    ("revocation", "revoked", "suspension", "suspended"),
    [
        (revocation, revoked, suspension, suspended)
        for revocation in _HELD
        for revoked in (False, True)
        for suspension in _HELD
        for suspended in (False, True)
        if not (revocation == "missing" and revoked) and not (suspension == "missing" and suspended)
    ],
)
def test_valid_needs_both_purposes_from_current_lists(
    signing_key: SigningKey,
    keys_document: dict[str, Any],
    revocation: str,
    revoked: bool,
    suspension: str,
    suspended: bool,
) -> None:
    lists = []
    for purpose, held, bit in (
        ("revocation", revocation, revoked),
        ("suspension", suspension, suspended),
    ):
        if held != "missing":
            signed_at = NOW if held == "current" else NOW - timedelta(days=2)
            lists.append(
                build_status_list_credential(
                    purpose, [42] if bit else [], signing_key, BASE, created=signed_at
                )
            )
    verdict = verify_label_file(as_file(issue(signing_key)), keys_document, lists, now=NOW)
    if revoked:
        expected = VerdictCode.REVOKED
    elif suspended and suspension == "current":
        expected = VerdictCode.SUSPENDED
    elif revocation == suspension == "current":
        expected = VerdictCode.VALID
    else:
        expected = VerdictCode.STATUS_UNKNOWN
    assert verdict.code == expected, verdict.message
    assert verdict.ok == (expected == VerdictCode.VALID)


@pytest.mark.parametrize(
    ("make", "code"),
    [
        pytest.param(
            lambda key: {**issue(key), "name": "changed"}, VerdictCode.BAD_SIGNATURE, id="tampered"
        ),
        pytest.param(
            lambda key: {**issue(key), "proof": "x"}, VerdictCode.MALFORMED, id="malformed"
        ),
        pytest.param(
            lambda key: issue(key, expires_on=date(2026, 11, 1)), VerdictCode.EXPIRED, id="expired"
        ),
        pytest.param(
            lambda key: issue(key, issued_on=date(2026, 12, 1)),
            VerdictCode.NOT_YET_VALID,
            id="not-yet-valid",
        ),
    ],
)
def test_what_is_known_without_status_lists_outranks_status_unknown(
    signing_key: SigningKey, keys_document: dict[str, Any], make: Any, code: str
) -> None:
    """A broken file or a label past its dates is a definite answer, lists or not."""
    verdict = verify_label_file(as_file(make(signing_key)), keys_document, None, now=NOW)
    assert verdict.code == code


# --- Garbage -----------------------------------------------------------------------------------

GARBAGE = [
    pytest.param(b"", id="empty"),
    pytest.param(b"   \n", id="blank"),
    pytest.param(b"{", id="truncated-json"),
    pytest.param(b"[]", id="json-list"),
    pytest.param(b"null", id="json-null"),
    pytest.param(b'"a string"', id="json-string"),
    pytest.param(b"{}", id="empty-object"),
    pytest.param(b'{"proof": NaN}', id="nan"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, id="deeply-nested"),
    pytest.param(bytes(range(256)) * 40, id="binary-junk"),
    pytest.param(b"\xff\xfe{\x00}\x00", id="utf16"),
    pytest.param(b"%PDF-1.7\n" + bytes(range(256)) * 10, id="pdf-header-junk"),
    pytest.param(b"%PDF-1.7\n%%EOF", id="pdf-empty"),
    pytest.param(b"PK\x03\x04" + b"\x00" * 100, id="zip"),
    pytest.param(b"<html><body>label</body></html>", id="html"),
]


@pytest.mark.parametrize("data", GARBAGE)
def test_garbage_is_malformed_and_never_raises(data: bytes, keys_document: dict[str, Any]) -> None:
    verdict = verify_label_file(data, keys_document)
    assert verdict.code == VerdictCode.MALFORMED
    assert not verdict.ok
    assert 0 < len(verdict.message) < 300


@pytest.mark.parametrize(
    "name", ["missing.json", ".", "dir"], ids=["missing", "current-dir", "a-directory"]
)
def test_unreadable_paths_are_malformed(
    name: str, keys_document: dict[str, Any], tmp_path: Path
) -> None:
    (tmp_path / "dir").mkdir()
    verdict = verify_label_file(tmp_path / name, keys_document)
    assert verdict.code == VerdictCode.MALFORMED
    assert "cannot be read" in verdict.message


def test_a_json_file_with_a_byte_order_mark_still_verifies(
    signing_key: SigningKey, keys_document: dict[str, Any]
) -> None:
    data = b"\xef\xbb\xbf" + credential_bytes(issue(signing_key))
    assert verify_label_file(data, keys_document, _lists(signing_key), now=NOW).ok


def test_garbage_keys_documents_and_status_lists_never_raise(
    signing_key: SigningKey, keys_document: dict[str, Any]
) -> None:
    data = as_file(issue(signing_key))
    document: object
    for document in (None, [], "x", {"verificationMethod": [{"id": 1}]}):
        assert verify_label_file(data, document).code == VerdictCode.UNKNOWN_KEY
    revocation = build_status_list_credential("revocation", [], signing_key, BASE)
    broken: list[list[object]] = [
        [None, 1, "x", []],
        [{**revocation, "credentialSubject": None}],
        [{**revocation, "credentialSubject": {"encodedList": "uAAAA"}}],
    ]
    for lists in broken:
        verdict = verify_label_file(data, keys_document, lists, now=NOW)
        assert verdict.code in (VerdictCode.STATUS_UNKNOWN, VerdictCode.STATUS_LIST_INVALID)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=2000))
def test_any_bytes_give_a_verdict(data: bytes, keys_document: dict[str, Any]) -> None:
    verdict = verify_label_file(data, keys_document)
    assert isinstance(verdict, Verdict)
    assert not verdict.ok


def test_messages_quote_untrusted_names_on_one_safe_line(
    signing_key: SigningKey, keys_document: dict[str, Any]
) -> None:
    credential = issue(
        signing_key, solution_name="Evil\nVERIFIED: all good\u202e\x1b[31m" + "x" * 500
    )
    verdict = verify_label_file(as_file(credential), keys_document, _lists(signing_key), now=NOW)
    assert verdict.ok
    assert "\n" not in verdict.message and "\x1b" not in verdict.message
    assert not any(unicodedata.category(char) == "Cf" for char in verdict.message)
    assert len(verdict.message) < 500
