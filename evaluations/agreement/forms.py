"""Forms of the agreement pages: publish a version, accept it."""

from __future__ import annotations

from wtforms import BooleanField, DateField, HiddenField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from evaluations.agreement.services import TEXT_MAX
from registry.forms import InputForm


class PublishForm(InputForm):
    """The authority publishes the next version of the agreement."""

    terms = TextAreaField(
        "Terms of the agreement",
        validators=[InputRequired("Write the terms."), Length(max=TEXT_MAX)],
        description="Markdown: headings, lists, links and tables; no HTML.",
    )
    mark_rules = TextAreaField(
        "Rules for using the mark",
        validators=[InputRequired("Write the rules for the mark."), Length(max=TEXT_MAX)],
        description="Markdown. Published on the certification page and put in every mark pack.",
    )
    effective_on = DateField(
        "In force from",
        validators=[Optional()],
        description="Format: YYYY-MM-DD. Leave empty for today. Vendors can accept it before.",
    )
    confirm = BooleanField(
        "I understand that a published version cannot be edited, and that every vendor must "
        "accept it before its next application.",
        validators=[InputRequired("Tick the box to confirm.")],
    )


class AcceptForm(InputForm):
    """A vendor administrator signs the newest version for the organisation."""

    version_id = HiddenField()
    confirm = BooleanField(
        "I have read this version and accept it on behalf of my organisation.",
        validators=[InputRequired("Tick the box to accept.")],
    )
