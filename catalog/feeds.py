"""An Atom feed (RFC 4287) of label events: issued, suspended, reinstated, revoked, expired."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET  # noqa: N817 - the name everyone uses

from flask import Response, current_app, url_for

from catalog.exports import bp
from catalog.label_facts import LabelEventFact, label_provider
from registry.database import utcnow
from registry.text import xml_safe

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50
ACTION_TITLES = {
    "issued": "issued",
    "suspended": "suspended",
    "reinstated": "reinstated",
    "revoked": "revoked",
    "expired": "expired",
    # What the label certifies changed (facts or versions), decided by the authority.
    "amended": "amended",
    # A disclosed vulnerability marks the label, and the mark ends (fix in scope, or cleared).
    "remediation": "marked: vulnerability under remediation",
    "remediated": "no longer under remediation",
}


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _tag(specific: str) -> str:
    # tag: URIs (RFC 4151) stay the same when the site moves to another path or protocol.
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    return f"tag:{host},2026:{specific}"


def _add(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
    # Text is cleaned at input; this also keeps rows stored before that from making the
    # document invalid XML (ElementTree escapes markup but writes a control character as is).
    attributes = {key: xml_safe(value) for key, value in attrs.items()}
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}", attributes)
    if text is not None:
        element.text = xml_safe(text)
    return element


def _entry(feed: ET.Element, item: LabelEventFact) -> None:
    label = item.label
    entry = _add(feed, "entry")
    _add(entry, "id", _tag(f"label-event:{item.id}"))
    title = (
        f"Label {label.number} {ACTION_TITLES.get(item.action, item.action)}: "
        f"{item.solution_name} ({label.norm_label}, {label.level})"
    )
    _add(entry, "title", title)
    _add(entry, "updated", _stamp(item.at))
    _add(entry, "published", _stamp(item.at))
    link = label.verification_url or url_for(
        "catalog.solution", solution_id=label.solution_id, _external=True
    )
    _add(entry, "link", rel="alternate", type="text/html", href=link)
    _add(entry, "category", term=item.action)
    summary = (
        f"{item.solution_name} by {item.vendor_name}: label {label.number} under "
        f"{label.norm_code} version {label.norm_version} ({label.norm_title}), level "
        f"{label.level}, {label.score_percent:g} %, valid until {label.expires_on.isoformat()}. "
        f"Status: {label.status}. Certified versions: "
        f"{', '.join(label.scope) if label.scope else 'none recorded'}."
    )
    if item.reason and item.action != "issued":
        summary += f" Reason: {item.reason}"
    _add(entry, "summary", summary, type="text")


def label_feed_xml(limit: int = FEED_SIZE) -> bytes:
    """The feed document: the newest `limit` label events, newest first."""
    ET.register_namespace("", ATOM)
    items = label_provider().recent_events(limit)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _add(feed, "id", _tag("label-events"))
    _add(feed, "title", "SafeTech Registry: label events")
    _add(feed, "subtitle", "Certification labels issued, suspended, reinstated, revoked, expired.")
    _add(feed, "updated", _stamp(items[0].at if items else utcnow()))
    _add(_add(feed, "author"), "name", current_app.config["AUTHORITY_NAME"])
    _add(
        feed,
        "link",
        rel="self",
        type="application/atom+xml",
        href=url_for("open_data.label_feed", _external=True),
    )
    _add(
        feed,
        "link",
        rel="alternate",
        type="text/html",
        href=url_for("catalog.solutions", _external=True),
    )
    for item in items:
        _entry(feed, item)
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document


@bp.get("/labels/feed.atom")
def label_feed() -> Response:
    """The Atom feed of label events."""
    response = Response(label_feed_xml(), mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "public, max-age=60"
    return response
