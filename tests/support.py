"""Constants and small helpers shared by the tests."""

from __future__ import annotations

import datetime as dt

import pyotp

from registry.models import User

PASSWORD = "correct-horse-battery-staple"


def totp_code(user: User, offset_steps: int = 0) -> str:
    """The current TOTP code of a user (optionally a neighbouring time step)."""
    assert user.totp_secret
    moment = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30 * offset_steps)
    return pyotp.TOTP(user.totp_secret).at(moment)
