"""The async client: one operation per tag, pagination to the end, context manager."""

from __future__ import annotations

import asyncio

from cyberark_identity import AsyncClient
from cyberark_identity.testing import Sandbox

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"


def test_one_operation_per_tag(sandbox: Sandbox) -> None:
    async def main() -> None:
        async with AsyncClient(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret) as c:
            table = await c.cdirectory_service.get_users()
            assert table.full_count
            uuid = (table.results or [])[0].row.uuid  # type: ignore[union-attr]
            assert uuid
            assert await c.core.get_user_settings(uuid) is not None
            assert (await c.ext_data.get_schema("users")) is not None
            org = await c.org.create("Async Org")
            assert org.id
            await c.user.update_profile(uuid, display_name="Async")
            assert await c.user_mgmt.get_user_info(uuid) is not None
            user = await c.scim.create_user({"schemas": [USER_SCHEMA], "userName": "a.sync@sandbox.example", "password": "Pytest-Passw0rd!"})
            assert user.user_name == "a.sync@sandbox.example"
            token = await c.authentication.platform_token("client_credentials", client_id=sandbox.client_id, client_secret=sandbox.client_secret)
            assert token.access_token
            # Concurrent calls share the runtime.
            infos = await asyncio.gather(*(c.user_mgmt.get_user_info(uuid) for _ in range(5)))
            assert len(infos) == 5

    asyncio.run(main())


def test_async_pagination_to_the_end(sandbox: Sandbox) -> None:
    sandbox.add_users(12)

    async def main() -> tuple[int, int]:
        c = AsyncClient(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret)
        rows = [row async for row in c.cdirectory_service.get_users_iter(page_size=5)]
        table = await c.cdirectory_service.get_users()
        return len(rows), table.full_count or 0

    seen, total = asyncio.run(main())
    assert seen == total > 12
