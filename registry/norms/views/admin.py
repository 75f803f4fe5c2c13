"""The `norm_admin` blueprint, and how its pages save a form or show a service's refusal on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint
from werkzeug.wrappers import Response

from registry.database import db
from registry.exceptions import RuleViolation

bp = Blueprint("norm_admin", __name__, url_prefix="/admin/norms")

T = TypeVar("T")


def form_error(form: Any, error: RuleViolation) -> None:
    """Show a service's refusal next to the field it names, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def save_form(
    form: Any,
    action: Callable[[], T],
    success: Callable[[T], Response],
    refused: Callable[[RuleViolation], Response | None] = lambda error: None,
    show: Callable[[Any, RuleViolation], None] = form_error,
) -> Response | None:
    """Run a validated form's service call, commit it and answer with `success(result)`.

    A refusal is rolled back; `refused(error)` may answer it, else `show` puts it on the form and
    None is returned: the caller shows the form again.
    """
    try:
        result = action()
    except RuleViolation as error:
        db.session.rollback()
        answer = refused(error)
        if answer is None:
            show(form, error)
        return answer
    db.session.commit()
    return success(result)
