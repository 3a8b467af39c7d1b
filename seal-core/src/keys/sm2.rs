//! SM2 with SM3 (GB/T 32918, GM/T 0009), verification only, through RustCrypto `sm2`.
//!
//! The distinguishing ID is the default `1234567812345678` (GM/T 0009 §10), as national seal
//! systems and X.509 certificates use it.

use sm2::dsa::{Signature, VerifyingKey};
use spki::SubjectPublicKeyInfoRef;

use super::BadSignature;
use crate::error::{Error, Result};

/// The default distinguishing ID of GM/T 0009.
pub(crate) const DEFAULT_DISTID: &str = "1234567812345678";

pub(super) fn verify(key: &sm2::PublicKey, msg: &[u8], raw: &[u8; 64]) -> Result<(), BadSignature> {
    use sm2::dsa::signature::Verifier;
    let vk = VerifyingKey::new(DEFAULT_DISTID, *key).map_err(|_| BadSignature)?;
    let sig = Signature::from_slice(raw).map_err(|_| BadSignature)?;
    vk.verify(msg, &sig).map_err(|_| BadSignature)
}

/// Verifies a signature given as DER or as the fixed-width `r || s`.
pub(super) fn verify_any(key: &sm2::PublicKey, msg: &[u8], sig: &[u8]) -> Result<(), BadSignature> {
    let raw = match <[u8; 64]>::try_from(sig) {
        Ok(raw) => raw,
        Err(_) => raw_from_der(sig).map_err(|_| BadSignature)?,
    };
    verify(key, msg, &raw)
}

pub(super) fn verify_prehash(
    key: &sm2::PublicKey,
    e: &[u8],
    raw: &[u8; 64],
) -> Result<(), BadSignature> {
    use sm2::dsa::signature::hazmat::PrehashVerifier;
    let vk = VerifyingKey::new(DEFAULT_DISTID, *key).map_err(|_| BadSignature)?;
    let sig = Signature::from_slice(raw).map_err(|_| BadSignature)?;
    vk.verify_prehash(e, &sig).map_err(|_| BadSignature)
}

pub(super) fn raw_from_der(der: &[u8]) -> Result<[u8; 64]> {
    let sig = Signature::from_der(der).map_err(|e| Error::decode("SM2 signature", e))?;
    Ok(sig.to_bytes().into())
}

pub(super) fn der_from_raw(raw: &[u8]) -> Result<Vec<u8>> {
    let sig = Signature::from_slice(raw).map_err(|e| Error::decode("SM2 signature", e))?;
    Ok(sig.to_der().as_bytes().to_vec())
}

pub(super) fn public_from_spki(spki: SubjectPublicKeyInfoRef<'_>) -> Result<super::PublicKey> {
    sm2::PublicKey::from_sec1_bytes(spki.subject_public_key.raw_bytes())
        .map(super::PublicKey::Sm2)
        .map_err(|e| Error::decode("SM2 public key", e))
}
