"""Result objects: attributes, to_dict(), equality, unknown fields and a repr that hides secrets."""

from __future__ import annotations

import logging

import pytest

from cyberark_identity import Client, InvalidRequestError
from cyberark_identity._native import OAuthTokenResponse, OrgMember
from cyberark_identity.testing import Sandbox


def test_to_dict_equality_and_extra(client: Client) -> None:
    table = client.cdirectory_service.get_users()
    again = client.cdirectory_service.get_users()
    assert table == again
    data = table.to_dict()
    assert data["FullCount"] == table.full_count
    member = OrgMember({"ID": "x"}["ID"], "User")
    assert member.to_dict() == {"ID": "x", "Type": "User"}
    assert member == OrgMember("x", "User")
    assert member != OrgMember("y", "User")
    assert member.extra == {}


def test_repr_hides_secrets(sandbox: Sandbox) -> None:
    token = Client(sandbox.url).authentication.platform_token("client_credentials", client_id=sandbox.client_id, client_secret=sandbox.client_secret)
    assert token.access_token and token.access_token not in repr(token)
    assert "access_token=***" in repr(token)
    built = OAuthTokenResponse("secret-value", "Bearer")
    assert "secret-value" not in repr(built)


def test_bad_arguments_raise_invalid_request(client: Client) -> None:
    with pytest.raises(InvalidRequestError) as info:
        client.org.create(42)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError)
    with pytest.raises(InvalidRequestError):
        client.org.change_member_ship("x", add="not a list")  # type: ignore[arg-type]


def test_logging_receives_records(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="cyberark_identity"):
        client.cdirectory_service.get_users()
    assert any(r.name == "cyberark_identity" for r in caplog.records)
    assert not any("Sandbox-Client-Secret" in r.getMessage() for r in caplog.records)
