"""Secrets kept as files of their own (the session key, the key of sealed reports, the CSAF
signing key): made once, readable by their owner only."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path


def read_or_create(path: Path, make: Callable[[], str]) -> str:
    """The file's content, writing ``make()`` to it first when it does not exist (mode 0600).

    Several workers may start together: one creates the file, the others wait for its content.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(make())
    for _ in range(50):  # another worker may be between create and write
        text = path.read_text().strip()
        if text:
            return text
        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty; delete it and start again")
