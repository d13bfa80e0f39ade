//! The outgoing HTTP clients (Event Grid's manual-validation GET, the token keys' fetch, the
//! testing kit's sender and token client) are all built here, so that they trust the same roots
//! and use the same TLS.
//!
//! reqwest does the HTTP; the TLS configuration is ours: rustls with the `ring` provider (the one
//! `redis-tls` already uses), and the platform's root certificates through
//! `rustls-platform-verifier`, as reqwest would load them, plus any root the caller adds. Left to
//! itself, reqwest would either bring `aws-lc-rs`, a second cryptography library beside `ring`
//! with a C build of its own, or need a process-wide default provider, which a library must not
//! install behind its user's back.

use std::sync::Arc;

use rustls::ClientConfig;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// Root certificates to trust besides the platform's.
pub(crate) type ExtraRoots = Vec<CertificateDer<'static>>;

/// The certificates of a PEM text (one or more `CERTIFICATE` blocks; nothing else counted).
pub(crate) fn certificates_from_pem(pem: &[u8]) -> Result<ExtraRoots, String> {
    let certificates = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<ExtraRoots, _>>()
        .map_err(|error| format!("not a PEM certificate: {error}"))?;
    if certificates.is_empty() {
        return Err("not a PEM certificate: no CERTIFICATE block".to_owned());
    }
    Ok(certificates)
}

/// A client builder that trusts the platform's roots and `extra_roots`, never follows a redirect
/// (each caller has its reason: a redirect could lead to plain http, or carry a client secret or
/// a validation code to another host), and speaks HTTP/1.1 (the only version reqwest is built
/// with here).
pub(crate) fn builder(
    extra_roots: &[CertificateDer<'static>],
) -> Result<reqwest::ClientBuilder, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = verifier(extra_roots, Arc::clone(&provider))
        .map_err(|error| format!("the root certificates could not be loaded: {error}"))?;
    let tls = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| format!("no TLS version in common with the provider: {error}"))?
        .dangerous()
        // Not dangerous: the platform verifier checks the chain and the host name in full; rustls
        // names every custom verifier so.
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none()))
}

fn verifier(
    extra_roots: &[CertificateDer<'static>],
    provider: Arc<CryptoProvider>,
) -> Result<rustls_platform_verifier::Verifier, rustls::Error> {
    if extra_roots.is_empty() {
        rustls_platform_verifier::Verifier::new(provider)
    } else {
        rustls_platform_verifier::Verifier::new_with_extra_roots(
            extra_roots.iter().cloned(),
            provider,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pem_without_a_certificate_is_refused() {
        assert!(certificates_from_pem(b"hello").is_err());
        assert!(certificates_from_pem(b"").is_err());
        let key_only = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert!(certificates_from_pem(key_only).is_err());
    }

    #[test]
    fn a_client_builds_with_the_platform_roots() {
        builder(&[]).unwrap().build().unwrap();
    }

    #[test]
    fn each_certificate_block_is_one_root() {
        // The DER is not parsed here but when the verifier is built (the integration tests add a
        // real CA: tests/validation_get.rs, tests/testing_kit.rs).
        let block = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        let roots = certificates_from_pem(format!("{block}{block}").as_bytes()).unwrap();
        assert_eq!(roots.len(), 2);
    }
}
