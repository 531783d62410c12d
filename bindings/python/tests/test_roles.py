"""Role Management (`cyberark_identity.roles`, generated from CyberArk's published definition
with overlays) from Python against the sandbox: the same sign-in as the Identity client, state
checked through the API, failures as the shared exception classes."""

from __future__ import annotations

import asyncio

import pytest

from cyberark_identity import Client as IdentityClient
from cyberark_identity import errors
from cyberark_identity.roles import AsyncClient, Client
from cyberark_identity.testing import Sandbox


def two_users(sandbox: Sandbox) -> list[str]:
    with IdentityClient(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret) as c:
        names = [item.row.name for item in c.cdirectory_service.get_users_iter() if item.row and item.row.name]
    ordinary = [n for n in names if n not in (sandbox.admin_username, sandbox.mfa_username)]
    assert len(ordinary) >= 2, names
    return ordinary[:2]


def test_store_get_members_update_and_delete(sandbox: Sandbox) -> None:
    first, second = two_users(sandbox)
    with Client(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret) as client:
        key = client.roles.store_role("Py Auditors", description="Read-only", users=[first])
        role_id = key.row_key
        assert role_id
        role = client.roles.get_role(role_id)
        assert role.name == "Py Auditors"
        assert role.description == "Read-only"
        assert role.principals and len(role.principals) == 1

        client.roles.add_users_and_groups_to_role(role_id, users=[second])
        members = client.roles.get_role_members(role_id)
        assert members.full_count == 2 or len(members.results or []) == 2

        client.roles.remove_users_and_groups_from_role(role_id, users=[first])
        members = client.roles.get_role_members(role_id)
        assert len(members.results or []) == 1

        client.roles.update_role(role_id, new_name="Py Auditors EMEA", description="Renamed")
        assert client.roles.get_role(role_id).name == "Py Auditors EMEA"

        client.roles.delete_roles([role_id])
        with pytest.raises(errors.ApiError) as gone:
            client.roles.get_role(role_id)
        assert gone.value.operation == "Roles_GetRole"


def test_the_async_client_and_a_refused_sign_in(sandbox: Sandbox) -> None:
    async def main() -> str | None:
        async with AsyncClient(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret) as client:
            key = await client.roles.store_role("Py Async Role")
            role = await client.roles.get_role(key.row_key or "")
            return role.name

    assert asyncio.run(main()) == "Py Async Role"
    with Client(sandbox.url, client_id=sandbox.client_id, client_secret="wrong") as client:
        with pytest.raises(errors.AuthenticationError):
            client.roles.get_role("anything")
