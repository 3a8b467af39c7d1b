//! SM2 with SM3 (GB/T 32918, GM/T 0009), verification only, through RustCrypto `sm2`.
//!
//! The distinguishing ID is the default `1234567812345678` (GM/T 0009 §10), as national seal
//! systems and X.509 certificates use it.
//!
//! Without the `sm2` feature, no SM2 key can be read (`absent` below): SM3 hashing stays.

use spki::SubjectPublicKeyInfoRef;

use super::BadSignature;
use crate::error::{Error, Result};

/// The default distinguishing ID of GM/T 0009.
#[cfg(feature = "sm2")]
const DEFAULT_DISTID: &str = "1234567812345678";

#[cfg(not(feature = "sm2"))]
pub(crate) use absent::*;
#[cfg(feature = "sm2")]
pub(crate) use present::*;

#[cfg(feature = "sm2")]
mod present {
    use sm2::dsa::{Signature, VerifyingKey};

    use super::*;

    pub(crate) type Key = sm2::PublicKey;

    pub(crate) fn verify(
        key: &sm2::PublicKey,
        msg: &[u8],
        raw: &[u8; 64],
    ) -> Result<(), BadSignature> {
        use sm2::dsa::signature::Verifier;
        let vk = VerifyingKey::new(DEFAULT_DISTID, *key).map_err(|_| BadSignature)?;
        let sig = Signature::from_slice(raw).map_err(|_| BadSignature)?;
        vk.verify(msg, &sig).map_err(|_| BadSignature)
    }

    /// Verifies a signature given as DER or as the fixed-width `r || s`.
    pub(crate) fn verify_any(
        key: &sm2::PublicKey,
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), BadSignature> {
        let raw = match <[u8; 64]>::try_from(sig) {
            Ok(raw) => raw,
            Err(_) => raw_from_der(sig).map_err(|_| BadSignature)?,
        };
        verify(key, msg, &raw)
    }

    pub(crate) fn verify_prehash(
        key: &sm2::PublicKey,
        e: &[u8],
        raw: &[u8; 64],
    ) -> Result<(), BadSignature> {
        use sm2::dsa::signature::hazmat::PrehashVerifier;
        let vk = VerifyingKey::new(DEFAULT_DISTID, *key).map_err(|_| BadSignature)?;
        let sig = Signature::from_slice(raw).map_err(|_| BadSignature)?;
        vk.verify_prehash(e, &sig).map_err(|_| BadSignature)
    }

    pub(crate) fn raw_from_der(der: &[u8]) -> Result<[u8; 64]> {
        let sig = Signature::from_der(der).map_err(|e| Error::decode("SM2 signature", e))?;
        Ok(sig.to_bytes().into())
    }

    pub(crate) fn der_from_raw(raw: &[u8]) -> Result<Vec<u8>> {
        let sig = Signature::from_slice(raw).map_err(|e| Error::decode("SM2 signature", e))?;
        Ok(sig.to_der().as_bytes().to_vec())
    }

    pub(crate) fn public_from_spki(
        spki: SubjectPublicKeyInfoRef<'_>,
    ) -> Result<super::super::PublicKey> {
        sm2::PublicKey::from_sec1_bytes(spki.subject_public_key.raw_bytes())
            .map(super::super::PublicKey::Sm2)
            .map_err(|e| Error::decode("SM2 public key", e))
    }

    pub(crate) fn spki_der(key: &Key) -> Result<Vec<u8>> {
        use spki::EncodePublicKey;
        key.to_public_key_der()
            .map(|d| d.into_vec())
            .map_err(|e| Error::decode("SM2 public key", e))
    }

    pub(crate) fn sec1(key: &Key) -> Vec<u8> {
        key.to_sec1_bytes().into_vec()
    }
}

#[cfg(not(feature = "sm2"))]
mod absent {
    use super::*;

    pub(crate) type Key = crate::keys::Absent;

    fn absent() -> Error {
        Error::not_built("SM2 keys and signatures", "sm2")
    }

    pub(crate) fn verify_any(key: &Key, _msg: &[u8], _sig: &[u8]) -> Result<(), BadSignature> {
        match *key {}
    }

    pub(crate) fn verify_prehash(
        key: &Key,
        _e: &[u8],
        _raw: &[u8; 64],
    ) -> Result<(), BadSignature> {
        match *key {}
    }

    pub(crate) fn raw_from_der(_der: &[u8]) -> Result<[u8; 64]> {
        Err(absent())
    }

    pub(crate) fn der_from_raw(_raw: &[u8]) -> Result<Vec<u8>> {
        Err(absent())
    }

    pub(crate) fn public_from_spki(
        _spki: SubjectPublicKeyInfoRef<'_>,
    ) -> Result<super::super::PublicKey> {
        Err(absent())
    }

    pub(crate) fn spki_der(key: &Key) -> Result<Vec<u8>> {
        match *key {}
    }

    pub(crate) fn sec1(key: &Key) -> Vec<u8> {
        match *key {}
    }
}
