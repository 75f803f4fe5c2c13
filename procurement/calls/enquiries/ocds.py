"""A call's questions as OCDS ``tender.enquiries`` (the enquiries extension) and its corrigenda
as ``tender.amendments``. The asker is never published: an enquiry carries no author."""

from __future__ import annotations

from typing import Any

from procurement.calls.enquiries.services import (
    answered_questions,
    corrigenda_of,
    enquiries_close_at,
)
from procurement.calls.models import JointCall
from procurement.ocds.formats import stamp


def enquiry_sections(call: JointCall) -> dict[str, Any]:
    """The tender fields of the call's enquiry period, published answers and corrigenda."""
    sections: dict[str, Any] = {
        "enquiryPeriod": {
            "startDate": stamp(call.opened_at),
            # A call opened with less time than the enquiry period had no time for questions.
            "endDate": stamp(max(enquiries_close_at(call), call.opened_at)),
        }
    }
    enquiries = [
        {
            "id": question.reference,
            "date": stamp(question.asked_at),
            "title": f"Question {question.reference}",
            "description": question.question,
            "answer": question.answer,
            "dateAnswered": stamp(question.answered_at),
        }
        for question in answered_questions(call)
        if question.answered_at is not None
    ]
    if enquiries:
        sections["hasEnquiries"] = True
        sections["enquiries"] = enquiries
    amendments = [
        {
            "id": corrigendum.reference,
            "date": stamp(corrigendum.published_at),
            "rationale": corrigendum.description,
            "description": (
                f"Deadline for offers moved from {stamp(corrigendum.previous_deadline)} "
                f"to {stamp(corrigendum.new_deadline)}."
            ),
        }
        for corrigendum in corrigenda_of(call)
    ]
    if amendments:
        sections["amendments"] = amendments
    return sections
