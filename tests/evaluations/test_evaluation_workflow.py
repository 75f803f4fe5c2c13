"""The evaluation workflow's services: states, permissions, conflicts, blind scoring, decision."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from evaluations.models import (
    AssignmentStatus,
    Decision,
    Evaluation,
    EvaluationEvent,
    EvaluationStatus,
    Label,
)
from evaluations.services.application import (
    apply_for_evaluation,
    attach_evidence,
    respond_to_return,
    return_for_information,
    submit_application,
    withdraw_application,
)
from evaluations.services.assignment import assign_evaluator, declare_conflict
from evaluations.services.decision import consensus_recorded_by, decide
from evaluations.services.scores import (
    consolidation,
    evaluators_range,
    may_see_all_scores,
    resolve_disagreement,
    save_score,
    submit_scores,
)
from evaluations.services.visibility import (
    get_assignment,
    get_evaluation,
    get_evidence,
    may_see_details,
    visible_statement,
)
from registry.database import db
from registry.exceptions import AccessDenied, NotVisible, RuleViolation
from registry.models import AuditEntry, OrganisationStatus, User
from tests.catalog import solution_builders
from tests.catalog.solution_builders import first_version
from tests.evaluations.agreement.agreement_builders import accepted
from tests.evaluations.evaluation_builders import (
    AGREE,
    PDF,
    Cast,
    assigned,
    draft,
    in_review,
    make_cast,
    score_all,
    scored,
    submitted,
)


def status_of(evaluation: Evaluation) -> EvaluationStatus:
    """The evaluation's status as it stands at this call, after the services changed it."""
    return evaluation.status


@pytest.fixture
def cast(app: Flask, create_user: Callable[..., User]) -> Iterator[Cast]:
    """People, a published norm and a published solution (in a request context: publishing
    and issuing build URLs)."""
    with app.test_request_context(base_url=app.config["BASE_URL"]):
        made = make_cast(create_user)
        accepted(made.vendor, made.authority)  # applying needs the agreement in force
        yield made


def _outbox(app: Flask) -> list[str]:
    folder = Path(app.config["OUTBOX_DIR"])
    return [p.read_text() for p in folder.glob("*.eml")] if folder.is_dir() else []


def test_apply_requires_own_published_solution_and_published_version(cast: Cast) -> None:
    own = first_version(cast.vendor, cast.solution_id).id
    other_solution = solution_builders.published(cast.other_vendor, name="Not yours")
    theirs = first_version(cast.other_vendor, other_solution).id
    with pytest.raises(RuleViolation):
        apply_for_evaluation(
            cast.vendor, other_solution.id, cast.version.id, product_version_id=theirs
        )
    own_draft = solution_builders.draft(cast.vendor, name="Still a draft")
    with pytest.raises(RuleViolation, match="published solution"):
        apply_for_evaluation(cast.vendor, own_draft.id, cast.version.id, product_version_id=own)
    with pytest.raises(AccessDenied):
        apply_for_evaluation(
            cast.authority, cast.solution_id, cast.version.id, product_version_id=own
        )
    # An evaluation is for one declared version of this very solution.
    for wrong in (None, theirs):
        with pytest.raises(RuleViolation, match="version of the solution") as refused:
            apply_for_evaluation(
                cast.vendor, cast.solution_id, cast.version.id, product_version_id=wrong
            )
        assert refused.value.field == "product_version_id"
    evaluation = apply_for_evaluation(
        cast.vendor, cast.solution_id, cast.version.id, product_version_id=own
    )
    db.session.commit()
    assert evaluation.status is EvaluationStatus.DRAFT
    assert evaluation.vendor_id == cast.vendor.organisation_id
    assert evaluation.product_version_id == own


def test_one_open_evaluation_per_solution_and_version(cast: Cast) -> None:
    own = first_version(cast.vendor, cast.solution_id).id
    first = apply_for_evaluation(
        cast.vendor, cast.solution_id, cast.version.id, product_version_id=own
    )
    db.session.commit()
    with pytest.raises(RuleViolation, match="already has an open evaluation"):
        apply_for_evaluation(cast.vendor, cast.solution_id, cast.version.id, product_version_id=own)
    db.session.rollback()
    withdraw_application(cast.vendor, first)
    db.session.commit()
    again = apply_for_evaluation(
        cast.vendor, cast.solution_id, cast.version.id, product_version_id=own
    )
    assert again.id != first.id


def test_submit_needs_the_required_evidence(cast: Cast) -> None:
    evaluation = apply_for_evaluation(
        cast.vendor,
        cast.solution_id,
        cast.version.id,
        product_version_id=first_version(cast.vendor, cast.solution_id).id,
    )
    with pytest.raises(RuleViolation, match="Attach evidence for"):
        submit_application(cast.vendor, evaluation)
    db.session.rollback()
    evaluation = draft(cast)
    submit_application(cast.vendor, evaluation)
    db.session.commit()
    assert evaluation.status is EvaluationStatus.SUBMITTED
    assert evaluation.submitted_at is not None


def test_other_vendor_and_unassigned_evaluator_get_not_found(cast: Cast) -> None:
    evaluation = submitted(cast)
    for outsider in (cast.other_vendor, cast.evaluator):
        with pytest.raises(NotVisible):
            get_evaluation(outsider, evaluation.id)
    with pytest.raises(NotVisible):
        withdraw_application(cast.other_vendor, evaluation)
    with pytest.raises(NotVisible):
        attach_evidence(cast.other_vendor, evaluation, "x.pdf", io.BytesIO(PDF))
    assert get_evaluation(cast.authority, evaluation.id) is evaluation


def test_evidence_only_while_draft_or_returned(cast: Cast) -> None:
    evaluation = submitted(cast)
    with pytest.raises(RuleViolation, match="cannot take new evidence"):
        attach_evidence(cast.vendor, evaluation, "late.pdf", io.BytesIO(PDF))


def test_workflow_steps_cannot_be_skipped_from_draft(cast: Cast) -> None:
    evaluation = draft(cast)
    with pytest.raises(RuleViolation):
        assign_evaluator(cast.authority, evaluation, cast.evaluator.id, None)
    with pytest.raises(RuleViolation):
        decide(cast.authority, evaluation, "certified", "Certified", "Good.")
    with pytest.raises(RuleViolation):
        return_for_information(cast.authority, evaluation, "Tell us more.")
    db.session.rollback()
    assert evaluation.status is EvaluationStatus.DRAFT


def test_workflow_steps_cannot_be_skipped_once_assigned(cast: Cast) -> None:
    evaluation, first, _second = assigned(cast)
    criterion = cast.version.ordered_criteria()[1]
    with pytest.raises(RuleViolation, match="Declare your conflicts"):
        save_score(cast.evaluator, first, criterion, "3", "ok")
    with pytest.raises(RuleViolation, match="be decided"):
        decide(cast.authority, evaluation, "rejected", None, "Too early.")
    with pytest.raises(RuleViolation, match="take a resolution"):
        resolve_disagreement(cast.authority, evaluation, criterion.id, "3", "Early.")
    db.session.rollback()
    assert evaluation.status is EvaluationStatus.SUBMITTED


def test_in_review_needs_two_evaluators_without_conflict(cast: Cast, app: Flask) -> None:
    evaluation, first, second = assigned(cast)
    assert any(cast.evaluator.email in m for m in _outbox(app))
    declare_conflict(cast.evaluator, first, False, "")
    db.session.commit()
    assert evaluation.status is EvaluationStatus.SUBMITTED
    declare_conflict(cast.second_evaluator, second, True, "I advised this vendor.")
    db.session.commit()
    assert second.status is AssignmentStatus.CONFLICTED
    assert evaluation.status is EvaluationStatus.SUBMITTED
    assert any("conflict of interest" in m and cast.authority.email in m for m in _outbox(app))
    # The conflicted evaluator sees nothing beyond the names, and cannot be assigned again.
    assert not may_see_details(cast.second_evaluator, evaluation)
    with pytest.raises(RuleViolation, match="declared a conflict"):
        assign_evaluator(cast.authority, evaluation, cast.second_evaluator.id, None)
    db.session.rollback()
    # The third evaluator works for the first one's body: the reason for it is recorded.
    third = assign_evaluator(
        cast.assigner,
        evaluation,
        cast.third_evaluator.id,
        dt.date.today() + dt.timedelta(days=30),
        "The other body has no one free.",
    )
    assert third.same_body_reason == "The other body has no one free."
    declare_conflict(cast.third_evaluator, third, False, "")
    db.session.commit()
    assert status_of(evaluation) is EvaluationStatus.IN_REVIEW


def test_a_conflict_needs_a_note_and_a_declaration_is_made_once(cast: Cast) -> None:
    _evaluation, first, _second = assigned(cast)
    with pytest.raises(RuleViolation, match="nature of the conflict"):
        declare_conflict(cast.evaluator, first, True, "")
    db.session.rollback()
    declare_conflict(cast.evaluator, first, False, "")
    with pytest.raises(RuleViolation, match="already made"):
        declare_conflict(cast.evaluator, first, True, "Changed my mind")


def test_evaluator_sees_only_names_before_declaring(cast: Cast) -> None:
    evaluation, first, _second = assigned(cast)
    assert get_evaluation(cast.evaluator, evaluation.id) is evaluation
    assert not may_see_details(cast.evaluator, evaluation)
    with pytest.raises(NotVisible):
        get_evidence(cast.evaluator, evaluation, evaluation.evidence[0].id)
    declare_conflict(cast.evaluator, first, False, "")
    assert may_see_details(cast.evaluator, evaluation)
    assert get_evidence(cast.evaluator, evaluation, evaluation.evidence[0].id)


def test_assigned_evaluator_must_be_active_member_of_active_body(cast: Cast) -> None:
    evaluation = submitted(cast)
    with pytest.raises(RuleViolation, match="active evaluator"):
        assign_evaluator(cast.authority, evaluation, cast.vendor.id, None)
    cast.evaluator.organisation.status = OrganisationStatus.SUSPENDED
    with pytest.raises(RuleViolation, match="active evaluator"):
        assign_evaluator(cast.authority, evaluation, cast.evaluator.id, None)
    with pytest.raises(AccessDenied):
        assign_evaluator(cast.vendor, evaluation, cast.second_evaluator.id, None)


@pytest.mark.parametrize("raw", ["-1", "6", "1e309", "NaN", "3.0", "", "pass", " ٣"])
def test_invalid_scores_are_refused(cast: Cast, raw: str) -> None:
    _evaluation, first, _second = in_review(cast)
    export = next(c for c in cast.version.criteria if c.code == "EXPORT")
    with pytest.raises(RuleViolation, match="whole number"):
        save_score(cast.evaluator, first, export, raw, "Because.")


def test_fail_and_low_scores_need_a_justification(cast: Cast) -> None:
    _evaluation, first, _second = in_review(cast)
    by_code = {c.code: c for c in cast.version.criteria}
    for code, value in (("ONVIF-S", "fail"), ("EXPORT", "1"), ("MASK", "0")):
        with pytest.raises(RuleViolation, match="needs a justification"):
            save_score(cast.evaluator, first, by_code[code], value, "  ")
    score = save_score(cast.evaluator, first, by_code["EXPORT"], "2", "")
    assert score.value == 2
    score = save_score(cast.evaluator, first, by_code["ONVIF-S"], "pass", "")
    assert score.passed is True and score.value is None


def test_submit_scores_once_when_complete_and_blind_until_then(cast: Cast) -> None:
    evaluation, first, second = in_review(cast)
    export = next(c for c in cast.version.criteria if c.code == "EXPORT")
    save_score(cast.evaluator, first, export, "4", "")
    with pytest.raises(RuleViolation, match="Score every criterion"):
        submit_scores(cast.evaluator, first)
    db.session.rollback()
    score_all(cast, first, AGREE)
    score_all(cast, second, AGREE)
    assert not may_see_all_scores(cast.evaluator, evaluation)
    submit_scores(cast.evaluator, first)
    db.session.commit()
    assert may_see_all_scores(cast.evaluator, evaluation)
    assert not may_see_all_scores(cast.second_evaluator, evaluation)
    assert evaluation.status is EvaluationStatus.IN_REVIEW
    with pytest.raises(RuleViolation, match="submitted"):
        submit_scores(cast.evaluator, first)
    with pytest.raises(RuleViolation, match="submitted"):
        save_score(cast.evaluator, first, export, "1", "Changed")
    db.session.rollback()
    submit_scores(cast.second_evaluator, second)
    db.session.commit()
    assert status_of(evaluation) is EvaluationStatus.SCORED
    assert evaluation.computed_percent == 90.0
    assert evaluation.computed_level == "Advanced"


def test_an_evaluator_cannot_score_for_another(cast: Cast) -> None:
    _evaluation, first, _second = in_review(cast)
    export = next(c for c in cast.version.criteria if c.code == "EXPORT")
    with pytest.raises(NotVisible):
        save_score(cast.second_evaluator, first, export, "4", "")
    with pytest.raises(NotVisible):
        get_assignment(cast.second_evaluator, first.id)


def test_return_for_information_and_respond(cast: Cast, app: Flask) -> None:
    evaluation = submitted(cast)
    with pytest.raises(RuleViolation, match="request is required"):
        return_for_information(cast.authority, evaluation, "")
    db.session.rollback()
    return_for_information(cast.authority, evaluation, "Send the test report.")
    db.session.commit()
    assert evaluation.status is EvaluationStatus.RETURNED
    assert any("Send the test report." in m for m in _outbox(app))
    attach_evidence(cast.vendor, evaluation, "report.pdf", io.BytesIO(PDF))
    with pytest.raises(NotVisible):
        respond_to_return(cast.other_vendor, evaluation, "Here")
    respond_to_return(cast.vendor, evaluation, "The report is attached.")
    db.session.commit()
    assert status_of(evaluation) is EvaluationStatus.SUBMITTED
    assert len(evaluation.evidence) == 4


DISAGREE = {"ONVIF-S": "fail", "EXPORT": "2", "MASK": "4"}
SCORES_A = {"ONVIF-S": "pass", "EXPORT": "5", "MASK": "4"}


def test_disagreements_must_be_resolved_before_deciding(cast: Cast) -> None:
    evaluation = scored(cast, SCORES_A, DISAGREE)
    result = consolidation(evaluation)
    assert result.unresolved == ["ONVIF-S", "EXPORT"]
    with pytest.raises(RuleViolation, match="Resolve the disagreements"):
        decide(cast.authority, evaluation, "rejected", None, "Not good.")
    db.session.rollback()
    mask = next(c for c in cast.version.criteria if c.code == "MASK")
    with pytest.raises(RuleViolation, match="agree"):
        resolve_disagreement(cast.authority, evaluation, mask.id, "4", "Agreed.")
    db.session.rollback()
    by_code = {c.code: c for c in cast.version.criteria}
    with pytest.raises(RuleViolation, match="note is required"):
        resolve_disagreement(cast.authority, evaluation, by_code["EXPORT"].id, "4", "")
    db.session.rollback()
    resolve_disagreement(
        cast.authority, evaluation, by_code["ONVIF-S"].id, "pass", "The profile test passed."
    )
    resolve_disagreement(
        cast.authority, evaluation, by_code["EXPORT"].id, "2", "Export works, partly."
    )
    db.session.commit()
    result = consolidation(evaluation)
    assert result.unresolved == []
    assert round(result.percent, 2) == 76.67
    assert result.level == "Certified"
    assert evaluation.computed_level == "Certified"


def test_a_consensus_outside_the_evaluators_scores_needs_a_reason(cast: Cast) -> None:
    evaluation = scored(cast, SCORES_A, DISAGREE)
    export = next(c for c in cast.version.criteria if c.code == "EXPORT")
    assert evaluators_range(evaluation, "EXPORT") == (2, 5)
    for value in ("0", "1"):
        with pytest.raises(RuleViolation, match="between 2 and 5") as refused:
            resolve_disagreement(cast.authority, evaluation, export.id, value, "Low.")
        assert refused.value.field == "outside_reason"
        db.session.rollback()
    resolution = resolve_disagreement(
        cast.authority,
        evaluation,
        export.id,
        "1",
        "Export fails on the second format.",
        "The retest on site showed the export drops metadata.",
    )
    db.session.commit()
    assert resolution.value == 1
    assert "Outside the evaluators' scores (2 to 5): The retest on site" in resolution.note
    # Inside the range no reason is asked.
    inside = resolve_disagreement(cast.authority, evaluation, export.id, "3", "Middle.")
    assert inside.note == "Middle."


def test_who_recorded_a_consensus_cannot_decide_another_officer_can(cast: Cast) -> None:
    evaluation = scored(cast, SCORES_A, DISAGREE)
    by_code = {c.code: c for c in cast.version.criteria}
    resolve_disagreement(cast.authority, evaluation, by_code["ONVIF-S"].id, "pass", "Ok.")
    resolve_disagreement(cast.authority, evaluation, by_code["EXPORT"].id, "4", "Ok.")
    db.session.commit()
    assert consensus_recorded_by(evaluation, cast.authority) == ["EXPORT", "ONVIF-S"]
    with pytest.raises(RuleViolation, match="four eyes"):
        decide(cast.authority, evaluation, "rejected", None, "Not for me to say.")
    db.session.rollback()
    assert evaluation.status is EvaluationStatus.SCORED
    decide(cast.deputy, evaluation, "rejected", None, "Export is too weak.")
    db.session.commit()
    assert (
        status_of(evaluation) is EvaluationStatus.DECIDED
        and evaluation.decided_by_id == cast.deputy.id
    )


def test_decide_reject_with_rationale(cast: Cast, app: Flask) -> None:
    evaluation = scored(cast)
    with pytest.raises(RuleViolation, match="rationale is required"):
        decide(cast.authority, evaluation, "rejected", None, "")
    db.session.rollback()
    with pytest.raises(AccessDenied):
        decide(cast.evaluator, evaluation, "rejected", None, "No.")
    decide(cast.authority, evaluation, "rejected", None, "Privacy concerns.")
    db.session.commit()
    assert evaluation.status is EvaluationStatus.DECIDED
    assert evaluation.decision is Decision.REJECTED
    assert db.session.scalar(select(func.count()).select_from(Label)) == 0
    with pytest.raises(RuleViolation, match="already been decided"):
        decide(cast.authority, evaluation, "rejected", None, "Again.")


def test_certify_above_the_computed_level_is_refused(cast: Cast) -> None:
    lower = {"ONVIF-S": "pass", "EXPORT": "3", "MASK": "2"}
    evaluation = scored(cast, lower, lower)
    assert evaluation.computed_level == "Certified"
    with pytest.raises(RuleViolation, match="computed level"):
        decide(cast.authority, evaluation, "certified", "Advanced", "Generous.")
    db.session.rollback()
    with pytest.raises(RuleViolation, match="computed level"):
        decide(cast.authority, evaluation, "certified", "Gold", "Unknown.")


def test_no_level_can_only_be_rejected(cast: Cast) -> None:
    failing = {"ONVIF-S": "fail", "EXPORT": "5", "MASK": "5"}
    evaluation = scored(cast, failing, failing)
    assert consolidation(evaluation).mandatory_failures == ["ONVIF-S"]
    with pytest.raises(RuleViolation, match="only be rejected"):
        decide(cast.authority, evaluation, "certified", "Certified", "Nice.")


def test_certify_at_computed_level_issues_one_label(cast: Cast, app: Flask) -> None:
    pytest.importorskip("evaluations.labels", reason="labels are built by another engineer")
    evaluation = scored(cast)
    decide(
        cast.authority,
        evaluation,
        "certified",
        "Advanced",
        "Meets the norm.",
        public_statement="Meets the norm at level Advanced.",
    )
    db.session.commit()
    assert evaluation.decided_level == "Advanced"
    labels = db.session.scalars(select(Label).where(Label.evaluation_id == evaluation.id)).all()
    assert len(labels) == 1 and labels[0].level == "Advanced"


def test_certify_lower_level_needs_a_reason(cast: Cast) -> None:
    pytest.importorskip("evaluations.labels", reason="labels are built by another engineer")
    evaluation = scored(cast)
    with pytest.raises(RuleViolation, match="reason for a lower level"):
        decide(
            cast.authority,
            evaluation,
            "certified",
            "Certified",
            "Meets it.",
            public_statement="Certified.",
        )
    db.session.rollback()
    decide(
        cast.authority,
        evaluation,
        "certified",
        "Certified",
        "Meets it.",
        "Pilot only.",
        public_statement="Certified.",
    )
    db.session.commit()
    assert evaluation.decided_level == "Certified"
    assert "Pilot only." in evaluation.decision_rationale


def test_a_certification_needs_a_public_statement_and_keeps_the_rationale_internal(
    cast: Cast,
) -> None:
    evaluation = scored(cast)
    with pytest.raises(RuleViolation, match="public statement") as refused:
        decide(cast.authority, evaluation, "certified", "Advanced", "Internal notes.")
    assert refused.value.field == "public_statement"
    db.session.rollback()
    decide(
        cast.authority,
        evaluation,
        "certified",
        "Advanced",
        "Internal notes.",
        public_statement="  Meets the norm at level Advanced.  ",
    )
    db.session.commit()
    label = db.session.scalars(select(Label).where(Label.evaluation_id == evaluation.id)).one()
    (issued,) = label.events
    assert issued.reason == "Meets the norm at level Advanced."
    assert evaluation.decision_rationale == "Internal notes."


def test_a_rejection_needs_no_public_statement(cast: Cast) -> None:
    evaluation = scored(cast)
    decide(cast.authority, evaluation, "rejected", None, "Export is too weak.")
    db.session.commit()
    assert evaluation.decision is Decision.REJECTED


def test_every_transition_is_logged_audited_and_told(cast: Cast, app: Flask) -> None:
    evaluation = scored(cast)
    decide(cast.authority, evaluation, "rejected", None, "Not now.")
    db.session.commit()
    states = db.session.scalars(
        select(EvaluationEvent.to_status)
        .where(EvaluationEvent.evaluation_id == evaluation.id)
        .order_by(EvaluationEvent.id)
    ).all()
    assert states == ["draft", "submitted", "in_review", "scored", "decided"]
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {
        "evaluation.apply",
        "evidence.attach",
        "evaluation.submit",
        "assignment.create",
        "assignment.no_conflict",
        "evaluation.review",
        "assignment.submit",
        "evaluation.scored",
        "evaluation.decide",
    } <= actions
    vendor_mail = [
        m for m in _outbox(app) if cast.vendor.email in m and "Certification agreement" not in m
    ]
    # submitted, complete and in scope, in review, scored, decided
    assert len(vendor_mail) == 5


def test_withdraw(cast: Cast) -> None:
    evaluation, *_ = in_review(cast)
    withdraw_application(cast.vendor, evaluation)
    db.session.commit()
    assert evaluation.status is EvaluationStatus.WITHDRAWN
    with pytest.raises(RuleViolation):
        withdraw_application(cast.vendor, evaluation)


def test_visible_statement_by_role(cast: Cast) -> None:
    evaluation, *_ = assigned(cast)

    def ids(user: User) -> list[int]:
        return [e.id for e in db.session.scalars(visible_statement(user))]

    assert ids(cast.vendor) == [evaluation.id]
    assert ids(cast.other_vendor) == []
    assert ids(cast.evaluator) == [evaluation.id]
    assert ids(cast.third_evaluator) == []
    assert ids(cast.authority) == [evaluation.id]
