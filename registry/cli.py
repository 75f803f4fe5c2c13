"""Command-line interface: accounts, demo data, the audit chain, stored files, backup and
restore."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click
from flask import Flask, current_app
from sqlalchemy import select

from registry import audit, sealing, services, stored_files
from registry.backup.create import create_backup
from registry.backup.layout import BackupError
from registry.backup.restore import remember_keys_folder, restore_backup
from registry.database import db
from registry.exceptions import RuleViolation
from registry.models import Organisation, OrganisationKind, Role
from registry.wording import counted


def base_url_context(app: Flask) -> Any:
    """A request context so that e-mails and links name the configured public address."""
    return app.test_request_context(base_url=app.config["BASE_URL"])


@click.command("create-user")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([Role.AUTHORITY.value]),
    default=Role.AUTHORITY.value,
    help="Only authority accounts are created here; others register or are invited.",
)
@click.option("--name", "full_name", default="", help="Full name (defaults to the e-mail).")
@click.option(
    "--password",
    envvar="SAFETECH_NEW_PASSWORD",
    default=None,
    help="Read from SAFETECH_NEW_PASSWORD, or asked for when absent.",
)
def create_user_command(email: str, role: str, full_name: str, password: str | None) -> None:
    """Create an authority account (the first administrator starts here)."""
    if password is None:
        if not sys.stdin.isatty():
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if getpass.getpass("Again: ") != password:
                raise click.ClickException("The two passwords differ.")
    with base_url_context(current_app._get_current_object()):  # type: ignore[attr-defined]
        try:
            user = services.create_user(
                None,
                services.authority_organisation(),
                email,
                full_name or email,
                password,
                org_admin=True,
            )
        except RuleViolation as error:
            db.session.rollback()
            raise click.ClickException(error.message) from error
        db.session.commit()
    click.echo(f"Created {role} account {user.email}. A second factor is set up at first sign-in.")


@click.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
def audit_verify_command() -> None:
    """Recompute the hash chain; exit 1 and name the first bad entry if it is broken."""
    report = audit.verify_chain()
    if not report.ok:
        click.echo(
            f"Audit chain BROKEN at entry #{report.first_bad_seq} (row id {report.first_bad_id}): "
            f"{report.problem}. {report.checked} entries before it verified.",
            err=True,
        )
        sys.exit(1)
    problems = sealing.check_sealed_records(current_app)
    if problems:
        for problem in problems:
            click.echo(f"Sealed record CHANGED after opening: {problem}", err=True)
        sys.exit(1)
    click.echo(f"Audit chain intact: {report.checked} entries verified; sealed records match.")


def add_audit_command(command: click.Command) -> None:
    """Add a higher package's subcommand to `flask audit` (checks needing its keys, say)."""
    audit_group.add_command(command)


@dataclass(frozen=True)
class DemoSeeder:
    """A package's demo-data loader; it returns the accounts it wants printed (may be none)."""

    name: str
    load: Callable[[], list[Any]]
    order: int


def add_demo_seeder(app: Flask, name: str, load: Callable[[], list[Any]], order: int) -> None:
    """Let a package add its demo data to `seed-demo` (lower `order` runs first)."""
    app.extensions.setdefault("demo_seeders", []).append(DemoSeeder(name, load, order))


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when organisations already exist.")
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo data of every package (idempotent); prints the demo accounts."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if if_empty:
        has_any = db.session.scalar(
            select(Organisation.id).where(Organisation.kind != OrganisationKind.AUTHORITY).limit(1)
        )
        if has_any is not None:
            click.echo("Demo data: the database already has organisations; left as it is.")
            return
    accounts = []
    seeders = sorted(app.extensions.get("demo_seeders", []), key=lambda s: s.order)
    with base_url_context(app):
        for seeder in seeders:
            accounts.extend(seeder.load())
            db.session.commit()
            click.echo(f"Demo data: {seeder.name} loaded.")
    click.echo("Demo accounts (for local use only):")
    for account in accounts:
        line = f"  {account.role:<10} {account.email:<40} {account.password}"
        if account.totp_secret:
            line += f"  TOTP secret {account.totp_secret}"
        click.echo(line)


@click.command("demo-totp")
@click.argument("email")
def demo_totp_command(email: str) -> None:
    """Print the current TOTP code of a demo account (refused in production)."""
    import pyotp

    from registry.demo import DEMO_TOTP_SECRETS

    if current_app.config["PRODUCTION"]:
        raise click.ClickException("Not available in production.")
    secret = DEMO_TOTP_SECRETS.get(email.strip().lower())
    if secret is None:
        raise click.ClickException("Not a demo account with a second factor.")
    click.echo(pyotp.TOTP(secret).now())


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False))
def backup_command(directory: str) -> None:
    """Back up the database, uploaded files and signing keys into a new, empty DIRECTORY."""
    try:
        manifest = create_backup(directory)
    except BackupError as error:
        raise click.ClickException(error.message) from error
    database = manifest["database"]
    click.echo(
        f"Backup written to {directory}: {database['kind']} database at revision "
        f"{database['alembic_revision']}, {counted(database['stored_files'], 'stored file')}, "
        f"{counted(len(manifest['files']), 'file')} in the manifest."
    )


@click.command("restore")
@click.argument("directory", type=click.Path(file_okay=False, exists=True))
def restore_command(directory: str) -> None:
    """Restore a backup into this empty instance, then verify it (exit 1 if a check fails)."""
    try:
        report = restore_backup(directory, log=click.echo)
    except BackupError as error:
        raise click.ClickException(error.message) from error
    for check in report.checks:
        click.echo(f"  {'ok    ' if check.ok else 'FAILED'} {check.name}: {check.detail}")
    if not report.ok:
        click.echo("Restore finished, but verification FAILED (see above).", err=True)
        sys.exit(1)
    click.echo("Restore complete and verified.")


@click.group("files")
def files_group() -> None:
    """Stored files (uploads) that no row names."""


def _describe(item: stored_files.Unnamed) -> str:
    return f"  {item.path}  {item.size} bytes, {item.age_seconds / 3600:.1f} h old"


@files_group.command("check")
def files_check_command() -> None:
    """List the stored files no row names (left by a worker killed before its commit)."""
    found = stored_files.unnamed_files()
    db.session.rollback()
    if not found:
        click.echo("Every stored file is named by a row.")
        return
    click.echo(f"{counted(len(found), 'stored file')} no row names:")
    for item in found:
        click.echo(_describe(item))


@files_group.command("sweep")
@click.option(
    "--older-than-hours",
    type=click.FloatRange(min=0.1),
    default=stored_files.GRACE_SECONDS / 3600,
    show_default=True,
    help="Keep younger files: their request may still be on its way to its commit.",
)
def files_sweep_command(older_than_hours: float) -> None:
    """Remove the stored files no row names, older than the grace period."""
    removed = stored_files.sweep(older_than_hours * 3600)
    db.session.commit()
    for item in removed:
        click.echo(_describe(item))
    click.echo(f"Removed {counted(len(removed), 'stored file')} no row named.")


def register_commands(app: Flask) -> None:
    """Attach the registry's commands to `flask --app app`."""
    remember_keys_folder(app)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(audit_group)
    app.cli.add_command(files_group)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(demo_totp_command)
