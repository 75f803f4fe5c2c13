"""Text is cleaned once at input by every form; names compare by key and by look-alike skeleton."""

from __future__ import annotations

import importlib
import pkgutil
import unicodedata

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms import Form, PasswordField, StringField
from wtforms.fields.core import UnboundField

from registry.forms import InputForm, NameField, RegistrationForm, input_cleaner
from registry.text import clean_name, clean_text, email_key, name_key, skeleton, xml_safe

PACKAGES = ("registry", "catalog", "evaluations", "vulnerabilities", "procurement")
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _is_unsafe(character: str) -> bool:
    code = ord(character)
    control = unicodedata.category(character) == "Cc" and character not in "\t\n"
    noncharacter = 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE
    return control or noncharacter or 0xD800 <= code <= 0xDFFF


@given(st.text())
def test_clean_text_leaves_nothing_that_breaks_an_output(value: str) -> None:
    for multiline in (False, True):
        cleaned = clean_text(value, multiline=multiline)
        assert not any(_is_unsafe(c) for c in cleaned)
        assert unicodedata.is_normalized("NFC", cleaned)
        assert cleaned == clean_text(cleaned, multiline=multiline)
        assert xml_safe(cleaned) == cleaned
        if not multiline:
            assert "\n" not in cleaned
            assert "\t" not in cleaned


@given(st.text())
def test_clean_name_is_one_visible_line(value: str) -> None:
    cleaned = clean_name(value)
    assert not any(_is_unsafe(c) or c in INVISIBLE for c in cleaned)
    assert cleaned == " ".join(cleaned.split())
    assert cleaned == clean_name(cleaned)
    assert unicodedata.is_normalized("NFC", cleaned)


def test_multiline_text_keeps_its_lines_as_line_feeds() -> None:
    assert clean_text("one\r\ntwo\rthree\u2028four\tend\x07", multiline=True) == (
        "one\ntwo\nthree\nfour\tend"
    )


def test_names_lose_invisible_characters_and_compose() -> None:
    assert clean_name("  Acme\u202e\u200d Se\u0301curite\u0000\ufffe  ") == "Acme Sécurite"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("ÉCOLE NATIONALE", "école nationale"),
        ("Ｅｃｏｌｅ", "ecole"),
        ("Straße", "STRASSE"),
        ("E\u0301cole", "École"),
        ("Acme\u200b Security", "acme security"),
        ("ﬁrst", "FIRST"),
    ],
)
def test_one_name_one_key(first: str, second: str) -> None:
    assert name_key(first) == name_key(second)


def test_different_names_have_different_keys() -> None:
    assert name_key("Acme") != name_key("Аcme")  # Cyrillic А: a look-alike, not the same name
    assert name_key("Alpha Security") != name_key("Alpha Securities")


def test_email_key_folds_case_and_width() -> None:
    assert email_key(" ÉLISE@Example.ORG ") == email_key("élise@example.org")
    assert email_key("ｅｖｅ@example.org") == email_key("eve@example.org")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Acme", "Аcme"),  # Cyrillic А
        ("PayPal", "PayPaI"),  # capital I for l
        ("google", "g00gle"),
        ("Modern", "Modem"),
        ("Société Générale", "Societe Generale"),
    ],
)
def test_look_alikes_share_a_skeleton(first: str, second: str) -> None:
    assert skeleton(first) == skeleton(second)


def test_different_looking_names_have_different_skeletons() -> None:
    assert skeleton("Alpha Security") != skeleton("Beta Security")


def _all_form_classes() -> set[type[Form]]:
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            importlib.import_module(module.name)
    found: set[type[Form]] = set()
    pending: list[type[Form]] = [Form]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.split(".")[0] in PACKAGES:
                found.add(subclass)
    return found


def _text_fields(form_class: type[Form]) -> dict[str, UnboundField]:
    return {
        name: value
        for name in dir(form_class)
        if isinstance(value := getattr(form_class, name), UnboundField)
        and issubclass(value.field_class, StringField)
    }


def test_every_form_of_the_project_cleans_its_input() -> None:
    forms = _all_form_classes()
    assert len(forms) > 30
    escaped = sorted(f.__qualname__ for f in forms if not issubclass(f, InputForm))
    assert escaped == [], "these forms do not inherit registry.forms.InputForm"


def test_every_name_field_uses_the_name_rule() -> None:
    plain = [
        f"{form.__qualname__}.{name}"
        for form in _all_form_classes()
        for name, field in _text_fields(form).items()
        if (name in {"name", "title"} or name.endswith(("_name", "_title")))
        and not issubclass(field.field_class, NameField)
    ]
    assert plain == []


def test_every_text_field_has_a_cleaner_except_passwords() -> None:
    for form in _all_form_classes():
        for name, field in _text_fields(form).items():
            if issubclass(field.field_class, PasswordField):
                assert input_cleaner(field.field_class) is None
            else:
                assert input_cleaner(field.field_class) is not None, f"{form}.{name}"


def test_a_bound_form_hands_the_view_cleaned_text(app: Flask) -> None:
    hostile = "ÉCOLE\u202e\u0000 e\u0301tude\ufffe\u200d"
    with app.test_request_context(method="POST"):
        form = RegistrationForm(
            formdata=MultiDict(
                {
                    "organisation_name": hostile,
                    "full_name": "Ann\x1b[31m Lee\u2066",
                    "region": "Île\x0b-de-France\n",
                    "email": "\ufeffann@example.org ",
                    "password": " keep\u200b my password\x07 ",
                }
            )
        )
        assert form.organisation_name.data == "ÉCOLE étude"
        assert form.full_name.data == "Ann[31m Lee"
        assert form.region.data == "Île-de-France"
        assert form.email.data == "ann@example.org"
        assert form.password.data == " keep\u200b my password\x07 "
