"""The lowest layer: database, organisations, users, roles, authentication and the audit log."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the registry's blueprints, navigation, commands and demo data."""
    from registry import api, cli, dates, navigation, norms, priorities, queue, wording
    from registry.demo import seed_demo
    from registry.views import admin, auth, dev, organisation, public

    for blueprint in (public.bp, auth.bp, organisation.bp, admin.bp, dev.bp, api.bp):
        app.register_blueprint(blueprint)
    navigation.init_app(app)
    queue.init_app(app)
    wording.init_app(app)
    dates.init_app(app)
    cli.register_commands(app)
    cli.add_demo_seeder(app, "organisations and accounts", seed_demo, order=0)
    priorities.init_app(app)
    norms.init_app(app)
