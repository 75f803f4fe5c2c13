"""The needs address as a buyer types it: "/procurement/needs/" is the buyer's My needs list,
before and after signing in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from registry.models import User
from tests.support import PASSWORD


def _heading(page: str) -> str:
    return page.split("<h1>", 1)[1].split("</h1>", 1)[0]


def test_a_signed_in_buyer_at_the_needs_address_with_a_slash_sees_my_needs(
    client: FlaskClient, create_user: Callable[..., User], login: Any
) -> None:
    login(client, create_user(kind="buyer"))
    response = client.get("/procurement/needs/", follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == "/procurement/needs"
    assert _heading(response.get_data(as_text=True)) == "My needs"


def test_a_buyer_not_signed_in_signs_in_and_arrives_at_my_needs(
    client: FlaskClient, create_user: Callable[..., User]
) -> None:
    buyer = create_user(kind="buyer")
    response = client.get("/procurement/needs/", follow_redirects=True)
    assert response.request.path == "/login"
    assert response.request.args["next"] == "/procurement/needs"
    signed_in = client.post(
        "/login?next=/procurement/needs",
        data={"email": buyer.email, "password": PASSWORD},
        follow_redirects=True,
    )
    assert signed_in.request.path == "/procurement/needs"
    assert _heading(signed_in.get_data(as_text=True)) == "My needs"
