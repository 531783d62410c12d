//! Validation of the tenant URL a client talks to.

use std::net::IpAddr;

use url::{Host, Url};

use crate::error::Error;

/// Parses a tenant URL as users write it: `abc1234.id.cyberark.cloud`, with or without a trailing
/// slash, or with `https://`.
///
/// Plain `http://` is refused except for loopback hosts, because a bearer token sent in clear
/// text is a leaked token; loopback is allowed so tests can use a local sandbox. A path prefix is
/// kept (operation paths are appended to it); query strings, fragments, credentials and other
/// schemes are refused because they would silently change every request.
pub fn parse_tenant_url(input: &str) -> Result<Url, Error> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(Error::config("the tenant URL is empty"));
    }
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_owned()
    } else {
        format!("https://{trimmed}")
    };
    let mut url = Url::parse(&with_scheme)
        .map_err(|e| Error::config(format!("the tenant URL `{trimmed}` is not a URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(Error::config(format!(
                "the tenant URL `{trimmed}` uses http://, which would send credentials in clear text; use https:// (http:// is allowed only for loopback hosts)"
            )));
        }
        other => {
            return Err(Error::config(format!(
                "the tenant URL `{trimmed}` has the scheme `{other}`; use https://"
            )));
        }
    }
    if url.host().is_none() {
        return Err(Error::config(format!(
            "the tenant URL `{trimmed}` has no host"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(format!(
            "the tenant URL `{trimmed}` must not have a query string or fragment"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(
            "the tenant URL must not carry credentials; pass them to the client builder instead",
        ));
    }
    // Operation paths are appended below the tenant path, which therefore ends with a slash.
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// Returns `true` for 127.0.0.0/8, `::1` and `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Resolves a `PodFqdn` from `StartAuthentication` against the current tenant URL.
///
/// The tenant sends a bare host name, so the current scheme is reused: `https` for real tenants,
/// and `http` only when the current tenant is a loopback sandbox (the validation still refuses
/// `http` for anything but loopback).
pub fn resolve_pod_fqdn(current: &Url, pod_fqdn: &str) -> Result<Url, Error> {
    let pod_fqdn = pod_fqdn.trim();
    if pod_fqdn.contains("://") {
        parse_tenant_url(pod_fqdn)
    } else {
        parse_tenant_url(&format!("{}://{pod_fqdn}", current.scheme()))
    }
}

/// The domains CyberArk serves tenants from; a `PodFqdn` redirect during sign-in may lead to
/// any host under them (over https).
const CYBERARK_DOMAINS: [&str; 3] = ["cyberark.cloud", "idaptive.app", "cyberark.com"];

/// Checks that a sign-in may follow a `PodFqdn` redirect from `current` to `next`.
///
/// The password travels with the redirect, so an answer must not be able to send it anywhere:
/// the new host must be the same host, a host under one of CyberArk's domains over https, a
/// loopback host when the tenant itself is loopback (a local sandbox), or a host the user allowed
/// (`host.example` exactly, or `*.example` for any host under it).
pub(crate) fn check_sign_in_host(
    current: &Url,
    next: &Url,
    allowed: &[String],
) -> Result<(), Error> {
    let host = next.host_str().unwrap_or_default().to_ascii_lowercase();
    let under = |domain: &str| {
        let domain = domain.to_ascii_lowercase();
        host == domain || host.ends_with(&format!(".{domain}"))
    };
    let trusted = current.host_str() == next.host_str()
        || (is_loopback(current) && is_loopback(next))
        || (next.scheme() == "https" && CYBERARK_DOMAINS.iter().any(|d| under(d)))
        || allowed
            .iter()
            .any(|pattern| match pattern.strip_prefix("*.") {
                Some(domain) => host.ends_with(&format!(".{}", domain.to_ascii_lowercase())),
                None => host == pattern.to_ascii_lowercase(),
            });
    if trusted {
        return Ok(());
    }
    Err(Error::Auth {
        operation: crate::auth::SIGN_IN,
        message: format!(
            "StartAuthentication redirected the sign-in to {host}, which is not under CyberArk's domains ({}); the password was not sent there. If this host is yours, allow it with `allow_sign_in_host` on the client builder",
            CYBERARK_DOMAINS.join(", ")
        ),
        status: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms() {
        let cases = [
            (
                "abc1234.id.cyberark.cloud",
                "https://abc1234.id.cyberark.cloud/",
            ),
            (
                "abc1234.id.cyberark.cloud/",
                "https://abc1234.id.cyberark.cloud/",
            ),
            (
                " https://abc1234.id.cyberark.cloud ",
                "https://abc1234.id.cyberark.cloud/",
            ),
            (
                "https://ABC1234.my.idaptive.app:8443",
                "https://abc1234.my.idaptive.app:8443/",
            ),
            (
                "https://host.example/api/idadmin",
                "https://host.example/api/idadmin/",
            ),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080/"),
            ("http://127.1.2.3/", "http://127.1.2.3/"),
            ("http://[::1]:9000", "http://[::1]:9000/"),
            ("http://localhost:3000", "http://localhost:3000/"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                parse_tenant_url(input).unwrap().as_str(),
                expected,
                "{input}"
            );
        }
    }

    #[test]
    fn refused_forms() {
        let cases = [
            ("", "the tenant URL is empty"),
            ("   ", "the tenant URL is empty"),
            ("http://abc1234.id.cyberark.cloud", "uses http://"),
            ("http://10.0.0.1", "uses http://"),
            ("ftp://abc1234.id.cyberark.cloud", "has the scheme `ftp`"),
            ("https://abc1234.id.cyberark.cloud/?x=1", "query string"),
            (
                "https://abc1234.id.cyberark.cloud/#top",
                "query string or fragment",
            ),
            (
                "https://user:pw@abc1234.id.cyberark.cloud",
                "must not carry credentials",
            ),
            ("https://", "is not a URL"),
        ];
        for (input, expected) in cases {
            let error = parse_tenant_url(input).unwrap_err();
            assert!(matches!(error, Error::Config { .. }));
            assert!(error.to_string().contains(expected), "{input}: {error}");
        }
    }

    #[test]
    fn sign_in_redirects_stay_on_trusted_hosts() {
        let tenant = parse_tenant_url("abc1234.id.cyberark.cloud").unwrap();
        let check = |to: &str, allowed: &[&str]| {
            let next = parse_tenant_url(to).unwrap();
            let allowed: Vec<String> = allowed.iter().map(|s| (*s).to_owned()).collect();
            check_sign_in_host(&tenant, &next, &allowed)
        };
        for trusted in [
            "xyz9876.id.cyberark.cloud",
            "aaa0001.my.idaptive.app",
            "pod7.cyberark.com",
            "abc1234.id.cyberark.cloud:8443",
        ] {
            assert!(check(trusted, &[]).is_ok(), "{trusted}");
        }
        for hostile in [
            "evil.example",
            "cyberark.cloud.evil.example",
            "evilcyberark.cloud",
            "10.0.0.1",
        ] {
            let error = check(hostile, &[]).unwrap_err();
            assert!(matches!(error, Error::Auth { .. }), "{hostile}");
            assert!(error.to_string().contains("allow_sign_in_host"), "{error}");
        }
        assert!(check("login.corp.example", &["login.corp.example"]).is_ok());
        assert!(check("pod1.corp.example", &["*.corp.example"]).is_ok());
        assert!(check("corp.example.evil", &["*.corp.example"]).is_err());
        // A local sandbox may move between loopback hosts, but not off the machine.
        let sandbox = parse_tenant_url("http://127.0.0.1:1").unwrap();
        let local = parse_tenant_url("http://localhost:2").unwrap();
        assert!(check_sign_in_host(&sandbox, &local, &[]).is_ok());
        let remote = parse_tenant_url("https://evil.example").unwrap();
        assert!(check_sign_in_host(&sandbox, &remote, &[]).is_err());
    }

    #[test]
    fn pod_fqdn_keeps_the_scheme() {
        let current = parse_tenant_url("http://127.0.0.1:1234").unwrap();
        assert_eq!(
            resolve_pod_fqdn(&current, "127.0.0.2:1234")
                .unwrap()
                .as_str(),
            "http://127.0.0.2:1234/"
        );
        let current = parse_tenant_url("pod0.idaptive.app").unwrap();
        assert_eq!(
            resolve_pod_fqdn(&current, "abc1234.id.cyberark.cloud")
                .unwrap()
                .as_str(),
            "https://abc1234.id.cyberark.cloud/"
        );
        let current = parse_tenant_url("http://localhost:1").unwrap();
        assert!(resolve_pod_fqdn(&current, "evil.example").is_err());
    }
}
