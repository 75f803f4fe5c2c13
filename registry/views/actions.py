"""The shape every confirmed POST action shares: check the token, call, commit, tell the user."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash

from registry.database import db
from registry.exceptions import RuleViolation
from registry.forms import ConfirmForm


def run_confirmed(call: Callable[[], object], success: str) -> bool:
    """Run a service call behind a confirmation button; commit and flash, or roll back and say why.

    Returns whether the change was committed. The caller redirects either way.
    """
    if not ConfirmForm().validate_on_submit():
        return False
    try:
        call()
    except RuleViolation as error:
        db.session.rollback()
        flash(error.message, "error")
        return False
    db.session.commit()
    flash(success, "success")
    return True
