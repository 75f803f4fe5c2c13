"""The public catalog of solutions (search, comparison, open data)."""

from flask import Blueprint

bp = Blueprint("catalog", __name__)
