//! Discovery: a second listener plays CyberArk's `pod0`, where a user who knows only their
//! login name (`name@suffix`, or just `@suffix` as CyberArk's SDKs send it) starts signing in,
//! and which answers StartAuthentication with the `PodFqdn` of the tenant's own pod.

use super::Ctx;
use crate::envelope::{ApiError, ErrorKind};

/// The hosts (`127.0.0.1:port`) of the discovery pod and of the tenant's pod.
#[derive(Debug, Clone)]
pub struct Pods {
    /// Where the discovery pod listens.
    pub discovery: String,
    /// Where the tenant's pod (the sandbox's main listener) listens.
    pub tenant: String,
}

/// `Some(pod)` when this StartAuthentication reached the discovery pod for a login of this
/// tenant, which then only names the tenant's pod; `None` on the tenant's own pod.
pub fn redirect(ctx: &Ctx, user: &str) -> Result<Option<String>, ApiError> {
    let Some(pods) = ctx.app.pods.get() else {
        return Ok(None);
    };
    let host = ctx
        .headers
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    if !host.eq_ignore_ascii_case(&pods.discovery) {
        return Ok(None);
    }
    let suffix = user.rsplit_once('@').map(|(_, s)| s).unwrap_or_default();
    let known = suffix.eq_ignore_ascii_case(crate::seed::SUFFIX)
        || ctx.app.read().users.by_name(user).is_some();
    if !known {
        return Err(ApiError::new(
            ErrorKind::NotFound,
            format!("No tenant serves the login {user}."),
        ));
    }
    Ok(Some(pods.tenant.clone()))
}
