//! `--tls`: https with a self-signed certificate for `127.0.0.1` and `localhost`, generated at
//! start, for tools that insist on https. The certificate is its own CA: a client trusts it by
//! adding its PEM as a root certificate.

use rustls::ServerConfig;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;

/// What serving https needs: the acceptor and the certificate clients must trust.
#[derive(Clone)]
pub struct Tls {
    /// Wraps each accepted connection.
    pub acceptor: TlsAcceptor,
    /// The certificate, PEM-encoded (also the CA file a client trusts).
    pub ca_pem: String,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key stays inside the acceptor; only the public certificate is worth showing.
        f.debug_struct("Tls").field("ca_pem", &self.ca_pem).finish()
    }
}

/// Generates a fresh self-signed certificate and the server configuration around it.
pub fn self_signed() -> Result<Tls, String> {
    let names = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
    let generated = rcgen::generate_simple_self_signed(names)
        .map_err(|e| format!("cannot generate the self-signed certificate: {e}"))?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        generated.signing_key.serialize_der(),
    ));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot configure TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(vec![generated.cert.der().clone()], key)
        .map_err(|e| format!("cannot use the generated certificate: {e}"))?;
    Ok(Tls {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        ca_pem: generated.cert.pem(),
    })
}
