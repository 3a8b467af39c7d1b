//! Stamping documents with an electronic seal, and verifying stamped documents.
//!
//! - [`detached`]: any file, with a GB/T 38540 `SES_Signature` beside it.
//! - [`ofd`]: verifying stamped OFD documents.

pub mod detached;
pub mod ofd;

use crate::keys::Signer;
use crate::pki::Certificate;
use crate::seal::Seal;

/// What stamping needs: the seal, the holder's signing key and the holder's certificate.
#[derive(Clone, Copy)]
pub struct StampKey<'a> {
    /// The seal (its holders must include `cert`).
    pub seal: &'a Seal,
    /// The holder's key: a key file, a token, a remote service.
    pub signer: &'a dyn Signer,
    /// The holder's certificate.
    pub cert: &'a Certificate,
}
