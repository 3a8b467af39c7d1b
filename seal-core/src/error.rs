//! The one error type of `seal-core`.
//!
//! [`Error`] means "could not do it" or "could not check it": a file that is missing or
//! malformed, a wrong passphrase, an algorithm we do not support. A verification that ran
//! to the end and found a problem is not an error: it is a report, such as a
//! [`crate::pki::path::PathReport`] that says which check failed.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Everything that can go wrong in `seal-core`.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A file, directory or output already exists and `force` was not given.
    AlreadyExists {
        /// The path that exists.
        path: PathBuf,
    },
    /// A certificate authority operation was refused.
    Ca(CaError),
    /// Input could not be decoded.
    Decode {
        /// What we were decoding, e.g. "certificate" or "PKCS#8 private key".
        what: &'static str,
        /// What was wrong with it.
        detail: String,
    },
    /// An error that happened while reading or writing one file.
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: Box<Error>,
    },
    /// Input was well-formed but its value is not acceptable.
    InvalidInput(String),
    /// An I/O error.
    Io(io::Error),
    /// A key was used with something that needs a different one.
    KeyMismatch(String),
    /// The input needs a capability this build of seal-core leaves out (a cargo feature).
    NotBuilt {
        /// What the input needs, e.g. "PDF documents".
        capability: &'static str,
        /// The seal-core feature that brings it, e.g. "pdf".
        feature: &'static str,
    },
    /// An encrypted private key was given without a passphrase.
    PassphraseRequired,
    /// The passphrase could not be obtained (empty environment variable, unreadable file, no terminal).
    PassphraseUnavailable(String),
    /// A remote signing service refused a request, or could not be reached or understood.
    Remote {
        /// The service's URL.
        service: String,
        /// The endpoint asked, e.g. `credentials/authorize`.
        endpoint: String,
        /// The HTTP status, if an answer came.
        status: Option<u16>,
        /// The service's error code (CSC API §10.1, e.g. `invalid_request`), or `network`
        /// when no answer came, or `invalid_response` when the answer could not be read.
        code: String,
        /// What the service or the transport said.
        description: String,
    },
    /// The signer failed to produce a signature (e.g. a token error).
    Signing(String),
    /// An algorithm (by name or OID) that `seal` does not support.
    UnsupportedAlgorithm(String),
    /// An encrypted private key could not be decrypted with the given passphrase.
    WrongPassphrase,
    /// A file had a different kind of content than expected.
    WrongType {
        /// What was expected.
        expected: &'static str,
        /// What was found (a PEM label, for example).
        found: String,
    },
}

/// Why a certificate authority refused an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CaError {
    /// The CA state directory holds no CA.
    NotACa,
    /// The CSR's own signature does not verify: it was not made with the key it names.
    CsrSignatureInvalid,
    /// The serial number was never issued by this CA.
    UnknownSerial(String),
    /// The serial number is already revoked.
    AlreadyRevoked(String),
    /// The state file of the CA is inconsistent.
    CorruptState(String),
    /// The requested validity lies outside the issuer's own validity.
    ValidityOutsideIssuer,
}

/// Result type of `seal-core`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Attach the file a lower-level error happened in.
    pub fn in_file(self, path: impl Into<PathBuf>) -> Error {
        match self {
            // Keep the innermost path: it is the most precise.
            Error::File { .. } => self,
            other => Error::File { path: path.into(), source: Box::new(other) },
        }
    }

    /// A decoding error.
    pub fn decode(what: &'static str, detail: impl fmt::Display) -> Error {
        Error::Decode { what, detail: detail.to_string() }
    }

    /// [`Error::NotBuilt`].
    pub fn not_built(capability: &'static str, feature: &'static str) -> Error {
        Error::NotBuilt { capability, feature }
    }

    /// The innermost error, with any file context removed.
    pub fn root(&self) -> &Error {
        match self {
            Error::File { source, .. } => source.root(),
            other => other,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::AlreadyExists { path } => {
                write!(f, "{} already exists (use --force to overwrite)", path.display())
            }
            Error::Ca(e) => write!(f, "{e}"),
            Error::Decode { what, detail } => write!(f, "malformed {what}: {detail}"),
            Error::File { path, source } => write!(f, "{}: {source}", path.display()),
            Error::InvalidInput(msg) => f.write_str(msg),
            Error::Io(e) => write!(f, "{e}"),
            Error::KeyMismatch(msg) => write!(f, "key mismatch: {msg}"),
            Error::NotBuilt { capability, feature } => write!(
                f,
                "{capability} are not supported by this build (seal-core without its \
                 `{feature}` feature)"
            ),
            Error::PassphraseRequired => {
                f.write_str("the private key is encrypted and no passphrase was given")
            }
            Error::PassphraseUnavailable(msg) => write!(f, "cannot read the passphrase: {msg}"),
            Error::Remote { service, endpoint, status, code, description } => {
                write!(f, "signing service {service}: {endpoint}: {code}")?;
                if let Some(status) = status {
                    write!(f, " (HTTP {status})")?;
                }
                write!(f, ": {description}")
            }
            Error::Signing(msg) => write!(f, "signing failed: {msg}"),
            Error::UnsupportedAlgorithm(alg) => write!(f, "unsupported algorithm: {alg}"),
            Error::WrongPassphrase => f.write_str(
                "cannot decrypt the private key: wrong passphrase (or a damaged key file)",
            ),
            Error::WrongType { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
        }
    }
}

impl fmt::Display for CaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaError::NotACa => f.write_str("not a CA directory (no ca.pem and state.json)"),
            CaError::CsrSignatureInvalid => f.write_str(
                "the CSR's signature does not verify: it was not signed by the key it contains",
            ),
            CaError::UnknownSerial(s) => write!(f, "serial {s} was not issued by this CA"),
            CaError::AlreadyRevoked(s) => write!(f, "serial {s} is already revoked"),
            CaError::CorruptState(msg) => write!(f, "corrupt CA state: {msg}"),
            CaError::ValidityOutsideIssuer => {
                f.write_str("the requested validity is not within the issuing CA's validity")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::File { source, .. } => Some(source.as_ref()),
            Error::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Io(e)
    }
}

impl From<CaError> for Error {
    fn from(e: CaError) -> Self {
        Error::Ca(e)
    }
}

/// Extension to attach a file path to any fallible result.
pub trait ResultExt<T> {
    /// Attach `path` to the error, if any.
    fn in_file(self, path: impl Into<PathBuf>) -> Result<T>;
}

impl<T, E: Into<Error>> ResultExt<T> for std::result::Result<T, E> {
    fn in_file(self, path: impl Into<PathBuf>) -> Result<T> {
        self.map_err(|e| e.into().in_file(path))
    }
}
