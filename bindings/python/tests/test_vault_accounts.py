"""Vault accounts from Python: `nextLink` paging, the lifecycle with the CPM, secrets, JSON
Patch, links, and the failures of the area (unknown id, missing permission, conflicting add)."""

from __future__ import annotations

import asyncio
from vault_helpers import admin, assert_all_routed, auditor, count, expect_vault, settled

from cyberark_identity import errors as identity_errors
from cyberark_identity.testing import Sandbox
from cyberark_vault import ApiError, AsyncClient
from cyberark_vault._native import (
    AccountCreate,
    AccountPatchOperation,
    ChangeRequest,
    LinkAccountRequest,
    RetrieveRequest,
    SetNextPasswordRequest,
    UpdatePasswordRequest,
)


def test_accounts_page_through_next_link_and_search(sandbox: Sandbox) -> None:
    with admin(sandbox) as vault:
        first = vault.accounts.list(limit=7)
        total = first.count
        assert total is not None and total >= 50, "the demo data has 50+ accounts"
        assert len(first.value) == 7
        assert first.next_link is not None and "offset=7" in first.next_link
        sandbox.clear_requests()
        ids = [account.id for account in vault.accounts.list_iter(page_size=7)]
        assert len(ids) == total and len(set(ids)) == total, "every account once"
        assert count(sandbox, "Accounts_List") == -(-total // 7), "one request a page"
        found = vault.accounts.list(search="linux07", search_type="contains")
        assert found.count == 1
        databases = list(vault.accounts.list_iter(filter="safeName eq Databases", sort="userName desc", page_size=3))
        assert len(databases) == 10
        assert all(a.safe_name == "Databases" for a in databases)
        # A page size past the Vault's maximum is its PASWS167E, naming the parameter.
        error = expect_vault(lambda: vault.accounts.list(limit=0), "Accounts_List", 400, "PASWS167E")
        assert error.details and error.details[0]["parameter_name"] == "limit", error.details
    assert_all_routed(sandbox)


def test_accounts_async_iterator_follows_next_link(sandbox: Sandbox) -> None:
    async def main() -> list[str]:
        async with AsyncClient(
            sandbox.vault_url,
            username=sandbox.vault_admin_username,
            password=sandbox.vault_admin_password,
        ) as vault:
            first = await vault.accounts.list(limit=5)
            assert first.count is not None
            ids = [account.id async for account in vault.accounts.list_iter(page_size=5)]
            assert len(ids) == first.count
            return ids

    ids = asyncio.run(main())
    assert len(set(ids)) == len(ids)
    # Leaving `async with` logged the session off.
    assert count(sandbox, "Auth_Logoff") == 1


def test_account_lifecycle_with_the_cpm_secrets_and_permissions(sandbox: Sandbox) -> None:
    vault = admin(sandbox)
    accounts = vault.accounts
    create = AccountCreate(
        "UnixSSH",
        "Linux-Root",
        address="new.sandbox.example",
        user_name="deploy",
        secret="Initial-Passw0rd",
        platform_account_properties={"Port": "22"},
        secret_management={"automaticManagementEnabled": True},
    )
    assert "Initial-Passw0rd" not in repr(create), "the secret is redacted"
    account = accounts.add(create)
    account_id = account.id
    assert account.user_name == "deploy"
    # The same account again conflicts.
    expect_vault(lambda: accounts.add(create), "Accounts_Add", 409, "PASWS150E")
    assert accounts.get(account_id).address == "new.sandbox.example"
    expect_vault(lambda: accounts.get("999_999"), "Accounts_Get", 404, "PASWS039E")

    # A JSON Patch, as typed operations or as dicts.
    patched = accounts.update(
        account_id,
        [
            AccountPatchOperation("replace", "/address", value="moved.sandbox.example"),
            {"op": "add", "path": "/platformAccountProperties/Location", "value": "DC2"},
        ],
    )
    assert patched.address == "moved.sandbox.example"
    assert patched.platform_account_properties is not None
    assert patched.platform_account_properties["Location"] == "DC2"

    reason = RetrieveRequest(reason="e2e test")
    assert accounts.retrieve_password(account_id, body=reason) == "Initial-Passw0rd"
    assert accounts.retrieve_secret(account_id) == "Initial-Passw0rd"

    # The next password, then change now and watch the CPM finish.
    accounts.set_next_password(account_id, SetNextPasswordRequest("Next-Passw0rd-1", change_immediately=False))
    expect_vault(
        lambda: accounts.set_next_password(account_id, SetNextPasswordRequest("short")),
        "Accounts_SetNextPassword",
        400,
        "EPVWF061E",
    )
    accounts.change(account_id, body=ChangeRequest(change_entire_group=False))
    during = accounts.get(account_id).secret_management
    assert during is not None and during.status == "inProcess"
    expect_vault(lambda: accounts.verify(account_id), "Accounts_Verify", 409, "SBXVA409E")
    after = settled(vault, account_id).secret_management
    assert after is not None and after.status == "success"
    assert accounts.retrieve_password(account_id, body=reason) == "Next-Passw0rd-1"
    accounts.verify(account_id)
    settled(vault, account_id)
    accounts.reconcile(account_id)
    settled(vault, account_id)
    assert accounts.retrieve_password(account_id, body=reason) != "Next-Passw0rd-1", "reconciled"
    accounts.update_password(account_id, UpdatePasswordRequest("Vault-Only-Passw0rd"))
    assert accounts.retrieve_password(account_id, body=reason) == "Vault-Only-Passw0rd"
    generated = accounts.generate_password(account_id)
    assert len(generated.password) >= 12
    assert generated.password not in repr(generated), "a generated password is a secret"
    versions = accounts.list_secret_versions(account_id, show_temporary=True)
    assert versions.total == 4 and len(versions.versions) == 4
    assert accounts.retrieve_password(account_id, body={"reason": "audit", "Version": 1}) == "Initial-Passw0rd"
    activities = accounts.list_activities(account_id)
    assert any(a.action == "CPM Change Password" for a in activities.activities)

    # Link a logon account at index 3, then unlink it.
    accounts.link(
        account_id,
        LinkAccountRequest("Linux-Root", 3, "Operating System-UnixSSH-linux01.sandbox.example-root", folder="Root"),
    )
    linked = accounts.get(account_id).linked_accounts
    assert linked is not None and linked[1].account_id is not None, linked
    accounts.unlink(account_id, 3)
    unlinked = accounts.get(account_id).linked_accounts
    assert unlinked is not None and unlinked[1].account_id is None, unlinked

    # The auditor may read the account but gets the Vault's 403, not a password.
    with auditor(sandbox) as watcher:
        watcher.accounts.get(account_id)
        error = expect_vault(
            lambda: watcher.accounts.retrieve_password(account_id, body=reason),
            "Accounts_RetrievePassword",
            403,
            "PASWS041E",
        )
        assert isinstance(error, identity_errors.ApiError), "one hierarchy for both APIs"
        expect_vault(lambda: watcher.accounts.change(account_id), "Accounts_Change", 403, "PASWS041E")
        expect_vault(lambda: watcher.accounts.delete(account_id), "Accounts_Delete", 403, "PASWS041E")
    refused = [r for r in sandbox.requests() if r.operation == "Accounts_RetrievePassword" and r.status == 403]
    assert len(refused) == 1, "a retrieval is never resent"

    accounts.delete(account_id)
    expect_vault(lambda: accounts.get(account_id), "Accounts_Get", 404, "PASWS039E")
    vault.close()
    assert_all_routed(sandbox)


def test_a_failed_cpm_change_shows_in_secret_management(sandbox: Sandbox) -> None:
    with admin(sandbox) as vault:
        unreachable = vault.accounts.list(search="unreachable").value[0]
        vault.accounts.change(unreachable.id)
        management = settled(vault, unreachable.id).secret_management
        assert management is not None and management.status == "failure"


def test_vault_errors_are_the_identity_classes() -> None:
    import cyberark_vault

    assert cyberark_vault.ApiError is identity_errors.ApiError
    assert cyberark_vault.errors.IdentityError is identity_errors.IdentityError
    assert issubclass(ApiError, identity_errors.IdentityError)


def test_the_exception_lists_of_both_packages_agree() -> None:
    """The packages spell their `__all__` lists out, because mypy reads only literal lists (a
    shared `__all__ += errors.__all__` would hide the exceptions from `from cyberark_vault
    import *` under mypy); this keeps the copies from drifting."""
    import cyberark_identity
    import cyberark_vault

    shared = identity_errors.__all__
    assert cyberark_vault.errors.__all__ == shared
    for package in (cyberark_identity, cyberark_vault):
        assert [name for name in package.__all__ if name in shared] == shared
        for name in shared:
            assert getattr(package, name) is getattr(identity_errors, name)
