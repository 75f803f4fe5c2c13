"""Records of certification: evidence fixed once scored, logged downloads, retention and purge
of old files, legal holds, and the evaluators' test reports and signed evaluation reports.

- `models`: legal holds and evaluators' reports.
- `holds`: placing and releasing a legal hold, and whether something is held.
- `reports`: the evaluators' reports: upload, signature, who may download them.
- `downloads`: the download log of an evaluation's files.
- `retention`: the retention periods, what is past them, and the purge.
- `views`, `cli`, `demo`: the pages, ``flask records purge`` and the demo's legal hold.
"""

from __future__ import annotations

from flask import Flask

# Years a record is kept past its end; the settings are documented in README's Configuration.
RETENTION_DEFAULTS = {
    "RECORDS_RETENTION_YEARS": 5,
    "RECORDS_RETENTION_YEARS_UNDECIDED": 3,
    "RECORDS_RETENTION_YEARS_VULNERABILITY": 10,
    "RECORDS_RETENTION_YEARS_COMPLAINT": 10,
}


def init_app(app: Flask) -> None:
    """Register the records' tables, pages, command, backup file table and demo data."""
    from evaluations.records import cli, demo, models, views
    from registry.backup.hooks import register_file_table
    from registry.cli import add_demo_seeder
    from registry.navigation import AUTHORITY, NavEntry, add_nav_entry

    for name, years in RETENTION_DEFAULTS.items():
        app.config.setdefault(name, years)
    app.register_blueprint(views.bp)
    views.register_template_helpers(app)
    cli.register_commands(app)
    register_file_table(app, models.EvaluatorReport.__tablename__)
    add_demo_seeder(app, "records", demo.seed_demo_records, order=59)
    add_nav_entry(app, NavEntry("Records", "records.index", AUTHORITY, 83, on_dashboard=AUTHORITY))
