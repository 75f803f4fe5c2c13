"""Sign-in, second factor, sign-out, registration, invitations and password change."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import segno
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from registry import auth, password_reset, services
from registry.access import login_required
from registry.database import db
from registry.exceptions import RuleViolation
from registry.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    RegistrationForm,
    ResetPasswordForm,
    TotpForm,
)
from registry.models import BuyerType, OrganisationKind, SessionStage, VendorSize

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after sign-in."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("organisation.dashboard")


def _remote_addr() -> str:
    return (request.remote_addr or "unknown")[:64]


def _form_error(form: Any, error: RuleViolation) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Password step of sign-in."""
    if g.user is not None:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            outcome = auth.log_in(form.email.data or "", form.password.data or "", _remote_addr())
        except RuleViolation as error:
            db.session.commit()  # keep the failed attempt: throttling counts it
            form.form_errors.append(error.message)
        else:
            db.session.commit()
            next_url = _safe_next(request.args.get("next"))
            if outcome.stage is SessionStage.ENROL:
                return redirect(url_for("auth.totp_enrol", next=next_url))
            if outcome.stage is SessionStage.TOTP:
                return redirect(url_for("auth.totp_verify", next=next_url))
            flash(f"Welcome, {outcome.user.full_name}.", "success")
            return redirect(next_url)
    return render_template("registry/login.html", form=form)


def _pending_session(stage: SessionStage) -> Any:
    user_session = g.get("user_session")
    if user_session is None or user_session.stage is not stage:
        return None
    return user_session


@bp.route("/login/totp", methods=["GET", "POST"])
def totp_verify() -> Any:
    """Second step for authority and evaluator accounts: a one-time code."""
    user_session = _pending_session(SessionStage.TOTP)
    if user_session is None:
        return redirect(url_for("auth.login"))
    form = TotpForm()
    if form.validate_on_submit():
        try:
            auth.verify_second_factor(user_session, form.code.data or "", _remote_addr())
        except RuleViolation as error:
            db.session.commit()
            form.code.errors = [error.message]
        else:
            db.session.commit()
            flash(f"Welcome, {user_session.user.full_name}.", "success")
            return redirect(_safe_next(request.args.get("next")))
    return render_template("registry/totp_verify.html", form=form)


@bp.route("/login/totp/enrol", methods=["GET", "POST"])
def totp_enrol() -> Any:
    """First sign-in of authority and evaluator accounts: set up the authenticator app."""
    user_session = _pending_session(SessionStage.ENROL)
    if user_session is None:
        return redirect(url_for("auth.login"))
    form = TotpForm()
    if form.validate_on_submit():
        try:
            auth.confirm_totp_enrolment(user_session, form.code.data or "", _remote_addr())
        except RuleViolation as error:
            db.session.commit()
            form.code.errors = [error.message]
        else:
            db.session.commit()
            flash("Your second factor is set up. Keep your device safe.", "success")
            return redirect(_safe_next(request.args.get("next")))
    secret = auth.begin_totp_enrolment(user_session)
    db.session.commit()
    uri = auth.provisioning_uri(user_session.user, secret)
    qr_svg = segno.make(uri, error="m").svg_inline(scale=4, title="Authenticator set-up code")
    return render_template(
        "registry/totp_enrol.html", form=form, secret=secret, uri=uri, qr_svg=qr_svg
    )


@bp.post("/logout")
def logout() -> Response:
    """End the session on the server so the old cookie cannot be replayed."""
    auth.end_current_session()
    db.session.commit()
    flash("You are signed out.", "info")
    return redirect(url_for("public.home"))


@bp.route("/register", methods=["GET", "POST"])
def register() -> Any:
    """Self-registration of a vendor, buyer or evaluation body with its first user."""
    form = RegistrationForm()
    if form.validate_on_submit():
        kind = OrganisationKind(form.kind.data)
        data = services.RegistrationData(
            organisation_name=form.organisation_name.data or "",
            kind=kind,
            country=form.country.data or "",
            region=form.region.data or "",
            full_name=form.full_name.data or "",
            email=form.email.data or "",
            password=form.password.data or "",
            vendor_size=VendorSize(form.vendor_size.data) if form.vendor_size.data else None,
            buyer_type=BuyerType(form.buyer_type.data) if form.buyer_type.data else None,
            website=form.website.data or "",
            legal_identifier_scheme=form.legal_identifier_scheme.data or "",
            legal_identifier=form.legal_identifier.data or "",
        )
        try:
            organisation = services.register_organisation(data)
        except RuleViolation as error:
            db.session.rollback()
            _form_error(form, error)
        else:
            db.session.commit()
            return render_template("registry/registered.html", organisation=organisation)
    return render_template("registry/register.html", form=form)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> Any:
    """The invited person chooses a name and password."""
    invitation = services.find_invitation(token)
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            services.accept_invitation(token, form.full_name.data or "", form.password.data or "")
        except RuleViolation as error:
            db.session.rollback()
            _form_error(form, error)
        else:
            db.session.commit()
            flash(
                "Your account is ready. Sign in with your e-mail address and password.", "success"
            )
            return redirect(url_for("auth.login"))
    return render_template("registry/accept_invitation.html", form=form, invitation=invitation)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    """Change one's own password; other sessions are signed out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                g.user,
                g.user_session,
                form.current_password.data or "",
                form.new_password.data or "",
            )
        except RuleViolation as error:
            db.session.rollback()
            _form_error(form, error)
        else:
            db.session.commit()
            flash("Your password is changed. Other sessions were signed out.", "success")
            return redirect(url_for("organisation.dashboard"))
    return render_template("registry/change_password.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password() -> Any:
    """Ask for a link to set a new password; the same answer whether the address is known."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        password_reset.request_reset(form.email.data or "", _remote_addr())
        db.session.commit()
        return render_template("registry/forgot_password_sent.html", email=form.email.data)
    return render_template("registry/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Any:
    """Choose a new password through the mailed link."""
    if password_reset.valid_reset(token) is None:
        return render_template("registry/reset_password_invalid.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            password_reset.reset_password(token, form.new_password.data or "")
        except RuleViolation as error:
            db.session.rollback()
            _form_error(form, error)
        else:
            db.session.commit()
            flash(
                "Your new password is set and every session of your account was signed out. "
                "Sign in with the new password.",
                "success",
            )
            return redirect(url_for("auth.login"))
    return render_template("registry/reset_password.html", form=form)
