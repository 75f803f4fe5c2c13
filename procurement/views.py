"""Buyer needs, aggregation into lots, joint calls, offers and awards."""

from flask import Blueprint

bp = Blueprint("procurement", __name__)
