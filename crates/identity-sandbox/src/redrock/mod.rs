//! A small Redrock query evaluator: enough of the tenant's SQL-like query service for the
//! queries the official SDKs send (users by name or ID, connectors), run over the sandbox's
//! own tables, with a typed refusal for anything it cannot run.

mod eval;
mod parse;

pub use eval::run;
