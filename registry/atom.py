"""Atom feeds (RFC 4287): the frame every feed of the portal shares."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET  # noqa: N817 - the name everyone uses

from flask import current_app

from registry.text import xml_safe

ATOM = "http://www.w3.org/2005/Atom"


def stamp(moment: dt.datetime) -> str:
    """A moment as Atom writes it (UTC, whole seconds, Z)."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def tag(specific: str) -> str:
    """A tag: URI (RFC 4151) on the portal's host: it stays when the site moves path or protocol."""
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    return f"tag:{host},2026:{specific}"


def add(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
    """An Atom element under ``parent``, its text and attributes made safe for XML."""
    # Text is cleaned at input; this also keeps rows stored before that from making the
    # document invalid XML (ElementTree escapes markup but writes a control character as is).
    attributes = {key: xml_safe(value) for key, value in attrs.items()}
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}", attributes)
    if text is not None:
        element.text = xml_safe(text)
    return element


def new_feed(
    *, specific: str, title: str, updated: str, self_url: str, page_url: str, subtitle: str = ""
) -> ET.Element:
    """A feed element with its id, title, update time, author (the authority) and links."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    add(feed, "id", tag(specific))
    add(feed, "title", title)
    if subtitle:
        add(feed, "subtitle", subtitle)
    add(feed, "updated", updated)
    add(add(feed, "author"), "name", current_app.config["AUTHORITY_NAME"])
    add(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    add(feed, "link", rel="alternate", type="text/html", href=page_url)
    return feed


def to_bytes(feed: ET.Element) -> bytes:
    """The feed document, UTF-8 with its XML declaration."""
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document
