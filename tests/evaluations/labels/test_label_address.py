"""Labels name the address the portal is served from: QR code, credential, status lists, keys.

The portal here runs on port 8000, not the default 5000: everything a label carries must point
to port 8000 and verify there; labels signed for another address are named at start-up and
`labels resign` moves them.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from evaluations.labels.signed_address import RESIGN_COMMAND
from evaluations.models import Label
from registry.database import db
from registry.models import User
from tests.evaluations.labels.label_builders import LabelWorld, issued_label, make_world

BASE = "http://127.0.0.1:8000"
MOVED = "https://registry.example.org"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """The portal served on port 8000."""
    return {**app_config, "BASE_URL": BASE}


@pytest.fixture
def world(app: Flask, create_user: Callable[..., User]) -> LabelWorld:
    """People and a published norm version (outside any request: as `seed-demo` issues)."""
    return make_world(create_user)


def _pdf(client: FlaskClient, number: str, host: str) -> bytes:
    with client.get(f"/labels/{number}.pdf", base_url=host) as response:
        assert response.status_code == 200
        return response.get_data()


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "label.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["/usr/bin/pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _qr_codes(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "scan.pdf"
    path.write_bytes(pdf)
    prefix = tmp_path / "page"
    subprocess.run(
        ["/usr/bin/pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(path), str(prefix)],
        check=True,
    )
    (image_path,) = tmp_path.glob("page*.png")
    image_path.rename(tmp_path / "scanned.png")
    with Image.open(tmp_path / "scanned.png") as image:
        return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def _addresses_of(credential: dict[str, Any]) -> list[str]:
    """Every URL a label credential carries: id, verification URL, status lists, key id."""
    urls = [
        credential["id"],
        credential["credentialSubject"]["label"]["verificationUrl"],
        credential["proof"]["verificationMethod"],
    ]
    for entry in credential["credentialStatus"]:
        urls += [entry["id"], entry["statusListCredential"]]
    return urls


def _check_label_served_at(
    app: Flask, number: str, base: str, tmp_path: Path, host: str = "http://localhost"
) -> None:
    """Asked through `host`, QR code, printed links, credential, status lists and keys all
    name `base`, and the label verifies."""
    client = app.test_client()

    def get(path: str) -> Any:
        return client.get(path, base_url=host)

    credential = get(f"/labels/{number}.json").get_json(force=True)
    assert credential["id"] == f"{base}/labels/{number}.json"
    assert credential["credentialSubject"]["label"]["verificationUrl"] == f"{base}/labels/{number}"
    assert credential["proof"]["verificationMethod"].startswith(
        f"{base}/.well-known/safetech-keys.json#"
    )
    assert all(url.startswith(f"{base}/") for url in _addresses_of(credential))
    keys = get("/.well-known/safetech-keys.json").get_json()
    assert keys["id"] == f"{base}/.well-known/safetech-keys.json"
    assert credential["proof"]["verificationMethod"] in {
        m["id"] for m in keys["verificationMethod"]
    }
    status_files = []
    for purpose in ("revocation", "suspension"):
        status_list = get(f"/labels/status/{purpose}.json").get_json(force=True)
        assert status_list["id"] == f"{base}/labels/status/{purpose}.json"
        path = tmp_path / f"{purpose}.json"
        path.write_text(json.dumps(status_list))
        status_files += ["--status-list", str(path)]

    pdf = _pdf(client, number, host)
    assert _qr_codes(pdf, tmp_path) == [f"{base}/labels/{number}"]
    text = _pdf_text(pdf, tmp_path)
    assert f"{base}/labels/{number}" in text  # "Verify at"
    assert f"{base}/.well-known/safetech-keys.json" in "".join(text.split())
    # The page a QR scan opens names the same keys address.
    page = get(f"/labels/{number}").get_data(as_text=True)
    assert f"{base}/.well-known/safetech-keys.json" in page

    # The offline verifier accepts the printed label with the keys this address publishes.
    (tmp_path / "label.pdf").write_bytes(pdf)
    (tmp_path / "keys.json").write_text(json.dumps(keys))
    result = app.test_cli_runner().invoke(
        args=[
            "labels",
            "verify",
            str(tmp_path / "label.pdf"),
            "--keys",
            str(tmp_path / "keys.json"),
            *status_files,
        ]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"VALID: label {number}")


def test_a_label_issued_on_port_8000_points_to_port_8000_and_verifies(
    app: Flask, world: LabelWorld, tmp_path: Path
) -> None:
    label = issued_label(world)
    # A visitor who reached the portal by another name sees the same addresses.
    for number, host in enumerate(("http://localhost", "http://127.0.0.1:5000")):
        folder = tmp_path / str(number)
        folder.mkdir()
        _check_label_served_at(app, label.number, BASE, folder, host)


def test_start_up_names_labels_signed_elsewhere_and_resign_moves_them(
    app: Flask,
    app_factory: Callable[..., Flask],
    world: LabelWorld,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    label = issued_label(world)
    number = label.number
    with caplog.at_level(logging.WARNING):
        app_factory()  # the same address: nothing to say
    assert RESIGN_COMMAND not in caplog.text

    with caplog.at_level(logging.WARNING):
        moved = app_factory(BASE_URL=MOVED)
    warnings = [r.getMessage() for r in caplog.records if RESIGN_COMMAND in r.getMessage()]
    assert len(warnings) == 1
    assert f"signed for {BASE}" in warnings[0] and f"serves {MOVED}" in warnings[0]

    with moved.app_context():
        result = moved.test_cli_runner().invoke(args=["labels", "resign"])
        assert result.exit_code == 0, result.output
        assert f"signed for {MOVED}" in result.output
        stored = db.session.scalar(select(Label.credential).where(Label.number == number))
        assert stored is not None
        assert all(url.startswith(f"{MOVED}/") for url in _addresses_of(json.loads(stored)))
        _check_label_served_at(moved, number, MOVED, tmp_path)

    caplog.clear()
    with caplog.at_level(logging.WARNING):
        app_factory(BASE_URL=MOVED)
    assert RESIGN_COMMAND not in caplog.text


def test_start_up_survives_a_database_without_tables(
    app_factory: Callable[..., Flask], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        app_factory(DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}")
    assert RESIGN_COMMAND not in caplog.text


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"PORT": "8000"}, "http://127.0.0.1:8000"),
        # A wildcard HOST is reached through the loopback.
        ({"HOST": "0.0.0.0", "PORT": "8001"}, "http://127.0.0.1:8001"),  # noqa: S104
        ({"HOST": "10.1.2.3"}, "http://10.1.2.3:5000"),
        ({"PORT": "8000", "SAFETECH_BASE_URL": MOVED}, MOVED),
    ],
)
def test_make_run_signs_and_serves_at_the_address_of_host_and_port(
    variables: dict[str, str], expected: str
) -> None:
    root = Path(__file__).resolve().parents[3]
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("HOST", "PORT", "SAFETECH_BASE_URL", "MAKEFLAGS")
    }
    dry_run = subprocess.run(
        ["make", "--no-print-directory", "-n", "-C", str(root), "run"],
        check=True,
        capture_output=True,
        text=True,
        env={**environment, **variables},
    ).stdout.replace("\\\n", " ")
    # Every command of `make run` that builds the app: migrate, seed, index and serve.
    commands = [
        line for line in dry_run.splitlines() if "flask --app app" in line or "serve.sh" in line
    ]
    assert [c for c in commands if "seed-demo" in c] and [c for c in commands if "serve" in c]
    for line in commands:
        assert f"SAFETECH_BASE_URL={expected} " in line, line
