//! A tour of the CyberArk Identity client: the jobs identity engineers automate most.
//!
//! `cargo xtask demo` runs it against the local sandbox tenant, which it starts in-process when
//! `CYBERARK_TENANT` is not set. To run it against a real tenant, set `CYBERARK_TENANT` (e.g.
//! `abc1234.id.cyberark.cloud`), `CYBERARK_CLIENT_ID` and `CYBERARK_CLIENT_SECRET` (an OAuth2
//! confidential client allowed to manage users and organizations), then
//! `cargo run -p cyberark-identity --example tour`. The tour changes the tenant: it creates an
//! organization, invites users and cloud-locks risky ones.

use cyberark_identity::{
    CDirectoryServiceExemptUserFromMfaRequest, CDirectoryServiceGetUserByNameRequest,
    CDirectoryServiceGetUsersRequest, Client, Error, ExtColumnDefinition, ExtDataGetSchemaRequest,
    ExtDataSetColumnsRequest, ExtDataUpdateSchemaRequest, InviteEntity, InviteEntityType,
    JsonValue, OrgChangeMemberShipRequest, OrgCreateRequest, OrgMember,
    UserMgmtGetUserRiskLevelRequest, UserMgmtInviteUsersRequest, UserMgmtSetCloudLockRequest,
    UserRow,
};
use futures::TryStreamExt;
use identity_sandbox::{Sandbox, Seed};
use std::collections::BTreeMap;
use std::io::Write;

/// The extensible attribute the tour sets.
const ATTRIBUTE: &str = "CostCenter";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The sandbox handle lives until the end of main, which keeps the sandbox running.
    let (tenant, client_id, client_secret, _sandbox) = match std::env::var("CYBERARK_TENANT") {
        Ok(tenant) => (
            tenant,
            env("CYBERARK_CLIENT_ID")?,
            env("CYBERARK_CLIENT_SECRET")?,
            None,
        ),
        Err(_) => {
            let sandbox = Sandbox::builder().seed(Seed::Demo).start().await?;
            println!(
                "CYBERARK_TENANT is not set: started the sandbox tenant at {}",
                sandbox.url()
            );
            (
                sandbox.url(),
                sandbox.client_id().to_owned(),
                sandbox.client_secret().to_owned(),
                Some(sandbox),
            )
        }
    };
    let client = Client::builder(&tenant)
        .client_credentials(client_id, client_secret)
        .build()?;
    println!("1. logged in to {tenant} with OAuth2 client credentials");

    // Everyone in the directory, streamed page by page; the later steps pick from it.
    let users: Vec<UserRow> = client
        .cdirectory_service()
        .get_users_stream(CDirectoryServiceGetUsersRequest::new())
        .map_ok(|row| row.row.unwrap_or_default())
        .try_collect()
        .await?;
    println!("   the directory has {} users", users.len());
    let ids: Vec<(String, String)> = users
        .iter()
        .filter_map(|u| Some((u.uuid.clone()?, u.name.clone()?)))
        .collect();
    let Some((first_id, first_name)) = ids.first().cloned() else {
        return Err("the tenant has no users to work with".into());
    };

    let org = client
        .org()
        .create(OrgCreateRequest::new("Tour Engineering").description("Created by the tour"))
        .await?;
    let org_id = org.id.ok_or("Org/Create answered without an ID")?;
    let members: Vec<OrgMember> = ids
        .iter()
        .take(3)
        .map(|(id, _)| OrgMember::new(id.as_str(), "User"))
        .collect();
    client
        .org()
        .change_member_ship(OrgChangeMemberShipRequest::new(org_id.as_str()).add(members.clone()))
        .await?;
    println!(
        "2. created organization {org_id} and added {} members",
        members.len()
    );

    let invited: Vec<InviteEntity> = ids
        .iter()
        .take(2)
        .map(|(id, name)| {
            InviteEntity::new(InviteEntityType::User, id.as_str()).name(name.as_str())
        })
        .collect();
    client
        .user_mgmt()
        .invite_users(UserMgmtInviteUsersRequest::new(invited.clone(), true))
        .await?;
    println!("3. invited {} users by email", invited.len());

    let user = client
        .cdirectory_service()
        .get_user_by_name(
            CDirectoryServiceGetUserByNameRequest::new().username(first_name.as_str()),
        )
        .await?;
    println!(
        "4. looked up {first_name}: display name {:?}, state {:?}",
        user.display_name.as_deref().unwrap_or("-"),
        user.state.as_deref().unwrap_or("-")
    );

    ensure_attribute(&client).await?;
    let mut columns = BTreeMap::new();
    columns.insert(ATTRIBUTE.to_owned(), JsonValue::from("CC-1042"));
    client
        .ext_data()
        .set_columns(ExtDataSetColumnsRequest::new(
            "users",
            first_id.as_str(),
            columns,
        ))
        .await?;
    println!("5. set the extensible attribute {ATTRIBUTE} of {first_name}");

    let mut locked = 0;
    for (id, name) in &ids {
        let risk = client
            .user_mgmt()
            .get_user_risk_level(UserMgmtGetUserRiskLevelRequest::new(id.as_str()))
            .await?;
        if risk_level(&risk).is_some_and(|level| level.eq_ignore_ascii_case("high")) {
            client
                .user_mgmt()
                .set_cloud_lock(UserMgmtSetCloudLockRequest::new(id.as_str(), true))
                .await?;
            println!("   cloud-locked {name} (risk high)");
            locked += 1;
        }
    }
    println!(
        "6. checked {} users' risk levels and cloud-locked {locked}",
        ids.len()
    );

    client
        .cdirectory_service()
        .exempt_user_from_mfa(
            CDirectoryServiceExemptUserFromMfaRequest::new(first_id.as_str()).timespan(10),
        )
        .await?;
    println!("7. exempted {first_name} from MFA for 10 minutes");

    let path = std::env::temp_dir().join("cyberark-identity-tour-users.csv");
    let rows = export_csv(&client, &path).await?;
    println!("8. exported {rows} users to {}", path.display());
    Ok(())
}

/// Reads a required environment variable, naming it when it is missing.
fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} (see the comment at the top of tour.rs)"))
}

/// Adds the tour's attribute to the user schema unless it is there. UpdateSchema takes the full
/// set of columns, so the current ones are read first and sent back with the new one.
async fn ensure_attribute(client: &Client) -> Result<(), Error> {
    let schema = client
        .ext_data()
        .get_schema(ExtDataGetSchemaRequest::new("users"))
        .await?;
    let existing = schema.columns.unwrap_or_default();
    if existing
        .iter()
        .any(|c| c.name.as_deref() == Some(ATTRIBUTE))
    {
        return Ok(());
    }
    let mut columns = BTreeMap::new();
    for column in existing {
        let (Some(name), Some(kind)) = (column.name, column.r#type) else {
            continue;
        };
        let mut definition = ExtColumnDefinition::new(kind);
        definition.title = column.title;
        definition.description = column.description;
        definition.user_editable = column.user_editable;
        columns.insert(name, definition);
    }
    columns.insert(
        ATTRIBUTE.to_owned(),
        ExtColumnDefinition::new("Text")
            .title("Cost center")
            .description("Finance cost center")
            .user_editable(false),
    );
    client
        .ext_data()
        .update_schema(ExtDataUpdateSchemaRequest::new("users", columns))
        .await?;
    Ok(())
}

/// The risk level in a GetUserRiskLevel answer, which is undocumented: a bare string, or an
/// object with a `RiskLevel`/`Level` field.
fn risk_level(answer: &JsonValue) -> Option<&str> {
    answer
        .as_str()
        .or_else(|| answer.get("RiskLevel").and_then(JsonValue::as_str))
        .or_else(|| answer.get("Level").and_then(JsonValue::as_str))
}

/// Streams every user into a CSV file, one page in memory at a time.
async fn export_csv(
    client: &Client,
    path: &std::path::Path,
) -> Result<usize, Box<dyn std::error::Error>> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "Uuid,Name,DisplayName,Mail")?;
    let mut stream = client
        .cdirectory_service()
        .get_users_stream(CDirectoryServiceGetUsersRequest::new());
    let mut rows = 0;
    while let Some(row) = stream.try_next().await? {
        let user = row.row.unwrap_or_default();
        let field = |v: &Option<String>| csv_field(v.as_deref().unwrap_or(""));
        writeln!(
            out,
            "{},{},{},{}",
            field(&user.uuid),
            field(&user.name),
            field(&user.display_name),
            field(&user.mail)
        )?;
        rows += 1;
    }
    out.flush()?;
    Ok(rows)
}

/// Quotes a CSV field when it holds a comma, a quote or a line break (RFC 4180).
fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}
