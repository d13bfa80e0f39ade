//! TLS servers on loopback for the https clients under test (the probe example, the Event Grid
//! validation GET): a fresh self-signed certificate a test then trusts explicitly.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A rustls server configuration (ring, safe default protocol versions) with a fresh
/// self-signed certificate for `name`, and that certificate (PEM) for the client to trust.
pub fn self_signed(name: &str) -> (rustls::ServerConfig, String) {
    let certified = rcgen::generate_simple_self_signed(vec![name.to_owned()]).expect("certificate");
    let pem = certified.cert.pem();
    let chain = vec![CertificateDer::from(certified.cert.der().to_vec())];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .expect("server config");
    (config, pem)
}
