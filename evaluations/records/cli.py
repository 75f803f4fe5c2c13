"""``flask --app app records purge [--dry-run]``: delete the files of records past their
retention period (never those a legal hold covers)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from evaluations.records import retention
from registry.database import db
from registry.wording import counted

records_group = AppGroup("records", help="Records: retention and purge.")


@records_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Only say what would be purged; change nothing.")
def purge_command(dry_run: bool) -> None:
    """Delete the evidence and evaluators' reports of evaluations past their retention
    period; their rows stay, marked purged, and the audit trail is kept."""
    items = retention.eligible()
    held = sum(1 for item in retention.past_retention() if item.held)
    if dry_run:
        for item in items:
            click.echo(
                f"evaluation #{item.evaluation_id} ({item.record_type.key}): "
                f"retention ended {item.ends_on.isoformat()}"
            )
        click.echo(
            f"{counted(len(items), 'evaluation')} would be purged; {held} past retention under a "
            "legal hold are kept. Nothing was changed (dry run)."
        )
        return
    files = 0
    with click.progressbar(items, label="Purging", show_pos=True) as bar:
        for item in bar:
            names = retention.purge_evaluation(item)
            db.session.commit()
            retention.delete_files(names)
            files += len(names)
    click.echo(
        f"{counted(len(items), 'evaluation')} purged, {counted(files, 'file')} deleted; "
        f"{held} past retention under a legal hold are kept."
    )


def register_commands(app: Flask) -> None:
    """Attach the `records` group to `flask --app app`."""
    app.cli.add_command(records_group)
