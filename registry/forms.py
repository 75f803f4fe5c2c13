"""Forms for sign-in, registration, invitations and the authority's console."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.validators import URL, Email, InputRequired, Length, Optional, Regexp

from registry.arguments import MAX_ID
from registry.form_messages import FieldMessages, date_hint
from registry.legal_identifiers import SCHEMES, identifier_problem
from registry.models import BuyerType, OrganisationKind, OrganisationStatus, VendorSize
from registry.passwords import MAX_LENGTH, MIN_LENGTH
from registry.text import clean_name, clean_text

WEBSITE_MESSAGE = "Give a web address starting with http:// or https://."
KIND_CHOICES = [
    SelectChoice(OrganisationKind.VENDOR.value, "Vendor (a company offering security solutions)"),
    SelectChoice(
        OrganisationKind.BUYER.value, "Buyer (a public body or operator buying solutions)"
    ),
    SelectChoice(
        OrganisationKind.EVALUATION_BODY.value, "Evaluation body (a laboratory that evaluates)"
    ),
]
VENDOR_SIZE_CHOICES = [SelectChoice("", "— choose —")] + [
    SelectChoice(s.value, s.label) for s in VendorSize
]
IDENTIFIER_SCHEME_CHOICES = [SelectChoice("", "None")] + [
    SelectChoice(scheme, label) for scheme, label in SCHEMES.items()
]
# The kinds that are companies, and so must give a SIREN or an EU VAT number at registration.
COMPANY_KINDS = (OrganisationKind.VENDOR.value, OrganisationKind.EVALUATION_BODY.value)
BUYER_TYPE_CHOICES = [SelectChoice("", "— choose —")] + [
    SelectChoice(t.value, t.label) for t in BuyerType
]


class BoundedIntegerField(IntegerField):  # type: ignore[misc]  # WTForms fields are untyped
    """A whole number within what an INTEGER column holds; a larger one is a field error.

    WTForms' own IntegerField takes any integer, which PostgreSQL and SQLite refuse with an
    error instead of the form answering. Every integer field of every form is one of these.
    """

    data: int | None

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse as IntegerField does, then refuse a number past the column's range."""
        super().process_formdata(valuelist)
        if self.data is not None and not -MAX_ID <= self.data <= MAX_ID:
            self.data = None
            raise ValueError(self.gettext(f"Give a whole number from {-MAX_ID:,} to {MAX_ID:,}."))


class NameField(StringField):  # type: ignore[misc]  # WTForms fields are untyped
    """A name shown as a link or a heading: cleaned with the stricter rule for names."""


def _clean_multiline(value: str | None) -> str | None:
    return None if value is None else clean_text(value, multiline=True)


def _clean_line(value: str | None) -> str | None:
    return None if value is None else clean_text(value)


def _clean_name(value: str | None) -> str | None:
    return None if value is None else clean_name(value)


def input_cleaner(field_class: type) -> Callable[[str | None], str | None] | None:
    """The cleaning every text field of this class gets at input; None for passwords."""
    if not issubclass(field_class, StringField) or issubclass(field_class, PasswordField):
        return None
    if issubclass(field_class, TextAreaField):
        return _clean_multiline
    if issubclass(field_class, NameField | EmailField | URLField):
        return _clean_name
    return _clean_line


class InputForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF's FlaskForm is untyped
    """The base of every form: text is cleaned once, here, before a view or service sees it."""

    class Meta:
        """WTForms' per-form settings: how each field is bound to the form."""

        def bind_field(
            self, form: Any, unbound_field: UnboundField, options: dict[str, Any]
        ) -> Any:
            """Put the input cleaner first in the field's filters; name the field in messages.

            A date field's hint also says the format it accepts.
            """
            cleaner = input_cleaner(unbound_field.field_class)
            if cleaner is not None:
                filters = tuple(unbound_field.kwargs.get("filters", ()))
                options = {**options, "filters": (cleaner, *filters)}
            if issubclass(unbound_field.field_class, DateField):
                options = {
                    **options,
                    "description": date_hint(unbound_field.kwargs.get("description")),
                }
            field = super().bind_field(form, unbound_field, options)  # type: ignore[misc]
            field._translations = FieldMessages(field, field._translations)
            return field


def _email_field(label: str = "E-mail address") -> EmailField:
    return EmailField(
        label,
        validators=[InputRequired(), Length(max=254), Email(check_deliverability=False)],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


def _new_password_field(label: str = "Password") -> PasswordField:
    return PasswordField(
        label,
        validators=[InputRequired(), Length(min=MIN_LENGTH, max=MAX_LENGTH)],
        description=f"{MIN_LENGTH} to {MAX_LENGTH} characters. A passphrase is easiest.",
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(InputForm):
    """E-mail and password."""

    email = _email_field()
    password = PasswordField(
        "Password",
        validators=[InputRequired(), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class TotpForm(InputForm):
    """A six-digit code from an authenticator app."""

    code = StringField(
        "Six-digit code",
        validators=[
            InputRequired(),
            Regexp(r"^\s*[0-9]{3}\s?[0-9]{3}\s*$", message="Enter 6 digits."),
        ],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class RegistrationForm(InputForm):
    """A new organisation and its first user."""

    organisation_name = NameField(
        "Organisation name", validators=[InputRequired(), Length(max=200)]
    )
    kind = SelectField("Kind of organisation", choices=KIND_CHOICES, validators=[InputRequired()])
    vendor_size = SelectField(
        "Company size (vendors)", choices=VENDOR_SIZE_CHOICES, validators=[Optional()]
    )
    buyer_type = SelectField(
        "Type of buyer (buyers)", choices=BUYER_TYPE_CHOICES, validators=[Optional()]
    )
    country = StringField(
        "Country (ISO code)",
        default="FR",
        validators=[InputRequired(), Regexp(r"^[A-Za-z]{2}$", message="Two letters, e.g. FR.")],
    )
    region = StringField("Region", validators=[Optional(), Length(max=200)])
    website = URLField(
        "Website",
        validators=[Optional(), Length(max=200), URL(require_tld=True, message=WEBSITE_MESSAGE)],
        description="A full address starting with https://",
    )
    legal_identifier_scheme = SelectField(
        "Kind of company identifier",
        choices=IDENTIFIER_SCHEME_CHOICES,
        validators=[Optional()],
    )
    legal_identifier = StringField(
        "Company identifier",
        validators=[Optional(), Length(max=40)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    full_name = NameField("Your full name", validators=[InputRequired(), Length(max=200)])
    email = _email_field("Your e-mail address")
    password = _new_password_field()

    def validate(self, extra_validators: Any = None) -> bool:
        """Field checks, then what depends on the kind (Optional() would stop a field check)."""
        valid: bool = super().validate(extra_validators)
        if self.kind.data == OrganisationKind.VENDOR.value and not self.vendor_size.data:
            self.vendor_size.errors = [*self.vendor_size.errors, "Choose the company size."]
            valid = False
        if self.kind.data == OrganisationKind.BUYER.value and not self.buyer_type.data:
            self.buyer_type.errors = [*self.buyer_type.errors, "Choose the type of buyer."]
            valid = False
        return self._validate_identifier() and valid

    def _validate_identifier(self) -> bool:
        """A company (vendor, evaluation body) gives its identifier; a buyer may."""
        scheme = self.legal_identifier_scheme.data or ""
        value = (self.legal_identifier.data or "").strip()
        if self.kind.data not in COMPANY_KINDS and not scheme and not value:
            return True
        if not scheme:
            self.legal_identifier_scheme.errors = [
                *self.legal_identifier_scheme.errors,
                "Choose the kind of company identifier: a SIREN or an EU VAT number.",
            ]
            return False
        if not value:
            self.legal_identifier.errors = [
                *self.legal_identifier.errors,
                "Enter the company identifier: the SIREN (9 digits) or the EU VAT number.",
            ]
            return False
        problem = identifier_problem(scheme, value)
        if problem is not None:
            self.legal_identifier.errors = [*self.legal_identifier.errors, problem]
            return False
        return True


class AcceptInvitationForm(InputForm):
    """The invited person's name and password."""

    full_name = NameField("Your full name", validators=[InputRequired(), Length(max=200)])
    password = _new_password_field()


class ChangePasswordForm(InputForm):
    """Current and new password."""

    current_password = PasswordField(
        "Current password",
        validators=[InputRequired(), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = _new_password_field("New password")


class ForgotPasswordForm(InputForm):
    """The address of the account whose password is forgotten."""

    email = _email_field()


class ResetPasswordForm(InputForm):
    """The new password, set through a reset link."""

    new_password = _new_password_field("New password")


class InviteForm(InputForm):
    """Invite one person by e-mail."""

    email = _email_field("E-mail address of the person to invite")


class ReasonForm(InputForm):
    """A state change that needs a reason (suspend, reject)."""

    reason = TextAreaField("Reason", validators=[InputRequired(), Length(max=2000)])


class ConfirmForm(InputForm):
    """A button that only carries the CSRF token."""


class ProfileForm(InputForm):
    """An organisation's public profile."""

    website = URLField(
        "Website",
        validators=[Optional(), Length(max=200), URL(require_tld=True, message=WEBSITE_MESSAGE)],
        description="A full address starting with https://",
    )
    region = StringField("Region", validators=[Optional(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    legal_identifier_scheme = SelectField(
        "Kind of legal identifier", choices=IDENTIFIER_SCHEME_CHOICES, validators=[Optional()]
    )
    legal_identifier = StringField(
        "Legal identifier",
        validators=[Optional(), Length(max=40)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )

    def validate(self, extra_validators: Any = None) -> bool:
        """Field checks, then the identifier's format for its scheme (with what to correct)."""
        valid: bool = super().validate(extra_validators)
        scheme = self.legal_identifier_scheme.data or ""
        value = self.legal_identifier.data or ""
        if not scheme and not value.strip():
            return valid
        if scheme and not value.strip():
            self.legal_identifier.errors = [
                *self.legal_identifier.errors,
                "Enter the identifier, or choose “None” to publish none.",
            ]
            return False
        problem = identifier_problem(scheme, value)
        if problem is not None:
            self.legal_identifier.errors = [*self.legal_identifier.errors, problem]
            return False
        return valid


class CreateStaffForm(InputForm):
    """The authority adds one of its own staff."""

    email = _email_field()
    full_name = NameField("Full name", validators=[InputRequired(), Length(max=200)])
    password = _new_password_field("Initial password")


STATUS_FILTER_CHOICES = [("", "Any status")] + [
    (s.value, s.value.capitalize()) for s in OrganisationStatus
]
KIND_FILTER_CHOICES = [("", "Any kind")] + [(k.value, k.label) for k in OrganisationKind]
