"""The ceiling's reference: a bare Flask app with one route returning a short string.

bench.ceiling serves it under exactly the gunicorn settings the portal runs with, so that each
portal page is measured as a share of what Flask and gunicorn allow on the same machine.
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    """The shortest answer Flask gives."""
    return "Hello"


@app.get("/healthz")
def healthz() -> str:
    """Answers the start-up check of bench.load.Server."""
    return "ok"
