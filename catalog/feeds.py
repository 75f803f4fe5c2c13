"""An Atom feed (RFC 4287) of label events: issued, suspended, reinstated, revoked, expired."""

from __future__ import annotations

from xml.etree import ElementTree as ET  # noqa: N817 - the name everyone uses

from flask import Response, url_for

from catalog.exports import bp
from catalog.label_facts import LabelEventFact, label_provider
from registry import atom
from registry.database import utcnow

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
    "reduced": "reduced",
    "withdrawn": "withdrawn: suspension ended unresolved",
    "terminated": "ended by the vendor",
    "surveillance": "surveillance activity recorded",
}


def _entry(feed: ET.Element, item: LabelEventFact) -> None:
    label = item.label
    entry = atom.add(feed, "entry")
    atom.add(entry, "id", atom.tag(f"label-event:{item.id}"))
    title = (
        f"Label {label.number} {ACTION_TITLES.get(item.action, item.action)}: "
        f"{item.solution_name} ({label.norm_label}, {label.level})"
    )
    atom.add(entry, "title", title)
    atom.add(entry, "updated", atom.stamp(item.at))
    atom.add(entry, "published", atom.stamp(item.at))
    link = label.verification_url or url_for(
        "catalog.solution", solution_id=label.solution_id, _external=True
    )
    atom.add(entry, "link", rel="alternate", type="text/html", href=link)
    atom.add(entry, "category", term=item.action)
    summary = (
        f"{item.solution_name} by {item.vendor_name}: label {label.number} under "
        f"{label.norm_code} version {label.norm_version} ({label.norm_title}), level "
        f"{label.level}, {label.score_percent:g} %, valid until {label.expires_on.isoformat()}. "
        f"Status: {label.status}. Certified versions: "
        f"{', '.join(label.scope) if label.scope else 'none recorded'}."
    )
    if item.reason and item.action != "issued":
        summary += f" Reason: {item.reason}"
    atom.add(entry, "summary", summary, type="text")


def label_feed_xml(limit: int = FEED_SIZE) -> bytes:
    """The feed document: the newest `limit` label events, newest first."""
    items = label_provider().recent_events(limit)
    feed = atom.new_feed(
        specific="label-events",
        title="SafeTech Registry: label events",
        subtitle="Certification labels issued, suspended, reinstated, revoked, expired.",
        updated=atom.stamp(items[0].at if items else utcnow()),
        self_url=url_for("open_data.label_feed", _external=True),
        page_url=url_for("catalog_search.catalog", _external=True),
    )
    for item in items:
        _entry(feed, item)
    return atom.to_bytes(feed)


@bp.get("/labels/feed.atom")
def label_feed() -> Response:
    """The Atom feed of label events."""
    response = Response(label_feed_xml(), mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "public, max-age=60"
    return response
