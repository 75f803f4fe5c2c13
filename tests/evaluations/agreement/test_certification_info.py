"""The public information on certification, readable without an account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from evaluations.agreement.services import publish_version
from registry.database import db
from registry.models import OrganisationKind, User
from tests.evaluations.agreement.agreement_builders import MARK_RULES, TERMS

FEES = "Evaluation fee: **4 200 EUR** per application; surveillance: 900 EUR a year."


def test_the_page_shows_the_configured_fees_and_the_agreement_in_force(
    app: Flask, create_user: Callable[..., User]
) -> None:
    # As SAFETECH_CERTIFICATION_FEES_TEXT sets it.
    app.config["CERTIFICATION_FEES_TEXT"] = FEES
    with app.test_request_context():
        authority = create_user(kind=OrganisationKind.AUTHORITY)
        publish_version(authority, TERMS, MARK_RULES, None)
        publish_version(
            authority, TERMS + "\n\nA new clause.", "- Only on valid labels, always.", None
        )
        db.session.commit()
    page = app.test_client().get("/certification")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Evaluation fee: <strong>4 200 EUR</strong> per application" in text
    assert '<a href="/agreement/versions/2">version 2</a>' in text
    assert "Only on valid labels, always." in text
    for heading in (
        "From application to decision",
        "Surveillance and renewal",
        "Fees",
        "Rights and duties of label holders",
        "Complaints and appeals",
        "Rules for using the mark",
    ):
        assert f">{heading}</h2>" in text


def test_the_default_fees_and_an_empty_agreement(client: Any) -> None:
    text = client.get("/certification").get_data(as_text=True)
    assert "Fees for evaluation, certification and surveillance are set by the authority" in text
    assert "has not published a certification agreement yet" in text
    # Every page's footer leads here.
    assert 'href="/certification"' in client.get("/").get_data(as_text=True)


def test_the_complaints_section_states_the_configured_periods_and_leads_to_the_forms(
    app: Flask,
) -> None:
    app.config.update(COMPLAINT_ACK_DAYS=7, COMPLAINT_DECISION_DAYS=45, APPEAL_DAYS=21)
    text = app.test_client().get("/certification").get_data(as_text=True)
    assert "acknowledged within\n      7 days and decided within 45 days" in text
    assert "within\n      21 days of it" in text
    for target in ("/complaints/new", "/complaints/statistics", "/evaluation-bodies"):
        assert f'href="{target}"' in text
        assert app.test_client().get(target).status_code == 200
