//! `seal-core`: electronic seals, stamped documents and electronic licences that anyone
//! can verify offline.
//!
//! This crate holds all the logic of the `seal` tool: keys and signers ([`keys`]), a
//! certificate authority and offline certificate path validation ([`pki`]), and the
//! verification report shared by every format ([`mod@verify`]).
//!
//! # Quick start
//!
//! Make a root CA, issue a seal certificate from an agency's CSR, and validate the chain
//! offline:
//!
//! ```
//! use seal_core::keys::{Algorithm, PrivateKey, Signer};
//! use seal_core::pki::{CertificateBuilder, Csr, Profile, Subject, Validity, path};
//! use seal_core::time::UnixTime;
//!
//! # fn main() -> seal_core::Result<()> {
//! let now = UnixTime::now();
//! let validity = Validity::days_from(now, 365);
//!
//! // The national root.
//! let root_key = PrivateKey::generate(Algorithm::Ed25519)?;
//! let root_name = Subject::new("National Seal Root", "National Seal Authority", "CN");
//! let root = CertificateBuilder::self_signed(&root_name, Profile::Ca { path_len: None }, validity)?
//!     .build(&root_key)?;
//!
//! // The agency makes a CSR with its own key; the CA checks it and issues a seal certificate.
//! let agency_key = PrivateKey::generate(Algorithm::EcdsaP256Sha256)?;
//! let agency = Subject::new("Licensing Office", "City of Example", "VN")
//!     .with_organization_identifier("VATVN-0101234567");
//! let csr = Csr::build(&agency, &agency_key)?;
//! let csr = Csr::from_der(&csr.to_der()?)?;
//! let cert = CertificateBuilder::from_csr(&csr, &root, Profile::Seal, validity)?
//!     .build(&root_key)?;
//!
//! // A verifier with nothing but the root on disk.
//! let report = path::validate(&cert, &[], &[root], &[], now, path::Purpose::Seal);
//! assert!(report.is_valid(), "{report}");
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

pub mod ber;
#[cfg(feature = "csc")]
pub mod csc;
pub mod digest;
pub mod error;
pub mod io;
pub mod keys;
#[cfg(feature = "licence")]
pub mod licence;
mod par;
#[cfg(feature = "pdf")]
pub mod pdf;
pub mod pem;
pub mod pki;
pub mod seal;
pub mod secret;
#[cfg(feature = "http")]
mod server;
pub mod stamp;
pub mod time;
pub(crate) mod tlv;
pub mod tsp;
#[cfg(any(feature = "pkcs11", feature = "csc"))]
mod uri;
pub mod verify;

pub use error::{Error, Result};

/// Verifies a stamped file now, whatever its format, as `seal verify FILE` does: a PDF or an
/// OFD package or a JSON document with stamps inside, an enveloping CMS file (`.p7m`), or
/// any file with a detached stamp beside it (`FILE.ses`, `FILE.p7s`). The report says
/// TOTAL-PASSED only if every stamp is valid; see [`stamp::verify`] to name the stamp
/// file or the validation time.
///
/// ```no_run
/// use seal_core::verify::Trust;
///
/// # fn main() -> seal_core::Result<()> {
/// let trust = Trust::from_anchors("root.pem")?;
/// let report = seal_core::verify("contract.stamped.pdf", &trust)?;
/// println!("{report}");
/// assert!(report.is_valid());
/// # Ok(())
/// # }
/// ```
pub fn verify(file: impl AsRef<std::path::Path>, trust: &verify::Trust) -> Result<verify::Report> {
    stamp::verify(file.as_ref(), None, trust, time::UnixTime::now())
}
