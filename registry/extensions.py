"""Unbound Flask extensions, bound to the app in create_app()."""

from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from registry.database import db

migrate = Migrate(compare_type=True, render_as_batch=True)
csrf = CSRFProtect()

__all__ = ["csrf", "db", "migrate"]
