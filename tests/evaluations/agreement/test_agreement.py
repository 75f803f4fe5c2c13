"""The certification agreement: the authority publishes versions, a vendor's administrator
accepts them, and applying for evaluation needs the version in force accepted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from evaluations.agreement.models import AgreementAcceptance, AgreementVersion
from evaluations.agreement.services import accept_version, current_version, publish_version
from evaluations.services.application import apply_for_evaluation
from registry.database import db
from registry.dates import today
from registry.exceptions import AccessDenied, RuleViolation
from registry.mail import read_outbox
from registry.models import AuditEntry, User
from tests.catalog.solution_builders import first_version
from tests.evaluations.agreement.agreement_builders import MARK_RULES, TERMS, accepted, published
from tests.evaluations.evaluation_builders import Cast, make_cast


@pytest.fixture
def cast(app: Flask, create_user: Callable[..., User]) -> Iterator[Cast]:
    """People, a norm and a solution; no agreement published yet."""
    with app.test_request_context(base_url=app.config["BASE_URL"]):
        yield make_cast(create_user)


def _apply(cast: Cast) -> Any:
    return apply_for_evaluation(
        cast.vendor,
        cast.solution_id,
        cast.version.id,
        product_version_id=first_version(cast.vendor, cast.solution_id).id,
    )


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_no_application_before_any_agreement_is_published(cast: Cast) -> None:
    with pytest.raises(RuleViolation, match="No certification agreement is published yet"):
        _apply(cast)


def test_applying_needs_the_version_in_force_accepted(app: Flask, cast: Cast) -> None:
    first = published(cast.authority)
    db.session.commit()
    with pytest.raises(RuleViolation, match=r"version 1\).*\(/agreement\)"):
        _apply(cast)
    db.session.rollback()
    accepted(cast.vendor)
    assert _apply(cast).vendor_id == cast.vendor.organisation_id
    db.session.commit()

    # A new version: every vendor administrator is asked to accept it, and must before applying.
    second = publish_version(cast.authority, TERMS + "\n\nNew clause.", MARK_RULES, None)
    db.session.commit()
    assert (second.number, current_version()) == (2, second)
    mails = [m for m in read_outbox(app.config["OUTBOX_DIR"]) if "version 2" in m.subject]
    assert {m.to for m in mails} >= {cast.vendor.email, cast.other_vendor.email}
    assert "before its next application" in mails[0].body
    other_solution = cast.solution_id
    with pytest.raises(RuleViolation, match="version 2"):
        apply_for_evaluation(
            cast.vendor,
            other_solution,
            cast.version.id,
            product_version_id=first_version(cast.vendor, other_solution).id,
        )
    db.session.rollback()
    # The first version is kept as published.
    assert db.session.get(AgreementVersion, first.id).terms == TERMS  # type: ignore[union-attr]


def test_acceptance_records_who_when_which_version_and_from_where(app: Flask, cast: Cast) -> None:
    version = published(cast.authority)
    [published_entry] = _audit("agreement.publish")
    assert published_entry.actor_id == cast.authority.id
    acceptance = accept_version(cast.vendor, version.id, "198.51.100.7")
    db.session.commit()
    told = [m for m in read_outbox(app.config["OUTBOX_DIR"]) if "accepted" in m.subject]
    assert [m.to for m in told] == [cast.vendor.email]
    assert acceptance.user_id == cast.vendor.id
    assert acceptance.organisation_id == cast.vendor.organisation_id
    assert acceptance.version.number == 1
    assert acceptance.address == "198.51.100.7"
    assert acceptance.accepted_at is not None
    [entry] = _audit("agreement.accept")
    assert entry.actor_id == cast.vendor.id
    assert "198.51.100.7" in entry.summary
    with pytest.raises(RuleViolation, match="already accepted"):
        accept_version(cast.vendor, version.id, "198.51.100.7")


def test_only_an_administrator_of_a_vendor_signs(
    cast: Cast, create_user: Callable[..., User]
) -> None:
    version = published(cast.authority)
    member = create_user(cast.vendor.organisation, is_org_admin=False)
    with pytest.raises(AccessDenied):
        accept_version(member, version.id, "")
    with pytest.raises(AccessDenied):
        accept_version(cast.authority, version.id, "")
    with pytest.raises(AccessDenied):
        publish_version(cast.vendor, TERMS, MARK_RULES, None)
    assert db.session.scalar(select(AgreementAcceptance.id)) is None


def test_a_later_version_can_be_accepted_ahead_of_its_date(cast: Cast) -> None:
    published(cast.authority)
    accepted(cast.vendor)
    ahead = publish_version(cast.authority, TERMS, MARK_RULES, today() + dt.timedelta(days=30))
    db.session.commit()
    assert current_version() is not None and current_version().number == 1  # type: ignore[union-attr]
    # Version 1 still rules: the vendor applies without accepting version 2 yet.
    _apply(cast)
    accept_version(cast.vendor, ahead.id, "")
    db.session.commit()


def test_publishing_checks_its_input(cast: Cast) -> None:
    with pytest.raises(RuleViolation) as short:
        publish_version(cast.authority, "Too short", MARK_RULES, None)
    assert short.value.field == "terms"
    with pytest.raises(RuleViolation, match="in the past") as past:
        publish_version(cast.authority, TERMS, MARK_RULES, today() - dt.timedelta(days=1))
    assert past.value.field == "effective_on"


def test_pages_show_the_acceptance_to_the_vendor_and_the_authority(
    app: Flask, cast: Cast, login: Any
) -> None:
    vendor, authority = app.test_client(), app.test_client()
    login(vendor, cast.vendor)
    login(authority, cast.authority)
    # The authority publishes through its form, with the markdown rendered safely.
    response = authority.post(
        "/agreement/publish",
        data={
            "terms": "## Duties\n\nKeep to the rules. <script>alert(1)</script>",
            "mark_rules": MARK_RULES,
            "confirm": "y",
        },
    )
    assert response.status_code == 302
    # Before accepting: the apply page says why and links to the agreement page.
    apply_page = vendor.get("/evaluations/apply").get_data(as_text=True)
    assert 'href="/agreement/"' in apply_page
    assert "has not accepted the certification agreement in force" in apply_page
    page = vendor.get("/agreement/").get_data(as_text=True)
    assert "<h3>Duties</h3>" in page and "<script>" not in page
    version = current_version()
    assert version is not None
    response = vendor.post(
        "/agreement/accept",
        data={"version_id": str(version.id), "confirm": "y"},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert response.status_code == 302
    page = vendor.get("/agreement/").get_data(as_text=True)
    assert "accepted the agreement in force" in page
    assert "203.0.113.9" in page and cast.vendor.email in page
    listing = authority.get("/agreement/").get_data(as_text=True)
    assert cast.vendor.organisation.name in listing and "203.0.113.9" in listing
    # Anyone reads a version.
    public = app.test_client().get("/agreement/versions/1")
    assert public.status_code == 200 and "This is the version in force" in public.get_data(
        as_text=True
    )
