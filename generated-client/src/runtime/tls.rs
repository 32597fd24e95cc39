//! The TLS configuration the API client and the downloads client share: the platform's
//! verifier (the system's root certificates, and those given to
//! [`crate::ClientBuilder::root_certificates_pem`]), made once, at the first https
//! handshake of either.
//!
//! Why not reqwest's own (`tls_certs_merge`): each `reqwest::Client` it builds loads and
//! parses the system's root certificates at once, about 5 ms apiece, and this crate builds
//! two. A client that speaks only plain http (loopback, a test) never needs them, and one
//! that speaks https needs them once.

use std::sync::{Arc, OnceLock};

use rustls::DigitallySignedStruct;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

/// The configuration both clients are built with, in [`SharedTls::config`]. Its `Debug`
/// says only how many root certificates were given: rustls's would print pages.
#[derive(Clone)]
pub(crate) struct SharedTls {
    config: rustls::ClientConfig,
    extra_roots: usize,
}

impl SharedTls {
    /// Trusting the system's root certificates and `extra_roots`. The system's load at the
    /// first handshake; those given are checked now, so that one that cannot be a root
    /// fails here, not at the first request.
    pub(crate) fn new(extra_roots: Vec<CertificateDer<'static>>) -> Result<Self, rustls::Error> {
        let mut given = rustls::RootCertStore::empty();
        for root in &extra_roots {
            given.add(root.clone())?;
        }
        Ok(Self {
            extra_roots: extra_roots.len(),
            config: client_config(extra_roots)?,
        })
    }

    /// For `reqwest::ClientBuilder::tls_backend_preconfigured`: a clone shares the verifier,
    /// so the certificates are loaded once for every client built with it.
    pub(crate) fn config(&self) -> rustls::ClientConfig {
        self.config.clone()
    }
}

impl std::fmt::Debug for SharedTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedTls")
            .field("extra_roots", &self.extra_roots)
            .finish_non_exhaustive()
    }
}

/// A `rustls` configuration for both clients: TLS 1.2 and 1.3, HTTP/2 or HTTP/1.1 by ALPN
/// (as reqwest offers them), and certificates checked by [`LazyPlatformVerifier`].
fn client_config(
    extra_roots: Vec<CertificateDer<'static>>,
) -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()));
    let verifier = Arc::new(LazyPlatformVerifier {
        extra_roots,
        provider: provider.clone(),
        made: OnceLock::new(),
    });
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// The platform's verifier, made at its first use. Handshake signatures are checked with
/// the provider's algorithms, which need no root certificate, exactly as the platform's
/// verifier checks them.
#[derive(Debug)]
struct LazyPlatformVerifier {
    extra_roots: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
    /// The verifier, or why it could not be made (no root certificate on the system): a
    /// failure is kept, reported at each handshake, never retried.
    made: OnceLock<Result<rustls_platform_verifier::Verifier, rustls::Error>>,
}

impl LazyPlatformVerifier {
    fn verifier(&self) -> Result<&rustls_platform_verifier::Verifier, rustls::Error> {
        self.made
            .get_or_init(|| platform_verifier(&self.extra_roots, self.provider.clone()))
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// The platform's verifier, as reqwest makes it: extra roots only where the platform's
/// verifier takes them (not on Android, which says so at the first handshake).
fn platform_verifier(
    extra_roots: &[CertificateDer<'static>],
    provider: Arc<CryptoProvider>,
) -> Result<rustls_platform_verifier::Verifier, rustls::Error> {
    if extra_roots.is_empty() {
        return rustls_platform_verifier::Verifier::new(provider);
    }
    #[cfg(not(target_os = "android"))]
    return rustls_platform_verifier::Verifier::new_with_extra_roots(
        extra_roots.iter().cloned(),
        provider,
    );
    #[cfg(target_os = "android")]
    return Err(rustls::Error::General(
        "root certificates besides the system's are not supported on Android".into(),
    ));
}

impl ServerCertVerifier for LazyPlatformVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.verifier()?.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Making the configuration loads no certificate: the verifier waits for a handshake.
    #[test]
    fn the_verifier_is_made_at_the_first_handshake_not_before() {
        let verifier = LazyPlatformVerifier {
            extra_roots: Vec::new(),
            provider: Arc::new(rustls::crypto::aws_lc_rs::default_provider()),
            made: OnceLock::new(),
        };
        assert!(!verifier.supported_verify_schemes().is_empty());
        assert!(verifier.made.get().is_none());
        let config = client_config(Vec::new()).unwrap();
        assert_eq!(config.alpn_protocols, [&b"h2"[..], b"http/1.1"]);
    }
}
