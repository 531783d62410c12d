//! `tls(true)`: https with a generated self-signed certificate that a client trusts by its PEM.

use identity_sandbox::Sandbox;

#[tokio::test]
async fn https_with_the_generated_certificate() {
    let sb = Sandbox::builder()
        .tls(true)
        .start()
        .await
        .expect("sandbox starts");
    assert!(sb.url().starts_with("https://127.0.0.1:"));
    let pem = sb.ca_pem().expect("a TLS sandbox has a certificate");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));

    let trusted = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let answer = trusted
        .get(format!(
            "{}/WebServices/PIMServices.svc/Server",
            sb.vault_url()
        ))
        .send()
        .await
        .expect("https request with the CA trusted");
    assert_eq!(answer.status(), 200);

    // Without the CA the handshake fails: the certificate really is self-signed.
    let untrusted = reqwest::Client::new();
    let refused = untrusted
        .get(format!(
            "{}/WebServices/PIMServices.svc/Server",
            sb.vault_url()
        ))
        .send()
        .await;
    assert!(refused.is_err());
    assert!(Sandbox::builder().start().await.unwrap().ca_pem().is_none());
}
