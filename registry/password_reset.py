"""Self-service password reset: a single-use link, mailed, valid for a short time.

- Asking gives the same page whether or not an account uses the address (no account, or a
  disabled one: nothing is written, nothing is sent).
- The link carries a random token; only its SHA-256 is stored. It works once, until
  PASSWORD_RESET_MINUTES after it was asked for; a newer link, or a password changed since,
  voids it.
- Asking is throttled per account (PASSWORD_RESET_PER_ACCOUNT an hour) and per address
  (PASSWORD_RESET_PER_ADDRESS an hour); over the limit the answer is the same and nothing is sent.
- Setting the new password signs the account out everywhere. A second factor, where the account
  has one, is still asked at the next sign-in: a lost device is reset by the authority.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import current_app, url_for
from sqlalchemy import ColumnElement, func, select, update

from registry import audit, auth, mail
from registry.database import db, utcnow
from registry.exceptions import RuleViolation
from registry.models import PasswordReset, User
from registry.passwords import hash_password, password_problem

DEFAULT_MINUTES = 60
DEFAULT_PER_ACCOUNT = 3
DEFAULT_PER_ADDRESS = 20
INVALID_LINK = (
    "This link to set a new password does not work any more: it was used, it expired, or a "
    "newer one was sent. Ask for a new link."
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name, default))


def _recent(condition: ColumnElement[bool]) -> int:
    since = utcnow() - dt.timedelta(hours=1)
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(PasswordReset)
            .where(condition, PasswordReset.created_at >= since)
        )
        or 0
    )


def request_reset(email: str, remote_addr: str) -> None:
    """Mail a reset link to the account using `email`, if there is one and it may have one."""
    user = db.session.scalar(
        select(User).where(func.lower(User.email) == email.strip().lower(), User.is_active)
    )
    if user is None:
        return
    if _recent(PasswordReset.user_id == user.id) >= _setting(
        "PASSWORD_RESET_PER_ACCOUNT", DEFAULT_PER_ACCOUNT
    ) or _recent(PasswordReset.requested_from == remote_addr[:64]) >= _setting(
        "PASSWORD_RESET_PER_ADDRESS", DEFAULT_PER_ADDRESS
    ):
        return
    now = utcnow()
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    minutes = _setting("PASSWORD_RESET_MINUTES", DEFAULT_MINUTES)
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordReset(
            user_id=user.id,
            token_hash=_hash(token),
            requested_from=remote_addr[:64],
            expires_at=now + dt.timedelta(minutes=minutes),
        )
    )
    link = url_for("auth.reset_password", token=token, _external=True)
    mail.send_mail(
        user.email,
        "Set a new password for SafeTech Registry",
        f"Someone (we hope you) asked to set a new password for {user.email}.\n\n"
        f"Open this link within {minutes} minutes to choose a new password:\n{link}\n\n"
        "The link works once. If you did not ask for it, ignore this message: your password "
        "stays as it is.\n",
    )
    audit.record(
        None,
        "user.password_reset_requested",
        user,
        summary=f"password reset link sent to {user.email}",
        organisation_id=user.organisation_id,
    )


def valid_reset(token: str) -> PasswordReset | None:
    """The unused, unexpired reset that `token` opens, if any."""
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == _hash(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    user = reset.user
    # A password changed since the link was sent (by any means) makes the link void.
    if not user.is_active or (
        user.password_changed_at is not None and user.password_changed_at > reset.created_at
    ):
        return None
    return reset


def reset_password(token: str, new_password: str) -> User:
    """Set the new password through a valid link; every session of the account ends."""
    reset = valid_reset(token)
    if reset is None:
        raise RuleViolation(INVALID_LINK)
    user = reset.user
    problem = password_problem(new_password, email=user.email, name=user.full_name)
    if problem:
        raise RuleViolation(problem, "new_password")
    # Only the first of two simultaneous uses of the link goes on.
    claimed = db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if getattr(claimed, "rowcount", 0) != 1:
        raise RuleViolation(INVALID_LINK)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    auth.revoke_sessions(user)
    audit.record(
        None,
        "user.password_reset",
        user,
        summary=f"{user.email} set a new password through a reset link",
        organisation_id=user.organisation_id,
    )
    return user
