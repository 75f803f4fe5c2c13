"""Change requests for certified facts: a labelled solution's certified fields change only when
the authority approves, and then everywhere the label and the catalog show them."""

from __future__ import annotations

import dataclasses
import json
import secrets
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from catalog import changes, services
from catalog.models import ChangeRequestStatus, Solution, SolutionChangeRequest
from catalog.search import indexer
from evaluations.models import Label
from registry.database import db
from registry.exceptions import AccessDenied, NotVisible, RuleViolation
from registry.mail import read_outbox
from registry.models import OrganisationKind, User
from tests.catalog.solution_builders import published
from tests.evaluations.labels.label_builders import LabelWorld, issued_label, make_world

NEW_NAME = "Quayside Sentinel"
NEW_STANDARD = "ISO/IEC 30137-1"


@pytest.fixture
def world(app: Flask, create_user: Callable[..., User]) -> LabelWorld:
    """An authority, a vendor, evaluators and a published norm."""
    return make_world(create_user)


@pytest.fixture
def label(world: LabelWorld) -> Label:
    """A valid label of a published solution of the world's vendor."""
    return issued_label(world)


def form_of(solution: Solution, **overrides: Any) -> dict[str, Any]:
    """The edit form as the page fills it for the solution, with some fields changed."""
    values: dict[str, Any] = {
        "name": solution.name,
        "primary_category": solution.primary_category.code if solution.primary_category else "",
        "activities": solution.activity_codes,
        "summary": solution.summary,
        "description_markdown": solution.description_markdown,
        "maturity": solution.maturity.value if solution.maturity else "",
        "standards": "\n".join(solution.standard_codes),
        "deployments": "\n".join(solution.deployment_texts),
        "privacy_features": solution.privacy_features,
        "price_model": solution.price_model.value if solution.price_model else "",
        "price_band": solution.price_band.value if solution.price_band else "",
        "regions": solution.region_codes,
    }
    for flag in ("privacy_sensitive", "uses_biometrics", "uses_facial_recognition"):
        if getattr(solution, flag):
            values[flag] = "y"
    values.update(overrides)
    return values


def data_of(solution: Solution, **overrides: Any) -> services.SolutionData:
    """The solution's current values as service data, with some fields changed."""
    return dataclasses.replace(services.data_of(solution), **overrides)


def file_request(world: LabelWorld, label: Label, **overrides: Any) -> SolutionChangeRequest:
    """The vendor renames the labelled solution (or changes what `overrides` say), committed."""
    solution = label.solution
    values = {"name": NEW_NAME, "change_reason": "The product was renamed.", **overrides}
    services.update_solution(world.vendor, solution, data_of(solution, **values))
    db.session.commit()
    request = changes.pending_request(solution.id)
    assert request is not None
    return request


def pdf_text(pdf: bytes, folder: Path) -> str:
    """The label PDF's text as poppler's pdftotext reads it, whitespace removed."""
    path = folder / f"label-{secrets.token_hex(4)}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return "".join(text.split())


def squeeze(text: str) -> str:
    """Text without whitespace, for comparing with pdf_text."""
    return "".join(text.split())


def public_views(app: Flask, label: Label, folder: Path) -> dict[str, str]:
    """Everything the public reads of the label and the solution, as an anonymous visitor."""
    indexer.apply_pending()
    visitor = app.test_client()
    number = label.number
    return {
        "label page": visitor.get(f"/labels/{number}").get_data(as_text=True),
        "label PDF": pdf_text(visitor.get(f"/labels/{number}.pdf").get_data(), folder),
        "credential": visitor.get(f"/labels/{number}.json").get_data(as_text=True),
        "feed": visitor.get("/labels/feed.atom").get_data(as_text=True),
        "CSV": visitor.get("/catalog.csv").get_data(as_text=True),
        "catalog": visitor.get("/catalog").get_data(as_text=True),
        "solution page": visitor.get(f"/solutions/{label.solution_id}").get_data(as_text=True),
    }


def proof_value(views: dict[str, str]) -> str:
    """The published credential's signature (a second-resolution timestamp can repeat)."""
    value: str = json.loads(views["credential"])["proof"]["proofValue"]
    return value


# --- the claim: nothing certified changes before the authority approves -------------------------


def test_a_certified_change_waits_for_the_authority_then_shows_everywhere(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    login: Callable[..., Any],
    world: LabelWorld,
    label: Label,
    tmp_path: Path,
) -> None:
    solution = label.solution
    old_name = solution.name
    before = public_views(app, label, tmp_path)
    for where, text in before.items():
        assert squeeze(old_name) in squeeze(text), where
        assert squeeze(NEW_NAME) not in squeeze(text), where
    assert NEW_STANDARD not in before["CSV"]

    # The vendor renames the solution and declares one more standard.
    login(client, world.vendor)
    edited = form_of(
        solution,
        name=NEW_NAME,
        standards="\n".join([*solution.standard_codes, NEW_STANDARD]),
        change_reason="Renamed after the merger; the new firmware passed ISO/IEC 30137-1.",
    )
    response = client.post(f"/manage/solutions/{solution.id}/edit", data=edited)
    assert response.status_code == 302
    flashed = client.get(response.location).get_data(as_text=True)
    assert "The change of product name, standards declared went to the authority" in flashed
    assert "Withdraw" in flashed

    # Nothing the public reads has changed: not the label, its PDF or credential, not the catalog.
    assert public_views(app, label, tmp_path) == before

    # The authority's diff shows exactly the two changed fields.
    request = changes.pending_request(solution.id)
    assert request is not None
    client = app.test_client()
    login(client, world.authority)
    page = client.get(f"/change-requests/{request.id}").get_data(as_text=True)
    assert page.count("<tr data-field=") == 2
    assert 'data-field="name"' in page
    assert 'data-field="standards"' in page
    assert NEW_NAME in page and old_name in page
    assert "Renamed after the merger" in page

    response = client.post(
        f"/change-requests/{request.id}/approve", data={"reason": "Merger confirmed by letter."}
    )
    assert response.status_code == 302
    db.session.expire_all()

    after = public_views(app, label, tmp_path)
    for where, text in after.items():
        assert squeeze(NEW_NAME) in squeeze(text), where
    assert NEW_STANDARD in after["CSV"]
    assert NEW_STANDARD in after["solution page"]
    # Re-signed under the same number, with an "amended" event in the label's history.
    credential = json.loads(after["credential"])
    assert proof_value(after) != proof_value(before)
    assert label.number in after["credential"]
    fresh = db.session.get(Label, label.id)
    assert fresh is not None
    assert fresh.number == label.number
    assert [event.action for event in fresh.events][-1] == "amended"
    assert "Amended" in after["label page"]

    # The offline verifier accepts the new credential (with the current status lists).
    visitor = app.test_client()
    options = []
    for purpose in ("revocation", "suspension"):
        status_list = tmp_path / f"{purpose}.json"
        status_list.write_bytes(visitor.get(f"/labels/status/{purpose}.json").get_data())
        options += ["--status-list", str(status_list)]
    credential_file = tmp_path / "label.json"
    credential_file.write_text(json.dumps(credential))
    result = runner.invoke(args=["labels", "verify", str(credential_file), *options])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"VALID: label {label.number}")


def test_a_refused_change_changes_nothing(
    app: Flask,
    client: FlaskClient,
    login: Callable[..., Any],
    world: LabelWorld,
    label: Label,
    tmp_path: Path,
) -> None:
    before = public_views(app, label, tmp_path)
    request = file_request(world, label, standards=[*label.solution.standard_codes, NEW_STANDARD])
    login(client, world.authority)
    response = client.post(
        f"/change-requests/{request.id}/refuse", data={"reason": "No evidence of the rename."}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SolutionChangeRequest, request.id).status is ChangeRequestStatus.REFUSED  # type: ignore[union-attr]
    assert public_views(app, label, tmp_path) == before
    assert [event.action for event in label.events][-1] != "amended"


def test_a_marketing_edit_saves_at_once_and_files_nothing(
    app: Flask, client: FlaskClient, login: Callable[..., Any], world: LabelWorld, label: Label
) -> None:
    solution = label.solution
    login(client, world.vendor)
    response = client.post(
        f"/manage/solutions/{solution.id}/edit",
        data=form_of(solution, summary="Now watches marinas too."),
    )
    assert response.status_code == 302
    assert "Changes saved." in client.get(response.location).get_data(as_text=True)
    assert changes.pending_request(solution.id) is None
    db.session.expire_all()
    assert "Now watches marinas too." in app.test_client().get(
        f"/solutions/{solution.id}"
    ).get_data(as_text=True)


# --- service rules ------------------------------------------------------------------------------


def test_a_certified_change_needs_a_reason(world: LabelWorld, label: Label) -> None:
    solution = label.solution
    with pytest.raises(RuleViolation) as refused:
        services.update_solution(world.vendor, solution, data_of(solution, name=NEW_NAME))
    assert refused.value.field == "change_reason"
    db.session.rollback()
    assert changes.pending_request(solution.id) is None


def test_one_pending_request_at_a_time_and_withdrawal(world: LabelWorld, label: Label) -> None:
    first = file_request(world, label)
    solution = label.solution
    with pytest.raises(RuleViolation, match="already waiting"):
        services.update_solution(
            world.vendor,
            solution,
            data_of(
                solution,
                uses_biometrics=True,
                privacy_features="Face templates never leave the edge box.",
                change_reason="Face matching added.",
            ),
        )
    db.session.rollback()
    changes.withdraw_change(world.vendor, first)
    db.session.commit()
    assert first.status is ChangeRequestStatus.WITHDRAWN
    assert solution.name != NEW_NAME
    # Once withdrawn, the vendor may ask again.
    second = file_request(world, label, name="Quayside Sentinel II")
    assert second.id != first.id
    with pytest.raises(RuleViolation, match="already withdrawn"):
        changes.withdraw_change(world.vendor, first)


def test_only_the_authority_decides_and_always_with_a_reason(
    world: LabelWorld, label: Label
) -> None:
    request = file_request(world, label)
    with pytest.raises(AccessDenied):
        changes.approve_change(world.vendor, request, "I approve my own change.")
    with pytest.raises(AccessDenied):
        changes.refuse_change(world.evaluators[0], request, "Not mine to decide.")
    with pytest.raises(RuleViolation) as refused:
        changes.approve_change(world.authority, request, "   ")
    assert refused.value.field == "decision_reason"
    db.session.rollback()
    changes.refuse_change(world.authority, request, "Not convincing.")
    db.session.commit()
    with pytest.raises(RuleViolation, match="already refused"):
        changes.approve_change(world.authority, request, "Changed my mind.")


def test_another_vendor_never_sees_the_request(
    client: FlaskClient,
    login: Callable[..., Any],
    create_user: Callable[..., User],
    world: LabelWorld,
    label: Label,
) -> None:
    request = file_request(world, label)
    rival = create_user(kind=OrganisationKind.VENDOR)
    with pytest.raises(NotVisible):
        changes.get_request(rival, request.id)
    with pytest.raises(NotVisible):
        changes.withdraw_change(rival, request)
    login(client, rival)
    assert client.get(f"/change-requests/{request.id}").status_code == 404
    assert client.post(f"/change-requests/{request.id}/withdraw").status_code == 404
    db.session.expire_all()
    assert db.session.get(SolutionChangeRequest, request.id).status is ChangeRequestStatus.PENDING  # type: ignore[union-attr]


def test_an_uncertified_solution_changes_at_once(world: LabelWorld) -> None:
    solution = published(world.vendor, name="Unlabelled Watch")
    assert not changes.certified_fields_locked(solution)
    services.update_solution(world.vendor, solution, data_of(solution, name=NEW_NAME))
    db.session.commit()
    assert solution.name == NEW_NAME
    assert changes.pending_request(solution.id) is None


# --- pages -------------------------------------------------------------------------------------


def test_the_edit_form_names_the_certified_fields_only_when_a_label_certifies_them(
    client: FlaskClient, login: Callable[..., Any], world: LabelWorld, label: Label
) -> None:
    unlabelled = published(world.vendor, name="Unlabelled Watch")
    login(client, world.vendor)
    page = client.get(f"/manage/solutions/{label.solution_id}/edit").get_data(as_text=True)
    assert "Why do the certified facts change?" in page
    assert "product name, technology category, security activities, standards declared" in page
    assert "Other fields are saved at once." in page
    other = client.get(f"/manage/solutions/{unlabelled.id}/edit").get_data(as_text=True)
    assert "Why do the certified facts change?" not in other
    # Without a reason, the form says why and nothing is filed.
    response = client.post(
        f"/manage/solutions/{label.solution_id}/edit", data=form_of(label.solution, name=NEW_NAME)
    )
    assert response.status_code == 200
    assert "State why the certified facts change" in response.get_data(as_text=True)
    assert changes.pending_request(label.solution_id) is None


def test_the_vendor_withdraws_and_reads_past_decisions(
    client: FlaskClient, login: Callable[..., Any], world: LabelWorld, label: Label
) -> None:
    request = file_request(world, label, primary_category="public-alert")
    login(client, world.vendor)
    detail = f"/manage/solutions/{label.solution_id}"
    page = client.get(detail).get_data(as_text=True)
    assert "Change of certified facts waiting for the authority" in page
    # Category codes are shown with their names: the certified one, the requested one.
    assert "Video analysis (video-analysis)" in page
    assert "Public alert and information systems (public-alert)" in page
    assert "Withdraw" in page
    response = client.post(f"/change-requests/{request.id}/withdraw")
    assert response.status_code == 302
    page = client.get(detail).get_data(as_text=True)
    assert "Change request withdrawn" in page
    assert "waiting for the authority" not in page
    assert "Past change requests" in page and "withdrawn" in page

    again = file_request(world, label)
    changes.refuse_change(world.authority, again, "The old name is on every contract.")
    db.session.commit()
    page = client.get(detail).get_data(as_text=True)
    assert "refused" in page
    assert "The old name is on every contract." in page


def test_the_authority_queue_pending_first_then_decided(
    app: Flask, client: FlaskClient, login: Callable[..., Any], world: LabelWorld
) -> None:
    login(client, world.authority)
    empty = client.get("/admin/change-requests").get_data(as_text=True)
    assert "No vendor has asked to change certified facts yet." in empty
    assert "/admin/change-requests" in client.get("/dashboard").get_data(as_text=True)

    decided = file_request(world, issued_label(world), name="Decided Name")
    changes.approve_change(world.authority, decided, "Fine.")
    db.session.commit()
    waiting = file_request(world, issued_label(world), name="Waiting Name")
    page = client.get("/admin/change-requests").get_data(as_text=True)
    assert "1</strong> waiting for a decision" in page
    assert page.index(f"Request {waiting.id}<") < page.index(f"Request {decided.id}<")

    app.config["PER_PAGE"] = 1
    first = client.get("/admin/change-requests").get_data(as_text=True)
    second = client.get("/admin/change-requests?page=2").get_data(as_text=True)
    assert f"Request {waiting.id}<" in first and f"Request {decided.id}<" not in first
    assert f"Request {decided.id}<" in second


def test_the_authority_needs_a_reason_and_mail_tells_each_side(
    app: Flask, client: FlaskClient, login: Callable[..., Any], world: LabelWorld, label: Label
) -> None:
    request = file_request(world, label)
    filed = [m for m in read_outbox(app.config["OUTBOX_DIR"]) if m.to == world.authority.email]
    assert any(label.solution.name in m.subject and "product name" in m.body for m in filed)

    login(client, world.authority)
    response = client.post(f"/change-requests/{request.id}/approve", data={"reason": ""})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Give a reason" in page
    assert changes.pending_request(label.solution_id) is not None

    client.post(f"/change-requests/{request.id}/refuse", data={"reason": "Keep the name."})
    told = [m for m in read_outbox(app.config["OUTBOX_DIR"]) if m.to == world.vendor.email]
    assert any("refused" in m.subject and "Keep the name." in m.body for m in told)
    page = client.get(f"/change-requests/{request.id}").get_data(as_text=True)
    assert "Keep the name." in page
    assert "Yes, approve the change" not in page


def test_a_vendor_sees_its_own_request_without_decision_forms(
    client: FlaskClient, login: Callable[..., Any], world: LabelWorld, label: Label
) -> None:
    request = file_request(
        world,
        label,
        name=label.solution.name,
        activities=["operation-prevention"],
        change_reason="Judicial use dropped.",
    )
    login(client, world.vendor)
    page = client.get(f"/change-requests/{request.id}").get_data(as_text=True)
    assert 'data-field="activities"' in page
    assert page.count("<tr data-field=") == 1
    assert "Judicial use dropped." in page
    assert "Yes, approve the change" not in page
    assert "Yes, withdraw the request" in page
    assert (
        client.post(f"/change-requests/{request.id}/approve", data={"reason": "x"}).status_code
        == 403
    )
