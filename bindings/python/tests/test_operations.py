"""Every operation of the spec, called once through the sync `Client` against the sandbox."""

from __future__ import annotations

import json

from cyberark_identity import Client
from cyberark_identity.testing import Sandbox
from conftest import user_ids

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"


def test_cdirectory_service(client: Client, sandbox: Sandbox) -> None:
    cds = client.cdirectory_service
    ids = user_ids(client)
    assert len(ids) > 3
    uuid, name = ids[1]
    user = cds.get_user(uuid)
    assert user.uuid == uuid or user.name == name
    assert cds.get_user_by_name(username=name).name == name
    table = cds.get_users()
    assert table.full_count == len(ids)
    assert cds.get_user_attributes() is not None
    assert cds.get_tech_support_user() is not None
    cds.change_user(uuid, display_name="Renamed by pytest")
    assert cds.get_user(uuid).display_name == "Renamed by pytest"
    cds.set_user_state(uuid, "Locked")
    cds.change_user_state(uuid, True)
    cds.exempt_user_from_mfa(uuid, timespan=10)
    picture = cds.set_user_picture(uuid, ("me.png", b"\x89PNG\r\n\x1a\n0000", "image/png"))
    assert isinstance(picture, str)
    csv = (
        "Login Name,Display Name,Email,Mobile Number,Reports To\n"
        "new.hire1@sandbox.example,New Hire One,nh1@sandbox.example,,\n"
    )
    upload = cds.get_users_from_csv_file("ImportBulkUser", "hires.csv", ("hires.csv", csv.encode(), "text/csv"))
    assert upload.return_id
    answer = cds.submit_uploaded_file("ImportBulkUser", upload.return_id, sandbox.admin_username, send_email_invite=True)
    assert json.loads(answer)["success"] is True
    assert cds.get_user_by_name(username="new.hire1@sandbox.example").display_name == "New Hire One"


def test_core_and_user(client: Client) -> None:
    uuid, _ = user_ids(client)[1]
    settings = client.core.get_user_settings(uuid, settings_type="Notifications")
    assert settings is not None
    client.user.update_profile(uuid, display_name="Profile Name")
    assert client.cdirectory_service.get_user(uuid).display_name == "Profile Name"


def test_ext_data(client: Client) -> None:
    uuid, _ = user_ids(client)[1]
    schema = client.ext_data.get_schema("users")
    columns = {c.name: {"Type": c.type} for c in schema.columns or [] if c.name and c.type}
    columns["CostCenter"] = {"Type": "Text", "Title": "Cost center"}
    client.ext_data.update_schema("users", columns)
    client.ext_data.set_columns("users", uuid, {"CostCenter": "CC-1"})
    assert client.ext_data.get_columns("users", uuid)["CostCenter"] == "CC-1"


def test_org(client: Client) -> None:
    org = client.org
    ids = user_ids(client)
    created = org.create("Pytest Org", description="made by pytest")
    assert created.id
    org_id = created.id
    org.update(org_id, description="changed")
    assert org.get(org_id) is not None
    assert org.list_all() is not None
    org.change_member_ship(org_id, add=[{"ID": ids[1][0], "Type": "User"}])
    org.update_administrators(org_id, grant=[{"Id": ids[2][0]}])
    admins = org.get_administrators(org_id)
    assert admins is not None
    org.update_permission(org_id, grant=[{"Right": "Manage", "Principal": ids[1][0], "PrincipalType": "User"}])
    assert org.get_permission(org_id) is not None
    assert org.get_roles(org_id) is not None
    org.delete(org_id)


def test_user_mgmt(client: Client) -> None:
    um = client.user_mgmt
    ids = user_ids(client)
    uuid, name = ids[1]
    assert um.get_user_info(uuid) is not None
    assert um.get_user_attributes(uuid) is not None
    um.change_user_attributes(uuid, mobile_number="+1 555 0100")
    assert um.get_user_hierarchy(id=uuid) is not None
    assert um.get_user_risk_level(uuid) is not None
    roles = um.get_users_roles_and_administrative_rights(id=uuid)
    assert roles is not None
    um.invite_users([{"Type": "User", "Guid": uuid, "Name": name}], True)
    um.send_login_emails([uuid])
    um.send_sms_invite(uuid)
    um.set_cloud_lock(uuid, True)
    assert um.is_user_cloud_locked(uuid) is True
    assert isinstance(um.is_user_locked_out_by_policy(user=uuid), bool)
    um.remove_users([ids[-1][0]])
    assert ids[-1][0] not in [i for i, _ in user_ids(client)]


def test_scim(client: Client) -> None:
    scim = client.scim
    created = scim.create_user({"schemas": [USER_SCHEMA], "userName": "sam.scim@sandbox.example", "password": "Pytest-Passw0rd!"})
    assert created.user_name == "sam.scim@sandbox.example"
    assert created.id
    replaced = scim.replace_user(created.id, {"schemas": [USER_SCHEMA], "userName": "sam.renamed@sandbox.example", "password": "Pytest-Passw0rd!"})
    assert replaced.user_name == "sam.renamed@sandbox.example"
    groups = scim.list_groups()
    all_groups = list(scim.list_groups_iter(page_size=1))
    assert len(all_groups) == (groups.total_results or 0) > 0
    assert all_groups[0].id
    scim.delete_group(all_groups[0].id)
    assert len(list(scim.list_groups_iter())) == len(all_groups) - 1


def test_authentication(sandbox: Sandbox) -> None:
    anonymous = Client(sandbox.url)
    auth = anonymous.authentication
    token = auth.platform_token("client_credentials", client_id=sandbox.client_id, client_secret=sandbox.client_secret)
    assert token.access_token
    app_token = auth.token(sandbox.app_id, "client_credentials", client_id=sandbox.client_id, client_secret=sandbox.client_secret)
    assert app_token.access_token
    start = auth.start_authentication(sandbox.admin_username, "1.0")
    assert start.session_id
    mechanism = (start.challenges or [])[0].mechanisms or []
    done = auth.advance_authentication(
        start.session_id, mechanism_id=mechanism[0].mechanism_id, action="Answer", answer=sandbox.admin_password
    )
    assert done is not None
    with_token = Client(sandbox.url, token=token.access_token)
    assert with_token.authentication.logout() is not None or True


def test_logins(sandbox: Sandbox) -> None:
    """Every kind of credentials the constructor takes reaches the tenant."""
    for client in [
        Client(sandbox.url, client_id=sandbox.client_id, client_secret=sandbox.client_secret, app_id=sandbox.app_id),
        Client(sandbox.url, username=sandbox.admin_username, password=sandbox.admin_password),
        Client(
            sandbox.url,
            username=sandbox.mfa_username,
            password=sandbox.mfa_password,
            mfa=lambda challenge: sandbox.otp_code,
        ),
    ]:
        assert client.cdirectory_service.get_users().full_count


def test_pagination_to_the_end(client: Client, sandbox: Sandbox) -> None:
    before = len(user_ids(client))
    sandbox.add_users(25)
    rows = list(client.cdirectory_service.get_users_iter(page_size=7))
    assert len(rows) == before + 25
    assert len({r.row.uuid for r in rows if r.row}) == before + 25
    roles = list(client.user_mgmt.get_users_roles_and_administrative_rights_iter(id=user_ids(client)[0][0], page_size=1))
    assert roles == list(client.user_mgmt.get_users_roles_and_administrative_rights_iter(id=user_ids(client)[0][0]))
