"""The upload folder on a read-only or a full file system (real tmpfs mounts).

The vendor gets the 503 page with what they typed kept, nothing is saved, and no file is left.
"""

from __future__ import annotations

import errno
import io
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from evaluations.models import Evidence
from registry.database import db
from tests.evaluations.evaluation_builders import PDF
from tests.faults.conftest import Application
from tests.support import PASSWORD


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)


@pytest.fixture
def small_file_system(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """Factory: a fresh 64 KiB tmpfs mounted in the test's folder; unmounted afterwards."""
    mounted: list[Path] = []

    def mount(name: str) -> Path:
        point = tmp_path / name
        point.mkdir()
        result = _run("mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", str(point))
        if result.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in reversed(mounted):
        _run("umount", "-l", str(point))


def _fill(path: Path) -> int:
    """Write zeros until the file system refuses; returns the error number it gave."""
    try:
        with path.open("wb") as handle:
            while True:
                handle.write(b"\0" * 4096)
                handle.flush()
    except OSError as error:
        return error.errno or 0


def _upload(client: Any, evaluation_id: int, description: str) -> Any:
    return client.post(
        f"/evaluations/{evaluation_id}/evidence",
        data={
            "file": (io.BytesIO(PDF + b"%" + b"x" * 32_000 + b"\n"), "report.pdf"),
            "criterion_id": "",
            "description": description,
        },
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("failure", ["read-only", "full"])
def test_an_upload_to_an_unwritable_folder_gets_503_and_keeps_the_input(
    app_factory: Callable[..., Flask],
    draft_application: Application,
    small_file_system: Callable[..., Path],
    failure: str,
) -> None:
    evaluation_id = draft_application.evaluation_id
    uploads = small_file_system("uploads")
    folder = uploads / "evidence"
    folder.mkdir()
    filler = folder / ".filler"
    if failure == "read-only":
        result = _run("mount", "-o", "remount,ro", str(uploads))
        assert result.returncode == 0, result.stderr
        with pytest.raises(OSError, match="Read-only") as refused:
            (folder / "probe").write_bytes(b"x")  # root too: the mount refuses
        assert refused.value.errno == errno.EROFS
    else:
        assert _fill(filler) == errno.ENOSPC
    before = sorted(p.name for p in folder.iterdir())

    broken = app_factory(UPLOAD_DIR=str(uploads))
    client = broken.test_client()
    signed_in = client.post(
        "/login", data={"email": draft_application.vendor_email, "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    response = _upload(client, evaluation_id, "Pen-test report <v2>\nsecond line")
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    page = response.get_data(as_text=True)
    assert "Files cannot be stored right now. Nothing was saved." in page
    assert "Your input was kept" in page
    assert "Pen-test report &lt;v2&gt;\nsecond line" in page  # kept, escaped, to send again
    assert 'name="description"' in page
    assert sorted(p.name for p in folder.iterdir()) == before  # no temporary file left
    with broken.app_context():
        assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0

    # Once space is back, the same form goes through.
    if failure == "read-only":
        assert _run("mount", "-o", "remount,rw", str(uploads)).returncode == 0
    else:
        filler.unlink()
    assert _upload(client, evaluation_id, "Pen-test report").status_code == 302
    with broken.app_context():
        assert db.session.scalar(select(func.count()).select_from(Evidence)) == 1
