"""Routes of the eForms UBL XML notices (on publication_routes' awarded call, `eforms_call`)."""

from __future__ import annotations

from tests.routing import Case, everyone

PUBLIC = everyone(200)
MISSING = everyone(404)

_NOTICE = "/procurement/public/calls/{eforms_call}/eforms/"
CASES = [
    Case("publication.eforms_notice_xml", "GET", _NOTICE + "contract-notice.xml", PUBLIC),
    Case("publication.eforms_notice_xml", "GET", _NOTICE + "award-notice.xml", PUBLIC),
    Case("publication.eforms_notice_xml", "GET", _NOTICE + "modification-notice.xml", MISSING),
    Case("publication.eforms_notice_xml", "GET", _NOTICE + "%27%20OR%201%3D1--.xml", MISSING),
    Case(
        "publication.eforms_notice_xml",
        "GET",
        "/procurement/public/calls/2147483647/eforms/contract-notice.xml",
        MISSING,
    ),
]
