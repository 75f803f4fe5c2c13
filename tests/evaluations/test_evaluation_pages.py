"""The evaluation journey through the web layer, and what each role sees on the way."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from evaluations.models import Assignment, Evaluation, EvaluationStatus, Label
from registry.database import db
from registry.models import User
from tests.catalog.solution_builders import first_version
from tests.evaluations.agreement.agreement_builders import accepted
from tests.evaluations.evaluation_builders import PDF, Cast, make_cast


@pytest.fixture
def cast(app: Flask, create_user: Callable[..., User]) -> Iterator[Cast]:
    """People, a published norm and a published solution."""
    with app.test_request_context(base_url=app.config["BASE_URL"]):
        made = make_cast(create_user)
        accepted(made.vendor, made.authority)  # applying needs the agreement in force
        yield made


@pytest.fixture
def clients(app: Flask, login: Any, cast: Cast) -> dict[str, FlaskClient]:
    """One signed-in browser per person."""
    people = {
        "vendor": cast.vendor,
        "other_vendor": cast.other_vendor,
        "authority": cast.authority,
        "deputy": cast.deputy,
        "assigner": cast.assigner,
        "first": cast.evaluator,
        "second": cast.second_evaluator,
        "third": cast.third_evaluator,
    }
    browsers = {}
    for name, user in people.items():
        browser = app.test_client()
        login(browser, user)
        browsers[name] = browser
    return browsers


def _fresh(evaluation_id: int) -> Evaluation:
    db.session.expire_all()
    found = db.session.get(Evaluation, evaluation_id)
    assert found is not None
    return found


def _ok(response: Any) -> Any:
    assert response.status_code in (200, 302), response.get_data(as_text=True)[-3000:]
    return response


def _assignment(evaluation_id: int, user: User) -> int:
    db.session.expire_all()
    found = db.session.scalar(
        select(Assignment.id).where(
            Assignment.evaluation_id == evaluation_id, Assignment.evaluator_id == user.id
        )
    )
    assert found is not None
    return found


def _apply_and_submit(cast: Cast, vendor: FlaskClient) -> int:
    assert "Apply for an evaluation" in vendor.get("/evaluations/").get_data(as_text=True)
    product = first_version(cast.vendor, cast.solution_id)
    form = vendor.get("/evaluations/apply").get_data(as_text=True)
    # The form offers the declared version by solution name and release date.
    assert f"version {product.version} (released {product.released_on})" in form
    response = _ok(
        vendor.post(
            "/evaluations/apply",
            data={
                "solution_id": cast.solution_id,
                "product_version_id": product.id,
                "version_id": cast.version.id,
            },
        )
    )
    evaluation_id = int(response.location.rsplit("/", 1)[1])
    for criterion in cast.version.ordered_criteria():
        _ok(
            vendor.post(
                f"/evaluations/{evaluation_id}/evidence",
                data={
                    "file": (io.BytesIO(PDF), f"{criterion.code}-report.pdf"),
                    "criterion_id": str(criterion.id),
                    "description": f"Test report for {criterion.code}",
                },
                content_type="multipart/form-data",
            )
        )
    _ok(vendor.post(f"/evaluations/{evaluation_id}/submit"))
    assert _fresh(evaluation_id).status is EvaluationStatus.SUBMITTED
    return evaluation_id


def _review_application(clients: dict[str, FlaskClient], evaluation_id: int) -> None:
    _ok(
        clients["assigner"].post(
            f"/evaluations/{evaluation_id}/application-review",
            data={"note": "All criteria have their test report; in the norm's scope."},
        )
    )


def _scores(cast: Cast, values: dict[str, str]) -> dict[str, str]:
    form = {}
    for criterion in cast.version.ordered_criteria():
        form[f"value-{criterion.id}"] = values[criterion.code]
        form[f"justification-{criterion.id}"] = f"Seen in the {criterion.code} report."
    return form


def _to_scored(cast: Cast, clients: dict[str, FlaskClient]) -> int:
    evaluation_id = _apply_and_submit(cast, clients["vendor"])
    assigner = clients["assigner"]
    # No assignment before the application review.
    early = assigner.post(
        f"/evaluations/{evaluation_id}/assign", data={"evaluator_id": cast.evaluator.id}
    )
    assert early.status_code == 400
    assert "Record the application review" in early.get_data(as_text=True)
    _review_application(clients, evaluation_id)
    reviewed = assigner.get(f"/evaluations/{evaluation_id}").get_data(as_text=True)
    assert "All criteria have their test report" in reviewed
    for evaluator in (cast.evaluator, cast.second_evaluator):
        _ok(
            assigner.post(
                f"/evaluations/{evaluation_id}/assign",
                data={"evaluator_id": evaluator.id, "due_date": ""},
            )
        )
    for key, user in (("first", cast.evaluator), ("second", cast.second_evaluator)):
        assignment = _assignment(evaluation_id, user)
        page = clients[key].get(f"/evaluations/assignments/{assignment}/score")
        text = page.get_data(as_text=True)
        assert "Declare conflicts of interest" in text and "report.pdf" not in text
        _ok(
            clients[key].post(
                f"/evaluations/assignments/{assignment}/declare", data={"has_conflict": "no"}
            )
        )
    assert _fresh(evaluation_id).status is EvaluationStatus.IN_REVIEW
    first = _assignment(evaluation_id, cast.evaluator)
    second = _assignment(evaluation_id, cast.second_evaluator)
    # They disagree: 5 against 2 on EXPORT, pass against fail on ONVIF-S.
    _ok(
        clients["first"].post(
            f"/evaluations/assignments/{first}/score",
            data=_scores(cast, {"ONVIF-S": "pass", "EXPORT": "5", "MASK": "4"}),
        )
    )
    _ok(
        clients["second"].post(
            f"/evaluations/assignments/{second}/score",
            data=_scores(cast, {"ONVIF-S": "fail", "EXPORT": "2", "MASK": "4"}),
        )
    )
    _ok(clients["first"].post(f"/evaluations/assignments/{first}/submit"))
    # Blind: the second evaluator still sees only their own scores; the first sees both.
    second_page = clients["second"].get(f"/evaluations/assignments/{second}/score")
    assert "All evaluators" not in second_page.get_data(as_text=True)
    first_page = clients["first"].get(f"/evaluations/assignments/{first}/score")
    # Another evaluator's draft stays hidden until they submit it.
    assert "Sam Scorer" not in first_page.get_data(as_text=True)
    _ok(clients["second"].post(f"/evaluations/assignments/{second}/submit"))
    assert _fresh(evaluation_id).status is EvaluationStatus.SCORED
    return evaluation_id


def test_journey_apply_assign_score_disagree_resolve_decide_label(
    app: Flask, cast: Cast, clients: dict[str, FlaskClient]
) -> None:
    evaluation_id = _to_scored(cast, clients)
    authority = clients["authority"]
    page = authority.get(f"/evaluations/{evaluation_id}").get_data(as_text=True)
    assert page.count(">Disagreement<") == 2
    assert "Resolve the flagged disagreements before deciding" in page
    refused = authority.post(
        f"/evaluations/{evaluation_id}/decide",
        data={"decision": "certified", "level": "Certified", "rationale": "Too early."},
    )
    assert refused.status_code == 400
    assert "Resolve the disagreements first" in refused.get_data(as_text=True)
    by_code = {c.code: c for c in cast.version.criteria}
    for code, value in (("ONVIF-S", "pass"), ("EXPORT", "2")):
        _ok(
            authority.post(
                f"/evaluations/{evaluation_id}/resolve",
                data={
                    "criterion_id": str(by_code[code].id),
                    "value": value,
                    "note": f"Consensus on {code} after a call.",
                },
            )
        )
    evaluation = _fresh(evaluation_id)
    assert evaluation.computed_level == "Certified"
    assert evaluation.computed_percent == pytest.approx(76.67)
    decision = {
        "decision": "certified",
        "level": "Certified",
        "rationale": "Meets the norm; export partly.",
        "public_statement": "Meets the norm at level Certified.",
    }
    # Four eyes: who recorded the consensus is told another officer decides, and cannot.
    page = authority.get(f"/evaluations/{evaluation_id}").get_data(as_text=True)
    assert "another authority officer" in page and "Record the decision" not in page
    refused = authority.post(f"/evaluations/{evaluation_id}/decide", data=decision)
    assert refused.status_code == 400 and "four eyes" in refused.get_data(as_text=True)
    assert _fresh(evaluation_id).status is EvaluationStatus.SCORED
    # A certification waits for the review of an officer other than the one who decides.
    refused = clients["deputy"].post(f"/evaluations/{evaluation_id}/decide", data=decision)
    assert refused.status_code == 400
    assert "must review this evaluation" in refused.get_data(as_text=True)
    _ok(
        clients["assigner"].post(
            f"/evaluations/{evaluation_id}/review",
            data={
                "outcome": "agree",
                "recommended_decision": "certified",
                "recommended_level": "Certified",
                "note": "The consensus on export is well argued.",
            },
        )
    )
    page = clients["deputy"].get(f"/evaluations/{evaluation_id}").get_data(as_text=True)
    assert "The consensus on export is well argued." in page
    # Who assigned the evaluators may not decide.
    page = clients["assigner"].get(f"/evaluations/{evaluation_id}").get_data(as_text=True)
    assert "assigned an evaluator" in page and "Record the decision" not in page
    _ok(clients["deputy"].post(f"/evaluations/{evaluation_id}/decide", data=decision))
    evaluation = _fresh(evaluation_id)
    assert evaluation.status is EvaluationStatus.DECIDED
    label = db.session.scalar(select(Label).where(Label.evaluation_id == evaluation_id))
    assert label is not None and label.level == "Certified"
    # The vendor sees its result per criterion, without who scored what.
    vendor_page = clients["vendor"].get(f"/evaluations/{evaluation_id}").get_data(as_text=True)
    assert "Your result" in vendor_page and "Certified at level Certified" in vendor_page
    assert "Sam Scorer" not in vendor_page and "(consensus)" in vendor_page
    _label_afterlife(app, authority, label.number)


def _label_afterlife(app: Flask, authority: FlaskClient, number: str) -> None:
    """PDF → verify → suspend → verify again, through the label engineer's pages."""
    if "labels.label_pdf" not in app.view_functions:
        pytest.skip("the label pages are not there yet")
    public = app.test_client()
    pdf = public.get(f"/labels/{number}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    pdf.close()
    credential = public.get(f"/labels/{number}.json")
    assert credential.status_code == 200
    pasted = credential.get_data(as_text=True)
    first = public.post("/verify", data={"pasted": pasted})
    assert first.status_code == 200
    _ok(authority.post(f"/labels/{number}/suspend", data={"reason": "Vulnerability reported."}))
    db.session.expire_all()
    label = db.session.scalar(select(Label).where(Label.number == number))
    assert label is not None and label.status.value == "suspended"
    again = public.post("/verify", data={"pasted": pasted})
    assert again.status_code == 200
    assert again.get_data(as_text=True) != first.get_data(as_text=True)
    assert json.loads(pasted)  # the credential is JSON


def test_others_get_not_found(cast: Cast, clients: dict[str, FlaskClient]) -> None:
    evaluation_id = _apply_and_submit(cast, clients["vendor"])
    for key in ("other_vendor", "first"):
        assert clients[key].get(f"/evaluations/{evaluation_id}").status_code == 404
        assert clients[key].get(f"/evaluations/{evaluation_id}/evidence/1").status_code == 404
    assert clients["other_vendor"].post(f"/evaluations/{evaluation_id}/withdraw").status_code == 404
    assert clients["vendor"].get(f"/evaluations/{evaluation_id}").status_code == 200


def test_conflict_blocks_and_asks_for_another(cast: Cast, clients: dict[str, FlaskClient]) -> None:
    evaluation_id = _apply_and_submit(cast, clients["vendor"])
    _review_application(clients, evaluation_id)
    bad_date = clients["authority"].post(
        f"/evaluations/{evaluation_id}/assign",
        data={"evaluator_id": cast.evaluator.id, "due_date": "2099-02-31"},
    )
    assert bad_date.status_code == 400
    assert _fresh(evaluation_id).assignments == []  # 31 February refused
    _ok(
        clients["authority"].post(
            f"/evaluations/{evaluation_id}/assign", data={"evaluator_id": cast.evaluator.id}
        )
    )
    assignment = _assignment(evaluation_id, cast.evaluator)
    no_note = clients["first"].post(
        f"/evaluations/assignments/{assignment}/declare", data={"has_conflict": "yes"}
    )
    assert no_note.status_code == 400
    _ok(
        clients["first"].post(
            f"/evaluations/assignments/{assignment}/declare",
            data={"has_conflict": "yes", "note": "My sister works there."},
        )
    )
    assert clients["first"].get(f"/evaluations/{evaluation_id}/evidence/1").status_code == 404
    page = clients["authority"].get(f"/evaluations/{evaluation_id}").get_data(as_text=True)
    assert "My sister works there." in page


def test_the_evaluator_is_told_to_score_only_once_scoring_has_opened(
    cast: Cast, clients: dict[str, FlaskClient]
) -> None:
    evaluation_id = _apply_and_submit(cast, clients["vendor"])
    _review_application(clients, evaluation_id)
    for evaluator in (cast.evaluator, cast.second_evaluator):
        clients["authority"].post(
            f"/evaluations/{evaluation_id}/assign", data={"evaluator_id": evaluator.id}
        )
    seen: dict[str, str] = {}
    for key, user in (("first", cast.evaluator), ("second", cast.second_evaluator)):
        assignment = _assignment(evaluation_id, user)
        declared = clients[key].post(
            f"/evaluations/assignments/{assignment}/declare",
            data={"has_conflict": "no"},
            follow_redirects=True,
        )
        seen[key] = declared.get_data(as_text=True)
    first, second = seen["first"], seen["second"]
    assert "Declaration recorded." in first and "You can now score" not in first
    assert "Scoring opens when the evaluation is in review" in first
    assert "Score each criterion:" not in first and " disabled" in first
    assert "Declaration recorded. You can now score." in second
    assert "Score each criterion:" in second and "Scoring opens when" not in second
    assert " disabled" not in second


def test_scoring_keeps_what_was_typed_and_refuses_bad_values(
    cast: Cast, clients: dict[str, FlaskClient]
) -> None:
    evaluation_id = _apply_and_submit(cast, clients["vendor"])
    _review_application(clients, evaluation_id)
    for evaluator in (cast.evaluator, cast.second_evaluator):
        clients["authority"].post(
            f"/evaluations/{evaluation_id}/assign", data={"evaluator_id": evaluator.id}
        )
    for key, user in (("first", cast.evaluator), ("second", cast.second_evaluator)):
        assignment = _assignment(evaluation_id, user)
        clients[key].post(
            f"/evaluations/assignments/{assignment}/declare", data={"has_conflict": "no"}
        )
    first = _assignment(evaluation_id, cast.evaluator)
    data = _scores(cast, {"ONVIF-S": "fail", "EXPORT": "6", "MASK": "1"})
    by_code = {c.code: c for c in cast.version.criteria}
    data[f"justification-{by_code['ONVIF-S'].id}"] = ""
    data[f"justification-{by_code['MASK'].id}"] = "Masking <b>missing</b>"
    response = clients["first"].post(f"/evaluations/assignments/{first}/score", data=data)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "needs a justification" in text and "whole number" in text
    assert "Masking &lt;b&gt;missing&lt;/b&gt;" in text
    db.session.expire_all()
    saved = db.session.get(Assignment, first)
    assert saved is not None
    assert [(s.criterion.code, s.value) for s in saved.scores] == [("MASK", 1)]
    # Submitting with criteria missing is refused.
    clients["first"].post(f"/evaluations/assignments/{first}/submit")
    db.session.expire_all()
    assert db.session.get(Assignment, first).status.value == "scoring"  # type: ignore[union-attr]


def test_return_and_respond_through_the_pages(cast: Cast, clients: dict[str, FlaskClient]) -> None:
    evaluation_id = _apply_and_submit(cast, clients["vendor"])
    _ok(
        clients["authority"].post(
            f"/evaluations/{evaluation_id}/return",
            data={"request_text": "Add the penetration test report."},
        )
    )
    page = clients["vendor"].get(f"/evaluations/{evaluation_id}").get_data(as_text=True)
    assert "Add the penetration test report." in page
    _ok(
        clients["vendor"].post(
            f"/evaluations/{evaluation_id}/evidence",
            data={"file": (io.BytesIO(b"pentest,ok\n"), "pentest.csv"), "criterion_id": ""},
            content_type="multipart/form-data",
        )
    )
    _ok(
        clients["vendor"].post(
            f"/evaluations/{evaluation_id}/respond", data={"response_text": "Attached."}
        )
    )
    assert _fresh(evaluation_id).status is EvaluationStatus.SUBMITTED


def test_mass_assignment_changes_nothing(cast: Cast, clients: dict[str, FlaskClient]) -> None:
    evaluation_id = _apply_and_submit(cast, clients["vendor"])
    clients["vendor"].post(
        f"/evaluations/{evaluation_id}/note",
        data={"vendor_note": "Hi", "status": "decided", "decision": "certified"},
    )
    clients["vendor"].post(
        f"/evaluations/{evaluation_id}/decide",
        data={"decision": "certified", "level": "Advanced", "rationale": "Self-certified"},
    )
    evaluation = _fresh(evaluation_id)
    assert evaluation.status is EvaluationStatus.SUBMITTED and evaluation.decision is None


def test_pipeline_and_api(app: Flask, cast: Cast, clients: dict[str, FlaskClient]) -> None:
    evaluation_id = _apply_and_submit(cast, clients["vendor"])
    page = clients["authority"].get("/evaluations/pipeline?status=submitted")
    assert page.status_code == 200
    assert "Harbour Watch" in page.get_data(as_text=True)
    assert clients["vendor"].get("/evaluations/pipeline").status_code == 403
    assert app.test_client().get("/api/v1/evaluations").status_code == 401
    own = clients["vendor"].get("/api/v1/evaluations").json
    assert own is not None and [item["id"] for item in own["items"]] == [evaluation_id]
    other = clients["other_vendor"].get("/api/v1/evaluations").json
    assert other is not None and other["items"] == []
    unassigned = clients["first"].get("/api/v1/evaluations").json
    assert unassigned is not None and unassigned["items"] == []
