"""The messages a form shows: each names its field and says what to do.

WTForms' own messages ("This field is required.", "Not a valid date value.", "Invalid input.")
name no field and give no example. Every field of every form (`registry.forms.InputForm`) gets
a `FieldMessages` as its translations, which turns each default into a sentence for that field;
a message a form or a validator wrote itself passes through unchanged. Dates are entered as
`DATE_EXAMPLE` shows, which is what `DateField` parses, and each date field says so.
"""

from __future__ import annotations

from typing import Any, Protocol

from wtforms import (
    BooleanField,
    DateField,
    DateTimeField,
    DecimalField,
    FileField,
    FloatField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
)
from wtforms.fields.core import Field

DATE_EXAMPLE = "2027-03-31"
DATE_HINT = f"For example, {DATE_EXAMPLE}."
DATETIME_EXAMPLE = "2027-03-31 14:30"


class Translations(Protocol):
    """What WTForms asks of a translations object."""

    def gettext(self, string: str) -> str:
        """A translated message."""

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """A translated message with a count."""


def field_name(field: Field) -> str:
    """The field's label as it reads inside a sentence ("quantity", "SIREN")."""
    text = str(field.label.text).strip().rstrip(":").strip()
    if len(text) > 1 and text[1].isupper():
        return text  # starts with an acronym: keep it
    return text[:1].lower() + text[1:]


def _the(field: Field) -> str:
    """The field's name with its article: "the quantity", "your full name"."""
    name = field_name(field)
    return name if name.startswith(("your ", "the ")) else f"the {name}"


def required_message(field: Field) -> str:
    """What to do about an empty required field, by the kind of field."""
    name = _the(field)
    if isinstance(field, BooleanField):
        return f"Tick “{field.label.text}” to go on."
    if isinstance(field, FileField | MultipleFileField):
        return f"Choose a file for {name}."
    if isinstance(field, SelectField | SelectMultipleField | RadioField):
        return f"Choose {name}."
    if isinstance(field, DateField):
        return f"Enter a date for “{field.label.text}”, for example {DATE_EXAMPLE}."
    return f"Enter {name}."


def _invalid_value_message(field: Field) -> str:
    name = _the(field)
    if isinstance(field, DateField):
        return (
            f"Enter a real date for “{field.label.text}” as year-month-day, "
            f"for example {DATE_EXAMPLE}."
        )
    if isinstance(field, DateTimeField):
        return f"Enter {name} as a date and time, for example {DATETIME_EXAMPLE}."
    if isinstance(field, IntegerField):
        return f"Enter {name} as a whole number, for example 12."
    if isinstance(field, DecimalField | FloatField):
        return f"Enter {name} as a number, for example 12.50."
    if isinstance(field, SelectField | SelectMultipleField | RadioField):
        return f"Choose {name} from the list."
    return f"Check {name}: it is not in the expected form."


_REQUIRED = {"This field is required."}
_INVALID_VALUE = {
    "Not a valid date value.",
    "Not a valid datetime value.",
    "Not a valid time value.",
    "Not a valid month value.",
    "Not a valid week value.",
    "Not a valid integer value.",
    "Not a valid decimal value.",
    "Not a valid float value.",
    "Not a valid choice.",
    "'%(value)s' is not a valid choice for this field.",
    "'%(value)s' are not valid choices for this field.",
    "Invalid Choice: could not coerce.",
    "Invalid choice(s): one or more data inputs could not be coerced.",
    "Choices cannot be None.",
    "Invalid input.",
}


class FieldMessages:
    """A field's translations: WTForms' default messages replaced by ones naming the field."""

    def __init__(self, field: Field, inner: Translations | None) -> None:
        self.field = field
        self.inner = inner

    def _own(self, string: str) -> str | None:
        own = self._own_unescaped(string)
        if own is not None and "%(" in string:
            return own.replace("%", "%%")  # the caller fills the original's placeholders
        return own

    def _own_unescaped(self, string: str) -> str | None:
        if string in _REQUIRED:
            return required_message(self.field)
        if string in _INVALID_VALUE:
            return _invalid_value_message(self.field)
        if string == "Invalid email address.":
            return "Enter an e-mail address like name@example.org."
        if string == "Invalid URL.":
            return (
                "Enter a web address starting with https://, for example https://www.example.org."
            )
        return None

    def _named(self, text: str) -> str:
        for start in ("Field ", "Number "):
            if text.startswith(start):
                # The caller fills the placeholders: a "%" in a label must stay one.
                name = _the(self.field).replace("%", "%%")
                return name[:1].upper() + name[1:] + " " + text[len(start) :]
        return text

    def gettext(self, string: str) -> str:
        """The field's own sentence for a WTForms default, or the message as written."""
        own = self._own(string)
        if own is not None:
            return own
        return self._named(self.inner.gettext(string) if self.inner is not None else string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Counted messages (lengths, numbers of choices), named for the field."""
        own = self._own(singular)
        if own is not None:
            return own
        text = (
            self.inner.ngettext(singular, plural, n)
            if self.inner is not None
            else (singular if n == 1 else plural)
        )
        return self._named(text)


def date_hint(description: Any) -> str:
    """A date field's description with the format it accepts, added when it does not say it."""
    text = str(description or "").strip()
    if DATE_EXAMPLE in text:
        return text
    return f"{text} {DATE_HINT}".strip()
