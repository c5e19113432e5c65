//! Why a preflight run could not start (bad arguments). Problems of the endpoint itself are
//! never errors: they are failed checks in the [`crate::Report`].

use std::path::PathBuf;

/// A preflight run that cannot start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The endpoint URL does not parse or is not `https://host[:port]/path`.
    #[error("invalid endpoint URL {url:?}: {why}")]
    Url {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        why: String,
    },
    /// `--resolve` is not `HOST:ADDR` or names another host than the URL.
    #[error("invalid --resolve {value:?}: {why}")]
    Resolve {
        /// The value as given.
        value: String,
        /// What is wrong with it.
        why: String,
    },
    /// The URL's host name did not resolve to any address.
    #[error("cannot resolve {host}")]
    Lookup {
        /// The host name.
        host: String,
        /// The resolver's error.
        #[source]
        source: std::io::Error,
    },
    /// The `--self-signed` file cannot be read or holds no certificate.
    #[error("cannot use {path} as the self-signed certificate: {why}")]
    SelfSigned {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        why: String,
    },
    /// The TLS client configuration could not be built (no usable protocol version).
    #[error("TLS client configuration: {0}")]
    Tls(#[from] rustls::Error),
    /// Signing a request with the development CA failed.
    #[error("signing with the development CA: {0}")]
    Sign(#[from] skillgate_devtools::Error),
}
