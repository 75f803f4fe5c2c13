"""Routes of the self-service password reset: asking for a link, and using one."""

from __future__ import annotations

from tests.routing import Case, everyone

CASES = [
    Case("auth.forgot_password", "GET", "/password/forgot", everyone(200)),
    Case("auth.forgot_password", "POST", "/password/forgot", everyone(200)),
    Case(
        "auth.forgot_password",
        "POST",
        "/password/forgot",
        everyone(200),
        {"email": "nobody@example.org"},
    ),
    Case("auth.reset_password", "GET", "/password/reset/not-a-token", everyone(404)),
    Case("auth.reset_password", "POST", "/password/reset/not-a-token", everyone(404)),
]
