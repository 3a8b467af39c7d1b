//! RSA left out of this build (seal-core's `rsa` feature is off): no RSA key can be read, so
//! the functions over a key are never called, and reading one says which feature would
//! bring RSA (see [`crate::Error::NotBuilt`]).

use spki::SubjectPublicKeyInfoRef;

use super::scheme::Scheme;
use super::{Absent, BadSignature};
use crate::error::{Error, Result};

/// An RSA public key; none exists in this build.
#[derive(Clone, PartialEq, Eq)]
pub struct RsaKey(Absent);

impl RsaKey {
    /// The key's modulus size in bits.
    pub fn bits(&self) -> usize {
        match self.0 {}
    }

    /// What was accepted in reading this key that DER does not allow, if anything.
    pub fn leniency(&self) -> Option<&'static str> {
        match self.0 {}
    }

    pub(super) fn spki_der(&self) -> &[u8] {
        match self.0 {}
    }

    pub(super) fn public_key_bytes(&self) -> &[u8] {
        match self.0 {}
    }
}

pub(super) fn public_from_spki(_spki: SubjectPublicKeyInfoRef<'_>) -> Result<RsaKey> {
    Err(Error::not_built("RSA keys and signatures", "rsa"))
}

pub(super) fn verify_prehash(
    key: &RsaKey,
    _scheme: &Scheme,
    _digest: &[u8],
    _sig: &[u8],
) -> std::result::Result<(), BadSignature> {
    match key.0 {}
}
