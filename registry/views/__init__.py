"""The registry's blueprints: public pages, sign-in, organisation pages, the authority console."""

from registry.api import bp as api_bp
from registry.views.admin import bp as admin_bp
from registry.views.auth import bp as auth_bp
from registry.views.dev import bp as dev_bp
from registry.views.organisation import bp as organisation_bp
from registry.views.public import bp as public_bp

blueprints = [public_bp, auth_bp, organisation_bp, admin_bp, dev_bp, api_bp]
