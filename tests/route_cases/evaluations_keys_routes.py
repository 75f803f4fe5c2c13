"""Routes verifiers fetch: the public keys document and the SafeTech JSON-LD context."""

from __future__ import annotations

from tests.routing import Case, everyone

CASES = [
    Case("wellknown.keys_document", "GET", "/.well-known/safetech-keys.json", everyone(200)),
    Case("wellknown.safetech_context_document", "GET", "/contexts/safetech/v1", everyone(200)),
    Case("wellknown.safetech_context_document", "GET", "/contexts/safetech/v2", everyone(200)),
    Case("wellknown.safetech_context_document", "GET", "/contexts/safetech/v3", everyone(404)),
]
