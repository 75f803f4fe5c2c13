"""Constants and small helpers shared by the tests."""

from __future__ import annotations

import datetime as dt
import re

import pyotp

from registry.models import User

PASSWORD = "correct-horse-battery-staple"


def totp_code(user: User, offset_steps: int = 0) -> str:
    """The current TOTP code of a user (optionally a neighbouring time step)."""
    assert user.totp_secret
    moment = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30 * offset_steps)
    return pyotp.TOTP(user.totp_secret).at(moment)


def mentions_number(text: str, number: str) -> bool:
    """Whether ``number`` appears in ``text`` as a number of its own.

    Hashes, UUIDs and nonces are runs of letters and digits, so "850" inside
    "a8503f…" is no price; "850", "850.00" or "€850" standing alone is one.
    """
    pattern = rf"(?<![0-9A-Za-z]){re.escape(number)}(?![0-9A-Za-z])"
    return re.search(pattern, text) is not None
