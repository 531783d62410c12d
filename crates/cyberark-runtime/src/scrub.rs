//! Known secret values taken out of errors, whatever the tenant echoed back.
//!
//! Redaction by key name (`redact`) catches `"password": …`; it cannot catch a token the tenant
//! quotes in a sentence ("token eyJ… is expired") or an `Authorization` header echoed in an HTML
//! page. So every error a call returns is also scrubbed of the values the client knows to be
//! secret: its client secret or password, a static bearer token, and the last token it sent.

use crate::error::Error;
use crate::redact::scrub;
use crate::secret::Secret;

impl Error {
    /// Replaces every occurrence of `secrets` in the error's texts by `***`.
    pub(crate) fn scrub_secrets(self, secrets: &[&Secret]) -> Error {
        if secrets.is_empty() {
            return self;
        }
        let text = |text: String| scrub(&text, secrets);
        let maybe = |text: Option<String>| text.map(|t| scrub(&t, secrets));
        match self {
            Error::Api(mut api) => {
                api.message = maybe(api.message.take());
                api.message_id = maybe(api.message_id.take());
                api.error_id = maybe(api.error_id.take());
                api.error_code = maybe(api.error_code.take());
                api.exception = maybe(api.exception.take());
                for detail in &mut api.details {
                    detail.error_code = maybe(detail.error_code.take());
                    detail.message = maybe(detail.message.take());
                    detail.parameter_name = maybe(detail.parameter_name.take());
                }
                Error::Api(api)
            }
            Error::Auth {
                operation,
                message,
                status,
            } => Error::Auth {
                operation,
                message: text(message),
                status,
            },
            Error::Decode {
                operation,
                path,
                message,
                excerpt,
                status,
            } => Error::Decode {
                operation,
                path: text(path),
                message: text(message),
                excerpt: text(excerpt),
                status,
            },
            Error::InvalidRequest { operation, message } => Error::InvalidRequest {
                operation,
                message: text(message),
            },
            Error::Config { message } => Error::Config {
                message: text(message),
            },
            // Rate limits and timeouts carry no text from the tenant, and transport errors come
            // from the HTTP library, which never sees a body and is given no URL.
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;

    const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.payload.signature";

    #[test]
    fn every_text_field_is_scrubbed() {
        let token = Secret::new(TOKEN);
        let secrets = [&token];
        let api = ApiError {
            message: Some(format!("token {TOKEN} expired")),
            exception: Some(format!("at Check({TOKEN})")),
            details: vec![crate::error::ErrorDetail {
                message: Some(format!("bad value {TOKEN}")),
                ..Default::default()
            }],
            ..ApiError::new("Org_Create", 200)
        };
        let errors = [
            Error::from(api),
            Error::Auth {
                operation: "Org_Create",
                message: format!("the tenant refused the bearer token: Bearer {TOKEN}"),
                status: Some(401),
            },
            Error::Decode {
                operation: "Org_Create",
                path: ".".to_owned(),
                message: "expected value".to_owned(),
                // An excerpt cut in the middle of the token keeps only its beginning.
                excerpt: format!("<html>Authorization: Bearer {}…", &TOKEN[..12]),
                status: 200,
            },
            Error::invalid("Org_Create", format!("bad {TOKEN}")),
        ];
        for error in errors {
            let scrubbed = error.scrub_secrets(&secrets);
            let shown = format!("{scrubbed} {scrubbed:?}");
            assert!(!shown.contains(&TOKEN[..6]), "{shown}");
            assert!(shown.contains("***"), "{shown}");
        }
    }
}
