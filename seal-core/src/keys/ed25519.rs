//! Ed25519 (RFC 8032, keys per RFC 8410) through `ed25519-dalek`.

use ed25519_dalek::{SigningKey, VerifyingKey};
use spki::SubjectPublicKeyInfoRef;

use super::BadSignature;
use crate::error::{Error, Result};

pub(super) fn generate() -> Result<SigningKey> {
    use rand_core::TryRng;
    let mut secret = zeroize::Zeroizing::new([0u8; 32]);
    getrandom::SysRng
        .try_fill_bytes(secret.as_mut())
        .map_err(|e| Error::Signing(format!("random number generator: {e}")))?;
    Ok(SigningKey::from_bytes(&secret))
}

pub(super) fn sign(key: &SigningKey, msg: &[u8]) -> [u8; 64] {
    use ed25519_dalek::Signer;
    key.sign(msg).to_bytes()
}

pub(super) fn verify(key: &VerifyingKey, msg: &[u8], raw: &[u8; 64]) -> Result<(), BadSignature> {
    let sig = ed25519_dalek::Signature::from_bytes(raw);
    // Strict verification: rejects non-canonical S, small-order R and weak keys.
    key.verify_strict(msg, &sig).map_err(|_| BadSignature)
}

pub(super) fn public_from_spki(spki: SubjectPublicKeyInfoRef<'_>) -> Result<super::PublicKey> {
    if spki.algorithm.parameters.is_some() {
        return Err(Error::decode("Ed25519 public key", "parameters must be absent (RFC 8410 §3)"));
    }
    VerifyingKey::try_from(spki)
        .map(super::PublicKey::Ed25519)
        .map_err(|e| Error::decode("Ed25519 public key", e))
}

pub(super) fn private_from_pkcs8(info: pkcs8::PrivateKeyInfoRef<'_>) -> Result<SigningKey> {
    SigningKey::try_from(info).map_err(|e| Error::decode("Ed25519 private key", e))
}

pub(super) fn pkcs8_v1(key: &SigningKey) -> pkcs8::Result<der::SecretDocument> {
    use pkcs8::EncodePrivateKey;
    let bytes = ed25519_dalek::ed25519::pkcs8::KeypairBytes {
        secret_key: key.to_bytes(),
        public_key: None,
    };
    bytes.to_pkcs8_der()
}
