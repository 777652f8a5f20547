//! TLS to PostgreSQL: libpq's `sslmode` and `sslrootcert` in the database URL, rustls underneath.
//!
//! tokio-postgres knows only `disable`, `prefer` and `require`, and no `sslrootcert`; this module
//! takes both out of the URL and decides. Whenever TLS is used the server's certificate is verified
//! (against `sslrootcert`, else the Mozilla roots), also for `require`, which in libpq would not
//! verify. Without `sslmode`, a database on loopback or a Unix socket is reached in plain text and
//! any other host only over verified TLS, as the phone treats the district server.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio_postgres::config::{Host, SslMode};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::DbError;

/// A database URL with its TLS settings taken out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgUrl {
    /// The URL without `sslmode` and `sslrootcert`, for tokio-postgres.
    pub url: String,
    /// `sslmode` as written, if it was.
    pub sslmode: Option<String>,
    /// `sslrootcert`: a PEM file of the certificates that may sign the server's certificate.
    pub root_cert: Option<PathBuf>,
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Take `sslmode` and `sslrootcert` out of a `postgres://` URL's query.
pub fn split_url(url: &str) -> PgUrl {
    let Some((base, query)) = url.split_once('?') else {
        return PgUrl {
            url: url.to_owned(),
            sslmode: None,
            root_cert: None,
        };
    };
    let (mut sslmode, mut root_cert, mut kept) = (None, None, Vec::new());
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => sslmode = Some(percent_decode(value)),
            "sslrootcert" => root_cert = Some(PathBuf::from(percent_decode(value))),
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    PgUrl {
        url,
        sslmode,
        root_cert,
    }
}

/// A Unix socket, `localhost` or a loopback address.
pub fn is_local(host: &Host) -> bool {
    match host {
        Host::Unix(_) => true,
        Host::Tcp(name) => {
            let name = name.trim_start_matches('[').trim_end_matches(']');
            name == "localhost"
                || name
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
    }
}

/// The mode tokio-postgres gets for libpq's `sslmode` (see the module's words on defaults).
pub fn ssl_mode(sslmode: Option<&str>, hosts: &[Host]) -> Result<SslMode, DbError> {
    Ok(match sslmode {
        None if !hosts.is_empty() && hosts.iter().all(is_local) => SslMode::Disable,
        None => SslMode::Require,
        Some("disable") => SslMode::Disable,
        Some("allow" | "prefer") => SslMode::Prefer,
        Some("require" | "verify-ca" | "verify-full") => SslMode::Require,
        Some(other) => {
            return Err(DbError::Invalid(format!(
                "sslmode `{other}` is not one of disable, allow, prefer, require, verify-ca, verify-full"
            )))
        }
    })
}

fn root_store(root_cert: Option<&Path>) -> Result<rustls::RootCertStore, DbError> {
    let mut roots = rustls::RootCertStore::empty();
    let Some(path) = root_cert else {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        return Ok(roots);
    };
    let bad = |why: String| DbError::Invalid(format!("sslrootcert {}: {why}", path.display()));
    let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let certs: Vec<_> = pem_certs(&pem).map_err(bad)?;
    if certs.is_empty() {
        return Err(bad("no certificate in the file".into()));
    }
    for cert in certs {
        roots.add(cert).map_err(|e| bad(e.to_string()))?;
    }
    Ok(roots)
}

fn pem_certs(pem: &[u8]) -> Result<Vec<rustls_pki_types::CertificateDer<'static>>, String> {
    use rustls_pki_types::pem::PemObject;
    rustls_pki_types::CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())
}

/// The connector for the pool; it verifies the server's certificate whenever TLS is used.
pub fn connector(root_cert: Option<&Path>) -> Result<MakeRustlsConnect, DbError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| DbError::Invalid(format!("TLS to PostgreSQL: {e}")))?
        .with_root_certificates(root_store(root_cert)?)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(h: &str) -> Vec<Host> {
        vec![Host::Tcp(h.into())]
    }

    #[test]
    fn ssl_settings_are_taken_out_of_the_url() {
        let u = split_url("postgres://u@db:5432/d?sslmode=verify-full&application_name=x&sslrootcert=%2Fetc%2Fca.pem");
        assert_eq!(u.url, "postgres://u@db:5432/d?application_name=x");
        assert_eq!(u.sslmode.as_deref(), Some("verify-full"));
        assert_eq!(u.root_cert, Some(PathBuf::from("/etc/ca.pem")));
        let plain = split_url("postgres://u@127.0.0.1/d");
        assert_eq!(
            (plain.url.as_str(), plain.sslmode),
            ("postgres://u@127.0.0.1/d", None)
        );
    }

    #[test]
    fn without_sslmode_only_loopback_goes_in_plain_text() {
        assert_eq!(ssl_mode(None, &tcp("127.0.0.1")).unwrap(), SslMode::Disable);
        assert_eq!(ssl_mode(None, &tcp("localhost")).unwrap(), SslMode::Disable);
        assert_eq!(ssl_mode(None, &tcp("[::1]")).unwrap(), SslMode::Disable);
        assert_eq!(
            ssl_mode(None, &tcp("db.district.example")).unwrap(),
            SslMode::Require
        );
        assert_eq!(ssl_mode(None, &tcp("10.0.0.5")).unwrap(), SslMode::Require);
        let mixed = [Host::Tcp("127.0.0.1".into()), Host::Tcp("10.0.0.5".into())];
        assert_eq!(ssl_mode(None, &mixed).unwrap(), SslMode::Require);
    }

    #[test]
    fn libpq_words_map_and_unknown_ones_are_refused() {
        let h = tcp("db");
        assert_eq!(ssl_mode(Some("disable"), &h).unwrap(), SslMode::Disable);
        assert_eq!(ssl_mode(Some("prefer"), &h).unwrap(), SslMode::Prefer);
        for strict in ["require", "verify-ca", "verify-full"] {
            assert_eq!(ssl_mode(Some(strict), &h).unwrap(), SslMode::Require);
        }
        let err = ssl_mode(Some("maybe"), &h).unwrap_err().to_string();
        assert!(err.contains("sslmode `maybe`"), "{err}");
    }

    #[test]
    fn a_missing_or_empty_root_file_is_a_clear_error() {
        let err = connector(Some(Path::new("/nonexistent/ca.pem")))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("sslrootcert /nonexistent/ca.pem"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "").unwrap();
        let err = connector(Some(&empty)).err().unwrap().to_string();
        assert!(err.contains("no certificate"), "{err}");
    }
}
