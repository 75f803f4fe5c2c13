"""`flask --app app labels ...`: signing keys and offline verification of label files."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app

from evaluations.labels.documents.verification import verify_label_file
from evaluations.labels.keys import key_store, public_keys_document
from evaluations.labels.transparency import verify_public_log
from registry.cli import add_audit_command
from registry.wording import counted


@click.group("labels")
def labels_group() -> None:
    """Labels: signing keys and verification."""


@labels_group.command("rotate-key")
@click.option(
    "--compromised",
    is_flag=True,
    help=(
        "The current private key leaked: mark it revoked, so nothing it signed verifies any "
        "more. Labels it signed must then be signed again."
    ),
)
def rotate_key_command(compromised: bool) -> None:
    """Start signing with a new key; the old one stays published for old labels."""
    store = key_store()
    previous = store.current_record()
    record = store.rotate(revoke_previous=compromised)
    what = "revoked" if compromised else "retired (it still verifies the labels it signed)"
    click.echo(f"New signing key {record.id}; previous key {previous.id} {what}.")
    if compromised:
        click.echo(
            "Labels signed with the revoked key no longer verify: sign them again.", err=True
        )


@labels_group.command("keys")
def keys_command() -> None:
    """Print the public keys document (the file verifiers download)."""
    document = public_keys_document(current_app.config["BASE_URL"])
    click.echo(json.dumps(document, indent=2))


def _load_json(path: str, what: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        raise click.ClickException(f"cannot read the {what} {path}: {error}") from error


@labels_group.command("verify")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--keys",
    "keys_file",
    type=click.Path(dir_okay=False),
    help="The registry's keys document (safetech-keys.json); default: this registry's keys.",
)
@click.option(
    "--status-list",
    "status_list_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help=(
        "A status list credential (revocation or suspension), downloaded from the URLs in the "
        "label; give both. Without current ones the verdict is STATUS_UNKNOWN, never VALID."
    ),
)
def verify_command(file: str, keys_file: str | None, status_list_files: tuple[str, ...]) -> None:
    """Verify a label credential (JSON) or label PDF offline; exit 0 only when it is valid.

    Valid means: the signature holds, the dates hold, and current status lists (both given
    with --status-list, their validUntil not passed) say the label is neither revoked nor
    suspended.
    """
    if keys_file:
        keys_document = _load_json(keys_file, "keys file")
    else:
        keys_document = public_keys_document(current_app.config["BASE_URL"])
    status_lists = [_load_json(path, "status list") for path in status_list_files] or None
    verdict = verify_label_file(file, keys_document, status_lists)
    # str() of a VerdictCode member is its value; status codes may also be plain strings.
    click.echo(f"{verdict.code!s}: {verdict.message}")
    sys.exit(0 if verdict.ok else 1)


@labels_group.command("expire")
def expire_command() -> None:
    """Expire every valid or suspended label past its expiry date, bring the catalog's
    "re-certification due" up to date as transition dates pass, and tell the followers of a
    label newly due by its certified versions, once (run daily; idempotent)."""
    from evaluations.labels.basis import log_newly_due, notify_due_by_versions
    from evaluations.labels.status_changes import expire_labels
    from registry.database import db

    expired = expire_labels()
    due = log_newly_due()
    noticed = notify_due_by_versions()
    db.session.commit()
    click.echo(f"{counted(len(expired), 'label')} expired.")
    if due:
        click.echo(
            f"{counted(due, 'solution')} with a label newly due for re-certification reindexed."
        )
    for label in noticed:
        click.echo(f"  {label.number}: followers told it is due for re-certification")
    for label in expired:
        click.echo(f"  {label.number} (expired on {label.expires_on.isoformat()})")


@labels_group.command("escalate-suspensions")
def escalate_suspensions_command() -> None:
    """Withdraw (revoke) every suspended label whose suspension ended unresolved: the scheme's
    rule, recorded with the end date (run daily; idempotent)."""
    from evaluations.labels.suspensions import escalate_suspension, overdue_suspension_ids
    from registry.database import db

    due = overdue_suspension_ids()
    withdrawn = []
    with click.progressbar(due, label="Escalating suspensions") as bar:
        for label_id in bar:
            label = escalate_suspension(label_id)
            db.session.commit()  # one label per transaction: a failure keeps the others
            if label is not None:
                withdrawn.append(label)
    click.echo(f"{counted(len(withdrawn), 'label')} withdrawn: suspension ended unresolved.")
    for label in withdrawn:
        click.echo(f"  {label.number}: {label.status_reason}")


@labels_group.command("resign")
def resign_command() -> None:
    """Sign every label again with the current key, for this instance's SAFETECH_BASE_URL.

    After a compromised key, or when the portal moved to another address: the credential id,
    the verification URL and QR code, the status list URLs and the key id all follow.
    """
    from sqlalchemy import select

    from evaluations.labels.facts import sign_label
    from evaluations.models import Label
    from registry.cli import base_url_context
    from registry.database import db

    count = 0
    with base_url_context(current_app._get_current_object()):  # type: ignore[attr-defined]
        for label in db.session.scalars(select(Label).order_by(Label.id)):
            sign_label(label)
            count += 1
        db.session.commit()
    click.echo(
        f"{counted(count, 'label credential')} signed for {current_app.config['BASE_URL']} "
        f"with key {key_store().current_record().id}."
    )


def _file_to_read(
    flag: str, name: str, help_text: str, *, multiple: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A required option naming a file (not a folder) the command reads."""
    return click.option(
        flag,
        name,
        multiple=multiple,
        required=True,
        type=click.Path(dir_okay=False),
        help=help_text,
    )


@click.command("verify-public")
@_file_to_read(
    "--decisions",
    "decision_files",
    "A page of /api/v1/decisions (or a JSON list of decisions); give every page.",
    multiple=True,
)
@_file_to_read("--checkpoint", "checkpoint_file", "The signed checkpoint (/audit/checkpoint.json).")
@_file_to_read(
    "--keys", "keys_file", "The registry's keys document (/.well-known/safetech-keys.json)."
)
def verify_public_command(
    decision_files: tuple[str, ...], checkpoint_file: str, keys_file: str
) -> None:
    """Check the published decision log against the signed checkpoint, offline.

    Exit 0 only when every public entry's hash holds and the checkpoint vouches for them.
    """
    items: list[Any] = []
    for path in decision_files:
        document = _load_json(path, "decisions file")
        page = document.get("items") if isinstance(document, dict) else document
        if not isinstance(page, list):
            raise click.ClickException(f"{path} is not a page of decisions")
        items.extend(page)
    report = verify_public_log(
        items, _load_json(checkpoint_file, "checkpoint"), _load_json(keys_file, "keys file")
    )
    for note in report.notes:
        click.echo(f"NOTE: {note}")
    for problem in report.problems:
        click.echo(f"PROBLEM: {problem}")
    if report.ok:
        click.echo(
            f"VERIFIED: {report.checked} public entries hold and the checkpoint covers them."
        )
        return
    click.echo(f"FAILED: {counted(len(report.problems), 'problem')}.")
    sys.exit(1)


def register_commands(app: Flask) -> None:
    """Attach the `labels` group, and `audit verify-public`, to `flask --app app`."""
    app.cli.add_command(labels_group)
    add_audit_command(verify_public_command)
