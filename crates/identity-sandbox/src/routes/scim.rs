//! Stub.
use super::{Ctx, Outcome};
use crate::envelope::{Reply, ok_null};
pub fn list_groups(_ctx: &Ctx) -> Reply {
    ok_null()
}
pub fn delete_group(_ctx: &Ctx) -> Reply {
    ok_null()
}
pub fn create_user(_ctx: &Ctx) -> Reply {
    ok_null()
}
pub fn replace_user(_ctx: &Ctx) -> Reply {
    ok_null()
}
