"""Request hooks: session loading, transaction mode, security headers and error pages."""

from __future__ import annotations

from typing import Any, NoReturn
from urllib.parse import unquote_to_bytes

from flask import Flask, abort, current_app, g, redirect, render_template, request
from flask_wtf.csrf import CSRFError, generate_csrf
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import BadRequest, HTTPException, ServiceUnavailable
from werkzeug.wrappers import Response

from registry import auth
from registry.access import current_user, role_of
from registry.api import problem_response
from registry.arguments import BadParameter
from registry.database import db, sqlite_begin_mode
from registry.exceptions import TooManyAttempts
from registry.models import Role

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
# Production is served over HTTPS only: browsers must not try plain HTTP again for two years
# (the same value as deploy/nginx-safetech.conf, so a proxy that adds it too agrees).
STRICT_TRANSPORT_SECURITY = "max-age=63072000"
ERROR_TITLES = {
    400: "The request could not be understood",
    403: "You do not have access to this",
    404: "Page not found",
    405: "That action is not allowed here",
    409: "This was already saved",
    413: "The upload is too large",
    429: "Too many attempts",
    500: "Something went wrong on our side",
    503: "The service is busy",
}
# Form fields never echoed back on an error page.
_SECRET_FIELDS = ("password", "csrf_token", "code", "token")


def _kept_form_fields() -> list[tuple[str, str]]:
    if request.method != "POST":
        return []
    try:
        items = request.form.items(multi=True)
        return [(k, v) for k, v in items if not any(s in k.lower() for s in _SECRET_FIELDS)]
    except Exception:  # the body itself may be what failed
        return []


def _shown(name: str) -> str:
    return name if len(name) <= 40 else name[:40] + "…"


def _refuse(name: str, where: str, problem: str) -> NoReturn:
    if where == "parameter":
        raise BadParameter(_shown(name), problem)
    abort(400, description=f"{where} {_shown(name)}: {problem}")


def _refuse_bad_text(name: str, value: str, where: str) -> None:
    # PostgreSQL refuses NUL in text: a NUL would reach it as a 500 from any text filter.
    if "\x00" in name or "\x00" in value:
        _refuse(name, where, "contains a NUL character.")


def _check_pairs(raw: bytes, where: str) -> None:
    """Refuse (400) `name=value&…` whose names or values are not UTF-8 once percent-decoded."""
    for pair in raw.split(b"&"):
        raw_name, _, raw_value = pair.partition(b"=")
        try:
            name = unquote_to_bytes(raw_name.replace(b"+", b" ")).decode()
        except UnicodeDecodeError:
            abort(400, description=f"{where}: a parameter name is not valid UTF-8 text.")
        try:
            value = unquote_to_bytes(raw_value.replace(b"+", b" ")).decode()
        except UnicodeDecodeError:
            _refuse(name, where, "not valid UTF-8 text.")
        _refuse_bad_text(name, value, where)


def check_request_text() -> None:
    """Refuse (400) a path, query string or form that is not UTF-8 text or carries a NUL.

    Werkzeug decodes the raw query string and an urlencoded body strictly when first read (a
    UnicodeDecodeError anywhere later) and keeps percent-encoded invalid bytes as literal
    text: both are checked here, once, before any view or form reads them.
    """
    try:
        path = request.environ.get("PATH_INFO", "").encode("latin-1").decode()
    except UnicodeError:
        abort(400, description="The address is not valid UTF-8 text.")
    if "\x00" in path:
        abort(400, description="The address contains a NUL character.")
    _check_pairs(request.query_string, "parameter")
    if request.method in auth.SAFE_METHODS:
        return
    if request.mimetype == "application/x-www-form-urlencoded":
        # Cached, so the form parser reads the same bytes again.
        _check_pairs(request.get_data(cache=True), "form field")
    elif request.mimetype == "multipart/form-data":
        try:
            fields = request.form
            files = request.files
        except UnicodeDecodeError:
            abort(400, description="The form's parts are not valid UTF-8 text.")
        for name, value in fields.items(multi=True):
            _refuse_bad_text(name, value, "form field")
        for name, upload in files.items(multi=True):
            _refuse_bad_text(name, upload.filename or "", "file field")


def render_error(code: int, description: str | None = None) -> tuple[str, int]:
    """Render the friendly page for an HTTP error code."""
    db.session.rollback()
    kept = _kept_form_fields() if code in (400, 503) else []
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=ERROR_TITLES.get(code, "Error"),
            description=description,
            kept_fields=kept,
            retry_url=request.path if kept else None,
        ),
        code,
    )


def single_charset(content_type: str) -> str:
    """The Content-Type with its first ``charset`` parameter only.

    Werkzeug appends ``; charset=utf-8`` to every text type, also to one that names its
    charset already (``text/plain; charset=utf-8`` of a stored file): one is what clients read.
    """
    parts = content_type.split(";")
    kept = [parts[0]]
    seen = False
    for parameter in parts[1:]:
        if parameter.strip().lower().startswith("charset="):
            if seen:
                continue
            seen = True
        kept.append(parameter)
    return ";".join(kept)


def is_api_request() -> bool:
    """Whether the request is for the JSON API, whose errors are problem details, not pages."""
    return request.path.startswith("/api/")


def api_problem(
    code: int, description: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    """An error as the API answers it: RFC 9457 problem details (`application/problem+json`)."""
    db.session.rollback()
    return problem_response(code, description, headers)


def http_error_problem(error: HTTPException) -> Response:
    """A werkzeug HTTP error as problem details, keeping its headers (Allow, Retry-After)."""
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    if isinstance(error, BadParameter):
        db.session.rollback()
        return problem_response(400, error.description, headers, parameter=error.parameter)
    return api_problem(error.code or 500, error.description, headers)


def _security_headers(response: Response, *, production: bool) -> Response:
    """The security headers every answer carries, one charset, and no caching when signed in."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if production:
        headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    content_type = headers.get("Content-Type")
    if content_type and content_type.lower().count("charset=") > 1:
        headers["Content-Type"] = single_charset(content_type)
    if g.get("user_session") is not None:
        headers["Cache-Control"] = "no-store"
        headers.add("Vary", "Cookie")
    return response


def init_app(app: Flask) -> None:
    """Install the hooks on the application."""
    _install_request_hooks(app)
    _install_refusal_handlers(app)
    _install_failure_handlers(app)
    _install_http_error_handlers(app)
    app.jinja_env.globals["csrf_token"] = generate_csrf


def _install_request_hooks(app: Flask) -> None:
    """Per request: the SQLite begin mode, the session, input checks, headers, template globals."""

    @app.before_request
    def _begin_request() -> None:
        # Read-only requests begin deferred SQLite transactions so they run side by side.
        g.begin_mode_token = sqlite_begin_mode.set(
            "DEFERRED" if request.method in auth.SAFE_METHODS else "IMMEDIATE"
        )
        if request.endpoint != "static":
            auth.load_session()
        check_request_text()

    @app.teardown_request
    def _end_request(exc: BaseException | None) -> None:
        token = g.pop("begin_mode_token", None)
        if token is not None:
            sqlite_begin_mode.reset(token)

    @app.after_request
    def _headers(response: Response) -> Response:
        return _security_headers(response, production=app.config["PRODUCTION"])

    @app.context_processor
    def _template_globals() -> dict[str, Any]:
        user = current_user()
        try:
            role = role_of(user).value
        except OperationalError:
            # The database is down (render_error's rollback expired the user): show the
            # 503 page as to an anonymous visitor rather than fail while rendering it.
            db.session.rollback()
            return {"current_user": None, "current_role": Role.PUBLIC.value}
        return {"current_user": user, "current_role": role}


def _install_refusal_handlers(app: Flask) -> None:
    """A missing CSRF token and too many attempts: a page, or problem details in the API."""

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> Any:
        if is_api_request():
            return http_error_problem(error)
        return render_error(
            400,
            "Your form could not be accepted because its security token was missing or "
            "had expired. Nothing was saved. Please go back, reload the page and submit again.",
        )

    @app.errorhandler(TooManyAttempts)
    def _too_many(error: TooManyAttempts) -> Any:
        if is_api_request():
            return api_problem(429, str(error), {"Retry-After": str(error.retry_after_seconds)})
        body, code = render_error(429, str(error))
        return body, code, {"Retry-After": str(error.retry_after_seconds)}


def _install_failure_handlers(app: Flask) -> None:
    """The database or file storage failing, and a racing duplicate: logged, then answered."""

    @app.errorhandler(OperationalError)
    def _database_unavailable(error: OperationalError) -> Any:
        app.logger.error("database unavailable: %s", error)
        if is_api_request():
            return api_problem(503, "The database is busy or unavailable.", {"Retry-After": "5"})
        body, code = render_error(
            503,
            "The database is busy or unavailable. Nothing was saved. "
            "Your input is kept below: try again in a moment.",
        )
        return body, code, {"Retry-After": "5"}

    @app.errorhandler(IntegrityError)
    def _conflict(error: IntegrityError) -> Any:
        # Two identical submissions raced past the checks; the database kept one of them.
        app.logger.warning("integrity conflict: %s", error.orig)
        if is_api_request():
            return api_problem(409, "The same request was submitted twice at the same moment.")
        return render_error(
            409,
            "The same information was submitted twice at the same moment; it was saved once. "
            "Reload the page to see the current state.",
        )

    @app.errorhandler(OSError)
    def _storage_unavailable(error: OSError) -> Any:
        app.logger.error("storage unavailable: %s", error)
        if is_api_request():
            return api_problem(503, "Files cannot be read right now.", {"Retry-After": "30"})
        body, code = render_error(
            503,
            "Files cannot be stored right now. Nothing was saved. "
            "Your input is kept below: try again in a moment.",
        )
        return body, code, {"Retry-After": "30"}


def _slashless_route() -> str | None:
    """For a GET or HEAD of "/a/b/" that matches nothing, where "/a/b" is a route: its
    address, with the query string. Links and bookmarks written with a trailing slash then
    reach the page instead of "Page not found"."""
    path = request.path
    if request.method not in ("GET", "HEAD") or len(path) < 2 or not path.endswith("/"):
        return None
    target = path.rstrip("/")
    try:
        current_app.url_map.bind("").match(target, method="GET")
    except HTTPException:
        return None
    query = request.query_string.decode("latin-1")
    return request.script_root + target + (f"?{query}" if query else "")


def _install_http_error_handlers(app: Flask) -> None:
    """Werkzeug's HTTP errors and anything unexpected: an error page, or problem details."""

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Any:
        if error.code is None or error.code < 400:
            return error
        if error.code == 404 and (slashless := _slashless_route()) is not None:
            return redirect(slashless, 308)
        if is_api_request():
            return http_error_problem(error)
        description = None
        if isinstance(error, ServiceUnavailable | BadRequest):
            description = error.description
        body, code = render_error(error.code, description)
        response = app.make_response((body, code))
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        app.logger.exception("unhandled error")
        if is_api_request():
            return api_problem(500, "The server could not complete the request.")
        return render_error(500)
