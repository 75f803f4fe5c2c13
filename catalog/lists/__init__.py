"""Buyers' shortlists, everyone's watchlist and its notifications; the wiring of compare and
open data, which share the compare basket with them."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register compare, shortlists, watchlist, open data and the feed; listen for events."""
    from catalog import compare, exports, feeds
    from catalog.lists import watch
    from catalog.lists.views import bp, compare_basket, is_following, my_shortlists
    from registry.models import Role
    from registry.navigation import SIGNED_IN, NavEntry, add_nav_entry

    del feeds  # imported for its routes, which are on the open-data blueprint
    app.register_blueprint(bp)
    app.register_blueprint(compare.bp)
    app.register_blueprint(exports.bp)
    watch.init_app(app)
    app.jinja_env.globals.update(
        compare_basket=compare_basket,
        is_following=is_following,
        my_shortlists=my_shortlists,
    )
    add_nav_entry(app, NavEntry("Shortlists", "lists.shortlists", frozenset({Role.BUYER}), 25))
    add_nav_entry(
        app, NavEntry("Watchlist", "lists.watchlist", SIGNED_IN, 26, on_dashboard=SIGNED_IN)
    )
