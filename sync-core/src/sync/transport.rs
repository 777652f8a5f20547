//! How the device may reach its server: HTTPS (with the server's certificate pinned when the
//! enrollment QR carried its fingerprint), or plain HTTP only to this machine itself (loopback: the
//! demo and the tests). Anyone on the gate's Wi-Fi could read and change plain HTTP.

use std::net::IpAddr;
use std::sync::Arc;

use reqwest::Url;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};

use super::SyncError;

/// Hex SHA-256 of a certificate's DER bytes: the fingerprint an enrollment QR carries as `tls`.
pub fn cert_fingerprint(der: &[u8]) -> String {
    hex::encode(Sha256::digest(der))
}

/// `Ok` for `https://…`, and for `http://` to a loopback address or `localhost`.
pub fn check_scheme(url: &str) -> Result<(), SyncError> {
    let parsed = Url::parse(url).map_err(|e| SyncError::Insecure(format!("{url}: {e}")))?;
    let host = parsed.host_str().unwrap_or_default();
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(SyncError::Insecure(url.to_owned())),
    }
}

/// Accepts exactly the certificate with the pinned fingerprint (a district's self-signed one).
#[derive(Debug)]
struct Pinned {
    fingerprint: String,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if cert_fingerprint(end_entity.as_ref()).eq_ignore_ascii_case(&self.fingerprint) {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "the server's certificate does not match the fingerprint from the enrollment QR"
                    .into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
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
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A rustls client config that trusts only the certificate with this fingerprint.
pub fn pinned_tls(fingerprint: &str) -> Result<ClientConfig, SyncError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Pinned {
        fingerprint: fingerprint.trim().to_owned(),
        provider: Arc::clone(&provider),
    };
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SyncError::Insecure(format!("TLS setup: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_this_machine() {
        for ok in [
            "https://district.example",
            "https://10.0.0.2:8443",
            "http://127.0.0.1:8080",
            "http://127.9.9.9",
            "http://[::1]:8080",
            "http://localhost:3000",
        ] {
            assert!(check_scheme(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://10.0.0.2:8080",
            "http://district.example",
            "http://localhost.evil.example",
            "ftp://127.0.0.1",
            "not a url",
        ] {
            assert!(
                matches!(check_scheme(bad), Err(SyncError::Insecure(_))),
                "{bad}"
            );
        }
    }
}
