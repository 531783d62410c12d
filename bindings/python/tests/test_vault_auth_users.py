"""Vault sign-in from Python (CyberArk, LDAP and RADIUS logons, logoff when the client closes,
a platform token, redaction) and the vault users' lifecycle with its failures."""

from __future__ import annotations

import asyncio
import json
import pickle
import urllib.parse
import urllib.request

import pytest
from vault_helpers import admin, assert_all_routed, auditor, count, expect_vault

from cyberark_identity.testing import Sandbox
from cyberark_vault import AuthenticationError, Client, ConfigurationError, IdentityError, InvalidRequestError
from cyberark_vault._native import LogonRequest, ResetPasswordRequest, UserPersonalDetails, VaultUserCreate


def test_every_method_logs_on_and_closing_logs_off(sandbox: Sandbox) -> None:
    for method, username, password in [
        ("CyberArk", sandbox.vault_admin_username, sandbox.vault_admin_password),
        ("ldap", sandbox.vault_ldap_username, sandbox.vault_ldap_password),
    ]:
        with Client(sandbox.vault_url, method=method, username=username, password=password) as vault:
            assert password not in repr(vault)
            vault.safes.list()
    logons = [r.path for r in sandbox.requests() if r.operation == "Auth_Logon"]
    assert logons == ["/PasswordVault/API/Auth/CyberArk/Logon", "/PasswordVault/API/Auth/LDAP/Logon"]
    assert count(sandbox, "Auth_Logoff") == 2, "leaving `with` logs off"
    # After close, calls are refused; closing again does nothing.
    vault = admin(sandbox)
    vault.safes.list()
    vault.close()
    vault.close()
    assert count(sandbox, "Auth_Logoff") == 3
    with pytest.raises(IdentityError, match="closed"):
        vault.safes.list()
    assert_all_routed(sandbox)


def test_async_client_logs_off_on_aclose(sandbox: Sandbox) -> None:
    async def main() -> None:
        from cyberark_vault import AsyncClient

        vault = AsyncClient(sandbox.vault_url, username=sandbox.vault_admin_username, password="x" + "y")
        with pytest.raises(AuthenticationError) as info:
            await vault.safes.list()
        assert "xy" not in str(info.value)
        await vault.aclose()
        good = AsyncClient(
            sandbox.vault_url, username=sandbox.vault_admin_username, password=sandbox.vault_admin_password
        )
        await good.safes.list()
        await good.aclose()

    asyncio.run(main())
    assert count(sandbox, "Auth_Logoff") == 1, "only the session that was opened is ended"


def test_an_exception_leaving_the_block_is_not_replaced_by_the_logoff(sandbox: Sandbox) -> None:
    sandbox.inject("Auth_Logoff", "status", status=500, times=5)
    with pytest.raises(KeyError):
        with admin(sandbox) as vault:
            vault.safes.list()
            raise KeyError("the caller's own error")
    with pytest.raises(IdentityError) as info:
        with admin(sandbox) as vault:
            vault.safes.list()
    assert info.value.operation == "Auth_Logoff"


def test_wrong_credentials_and_bad_keywords(sandbox: Sandbox) -> None:
    with Client(
        sandbox.vault_url, username=sandbox.vault_ldap_username, password=sandbox.vault_ldap_password
    ) as wrong:
        with pytest.raises(AuthenticationError) as info:
            wrong.safes.list()
        assert sandbox.vault_ldap_password not in str(info.value)
        # The version probe needs no sign-in.
        assert wrong.server.get_version().external_version
    with pytest.raises(InvalidRequestError, match="argument `method`"):
        Client(sandbox.vault_url, method="kerberos", username="a", password="b")
    with pytest.raises(ConfigurationError, match="go together"):
        Client(sandbox.vault_url, username="a")
    with pytest.raises(ConfigurationError, match="not both"):
        Client(sandbox.vault_url, username="a", password="b", token="c")
    with pytest.raises(TypeError, match="client_id"):
        Client(sandbox.vault_url, client_id="a", client_secret="b")  # type: ignore[call-arg]


def test_logon_operation_and_platform_token(sandbox: Sandbox) -> None:
    with Client(sandbox.vault_url, token="not-a-session") as by_token:
        # The logon operation itself, as any other call: a bare JSON string, the session token.
        session = by_token.auth.logon(
            "CyberArk",
            LogonRequest(sandbox.vault_admin_username, sandbox.vault_admin_password, concurrent_session=True),
        )
        assert session
        assert sandbox.vault_admin_password not in repr(
            LogonRequest(sandbox.vault_admin_username, sandbox.vault_admin_password)
        )
        # A Privilege Cloud platform token goes as `Authorization: Bearer`; this one is refused.
        with pytest.raises(AuthenticationError):
            by_token.safes.list()
    # A client given a token has no session of its own: closing sends no logoff.
    assert count(sandbox, "Auth_Logoff") == 0
    # The session token from the logon serves a client of its own, and the operation logs off.
    with Client(sandbox.vault_url, username=sandbox.vault_admin_username, password=sandbox.vault_admin_password) as v:
        assert v.auth.logoff().logoff_url == ""
        v.safes.list()
    assert count(sandbox, "Auth_Logon") == 3, "the explicit logon, the client's, then once again"


def test_vault_users_lifecycle_and_permissions(sandbox: Sandbox) -> None:
    with admin(sandbox) as vault:
        users = vault.users
        listed = users.list(search="admin")
        assert listed.total is not None and listed.total >= 1
        create = VaultUserCreate(
            "new.user",
            initial_password="Initial-Passw0rd",
            vault_authorization=["AuditUsers"],
            personal_details=UserPersonalDetails(first_name="New", last_name="User"),
        )
        assert "Initial-Passw0rd" not in repr(create)
        user = users.add(create)
        user_id = user.id
        expect_vault(lambda: users.add(create), "Users_Add", 409, "ITATS013E")
        details = users.get(user_id).personal_details
        assert details is not None and details.first_name == "New"
        assert pickle.loads(pickle.dumps(user)) == user
        updated = users.update(
            user_id,
            {"username": "new.user", "description": "Updated", "personalDetails": {"firstName": "New", "lastName": "User"}},
        )
        assert updated.description == "Updated"
        users.reset_password(user_id, ResetPasswordRequest("Reset-Passw0rd-2", id=user_id))
        expect_vault(
            lambda: users.reset_password(user_id, ResetPasswordRequest("Reset-Passw0rd-2", id=user_id)),
            "Users_ResetPassword",
            400,
            "EPVWF061E",
        )
        with Client(sandbox.vault_url, username="new.user", password="Reset-Passw0rd-2") as new_user:
            new_user.safes.list()
        for _ in range(5):
            with Client(sandbox.vault_url, username="new.user", password="wrong") as wrong:
                with pytest.raises(IdentityError):
                    wrong.safes.list()
        assert users.get(user_id).suspended is True
        users.activate(user_id)
        assert users.get(user_id).suspended is False
        with auditor(sandbox) as watcher:
            expect_vault(lambda: watcher.users.delete(user_id), "Users_Delete", 403, "PASWS041E")
        users.delete(user_id)
        expect_vault(lambda: users.get(user_id), "Users_Get", 404, "SBXVA404E")
    assert_all_routed(sandbox)


def test_a_platform_token_serves_the_vault_as_bearer(sandbox: Sandbox) -> None:
    """Privilege Cloud: the Identity platform token is the Vault's credential, sent as Bearer,
    with no Vault logon and nothing to log off."""
    form = urllib.parse.urlencode(
        {"grant_type": "client_credentials", "client_id": sandbox.client_id, "client_secret": sandbox.client_secret}
    ).encode()
    with urllib.request.urlopen(f"{sandbox.url}/oauth2/platformtoken", data=form, timeout=30) as answer:
        token = json.load(answer)["access_token"]
    with Client(sandbox.vault_url, token=token) as vault:
        assert token not in repr(vault)
        listed = vault.safes.list()
        assert listed.count is not None and listed.count >= 4
    assert count(sandbox, "Auth_Logon") == 0 and count(sandbox, "Auth_Logoff") == 0
    # The sandbox's log redacts the header itself; that the Vault took the token shows in the
    # status of every call.
    statuses = [r.status for r in sandbox.requests() if r.operation == "Safes_List"]
    assert statuses == [200], statuses
