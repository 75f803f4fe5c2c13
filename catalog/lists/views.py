"""Shortlists and the watchlist: their pages, and what templates ask of them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from catalog.label_facts import label_provider
from catalog.lists import services
from catalog.lists.forms import FollowForm, ShortlistItemForm, ShortlistNameForm
from catalog.lists.models import Shortlist, WatchSubject
from catalog.vulnerability_facts import open_vulnerabilities
from registry.access import login_required, roles_required
from registry.database import db
from registry.exceptions import RuleViolation
from registry.forms import ConfirmForm
from registry.models import Role

bp = Blueprint("lists", __name__)
MAX_BASKET = 4


def _violation(error: RuleViolation) -> None:
    db.session.rollback()
    flash(error.message, "error")


# --- shortlists ----------------------------------------------------------------------------


@bp.get("/shortlists")
@roles_required(Role.BUYER)
def shortlists() -> str:
    """The organisation's shortlists and a form to start one."""
    return render_template(
        "catalog/shortlists.html",
        shortlists=services.shortlists_of(g.user),
        form=ShortlistNameForm(),
    )


@bp.post("/shortlists")
@roles_required(Role.BUYER)
def create_shortlist() -> Any:
    """Start a shortlist."""
    form = ShortlistNameForm()
    if form.validate_on_submit():
        try:
            created = services.create_shortlist(g.user, form.name.data or "")
        except RuleViolation as error:
            db.session.rollback()
            form.name.errors = [*form.name.errors, error.message]
        else:
            db.session.commit()
            flash(f"Shortlist “{created.name}” created.", "success")
            return redirect(url_for("lists.shortlist", shortlist_id=created.id))
    return render_template(
        "catalog/shortlists.html", shortlists=services.shortlists_of(g.user), form=form
    ), 400


def _shortlist_page(shortlist: Shortlist, rename: ShortlistNameForm, status: int = 200) -> Any:
    solution_ids = [item.solution_id for item in shortlist.items]
    return render_template(
        "catalog/shortlist.html",
        shortlist=shortlist,
        labels=label_provider().labels_for(solution_ids),
        vulnerabilities=open_vulnerabilities(solution_ids),
        in_catalog=services.is_in_catalog,
        rename=rename,
        confirm=ConfirmForm(),
        compare_ids=[
            item.solution_id for item in shortlist.items if services.is_in_catalog(item.solution)
        ][:MAX_BASKET],
    ), status


@bp.get("/shortlists/<int:shortlist_id>")
@roles_required(Role.BUYER)
def shortlist(shortlist_id: int) -> Any:
    """One shortlist: each solution with its note and its labels' current status."""
    found = services.get_shortlist(g.user, shortlist_id)
    return _shortlist_page(found, ShortlistNameForm(name=found.name))


@bp.post("/shortlists/<int:shortlist_id>/rename")
@roles_required(Role.BUYER)
def rename_shortlist(shortlist_id: int) -> Any:
    """Rename a shortlist."""
    found = services.get_shortlist(g.user, shortlist_id)
    form = ShortlistNameForm()
    if form.validate_on_submit():
        try:
            services.rename_shortlist(g.user, found, form.name.data or "")
        except RuleViolation as error:
            db.session.rollback()
            form.name.errors = [*form.name.errors, error.message]
        else:
            db.session.commit()
            flash("Shortlist renamed.", "success")
            return redirect(url_for("lists.shortlist", shortlist_id=found.id))
    return _shortlist_page(services.get_shortlist(g.user, shortlist_id), form, 400)


@bp.post("/shortlists/<int:shortlist_id>/delete")
@roles_required(Role.BUYER)
def delete_shortlist(shortlist_id: int) -> Response:
    """Delete a shortlist (the button asks for confirmation first)."""
    found = services.get_shortlist(g.user, shortlist_id)
    if ConfirmForm().validate_on_submit():
        name = found.name
        services.delete_shortlist(g.user, found)
        db.session.commit()
        flash(f"Shortlist “{name}” deleted.", "success")
    return redirect(url_for("lists.shortlists"))


@bp.post("/shortlists/items")
@roles_required(Role.BUYER)
def add_item() -> Response:
    """Put a published solution on one of the organisation's shortlists."""
    form = ShortlistItemForm()
    if not form.validate_on_submit():
        abort(400)
    found = services.get_shortlist(g.user, form.shortlist_id.data or 0)
    try:
        item = services.add_to_shortlist(
            g.user, found, form.solution_id.data or 0, form.note.data or ""
        )
    except RuleViolation as error:
        _violation(error)
    else:
        db.session.commit()
        flash(f"“{item.solution.name}” is on “{found.name}”.", "success")
    return redirect(url_for("lists.shortlist", shortlist_id=found.id))


@bp.post("/shortlists/<int:shortlist_id>/items/<int:solution_id>/remove")
@roles_required(Role.BUYER)
def remove_item(shortlist_id: int, solution_id: int) -> Response:
    """Take a solution off a shortlist."""
    found = services.get_shortlist(g.user, shortlist_id)
    if ConfirmForm().validate_on_submit():
        services.remove_from_shortlist(g.user, found, solution_id)
        db.session.commit()
        flash("Removed from the shortlist.", "success")
    return redirect(url_for("lists.shortlist", shortlist_id=found.id))


# --- watchlist -----------------------------------------------------------------------------


@bp.get("/watchlist")
@login_required
def watchlist() -> str:
    """What the user follows and the latest notifications."""
    return render_template(
        "catalog/watchlist.html",
        items=services.followed_items(g.user),
        notifications=services.recent_notifications(g.user),
        unread=services.unread_count(g.user),
        confirm=ConfirmForm(),
    )


@bp.post("/watchlist/notifications/read")
@login_required
def mark_notifications_read() -> Response:
    """Mark every unread notification as read; the header's count goes back to zero."""
    if ConfirmForm().validate_on_submit():
        try:
            marked = services.mark_notifications_read(g.user)
        except RuleViolation as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(f"{marked} notification{'' if marked == 1 else 's'} marked as read.", "success")
    return redirect(url_for("lists.watchlist") + "#notifications")


def _subject_page(kind: WatchSubject, subject_id: int, target: str) -> str:
    if kind is WatchSubject.SOLUTION:
        return url_for("catalog.solution", solution_id=subject_id)
    if kind is WatchSubject.VENDOR:
        return url_for("catalog.vendor", organisation_id=subject_id)
    return url_for("norms.norm", code=target)


def _follow_change(following: bool) -> Response:
    form = FollowForm()
    if not form.validate_on_submit():
        abort(400)
    kind, subject_id = services.resolve_subject(
        g.user, form.kind.data or "", form.target.data or ""
    )
    try:
        if following:
            services.follow(g.user, kind, subject_id)
        else:
            services.unfollow(g.user, kind, subject_id)
    except RuleViolation as error:
        _violation(error)
    else:
        db.session.commit()
        flash(
            "You follow it now: you will be notified of its label and version changes."
            if following
            else "You no longer follow it.",
            "success",
        )
    # Back to the page of what was followed, never to an address taken from the request.
    if request.form.get("back") == "watchlist":
        return redirect(url_for("lists.watchlist"))
    return redirect(_subject_page(kind, subject_id, (form.target.data or "").strip()))


@bp.post("/watchlist/follow")
@login_required
def follow() -> Response:
    """Follow a published solution, an active vendor or a public norm."""
    return _follow_change(True)


@bp.post("/watchlist/unfollow")
@login_required
def unfollow() -> Response:
    """Stop following something."""
    return _follow_change(False)


# --- templates and wiring ------------------------------------------------------------------


def compare_basket() -> list[int]:
    """The compare basket carried in the query string (`compare=…`), at most four ids."""
    from catalog.compare import parse_ids

    return parse_ids(request.args.getlist("compare"))[0][:MAX_BASKET]


def is_following(kind: str, subject_id: int) -> bool:
    """Whether the signed-in user follows this subject (templates ask it)."""
    return services.is_following(g.get("user"), kind, subject_id)


def my_shortlists() -> list[Shortlist]:
    """The shortlists of the signed-in buyer's organisation (none for other roles)."""
    user = g.get("user")
    return services.shortlists_of(user) if user is not None and user.role is Role.BUYER else []
