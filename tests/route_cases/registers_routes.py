"""Routes of the registers a certification body keeps: the public list of accredited evaluation
bodies, accreditations, evaluator approvals, declarations of interests, the impartiality risk
register and committee."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app

from evaluations.bodies import services
from evaluations.impartiality import declarations, register
from registry.dates import today
from tests.evaluations.registers.register_builders import (
    accreditation,
    member_of,
    proposed,
)
from tests.routing import WRITE, Case, authority_only, everyone, only

STAFF_OK = {"evaluator": 200, "authority": 200}
BODY_READERS = {"evaluator": 200, "authority": 200}
NOT_FOUND = {"vendor": 404, "buyer": 404, "evaluator": 404, "authority": 404}
RISK = {
    "title": "Route walk risk",
    "source": "familiarity",
    "description": "A threat.",
    "likelihood": "2",
    "impact": "3",
}

CASES = [
    Case("bodies.public_register", "GET", "/evaluation-bodies", everyone(200)),
    Case("bodies.index", "GET", "/bodies", authority_only(200)),
    Case("bodies.mine", "GET", "/bodies/mine", only({"evaluator": 302})),
    Case("bodies.body", "GET", "/bodies/{eval_body}", only(BODY_READERS, others=404)),
    Case("bodies.body", "GET", "/bodies/999999", only(NOT_FOUND)),
    Case(
        "bodies.new_accreditation",
        "GET",
        "/bodies/{eval_body}/accreditations/new",
        authority_only(200),
    ),
    Case(
        "bodies.new_accreditation",
        "POST",
        "/bodies/{eval_body}/accreditations/new",
        authority_only(200),
        {"accreditation_body": "COFRAC"},
        phase=WRITE,
    ),
    Case(
        "bodies.edit_accreditation",
        "GET",
        "/bodies/accreditations/{accreditation}/edit",
        authority_only(200),
    ),
    Case(
        "bodies.edit_accreditation",
        "POST",
        "/bodies/accreditations/{accreditation}/edit",
        authority_only(200),
        {"standard": ""},
        phase=WRITE,
    ),
    Case(
        "bodies.withdraw_accreditation",
        "POST",
        "/bodies/accreditations/{accreditation_to_withdraw}/withdraw",
        authority_only(302),
        {"reason": "Route walk"},
        phase=WRITE,
    ),
    Case("bodies.approvals", "GET", "/bodies/approvals", authority_only(200)),
    Case(
        "bodies.approval",
        "GET",
        "/bodies/approvals/{pending_approval}",
        only(BODY_READERS, others=404),
    ),
    Case(
        "bodies.propose_evaluator",
        "GET",
        "/bodies/{eval_body}/evaluators/{unproposed_member}/propose",
        only({"evaluator": 200}),
    ),
    Case(
        "bodies.propose_evaluator",
        "POST",
        "/bodies/{eval_body}/evaluators/{unproposed_member}/propose",
        only({"evaluator": 302}),
        {"qualifications": "MSc", "training": "Course", "experience": "Two years"},
        phase=WRITE,
    ),
    Case(
        "bodies.approve",
        "POST",
        "/bodies/approvals/{approval_to_approve}/approve",
        authority_only(302),
        phase=WRITE,
    ),
    Case(
        "bodies.refuse",
        "POST",
        "/bodies/approvals/{approval_to_refuse}/refuse",
        authority_only(302),
        {"note": "Not enough experience yet."},
        phase=WRITE,
    ),
    Case(
        "bodies.withdraw_approval",
        "POST",
        "/bodies/approvals/{approved_approval}/withdraw",
        authority_only(302),
        {"reason": "Left the field."},
        phase=WRITE,
    ),
    Case("impartiality.interests", "GET", "/account/interests", only(STAFF_OK)),
    Case(
        "impartiality.declare",
        "POST",
        "/account/interests/declare",
        only({"evaluator": 400, "authority": 400}),
        {"vendor": "", "nature": ""},
        phase=WRITE,
    ),
    Case(
        "impartiality.end_declaration",
        "POST",
        "/account/interests/{someone_elses_declaration}/end",
        only({"evaluator": 404, "authority": 404}),
        {"note": "Over."},
        phase=WRITE,
    ),
    Case(
        "impartiality.confirm",
        "POST",
        "/account/interests/confirm",
        only({"evaluator": 302, "authority": 302}),
        phase=WRITE,
    ),
    Case("impartiality.overview", "GET", "/impartiality/declarations", authority_only(200)),
    Case("impartiality.risks", "GET", "/impartiality/risks", authority_only(200)),
    Case("impartiality.risks", "GET", "/impartiality/risks?status=open", authority_only(200)),
    Case("impartiality.new_risk", "GET", "/impartiality/risks/new", authority_only(200)),
    Case(
        "impartiality.new_risk",
        "POST",
        "/impartiality/risks/new",
        authority_only(302),
        RISK,
        phase=WRITE,
    ),
    Case("impartiality.risk", "GET", "/impartiality/risks/{risk}", authority_only(200)),
    Case("impartiality.risk", "GET", "/impartiality/risks/999999", only({"authority": 404})),
    Case(
        "impartiality.risk",
        "POST",
        "/impartiality/risks/{risk}",
        authority_only(302),
        {**RISK, "title": "Route walk risk, revised"},
        phase=WRITE,
    ),
    Case(
        "impartiality.close_risk",
        "POST",
        "/impartiality/risks/{risk_to_close}/close",
        authority_only(302),
        phase=WRITE,
    ),
    Case("impartiality.meetings", "GET", "/impartiality/committee", authority_only(200)),
    Case("impartiality.new_meeting", "GET", "/impartiality/committee/new", authority_only(200)),
    Case(
        "impartiality.new_meeting",
        "POST",
        "/impartiality/committee/new",
        authority_only(302),
        {"held_on": "2026-01-15", "attendees": "Chair", "minutes": "Reviewed the register."},
        phase=WRITE,
    ),
    Case(
        "impartiality.meeting",
        "GET",
        "/impartiality/committee/{meeting}",
        authority_only(200),
    ),
]


def extend_world(world: dict[str, Any]) -> dict[str, Any]:
    """An accredited evaluation body with members at each step of approval, a risk, a meeting
    and a declaration of interests of another authority user."""
    people = world["people"]
    authority, body_admin = people["authority"], people["evaluator"]
    body = body_admin.organisation
    with current_app.test_request_context():
        kept = accreditation(authority, body)
        to_withdraw = accreditation(authority, body)
        pending = proposed(body_admin, member_of(body, "Pending evaluator"))
        to_approve = proposed(body_admin, member_of(body, "To approve"))
        to_refuse = proposed(body_admin, member_of(body, "To refuse"))
        approved = proposed(body_admin, member_of(body, "Approved evaluator"))
        services.approve_evaluator(authority, approved)
        colleague = member_of(authority.organisation, "Another officer")
        declaration = declarations.declare_interest(
            colleague, people["vendor"].organisation_id, "Former employee."
        )
        data = register.RiskData(
            title="Route walk risk",
            source="self_review",
            description="A threat.",
            likelihood=2,
            impact=3,
            treatment="",
            owner_id=None,
            review_due_on=today() + dt.timedelta(days=30),
        )
        risk = register.add_risk(authority, data)
        to_close = register.add_risk(authority, data)
        meeting = register.record_meeting(
            authority,
            register.MeetingData(
                held_on=today() - dt.timedelta(days=1),
                attendees="Chair",
                minutes="Route walk minutes.",
                decisions="",
            ),
        )
    return {
        "eval_body": body.id,
        "accreditation": kept.id,
        "accreditation_to_withdraw": to_withdraw.id,
        "pending_approval": pending.id,
        "approval_to_approve": to_approve.id,
        "approval_to_refuse": to_refuse.id,
        "approved_approval": approved.id,
        "unproposed_member": member_of(body, "Not proposed").id,
        "someone_elses_declaration": declaration.id,
        "risk": risk.id,
        "risk_to_close": to_close.id,
        "meeting": meeting.id,
    }
