"""The eForms-compatible notices of a joint call, as JSON."""

from __future__ import annotations

from flask import Blueprint, Response

from procurement.calls.models import JointCall
from procurement.publication.eforms import NoticeUnavailable, notice
from registry.api import api_error, json_response
from registry.database import db

bp = Blueprint("publication", __name__, url_prefix="/procurement/public")


@bp.get("/calls/<int:call_id>/eforms/<kind>.json")
def eforms_notice(call_id: int, kind: str) -> Response:
    """A call's contract, award or modification notice keyed by eForms Business Terms."""
    call = db.session.get(JointCall, call_id)
    if call is None:
        return api_error(404, "No joint call has this number.")
    try:
        body = notice(call, kind)
    except NoticeUnavailable as missing:
        return api_error(404, str(missing))
    return json_response(body, max_age=300)
