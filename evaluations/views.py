"""Evaluations, scoring, decisions and labels."""

from flask import Blueprint

bp = Blueprint("evaluations", __name__)
