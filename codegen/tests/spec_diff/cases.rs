//! The table of spec edits: each edits `base.yaml`, names the change the diff must report with
//! its Rust and Python classification, and carries user code written against the old client.
//! Whenever the Rust classification is major, that code must stop compiling against the new
//! client; otherwise it must still compile.

use cyberark_codegen::diff::{Bump, ChangeKind};

/// One edit of the base spec's text.
pub enum Edit {
    /// Replaces the one occurrence of the first snippet with the second.
    Replace(&'static str, &'static str),
    /// Removes the text from the first snippet up to (not including) the second.
    Cut(&'static str, &'static str),
}

/// One row of the table.
pub struct Case {
    pub name: &'static str,
    pub edits: Vec<Edit>,
    pub kind: ChangeKind,
    pub rust: Bump,
    pub python: Bump,
    /// User code naming the client as `api`.
    pub code: &'static str,
}

const CREATE: &str = r#"pub fn build() -> api::OrgCreateRequest { api::OrgCreateRequest::new("n", 5).description("d") }"#;
const GET: &str = r#"pub async fn get(c: &api::Client) -> Result<api::Org, cyberark_runtime::Error> { c.org().get(api::OrgGetRequest::new("x")).await }"#;
const READ: &str = "pub fn read(o: api::Org) -> (String, Option<String>) { (o.id, o.name) }";
const STATUS: &str = "pub fn status(s: &api::OrgStatus) -> u8 { match s { api::OrgStatus::Active => 1, api::OrgStatus::Disabled => 2, api::OrgStatus::Unknown(_) => 0, _ => 3 } }";
const KIND: &str = "pub fn kind() -> api::OrgKind { api::OrgKind::Team }";
const LIST: &str = "pub async fn list(c: &api::Client) -> Result<api::OrgList, cyberark_runtime::Error> { c.org().list(api::OrgListRequest::new()).await }";

const OWNER: &str =
    "pub fn group(o: &api::OrgOwner) -> bool { matches!(o, api::OrgOwner::OrgGroup(_)) }";
const RELATED: &str = "pub fn related(o: api::Org) -> Option<api::OrgRef> { o.related }";
const UNION_ARMS: &str = "        - {$ref: '#/components/schemas/OrgUser'}\n        - {$ref: '#/components/schemas/OrgGroup'}\n";

const KIND_PROP: &str = "                Kind: {$ref: '#/components/schemas/OrgKind'}\n";
const GET_RESULT: &str = "The organization.\n          content:\n            application/json:\n              schema:\n                allOf:\n                  - $ref: '#/components/schemas/Envelope'\n                  - type: object\n                    properties:\n                      Result: {$ref: '#/components/schemas/Org'}";

fn case(
    name: &'static str,
    edits: Vec<Edit>,
    kind: ChangeKind,
    rust: Bump,
    python: Bump,
    code: &'static str,
) -> Case {
    Case {
        name,
        edits,
        kind,
        rust,
        python,
        code,
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
            Minor,
            Minor,
            OWNER,
        ),
        case(
            "union_arm_removed",
            vec![Replace(
                UNION_ARMS,
                "        - {$ref: '#/components/schemas/OrgUser'}\n",
            )],
            K::UnionArmRemoved,
            Major,
            Major,
            OWNER,
        ),
        case(
            "type_becomes_recursive",
            vec![Replace(
                "        Name: {type: string}\n    OrgUser:",
                "        Name: {type: string}\n        Org: {$ref: '#/components/schemas/Org'}\n    OrgUser:",
            )],
            K::FieldBoxingChanged,
            Major,
            Minor,
            RELATED,
        ),
        case(
            "array_parameter_style_changed",
            vec![Replace("explode: true", "explode: false")],
            K::ParameterStyleChanged,
            Patch,
            Patch,
            LIST,
        ),
        case(
            "optional_request_field_added",
            vec![Replace(
                KIND_PROP,
                "                Kind: {$ref: '#/components/schemas/OrgKind'}\n                Path: {type: string}\n",
            )],
            K::FieldAdded,
            Minor,
            Minor,
            CREATE,
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
            Major,
            Major,
            CREATE,
        ),
        case(
            "optional_request_field_removed",
            vec![Replace("                Description: {type: string}\n", "")],
            K::FieldRemoved,
            Major,
            Major,
            CREATE,
        ),
        case(
            "request_field_made_required",
            vec![Replace(
                "required: [Name, Size]",
                "required: [Name, Size, Description]",
            )],
            K::FieldMadeRequired,
            Major,
            Major,
            CREATE,
        ),
        case(
            "request_field_made_optional",
            vec![Replace("required: [Name, Size]", "required: [Name]")],
            K::FieldMadeOptional,
            Major,
            Major,
            CREATE,
        ),
        case(
            "request_field_retyped",
            vec![Replace(
                "Description: {type: string}",
                "Description: {type: boolean}",
            )],
            K::FieldRetyped,
            Major,
            Major,
            CREATE,
        ),
        case(
            "request_field_renamed",
            vec![Replace(
                "Description: {type: string}",
                "Summary: {type: string}",
            )],
            K::FieldRenamed,
            Major,
            Major,
            CREATE,
        ),
        case(
            "request_field_case_changed",
            vec![Replace(
                "Description: {type: string}",
                "description: {type: string}",
            )],
            K::FieldRenamed,
            Patch,
            Patch,
            CREATE,
        ),
        case(
            "required_fields_reordered",
            vec![Replace(
                "                Name: {type: string}\n                Size: {type: integer}\n",
                "                Size: {type: integer}\n                Name: {type: string}\n",
            )],
            K::FieldsReordered,
            Major,
            Major,
            CREATE,
        ),
        case(
            "query_parameter_moved_to_body",
            vec![Replace(
                "      parameters:\n        - {name: ID, in: query, required: true, schema: {type: string}}\n",
                "      requestBody:\n        required: true\n        content:\n          application/json:\n            schema:\n              type: object\n              required: [ID]\n              properties:\n                ID: {type: string}\n",
            )],
            K::FieldMoved,
            Patch,
            Patch,
            GET,
        ),
        case(
            "operation_deprecated",
            vec![Replace(
                "operationId: Org_Get\n      tags: [Org]\n",
                "operationId: Org_Get\n      deprecated: true\n      tags: [Org]\n",
            )],
            K::DeprecationChanged,
            Minor,
            Minor,
            GET,
        ),
        case(
            "idempotency_changed",
            vec![Replace(
                "operationId: Org_Get\n      tags: [Org]\n      x-cyberark-idempotent: true",
                "operationId: Org_Get\n      tags: [Org]\n      x-cyberark-idempotent: false",
            )],
            K::IdempotencyChanged,
            Patch,
            Patch,
            GET,
        ),
        case(
            "operation_added",
            vec![Replace(
                "  /Org/List:\n",
                "  /Org/Delete:\n    post:\n      operationId: Org_Delete\n      tags: [Org]\n      x-cyberark-idempotent: true\n      parameters:\n        - {name: ID, in: query, required: true, schema: {type: string}}\n      responses:\n        '200':\n          description: Deleted.\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Envelope'}\n  /Org/List:\n",
            )],
            K::OperationAdded,
            Minor,
            Minor,
            GET,
        ),
        case(
            "operation_removed",
            vec![Cut("  /Org/Get:\n", "  /Org/List:\n")],
            K::OperationRemoved,
            Major,
            Major,
            GET,
        ),
        case(
            "operation_renamed",
            vec![Replace("operationId: Org_Get", "operationId: Org_Fetch")],
            K::OperationRenamed,
            Major,
            Major,
            GET,
        ),
        case(
            "result_retyped",
            vec![Replace(
                GET_RESULT,
                "The organization.\n          content:\n            application/json:\n              schema:\n                allOf:\n                  - $ref: '#/components/schemas/Envelope'\n                  - type: object\n                    properties:\n                      Result: {type: string}",
            )],
            K::ResultRetyped,
            Major,
            Major,
            GET,
        ),
        case(
            "result_field_added",
            vec![Replace(
                "        Status: {$ref: '#/components/schemas/OrgStatus'}\n",
                "        Status: {$ref: '#/components/schemas/OrgStatus'}\n        Path: {type: string}\n",
            )],
            K::FieldAdded,
            Minor,
            Minor,
            READ,
        ),
        case(
            "result_field_made_required",
            vec![Replace("required: [ID]", "required: [ID, Name]")],
            K::FieldMadeRequired,
            Major,
            Patch,
            READ,
        ),
        case(
            "result_field_removed",
            vec![Replace(
                "        ID: {type: string}\n        Name: {type: string}\n",
                "        ID: {type: string}\n",
            )],
            K::FieldRemoved,
            Major,
            Major,
            READ,
        ),
        case(
            "result_field_made_nullable",
            vec![Replace(
                "        ID: {type: string}\n        Name: {type: string}\n",
                "        ID: {type: string}\n        Name: {type: string, nullable: true}\n",
            )],
            K::FieldNullabilityChanged,
            Patch,
            Patch,
            READ,
        ),
        case(
            "response_enum_value_added",
            vec![Replace(
                "enum: [Active, Disabled]",
                "enum: [Active, Disabled, Suspended]",
            )],
            K::EnumValueAdded,
            Minor,
            Minor,
            STATUS,
        ),
        case(
            "response_enum_value_removed",
            vec![Replace("enum: [Active, Disabled]", "enum: [Active]")],
            K::EnumValueRemoved,
            Major,
            Major,
            STATUS,
        ),
        case(
            "request_enum_value_case_changed",
            vec![Replace("enum: [Team, Division]", "enum: [team, Division]")],
            K::EnumValueRenamed,
            Patch,
            Patch,
            KIND,
        ),
        case(
            "type_added",
            vec![Replace(
                "    QueryArgs:\n",
                "    Tenant:\n      type: object\n      properties:\n        Url: {type: string}\n    QueryArgs:\n",
            )],
            K::TypeAdded,
            Minor,
            Minor,
            READ,
        ),
        case(
            "paging_added",
            vec![Replace(
                "operationId: Org_List\n      tags: [Org]\n",
                "operationId: Org_List\n      tags: [Org]\n      x-cyberark-paging: {style: redrock}\n",
            )],
            K::PagingChanged,
            Minor,
            Minor,
            LIST,
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
