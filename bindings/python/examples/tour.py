"""A tour of the CyberArk Identity client for Python, the same as the Rust example.

Runs against a tenant when CYBERARK_TENANT, CYBERARK_CLIENT_ID and CYBERARK_CLIENT_SECRET are
set (an OAuth2 confidential client with administrator rights), or else against the sandbox tenant
started in-process:

    python examples/tour.py
"""

from __future__ import annotations

import csv
import os
import sys
import tempfile
from contextlib import ExitStack
from typing import Any, Optional

from cyberark_identity import Client, IdentityError
from cyberark_identity.testing import Sandbox

ATTRIBUTE = "CostCenter"


def connect(stack: ExitStack) -> tuple[str, Client]:
    """A client from the environment, or one of a sandbox started for the tour."""
    tenant = os.environ.get("CYBERARK_TENANT")
    if tenant:
        client_id = os.environ["CYBERARK_CLIENT_ID"]
        client_secret = os.environ["CYBERARK_CLIENT_SECRET"]
    else:
        sandbox = stack.enter_context(Sandbox(seed="demo"))
        print(f"CYBERARK_TENANT is not set: started the sandbox tenant at {sandbox.url}")
        tenant, client_id, client_secret = sandbox.url, sandbox.client_id, sandbox.client_secret
    client = stack.enter_context(Client(tenant, client_id=client_id, client_secret=client_secret))
    return tenant, client


def risk_level(answer: Any) -> Optional[str]:
    """The level in a GetUserRiskLevel answer, which is a bare string or an object."""
    if isinstance(answer, str):
        return answer
    if isinstance(answer, dict):
        for key in ("RiskLevel", "Level"):
            value = answer.get(key)
            if isinstance(value, str):
                return value
    return None


def ensure_attribute(client: Client) -> None:
    """Adds the tour's extensible attribute to the users schema unless it is there."""
    schema = client.ext_data.get_schema("users")
    existing = schema.columns or []
    if any(column.name == ATTRIBUTE for column in existing):
        return
    columns: dict[str, Any] = {}
    for column in existing:
        if column.name is None or column.type is None:
            continue
        columns[column.name] = {
            "Type": column.type,
            "Title": column.title,
            "Description": column.description,
            "UserEditable": column.user_editable,
        }
    columns[ATTRIBUTE] = {
        "Type": "Text",
        "Title": "Cost center",
        "Description": "Finance cost center",
        "UserEditable": False,
    }
    client.ext_data.update_schema("users", columns)


def export_csv(client: Client, path: str) -> int:
    """Writes every user to a CSV file, page by page; returns the number of rows."""
    rows = 0
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Uuid", "Name", "DisplayName", "Mail"])
        for item in client.cdirectory_service.get_users_iter():
            user = item.row
            if user is None:
                continue
            writer.writerow([user.uuid or "", user.name or "", user.display_name or "", user.mail or ""])
            rows += 1
    return rows


def main() -> int:
    with ExitStack() as stack:
        tenant, client = connect(stack)
        print(f"1. logged in to {tenant} with OAuth2 client credentials")

        users = [item.row for item in client.cdirectory_service.get_users_iter() if item.row is not None]
        print(f"   the directory has {len(users)} users")
        ids = [(u.uuid, u.name) for u in users if u.uuid is not None and u.name is not None]
        if not ids:
            print("the tenant has no users to work with", file=sys.stderr)
            return 1
        first_id, first_name = ids[0]

        org = client.org.create("Tour Engineering", description="Created by the tour")
        if org.id is None:
            print("Org/Create answered without an ID", file=sys.stderr)
            return 1
        members = [{"ID": uuid, "Type": "User"} for uuid, _ in ids[:3]]
        client.org.change_member_ship(org.id, add=members)
        print(f"2. created organization {org.id} and added {len(members)} members")

        invited = [{"Type": "User", "Guid": uuid, "Name": name} for uuid, name in ids[:2]]
        client.user_mgmt.invite_users(invited, True)
        print(f"3. invited {len(invited)} users by email")

        user = client.cdirectory_service.get_user_by_name(username=first_name)
        print(f"4. looked up {first_name}: display name {user.display_name or '-'!r}, state {user.state or '-'!r}")

        ensure_attribute(client)
        client.ext_data.set_columns("users", first_id, {ATTRIBUTE: "CC-1042"})
        print(f"5. set the extensible attribute {ATTRIBUTE} of {first_name}")

        locked = 0
        for uuid, name in ids:
            level = risk_level(client.user_mgmt.get_user_risk_level(uuid))
            if level is not None and level.lower() == "high":
                client.user_mgmt.set_cloud_lock(uuid, True)
                print(f"   cloud-locked {name} (risk high)")
                locked += 1
        print(f"6. checked {len(ids)} users' risk levels and cloud-locked {locked}")

        client.cdirectory_service.exempt_user_from_mfa(first_id, timespan=10)
        print(f"7. exempted {first_name} from MFA for 10 minutes")

        path = os.path.join(tempfile.gettempdir(), "cyberark-identity-tour-users.csv")
        rows = export_csv(client, path)
        print(f"8. exported {rows} users to {path}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except IdentityError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
