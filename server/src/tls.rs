//! TLS for the device API and the admin web: certificate chain and private key from PEM files named
//! in the config (`tls_cert`, `tls_key`). Without them the server speaks plain HTTP, for loopback
//! (the demo and the tests) or behind a TLS-terminating proxy.

use std::path::Path;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read the TLS certificate {path}: {reason}")]
    Cert { path: String, reason: String },
    #[error("cannot read the TLS private key {path}: {reason}")]
    Key { path: String, reason: String },
    #[error("the TLS certificate and key do not fit together: {0}")]
    Config(String),
}

/// A rustls server config (ring provider, HTTP/1.1 and HTTP/2) from PEM files.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, TlsError> {
    let cert_err = |reason: String| TlsError::Cert {
        path: cert.display().to_string(),
        reason,
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| cert_err(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| cert_err(e.to_string()))?;
    if chain.is_empty() {
        return Err(cert_err("no certificate in the file".into()));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| TlsError::Key {
        path: key.display().to_string(),
        reason: e.to_string(),
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The hex SHA-256 of the first certificate in `cert` (DER): the `tls` fingerprint that enrollment
/// QR codes carry, so a phone can pin a self-signed certificate.
pub fn cert_fingerprint(cert: &Path) -> Result<String, TlsError> {
    use sha2::{Digest, Sha256};
    let first = CertificateDer::pem_file_iter(cert)
        .ok()
        .and_then(|mut certs| certs.next())
        .and_then(Result::ok)
        .ok_or_else(|| TlsError::Cert {
            path: cert.display().to_string(),
            reason: "no certificate in the file".into(),
        })?;
    Ok(hex::encode(Sha256::digest(first.as_ref())))
}
