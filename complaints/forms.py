"""The forms of complaints and appeals."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from complaints.models import CONTACT_MAX, Outcome
from complaints.services import COMPLAINT_SUBJECTS, DESCRIPTION_MAX, NAME_MAX, REASONS_MAX
from registry.forms import InputForm, NameField


class MultiCheckboxField(SelectField):  # type: ignore[misc]  # WTForms fields are untyped
    """Several checkboxes of one name."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: object) -> None:
        """Any subset of the choices (the service checks each effect)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        """Keep every ticked value."""
        self.data = list(valuelist)


class ComplaintForm(InputForm):
    """The public complaint form."""

    subject = RadioField(
        "What is the complaint about?",
        choices=[SelectChoice(s.value, s.text) for s in COMPLAINT_SUBJECTS],
        validators=[InputRequired("Choose what the complaint is about.")],
    )
    label = StringField(
        "Label number",
        validators=[Optional(), Length(max=20)],
        description="For a complaint about a label holder or a label's use, e.g. STR-2026-00042.",
    )
    description = TextAreaField(
        "Your complaint",
        validators=[InputRequired("Describe the matter."), Length(max=DESCRIPTION_MAX)],
        description="What happened, where and when; what you expect of the authority.",
    )
    contact_name = NameField("Your name", validators=[Optional(), Length(max=NAME_MAX)])
    contact_email = EmailField(
        "Your e-mail address",
        validators=[Optional(), Length(max=CONTACT_MAX)],
        description="Needed when you are not signed in: the acknowledgement, a code to follow "
        "the case and the outcome are sent there.",
    )
    consent = BooleanField(
        "I agree that the authority keeps my contact details to handle this complaint; they "
        "are never published.",
        validators=[InputRequired("Tick the box to agree.")],
    )


class AppealForm(InputForm):
    """A vendor's appeal."""

    description = TextAreaField(
        "Grounds of the appeal",
        validators=[InputRequired("Give the grounds of the appeal."), Length(max=DESCRIPTION_MAX)],
        description="Why the decision should be changed, and the facts that support it.",
    )


class NoteForm(InputForm):
    """A step with an optional note (acknowledge, withdraw)."""

    note = TextAreaField("Note", validators=[Optional(), Length(max=REASONS_MAX)])


class AssignForm(InputForm):
    """Assign a handler."""

    handler = SelectField("Handler", coerce=int, validators=[InputRequired()])


class DecideForm(InputForm):
    """The handler's outcome, reasons and effects."""

    outcome = RadioField(
        "Outcome",
        choices=[SelectChoice(o.value, o.text) for o in Outcome],
        validators=[InputRequired("Choose the outcome.")],
    )
    reasons = TextAreaField(
        "Reasons",
        validators=[InputRequired("Give the reasons."), Length(max=REASONS_MAX)],
        description="Sent to the party.",
    )
    effects = MultiCheckboxField("Effects", choices=[])
    confirm = BooleanField(
        "I confirm the outcome and its effects; they apply at once.",
        validators=[InputRequired("Tick the box to confirm.")],
    )
