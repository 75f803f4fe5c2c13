"""Routes of real sealing: an officer's opening key and a call's opening page.

The world is the one of call_routes (its authority and a colleague hold opening keys; the open
call takes offers, the closed one is opened). Requests carry no valid password: a key is never
replaced and no share released by the walk.
"""

from __future__ import annotations

from tests.routing import Case, authority_only

OPEN = "/procurement/calls/{call_open}"
CLOSED = "/procurement/calls/{call_closed}"

CASES = [
    Case("sealing.opening_key", "GET", "/account/opening-key", authority_only(200)),
    Case("sealing.opening_key", "POST", "/account/opening-key", authority_only(200)),
    Case("sealing.opening", "GET", OPEN + "/opening", authority_only(200)),
    Case("sealing.opening", "GET", CLOSED + "/opening", authority_only(200)),
    Case("sealing.opening", "GET", "/procurement/calls/2147483647/opening", authority_only(404)),
    # Refused (no password): the page says why.
    Case("sealing.release_share", "POST", OPEN + "/opening", authority_only(400)),
    Case("sealing.release_share", "POST", CLOSED + "/opening", authority_only(400)),
]
