//! Which certificate authorities a connection trusts, and what a failed
//! handshake means to the person who ran the command.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{CertificateError, ClientConfig, RootCertStore};

use super::Error;

/// Mozilla's roots, compiled in so that a check gives the same answer on
/// every machine (a minimal container may have no certificate store), plus
/// the authorities of `ca_cert`, if given.
pub fn config(ca_cert: Option<&Path>) -> Result<ClientConfig, Error> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = ca_cert {
        let mut added = 0;
        let certs = CertificateDer::pem_file_iter(path).map_err(|e| Error::CaCert {
            path: path.to_owned(),
            reason: pem_reason(e),
        })?;
        for cert in certs {
            let cert = cert.map_err(|e| Error::CaCert {
                path: path.to_owned(),
                reason: pem_reason(e),
            })?;
            roots.add(cert).map_err(|e| Error::CaCert {
                path: path.to_owned(),
                reason: format!("a certificate is not a usable authority: {e}"),
            })?;
            added += 1;
        }
        if added == 0 {
            return Err(Error::CaCert {
                path: path.to_owned(),
                reason: "no PEM certificate (-----BEGIN CERTIFICATE-----) in it".to_owned(),
            });
        }
    }
    // The ring provider: aws-lc-rs, rustls' default, needs a C toolchain
    // and cmake to build. rustls deprecates ring's provider for lacking a
    // post-quantum key exchange, which guards confidentiality against a
    // future quantum computer; what an audit fetches is public and signed
    // end to end, so that is not worth the heavier build.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(Error::TlsSetup)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

fn pem_reason(e: rustls::pki_types::pem::Error) -> String {
    match e {
        rustls::pki_types::pem::Error::Io(e) => e.to_string(),
        other => format!("not a PEM file of certificates ({other:?})"),
    }
}

/// The TLS failure somewhere in `err`'s causes, if any. The connectors
/// hand it up inside `io::Error`s, whose `source()` skips the error they
/// wrap, so each `io::Error` is opened by hand.
pub fn tls_failure<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        next = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    None
}

/// What a failed request to `server` means, in words.
pub fn explain(server: &str, err: &hyper_util::client::legacy::Error) -> Error {
    let server = server.to_owned();
    if let Some(tls) = tls_failure(err) {
        return match tls {
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
                Error::UnknownIssuer { server }
            }
            other => Error::Tls {
                server,
                reason: other.to_string(),
            },
        };
    }
    let reason = causes(err);
    if err.is_connect() {
        Error::Connect { server, reason }
    } else {
        Error::Transfer { server, reason }
    }
}

/// The causes below `err`'s own generic text, joined by colons.
fn causes(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = err.source();
    while let Some(e) = next {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    if parts.is_empty() {
        err.to_string()
    } else {
        parts.join(": ")
    }
}
