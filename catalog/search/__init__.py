"""The catalog search: the Whoosh index, its indexer, the catalog page, its API and commands."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the catalog page, the search API, the `search` commands and the listener."""
    from catalog.search import (
        api,
        cli,
        index,
        indexer,
        models,  # noqa: F401 - its tables must be known to migrations
    )
    from catalog.search.views import bp
    from registry.backup.hooks import register_restore_rebuild

    app.register_blueprint(bp)
    api.init_app(app)
    cli.register_commands(app)
    index.listen_to_vendor_status(app)
    # A restore rebuilds the index from the restored database, then checks it.
    register_restore_rebuild(app, indexer.rebuild_after_restore)
