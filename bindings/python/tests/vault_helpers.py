"""Helpers of the Vault tests: clients of the sandbox's Vault (served under `/PasswordVault/` by
the same in-process sandbox as Identity) and checks of the Vault's error answers."""

from __future__ import annotations

import time
from typing import Any, Callable

import pytest

from cyberark_identity.testing import Sandbox
from cyberark_vault import ApiError, Client
from cyberark_vault._native import Account


def admin(sandbox: Sandbox) -> Client:
    """The Vault administrator (every permission on every seeded safe)."""
    return Client(
        sandbox.vault_url,
        username=sandbox.vault_admin_username,
        password=sandbox.vault_admin_password,
        concurrent_session=True,
    )


def auditor(sandbox: Sandbox) -> Client:
    """The auditor: may list and view, but not retrieve, change or manage."""
    return Client(
        sandbox.vault_url,
        username=sandbox.vault_auditor_username,
        password=sandbox.vault_auditor_password,
        concurrent_session=True,
    )


def expect_vault(call: Callable[[], Any], operation: str, status: int, code: str) -> ApiError:
    """Runs `call`, which must fail with the Vault's `status` and `code` for `operation`."""
    with pytest.raises(ApiError) as info:
        call()
    error = info.value
    assert (error.operation, error.status, error.error_code) == (operation, status, code), str(error)
    assert error.message, "the Vault's ErrorMessage is kept"
    return error


def count(sandbox: Sandbox, operation: str) -> int:
    """How many requests of `operation` the sandbox received."""
    return sum(1 for r in sandbox.requests() if r.operation == operation)


def assert_all_routed(sandbox: Sandbox) -> None:
    """Every request the sandbox received was an operation of a spec."""
    stray = [f"{r.method} {r.path} -> {r.status}" for r in sandbox.requests() if r.operation is None]
    assert not stray, f"requests outside the spec: {stray}"


def settled(client: Client, account_id: str) -> Account:
    """Polls the account until its CPM task finished, and returns it."""
    for _ in range(500):
        account = client.accounts.get(account_id)
        management = account.secret_management
        if management is None or management.status != "inProcess":
            return account
        time.sleep(0.02)
    raise AssertionError(f"the CPM never finished on {account_id}")
