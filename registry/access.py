"""Who may do what: role checks and organisation ownership, used by services and views."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g, has_request_context, redirect, request, url_for

from registry.exceptions import AccessDenied, NotVisible
from registry.models import Role, SessionStage, User

F = TypeVar("F", bound=Callable[..., Any])


def current_user() -> User | None:
    """The signed-in user of this request (None when anonymous or mid-login)."""
    return g.get("user") if has_request_context() else None


def role_of(user: User | None) -> Role:
    """The role a user acts in; anonymous visitors are PUBLIC."""
    return Role.PUBLIC if user is None else user.role


def _log_refusal(actor: User | None, what: str) -> None:
    current_app.logger.warning(
        "access refused: %s for %s (%s)",
        what,
        actor.email if actor else "anonymous",
        request.path if has_request_context() else "-",
    )


def require_role(actor: User | None, *roles: Role) -> User:
    """Refuse (403) unless the actor is signed in with one of `roles`."""
    if actor is None or actor.role not in roles:
        _log_refusal(actor, f"needs role {', '.join(r.value for r in roles)}")
        raise AccessDenied("Your role does not allow this.")
    return actor


def require_same_organisation(actor: User | None, organisation_id: int | None) -> User:
    """Refuse (404, as if missing) unless the object belongs to the actor's organisation."""
    if actor is None or organisation_id is None or actor.organisation_id != organisation_id:
        _log_refusal(actor, f"object of organisation {organisation_id}")
        raise NotVisible()
    return actor


def login_required(view: F) -> F:
    """Send anonymous visitors (or half-logged-in ones) to the sign-in steps."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get("user") is None:
            user_session = g.get("user_session")
            if user_session is not None and user_session.stage is SessionStage.ENROL:
                return redirect(url_for("auth.totp_enrol"))
            if user_session is not None and user_session.stage is SessionStage.TOTP:
                return redirect(url_for("auth.totp_verify"))
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Sign-in required, then one of `roles` (403 for the others)."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            require_role(g.user, *roles)
            return view(*args, **kwargs)

        return login_required(wrapped)  # type: ignore[return-value]

    return decorate
