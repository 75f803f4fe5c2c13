"""The `norm_admin` blueprint, and how its pages show a service's refusal on a form."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from registry.exceptions import RuleViolation

bp = Blueprint("norm_admin", __name__, url_prefix="/admin/norms")


def _form_error(form: Any, error: RuleViolation) -> None:
    """Show a service's refusal next to the field it names, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
