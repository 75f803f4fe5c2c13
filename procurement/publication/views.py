"""The eForms-compatible notices of a joint call, as JSON and as eForms UBL XML."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from procurement.calls.models import JointCall
from procurement.publication.eforms import NoticeUnavailable, notice
from procurement.publication.ubl import award_notice_xml, contract_notice_xml
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


@bp.get("/calls/<int:call_id>/eforms/<kind>.xml")
def eforms_notice_xml(call_id: int, kind: str) -> Response:
    """A call's contract notice (subtype 16) or award notice (subtype 29) as eForms UBL XML."""
    call = db.session.get(JointCall, call_id)
    if call is None:
        return api_error(404, "No joint call has this number.")
    builders = {"contract-notice": contract_notice_xml, "award-notice": award_notice_xml}
    try:
        if kind not in builders:
            notice(call, kind)  # raises with the reason this notice does not exist
            return api_error(404, "This notice is published as JSON only: ask for .json.")
        body = builders[kind](call)
    except NoticeUnavailable as missing:
        return api_error(404, str(missing))
    response = current_app.response_class(body, mimetype="application/xml")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
