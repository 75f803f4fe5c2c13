"""Label credentials as JSON-LD: every term defined (safe mode), the context served, re-signing.

A JSON-LD processor drops a property its contexts do not define, and one in safe mode refuses
the document: a label credential whose own terms are undefined states nothing to it. These
tests expand every kind of credential the registry makes (labels, both status lists, the demo
data, labels issued and re-signed through the services) against local copies of the contexts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from pyld import jsonld
from sqlalchemy import select

from evaluations.labels.credentials import STATUS_LIST_MIN_BITS, VerdictCode, verify_credential
from evaluations.labels.demo import MIN_LABELS
from evaluations.labels.documents.context import safetech_context, safetech_context_url
from evaluations.labels.documents.facts import CriterionSummary, LabelFacts
from evaluations.labels.documents.signing import (
    STATUS_PURPOSES,
    build_credential,
    build_status_list_credential,
    issue_label_credential,
    sign_label_credential,
    status_list_base,
)
from evaluations.labels.documents.verification import verify_label_credential
from evaluations.labels.keys import (
    KeyStore,
    SigningKey,
    current_signing_key,
    public_keys_document,
    resolver_from_document,
)
from evaluations.labels.publishing import status_lists
from evaluations.labels.status_changes import suspend_label
from evaluations.models import Label
from registry.database import db
from registry.models import User
from tests.evaluations.labels.label_builders import LabelWorld, issued_label, make_world
from tests.evaluations.labels.linked_data import (
    UndefinedTermsError,
    document_loader,
    expand_safely,
    registry_loader,
    w3c_contexts,
)
from tests.evaluations.labels.test_label_documents import make_facts

BASE = "https://registry.example"
VOCABULARY = f"{BASE}/contexts/safetech/v1#"
CREDENTIALS = "https://www.w3.org/2018/credentials#"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
LOADER = registry_loader(BASE)
ROOT = Path(__file__).parents[3]


@pytest.fixture(scope="module")
def signing_key(tmp_path_factory: pytest.TempPathFactory) -> SigningKey:
    """A key of a store shared by the module."""
    store = KeyStore(tmp_path_factory.mktemp("linked-data-keys"))
    store.ensure_key()
    return store.current_signing_key()


def first(node: dict[str, Any], iri: str) -> Any:
    """The first value of a property in an expanded node object."""
    return node[iri][0]


# --- The credential's terms ---------------------------------------------------------------------


def test_every_claim_of_a_label_survives_expansion(signing_key: SigningKey) -> None:
    credential = issue_label_credential(make_facts(), signing_key, BASE)
    assert credential["@context"] == [VC_V2, f"{BASE}/contexts/safetech/v2"]

    [expanded] = expand_safely(credential, LOADER)

    assert expanded["@type"] == [
        f"{CREDENTIALS}VerifiableCredential",
        f"{VOCABULARY}SafeTechLabelCredential",
    ]
    subject = first(expanded, f"{CREDENTIALS}credentialSubject")
    assert subject["@type"] == [f"{VOCABULARY}CertifiedSolution"]
    assert first(subject, f"{VOCABULARY}solutionId") == {"@value": 7}
    vendor = first(subject, f"{VOCABULARY}vendor")
    assert first(vendor, "https://schema.org/name") == {"@value": "Acme Security"}
    assert first(vendor, f"{VOCABULARY}vendorId") == {"@value": 3}
    label = first(subject, f"{VOCABULARY}label")
    assert label["@type"] == [f"{VOCABULARY}SafeTechLabel"]
    assert first(label, f"{VOCABULARY}number") == {"@value": "STR-2026-00042"}
    assert first(label, f"{VOCABULARY}level") == {"@value": "Advanced"}
    assert first(label, f"{VOCABULARY}scorePercent") == {"@value": 87.3}
    xsd_date = "http://www.w3.org/2001/XMLSchema#date"
    assert first(label, f"{VOCABULARY}expires") == {"@value": "2028-01-15", "@type": xsd_date}
    assert first(label, f"{VOCABULARY}verificationUrl") == {"@id": f"{BASE}/labels/STR-2026-00042"}
    norm = first(label, f"{VOCABULARY}norm")
    assert first(norm, f"{VOCABULARY}code") == {"@value": "VA-INTEROP"}
    assert first(norm, f"{VOCABULARY}version") == {"@value": "2"}
    # The criteria keep their order: an RDF list, not an unordered set.
    rows = first(label, f"{VOCABULARY}criteria")["@list"]
    assert [first(row, f"{VOCABULARY}code")["@value"] for row in rows] == ["VA-1", "VA-2", "PR-1"]
    assert first(rows[1], f"{VOCABULARY}result") == {"@value": "4 / 5"}
    assert first(rows[1], f"{VOCABULARY}section") == {"@value": "Interoperability"}
    # What the label certifies (context v2): the facts frozen with it and its versions.
    category = first(subject, f"{VOCABULARY}category")
    assert first(category, f"{VOCABULARY}code") == {"@value": "video-analysis"}
    assert first(category, f"{VOCABULARY}title") == {"@value": "Video analysis"}
    [activity] = subject[f"{VOCABULARY}activities"]
    assert first(activity, f"{VOCABULARY}code") == {"@value": "public-space"}
    assert [item["@value"] for item in subject[f"{VOCABULARY}standards"]] == ["ONVIF-S", "GDPR"]
    assert first(subject, f"{VOCABULARY}usesBiometrics") == {"@value": True}
    assert first(subject, f"{VOCABULARY}privacySensitive") == {"@value": True}
    assert first(subject, f"{VOCABULARY}usesFacialRecognition") == {"@value": False}
    assert first(label, f"{VOCABULARY}factsRevision") == {"@value": 2}
    scope = first(label, f"{VOCABULARY}scope")["@list"]
    assert [first(entry, f"{VOCABULARY}version")["@value"] for entry in scope] == ["2.1", "2.0"]
    assert scope[0]["@type"] == [f"{VOCABULARY}CertifiedVersion"]
    assert first(scope[0], f"{VOCABULARY}released") == {"@value": "2026-03-01", "@type": xsd_date}
    assert first(scope[0], f"{VOCABULARY}purl") == {"@value": "pkg:generic/acme/watch@2.1"}
    assert first(scope[0], f"{VOCABULARY}cpe") == {
        "@value": "cpe:2.3:a:acme:watch:2.1:*:*:*:*:*:*:*"
    }
    # The second version has no CPE: the entry leaves it out rather than state an empty one.
    assert f"{VOCABULARY}cpe" not in scope[1]
    # The proof is read with the contexts it repeats, and stays a graph of its own.
    proof = first(expanded, "https://w3id.org/security#proof")["@graph"][0]
    assert proof["@type"] == ["https://w3id.org/security#DataIntegrityProof"]


def test_a_credential_under_context_v1_still_expands(
    signing_key: SigningKey,
) -> None:
    """Version 1 never changes: a label signed under it (without the certified claims) reads
    as before."""
    unsigned = build_credential(
        make_facts(), f"{BASE}/keys", status_list_base(BASE), safetech_context_url(BASE, 1)
    )
    subject = unsigned["credentialSubject"]
    for term in ("category", "activities", "standards", "privacySensitive", "usesBiometrics"):
        del subject[term]
    del subject["usesFacialRecognition"], subject["label"]["scope"]
    del subject["label"]["factsRevision"]
    old = sign_label_credential(unsigned, signing_key, BASE)
    [expanded] = expand_safely(old, LOADER)
    label = first(first(expanded, f"{CREDENTIALS}credentialSubject"), f"{VOCABULARY}label")
    assert first(label, f"{VOCABULARY}number") == {"@value": "STR-2026-00042"}
    # Under v1 a v2 term is undefined: a new term needs the new version.
    unsigned["credentialSubject"]["label"]["scope"] = [{"version": "1.0"}]
    with pytest.raises(UndefinedTermsError) as refused:
        expand_safely(sign_label_credential(unsigned, signing_key, BASE), LOADER)
    assert refused.value.terms == ["scope"]


def test_version_1_of_the_context_is_unchanged() -> None:
    """A published version never changes: v2 holds every term of v1, meaning the same."""
    published = (ROOT / "evaluations/labels/documents/safetech-v1.jsonld").read_bytes()
    assert hashlib.sha256(published).hexdigest() == (
        "7669b6b3af2cbb0b66e8a0e54585bf92f4f82cf35f9d34385eca2c02f52534fe"
    )
    v1 = safetech_context(BASE, 1)["@context"]
    v2 = safetech_context(BASE, 2)["@context"]
    assert "scope" not in json.dumps(v1) and "category" not in v1
    assert v1["safetech"] == v2["safetech"] == VOCABULARY
    for term, meaning in v1.items():
        if term != "label":
            assert v2[term] == meaning
    for term, meaning in v1["label"]["@context"].items():
        assert v2["label"]["@context"][term] == meaning


facts_strategy = st.builds(
    lambda name, vendor, criteria, index, score, days: make_facts(
        solution_name=name,
        vendor_name=vendor,
        criteria=tuple(criteria),
        status_list_index=index,
        score_percent=score,
        expires_on=date(2026, 1, 15) + timedelta(days=days),
    ),
    name=st.text(min_size=1, max_size=30),
    vendor=st.text(min_size=1, max_size=30),
    criteria=st.lists(
        st.builds(
            CriterionSummary,
            code=st.text(min_size=1, max_size=8),
            title=st.text(max_size=30),
            result=st.sampled_from(["Pass", "Fail", "4 / 5", "0 / 5"]),
            section=st.text(max_size=20),
        ),
        max_size=6,
    ),
    index=st.integers(0, STATUS_LIST_MIN_BITS - 1),
    score=st.floats(0, 100),
    days=st.integers(1, 2000),
)


@settings(database=None, deadline=None, max_examples=25)
@given(facts=facts_strategy)
def test_every_label_credential_expands_in_safe_mode(
    signing_key: SigningKey, facts: LabelFacts
) -> None:
    credential = issue_label_credential(facts, signing_key, BASE)
    [expanded] = expand_safely(credential, LOADER)
    label = first(first(expanded, f"{CREDENTIALS}credentialSubject"), f"{VOCABULARY}label")
    assert len(first(label, f"{VOCABULARY}criteria")["@list"]) == len(facts.criteria)


@pytest.mark.parametrize("purpose", STATUS_PURPOSES)
def test_the_status_list_credentials_expand_in_safe_mode(
    signing_key: SigningKey, purpose: str
) -> None:
    credential = build_status_list_credential(purpose, [3, 42], signing_key, BASE)
    [expanded] = expand_safely(credential, LOADER)
    subject = first(expanded, f"{CREDENTIALS}credentialSubject")
    status = "https://www.w3.org/ns/credentials/status#"
    assert subject["@type"] == [f"{status}BitstringStatusList"]
    assert first(subject, f"{status}statusPurpose") == {"@value": purpose}


# --- The check can fail, and fails on what a processor would drop -------------------------------


def test_a_credential_with_the_vc_context_alone_has_undefined_terms(
    signing_key: SigningKey,
) -> None:
    """What the registry issued before its own context: a processor would drop every claim."""
    unsigned = build_credential(
        make_facts(), f"{BASE}/keys", status_list_base(BASE), safetech_context_url(BASE)
    )
    unsigned["@context"] = [VC_V2]
    old = sign_label_credential(unsigned, signing_key, BASE)

    with pytest.raises(UndefinedTermsError) as refused:
        expand_safely(old, LOADER)
    assert {"SafeTechLabelCredential", "CertifiedSolution", "label", "vendor", "solutionId"} <= set(
        refused.value.terms
    )
    # A processor that is not in safe mode keeps the subject's name and its type (resolved
    # against whatever base the reader happens to have): the label, vendor and criteria are gone.
    subject = first(
        jsonld.expand(old, {"documentLoader": LOADER})[0], f"{CREDENTIALS}credentialSubject"
    )
    assert set(subject) == {"@type", "https://schema.org/name"}
    assert not subject["@type"][0].startswith(VOCABULARY)


SPOTS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "credential": lambda c: c,
    "subject": lambda c: c["credentialSubject"],
    "vendor": lambda c: c["credentialSubject"]["vendor"],
    "label": lambda c: c["credentialSubject"]["label"],
    "norm": lambda c: c["credentialSubject"]["label"]["norm"],
    "criterion": lambda c: c["credentialSubject"]["label"]["criteria"][0],
    "status entry": lambda c: c["credentialStatus"][1],
    "proof": lambda c: c["proof"],
}


@pytest.mark.parametrize("spot", SPOTS)
def test_an_undefined_property_anywhere_is_refused(signing_key: SigningKey, spot: str) -> None:
    credential = issue_label_credential(make_facts(), signing_key, BASE)
    SPOTS[spot](credential)["remark"] = "not in any context"
    with pytest.raises(UndefinedTermsError) as refused:
        expand_safely(credential, LOADER)
    assert refused.value.terms == ["remark"]


@pytest.mark.parametrize("spot", ["subject", "label"])
def test_an_undefined_type_is_refused(signing_key: SigningKey, spot: str) -> None:
    credential = issue_label_credential(make_facts(), signing_key, BASE)
    SPOTS[spot](credential)["type"] = "Gadget"
    with pytest.raises(UndefinedTermsError) as refused:
        expand_safely(credential, LOADER)
    assert refused.value.terms == ["Gadget"]


def test_the_context_is_protected(signing_key: SigningKey) -> None:
    """A context listed after ours cannot make the label's claims mean something else."""
    credential = issue_label_credential(make_facts(), signing_key, BASE)
    credential["@context"].append({"label": "https://evil.example/label"})
    with pytest.raises(jsonld.JsonLdError, match="protected term redefinition"):
        jsonld.expand(credential, {"documentLoader": LOADER})


def test_no_context_is_fetched_from_elsewhere(signing_key: SigningKey) -> None:
    credential = issue_label_credential(make_facts(), signing_key, BASE)
    credential["@context"].append("https://evil.example/context.jsonld")
    with pytest.raises(jsonld.JsonLdError, match="loading remote context failed"):
        expand_safely(credential, LOADER)


def test_the_vocabulary_is_the_registrys_own() -> None:
    context = safetech_context("https://labels.example.org/", 1)["@context"]
    assert context["safetech"] == "https://labels.example.org/contexts/safetech/v1#"
    assert context["@protected"] is True
    # No catch-all: a term the context does not name stays undefined.
    assert "@vocab" not in json.dumps(context)


# --- Served, issued, re-signed, and the demo ----------------------------------------------------


@pytest.fixture
def world(app: Flask, create_user: Callable[..., User]) -> Iterator[LabelWorld]:
    """People and a published norm version."""
    with app.test_request_context():
        yield make_world(create_user)


def served_loader(app: Flask, client: FlaskClient) -> Callable[[str, Any], dict[str, Any]]:
    """The W3C contexts from node_modules and the SafeTech contexts as the registry serves them."""
    contexts = w3c_contexts()
    for version in (1, 2):
        response = client.get(f"/contexts/safetech/v{version}")
        assert response.status_code == 200
        contexts[safetech_context_url(app.config["BASE_URL"], version)] = json.loads(response.data)
    return document_loader(contexts)


def served_credentials(client: FlaskClient, numbers: list[str]) -> list[dict[str, Any]]:
    """The label credentials and both status lists, as the registry serves them."""
    documents = []
    for path in [f"/labels/{n}.json" for n in numbers] + [
        f"/labels/status/{p}.json" for p in STATUS_PURPOSES
    ]:
        response = client.get(path)
        assert response.status_code == 200
        assert response.mimetype == "application/vc"
        documents.append(json.loads(response.data))
    return documents


@pytest.mark.parametrize("version", [1, 2])
def test_the_context_is_served_as_json_ld(app: Flask, client: FlaskClient, version: int) -> None:
    response = client.get(f"/contexts/safetech/v{version}")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert json.loads(response.data) == safetech_context(app.config["BASE_URL"], version)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "public" in response.headers["Cache-Control"]
    again = client.get(
        f"/contexts/safetech/v{version}", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_labels_issued_and_resigned_by_the_registry_expand_with_the_served_context(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, world: LabelWorld
) -> None:
    labels = [issued_label(world), issued_label(world, level="Advanced", percent=91.0)]
    suspend_label(world.authority, labels[1], "Finding")
    db.session.commit()
    loader = served_loader(app, client)
    keys = client.get("/.well-known/safetech-keys.json").get_json()
    numbers = [label.number for label in labels]

    for document in served_credentials(client, numbers):
        expand_safely(document, loader)
        assert verify_credential(document, resolver_from_document(keys)).ok

    assert runner.invoke(args=["labels", "resign"]).exit_code == 0
    for document in served_credentials(client, numbers):
        expand_safely(document, loader)
        assert verify_credential(document, resolver_from_document(keys)).ok


def test_a_credential_signed_before_the_context_still_verifies(
    app: Flask, client: FlaskClient, world: LabelWorld
) -> None:
    """A label file handed out before the SafeTech context was added checks out by its
    signature: the context changes what a JSON-LD processor reads, not what was signed."""
    label = issued_label(world)
    stored = json.loads(label.credential)
    unsigned = {key: value for key, value in stored.items() if key != "proof"}
    unsigned["@context"] = [VC_V2]
    old = sign_label_credential(unsigned, current_signing_key(), app.config["BASE_URL"])
    keys = public_keys_document(app.config["BASE_URL"])
    verdict = verify_label_credential(old, keys, status_lists())
    assert verdict.code == VerdictCode.VALID, verdict.message


@pytest.mark.slow
def test_every_demo_credential_expands_and_verifies(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner
) -> None:
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    numbers = [label.number for label in db.session.scalars(select(Label).order_by(Label.id))]
    assert len(numbers) >= MIN_LABELS
    loader = served_loader(app, client)
    keys = client.get("/.well-known/safetech-keys.json").get_json()

    documents = served_credentials(client, numbers)
    for document in documents:
        expand_safely(document, loader)
        assert verify_credential(document, resolver_from_document(keys)).ok
    assert len(documents) == len(numbers) + len(STATUS_PURPOSES)
