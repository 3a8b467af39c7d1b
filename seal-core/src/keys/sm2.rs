//! SM2 with SM3 (GB/T 32918, GM/T 0009) through RustCrypto `sm2`: keys generated, read and
//! written (PKCS#8 and SEC1 as OpenSSL writes them: `id-ecPublicKey` with the curve
//! `1.2.156.10197.1.301`), signing and verifying.
//!
//! The distinguishing ID is the default `1234567812345678` (GM/T 0009 §10), as national seal
//! systems, X.509 certificates and OpenSSL use it. The signature covers `SM3(Z_A || M)`,
//! `Z_A` binding the ID and the public key (GB/T 32918.2 §6.1); its nonce is RFC 6979's
//! HMAC-DRBG over the key and the digest, mixed with fresh randomness (hedged), so neither a
//! weak random number generator nor a repeated message can leak the key.
//!
//! Without the `sm2` feature, no SM2 key can be read (`absent` below).

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
    pub(crate) type SigningKey = sm2::dsa::SigningKey;

    fn signing_key(secret: &sm2::SecretKey) -> Result<SigningKey> {
        SigningKey::new(DEFAULT_DISTID, secret).map_err(|e| Error::decode("SM2 private key", e))
    }

    pub(crate) fn generate() -> Result<SigningKey> {
        use sm2::elliptic_curve::Generate;
        let secret = sm2::SecretKey::try_generate_from_rng(&mut getrandom::SysRng)
            .map_err(|e| Error::Signing(format!("random number generator: {e}")))?;
        signing_key(&secret)
    }

    /// SM2 with SM3 and the default ID over `msg`: the fixed-width `r || s`.
    pub(crate) fn sign(key: &SigningKey, msg: &[u8]) -> Result<Vec<u8>> {
        use sm2::dsa::signature::RandomizedSigner;
        let sig: Signature = key
            .try_sign_with_rng(&mut getrandom::SysRng, msg)
            .map_err(|e| Error::Signing(format!("SM2 signing failed: {e}")))?;
        Ok(sig.to_bytes().to_vec())
    }

    pub(crate) fn private_from_pkcs8(info: pkcs8::PrivateKeyInfoRef<'_>) -> Result<SigningKey> {
        let secret =
            sm2::SecretKey::try_from(info).map_err(|e| Error::decode("SM2 private key", e))?;
        signing_key(&secret)
    }

    pub(crate) fn private_from_sec1(der: &[u8]) -> Result<SigningKey> {
        let secret = sm2::SecretKey::from_sec1_der(der)
            .map_err(|e| Error::decode("SEC1 EC private key", e))?;
        signing_key(&secret)
    }

    pub(crate) fn public_key(key: &SigningKey) -> super::super::PublicKey {
        super::super::PublicKey::Sm2(key.verifying_key().into())
    }

    /// PKCS#8 v1 with the SEC1 key inside naming the curve and holding the public key, as
    /// `openssl genpkey -algorithm SM2` writes it.
    pub(crate) fn to_pkcs8_der(key: &SigningKey) -> pkcs8::Result<der::SecretDocument> {
        use pkcs8::EncodePrivateKey;
        sm2::SecretKey::from(*key.as_nonzero_scalar()).to_pkcs8_der()
    }

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
    pub(crate) type SigningKey = crate::keys::Absent;

    fn absent() -> Error {
        Error::not_built("SM2 keys and signatures", "sm2")
    }

    pub(crate) fn generate() -> Result<SigningKey> {
        Err(absent())
    }

    pub(crate) fn sign(key: &SigningKey, _msg: &[u8]) -> Result<Vec<u8>> {
        match *key {}
    }

    pub(crate) fn private_from_pkcs8(_info: pkcs8::PrivateKeyInfoRef<'_>) -> Result<SigningKey> {
        Err(absent())
    }

    pub(crate) fn private_from_sec1(_der: &[u8]) -> Result<SigningKey> {
        Err(absent())
    }

    pub(crate) fn public_key(key: &SigningKey) -> super::super::PublicKey {
        match *key {}
    }

    pub(crate) fn to_pkcs8_der(key: &SigningKey) -> pkcs8::Result<der::SecretDocument> {
        match *key {}
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
