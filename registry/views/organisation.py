"""A signed-in user's dashboard and their own organisation's settings and members."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from registry import services
from registry.access import login_required
from registry.database import db, utcnow
from registry.dates import today
from registry.exceptions import RuleViolation
from registry.forms import ConfirmForm, InviteForm, ProfileForm
from registry.models import Invitation, Role, User
from registry.queue import queue_for
from registry.views.actions import run_confirmed

bp = Blueprint("organisation", __name__)

# What an empty queue means for each role: when new work will appear.
NEXT_STEP = {
    Role.AUTHORITY: (
        "New registrations, applications to assign, change and maintenance requests, labels "
        "nearing expiry and calls past their deadline appear here as they arrive."
    ),
    Role.EVALUATOR: (
        "When the authority assigns you an evaluation or a maintenance review, it appears "
        "here with its due date, and you are told by e-mail."
    ),
    Role.VENDOR: (
        "Requests for information, unsubmitted drafts, labels nearing expiry and open calls "
        "you may offer on appear here."
    ),
    Role.BUYER: (
        "Needs to confirm, awarded calls and unread notifications of what you follow appear here."
    ),
}


@bp.get("/dashboard")
@login_required
def dashboard() -> str:
    """Where a signed-in user starts: what waits for them, their organisation, their tools."""
    return render_template(
        "registry/dashboard.html",
        organisation=g.user.organisation,
        todo=queue_for(g.user),
        now=utcnow(),
        today=today(),
        next_step=NEXT_STEP.get(g.user.role, ""),
    )


@bp.get("/organisations/<int:organisation_id>/settings")
@login_required
def settings(organisation_id: int) -> str:
    """The organisation's profile (404 for other organisations)."""
    organisation = services.get_visible_organisation(g.user, organisation_id)
    form = ProfileForm(obj=organisation)
    return render_template(
        "registry/organisation_settings.html",
        organisation=organisation,
        form=form,
        can_manage=services.may_manage_users(g.user, organisation),
    )


@bp.post("/organisations/<int:organisation_id>/settings")
@login_required
def update_settings(organisation_id: int) -> Any:
    """Save the organisation's profile."""
    organisation = services.get_visible_organisation(g.user, organisation_id)
    form = ProfileForm()
    if form.validate_on_submit():
        services.update_organisation_profile(
            g.user,
            organisation,
            form.website.data or "",
            form.description.data or "",
            form.region.data or "",
        )
        services.update_legal_identifier(
            g.user,
            organisation,
            form.legal_identifier_scheme.data or "",
            form.legal_identifier.data or "",
        )
        db.session.commit()
        flash("Profile saved.", "success")
        return redirect(url_for("organisation.settings", organisation_id=organisation.id))
    return render_template(
        "registry/organisation_settings.html",
        organisation=organisation,
        form=form,
        can_manage=services.may_manage_users(g.user, organisation),
    )


@bp.route("/organisations/<int:organisation_id>/users", methods=["GET", "POST"])
@login_required
def users(organisation_id: int) -> Any:
    """Members and pending invitations; administrators invite from here."""
    organisation = services.get_visible_organisation(g.user, organisation_id)
    can_manage = services.may_manage_users(g.user, organisation)
    form = InviteForm()
    if form.validate_on_submit():
        if not can_manage:
            abort(403)
        try:
            services.invite_user(g.user, organisation, form.email.data or "")
        except RuleViolation as error:
            db.session.rollback()
            form.email.errors = [error.message]
        else:
            db.session.commit()
            flash(f"Invitation sent to {form.email.data}.", "success")
            return redirect(url_for("organisation.users", organisation_id=organisation.id))
    members = db.session.scalars(
        select(User).where(User.organisation_id == organisation.id).order_by(User.full_name)
    ).all()
    invitations = db.session.scalars(
        select(Invitation)
        .where(
            Invitation.organisation_id == organisation.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
        .order_by(Invitation.created_at.desc())
    ).all()
    return render_template(
        "registry/organisation_users.html",
        organisation=organisation,
        members=members,
        invitations=invitations,
        form=form,
        confirm=ConfirmForm(),
        can_manage=can_manage,
    )


def _member(organisation_id: int, user_id: int) -> User:
    organisation = services.get_visible_organisation(g.user, organisation_id)
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != organisation.id:
        abort(404)
    return user


@bp.post("/organisations/<int:organisation_id>/users/<int:user_id>/disable")
@login_required
def disable_user(organisation_id: int, user_id: int) -> Response:
    """Disable a member; their sessions end at once."""
    user = _member(organisation_id, user_id)
    run_confirmed(
        lambda: services.set_user_active(g.user, user, False), f"{user.email} is disabled."
    )
    return redirect(url_for("organisation.users", organisation_id=organisation_id))


@bp.post("/organisations/<int:organisation_id>/users/<int:user_id>/enable")
@login_required
def enable_user(organisation_id: int, user_id: int) -> Response:
    """Re-enable a disabled member."""
    user = _member(organisation_id, user_id)
    if ConfirmForm().validate_on_submit():
        services.set_user_active(g.user, user, True)
        db.session.commit()
        flash(f"{user.email} is enabled.", "success")
    return redirect(url_for("organisation.users", organisation_id=organisation_id))


@bp.post("/organisations/<int:organisation_id>/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(organisation_id: int, invitation_id: int) -> Response:
    """Withdraw an unused invitation."""
    organisation = services.get_visible_organisation(g.user, organisation_id)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != organisation.id:
        abort(404)
    run_confirmed(lambda: services.revoke_invitation(g.user, invitation), "Invitation withdrawn.")
    return redirect(url_for("organisation.users", organisation_id=organisation_id))
