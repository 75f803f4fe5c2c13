"""`flask --app app search ...`: run the indexer, rebuild the index, compare with the database."""

from __future__ import annotations

import signal
import sys
import time
from typing import Any

import click
from flask import Flask, current_app

from catalog.search import indexer
from registry.wording import counted


@click.group("search")
def search_group() -> None:
    """The catalog search index."""


@search_group.command("index")
@click.option("--follow", is_flag=True, help="Keep running and apply changes as they come.")
@click.option("--interval", default=0.5, show_default=True, help="Seconds between polls.")
@click.option(
    "--lock-timeout", default=5.0, show_default=True, help="Seconds to wait for the writer."
)
def index_command(follow: bool, interval: float, lock_timeout: float) -> None:
    """Apply the pending search changes to this host's index copy."""
    worker = indexer.Indexer(current_app.config["SEARCH_INDEX_DIR"], lock_timeout=lock_timeout)
    if not follow:
        try:
            total = 0
            while applied := worker.apply_pending():
                total += applied
        except indexer.IndexBusy as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Applied {counted(total, 'change')}; last change id {indexer.last_applied()}.")
        return
    stopping: list[bool] = []

    def stop(signum: int, frame: Any) -> None:
        stopping.append(True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(f"Following the search change log every {interval}s (Ctrl-C to stop).")
    started = time.monotonic()
    worker.follow(interval=interval, stop=lambda: bool(stopping))
    click.echo(f"Indexer stopped after {time.monotonic() - started:.0f}s.")


@search_group.command("rebuild")
def rebuild_command() -> None:
    """Rebuild the index from the database (the source of truth) and swap it in."""
    started = time.monotonic()
    count = indexer.rebuild()
    click.echo(f"Indexed {counted(count, 'solution')} in {time.monotonic() - started:.1f}s.")


@search_group.command("check")
def check_command() -> None:
    """List differences between the index and the database; exit 1 if there are any."""
    differences = indexer.check()
    for difference in differences:
        click.echo(f"solution {difference.solution_id}: {difference.problem}")
    if differences:
        click.echo(
            f"{counted(len(differences), 'difference')}; "
            "`flask --app app search rebuild` fixes them."
        )
        sys.exit(1)
    click.echo("The search index matches the database.")


def register_commands(app: Flask) -> None:
    """Attach the search commands to `flask --app app`."""
    app.cli.add_command(search_group)
