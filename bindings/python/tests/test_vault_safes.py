"""Vault safes, safe members (names with dots and `@`) and platforms from Python, with the
failures of each area (unknown id, missing permission, conflicting add)."""

from __future__ import annotations

import asyncio

from vault_helpers import admin, assert_all_routed, auditor, expect_vault

from cyberark_identity.testing import Sandbox
from cyberark_vault import AsyncClient
from cyberark_vault._native import (
    AccountCreate,
    SafeCreate,
    SafeMemberCreate,
    SafeMemberPermissions,
    SafeMemberUpdate,
    SafeUpdate,
)


def test_safes_and_members_with_dotted_names(sandbox: Sandbox) -> None:
    with admin(sandbox) as vault:
        safes = vault.safes
        page = safes.list(limit=2)
        assert len(page.value) == 2 and page.next_link is not None
        before = list(safes.list_iter(page_size=2))
        assert len(before) == page.count

        create = SafeCreate(
            "Team-Safe", description="A team", number_of_days_retention=7, managing_cpm="PasswordManager"
        )
        safe = safes.add(create)
        assert safe.safe_url_id == "Team-Safe"
        expect_vault(lambda: safes.add(create), "Safes_Add", 409, "SFWS0002E")
        got = safes.get("Team-Safe", include_accounts=True)
        assert got.accounts == []
        updated = safes.update(
            "Team-Safe", SafeUpdate("Team-Safe", description="Changed", number_of_versions_retention=5)
        )
        assert (updated.description, updated.number_of_versions_retention) == ("Changed", 5)
        allowed = safes.list_for_platform("UnixSSH")
        assert any(s.safe_name == "Team-Safe" for s in allowed.value)
        assert len(list(safes.list_iter())) == len(before) + 1

        members = vault.safe_members
        name = "john.doe@example.com"
        member = SafeMemberCreate(
            name,
            member_type="User",
            search_in="Vault",
            permissions=SafeMemberPermissions(list_accounts=True, use_accounts=True),
        )
        added = members.add("Team-Safe", member)
        assert added.member_name == name
        expect_vault(lambda: members.add("Team-Safe", member), "SafeMembers_Add", 409, "SFWS0012E")
        permissions = members.get("Team-Safe", name).permissions
        assert permissions is not None and permissions.list_accounts is True
        listed = members.list("Team-Safe", filter="memberType eq user")
        assert listed.count == 1
        assert any(m.member_name == name for m in members.list_iter("Team-Safe", page_size=1))
        changed = members.update(
            "Team-Safe",
            name,
            SafeMemberUpdate(permissions={"listAccounts": True, "retrieveAccounts": True}),
        )
        assert changed.permissions is not None and changed.permissions.retrieve_accounts is True
        members.delete("Team-Safe", name)
        expect_vault(lambda: members.get("Team-Safe", name), "SafeMembers_Get", 404, "SBXVA404E")

        with auditor(sandbox) as watcher:
            watcher.safe_members.list("Linux-Root")
            expect_vault(
                lambda: watcher.safe_members.add(
                    "Linux-Root", SafeMemberCreate("someone", permissions=SafeMemberPermissions(manage_safe=True))
                ),
                "SafeMembers_Add",
                403,
                "PASWS041E",
            )
            expect_vault(lambda: watcher.safes.add(SafeCreate("Mine")), "Safes_Add", 403, "PASWS041E")

        safes.delete("Team-Safe")
        expect_vault(lambda: safes.get("Team-Safe"), "Safes_Get", 404, "SBXVA404E")
    assert_all_routed(sandbox)


def test_safes_async_iterator_and_calls(sandbox: Sandbox) -> None:
    async def main() -> tuple[int, list[str]]:
        async with AsyncClient(
            sandbox.vault_url,
            username=sandbox.vault_admin_username,
            password=sandbox.vault_admin_password,
        ) as vault:
            page = await vault.safes.list(limit=1)
            names = [safe.safe_name async for safe in vault.safes.list_iter(page_size=1)]
            assert page.count is not None
            return page.count, names

    total, names = asyncio.run(main())
    assert len(names) == total and len(set(names)) == total


def test_platforms_list_details_and_kinds(sandbox: Sandbox) -> None:
    with admin(sandbox) as vault:
        platforms = vault.platforms
        listed = platforms.list(active=True)
        assert listed.total is not None and listed.total >= 4
        details = platforms.get("WinDomain").details
        assert details is not None and details["PolicyID"] == "WinDomain"
        expect_vault(lambda: platforms.get("NoSuchPlatform"), "Platforms_Get", 404, "SBXVA404E")
        assert any(p.platform_id == "UnixSSH" for p in platforms.list_targets().platforms)
        assert any(p.platform_id == "WinServiceDependent" for p in platforms.list_dependents().platforms)
        assert any(p.platform_id == "SharedAdminGroup" for p in platforms.list_groups().platforms)
        assert any(p.platform_id == "DualAccountRotation" for p in platforms.list_rotational_groups().platforms)
        # A group platform cannot hold an account.
        expect_vault(
            lambda: vault.accounts.add(AccountCreate("SharedAdminGroup", "Linux-Root", user_name="x", address="y")),
            "Accounts_Add",
            400,
            "PASWS167E",
        )
    assert_all_routed(sandbox)
