"""Forms of a call's tender documents: a new version with its corrigendum."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from procurement.calls.documents.models import DocumentKind
from procurement.calls.limits import DESCRIPTION_MAX
from registry.forms import InputForm

KIND_CHOICES = [SelectChoice(kind.value, kind.label) for kind in DocumentKind]


def kind_field() -> SelectField:
    """The "What it is" field of the form that attaches a document."""
    return SelectField(
        "What it is",
        choices=KIND_CHOICES,
        default=DocumentKind.OTHER.value,
        validators=[Optional()],
        description="Published as the document's type in the open contracting data.",
    )


class VersionForm(InputForm):
    """A new version of a tender document and the corrigendum that announces it."""

    file = FileField("New version of the file", validators=[FileRequired("Choose a file.")])
    description = TextAreaField(
        "What changes",
        validators=[
            InputRequired(message="Say what changes in this version."),
            Length(max=DESCRIPTION_MAX),
        ],
        description=(
            "Published as a corrigendum to every vendor with an offer or a question: which "
            "section changed, and why."
        ),
    )
    deadline = DateField(
        "New deadline for offers",
        validators=[Optional()],
        description="Offers close at 12:00 UTC on this date. Leave empty to extend by the minimum.",
    )
