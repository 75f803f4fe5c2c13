"""Every form's messages say what to do, and every date field says the format it accepts."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from typing import Any

from flask import Flask
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DateField, Field, FieldList, FormField, SelectFieldBase

from registry.form_messages import DATE_EXAMPLE

PACKAGES = ("registry", "catalog", "evaluations", "procurement", "complaints", "vulnerabilities")
CODE = re.compile(r"^[a-z]+(_[a-z]+)+$")
WTFORMS_DEFAULTS = ("This field is required.", "Invalid input.", "Invalid email address.")


def _import_everything() -> None:
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            importlib.import_module(module.name)


def _form_classes() -> list[type[FlaskForm]]:
    _import_everything()
    found: list[type[FlaskForm]] = []
    pending: list[type[FlaskForm]] = [FlaskForm]
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if cls.__module__.split(".")[0] in PACKAGES:
            found.append(cls)
    return sorted(set(found), key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


FORMS = _form_classes()


def _fields(form: Any) -> Iterator[Field]:
    for field in form:
        if isinstance(field, FormField):
            yield from _fields(field.form)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                yield from _fields([entry])
        else:
            yield field


def _messages(errors: Any) -> Iterator[str]:
    if isinstance(errors, str):
        yield errors
    elif isinstance(errors, dict):
        for value in errors.values():
            yield from _messages(value)
    elif isinstance(errors, list | tuple):
        for value in errors:
            yield from _messages(value)


def _build(cls: type[FlaskForm]) -> FlaskForm:
    """The form as a view builds it: extra required arguments get a neutral value."""
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    kwargs: dict[str, Any] = {
        p.name: [] if "list" in str(p.annotation) else None
        for p in parameters
        if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    }
    form = cls(**kwargs)
    for field in _fields(form):
        if isinstance(field, SelectFieldBase) and getattr(field, "choices", None) is None:
            field.choices = []
    return form


def _bad(message: str) -> bool:
    return (
        message in WTFORMS_DEFAULTS
        or message.startswith("Not a valid")
        or "not a valid choice" in message
        or CODE.match(message.strip()) is not None
    )


def test_the_walk_finds_the_forms_of_every_package() -> None:
    modules = {cls.__module__.split(".")[0] for cls in FORMS}
    assert {"registry", "procurement", "evaluations", "catalog"} <= modules
    assert len(FORMS) > 50


def _bad_messages(app: Flask, cls: type[FlaskForm], body: str) -> list[str]:
    with app.test_request_context(method="POST", data={}):
        names = [field.name for field in _fields(_build(cls))]
    data = MultiDict({name: "?" for name in names} if body == "garbage" else {})
    with app.test_request_context(method="POST", data=data):
        form = _build(cls)
        form.validate()
        messages = [
            message
            for field in _fields(form)
            if field.name != "csrf_token"
            for message in _messages(field.errors)
        ] + list(_messages(form.form_errors))
    return [message for message in messages if _bad(message)]


def test_no_form_answers_with_a_bare_default_or_a_code(app: Flask) -> None:
    """Every form, sent empty and sent with "?" in each field (one app: forms, not data)."""
    bad = {
        f"{cls.__module__}.{cls.__name__} ({body})": found
        for cls in FORMS
        for body in ("empty", "garbage")
        if (found := _bad_messages(app, cls, body))
    }
    assert not bad, bad


def test_a_required_field_is_named_in_its_message(app: Flask) -> None:
    from procurement.forms import NeedForm
    from registry.forms import RegistrationForm

    with app.test_request_context(method="POST", data={}):
        form = RegistrationForm()
        form.validate()
        need = NeedForm()
        need.validate()
    assert form.organisation_name.errors == ["Enter the organisation name."]
    assert form.full_name.errors == ["Enter your full name."]
    assert form.kind.errors == ["Choose the kind of organisation."]
    assert need.max_unit_price.errors[0].startswith("Enter the maximum unit price")


def test_every_date_field_says_the_format_its_parser_accepts(app: Flask) -> None:
    checked = 0
    with app.test_request_context(method="POST", data={}):
        for cls in FORMS:
            for field in _fields(_build(cls)):
                if not isinstance(field, DateField):
                    continue
                where = f"{cls.__name__}.{field.name}"
                assert f"For example, {DATE_EXAMPLE}" in str(field.description), where
                field.process_formdata([DATE_EXAMPLE])
                assert field.data == dt.date(2027, 3, 31), where
                checked += 1
    assert checked >= 15


def test_a_date_in_another_format_is_refused_with_the_example(app: Flask) -> None:
    from procurement.forms import NeedForm

    with app.test_request_context(method="POST", data={"need_by": "31/03/2027"}):
        form = NeedForm()
        form.validate()
    assert form.need_by.errors == [
        f"Enter a real date for “Needed by” as year-month-day, for example {DATE_EXAMPLE}."
    ]


def test_a_label_with_a_percent_sign_keeps_it_in_a_range_message(app: Flask) -> None:
    from registry.norms.forms import VersionSettingsForm

    with app.test_request_context(method="POST", data={}):
        form = VersionSettingsForm()
        names = [field.name for field in _fields(form) if "%" in str(field.label.text)]
    assert names
    with app.test_request_context(method="POST", data=dict.fromkeys(names, "1000")):
        form = VersionSettingsForm()
        form.validate()
        messages = [m for field in _fields(form) if field.name in names for m in field.errors]
    assert messages
    assert all("(%)" in message and " must be " in message for message in messages), messages
