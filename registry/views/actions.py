"""The shape every POST action button shares: call a service, commit, tell the user."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash
from flask_wtf import FlaskForm

from registry.database import db
from registry.exceptions import RuleViolation
from registry.forms import ConfirmForm


def commit_or_report(call: Callable[[], object], success: str) -> bool:
    """Run a service call; commit and flash `success`, or roll back and flash why it was refused.

    Returns whether the change was committed. The caller redirects either way.
    """
    try:
        call()
    except RuleViolation as error:
        db.session.rollback()
        flash(error.message, "error")
        return False
    db.session.commit()
    flash(success, "success")
    return True


def run_confirmed(call: Callable[[], object], success: str) -> bool:
    """`commit_or_report` behind a confirmation button: nothing runs without a valid token."""
    if not ConfirmForm().validate_on_submit():
        return False
    return commit_or_report(call, success)


def show_violation(form: FlaskForm, error: RuleViolation) -> None:
    """Roll back a refused change and show why next to the field it names, or above the form."""
    db.session.rollback()
    target = getattr(form, error.field or "", None)
    if target is not None and error.field != "csrf_token":
        target.errors = [*target.errors, error.message]
    else:
        form.form_errors.append(error.message)
