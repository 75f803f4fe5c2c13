"""Routes of the label signing keys: the public keys document."""

from __future__ import annotations

from tests.routing import Case, everyone

CASES = [
    Case("wellknown.keys_document", "GET", "/.well-known/safetech-keys.json", everyone(200)),
]
