"""The evaluations blueprint, on which every route module of this package registers."""

from __future__ import annotations

from flask import Blueprint

from registry.models import Role

bp = Blueprint("evaluations", __name__, url_prefix="/evaluations")
ANY_PARTY = (Role.VENDOR, Role.EVALUATOR, Role.AUTHORITY)
