"""The gates on an evaluation: the application review before assignment; only approved
evaluators of a body accredited for the norm, impartial and of two bodies unless a reason is
recorded; a decider who took no other part, after a second officer's review; the removal and
replacement of an evaluator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from catalog.demo import seed_demo_solutions
from evaluations.agreement.demo import seed_demo_agreement
from evaluations.bodies.models import ApprovalStatus
from evaluations.demo import seed_demo_evaluations
from evaluations.impartiality.models import DecisionReview, DeclarationConfirmation
from evaluations.models import AssignmentStatus, Decision, Evaluation, EvaluationStatus, Label
from evaluations.services.application import respond_to_return, return_for_information
from evaluations.services.application_review import record_application_review
from evaluations.services.assignment import assign_evaluator, declare_conflict
from evaluations.services.decision import decide, record_review
from evaluations.services.replacement import remove_assignment
from evaluations.services.scores import consolidation, submit_scores
from registry import dates
from registry.database import db, utcnow
from registry.demo import seed_demo
from registry.exceptions import RuleViolation
from registry.models import AuditEntry, OrganisationKind, User
from registry.norms.demo import seed_norms
from tests.evaluations import scheme_builders
from tests.evaluations.evaluation_builders import (
    AGREE,
    Cast,
    assigned,
    in_review,
    make_cast,
    score_all,
    scored,
    submitted,
)
from tests.norms import norm_builders


@pytest.fixture
def cast(app: Flask, create_user: Callable[..., User]) -> Iterator[Cast]:
    """People, a norm and a solution (in a request context: the services send links)."""
    with app.test_request_context(base_url=app.config["BASE_URL"]):
        yield make_cast(create_user)


def _outbox(app: Flask) -> list[str]:
    folder = Path(app.config["OUTBOX_DIR"])
    return [p.read_text() for p in folder.glob("*.eml")] if folder.is_dir() else []


def _status(evaluation: Evaluation) -> EvaluationStatus:
    """The evaluation's state as stored now (mypy narrows a plain attribute read)."""
    return evaluation.status


def _actions() -> set[str]:
    return set(db.session.scalars(select(AuditEntry.action)))


def _age_declarations(user: User) -> None:
    """`user`'s confirmations of their declarations of interests date from 13 months ago."""
    stale = utcnow() - dt.timedelta(days=400)
    for confirmation in db.session.scalars(
        select(DeclarationConfirmation).where(DeclarationConfirmation.user_id == user.id)
    ):
        confirmation.confirmed_at = stale


# --- application review -------------------------------------------------------------------


def test_assignment_waits_for_the_application_review(cast: Cast, app: Flask) -> None:
    evaluation = submitted(cast, reviewed=False)
    with pytest.raises(RuleViolation, match="Record the application review") as refused:
        assign_evaluator(cast.assigner, evaluation, cast.evaluator.id, None)
    assert refused.value.field == "evaluator_id"
    db.session.rollback()
    with pytest.raises(RuleViolation, match="review note"):
        record_application_review(cast.assigner, evaluation, "")
    scheme_builders.review_application(evaluation, cast.assigner)
    db.session.commit()
    assert evaluation.application_reviewed_by_id == cast.assigner.id
    assert "evaluation.application_review" in _actions()
    assert any("complete and in scope" in m and cast.vendor.email in m for m in _outbox(app))
    assign_evaluator(cast.assigner, evaluation, cast.evaluator.id, None)
    with pytest.raises(RuleViolation, match="already recorded"):
        scheme_builders.review_application(evaluation, cast.assigner)


def test_a_resubmission_after_a_return_is_reviewed_again(cast: Cast) -> None:
    evaluation = submitted(cast)
    return_for_information(cast.assigner, evaluation, "Add the export test report.")
    respond_to_return(cast.vendor, evaluation, "Attached.")
    db.session.commit()
    assert evaluation.application_reviewed_at is None
    with pytest.raises(RuleViolation, match="Record the application review"):
        assign_evaluator(cast.assigner, evaluation, cast.evaluator.id, None)


# --- assignment -----------------------------------------------------------------------------


def test_only_an_approved_evaluator_can_be_assigned(cast: Cast) -> None:
    evaluation = submitted(cast)
    for status in (ApprovalStatus.PENDING, ApprovalStatus.REFUSED, ApprovalStatus.WITHDRAWN):
        scheme_builders.approve(cast.evaluator, status)
        with pytest.raises(RuleViolation, match="not an evaluator approved") as refused:
            assign_evaluator(cast.assigner, evaluation, cast.evaluator.id, None)
        assert refused.value.field == "evaluator_id"
    scheme_builders.approve(cast.evaluator)
    assert assign_evaluator(cast.assigner, evaluation, cast.evaluator.id, None)


def test_the_body_needs_a_valid_accreditation_covering_the_norm(
    cast: Cast, create_user: Callable[..., User]
) -> None:
    evaluation = submitted(cast)
    newcomer = create_user(kind=OrganisationKind.EVALUATION_BODY, full_name="New Lab person")
    scheme_builders.approve(newcomer)
    scheme_builders.confirm_declarations(newcomer)
    norm = cast.version.norm
    today = dates.today()
    other_norm = norm_builders.published(cast.authority, "OTHER-NORM").norm
    for kwargs in (
        {"valid_until": today - dt.timedelta(days=1)},  # expired
        {"valid_from": today + dt.timedelta(days=1), "valid_until": today + dt.timedelta(days=9)},
        {"withdrawn": True},
    ):
        scheme_builders.accredit(newcomer.organisation, norm, **kwargs)
    scheme_builders.accredit(newcomer.organisation, other_norm)  # another norm's scope
    with pytest.raises(RuleViolation, match="holds no accreditation valid today"):
        assign_evaluator(cast.assigner, evaluation, newcomer.id, None)
    # A scope naming the norm's whole category covers it.
    scheme_builders.accredit(newcomer.organisation, norm, whole_category=True)
    assert assign_evaluator(cast.assigner, evaluation, newcomer.id, None)


def test_declarations_must_be_current_and_free_of_the_vendor(cast: Cast, app: Flask) -> None:
    evaluation = submitted(cast)
    _age_declarations(cast.evaluator)
    with pytest.raises(RuleViolation, match="not confirmed their declarations"):
        assign_evaluator(cast.assigner, evaluation, cast.evaluator.id, None)
    app.config["IMPARTIALITY_DECLARATION_MONTHS"] = 24
    assert assign_evaluator(cast.assigner, evaluation, cast.evaluator.id, None)
    app.config["IMPARTIALITY_DECLARATION_MONTHS"] = 12
    scheme_builders.declare_interest(cast.second_evaluator, evaluation.vendor)
    with pytest.raises(RuleViolation, match="declared an interest"):
        assign_evaluator(cast.assigner, evaluation, cast.second_evaluator.id, None)
    # The assigning officer's own stale declarations or interest bar them too.
    _age_declarations(cast.assigner)
    with pytest.raises(RuleViolation, match="Another authority officer must assign"):
        assign_evaluator(cast.assigner, evaluation, cast.third_evaluator.id, None)
    scheme_builders.declare_interest(cast.deputy, evaluation.vendor)
    with pytest.raises(RuleViolation, match="Another authority officer must assign"):
        assign_evaluator(cast.deputy, evaluation, cast.third_evaluator.id, None)


def test_two_evaluators_of_one_body_need_a_recorded_reason(cast: Cast) -> None:
    evaluation = submitted(cast)
    assign_evaluator(cast.assigner, evaluation, cast.evaluator.id, None)
    with pytest.raises(RuleViolation, match="choose an evaluator of another body") as refused:
        assign_evaluator(cast.assigner, evaluation, cast.third_evaluator.id, None)
    assert refused.value.field == "same_body_reason"
    third = assign_evaluator(
        cast.assigner, evaluation, cast.third_evaluator.id, None, "Only this lab has the rig."
    )
    assert third.same_body_reason == "Only this lab has the rig."
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "assignment.create")
    ).all()[-1]
    assert "Only this lab has the rig." in str(entry.data)


# --- decision -------------------------------------------------------------------------------


def test_who_assigned_or_resolved_may_not_decide(cast: Cast) -> None:
    evaluation = scored(cast)
    with pytest.raises(RuleViolation, match="assigned an evaluator"):
        decide(cast.assigner, evaluation, "rejected", None, "Not for me.")
    db.session.rollback()
    decide(cast.authority, evaluation, "rejected", None, "Export is too weak.")
    assert evaluation.decided_by_id == cast.authority.id


def test_a_certification_needs_a_review_by_another_officer(cast: Cast, app: Flask) -> None:
    evaluation = scored(cast, reviewed=False)
    with pytest.raises(RuleViolation, match="must review this evaluation"):
        decide(cast.authority, evaluation, "certified", "Advanced", "Good.", public_statement="Ok.")
    db.session.rollback()
    # The decider's own review does not count.
    scheme_builders.review(evaluation, cast.authority)
    with pytest.raises(RuleViolation, match="must review this evaluation"):
        decide(cast.authority, evaluation, "certified", "Advanced", "Good.", public_statement="Ok.")
    db.session.rollback()
    with pytest.raises(RuleViolation, match="level you recommend"):
        record_review(cast.deputy, evaluation, "agree", "certified", "Gold", "Fine.")
    review = scheme_builders.review(evaluation, cast.deputy, "certified", "Advanced")
    with pytest.raises(RuleViolation, match="already reviewed"):
        scheme_builders.review(evaluation, cast.deputy)
    db.session.commit()
    assert review.recommended_level == "Advanced"
    assert "evaluation.decision_review" in _actions()
    decide(cast.authority, evaluation, "certified", "Advanced", "Good.", public_statement="Ok.")
    db.session.commit()
    assert db.session.scalar(select(Label).where(Label.evaluation_id == evaluation.id))


def test_review_levels_are_configurable(cast: Cast, app: Flask) -> None:
    app.config["DECISION_REVIEW_LEVELS"] = ["Advanced"]
    evaluation = scored(cast, reviewed=False)
    decide(
        cast.authority,
        evaluation,
        "certified",
        "Certified",
        "Ok.",
        "Cautious.",
        public_statement="Ok.",
    )
    db.session.commit()
    app.config["DECISION_REVIEW_LEVELS"] = "Advanced,rejected"
    other = scored(cast, reviewed=False)
    with pytest.raises(RuleViolation, match="must review"):
        decide(cast.authority, other, "rejected", None, "No.")


def test_a_decider_with_an_interest_or_stale_declarations_is_refused(cast: Cast) -> None:
    evaluation = scored(cast)
    scheme_builders.declare_interest(cast.authority, evaluation.vendor)
    with pytest.raises(RuleViolation, match="declared an interest"):
        decide(cast.authority, evaluation, "rejected", None, "No.")
    db.session.rollback()
    _age_declarations(cast.deputy)
    with pytest.raises(RuleViolation, match="not confirmed their declarations"):
        decide(cast.deputy, evaluation, "rejected", None, "No.")
    with pytest.raises(RuleViolation, match="not confirmed their declarations"):
        record_review(cast.deputy, evaluation, "agree", "rejected", None, "Agreed.")


# --- removal and replacement ----------------------------------------------------------------


def test_a_silent_evaluator_is_removed_and_replaced(cast: Cast, app: Flask) -> None:
    evaluation, first, second = in_review(cast)
    score_all(cast, first, AGREE)
    submit_scores(cast.evaluator, first)
    with pytest.raises(RuleViolation, match="reason for the removal"):
        remove_assignment(cast.assigner, second, "")
    with pytest.raises(RuleViolation, match="still to declare or to submit"):
        remove_assignment(cast.assigner, first, "Submitted scores stay.")
    remove_assignment(cast.assigner, second, "No answer in six weeks.")
    db.session.commit()
    assert second.status is AssignmentStatus.REMOVED and second.removed_by_id == cast.assigner.id
    assert evaluation.status is EvaluationStatus.IN_REVIEW
    mails = _outbox(app)
    assert any("removed you" in m and cast.second_evaluator.email in m for m in mails)
    assert any("is replaced" in m and cast.vendor.email in m for m in mails)
    assert "assignment.remove" in _actions()
    # The removed evaluator cannot come back; a replacement passes the same gates.
    with pytest.raises(RuleViolation, match="was removed"):
        assign_evaluator(cast.assigner, evaluation, cast.second_evaluator.id, None)
    db.session.rollback()
    replacement = assign_evaluator(
        cast.assigner, evaluation, cast.third_evaluator.id, None, "The other lab is silent."
    )
    declare_conflict(cast.third_evaluator, replacement, False, "")
    score_all(cast, replacement, AGREE)
    submit_scores(cast.third_evaluator, replacement)
    db.session.commit()
    assert _status(evaluation) is EvaluationStatus.SCORED
    assert set(consolidation(evaluation).evaluators) == {cast.evaluator.id, cast.third_evaluator.id}


def test_removal_of_the_last_silent_evaluator_scores_the_evaluation(cast: Cast) -> None:
    evaluation, first, second = assigned(cast)
    third = assign_evaluator(
        cast.assigner, evaluation, cast.third_evaluator.id, None, "A third opinion."
    )
    for who, assignment in ((cast.evaluator, first), (cast.second_evaluator, second)):
        declare_conflict(who, assignment, False, "")
    declare_conflict(cast.third_evaluator, third, False, "")
    # Third scores a failing EXPORT but never submits: its draft must not count.
    score_all(cast, third, {"ONVIF-S": "fail", "EXPORT": "0", "MASK": "0"})
    for who, assignment in ((cast.evaluator, first), (cast.second_evaluator, second)):
        score_all(cast, assignment, AGREE)
        submit_scores(who, assignment)
    assert evaluation.status is EvaluationStatus.IN_REVIEW
    remove_assignment(cast.assigner, third, "Unavailable until next year.")
    db.session.commit()
    assert _status(evaluation) is EvaluationStatus.SCORED
    assert consolidation(evaluation).level == "Advanced"


# --- demo -----------------------------------------------------------------------------------


def test_the_demo_evaluations_pass_the_gates_and_load_twice(app: Flask) -> None:
    with app.test_request_context(base_url=app.config["BASE_URL"]):
        for load in (
            seed_demo,
            seed_norms,
            seed_demo_solutions,
            seed_demo_agreement,
            seed_demo_evaluations,
        ):
            load()
            db.session.commit()
        decided = db.session.scalars(
            select(Evaluation).where(Evaluation.status == EvaluationStatus.DECIDED)
        ).all()
        counts = (len(decided), db.session.scalar(select(func.count(DecisionReview.id))))
        seed_demo_evaluations()
        db.session.commit()
        again = (
            db.session.scalar(
                select(func.count(Evaluation.id)).where(
                    Evaluation.status == EvaluationStatus.DECIDED
                )
            ),
            db.session.scalar(select(func.count(DecisionReview.id))),
        )
    certified = [e for e in decided if e.decision is Decision.CERTIFIED]
    assert len(certified) >= 10 and again == counts
    for evaluation in decided:
        assert evaluation.decided_by_id not in {a.assigned_by_id for a in evaluation.assignments}
        assert evaluation.application_reviewed_by_id is not None


def test_a_removed_evaluator_no_longer_sees_the_evaluation(
    cast: Cast, app: Flask, login: Callable[..., object]
) -> None:
    evaluation, first, _second = in_review(cast)
    remove_assignment(cast.assigner, first, "Moved to another lab.")
    db.session.commit()
    browser = app.test_client()
    login(browser, cast.evaluator)
    assert browser.get(f"/evaluations/{evaluation.id}").status_code == 404
    authority = app.test_client()
    login(authority, cast.authority)
    page = authority.get(f"/evaluations/{evaluation.id}").get_data(as_text=True)
    assert "Moved to another lab." in page and "Remove…" in page
