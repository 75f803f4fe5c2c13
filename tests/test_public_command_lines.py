"""No public page and no label PDF tells its reader to type a command line.

A visitor of the public registry, a buyer or a citizen checking a printed label is not at a
shell: the pages and the label say what to do in words, with links (the verification page, the
downloadable keys and status lists). The walk fetches, as an anonymous visitor, every GET route
of tests/route_cases/ that answers them 200, and reads every HTML page and the label PDF.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from flask import Flask

from registry.models import Organisation, User
from tests.routing import READ, build_world, collect_cases, path_values

# What public pages say does not depend on the database: the PostgreSQL run leaves this out.
SAME_ON_EVERY_DATABASE = True

COMMAND_WORDS = (
    "flask",
    "curl",
    "wget",
    "python",
    "python3",
    "pip",
    "openssl",
    "gpg",
    "sha256sum",
    "jq",
    "docker",
    "psql",
    "sudo",
    "npm",
)
# A line (or a code element) that starts with a command word and an argument, or a prompt.
COMMAND_START = re.compile(rf"^(?:\$ |(?:{'|'.join(COMMAND_WORDS)}) +[-./\w])")
# A command inside a sentence: "..., run flask --app app labels verify ...".
COMMAND_INSIDE = re.compile(
    r"\b(?:flask --app|python3? -m|curl -|wget https?:|openssl (?:dgst|pkeyutl|verify)|pip install)"
)
BLOCKS = {"p", "li", "dt", "dd", "td", "th", "h1", "h2", "h3", "h4", "div", "br", "tr", "pre"}
CODE = {"code", "pre", "kbd", "samp"}


class _TextUnits(HTMLParser):
    """A page's text in lines (split at block elements) and the text of its code elements."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = [""]
        self.code: list[str] = []
        self._code_depth = 0
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip_depth += 1
        if tag in BLOCKS:
            self.lines.append("")
        if tag in CODE:
            if self._code_depth == 0:
                self.code.append("")
            self._code_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skip_depth = max(0, self._skip_depth - 1)
        if tag in BLOCKS:
            self.lines.append("")
        if tag in CODE:
            self._code_depth = max(0, self._code_depth - 1)

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        self.lines[-1] += data
        if self._code_depth:
            self.code[-1] += data


def command_lines(text_units: list[str]) -> list[str]:
    """The units that are, or hold, a command line to type."""
    found = []
    for unit in text_units:
        for line in unit.splitlines():
            squeezed = " ".join(line.split())
            if COMMAND_START.match(squeezed) or COMMAND_INSIDE.search(squeezed):
                found.append(squeezed[:160])
    return found


def html_command_lines(html: str) -> list[str]:
    """The command lines an HTML page shows."""
    parser = _TextUnits()
    parser.feed(html)
    return command_lines(parser.lines + parser.code)


def pdf_command_lines(pdf: bytes, folder: Path) -> list[str]:
    """The command lines a PDF prints, as poppler's pdftotext reads it."""
    path = folder / "page.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["/usr/bin/pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    # Whole paragraphs too: pdftotext breaks a command that wraps over two printed lines.
    return command_lines([text, " ".join(text.split())])


def test_the_scan_finds_command_lines_and_not_prose() -> None:
    assert html_command_lines("<p>Check it with <code>flask --app app labels verify x</code>.</p>")
    assert html_command_lines("<pre>$ ls -l</pre>")
    assert html_command_lines("<li>openssl dgst -sha256 label.pdf</li>")
    assert html_command_lines("<p>then run\ncurl -O https://registry.example/keys</p>")
    assert not html_command_lines(
        "<p>Upload the file on the <a href='/verify'>verification page</a>.</p>"
        "<p>Python and Flask power this registry; curl up with the open data.</p>"
        "<script>var flask = 1;</script>"
    )


def test_no_public_page_or_label_pdf_shows_a_command_line(
    app: Flask,
    create_organisation: Callable[..., Organisation],
    create_user: Callable[..., User],
    tmp_path: Path,
) -> None:
    cases, extenders = collect_cases()
    world: dict[str, Any] = build_world(app, create_organisation, create_user, extenders)
    values = path_values(world, "anonymous")
    visitor = app.test_client()
    checked = {"html": 0, "pdf": 0}
    failures = []
    for case in cases:
        if case.method != "GET" or case.phase != READ or case.expected["anonymous"] != 200:
            continue
        path = case.path.format(**values)
        response = visitor.get(path)
        if response.status_code != 200:
            continue
        if response.mimetype == "text/html":
            found = html_command_lines(response.get_data(as_text=True))
            checked["html"] += 1
        elif case.endpoint == "labels.label_pdf":
            # The other public PDFs are files people uploaded, not words the registry prints.
            found = pdf_command_lines(response.get_data(), tmp_path)
            checked["pdf"] += 1
        else:
            continue
        failures += [f"{path}: {line}" for line in found]
    # The walk reached the public pages and the label PDF, not just an error page or two.
    assert checked["html"] >= 20 and checked["pdf"] >= 1, checked
    assert not failures, "command lines on public pages:\n" + "\n".join(failures)
