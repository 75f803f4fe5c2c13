"""The portal's public address (BASE_URL): every absolute URL it prints starts with it.

Labels, QR codes, key ids, status list URLs, e-mails, feeds and exports name the site by this
one setting, never by the Host header of the request that happened to make them: a credential
signed while someone browsed through `localhost` must still verify at the public address.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Flask, current_app, has_request_context, request


def base_url() -> str:
    """The configured public address, without a trailing slash."""
    return str(current_app.config["BASE_URL"]).rstrip("/")


def public_url(path: str) -> str:
    """The absolute URL of a path on this site (``/labels/STR-…`` → ``https://…/labels/STR-…``)."""
    if path.startswith(("http://", "https://")):
        return path
    return base_url() + "/" + path.lstrip("/")


class PortalFlask(Flask):
    """Flask whose absolute URLs (``url_for(..., _external=True)``) start with BASE_URL."""

    def url_for(
        self,
        /,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: Any,
    ) -> str:
        """A path inside a request; otherwise (or when asked) an absolute URL on BASE_URL."""
        if has_request_context():
            if not _external and _scheme is None:
                return super().url_for(endpoint, _anchor=_anchor, _method=_method, **values)
            path = super().url_for(endpoint, _anchor=_anchor, _method=_method, **values)
            # BASE_URL already names the prefix the site is mounted under, if any.
            return public_url(path.removeprefix(request.script_root))
        # Outside a request (commands, mail from a worker) Flask would need SERVER_NAME.
        adapter = self.url_map.bind("localhost", script_name="/")
        self.inject_url_defaults(endpoint, values)
        path = adapter.build(endpoint, values, method=_method)
        if _anchor is not None:
            path += "#" + quote(_anchor, safe="%!#$&'()*+,/:;=?@")
        return public_url(path)
