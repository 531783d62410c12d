"""A tour of the CyberArk Vault client for Python, the same jobs as the Rust Vault tour.

Runs against the sandbox's Vault, started in-process, unless CYBERARK_PVWA_URL is set. To run it
against a real PVWA (PAM Self-Hosted), set CYBERARK_PVWA_URL (e.g.
``https://pvwa.example.com/PasswordVault``), CYBERARK_VAULT_USERNAME, CYBERARK_VAULT_PASSWORD and
optionally CYBERARK_VAULT_METHOD (``CyberArk``, the default, ``LDAP`` or ``RADIUS``), plus
CYBERARK_TOUR_SAFE and CYBERARK_TOUR_PLATFORM (a safe the user may manage and a platform allowed
in it). On Privilege Cloud, give the Identity platform token instead of a user name and password:
``Client(url, token=...)``. The tour changes the Vault: it onboards an account, adds a safe
member, rotates the password and deletes the account again; it terminates a live session only on
the sandbox or when CYBERARK_TOUR_TERMINATE=1.

    python examples/vault_tour.py
"""

from __future__ import annotations

import csv
import os
import sys
import tempfile
import time
from contextlib import ExitStack

from cyberark_identity.testing import Sandbox
from cyberark_vault import ApiError, Client, IdentityError
from cyberark_vault._native import AccountCreate, RetrieveRequest, SafeMemberCreate, SafeMemberPermissions

MEMBER = "tour.auditor@example.com"


def connect(stack: ExitStack) -> tuple[Client, str, str, bool]:
    """A client from the environment, or of a sandbox started for the tour; the safe, the
    platform, and whether terminating a live session is allowed."""
    url = os.environ.get("CYBERARK_PVWA_URL")
    if url:
        client = Client(
            url,
            method=os.environ.get("CYBERARK_VAULT_METHOD", "CyberArk"),
            username=os.environ["CYBERARK_VAULT_USERNAME"],
            password=os.environ["CYBERARK_VAULT_PASSWORD"],
        )
        safe = os.environ["CYBERARK_TOUR_SAFE"]
        platform = os.environ["CYBERARK_TOUR_PLATFORM"]
        terminate = os.environ.get("CYBERARK_TOUR_TERMINATE") == "1"
    else:
        sandbox = stack.enter_context(Sandbox(seed="demo"))
        print(f"CYBERARK_PVWA_URL is not set: started the sandbox's Vault at {sandbox.vault_url}")
        client = Client(
            sandbox.vault_url, username=sandbox.vault_admin_username, password=sandbox.vault_admin_password
        )
        safe, platform, terminate = "Linux-Root", "UnixSSH", True
    # Leaving the stack logs the session off.
    return stack.enter_context(client), safe, platform, terminate


def wait_for_cpm(vault: Client, account_id: str) -> str:
    """Polls the account until the CPM finished its task; answers its final status."""
    for _ in range(600):
        management = vault.accounts.get(account_id).secret_management
        status = management.status if management is not None else None
        if status != "inProcess":
            return status or "unknown"
        time.sleep(0.1)
    raise TimeoutError(f"the CPM did not finish on {account_id}")


def main() -> int:
    with ExitStack() as stack:
        vault, safe, platform, terminate = connect(stack)
        print(f"Vault {vault.server.get_version().external_version}")

        # Onboard an account into the safe on the platform.
        account = vault.accounts.add(
            AccountCreate(
                platform,
                safe,
                address="tour.sandbox.example",
                user_name="tour-deploy",
                secret="Tour-Initial-Passw0rd",
                secret_management={"automaticManagementEnabled": True},
            )
        )
        print(f"onboarded {account.name or account.id} into {safe} on {platform}")
        try:
            # Grant a member (a name with a dot and an @) the right to list and use accounts.
            vault.safe_members.add(
                safe,
                SafeMemberCreate(
                    MEMBER, member_type="User", permissions=SafeMemberPermissions(list_accounts=True, use_accounts=True)
                ),
            )
            print(f"granted {MEMBER} on {safe}")

            # Retrieve the password with a reason, rotate it, wait for the CPM, retrieve again.
            reason = RetrieveRequest(reason="vault tour: verify onboarding")
            before = vault.accounts.retrieve_password(account.id, body=reason)
            vault.accounts.change(account.id)
            print(f"rotation finished: {wait_for_cpm(vault, account.id)}")
            after = vault.accounts.retrieve_password(account.id, body=reason)
            print(f"the password changed: {before != after}")

            # Live sessions: terminate the riskiest.
            sessions = sorted(vault.live_sessions.list_iter(), key=lambda s: -(s.risk_score or 0.0))
            print(f"{len(sessions)} live session(s)")
            if sessions and terminate and sessions[0].session_guid:
                vault.live_sessions.terminate(sessions[0].session_guid)
                print(f"terminated {sessions[0].session_id} (risk {sessions[0].risk_score})")

            out = stack.enter_context(tempfile.TemporaryDirectory())
            # Download a recording for an audit, streamed to a file in chunks.
            recording = next(iter(vault.recordings.list_iter()), None)
            if recording is not None:
                path = os.path.join(out, f"{recording.session_id}.rec")
                size = vault.recordings.play(recording.session_id, to=path)
                print(f"downloaded recording {recording.session_id}: {size} bytes")

            # Export the account inventory to CSV, page by page.
            inventory = os.path.join(out, "accounts.csv")
            with open(inventory, "w", newline="") as file:
                writer = csv.writer(file)
                writer.writerow(["id", "safe", "platform", "address", "user", "status"])
                rows = 0
                for item in vault.accounts.list_iter():
                    status = item.secret_management.status if item.secret_management else None
                    writer.writerow([item.id, item.safe_name, item.platform_id, item.address, item.user_name, status])
                    rows += 1
            print(f"exported {rows} accounts to CSV")
        finally:
            try:
                vault.safe_members.delete(safe, MEMBER)
            except ApiError:
                pass  # Not granted: the tour failed before.
            vault.accounts.delete(account.id)
            print("removed the tour's account and member")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except IdentityError as error:
        print(f"the tour failed: {error}", file=sys.stderr)
        sys.exit(1)
