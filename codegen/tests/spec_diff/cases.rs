//! The table of spec edits: each edits `base.yaml`, names the change the diff must report with
//! its Rust and Python classification, and carries user code written against the old client in
//! both languages. Whenever the Rust classification is major, the Rust code must stop compiling
//! against the new client (or, for a [`Proof::Run`] case, compile and return `false` from its
//! `run()`); otherwise it must compile and, for a run case, return `true`. Whenever the Python
//! classification is major, the Python script must fail against the new package, at run time or
//! under `mypy --strict`; otherwise it must pass both.

use cyberark_codegen::diff::{Bump, ChangeKind};

/// One edit of the base spec's text.
pub enum Edit {
    /// Replaces the one occurrence of the first snippet with the second.
    Replace(&'static str, &'static str),
    /// Removes the text from the first snippet up to (not including) the second.
    Cut(&'static str, &'static str),
}

/// How the Rust half of a case is proven.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    /// A break shows as a compile error.
    Compile,
    /// A break compiles (same-typed arguments swapped, a name moving to another field): the
    /// code defines `pub fn run() -> bool`, which must return `true` against the old client,
    /// and `false` against the new one exactly when the case is major.
    Run,
}

/// One row of the table.
pub struct Case {
    pub name: &'static str,
    pub edits: Vec<Edit>,
    pub kind: ChangeKind,
    pub rust: Bump,
    pub python: Bump,
    /// Rust user code naming the client as `api`.
    pub code: &'static str,
    /// How the Rust half is proven.
    pub proof: Proof,
    /// A Python script naming the package as `api`: `def run(client: api.Client) -> None`,
    /// which raises (or fails `mypy --strict`) when the user's code would.
    pub py: &'static str,
}

const CREATE: &str = r#"pub fn build() -> api::OrgCreateRequest { api::OrgCreateRequest::new("n", 5).description("d") }"#;
const GET: &str = r#"pub async fn get(c: &api::Client) -> Result<api::Org, cyberark_runtime::Error> { c.org().get(api::OrgGetRequest::new("x")).await }"#;
const READ: &str = "pub fn read(o: api::Org) -> (String, Option<String>) { (o.id, o.name) }";
const STATUS: &str = "pub fn status(s: &api::OrgStatus) -> u8 { match s { api::OrgStatus::Active => 1, api::OrgStatus::Disabled => 2, api::OrgStatus::Unknown(_) => 0, _ => 3 } }";
const KIND: &str = "pub fn kind() -> api::OrgKind { api::OrgKind::Team }";
const LIST: &str = r#"pub async fn list(c: &api::Client) -> Result<api::OrgList, cyberark_runtime::Error> { c.org().list(api::OrgListRequest::new().tags(vec!["a".to_owned()])).await }"#;

const OWNER: &str =
    "pub fn group(o: &api::OrgOwner) -> bool { matches!(o, api::OrgOwner::OrgGroup(_)) }";
const RELATED: &str = "pub fn related(o: api::Org) -> Option<api::OrgRef> { o.related }";
const UNION_ARMS: &str = "        - {$ref: '#/components/schemas/OrgUser'}\n        - {$ref: '#/components/schemas/OrgGroup'}\n";

const CLEAR: &str = r#"pub fn build() -> api::OrgCreateRequest { api::OrgCreateRequest::new("n", 5).clear_parent() }"#;
const NOTE: &str =
    r#"pub fn note() -> Option<String> { api::OrgCreateRequest::new("n", 5).note("x").note }"#;
const BUILD_ORG: &str = r#"pub fn build() -> api::Org { api::Org::new("o2") }"#;
const MEMBERS: &str = "pub fn members(o: api::Org) -> Option<i64> { o.members }";
const SEATS: &str = "pub fn seats(o: api::Org) -> Option<i32> { o.seats }";
const ARGS: &str = "pub fn args() -> api::QueryArgs { api::QueryArgs::new().page_size(10) }";
const AUDIT: &str =
    r#"pub fn run() -> bool { api::OrgAudit::new("alice", "create").actor == "alice" }"#;
const UUID: &str = r##"pub fn run() -> bool { serde_json::from_str::<api::Org>(r#"{"ID": "o1", "Uuid": "U1"}"#).map(|o| o.uuid.as_deref() == Some("U1")).unwrap_or(false) }"##;

const PY_CREATE: &str = r#"
def run(client: api.Client) -> None:
    assert client.org.create("n", 5).id == "o1"
    assert client.org.create("n", 5, description="d").id == "o1"
"#;
const PY_CLEAR: &str = r#"
def run(client: api.Client) -> None:
    org = client.org.create("n", 5, clear_parent=True)
    assert org.id == "o1"
"#;
const PY_NOTE: &str = r#"
def run(client: api.Client) -> None:
    org = client.org.create("n", 5, note="x")
    assert org.id == "o1"
"#;
const PY_GET: &str = r#"
def run(client: api.Client) -> None:
    org = client.org.get("x")
    assert org.id == "o1"
"#;
// Results are built with their constructors as the project's own tests build them: result
// classes are public API, so their constructors are classified like a request's.
const PY_READ: &str = r#"
def run(client: api.Client) -> None:
    org = client.org.get("x")
    name: str | None = org.name
    assert org.id == "o1" and name == "n"
    fixture = api.Org("o2")
    assert fixture.id == "o2" and fixture.name is None
"#;
const PY_STATUS: &str = r#"
def run(client: api.Client) -> None:
    org = client.org.get("x")
    assert org.status == "Active"
    assert api.Org("o2", status="Disabled").status == "Disabled"
"#;
const PY_KIND: &str = r#"
def run(client: api.Client) -> None:
    org = client.org.create("n", 5, kind="Team")
    assert org.id == "o1"
"#;
const PY_LIST: &str = r#"
def run(client: api.Client) -> None:
    page = client.org.list(tags=["a", "b"])
    assert page.full_count == 1
"#;
const PY_OWNER: &str = r#"
def run(client: api.Client) -> None:
    org = api.Org("o2", owner=api.OrgGroup(group="g"))
    assert isinstance(org.owner, api.OrgGroup)
"#;
const PY_RELATED: &str = r#"
def run(client: api.Client) -> None:
    org = client.org.get("x")
    assert org.related is not None and org.related.name == "r"
    assert api.OrgRef(name="r").name == "r"
"#;
const PY_MEMBERS: &str = r#"
def run(client: api.Client) -> None:
    org = client.org.get("x")
    assert org.members == 3_000_000_000
    assert api.Org("o2", members=2**40).members == 2**40
"#;
const PY_SEATS: &str = r#"
def run(client: api.Client) -> None:
    org = client.org.get("x")
    assert org.seats == 3
    assert api.Org("o2", seats=7).seats == 7
"#;
// Dict inputs and `to_dict()` use the API's own key names, as `tour.py` writes them.
const PY_ARGS: &str = r#"
def run(client: api.Client) -> None:
    client.org.list(args={"PageSize": 10})
    assert api.QueryArgs(page_size=10).to_dict() == {"PageSize": 10}
"#;
const PY_AUDIT: &str = r#"
def run(client: api.Client) -> None:
    audit = api.OrgAudit("alice", "create")
    assert audit.actor == "alice" and audit.action == "create"
"#;
const PY_UUID: &str = r#"
def run(client: api.Client) -> None:
    org = client.org.get("x")
    assert org.uuid == "U1"
"#;

const KIND_PROP: &str = "                Kind: {$ref: '#/components/schemas/OrgKind'}\n";
const GET_RESULT: &str = "The organization.\n          content:\n            application/json:\n              schema:\n                allOf:\n                  - $ref: '#/components/schemas/Envelope'\n                  - type: object\n                    properties:\n                      Result: {$ref: '#/components/schemas/Org'}";

fn case(
    name: &'static str,
    edits: Vec<Edit>,
    kind: ChangeKind,
    (rust, python): (Bump, Bump),
    code: &'static str,
    py: &'static str,
) -> Case {
    Case {
        name,
        edits,
        kind,
        rust,
        python,
        code,
        proof: Proof::Compile,
        py,
    }
}

/// A case whose Rust half is proven by running `run()` (see [`Proof::Run`]).
fn run_case(
    name: &'static str,
    edits: Vec<Edit>,
    kind: ChangeKind,
    (rust, python): (Bump, Bump),
    code: &'static str,
    py: &'static str,
) -> Case {
    Case {
        proof: Proof::Run,
        ..case(name, edits, kind, (rust, python), code, py)
    }
}

/// Every case.
pub fn cases() -> Vec<Case> {
    use Bump::{Major, Minor, Patch};
    use ChangeKind as K;
    use Edit::{Cut, Replace};
    vec![
        case(
            "union_arm_added",
            vec![Replace(
                UNION_ARMS,
                "        - {$ref: '#/components/schemas/OrgUser'}\n        - {$ref: '#/components/schemas/OrgGroup'}\n        - {$ref: '#/components/schemas/OrgBot'}\n",
            )],
            K::UnionArmAdded,
            (Minor, Minor),
            OWNER,
            PY_OWNER,
        ),
        case(
            "union_arm_removed",
            vec![Replace(
                UNION_ARMS,
                "        - {$ref: '#/components/schemas/OrgUser'}\n",
            )],
            K::UnionArmRemoved,
            (Major, Major),
            OWNER,
            PY_OWNER,
        ),
        case(
            "type_becomes_recursive",
            vec![Replace(
                "        Name: {type: string}\n    OrgUser:",
                "        Name: {type: string}\n        Org: {$ref: '#/components/schemas/Org'}\n    OrgUser:",
            )],
            K::FieldBoxingChanged,
            (Major, Minor),
            RELATED,
            PY_RELATED,
        ),
        case(
            "array_parameter_style_changed",
            vec![Replace("explode: true", "explode: false")],
            K::ParameterStyleChanged,
            (Patch, Patch),
            LIST,
            PY_LIST,
        ),
        case(
            "optional_request_field_added",
            vec![Replace(
                KIND_PROP,
                "                Kind: {$ref: '#/components/schemas/OrgKind'}\n                Path: {type: string}\n",
            )],
            K::FieldAdded,
            (Minor, Minor),
            CREATE,
            PY_CREATE,
        ),
        case(
            "required_request_field_added",
            vec![
                Replace("required: [Name, Size]", "required: [Name, Size, Owner]"),
                Replace(
                    KIND_PROP,
                    "                Kind: {$ref: '#/components/schemas/OrgKind'}\n                Owner: {type: string}\n",
                ),
            ],
            K::FieldAdded,
            (Major, Major),
            CREATE,
            PY_CREATE,
        ),
        case(
            "optional_request_field_removed",
            vec![Replace("                Description: {type: string}\n", "")],
            K::FieldRemoved,
            (Major, Major),
            CREATE,
            PY_CREATE,
        ),
        case(
            "request_field_made_required",
            vec![Replace(
                "required: [Name, Size]",
                "required: [Name, Size, Description]",
            )],
            K::FieldMadeRequired,
            (Major, Major),
            CREATE,
            PY_CREATE,
        ),
        case(
            "request_field_made_optional",
            vec![Replace("required: [Name, Size]", "required: [Name]")],
            K::FieldMadeOptional,
            (Major, Major),
            CREATE,
            PY_CREATE,
        ),
        case(
            "request_field_retyped",
            vec![Replace(
                "Description: {type: string}",
                "Description: {type: boolean}",
            )],
            K::FieldRetyped,
            (Major, Major),
            CREATE,
            PY_CREATE,
        ),
        case(
            "request_field_renamed",
            vec![Replace(
                "Description: {type: string}",
                "Summary: {type: string}",
            )],
            K::FieldRenamed,
            (Major, Major),
            CREATE,
            PY_CREATE,
        ),
        case(
            "request_field_case_changed",
            vec![Replace(
                "Description: {type: string}",
                "description: {type: string}",
            )],
            K::FieldRenamed,
            (Patch, Patch),
            CREATE,
            PY_CREATE,
        ),
        case(
            "required_fields_reordered",
            vec![Replace(
                "                Name: {type: string}\n                Size: {type: integer}\n",
                "                Size: {type: integer}\n                Name: {type: string}\n",
            )],
            K::FieldsReordered,
            (Major, Major),
            CREATE,
            PY_CREATE,
        ),
        case(
            "query_parameter_moved_to_body",
            vec![Replace(
                "      parameters:\n        - {name: ID, in: query, required: true, schema: {type: string}}\n",
                "      requestBody:\n        required: true\n        content:\n          application/json:\n            schema:\n              type: object\n              required: [ID]\n              properties:\n                ID: {type: string}\n",
            )],
            K::FieldMoved,
            (Patch, Patch),
            GET,
            PY_GET,
        ),
        case(
            "operation_deprecated",
            vec![Replace(
                "operationId: Org_Get\n      tags: [Org]\n",
                "operationId: Org_Get\n      deprecated: true\n      tags: [Org]\n",
            )],
            K::DeprecationChanged,
            (Minor, Minor),
            GET,
            PY_GET,
        ),
        case(
            "idempotency_changed",
            vec![Replace(
                "operationId: Org_Get\n      tags: [Org]\n      x-cyberark-idempotent: true",
                "operationId: Org_Get\n      tags: [Org]\n      x-cyberark-idempotent: false",
            )],
            K::IdempotencyChanged,
            (Patch, Patch),
            GET,
            PY_GET,
        ),
        case(
            "operation_added",
            vec![Replace(
                "  /Org/List:\n",
                "  /Org/Delete:\n    post:\n      operationId: Org_Delete\n      tags: [Org]\n      x-cyberark-idempotent: true\n      parameters:\n        - {name: ID, in: query, required: true, schema: {type: string}}\n      responses:\n        '200':\n          description: Deleted.\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Envelope'}\n  /Org/List:\n",
            )],
            K::OperationAdded,
            (Minor, Minor),
            GET,
            PY_GET,
        ),
        case(
            "operation_removed",
            vec![Cut("  /Org/Get:\n", "  /Org/List:\n")],
            K::OperationRemoved,
            (Major, Major),
            GET,
            PY_GET,
        ),
        case(
            "operation_renamed",
            vec![Replace("operationId: Org_Get", "operationId: Org_Fetch")],
            K::OperationRenamed,
            (Major, Major),
            GET,
            PY_GET,
        ),
        case(
            "result_retyped",
            vec![Replace(
                GET_RESULT,
                "The organization.\n          content:\n            application/json:\n              schema:\n                allOf:\n                  - $ref: '#/components/schemas/Envelope'\n                  - type: object\n                    properties:\n                      Result: {type: string}",
            )],
            K::ResultRetyped,
            (Major, Major),
            GET,
            PY_GET,
        ),
        case(
            "result_field_added",
            vec![Replace(
                "        Status: {$ref: '#/components/schemas/OrgStatus'}\n",
                "        Status: {$ref: '#/components/schemas/OrgStatus'}\n        Path: {type: string}\n",
            )],
            K::FieldAdded,
            (Minor, Minor),
            READ,
            PY_READ,
        ),
        case(
            "result_field_made_required",
            vec![Replace("required: [ID]", "required: [ID, Name]")],
            K::FieldMadeRequired,
            (Major, Major),
            READ,
            PY_READ,
        ),
        case(
            "result_field_removed",
            vec![Replace(
                "        ID: {type: string}\n        Name: {type: string}\n",
                "        ID: {type: string}\n",
            )],
            K::FieldRemoved,
            (Major, Major),
            READ,
            PY_READ,
        ),
        case(
            "result_field_made_nullable",
            vec![Replace(
                "        ID: {type: string}\n        Name: {type: string}\n",
                "        ID: {type: string}\n        Name: {type: string, nullable: true}\n",
            )],
            K::FieldNullabilityChanged,
            (Patch, Patch),
            READ,
            PY_READ,
        ),
        case(
            "response_enum_value_added",
            vec![Replace(
                "enum: [Active, Disabled]",
                "enum: [Active, Disabled, Suspended]",
            )],
            K::EnumValueAdded,
            (Minor, Patch),
            STATUS,
            PY_STATUS,
        ),
        case(
            "response_enum_value_removed",
            vec![Replace("enum: [Active, Disabled]", "enum: [Active]")],
            K::EnumValueRemoved,
            (Major, Patch),
            STATUS,
            PY_STATUS,
        ),
        case(
            "request_enum_value_case_changed",
            vec![Replace("enum: [Team, Division]", "enum: [team, Division]")],
            K::EnumValueRenamed,
            (Patch, Patch),
            KIND,
            PY_KIND,
        ),
        case(
            "type_added",
            vec![Replace(
                "    QueryArgs:\n",
                "    Tenant:\n      type: object\n      properties:\n        Url: {type: string}\n    QueryArgs:\n",
            )],
            K::TypeAdded,
            (Minor, Minor),
            READ,
            PY_READ,
        ),
        case(
            "paging_added",
            vec![Replace(
                "operationId: Org_List\n      tags: [Org]\n",
                "operationId: Org_List\n      tags: [Org]\n      x-cyberark-paging: {style: redrock}\n",
            )],
            K::PagingChanged,
            (Minor, Minor),
            LIST,
            PY_LIST,
        ),
        case(
            "result_required_field_added",
            vec![
                Replace("required: [ID]", "required: [ID, Path]"),
                Replace(
                    "        Status: {$ref: '#/components/schemas/OrgStatus'}\n",
                    "        Status: {$ref: '#/components/schemas/OrgStatus'}\n        Path: {type: string}\n",
                ),
            ],
            K::FieldAdded,
            (Major, Major),
            BUILD_ORG,
            PY_READ,
        ),
        run_case(
            "result_fields_reordered",
            vec![Replace(
                "        Actor: {type: string}\n        Action: {type: string}\n",
                "        Action: {type: string}\n        Actor: {type: string}\n",
            )],
            K::FieldsReordered,
            (Major, Major),
            AUDIT,
            PY_AUDIT,
        ),
        case(
            "integer_narrowed",
            vec![Replace(
                "Members: {type: integer, format: int64}",
                "Members: {type: integer, format: int32}",
            )],
            K::FieldRetyped,
            (Major, Major),
            MEMBERS,
            PY_MEMBERS,
        ),
        // An integer the spec now calls a Unix time reads as an instant: `UnixTime` in Rust,
        // `datetime` in Python, so code reading the number breaks in both.
        case(
            "integer_became_unix_time",
            vec![Replace(
                "Members: {type: integer, format: int64}",
                "Members: {type: integer, format: unix-seconds}",
            )],
            K::FieldRetyped,
            (Major, Major),
            MEMBERS,
            PY_MEMBERS,
        ),
        case(
            "integer_widened",
            vec![Replace(
                "Seats: {type: integer, format: int32}",
                "Seats: {type: integer, format: int64}",
            )],
            K::FieldRetyped,
            (Major, Patch),
            SEATS,
            PY_SEATS,
        ),
        case(
            "nested_field_case_changed",
            vec![Replace(
                "        PageSize: {type: integer}\n",
                "        pageSize: {type: integer}\n",
            )],
            K::FieldRenamed,
            (Patch, Major),
            ARGS,
            PY_ARGS,
        ),
        case(
            "null_clears_removed",
            vec![Replace(
                "Parent: {type: string, nullable: true, x-cyberark-null-clears: true}",
                "Parent: {type: string, nullable: true}",
            )],
            K::FieldNullabilityChanged,
            (Major, Major),
            CLEAR,
            PY_CLEAR,
        ),
        case(
            "null_clears_added",
            vec![Replace(
                "Note: {type: string, nullable: true}",
                "Note: {type: string, nullable: true, x-cyberark-null-clears: true}",
            )],
            K::FieldNullabilityChanged,
            (Major, Minor),
            NOTE,
            PY_NOTE,
        ),
        run_case(
            "colliding_field_added",
            vec![Replace(
                "        Uuid: {type: string}\n",
                "        uuid: {type: string}\n        Uuid: {type: string}\n",
            )],
            K::FieldRenamed,
            (Major, Major),
            UUID,
            PY_UUID,
        ),
        case(
            "enum_made_plain_string",
            vec![Replace(
                "OrgStatus: {type: string, enum: [Active, Disabled]}",
                "OrgStatus: {type: string}",
            )],
            K::FieldRetyped,
            (Major, Patch),
            STATUS,
            PY_STATUS,
        ),
        case(
            "array_parameter_retyped",
            vec![Replace(
                "schema: {type: array, items: {type: string}}",
                "schema: {type: array, items: {type: integer}}",
            )],
            K::FieldRetyped,
            (Major, Major),
            LIST,
            PY_LIST,
        ),
    ]
}

/// The base spec with a case's edits applied.
pub fn edited(base: &str, case: &Case) -> String {
    let mut text = base.to_owned();
    for edit in &case.edits {
        match edit {
            Edit::Replace(from, to) => {
                assert_eq!(
                    text.matches(from).count(),
                    1,
                    "{}: {from:?} must occur once",
                    case.name
                );
                text = text.replacen(from, to, 1);
            }
            Edit::Cut(start, end) => {
                let a = text
                    .find(start)
                    .unwrap_or_else(|| panic!("{}: no {start:?}", case.name));
                let b = a + text[a..]
                    .find(end)
                    .unwrap_or_else(|| panic!("{}: no {end:?}", case.name));
                text.replace_range(a..b, "");
            }
        }
    }
    text
}
