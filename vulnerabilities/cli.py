"""``flask vulnerabilities ...``: the commands of vulnerability handling."""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from registry import text
from registry.database import db
from registry.exceptions import RuleViolation
from registry.models import Role, User
from vulnerabilities.csaf import importing
from vulnerabilities.csaf.validation import Problem

vulnerabilities_group = AppGroup("vulnerabilities", help="Vulnerability cases and CSAF advisories.")

AS_HELP = "E-mail of the active authority officer the imports are recorded for (required)."


def _officer(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email_key == text.email_key(email)))
    if user is None or not user.is_active or user.role is not Role.AUTHORITY:
        raise click.UsageError(f"{email} is not an active authority officer.")
    return user


def import_file(actor: User, path: Path) -> importing.ImportResult:
    """Import one file and commit; a file that is not JSON is refused like an invalid one."""
    try:
        document = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as error:
        return importing.ImportResult(
            refused=True, problems=[Problem("$", f"The file is not JSON: {error}", "json")]
        )
    try:
        result = importing.import_advisory(actor, document, path.name)
    except RuleViolation as error:
        db.session.rollback()
        return importing.ImportResult(
            refused=True, problems=[Problem("$", error.message, "import")]
        )
    db.session.commit()
    return result


def _summary(path: Path, result: importing.ImportResult) -> str:
    if result.refused:
        return f"{path.name}: refused ({len(result.problems)} problems)"
    return (
        f"{path.name}: {result.tracking_id} r{result.revision}: {len(result.cases)} cases filed "
        f"or updated, {len(result.unchanged)} unchanged, {len(result.unmatched)} products "
        "unmatched" + "".join(f"\n  {note}" for note in result.notes)
    )


Done = list[tuple[Path, importing.ImportResult]]


def _import_all(actor: User, paths: list[Path], after: Callable[..., object] | None = None) -> Done:
    done: Done = []

    def one(path: Path) -> None:
        result = import_file(actor, path)
        if after is not None:
            after(path, result)
        done.append((path, result))

    if len(paths) > 1:
        with click.progressbar(paths, label="Importing", file=sys.stderr) as bar:
            for path in bar:
                one(path)
    else:
        for path in paths:
            one(path)
    return done


def _report(done: Done) -> None:
    for path, result in done:
        click.echo(_summary(path, result))
        for problem in result.problems:
            click.echo(f"  {problem}")
    refused = sum(1 for _, result in done if result.refused)
    click.echo(f"{len(done)} files: {len(done) - refused} imported, {refused} refused.")


@vulnerabilities_group.command("import-csaf")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "email", required=True, help=AS_HELP)
def import_csaf(files: tuple[str, ...], email: str) -> None:
    """Import CSAF 2.0 advisories (JSON files)."""
    actor = _officer(email)
    _report(_import_all(actor, [Path(f) for f in files]))


def _move(path: Path, result: importing.ImportResult) -> None:
    target = path.parent / ("refused" if result.refused else "imported")
    target.mkdir(exist_ok=True)
    shutil.move(str(path), target / path.name)
    if result.refused:
        (target / f"{path.name}.problems.txt").write_text(
            "".join(f"{problem}\n" for problem in result.problems)
        )


@vulnerabilities_group.command("watch")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--as", "email", required=True, help=AS_HELP)
@click.option("--once", is_flag=True, help="Import what is there, then stop.")
@click.option("--interval", default=30.0, show_default=True, help="Seconds between looks.")
def watch(directory: str, email: str, once: bool, interval: float) -> None:
    """Import every new *.json in DIRECTORY; move each to imported/ or refused/ (with its
    problems in <name>.problems.txt)."""
    actor = _officer(email)
    folder = Path(directory)
    while True:
        paths = sorted(p for p in folder.glob("*.json") if p.is_file())
        if paths:
            _report(_import_all(actor, paths, _move))
        if once:
            return
        time.sleep(interval)
