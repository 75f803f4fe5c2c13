"""Label credentials: eddsa-jcs-2022 proofs (W3C vector, tampering, garbage) and status lists."""

from __future__ import annotations

import base64
import copy
import gzip
import json
import zlib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import base58
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluations.labels.credentials import (
    STATUS_LIST_MIN_BITS,
    StatusListError,
    Verdict,
    VerdictCode,
    bit_is_set,
    decode_private_key,
    decode_public_key,
    decode_status_list,
    encode_private_key,
    encode_public_key,
    encode_status_list,
    format_created,
    generate_private_key,
    is_datetime_stamp,
    sign_credential,
    status_bit,
    verify_credential,
)

# The W3C test vector for eddsa-jcs-2022 and its key pair, copied into tests/standards/ (its
# README names the source and version).
VECTORS = Path(__file__).parents[2] / "standards" / "vc-di-eddsa"
W3C_SIGNED_JSON = (VECTORS / "eddsa-jcs-2022-signed.json").read_text(encoding="utf-8")
W3C_KEY_PAIR: dict[str, str] = json.loads((VECTORS / "keyPair.json").read_text(encoding="utf-8"))
VECTOR_METHOD = "https://vc.example/issuers/5678#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"

# Signing is deterministic and fast; no example database is written to the project tree.
PROPERTY_SETTINGS = settings(database=None, deadline=None, max_examples=60)

REGISTRY_KEY = generate_private_key()
REGISTRY_METHOD = "https://registry.example/keys#1"
CREATED = "2026-03-01T09:30:00Z"


def w3c_signed() -> dict[str, Any]:
    """A fresh copy of the signed W3C credential."""
    document: dict[str, Any] = json.loads(W3C_SIGNED_JSON)
    return document


def w3c_resolver(method: str) -> bytes | None:
    """Resolve only the W3C vector's verification method."""
    if method == VECTOR_METHOD:
        return decode_public_key(W3C_KEY_PAIR["publicKeyMultibase"])
    return None


def registry_resolver(method: str) -> bytes | None:
    """Resolve only the test registry key."""
    if method == REGISTRY_METHOD:
        return REGISTRY_KEY.public_key().public_bytes_raw()
    return None


def label_credential(**subject: Any) -> dict[str, Any]:
    """An unsigned credential shaped like the registry's label credentials."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "https://registry.example/labels/STR-2026-00042",
        "type": ["VerifiableCredential", "SafeTechLabelCredential"],
        "issuer": "https://registry.example",
        "validFrom": "2026-03-01T00:00:00Z",
        "credentialSubject": subject or {"id": "https://registry.example/solutions/7"},
    }


def sign_label(document: dict[str, Any]) -> dict[str, Any]:
    """Sign with the test registry key."""
    return sign_credential(document, REGISTRY_KEY, REGISTRY_METHOD, CREATED)


def tamper(value: Any) -> Any:
    """Return a different value of the same JSON type."""
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, list):
        return [*value, "extra"]
    if isinstance(value, dict):
        return {**value, "extra": True}
    raise AssertionError(f"no tampering defined for {value!r}")


# --- The W3C test vector -----------------------------------------------------------------------


def test_the_vector_is_the_w3c_alumni_credential_and_its_key() -> None:
    # Guards the copy: an emptied or swapped file would make the tests below vacuous.
    signed = w3c_signed()
    assert signed["id"] == "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33"
    assert signed["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert signed["proof"]["verificationMethod"].endswith(W3C_KEY_PAIR["publicKeyMultibase"])


def test_w3c_vector_verifies() -> None:
    verdict = verify_credential(w3c_signed(), w3c_resolver)
    assert verdict == Verdict(VerdictCode.VALID, "the signature is valid", ok=True)


def test_resigning_w3c_vector_reproduces_its_proof_byte_for_byte() -> None:
    signed = w3c_signed()
    expected_proof = signed.pop("proof")
    private_key = decode_private_key(W3C_KEY_PAIR["privateKeyMultibase"])

    resigned = sign_credential(
        signed,
        private_key,
        expected_proof["verificationMethod"],
        expected_proof["created"],
        proof_purpose=expected_proof["proofPurpose"],
    )

    assert resigned["proof"]["proofValue"] == expected_proof["proofValue"]
    assert resigned["proof"] == expected_proof
    assert resigned == w3c_signed()


def test_w3c_key_pair_round_trips_through_multikey() -> None:
    private_key = decode_private_key(W3C_KEY_PAIR["privateKeyMultibase"])
    assert encode_private_key(private_key) == W3C_KEY_PAIR["privateKeyMultibase"]
    assert encode_public_key(private_key.public_key()) == W3C_KEY_PAIR["publicKeyMultibase"]
    raw = decode_public_key(W3C_KEY_PAIR["publicKeyMultibase"])
    assert encode_public_key(raw) == W3C_KEY_PAIR["publicKeyMultibase"]


# --- Keys --------------------------------------------------------------------------------------


def test_generated_keys_encode_as_multikey_and_back() -> None:
    private_key = generate_private_key()
    public_multibase = encode_public_key(private_key.public_key())
    secret_multibase = encode_private_key(private_key)

    # The multicodec headers show up as these well-known prefixes.
    assert public_multibase.startswith("z6Mk")
    assert secret_multibase.startswith("z3u2")
    assert decode_public_key(public_multibase) == private_key.public_key().public_bytes_raw()
    assert decode_private_key(secret_multibase).private_bytes_raw() == (
        private_key.private_bytes_raw()
    )


@pytest.mark.parametrize(
    "multibase",
    [
        pytest.param(W3C_KEY_PAIR["privateKeyMultibase"], id="secret-key-as-public"),
        pytest.param(W3C_KEY_PAIR["publicKeyMultibase"][1:], id="no-multibase-prefix"),
        pytest.param("u" + W3C_KEY_PAIR["publicKeyMultibase"][1:], id="wrong-multibase-base"),
        pytest.param(W3C_KEY_PAIR["publicKeyMultibase"] + " ", id="trailing-space"),
        pytest.param(W3C_KEY_PAIR["publicKeyMultibase"][:-2], id="truncated"),
        pytest.param("z0OIl", id="outside-alphabet"),
        pytest.param("", id="empty"),
        pytest.param("z" + "2" * 5000, id="very-long"),
    ],
)
def test_decode_public_key_refuses_invalid_multikeys(multibase: str) -> None:
    with pytest.raises(ValueError, match="."):
        decode_public_key(multibase)


def test_decode_private_key_refuses_a_public_key() -> None:
    with pytest.raises(ValueError, match="multicodec header"):
        decode_private_key(W3C_KEY_PAIR["publicKeyMultibase"])


def test_encode_public_key_refuses_wrong_length() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        encode_public_key(b"\x01" * 31)


# --- Signing -----------------------------------------------------------------------------------


def test_signing_adds_a_data_integrity_proof_and_leaves_the_input_alone() -> None:
    document = label_credential()
    original = copy.deepcopy(document)

    signed = sign_label(document)

    assert document == original
    proof = signed["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-jcs-2022"
    assert proof["created"] == CREATED
    assert proof["verificationMethod"] == REGISTRY_METHOD
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["@context"] == document["@context"]
    assert proof["proofValue"].startswith("z")
    assert {key: value for key, value in signed.items() if key != "proof"} == document


def test_signed_copy_is_independent_of_the_input() -> None:
    document = label_credential()
    signed = sign_label(document)
    document["@context"].append("https://evil.example/v1")
    document["credentialSubject"]["id"] = "changed"
    assert verify_credential(signed, registry_resolver).ok


def test_document_without_context_gets_a_proof_without_context() -> None:
    document = {"id": "urn:example:1", "claim": 42}
    signed = sign_label(document)
    assert "@context" not in signed["proof"]
    assert verify_credential(signed, registry_resolver).ok


def test_signing_is_deterministic() -> None:
    assert sign_label(label_credential()) == sign_label(label_credential())


@pytest.mark.parametrize(
    ("document", "created", "error"),
    [
        pytest.param({"proof": {}}, CREATED, ValueError, id="already-signed"),
        pytest.param({"x": float("nan")}, CREATED, ValueError, id="nan"),
        pytest.param({"x": 2**53}, CREATED, ValueError, id="integer-beyond-i-json"),
        pytest.param({"x": 1}, "2026-03-01T09:30:00", ValueError, id="created-without-zone"),
        pytest.param({"x": 1}, "2026-02-29T09:30:00Z", ValueError, id="created-not-a-day"),
        pytest.param({"x": 1}, "yesterday", ValueError, id="created-not-a-date"),
        pytest.param(["not", "a", "dict"], CREATED, TypeError, id="not-a-dict"),
    ],
)
def test_signing_refuses_what_it_cannot_sign(
    document: Any, created: str, error: type[Exception]
) -> None:
    with pytest.raises(error, match="."):
        sign_credential(document, REGISTRY_KEY, REGISTRY_METHOD, created)


def test_signing_refuses_a_non_ed25519_key() -> None:
    with pytest.raises(TypeError, match="Ed25519PrivateKey"):
        sign_credential(label_credential(), "secret", REGISTRY_METHOD, CREATED)  # type: ignore[arg-type]


def test_format_created_gives_a_utc_datetime_stamp() -> None:
    moment = datetime(2026, 3, 1, 10, 30, 5, 999, tzinfo=timezone(timedelta(hours=1)))
    assert format_created(moment) == "2026-03-01T09:30:05Z"
    assert is_datetime_stamp(format_created(datetime.now(UTC)))
    with pytest.raises(ValueError, match="timezone-aware"):
        format_created(datetime(2026, 3, 1))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-02-24T23:36:38Z", True),
        ("2023-02-24T23:36:38.123456789+05:30", True),
        ("2024-02-29T00:00:00-14:00", True),
        ("2024-02-29T00:00:00+14:01", False),
        ("2024-02-29T00:00:00-13:59", True),
        ("2023-02-29T00:00:00Z", False),
        ("2023-04-31T00:00:00Z", False),
        ("2023-02-24T24:00:00Z", True),
        ("2023-02-24T24:00:01Z", False),
        ("2023-02-24 23:36:38Z", False),
        ("2023-02-24T23:36:38", False),
        ("2023-02-24T23:36:38Z\n", False),
        ("2023-02-24", False),
        (1677281798, False),
        (None, False),
    ],
)
def test_is_datetime_stamp(value: object, expected: bool) -> None:
    assert is_datetime_stamp(value) is expected


# --- Tampering ---------------------------------------------------------------------------------

W3C_TOP_LEVEL_FIELDS = [key for key in json.loads(W3C_SIGNED_JSON) if key != "proof"]


@pytest.mark.parametrize("field", W3C_TOP_LEVEL_FIELDS)
def test_changing_any_top_level_field_breaks_the_signature(field: str) -> None:
    signed = w3c_signed()
    if field == "@context":
        # Appending a context is allowed by the spec (see below); replacing one is not.
        signed[field] = ["https://www.w3.org/ns/credentials/v2", "https://evil.example/v1"]
    else:
        signed[field] = tamper(signed[field])
    assert verify_credential(signed, w3c_resolver).code == VerdictCode.BAD_SIGNATURE


@pytest.mark.parametrize("field", W3C_TOP_LEVEL_FIELDS)
def test_removing_any_top_level_field_breaks_the_signature(field: str) -> None:
    signed = w3c_signed()
    del signed[field]
    assert verify_credential(signed, w3c_resolver).code == VerdictCode.BAD_SIGNATURE


def test_adding_a_top_level_field_breaks_the_signature() -> None:
    signed = w3c_signed()
    signed["validUntil"] = "2099-01-01T00:00:00Z"
    assert verify_credential(signed, w3c_resolver).code == VerdictCode.BAD_SIGNATURE


@pytest.mark.parametrize("field", ["id", "alumniOf"])
def test_changing_a_nested_field_breaks_the_signature(field: str) -> None:
    signed = w3c_signed()
    signed["credentialSubject"][field] = tamper(signed["credentialSubject"][field])
    assert verify_credential(signed, w3c_resolver).code == VerdictCode.BAD_SIGNATURE


def test_changing_a_value_type_breaks_the_signature() -> None:
    signed = sign_label(label_credential(score=80))
    signed["credentialSubject"]["score"] = "80"
    assert verify_credential(signed, registry_resolver).code == VerdictCode.BAD_SIGNATURE


def test_appending_a_context_keeps_the_signature_valid() -> None:
    # eddsa-jcs-2022 section 3.3.2 step 4: the signed contexts must come first; later ones
    # may be added (for proof chains), and the hash is computed over the signed ones.
    signed = w3c_signed()
    signed["@context"] = [*signed["@context"], "https://extra.example/v1"]
    assert verify_credential(signed, w3c_resolver).ok


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("created", "2023-02-24T23:36:39Z"),
        ("@context", ["https://www.w3.org/ns/credentials/v2"]),
        ("@context", ["https://www.w3.org/ns/credentials/v2", "https://evil.example/v1"]),
        ("expires", "2099-01-01T00:00:00Z"),
        ("id", "urn:uuid:another-proof"),
    ],
)
def test_changing_a_proof_option_breaks_the_signature(field: str, value: Any) -> None:
    signed = w3c_signed()
    signed["proof"][field] = value
    assert verify_credential(signed, w3c_resolver).code == VerdictCode.BAD_SIGNATURE


def test_removing_created_from_the_proof_breaks_the_signature() -> None:
    signed = w3c_signed()
    del signed["proof"]["created"]
    assert verify_credential(signed, w3c_resolver).code == VerdictCode.BAD_SIGNATURE


def test_pointing_the_proof_at_another_method_with_the_same_key_breaks_it() -> None:
    signed = w3c_signed()
    signed["proof"]["verificationMethod"] = "https://vc.example/issuers/5678#key-2"

    def resolver(method: str) -> bytes | None:
        return decode_public_key(W3C_KEY_PAIR["publicKeyMultibase"])

    assert verify_credential(signed, resolver).code == VerdictCode.BAD_SIGNATURE


def test_changing_the_proof_purpose_breaks_the_signature() -> None:
    signed = w3c_signed()
    signed["proof"]["proofPurpose"] = "authentication"
    verdict = verify_credential(signed, w3c_resolver, expected_proof_purpose="authentication")
    assert verdict.code == VerdictCode.BAD_SIGNATURE


def test_a_proof_for_another_purpose_is_refused() -> None:
    signed = sign_credential(
        label_credential(), REGISTRY_KEY, REGISTRY_METHOD, CREATED, proof_purpose="authentication"
    )
    assert verify_credential(signed, registry_resolver).code == VerdictCode.WRONG_PURPOSE
    assert verify_credential(signed, registry_resolver, expected_proof_purpose="authentication").ok


def test_flipping_one_signature_bit_breaks_the_signature() -> None:
    signed = w3c_signed()
    signature = bytearray(base58.b58decode(signed["proof"]["proofValue"][1:]))
    signature[10] ^= 0x01
    signed["proof"]["proofValue"] = "z" + base58.b58encode(bytes(signature)).decode()
    assert verify_credential(signed, w3c_resolver).code == VerdictCode.BAD_SIGNATURE


def test_a_proof_copied_from_another_document_is_refused() -> None:
    genuine = sign_label(label_credential(id="https://registry.example/solutions/7"))
    forged = sign_label(label_credential(id="https://registry.example/solutions/8"))
    forged["proof"] = copy.deepcopy(genuine["proof"])
    assert verify_credential(genuine, registry_resolver).ok
    assert verify_credential(forged, registry_resolver).code == VerdictCode.BAD_SIGNATURE


def test_a_proof_value_copied_from_another_document_is_refused() -> None:
    genuine = sign_label(label_credential(level="Advanced"))
    forged = sign_label(label_credential(level="Certified"))
    forged["proof"]["proofValue"] = genuine["proof"]["proofValue"]
    assert verify_credential(forged, registry_resolver).code == VerdictCode.BAD_SIGNATURE


def test_a_signature_by_another_key_is_refused() -> None:
    impostor = generate_private_key()
    signed = sign_credential(label_credential(), impostor, REGISTRY_METHOD, CREATED)
    assert verify_credential(signed, registry_resolver).code == VerdictCode.BAD_SIGNATURE


# --- Keys the verifier does not know, suites it does not support -------------------------------


def test_unknown_verification_method_is_reported() -> None:
    signed = w3c_signed()
    signed["proof"]["verificationMethod"] = "https://elsewhere.example/keys#1"
    verdict = verify_credential(signed, w3c_resolver)
    assert verdict.code == VerdictCode.UNKNOWN_KEY
    assert not verdict.ok
    assert "elsewhere.example" in verdict.message


@pytest.mark.parametrize("resolved", [b"", b"\x00" * 31, b"\x00" * 33])
def test_a_resolver_returning_a_non_key_gives_unknown_key(resolved: bytes) -> None:
    verdict = verify_credential(w3c_signed(), lambda method: resolved)
    assert verdict.code == VerdictCode.UNKNOWN_KEY


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cryptosuite", "eddsa-rdfc-2022"),
        ("cryptosuite", "ecdsa-jcs-2019"),
        ("type", "Ed25519Signature2020"),
    ],
)
def test_other_suites_are_unsupported(field: str, value: str) -> None:
    signed = w3c_signed()
    signed["proof"][field] = value
    verdict = verify_credential(signed, w3c_resolver)
    assert verdict.code == VerdictCode.UNSUPPORTED_SUITE
    assert value in verdict.message


# --- Garbage -----------------------------------------------------------------------------------

JUNK = (bytes(range(256)) * 40).decode("latin-1")  # 10 KiB of every byte value


_DELETE = object()


def _with_proof(**changes: Any) -> dict[str, Any]:
    signed = w3c_signed()
    for key, value in changes.items():
        if value is _DELETE:
            del signed["proof"][key]
        else:
            signed["proof"][key] = value
    return signed


def _deeply_nested(depth: int) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    current = nested
    for _ in range(depth):
        current["a"] = {}
        current = current["a"]
    return nested


def _with_integer_key() -> dict[Any, Any]:
    document: dict[Any, Any] = w3c_signed()
    document[1] = "non-string key"
    return document


GARBAGE = [
    pytest.param(None, id="none"),
    pytest.param([], id="list"),
    pytest.param([w3c_signed()], id="list-of-credential"),
    pytest.param("a string", id="string"),
    pytest.param(JUNK, id="10KiB-junk-string"),
    pytest.param(JUNK.encode("latin-1"), id="10KiB-junk-bytes"),
    pytest.param(42, id="number"),
    pytest.param({}, id="empty-object"),
    pytest.param({"proof": None}, id="null-proof"),
    pytest.param({"proof": "z123"}, id="string-proof"),
    pytest.param({"proof": [w3c_signed()["proof"]]}, id="proof-set"),
    pytest.param({"proof": {}}, id="empty-proof"),
    pytest.param({"proof": {"proofValue": "not-multibase"}}, id="bare-proof-value"),
    pytest.param(_with_proof(proofValue="not-multibase"), id="proof-value-not-multibase"),
    pytest.param(_with_proof(proofValue="z" + "2" * 10_240), id="proof-value-10KiB"),
    pytest.param(_with_proof(proofValue=JUNK), id="proof-value-junk"),
    pytest.param(_with_proof(proofValue="z0OIl"), id="proof-value-outside-alphabet"),
    pytest.param(_with_proof(proofValue="z2"), id="proof-value-too-short"),
    pytest.param(_with_proof(proofValue=None), id="proof-value-null"),
    pytest.param(_with_proof(proofValue=_DELETE), id="proof-value-missing"),
    pytest.param(_with_proof(type=_DELETE), id="type-missing"),
    pytest.param(_with_proof(type=["DataIntegrityProof"]), id="type-list"),
    pytest.param(_with_proof(cryptosuite=None), id="cryptosuite-null"),
    pytest.param(_with_proof(verificationMethod=_DELETE), id="method-missing"),
    pytest.param(_with_proof(verificationMethod={"id": "x"}), id="method-object"),
    pytest.param(_with_proof(proofPurpose=_DELETE), id="purpose-missing"),
    pytest.param(_with_proof(created="2023-02-30T00:00:00Z"), id="created-impossible"),
    pytest.param(_with_proof(created=JUNK), id="created-junk"),
    pytest.param({**w3c_signed(), "junk": float("nan")}, id="nan-in-document"),
    pytest.param({**w3c_signed(), "junk": 2**64}, id="huge-integer-in-document"),
    pytest.param(_with_integer_key(), id="non-string-key"),
    pytest.param({**w3c_signed(), "junk": {1, 2}}, id="set-in-document"),
    pytest.param({**w3c_signed(), "junk": _deeply_nested(10_000)}, id="nested-10000-deep"),
    pytest.param(_with_proof(nonce=float("inf")), id="infinity-in-proof"),
]


@pytest.mark.parametrize("document", GARBAGE)
def test_garbage_is_malformed_and_never_raises(document: object) -> None:
    verdict = verify_credential(document, w3c_resolver)
    assert verdict.code == VerdictCode.MALFORMED
    assert not verdict.ok
    assert verdict.message
    assert len(verdict.message) < 300


def test_a_context_that_cannot_be_canonicalised_is_malformed() -> None:
    signed = w3c_signed()
    signed["proof"]["@context"] = [float("nan")]
    signed["@context"] = [float("nan")]
    assert verify_credential(signed, w3c_resolver).code == VerdictCode.MALFORMED


JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.binary(max_size=8)
)
ANY_VALUE = st.recursive(
    JSON_LEAVES,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=12) | st.integers(), children, max_size=4)
    ),
    max_leaves=20,
)


@PROPERTY_SETTINGS
@given(garbage=ANY_VALUE, proof=ANY_VALUE)
def test_verify_never_raises_and_never_accepts_garbage(garbage: Any, proof: Any) -> None:
    for document in (garbage, {"proof": proof}, {**w3c_signed(), "proof": proof}):
        verdict = verify_credential(document, w3c_resolver)
        assert isinstance(verdict, Verdict)
        assert not verdict.ok


# --- Round trip --------------------------------------------------------------------------------

# JSON values JCS can represent: I-JSON integers and finite floats.
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=25,
)


@PROPERTY_SETTINGS
@given(subject=JSON_VALUES)
def test_sign_then_verify_round_trips_any_subject(subject: Any) -> None:
    document = label_credential()
    document["credentialSubject"] = subject
    signed = sign_label(document)

    assert verify_credential(signed, registry_resolver).ok
    # What goes over the wire is JSON text; the proof must survive the trip.
    assert verify_credential(json.loads(json.dumps(signed)), registry_resolver).ok


@PROPERTY_SETTINGS
@given(subject=st.dictionaries(st.text(max_size=10), JSON_VALUES, min_size=1, max_size=5))
def test_dropping_any_subject_field_breaks_the_signature(subject: dict[str, Any]) -> None:
    signed = sign_label(label_credential(**{"claims": subject}))
    for key in subject:
        tampered = copy.deepcopy(signed)
        del tampered["credentialSubject"]["claims"][key]
        assert verify_credential(tampered, registry_resolver).code == VerdictCode.BAD_SIGNATURE


# --- Bitstring Status List ---------------------------------------------------------------------


def _decode_independently(encoded: str) -> bytes:
    """Decode an encodedList with the standard library only, as another verifier would."""
    assert encoded.startswith("u")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_status_list_format_is_multibase_base64url_of_gzip() -> None:
    encoded = encode_status_list([0, 9, STATUS_LIST_MIN_BITS - 1])
    assert encoded.startswith("u")
    assert "=" not in encoded
    assert set(encoded[1:]) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    )
    bitstring = _decode_independently(encoded)
    assert len(bitstring) == STATUS_LIST_MIN_BITS // 8
    # Index 0 is the most significant bit of the first byte.
    assert bitstring[0] == 0b1000_0000
    assert bitstring[1] == 0b0100_0000
    assert bitstring[-1] == 0b0000_0001
    assert not any(bitstring[2:-1])


def test_status_list_reads_a_list_built_by_another_issuer() -> None:
    bitstring = bytearray(STATUS_LIST_MIN_BITS // 8)
    bitstring[0] = 0b0100_0000  # index 1
    bitstring[2] = 0b0000_0001  # index 23
    compressed = gzip.compress(bytes(bitstring))  # with a timestamp, unlike ours
    encoded = "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")
    assert [status_bit(encoded, i) for i in range(25)] == [i in (1, 23) for i in range(25)]


def test_status_list_default_length_and_larger_lengths() -> None:
    assert len(decode_status_list(encode_status_list([]))) * 8 == STATUS_LIST_MIN_BITS
    larger = encode_status_list([STATUS_LIST_MIN_BITS + 7], length=STATUS_LIST_MIN_BITS + 8)
    assert len(decode_status_list(larger)) * 8 == STATUS_LIST_MIN_BITS + 8
    assert status_bit(larger, STATUS_LIST_MIN_BITS + 7)
    assert not status_bit(larger, STATUS_LIST_MIN_BITS + 6)


def test_status_list_encoding_is_deterministic() -> None:
    assert encode_status_list([5, 3, 3, 1]) == encode_status_list([1, 3, 5])


@PROPERTY_SETTINGS
@given(
    revoked=st.sets(st.integers(min_value=0, max_value=STATUS_LIST_MIN_BITS - 1), max_size=50),
    probes=st.lists(st.integers(min_value=0, max_value=STATUS_LIST_MIN_BITS - 1), max_size=50),
)
def test_status_list_set_bits_read_back_and_others_stay_clear(
    revoked: set[int], probes: list[int]
) -> None:
    encoded = encode_status_list(revoked)
    bitstring = decode_status_list(encoded)
    for index in [*revoked, *probes, 0, STATUS_LIST_MIN_BITS - 1]:
        assert bit_is_set(bitstring, index) is (index in revoked)
    # Every other bit is clear: the number of set bits is exactly the number revoked.
    assert sum(bin(byte).count("1") for byte in bitstring) == len(revoked)


@pytest.mark.parametrize(
    ("indices", "length"),
    [
        pytest.param([], STATUS_LIST_MIN_BITS - 8, id="shorter-than-the-minimum"),
        pytest.param([], 1024, id="far-too-short"),
        pytest.param([], STATUS_LIST_MIN_BITS + 1, id="not-whole-bytes"),
        pytest.param([STATUS_LIST_MIN_BITS], STATUS_LIST_MIN_BITS, id="index-past-the-end"),
        pytest.param([-1], STATUS_LIST_MIN_BITS, id="negative-index"),
        pytest.param([True], STATUS_LIST_MIN_BITS, id="boolean-index"),
        pytest.param(["3"], STATUS_LIST_MIN_BITS, id="string-index"),
    ],
)
def test_status_list_encoding_refuses_bad_input(indices: list[Any], length: int) -> None:
    with pytest.raises(StatusListError, match="."):
        encode_status_list(indices, length=length)


def _encoded(raw: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


VALID_LIST = encode_status_list([3])


@pytest.mark.parametrize(
    "encoded",
    [
        pytest.param(VALID_LIST[1:], id="no-multibase-prefix"),
        pytest.param("z" + VALID_LIST[1:], id="base58-prefix"),
        pytest.param(VALID_LIST + "=", id="padding"),
        pytest.param(VALID_LIST[:10] + "+" + VALID_LIST[11:], id="standard-base64-char"),
        pytest.param(VALID_LIST + "A", id="impossible-length"),
        pytest.param(VALID_LIST[:-8], id="truncated-gzip"),
        pytest.param(_encoded(b"not gzip at all"), id="not-gzip"),
        pytest.param(_encoded(zlib.compress(bytes(16384))), id="zlib-not-gzip"),
        pytest.param(_encoded(gzip.compress(bytes(100))), id="shorter-than-the-minimum"),
        pytest.param(
            _encoded(gzip.compress(bytes(16384)) + b"trailing"), id="data-after-the-stream"
        ),
        pytest.param("u", id="empty"),
        pytest.param(JUNK, id="junk"),
    ],
)
def test_status_list_decoding_refuses_invalid_lists(encoded: str) -> None:
    with pytest.raises(StatusListError, match="."):
        decode_status_list(encoded)


def test_status_list_decoding_refuses_a_gzip_bomb() -> None:
    bomb = _encoded(gzip.compress(bytes(64 * 1024 * 1024)))
    assert len(bomb) < 100_000
    with pytest.raises(StatusListError, match="larger than"):
        decode_status_list(bomb)


def test_status_list_decoding_respects_a_smaller_limit() -> None:
    with pytest.raises(StatusListError, match="larger than"):
        decode_status_list(VALID_LIST, max_bytes=1024)


@pytest.mark.parametrize("index", [-1, STATUS_LIST_MIN_BITS, True, 1.0, "0"])
def test_status_bit_refuses_indices_outside_the_list(index: Any) -> None:
    with pytest.raises(StatusListError, match="index"):
        status_bit(VALID_LIST, index)


def test_verdict_type_carries_status_codes_too() -> None:
    # The status check (elsewhere) reports with the same type and its own codes.
    revoked = Verdict("REVOKED", "the label was revoked on 2026-04-01")
    assert not revoked.ok
    assert VerdictCode.VALID == "VALID"
