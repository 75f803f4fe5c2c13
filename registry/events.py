"""In-process events, so a lower package can tell higher ones what happened without importing them.

A higher package subscribes at start-up (`subscribe(app, "norm.version_published", fn)`); the
lower one calls `publish("norm.version_published", norm=..., version=...)`. Subscribers run
synchronously, inside the publisher's transaction: whatever they write (notification rows,
queued mail) is committed or rolled back with the change itself, and they must not commit.

Events published today:
- ``norm.version_published`` (norm, version, previous): a norm version was published.
- ``norm.withdrawn`` (actor, norm, reason): a norm was withdrawn.
- ``organisation.suspended`` (actor, organisation, reason): an active organisation was suspended.
- ``organisation.reactivated`` (actor, organisation): a suspended organisation is active again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context

Subscriber = Callable[..., None]
_EXTENSION = "event_subscribers"


def subscribe(app: Flask, event_name: str, subscriber: Subscriber) -> None:
    """Call `subscriber(**payload)` each time `event_name` is published in this app."""
    subscribers: dict[str, list[Subscriber]] = app.extensions.setdefault(_EXTENSION, {})
    subscribers.setdefault(event_name, []).append(subscriber)


def publish(event_name: str, **payload: Any) -> None:
    """Run every subscriber of `event_name`, in subscription order, in this transaction."""
    if not has_app_context():  # a script outside the app has nobody listening
        return
    subscribers: dict[str, list[Subscriber]] = current_app.extensions.get(_EXTENSION, {})
    for subscriber in subscribers.get(event_name, []):
        subscriber(**payload)
