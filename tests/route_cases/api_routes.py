"""Routes of the JSON API's shared parts."""

from __future__ import annotations

from tests.routing import Case, everyone

CASES = [
    Case("api.openapi", "GET", "/api/v1/openapi.json", everyone(200)),
]
