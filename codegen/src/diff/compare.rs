//! The comparison itself: operations by operationId (or method and path), fields by wire name
//! (or case, or position and type), types by name (or contents).

use super::{Bump, Change, ChangeKind, Impact, Report};
use crate::ir::{Api, Arm, Body, Field, Operation, Tag, TypeDef, TypeKind, TypeRef, Variant};
use std::collections::{BTreeMap, BTreeSet};

/// Compares two loaded APIs and classifies every change for both generated packages.
pub fn diff(old: &Api, new: &Api) -> Report {
    let mut cx = Cx {
        old,
        new,
        old_roles: roles(old),
        new_roles: roles(new),
        changes: Vec::new(),
    };
    cx.operations();
    cx.types();
    Report {
        changes: cx.changes,
    }
}

/// How user code meets a type: it builds values of it (input), reads them (output), or both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Role {
    input: bool,
    output: bool,
}

impl Role {
    fn union(self, other: Role) -> Role {
        Role {
            input: self.input || other.input,
            output: self.output || other.output,
        }
    }
}

/// The role of every named type: reachable from a request field (input), from a result or a
/// paging item (output). A type no operation reaches is public all the same, so it counts as both.
fn roles(api: &Api) -> BTreeMap<String, Role> {
    let mut input = BTreeSet::new();
    let mut output = BTreeSet::new();
    for op in &api.operations {
        for f in &op.request.fields {
            reach(api, &f.ty, &mut input);
        }
        reach(api, &op.result, &mut output);
        if let Some(p) = &op.paging {
            reach(api, &p.item, &mut output);
        }
    }
    api.types
        .keys()
        .map(|name| {
            let role = Role {
                input: input.contains(name),
                output: output.contains(name),
            };
            let role = if role == Role::default() {
                Role {
                    input: true,
                    output: true,
                }
            } else {
                role
            };
            (name.clone(), role)
        })
        .collect()
}

fn reach(api: &Api, ty: &TypeRef, seen: &mut BTreeSet<String>) {
    match ty {
        TypeRef::Named(n) => {
            if !seen.insert(n.clone()) {
                return;
            }
            match api.types.get(n).map(|d| &d.kind) {
                Some(TypeKind::Struct { fields, .. }) => {
                    for f in fields {
                        reach(api, &f.ty, seen);
                    }
                }
                Some(TypeKind::Alias { target }) => reach(api, target, seen),
                _ => {}
            }
        }
        TypeRef::List(inner) | TypeRef::Map(inner) => reach(api, inner, seen),
        _ => {}
    }
}

/// How a field is generated in Rust: a plain `T` (a constructor argument), an `Option<T>`
/// (a setter) or a `Nullable<T>` (a setter and a `clear_` method).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Plain,
    Optional,
    Nullable,
}

fn shape(f: &Field) -> Shape {
    if f.null_clears {
        Shape::Nullable
    } else if f.is_optional() {
        Shape::Optional
    } else {
        Shape::Plain
    }
}

/// The Rust spelling of a field's generated type, for reasons.
fn rust_field_ty(f: &Field) -> String {
    let inner = rust_ty(&f.ty);
    match shape(f) {
        Shape::Plain => inner,
        Shape::Optional => format!("Option<{inner}>"),
        Shape::Nullable => format!("Nullable<{inner}>"),
    }
}

fn rust_ty(t: &TypeRef) -> String {
    match t {
        TypeRef::String => "String".into(),
        TypeRef::Secret => "Secret".into(),
        TypeRef::Bool => "bool".into(),
        TypeRef::I32 => "i32".into(),
        TypeRef::I64 => "i64".into(),
        TypeRef::F64 => "f64".into(),
        TypeRef::Json => "JsonValue".into(),
        TypeRef::Unit => "()".into(),
        TypeRef::File => "FilePart".into(),
        TypeRef::Bytes => "ByteStream".into(),
        TypeRef::DateTime => "DateTime".into(),
        TypeRef::Date => "Date".into(),
        TypeRef::Uuid => "Uuid".into(),
        TypeRef::UnixTime => "UnixTime".into(),
        TypeRef::UnixTimeMicros => "UnixTimeMicros".into(),
        TypeRef::Named(n) => n.clone(),
        TypeRef::List(i) => format!("Vec<{}>", rust_ty(i)),
        TypeRef::Map(i) => format!("BTreeMap<String, {}>", rust_ty(i)),
    }
}

/// What a value of the type is in Python; two types with the same category read the same there.
fn py_ty(api: &Api, t: &TypeRef) -> String {
    match t {
        TypeRef::String => "str".into(),
        TypeRef::Secret => "secret str".into(),
        TypeRef::Bool => "bool".into(),
        TypeRef::I32 | TypeRef::I64 => "int".into(),
        TypeRef::F64 => "float".into(),
        TypeRef::Json => "Any".into(),
        TypeRef::Unit => "None".into(),
        TypeRef::File => "file".into(),
        TypeRef::Bytes => "bytes".into(),
        // Python reads a date-time as `datetime` (the text when it is not one), a Unix time as
        // `datetime` (the integer when Python cannot hold the instant): see `emit::stubs`.
        TypeRef::DateTime => "datetime | str".into(),
        TypeRef::UnixTime | TypeRef::UnixTimeMicros => "datetime | int".into(),
        TypeRef::Date | TypeRef::Uuid => "str".into(),
        TypeRef::Named(n) => match api.types.get(n).map(|d| &d.kind) {
            Some(TypeKind::Alias { target }) => py_ty(api, target),
            // String enums cross to Python as plain `str` (see `emit::python`).
            Some(TypeKind::Enum { .. }) => "str".into(),
            _ => n.clone(),
        },
        TypeRef::List(i) => format!("list[{}]", py_ty(api, i)),
        TypeRef::Map(i) => format!("dict[str, {}]", py_ty(api, i)),
    }
}

/// Whether a value of the old type may no longer fit the new one though both read the same in
/// Python: an `int` narrowed from 64 to 32 bits, which the bindings check in both directions
/// (an argument of 2³¹ or more raises, and so does decoding such a value in an answer).
fn narrows(old_api: &Api, old: &TypeRef, new_api: &Api, new: &TypeRef) -> bool {
    let resolve = |api: &Api, t: &TypeRef| -> TypeRef {
        match t {
            TypeRef::Named(n) => match api.types.get(n).map(|d| &d.kind) {
                Some(TypeKind::Alias { target }) => target.clone(),
                _ => t.clone(),
            },
            _ => t.clone(),
        }
    };
    match (resolve(old_api, old), resolve(new_api, new)) {
        (TypeRef::I64, TypeRef::I32) => true,
        (TypeRef::List(a), TypeRef::List(b)) | (TypeRef::Map(a), TypeRef::Map(b)) => {
            narrows(old_api, &a, new_api, &b)
        }
        _ => false,
    }
}

/// Where fields live, for subjects and reasons.
struct Owner {
    /// `Org_Create request` or `Org`.
    subject: String,
    /// The Rust struct, e.g. `OrgCreateRequest`.
    rust_item: String,
    /// The Python callable that takes the fields, e.g. `client.org.create` or `Org`.
    python_call: String,
    /// How Rust code meets the fields.
    role: Role,
    /// How Python code meets them: every generated class has a public constructor taking its
    /// fields (required ones positionally, in order), and is accepted as a dict keyed by the
    /// API's own names, so a result class is an input in Python too.
    python_role: Role,
    /// Whether the fields belong to a class, whose dict inputs and `to_dict()` use wire names
    /// (a method's keywords are the fields' Python names only).
    class: bool,
}

struct Cx<'a> {
    old: &'a Api,
    new: &'a Api,
    old_roles: BTreeMap<String, Role>,
    new_roles: BTreeMap<String, Role>,
    changes: Vec<Change>,
}

impl Cx<'_> {
    fn push(
        &mut self,
        kind: ChangeKind,
        subject: impl Into<String>,
        detail: impl Into<String>,
        rust: Impact,
        python: Impact,
    ) {
        self.changes.push(Change {
            kind,
            subject: subject.into(),
            detail: detail.into(),
            rust,
            python,
        });
    }

    fn operations(&mut self) {
        let old_by_id: BTreeMap<&str, &Operation> = self
            .old
            .operations
            .iter()
            .map(|o| (o.id.as_str(), o))
            .collect();
        let new_ids: BTreeSet<&str> = self.new.operations.iter().map(|o| o.id.as_str()).collect();
        let mut matched = BTreeSet::new();
        for n in &self.new.operations {
            let old = old_by_id.get(n.id.as_str()).copied().or_else(|| {
                // An operation whose id disappeared but whose method and path remain was renamed.
                self.old.operations.iter().find(|o| {
                    !new_ids.contains(o.id.as_str()) && o.method == n.method && o.path == n.path
                })
            });
            match old {
                Some(o) if !matched.contains(&o.id) => {
                    matched.insert(o.id.clone());
                    self.operation(o, n);
                }
                _ => {
                    let handle = handle_of(self.new, &n.tag);
                    self.push(
                        ChangeKind::OperationAdded,
                        &n.id,
                        format!("added ({} {})", n.method.as_str(), n.path),
                        Impact::new(
                            Bump::Minor,
                            format!("new method `client.{handle}().{}`", n.method_name),
                        ),
                        Impact::new(
                            Bump::Minor,
                            format!("new method `client.{handle}.{}`", n.method_name),
                        ),
                    );
                }
            }
        }
        for o in &self.old.operations {
            if !matched.contains(&o.id) {
                let handle = handle_of(self.old, &o.tag);
                self.push(
                    ChangeKind::OperationRemoved,
                    &o.id,
                    format!("removed ({} {})", o.method.as_str(), o.path),
                    Impact::new(
                        Bump::Major,
                        format!(
                            "`client.{handle}().{}` and `{}` are gone",
                            o.method_name, o.request.type_name
                        ),
                    ),
                    Impact::new(
                        Bump::Major,
                        format!("`client.{handle}.{}` is gone", o.method_name),
                    ),
                );
            }
        }
    }

    fn operation(&mut self, o: &Operation, n: &Operation) {
        let id = n.id.clone();
        let (old_handle, new_handle) = (handle_of(self.old, &o.tag), handle_of(self.new, &n.tag));
        if o.method_name != n.method_name {
            self.push(
                ChangeKind::OperationRenamed,
                &id,
                format!(
                    "renamed from {} ({} → {})",
                    o.id, o.method_name, n.method_name
                ),
                Impact::new(
                    Bump::Major,
                    format!(
                        "`client.{old_handle}().{}` is now `{}`",
                        o.method_name, n.method_name
                    ),
                ),
                Impact::new(
                    Bump::Major,
                    format!(
                        "`client.{old_handle}.{}` is now `{}`",
                        o.method_name, n.method_name
                    ),
                ),
            );
        } else if o.id != n.id {
            let same = "the operationId changes; every generated name stays";
            self.push(
                ChangeKind::OperationRenamed,
                &id,
                format!("operationId {} → {}", o.id, n.id),
                Impact::new(Bump::Patch, same),
                Impact::new(Bump::Patch, same),
            );
        }
        if old_handle != new_handle {
            self.push(
                ChangeKind::OperationMovedTag,
                &id,
                format!("moved from tag {} to {}", o.tag, n.tag),
                Impact::new(
                    Bump::Major,
                    format!(
                        "`client.{old_handle}().{m}` is now `client.{new_handle}().{m}`",
                        m = n.method_name
                    ),
                ),
                Impact::new(
                    Bump::Major,
                    format!(
                        "`client.{old_handle}.{m}` is now `client.{new_handle}.{m}`",
                        m = n.method_name
                    ),
                ),
            );
        }
        if o.method != n.method || o.path != n.path {
            let wire = "the request goes elsewhere on the wire; the generated API is unchanged";
            self.push(
                ChangeKind::OperationWireChanged,
                &id,
                format!(
                    "{} {} → {} {}",
                    o.method.as_str(),
                    o.path,
                    n.method.as_str(),
                    n.path
                ),
                Impact::new(Bump::Patch, wire),
                Impact::new(Bump::Patch, wire),
            );
        }
        if o.idempotent != n.idempotent {
            let why = if n.idempotent {
                "behaviour: the client now resends after a 502/503/504 or a connection error"
            } else {
                "behaviour: the client no longer resends after a 502/503/504 or a connection error"
            };
            self.push(
                ChangeKind::IdempotencyChanged,
                &id,
                format!("idempotent {} → {}", o.idempotent, n.idempotent),
                Impact::new(Bump::Patch, why),
                Impact::new(Bump::Patch, why),
            );
        }
        if o.secured != n.secured || o.convention != n.convention {
            let why = "behaviour: authentication or error decoding changes; the API is unchanged";
            self.push(
                ChangeKind::ConventionChanged,
                &id,
                format!(
                    "secured {} → {}, convention {:?} → {:?}",
                    o.secured, n.secured, o.convention, n.convention
                ),
                Impact::new(Bump::Patch, why),
                Impact::new(Bump::Patch, why),
            );
        }
        if o.deprecated.is_some() != n.deprecated.is_some() {
            let (rust, python) = if n.deprecated.is_some() {
                (
                    "callers get a deprecation warning from the compiler; code still builds",
                    "calls raise a DeprecationWarning (an error where warnings are errors)",
                )
            } else {
                (
                    "the deprecation warning is gone",
                    "no more DeprecationWarning",
                )
            };
            self.push(
                ChangeKind::DeprecationChanged,
                &id,
                format!(
                    "deprecated {} → {}",
                    o.deprecated.is_some(),
                    n.deprecated.is_some()
                ),
                Impact::new(Bump::Minor, rust),
                Impact::new(Bump::Minor, python),
            );
        }
        self.paging(&id, o, n, &new_handle);
        if o.result != n.result {
            let python = if o.result == TypeRef::Unit {
                Impact::new(Bump::Minor, "returns an object where it returned None")
            } else if py_ty(self.old, &o.result) == py_ty(self.new, &n.result) {
                Impact::new(Bump::Patch, "the result reads the same in Python")
            } else {
                Impact::new(
                    Bump::Major,
                    format!(
                        "returns `{}` instead of `{}`",
                        py_ty(self.new, &n.result),
                        py_ty(self.old, &o.result)
                    ),
                )
            };
            self.push(
                ChangeKind::ResultRetyped,
                &id,
                format!("result {} → {}", rust_ty(&o.result), rust_ty(&n.result)),
                Impact::new(
                    Bump::Major,
                    format!(
                        "`{}` returns `{}` instead of `{}`",
                        n.method_name,
                        rust_ty(&n.result),
                        rust_ty(&o.result)
                    ),
                ),
                python,
            );
        }
        if o.request.type_name != n.request.type_name {
            self.push(
                ChangeKind::RequestRenamed,
                &id,
                format!(
                    "request struct {} → {}",
                    o.request.type_name, n.request.type_name
                ),
                Impact::new(
                    Bump::Major,
                    format!("`{}` is now `{}`", o.request.type_name, n.request.type_name),
                ),
                Impact::new(
                    Bump::Patch,
                    "Python calls take keywords; no request class is exposed",
                ),
            );
        }
        let (old_extra, new_extra) = (body_extra(o), body_extra(n));
        if old_extra != new_extra {
            let (rust, python) = if new_extra {
                (
                    Impact::new(
                        Bump::Minor,
                        format!("new `{}::extra_field`", n.request.type_name),
                    ),
                    Impact::new(Bump::Minor, "the call takes further body keys"),
                )
            } else {
                (
                    Impact::new(
                        Bump::Major,
                        format!("`{}::extra_field` is gone", n.request.type_name),
                    ),
                    Impact::new(Bump::Major, "the call no longer takes further body keys"),
                )
            };
            self.push(
                ChangeKind::BodyExtraChanged,
                &id,
                format!("body takes further keys: {old_extra} → {new_extra}"),
                rust,
                python,
            );
        }
        let owner = Owner {
            subject: format!("{id} request"),
            rust_item: n.request.type_name.clone(),
            python_call: format!("client.{new_handle}.{}", n.method_name),
            role: Role {
                input: true,
                output: false,
            },
            python_role: Role {
                input: true,
                output: false,
            },
            class: false,
        };
        self.fields(&owner, &o.request.fields, &n.request.fields);
    }

    fn paging(&mut self, id: &str, o: &Operation, n: &Operation, handle: &str) {
        let stream = format!("client.{handle}().{}_stream", n.method_name);
        let iter = format!(
            "client.{handle}.{}_iter",
            crate::names::python_ident(&n.method_name)
        );
        match (&o.paging, &n.paging) {
            (None, None) => {}
            (None, Some(_)) => self.push(
                ChangeKind::PagingChanged,
                id,
                "became pageable",
                Impact::new(Bump::Minor, format!("new method `{stream}`")),
                Impact::new(Bump::Minor, format!("new method `{iter}`")),
            ),
            (Some(_), None) => self.push(
                ChangeKind::PagingChanged,
                id,
                "no longer pageable",
                Impact::new(Bump::Major, format!("`{stream}` is gone")),
                Impact::new(Bump::Major, format!("`{iter}` is gone")),
            ),
            (Some(a), Some(b)) => {
                if a.item != b.item {
                    let same_py = py_ty(self.old, &a.item) == py_ty(self.new, &b.item);
                    self.push(
                        ChangeKind::PagingChanged,
                        id,
                        format!("paged item {} → {}", rust_ty(&a.item), rust_ty(&b.item)),
                        Impact::new(
                            Bump::Major,
                            format!("`{stream}` yields `{}`", rust_ty(&b.item)),
                        ),
                        if same_py {
                            Impact::new(Bump::Patch, "the items read the same in Python")
                        } else {
                            Impact::new(
                                Bump::Major,
                                format!("`{iter}` yields `{}`", py_ty(self.new, &b.item)),
                            )
                        },
                    );
                } else if a != b {
                    let why = "behaviour: pages are requested or read another way";
                    self.push(
                        ChangeKind::PagingChanged,
                        id,
                        format!("paging {:?} → {:?}", a.style, b.style),
                        Impact::new(Bump::Patch, why),
                        Impact::new(Bump::Patch, why),
                    );
                }
            }
        }
    }

    /// Compares the fields of a request or struct.
    fn fields(&mut self, owner: &Owner, old: &[Field], new: &[Field]) {
        let pairs = match_fields(old, new, |a, b| a.ty == b.ty);
        let ctor = format!("{}::new", owner.rust_item);
        for (oi, ni) in &pairs.matched {
            self.field(owner, &old[*oi], &new[*ni]);
        }
        // The constructor takes the plain fields in order; Python's positional arguments too.
        let old_order: Vec<&str> = pairs
            .matched
            .iter()
            .filter(|(o, n)| shape(&old[*o]) == Shape::Plain && shape(&new[*n]) == Shape::Plain)
            .map(|(o, _)| old[*o].rust.as_str())
            .collect();
        let mut new_order: Vec<(usize, &str)> = pairs
            .matched
            .iter()
            .filter(|(o, n)| shape(&old[*o]) == Shape::Plain && shape(&new[*n]) == Shape::Plain)
            .map(|(o, n)| (*n, old[*o].rust.as_str()))
            .collect();
        new_order.sort();
        let new_order: Vec<&str> = new_order.into_iter().map(|(_, r)| r).collect();
        if old_order != new_order {
            let python = if owner.python_role.input {
                Impact::new(
                    Bump::Major,
                    format!(
                        "positional arguments of `{}` come in another order: calls of the same types silently swap values",
                        owner.python_call
                    ),
                )
            } else {
                Impact::new(Bump::None, "results are read by attribute")
            };
            self.push(
                ChangeKind::FieldsReordered,
                &owner.subject,
                format!(
                    "required fields reordered: {} → {}",
                    old_order.join(", "),
                    new_order.join(", ")
                ),
                Impact::new(
                    Bump::Major,
                    format!("`{ctor}` takes its arguments in another order"),
                ),
                python,
            );
        }
        for i in &pairs.added {
            let f = &new[*i];
            let mut rust = Impact::new(Bump::None, "");
            let mut python = Impact::new(Bump::None, "");
            let plain = shape(f) == Shape::Plain;
            if owner.role.input {
                rust = rust.max(if plain {
                    Impact::new(
                        Bump::Major,
                        format!("new required field: callers of `{ctor}` break"),
                    )
                } else {
                    Impact::new(
                        Bump::Minor,
                        format!(
                            "new optional field: a new setter `{}::{}`",
                            owner.rust_item, f.rust
                        ),
                    )
                });
            }
            if owner.role.output {
                rust = rust.max(if plain {
                    Impact::new(
                        Bump::Major,
                        format!(
                            "new required field: `{ctor}` (used to build `{}` in tests) gains an argument",
                            owner.rust_item
                        ),
                    )
                } else {
                    Impact::new(
                        Bump::Minor,
                        format!("new field `{}.{}`", owner.rust_item, f.rust),
                    )
                });
                python = python.max(Impact::new(
                    Bump::Minor,
                    format!("new attribute `{}.{}`", owner.python_call, f.python),
                ));
            }
            if owner.python_role.input {
                python = python.max(if plain {
                    Impact::new(
                        Bump::Major,
                        format!(
                            "new required argument `{}` of `{}`: calls without it raise `TypeError`",
                            f.python, owner.python_call
                        ),
                    )
                } else {
                    Impact::new(
                        Bump::Minor,
                        format!(
                            "new keyword-only argument `{}` of `{}`",
                            f.python, owner.python_call
                        ),
                    )
                });
            }
            // A new field that takes a generated name another field had moves that name: code
            // using it now reaches the new field, silently.
            if let Some(o) = old.iter().find(|o| o.rust == f.rust) {
                rust = rust.max(Impact::new(
                    Bump::Major,
                    format!(
                        "`{}.{}` now holds `{}`; it held `{}` before",
                        owner.rust_item, f.rust, f.wire, o.wire
                    ),
                ));
            }
            if let Some(o) = old.iter().find(|o| o.python == f.python) {
                python = python.max(Impact::new(
                    Bump::Major,
                    format!(
                        "`{}` of `{}` now means `{}`; it meant `{}` before",
                        f.python, owner.python_call, f.wire, o.wire
                    ),
                ));
            }
            self.push(
                ChangeKind::FieldAdded,
                format!("{} {}", owner.subject, f.wire),
                format!(
                    "added ({}, {})",
                    if plain { "required" } else { "optional" },
                    rust_field_ty(f)
                ),
                rust,
                python,
            );
        }
        for i in &pairs.removed {
            let f = &old[*i];
            let python = if owner.class {
                format!(
                    "attribute and keyword `{}` of `{}` are gone",
                    f.python, owner.python_call
                )
            } else {
                format!("keyword `{}` of `{}` is gone", f.python, owner.python_call)
            };
            self.push(
                ChangeKind::FieldRemoved,
                format!("{} {}", owner.subject, f.wire),
                "removed",
                Impact::new(
                    Bump::Major,
                    format!(
                        "field `{}.{}` (and its argument or setter) is gone",
                        owner.rust_item, f.rust
                    ),
                ),
                Impact::new(Bump::Major, python),
            );
        }
    }

    /// Compares one field with its counterpart.
    fn field(&mut self, owner: &Owner, o: &Field, n: &Field) {
        let subject = format!("{} {}", owner.subject, n.wire);
        let item = &owner.rust_item;
        if o.wire != n.wire || o.rust != n.rust || o.python != n.python {
            let rust = if o.rust == n.rust {
                Impact::new(
                    Bump::Patch,
                    format!(
                        "wire name only: the field keeps its name `{item}.{}`",
                        n.rust
                    ),
                )
            } else {
                Impact::new(
                    Bump::Major,
                    format!("`{item}.{}` is now `{item}.{}`", o.rust, n.rust),
                )
            };
            let call = &owner.python_call;
            let python = if o.python != n.python {
                Impact::new(
                    Bump::Major,
                    format!("`{}` of `{call}` is now `{}`", o.python, n.python),
                )
            } else if owner.class && o.wire != n.wire {
                // Dict inputs and `to_dict()` of a class use the API's own key names.
                Impact::new(
                    Bump::Major,
                    format!(
                        "`{call}` keeps `{}`, but its dict inputs and `to_dict()` use the key `{}` instead of `{}`",
                        n.python, n.wire, o.wire
                    ),
                )
            } else {
                Impact::new(
                    Bump::Patch,
                    format!("wire name only: `{}` of `{call}` keeps its name", n.python),
                )
            };
            let detail = if o.wire != n.wire {
                format!("renamed from {}", o.wire)
            } else {
                format!(
                    "same wire name, generated names {} → {} (a collision suffix moved)",
                    o.rust, n.rust
                )
            };
            self.push(ChangeKind::FieldRenamed, &subject, detail, rust, python);
        }
        if o.style != n.style && o.ty == n.ty {
            let why =
                "the list is spelled another way in the query; the generated API is unchanged";
            self.push(
                ChangeKind::ParameterStyleChanged,
                &subject,
                format!("style {:?} → {:?}", o.style, n.style),
                Impact::new(Bump::Patch, why),
                Impact::new(Bump::Patch, why),
            );
        }
        if o.boxed != n.boxed && o.ty == n.ty {
            let (from, to) = if n.boxed {
                ("T", "Box<T>")
            } else {
                ("Box<T>", "T")
            };
            self.push(
                ChangeKind::FieldBoxingChanged,
                &subject,
                format!(
                    "the type {} its holder",
                    if n.boxed {
                        "now leads back to"
                    } else {
                        "no longer leads back to"
                    }
                ),
                Impact::new(
                    Bump::Major,
                    format!("`{item}.{}` is held as `{to}` instead of `{from}`", n.rust),
                ),
                Impact::new(Bump::Patch, "Python holds every object by reference"),
            );
        }
        if o.location != n.location {
            let why = "the value travels elsewhere on the wire; the generated API is unchanged";
            self.push(
                ChangeKind::FieldMoved,
                &subject,
                format!("moved from {:?} to {:?}", o.location, n.location),
                Impact::new(Bump::Patch, why),
                Impact::new(Bump::Patch, why),
            );
        }
        let (os, ns) = (shape(o), shape(n));
        let kind = if o.required != n.required {
            if n.required {
                Some(ChangeKind::FieldMadeRequired)
            } else {
                Some(ChangeKind::FieldMadeOptional)
            }
        } else if o.nullable != n.nullable || o.null_clears != n.null_clears {
            Some(ChangeKind::FieldNullabilityChanged)
        } else {
            None
        };
        if let Some(kind) = kind {
            let (rust, python) = shape_impacts(owner, n, os, ns);
            self.push(
                kind,
                &subject,
                format!(
                    "required {} → {}, nullable {} → {}",
                    o.required, n.required, o.nullable, n.nullable
                ),
                rust,
                python,
            );
        }
        if o.ty != n.ty {
            let (op, np) = (py_ty(self.old, &o.ty), py_ty(self.new, &n.ty));
            let python = if op == np && narrows(self.old, &o.ty, self.new, &n.ty) {
                Impact::new(
                    Bump::Major,
                    format!(
                        "`{}` of `{}` is still `{op}`, but values of 2³¹ and above now raise, as arguments and in answers",
                        n.python, owner.python_call
                    ),
                )
            } else if op == np {
                Impact::new(Bump::Patch, format!("`{op}` in Python either way"))
            } else {
                Impact::new(
                    Bump::Major,
                    format!(
                        "`{}` of `{}` is `{np}` instead of `{op}`",
                        n.python, owner.python_call
                    ),
                )
            };
            self.push(
                ChangeKind::FieldRetyped,
                &subject,
                format!("type {} → {}", rust_ty(&o.ty), rust_ty(&n.ty)),
                Impact::new(
                    Bump::Major,
                    format!(
                        "`{item}.{}` changes type from `{}` to `{}`",
                        n.rust,
                        rust_ty(&o.ty),
                        rust_ty(&n.ty)
                    ),
                ),
                python,
            );
        }
    }

    fn types(&mut self) {
        let removed: Vec<&TypeDef> = self
            .old
            .types
            .values()
            .filter(|t| !self.new.types.contains_key(&t.name))
            .collect();
        let mut added: Vec<&TypeDef> = self
            .new
            .types
            .values()
            .filter(|t| !self.old.types.contains_key(&t.name))
            .collect();
        for r in removed {
            // A type with the same non-empty contents under a new name was renamed.
            let renamed = added
                .iter()
                .position(|a| a.kind == r.kind && !is_empty(&a.kind));
            if let Some(i) = renamed {
                let a = added.remove(i);
                self.push(
                    ChangeKind::TypeRenamed,
                    format!("type {}", a.name),
                    format!("renamed from {}", r.name),
                    Impact::new(Bump::Major, format!("`{}` is now `{}`", r.name, a.name)),
                    python_class_impact(&a.kind, Bump::Major, || {
                        format!("class `{}` is now `{}`", r.name, a.name)
                    }),
                );
            } else {
                self.push(
                    ChangeKind::TypeRemoved,
                    format!("type {}", r.name),
                    "removed",
                    Impact::new(Bump::Major, format!("`{}` is gone", r.name)),
                    python_class_impact(&r.kind, Bump::Major, || {
                        format!("class `{}` is gone", r.name)
                    }),
                );
            }
        }
        for a in added {
            self.push(
                ChangeKind::TypeAdded,
                format!("type {}", a.name),
                "added",
                Impact::new(Bump::Minor, format!("new type `{}`", a.name)),
                python_class_impact(&a.kind, Bump::Minor, || format!("new class `{}`", a.name)),
            );
        }
        let both: Vec<(&TypeDef, &TypeDef)> = self
            .old
            .types
            .values()
            .filter_map(|o| self.new.types.get(&o.name).map(|n| (o, n)))
            .collect();
        for (o, n) in both {
            let role = self
                .old_roles
                .get(&o.name)
                .copied()
                .unwrap_or_default()
                .union(self.new_roles.get(&n.name).copied().unwrap_or_default());
            self.type_def(o, n, role);
        }
    }

    fn type_def(&mut self, o: &TypeDef, n: &TypeDef, role: Role) {
        let subject = format!("type {}", n.name);
        match (&o.kind, &n.kind) {
            (TypeKind::Struct { fields: of, .. }, TypeKind::Struct { fields: nf, .. }) => {
                let owner = Owner {
                    subject: n.name.clone(),
                    rust_item: n.name.clone(),
                    python_call: n.name.clone(),
                    role,
                    python_role: Role {
                        input: true,
                        output: role.output,
                    },
                    class: true,
                };
                self.fields(&owner, of, nf);
            }
            (TypeKind::Enum { variants: ov }, TypeKind::Enum { variants: nv }) => {
                self.variants(&n.name, ov, nv);
            }
            (
                TypeKind::Union {
                    arms: oa,
                    discriminator: od,
                },
                TypeKind::Union {
                    arms: na,
                    discriminator: nd,
                },
            ) => self.arms(&n.name, (oa, od.as_deref()), (na, nd.as_deref())),
            (TypeKind::Alias { target: ot }, TypeKind::Alias { target: nt }) => {
                if ot != nt {
                    let same_py = py_ty(self.old, ot) == py_ty(self.new, nt);
                    self.push(
                        ChangeKind::TypeKindChanged,
                        subject,
                        format!("alias of {} → {}", rust_ty(ot), rust_ty(nt)),
                        Impact::new(
                            Bump::Major,
                            format!("`{}` is now `{}`", n.name, rust_ty(nt)),
                        ),
                        if same_py {
                            Impact::new(Bump::Patch, "reads the same in Python")
                        } else {
                            Impact::new(Bump::Major, format!("`{}` changes type", n.name))
                        },
                    );
                }
            }
            _ => self.push(
                ChangeKind::TypeKindChanged,
                subject,
                format!("{} → {}", kind_name(&o.kind), kind_name(&n.kind)),
                Impact::new(
                    Bump::Major,
                    format!(
                        "`{}` is now a {} instead of a {}",
                        n.name,
                        kind_name(&n.kind),
                        kind_name(&o.kind)
                    ),
                ),
                if py_ty(self.old, &TypeRef::Named(o.name.clone()))
                    == py_ty(self.new, &TypeRef::Named(n.name.clone()))
                {
                    Impact::new(
                        Bump::Patch,
                        format!(
                            "values of `{}` are `{}` in Python either way",
                            n.name,
                            py_ty(self.new, &TypeRef::Named(n.name.clone()))
                        ),
                    )
                } else {
                    Impact::new(Bump::Major, format!("`{}` changes kind", n.name))
                },
            ),
        }
    }

    /// Arms of a union, matched by variant name. An added arm is minor in Rust (the enum is
    /// `#[non_exhaustive]`, and a value the old client kept as `Unknown` now has a type) and in
    /// Python (one more type in the union); a removed arm breaks code that names it.
    fn arms(&mut self, name: &str, old: (&[Arm], Option<&str>), new: (&[Arm], Option<&str>)) {
        let (oa, od) = old;
        let (na, nd) = new;
        for a in na.iter().filter(|a| !oa.iter().any(|o| o.rust == a.rust)) {
            self.push(
                ChangeKind::UnionArmAdded,
                format!("type {name}"),
                format!("arm {} added", a.rust),
                Impact::new(Bump::Minor, format!("new variant `{name}::{}`", a.rust)),
                Impact::new(
                    Bump::Minor,
                    format!(
                        "where the spec's union `{name}` is expected, a `{}` is accepted and returned too",
                        py_ty(self.new, &a.ty)
                    ),
                ),
            );
        }
        for a in oa.iter().filter(|a| !na.iter().any(|n| n.rust == a.rust)) {
            self.push(
                ChangeKind::UnionArmRemoved,
                format!("type {name}"),
                format!("arm {} removed", a.rust),
                Impact::new(Bump::Major, format!("variant `{name}::{}` is gone", a.rust)),
                Impact::new(
                    Bump::Major,
                    format!(
                        "where the spec's union `{name}` is expected, a `{}` is no longer accepted, and answers hold its JSON instead",
                        py_ty(self.old, &a.ty)
                    ),
                ),
            );
        }
        for o in oa {
            let Some(n) = na.iter().find(|n| n.rust == o.rust) else {
                continue;
            };
            if o.ty != n.ty {
                self.push(
                    ChangeKind::TypeKindChanged,
                    format!("type {name}"),
                    format!("arm {} {} → {}", n.rust, rust_ty(&o.ty), rust_ty(&n.ty)),
                    Impact::new(
                        Bump::Major,
                        format!("`{name}::{}` holds `{}`", n.rust, rust_ty(&n.ty)),
                    ),
                    Impact::new(Bump::Major, format!("`{name}` changes type")),
                );
            }
        }
        let tags = |arms: &[Arm]| -> Vec<(String, Vec<String>)> {
            arms.iter()
                .map(|a| (a.rust.clone(), a.tags.clone()))
                .collect()
        };
        let (ot, nt) = (tags(oa), tags(na));
        let kept_tags_changed = ot
            .iter()
            .any(|(r, t)| nt.iter().any(|(nr, ntags)| nr == r && ntags != t));
        if od != nd || kept_tags_changed {
            let why = "the same JSON may now decode into another arm";
            self.push(
                ChangeKind::UnionTagsChanged,
                format!("type {name}"),
                format!("discriminator {od:?} → {nd:?}"),
                Impact::new(Bump::Major, why),
                Impact::new(Bump::Major, why),
            );
        }
    }

    fn variants(&mut self, name: &str, old: &[Variant], new: &[Variant]) {
        let mut unmatched_old: Vec<&Variant> = Vec::new();
        let mut unmatched_new: Vec<&Variant> = new
            .iter()
            .filter(|n| !old.iter().any(|o| o.wire == n.wire))
            .collect();
        for o in old.iter().filter(|o| !new.iter().any(|n| n.wire == o.wire)) {
            // A value whose spelling changed only in case was renamed on the wire.
            match unmatched_new
                .iter()
                .position(|n| n.wire.eq_ignore_ascii_case(&o.wire))
            {
                Some(i) => {
                    let n = unmatched_new.remove(i);
                    let rust = if o.rust == n.rust {
                        Impact::new(
                            Bump::Patch,
                            format!(
                                "`{name}::{}` keeps its name; `{}` now arrives as `Unknown`",
                                n.rust, o.wire
                            ),
                        )
                    } else {
                        Impact::new(
                            Bump::Major,
                            format!("`{name}::{}` is now `{}`", o.rust, n.rust),
                        )
                    };
                    let python = Impact::new(Bump::Patch, plain_str(name, &n.wire, "now spelled"));
                    self.push(
                        ChangeKind::EnumValueRenamed,
                        format!("{name} value {}", n.wire),
                        format!("renamed from {}", o.wire),
                        rust,
                        python,
                    );
                }
                None => unmatched_old.push(o),
            }
        }
        for n in unmatched_new {
            // Generated enums are `#[non_exhaustive]` and carry `Unknown(String)`, so callers
            // already handle values they do not know: a new variant breaks no code.
            let rust = Impact::new(
                Bump::Minor,
                format!(
                    "new variant `{name}::{}`: enums are non-exhaustive, so no match breaks; before, the value arrived as `Unknown`",
                    n.rust
                ),
            );
            let python = Impact::new(Bump::Patch, plain_str(name, &n.wire, "now documented"));
            self.push(
                ChangeKind::EnumValueAdded,
                format!("{name} value {}", n.wire),
                "added",
                rust,
                python,
            );
        }
        for o in unmatched_old {
            self.push(
                ChangeKind::EnumValueRemoved,
                format!("{name} value {}", o.wire),
                "removed",
                Impact::new(Bump::Major, format!("variant `{name}::{}` is gone", o.rust)),
                Impact::new(
                    Bump::Patch,
                    plain_str(name, &o.wire, "no longer documented"),
                ),
            );
        }
    }
}

/// The Rust and Python effect of a field changing between `T`, `Option<T>` and `Nullable<T>`.
fn shape_impacts(owner: &Owner, n: &Field, os: Shape, ns: Shape) -> (Impact, Impact) {
    if os == ns {
        let same = "the contract changes, but the generated field is the same";
        return (
            Impact::new(Bump::Patch, same),
            Impact::new(Bump::Patch, same),
        );
    }
    (
        rust_shape_impact(owner, n, os, ns),
        python_shape_impact(owner, n, os, ns),
    )
}

/// The Rust side of [`shape_impacts`]: constructor arguments, setters and `clear_` methods of
/// inputs, and the field types of outputs (every field is public).
fn rust_shape_impact(owner: &Owner, n: &Field, os: Shape, ns: Shape) -> Impact {
    let item = &owner.rust_item;
    let ctor = format!("{item}::new");
    let mut rust = Impact::new(Bump::None, "");
    if owner.role.input {
        rust = rust.max(match (os, ns) {
            (Shape::Plain, _) => Impact::new(
                Bump::Major,
                format!("`{ctor}` loses its `{}` argument (now a setter)", n.rust),
            ),
            (_, Shape::Plain) => Impact::new(
                Bump::Major,
                format!("made required: callers of `{ctor}` must pass `{}`", n.rust),
            ),
            _ => Impact::new(
                Bump::Major,
                format!(
                    "`{item}.{}` changes between `Option` and `Nullable`{}",
                    n.rust,
                    if ns == Shape::Nullable {
                        String::new()
                    } else {
                        format!("; `{item}::clear_{}` is gone", n.rust)
                    }
                ),
            ),
        });
    }
    if owner.role.output {
        rust = rust.max(match (os, ns) {
            (_, Shape::Plain) => Impact::new(
                Bump::Major,
                format!(
                    "result field made required: `{item}.{}` changes from `Option<T>` to `T`",
                    n.rust
                ),
            ),
            _ => Impact::new(
                Bump::Major,
                format!("`{item}.{}` is now `{}`", n.rust, rust_field_ty(n)),
            ),
        });
    }
    rust
}

/// The Python side of [`shape_impacts`]: the constructor's or method's parameters (required
/// ones positional-or-keyword, the rest keyword-only, `clear_<name>` for a field whose `null`
/// clears it) and, for results, whether the attribute may be `None`.
fn python_shape_impact(owner: &Owner, n: &Field, os: Shape, ns: Shape) -> Impact {
    let call = &owner.python_call;
    let mut python = Impact::new(Bump::None, "");
    if owner.python_role.input {
        python = python.max(match (os, ns) {
            (Shape::Plain, _) => Impact::new(
                Bump::Major,
                format!(
                    "`{}` of `{call}` becomes keyword-only: positional calls raise `TypeError`",
                    n.python
                ),
            ),
            (_, Shape::Plain) => Impact::new(
                Bump::Major,
                format!(
                    "`{}` becomes a required argument of `{call}`: calls without it raise `TypeError`",
                    n.python
                ),
            ),
            (_, Shape::Nullable) => Impact::new(
                Bump::Minor,
                format!("new keyword `clear_{}` of `{call}`", n.python),
            ),
            _ => Impact::new(
                Bump::Major,
                format!(
                    "keyword `clear_{}` of `{call}` is gone: calls passing it raise `TypeError`",
                    n.python
                ),
            ),
        });
    }
    if owner.python_role.output {
        python = python.max(match (os, ns) {
            (Shape::Plain, _) => Impact::new(
                Bump::Major,
                format!(
                    "`{call}.{}` may now be None: code using it unchecked fails",
                    n.python
                ),
            ),
            (_, Shape::Plain) => Impact::new(
                Bump::Patch,
                format!("`{call}.{}` is never None now", n.python),
            ),
            _ => Impact::new(
                Bump::Patch,
                format!("`{call}.{}` reads None either way", n.python),
            ),
        });
    }
    python
}

/// The Python effect of a named type coming, going or being renamed: only structs are classes
/// there; enums are plain `str`, unions and aliases the types they stand for, so for those the
/// fields that use them carry the change.
fn python_class_impact(kind: &TypeKind, bump: Bump, reason: impl FnOnce() -> String) -> Impact {
    match kind {
        TypeKind::Struct { .. } => Impact::new(bump, reason()),
        TypeKind::Enum { .. } => Impact::new(
            Bump::None,
            "no Python class: the spec's enum is a plain `str` there",
        ),
        other => Impact::new(
            Bump::None,
            format!(
                "no Python class: the spec's {} reads as the types it stands for there",
                kind_name(other)
            ),
        ),
    }
}

/// The Python reason of an enum change: string enums are plain `str` there, so the package's API
/// does not change, only what the API documents.
fn plain_str(name: &str, wire: &str, what: &str) -> String {
    format!(
        "the spec's enum `{name}` is a plain `str` in Python, so the package is unchanged; `{wire}` is {what}"
    )
}

/// The result of matching two field lists.
struct Pairs {
    matched: Vec<(usize, usize)>,
    added: Vec<usize>,
    removed: Vec<usize>,
}

/// Matches fields by wire name, then by wire name ignoring case, then by position among the
/// remaining fields when `same_type` holds (a rename).
fn match_fields(old: &[Field], new: &[Field], same_type: impl Fn(&Field, &Field) -> bool) -> Pairs {
    let mut matched = Vec::new();
    let mut old_left: Vec<usize> = Vec::new();
    let mut new_used = vec![false; new.len()];
    for (oi, o) in old.iter().enumerate() {
        match new.iter().position(|n| n.wire == o.wire) {
            Some(ni) => {
                matched.push((oi, ni));
                new_used[ni] = true;
            }
            None => old_left.push(oi),
        }
    }
    let mut still_left = Vec::new();
    for oi in old_left {
        let found = new
            .iter()
            .enumerate()
            .position(|(ni, n)| !new_used[ni] && n.wire.eq_ignore_ascii_case(&old[oi].wire));
        match found {
            Some(ni) => {
                matched.push((oi, ni));
                new_used[ni] = true;
            }
            None => still_left.push(oi),
        }
    }
    let mut removed = Vec::new();
    for oi in still_left {
        // Same position and type: a rename rather than a removal plus an addition.
        if oi < new.len() && !new_used[oi] && same_type(&old[oi], &new[oi]) {
            matched.push((oi, oi));
            new_used[oi] = true;
        } else {
            removed.push(oi);
        }
    }
    matched.sort();
    let added = (0..new.len()).filter(|i| !new_used[*i]).collect();
    Pairs {
        matched,
        added,
        removed,
    }
}

fn handle_of(api: &Api, tag: &str) -> String {
    api.tags
        .iter()
        .find(|t: &&Tag| t.name == tag)
        .map(|t| t.handle.clone())
        .unwrap_or_else(|| crate::names::snake(tag))
}

fn body_extra(op: &Operation) -> bool {
    matches!(op.request.body, Body::JsonFields { extra: true })
}

fn is_empty(kind: &TypeKind) -> bool {
    match kind {
        TypeKind::Struct { fields, .. } => fields.is_empty(),
        TypeKind::Enum { variants } => variants.is_empty(),
        TypeKind::Union { arms, .. } => arms.is_empty(),
        TypeKind::Alias { .. } => false,
    }
}

fn kind_name(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Struct { .. } => "struct",
        TypeKind::Enum { .. } => "enum",
        TypeKind::Union { .. } => "union",
        TypeKind::Alias { .. } => "type alias",
    }
}
