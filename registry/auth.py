"""Sign-in: server-side sessions, login throttling, and the TOTP second factor."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import pyotp
from flask import current_app, g, request, session
from sqlalchemy import func, select, update

from registry import audit, text
from registry.database import db, sqlite_begin, utcnow
from registry.exceptions import RuleViolation, TooManyAttempts
from registry.models import LoginAttempt, SessionStage, User, UserSession
from registry.passwords import hash_password, needs_rehash, verify_password

SESSION_COOKIE_KEY = "sid"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
GENERIC_LOGIN_ERROR = "The e-mail address or password is not correct."


def token_digest(token: str) -> str:
    """The stored form of a bearer token: its SHA-256, so a database leak reveals no token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_email(email: str) -> str:
    """The address as stored: cleaned like a name, lower case (identity uses `text.email_key`)."""
    return text.clean_name(email).lower()


# --- throttling -------------------------------------------------------------------------


def retry_after(email: str, remote_addr: str) -> int:
    """Seconds to wait before another attempt is allowed; 0 when none is needed."""
    config = current_app.config
    window = dt.timedelta(seconds=config["LOGIN_THROTTLE_WINDOW_SECONDS"])
    since = utcnow() - window
    waits = []
    for column, value, limit in (
        (LoginAttempt.email, email, config["LOGIN_THROTTLE_PER_ACCOUNT"]),
        (LoginAttempt.remote_addr, remote_addr, config["LOGIN_THROTTLE_PER_ADDRESS"]),
    ):
        count, oldest = db.session.execute(
            select(func.count(), func.min(LoginAttempt.at)).where(
                column == value, LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False)
            )
        ).one()
        if count >= limit and oldest is not None:
            oldest_at = oldest if oldest.tzinfo else oldest.replace(tzinfo=dt.UTC)
            waits.append(int((oldest_at + window - utcnow()).total_seconds()) + 1)
    return max([0, *waits])


def record_attempt(email: str, remote_addr: str, succeeded: bool) -> None:
    """Count an attempt (the caller commits, even when the login fails)."""
    db.session.add(LoginAttempt(email=email, remote_addr=remote_addr, succeeded=succeeded))
    db.session.flush()


# --- sessions ---------------------------------------------------------------------------


def start_session(user: User, stage: SessionStage) -> UserSession:
    """Open a new server-side session with a fresh id and put its token in the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    user_session = UserSession(
        token_hash=token_digest(token),
        user=user,
        stage=stage,
        created_at=now,
        last_seen_at=now,
        user_agent=(request.user_agent.string or "")[:200],
    )
    db.session.add(user_session)
    db.session.flush()
    session.clear()
    session[SESSION_COOKIE_KEY] = token
    session.permanent = True
    g.user_session = user_session
    g.user = user if stage is SessionStage.FULL else None
    return user_session


def end_current_session() -> None:
    """Revoke the current session so its cookie is useless, and clear the cookie."""
    user_session: UserSession | None = g.get("user_session")
    if user_session is not None:
        user_session.revoked_at = utcnow()
        db.session.flush()
    session.clear()
    g.user_session = None
    g.user = None


def revoke_sessions(user: User, *, keep: UserSession | None = None) -> int:
    """Revoke every open session of a user (except `keep`); returns how many."""
    statement = (
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if keep is not None:
        statement = statement.where(UserSession.id != keep.id)
    result = db.session.execute(statement)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def load_session() -> None:
    """Find the request's session from its cookie; set g.user only for a complete login."""
    g.user = None
    g.user_session = None
    token = session.get(SESSION_COOKIE_KEY)
    if not isinstance(token, str) or len(token) > 100:
        return
    user_session = db.session.scalar(
        select(UserSession).where(UserSession.token_hash == token_digest(token))
    )
    if user_session is None or user_session.revoked_at is not None:
        session.pop(SESSION_COOKIE_KEY, None)
        return
    config = current_app.config
    now = utcnow()
    user = user_session.user
    idle_limit = dt.timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    if user_session.stage is not SessionStage.FULL:
        idle_limit = dt.timedelta(minutes=10)
    absolute_limit = dt.timedelta(hours=config["SESSION_ABSOLUTE_HOURS"])
    expired = (
        now - user_session.last_seen_at > idle_limit
        or now - user_session.created_at > absolute_limit
    )
    if expired or not user.is_active or not user.organisation.is_active:
        session.pop(SESSION_COOKIE_KEY, None)
        return
    g.user_session = user_session
    if user_session.stage is SessionStage.FULL:
        g.user = user
    if now - user_session.last_seen_at > dt.timedelta(seconds=60):
        _touch(user_session, now)


def _touch(user_session: UserSession, now: dt.datetime) -> None:
    """Record activity for the idle timeout without turning a read request into a writer."""
    if request.method in SAFE_METHODS:
        # A short write transaction of its own: the request's transaction stays read-only.
        with sqlite_begin("IMMEDIATE"), db.engine.begin() as connection:
            connection.execute(
                update(UserSession)
                .where(UserSession.id == user_session.id)
                .values(last_seen_at=now)
            )
    else:
        user_session.last_seen_at = now


# --- login --------------------------------------------------------------------------------


@dataclass
class LoginOutcome:
    """Where a successful password check leads: straight in, or to the second factor."""

    user: User
    stage: SessionStage


def log_in(email: str, password: str, remote_addr: str) -> LoginOutcome:
    """Check a password login; raise RuleViolation with one generic message on failure."""
    email = normalise_email(email)
    wait = retry_after(email, remote_addr)
    if wait:
        raise TooManyAttempts(wait)
    user = db.session.scalar(select(User).where(User.email_key == text.email_key(email)))
    ok = verify_password(user.password_hash if user else None, password)
    record_attempt(email, remote_addr, ok)
    if not ok or user is None:
        current_app.logger.warning("failed login for %r from %s", email, remote_addr)
        raise RuleViolation(GENERIC_LOGIN_ERROR)
    if not user.is_active:
        raise RuleViolation("This account has been disabled. Contact your organisation.")
    organisation = user.organisation
    if not organisation.is_active:
        raise RuleViolation(
            {
                "pending": "Your organisation is awaiting approval by the authority.",
                "suspended": "Your organisation is suspended. Contact the authority.",
                "rejected": "Your organisation's registration was not approved.",
            }.get(organisation.status.value, "Your organisation cannot sign in.")
        )
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if not user.needs_second_factor:
        stage = SessionStage.FULL
    elif user.totp_secret is None:
        stage = SessionStage.ENROL
    else:
        stage = SessionStage.TOTP
    start_session(user, stage)
    if stage is SessionStage.FULL:
        complete_login(user)
    return LoginOutcome(user, stage)


def complete_login(user: User) -> None:
    """Mark a login as complete and record it."""
    user.last_login_at = utcnow()
    audit.record(user, "user.login", user, summary=f"{user.email} signed in")


def matching_totp_counter(secret: str, code: str, after: int | None) -> int | None:
    """The time step whose code matches (one step of clock drift allowed), if it is unused."""
    code = "".join(code.split())
    # ASCII only: str.isdigit() also takes other scripts' digits, which compare_digest refuses.
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now_counter = totp.timecode(dt.datetime.now(dt.UTC))
    for counter in (now_counter - 1, now_counter, now_counter + 1):
        if after is not None and counter <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None


def begin_totp_enrolment(user_session: UserSession) -> str:
    """Make (or reuse) the secret being enrolled in this session; returns it."""
    if user_session.pending_totp_secret is None:
        user_session.pending_totp_secret = pyotp.random_base32()
        db.session.flush()
    return user_session.pending_totp_secret


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// URI an authenticator app scans."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="SafeTech Registry")


def confirm_totp_enrolment(user_session: UserSession, code: str, remote_addr: str) -> None:
    """Finish enrolment with a first valid code; the login is then complete."""
    user = user_session.user
    secret = user_session.pending_totp_secret
    if user_session.stage is not SessionStage.ENROL or secret is None:
        raise RuleViolation("Start again from the sign-in page.")
    counter = matching_totp_counter(secret, code, None)
    if counter is None:
        record_attempt(user.email, remote_addr, False)
        raise RuleViolation("That code is not valid. Check your device's clock and try again.")
    user.totp_secret = secret
    user.totp_last_counter = counter
    user_session.pending_totp_secret = None
    audit.record(user, "user.totp_enrolled", user, summary="second factor enrolled")
    user_session.revoked_at = utcnow()
    start_session(user, SessionStage.FULL)
    complete_login(user)


def verify_second_factor(user_session: UserSession, code: str, remote_addr: str) -> None:
    """Check a TOTP code once; a code that was already used is refused."""
    user = user_session.user
    if user_session.stage is not SessionStage.TOTP or user.totp_secret is None:
        raise RuleViolation("Start again from the sign-in page.")
    wait = retry_after(user.email, remote_addr)
    if wait:
        raise TooManyAttempts(wait)
    counter = matching_totp_counter(user.totp_secret, code, user.totp_last_counter)
    if counter is None:
        record_attempt(user.email, remote_addr, False)
        raise RuleViolation("That code is not valid, or was already used.")
    user.totp_last_counter = counter
    user_session.revoked_at = utcnow()
    start_session(user, SessionStage.FULL)
    complete_login(user)
