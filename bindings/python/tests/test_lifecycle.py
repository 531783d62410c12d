"""User lifecycle, directory lookups and Redrock queries with bound values, from Python."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from cyberark_identity import (
    AsyncClient,
    AuthenticationError,
    Client,
    InvalidRequestError,
    Query,
    errors,
)
from cyberark_identity.testing import Sandbox

HOSTILE_NAME = "o'brien'; DELETE FROM User; -- \\ \" /* ?@sandbox.example"


def rows(table: Any) -> list[dict[str, Any]]:
    return [r.row or {} for r in table.results or []]


def test_create_reset_password_and_delete(client: Client, sandbox: Sandbox) -> None:
    aliases = client.core.get_cds_aliases_for_tenant()
    suffix = (aliases.results or [])[0].entities[0].key  # type: ignore[index]
    assert suffix == "sandbox.example"
    name = f"py_user@{suffix}"
    uuid = client.cdirectory_service.create_user(name, display_name="Py User", password="First-Passw0rd!")
    assert client.cdirectory_service.get_user(uuid).name == name
    with pytest.raises(errors.ApiError) as duplicate:
        client.cdirectory_service.create_user(name.upper())
    assert "already in use" in str(duplicate.value)

    def signs_in(password: str) -> bool:
        try:
            with Client(sandbox.url, username=name, password=password) as user:
                user.core.get_cds_aliases_for_tenant()
            return True
        except AuthenticationError:
            return False

    assert signs_in("First-Passw0rd!")
    client.user_mgmt.reset_user_password(uuid, "Second-Passw0rd!")
    assert not signs_in("First-Passw0rd!")
    assert signs_in("Second-Passw0rd!")

    client.cdirectory_service.delete_user(name)
    with pytest.raises(errors.ApiError):
        client.cdirectory_service.get_user(uuid)


def test_delete_users_and_directory_services(client: Client) -> None:
    a = client.cdirectory_service.create_user("a.py@sandbox.example")
    b = client.cdirectory_service.create_user("b.py@sandbox.example")
    with pytest.raises(errors.ApiError):
        client.cdirectory_service.delete_users([a, "nobody@sandbox.example"])
    assert client.cdirectory_service.get_user(a).uuid == a
    client.cdirectory_service.delete_users([a, "b.py@sandbox.example"])
    for gone in (a, b):
        with pytest.raises(errors.ApiError):
            client.cdirectory_service.get_user(gone)

    by_get = client.core.get_directory_services()
    by_post = client.core.get_directory_services_post()
    services = [(r.row.service, r.row.directory_service_uuid) for r in by_get.results or [] if r.row]
    assert [s for s, _ in services] == ["CDS", "FDS", "AdProxy"]
    assert services == [(r.row.service, r.row.directory_service_uuid) for r in by_post.results or [] if r.row]


def test_query_binds_hostile_values_as_data(client: Client) -> None:
    uuid = client.cdirectory_service.create_user(HOSTILE_NAME)
    query = Query("SELECT ID, Username FROM User WHERE Username = ?", HOSTILE_NAME)
    found = rows(client.redrock.query(query.script()))
    assert found == [{"ID": uuid, "Username": HOSTILE_NAME}]
    for injection in ["x' OR '1'='1", "x' OR ID IS NOT NULL --", "'; SELECT * FROM Proxy; --", "\\' OR 1=1 --"]:
        script = Query("SELECT ID FROM User WHERE Username = ?").bind(injection).script()
        assert rows(client.redrock.query(script)) == [], injection
    # Pasted as the official SDKs do, the same value changes the query.
    pasted = client.redrock.query("SELECT ID FROM User WHERE Username = 'x' OR ID IS NOT NULL --'")
    assert len(rows(pasted)) > 1


def test_query_values_and_mistakes() -> None:
    assert Query("? ? ? ?", 7, True, None, "it's").script() == "7 TRUE NULL 'it''s'"
    assert Query("SELECT '?' FROM User WHERE a = ?").bind("x").script() == "SELECT '?' FROM User WHERE a = 'x'"
    for query, says in [
        (Query("SELECT ?"), "1 placeholder(s)"),
        (Query("SELECT 1", "extra"), "but 1 value(s)"),
        (Query("WHERE a = ?", "nul\0"), "NUL"),
        (Query("WHERE a = ?", 1.5), "float"),  # type: ignore[arg-type]
        (Query("WHERE a = ?", "\ud800"), "bound value 1"),
        (Query("WHERE a = ?", 2**70), "64-bit"),
    ]:
        with pytest.raises(InvalidRequestError) as refused:
            query.script()
        assert says in str(refused.value), (query, refused.value)
        assert isinstance(refused.value, ValueError)
    shown = repr(Query("WHERE Username = ?", "private.person@example.com"))
    assert "private.person" not in shown and "1 bound value" in shown


def test_query_from_the_async_client(aclient: AsyncClient) -> None:
    async def main() -> list[dict[str, Any]]:
        async with aclient:
            script = Query("SELECT Name FROM Role WHERE Name LIKE ?", "System%").script()
            return rows(await aclient.redrock.query(script))

    assert asyncio.run(main()) == [{"Name": "System Administrator"}]


def test_query_iter_reads_every_connector(client: Client) -> None:
    connectors = [r.row for r in client.redrock.query_iter("Select * from Proxy", page_size=1)]
    assert len(connectors) == 1 and connectors[0] is not None
    assert {"ID", "Name", "MachineName", "DnsHostName", "Forest", "Online", "Version"} <= connectors[0].keys()
