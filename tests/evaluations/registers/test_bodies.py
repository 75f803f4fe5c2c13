"""The register of evaluation bodies: accreditations and their scope, the public list of
accredited bodies, and the authority's approval of the evaluators the bodies propose."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from evaluations.bodies import services
from evaluations.bodies.models import Accreditation, ApprovalStatus, EvaluatorApproval
from registry.database import db
from registry.dates import today
from registry.exceptions import AccessDenied, NotVisible, RuleViolation
from registry.mail import read_outbox
from registry.models import (
    AuditEntry,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    TechnologyCategory,
    User,
)
from registry.norms.services import create_norm
from tests.evaluations.registers.register_builders import (
    COMPETENCE,
    accreditation,
    first_category,
    member_of,
    proposed,
)

DAY = dt.timedelta(days=1)


@dataclass
class Scene:
    """The authority, an evaluation body with its administrator, and a vendor."""

    authority: User
    body_admin: User
    vendor: User

    @property
    def body(self) -> Organisation:
        return self.body_admin.organisation


@pytest.fixture
def scene(app: Flask, create_user: Callable[..., User]) -> Iterator[Scene]:
    with app.test_request_context():
        yield Scene(
            create_user(kind=OrganisationKind.AUTHORITY),
            create_user(kind=OrganisationKind.EVALUATION_BODY),
            create_user(kind=OrganisationKind.VENDOR),
        )


def _client(app: Flask, login: Callable[..., Any], user: User) -> FlaskClient:
    client = app.test_client()
    login(client, user)
    return client


def _second_category(first: TechnologyCategory) -> TechnologyCategory:
    other = db.session.scalar(
        select(TechnologyCategory).where(TechnologyCategory.id != first.id).limit(1)
    )
    assert other is not None
    return other


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


# --- accreditations -----------------------------------------------------------------------


def test_an_accreditation_is_valid_between_its_dates_until_withdrawn(
    app: Flask, scene: Scene
) -> None:
    recorded = accreditation(
        scene.authority, scene.body, valid_from=today() - DAY, valid_until=today() + DAY
    )
    db.session.commit()
    assert services.accreditation_state(recorded) is services.AccreditationState.VALID
    assert (
        services.accreditation_state(recorded, today() - 2 * DAY)
        is services.AccreditationState.NOT_YET_VALID
    )
    assert (
        services.accreditation_state(recorded, today() + 2 * DAY)
        is services.AccreditationState.EXPIRED
    )
    services.withdraw_accreditation(scene.authority, recorded, "Suspended by COFRAC.")
    db.session.commit()
    assert services.accreditation_state(recorded) is services.AccreditationState.WITHDRAWN
    assert _actions()[-2:] == ["accreditation.recorded", "accreditation.withdrawn"]
    # The body's administrator hears of both.
    subjects = [m.subject for m in read_outbox(app.config["OUTBOX_DIR"])]
    assert any("withdrawn" in s for s in subjects) and any("recorded" in s for s in subjects)
    with pytest.raises(RuleViolation, match="withdrawn accreditation cannot be changed"):
        services.update_accreditation(
            scene.authority,
            recorded,
            services.AccreditationData("COFRAC", "ISO", "X", today(), today(), []),
        )


def test_a_norm_in_the_scope_must_belong_to_its_row_s_category(app: Flask, scene: Scene) -> None:
    category = first_category()
    other = _second_category(category)
    norm = create_norm(scene.authority, "RG-SCOPE", "A norm of the first category", category.id)
    db.session.commit()
    with pytest.raises(RuleViolation, match="another technology category") as refused:
        accreditation(scene.authority, scene.body, scope=[(other.id, norm.id)])
    assert refused.value.field == "scope"
    db.session.rollback()
    with pytest.raises(RuleViolation, match="at least one technology category"):
        accreditation(scene.authority, scene.body, scope=[])
    db.session.rollback()
    with pytest.raises(RuleViolation, match="cannot end before it starts"):
        accreditation(scene.authority, scene.body, valid_from=today(), valid_until=today() - DAY)
    db.session.rollback()
    recorded = accreditation(scene.authority, scene.body, scope=[(category.id, norm.id)])
    assert services.describe_scope(recorded) == f"{category.name} (RG-SCOPE)"
    assert services.covers(recorded, norm)


def test_a_whole_category_covers_each_of_its_norms_and_no_other(app: Flask, scene: Scene) -> None:
    category = first_category()
    other = _second_category(category)
    inside = create_norm(scene.authority, "RG-INSIDE", "Inside", category.id)
    outside = create_norm(scene.authority, "RG-OUTSIDE", "Outside", other.id)
    recorded = accreditation(scene.authority, scene.body, scope=[(category.id, None)])
    assert services.covers(recorded, inside) and not services.covers(recorded, outside)
    assert services.accreditation_covering(scene.body.id, inside) is recorded
    assert services.accreditation_covering(scene.body.id, outside) is None
    # Outside its dates, or withdrawn, it covers nothing.
    assert services.accreditation_covering(scene.body.id, inside, today() + 365 * DAY) is None
    services.withdraw_accreditation(scene.authority, recorded, "Withdrawn.")
    assert services.accreditation_covering(scene.body.id, inside) is None


def test_only_the_authority_records_an_accreditation_and_only_for_an_evaluation_body(
    app: Flask, scene: Scene
) -> None:
    with pytest.raises(AccessDenied):
        accreditation(scene.body_admin, scene.body)
    with pytest.raises(RuleViolation, match="Only an evaluation body"):
        accreditation(scene.authority, scene.vendor.organisation)


def test_the_authority_records_and_edits_an_accreditation_through_the_form(
    app: Flask, scene: Scene, login: Callable[..., Any]
) -> None:
    category = first_category()
    norm = create_norm(scene.authority, "RG-FORM", "Form norm", category.id)
    other = _second_category(category)
    db.session.commit()
    client = _client(app, login, scene.authority)
    form = {
        "accreditation_body": "COFRAC",
        "standard": "ISO/IEC 17025:2017",
        "certificate_number": "1-6543",
        "valid_from": (today() - DAY).isoformat(),
        "valid_until": (today() + 300 * DAY).isoformat(),
        "scope-0-category": str(other.id),
        "scope-0-norm": str(norm.id),
    }
    url = f"/bodies/{scene.body.id}/accreditations/new"
    refused = client.post(url, data=form)
    assert refused.status_code == 200
    assert "belongs to another technology category" in refused.get_data(as_text=True)
    form["scope-0-category"] = str(category.id)
    form["scope-1-category"] = str(other.id)
    assert client.post(url, data=form).status_code == 302
    recorded = db.session.scalars(select(Accreditation)).one()
    assert [(row.category_id, row.norm_id) for row in recorded.scope] == [
        (category.id, norm.id),
        (other.id, None),
    ]
    edit = f"/bodies/accreditations/{recorded.id}/edit"
    assert 'value="1-6543"' in client.get(edit).get_data(as_text=True)
    form["valid_until"] = (today() + 600 * DAY).isoformat()
    del form["scope-1-category"]
    assert client.post(edit, data=form).status_code == 302
    db.session.expire_all()
    assert recorded.valid_until == today() + 600 * DAY and len(recorded.scope) == 1
    page = client.get(f"/bodies/{scene.body.id}").get_data(as_text=True)
    assert "1-6543" in page and "Valid" in page and f"{category.name} (RG-FORM)" in page


def test_the_body_s_members_read_its_accreditations_and_others_find_nothing(
    app: Flask, scene: Scene, login: Callable[..., Any], create_user: Callable[..., User]
) -> None:
    accreditation(scene.authority, scene.body, certificate="1-0001")
    db.session.commit()
    member = member_of(scene.body, "Plain member")
    db.session.commit()
    page = _client(app, login, member).get(f"/bodies/{scene.body.id}")
    assert page.status_code == 200 and "1-0001" in page.get_data(as_text=True)
    assert "Withdraw" not in page.get_data(as_text=True)
    stranger = create_user(kind=OrganisationKind.EVALUATION_BODY)
    assert _client(app, login, stranger).get(f"/bodies/{scene.body.id}").status_code == 404
    with pytest.raises(NotVisible):
        services.evaluation_body(scene.vendor, scene.body.id)


def test_the_public_register_lists_only_active_bodies_with_a_valid_accreditation(
    app: Flask,
    scene: Scene,
    client: FlaskClient,
    create_organisation: Callable[..., Organisation],
) -> None:
    empty = client.get("/evaluation-bodies").get_data(as_text=True)
    assert "No evaluation body holds a valid accreditation today." in empty
    scene.body.name = "Valid Lab"
    accreditation(scene.authority, scene.body, certificate="1-VALID")
    expired = create_organisation(OrganisationKind.EVALUATION_BODY, name="Expired Lab")
    accreditation(
        scene.authority,
        expired,
        valid_from=today() - 400 * DAY,
        valid_until=today() - DAY,
        certificate="1-EXPIRED",
    )
    withdrawn = create_organisation(OrganisationKind.EVALUATION_BODY, name="Withdrawn Lab")
    services.withdraw_accreditation(
        scene.authority,
        accreditation(scene.authority, withdrawn, certificate="1-WITHDRAWN"),
        "Withdrawn by its issuer.",
    )
    pending = create_organisation(
        OrganisationKind.EVALUATION_BODY, OrganisationStatus.PENDING, name="Pending Lab"
    )
    accreditation(scene.authority, pending, certificate="1-PENDING")
    future = create_organisation(OrganisationKind.EVALUATION_BODY, name="Future Lab")
    accreditation(
        scene.authority,
        future,
        valid_from=today() + DAY,
        valid_until=today() + 400 * DAY,
        certificate="1-FUTURE",
    )
    db.session.commit()
    page = client.get("/evaluation-bodies").get_data(as_text=True)
    assert "Valid Lab" in page and "1-VALID" in page and "ISO/IEC 17025:2017" in page
    for hidden in ("Expired Lab", "Withdrawn Lab", "Pending Lab", "Future Lab"):
        assert hidden not in page, hidden
    assert page.count("data-body") == 1
    # Every page's footer leads to it.
    assert 'href="/evaluation-bodies"' in client.get("/").get_data(as_text=True)


def test_the_authority_withdraws_an_accreditation_only_with_a_reason(
    app: Flask, scene: Scene, login: Callable[..., Any]
) -> None:
    recorded = accreditation(scene.authority, scene.body)
    db.session.commit()
    client = _client(app, login, scene.authority)
    url = f"/bodies/accreditations/{recorded.id}/withdraw"
    client.post(url, data={"reason": ""})
    db.session.expire_all()
    assert recorded.withdrawn_at is None
    client.post(url, data={"reason": "Suspended by the accreditation body."})
    db.session.expire_all()
    assert recorded.withdrawn_at is not None
    assert recorded.withdrawal_reason == "Suspended by the accreditation body."


# --- evaluator approvals ------------------------------------------------------------------


def test_a_refused_evaluator_reads_the_note_and_may_be_proposed_again(
    app: Flask, scene: Scene, login: Callable[..., Any]
) -> None:
    member = member_of(scene.body, "Dana Evaluator")
    db.session.commit()
    admin_client = _client(app, login, scene.body_admin)
    propose = f"/bodies/{scene.body.id}/evaluators/{member.id}/propose"
    assert admin_client.get(propose).status_code == 200
    answer = admin_client.post(
        propose,
        data={"qualifications": "MSc", "training": "Norms course", "experience": "One year"},
    )
    assert answer.status_code == 302
    approval = services.approval_of(member)
    assert approval is not None and approval.status is ApprovalStatus.PENDING
    assert "Training:\nNorms course" in approval.competence
    authority_client = _client(app, login, scene.authority)
    queue = authority_client.get("/bodies/approvals").get_data(as_text=True)
    assert "Dana Evaluator" in queue
    # A refusal needs a note.
    authority_client.post(f"/bodies/approvals/{approval.id}/refuse", data={"note": ""})
    db.session.expire_all()
    assert approval.status is ApprovalStatus.PENDING
    authority_client.post(
        f"/bodies/approvals/{approval.id}/refuse",
        data={"note": "Two years of experience are required."},
    )
    db.session.expire_all()
    refused = services.approval_of(member)
    assert refused is not None and refused.status is ApprovalStatus.REFUSED
    assert not services.is_approved(member)
    assert "No evaluator waits" in authority_client.get("/bodies/approvals").get_data(as_text=True)
    seen = admin_client.get(f"/bodies/approvals/{approval.id}").get_data(as_text=True)
    assert "Refused" in seen and "Two years of experience are required." in seen
    mails = [m for m in read_outbox(app.config["OUTBOX_DIR"]) if m.to == member.email]
    assert mails and "Two years of experience are required." in mails[0].body
    # Proposed again: a new pending request, the refusal's note gone from it.
    again = services.propose_evaluator(scene.body_admin, member, COMPETENCE)
    db.session.commit()
    assert again.id == approval.id and again.status is ApprovalStatus.PENDING
    assert again.decision_note == "" and again.decided_at is None
    assert [a for a in _actions() if a.startswith("evaluator_approval.")] == [
        "evaluator_approval.requested",
        "evaluator_approval.refused",
        "evaluator_approval.requested",
    ]


def test_the_authority_approves_then_withdraws_an_approval(app: Flask, scene: Scene) -> None:
    member = member_of(scene.body)
    approval = proposed(scene.body_admin, member)
    with pytest.raises(RuleViolation, match="already waits"):
        proposed(scene.body_admin, member)
    with pytest.raises(AccessDenied):
        services.approve_evaluator(scene.body_admin, approval)
    services.approve_evaluator(scene.authority, approval)
    assert services.is_approved(member)
    with pytest.raises(RuleViolation, match="already approved"):
        proposed(scene.body_admin, member)
    with pytest.raises(RuleViolation, match="reason"):
        services.withdraw_approval(scene.authority, approval, " ")
    services.withdraw_approval(scene.authority, approval, "Left the laboratory.")
    db.session.commit()
    assert approval.status is ApprovalStatus.WITHDRAWN and not services.is_approved(member)


def test_only_a_body_s_administrator_proposes_and_only_its_own_members(
    app: Flask,
    scene: Scene,
    login: Callable[..., Any],
    create_user: Callable[..., User],
) -> None:
    member = member_of(scene.body)
    other_body_admin = create_user(kind=OrganisationKind.EVALUATION_BODY)
    with pytest.raises(NotVisible):
        proposed(other_body_admin, member)
    plain = member_of(scene.body, admin=False)
    with pytest.raises(NotVisible):
        proposed(plain, member)
    db.session.commit()
    client = _client(app, login, other_body_admin)
    assert client.get(f"/bodies/{scene.body.id}/evaluators/{member.id}/propose").status_code == 404
    # The body's page lists its members with their approval status.
    page = _client(app, login, scene.body_admin).get("/bodies/mine", follow_redirects=True)
    assert "Not proposed" in page.get_data(as_text=True)
    assert db.session.scalars(select(EvaluatorApproval)).all() == []
