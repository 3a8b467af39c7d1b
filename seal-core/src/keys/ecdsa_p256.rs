//! ECDSA over P-256 with SHA-256 (FIPS 186-5, RFC 5480, RFC 5758) through `p256`, and with
//! the crate's `aws-lc` feature (on by default) signed and verified through AWS-LC's
//! assembly, about five times faster (measured in benches/compare.sh beside `openssl
//! speed`). The pure-Rust path stays for builds without C code (`--no-default-features`,
//! which CI tests against Wycheproof too) and for digests AWS-LC has no P-256 algorithm
//! for (SHA-224, SHA-3; see `super::aws_lc`). Keys are read and written by `p256` either way.

use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use spki::SubjectPublicKeyInfoRef;

use super::{BadSignature, OID_P256};
use crate::error::{Error, Result};

/// A P-256 signing key: `p256`'s, and with `aws-lc` the same key in AWS-LC, which signs.
pub(super) struct Key {
    pub(super) rust: SigningKey,
    #[cfg(feature = "aws-lc")]
    fast: aws_lc_rs::signature::EcdsaKeyPair,
}

impl Key {
    pub(super) fn new(rust: SigningKey) -> Result<Key> {
        #[cfg(feature = "aws-lc")]
        {
            use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
            use pkcs8::EncodePrivateKey;
            // The PKCS#8 form in between is a zeroizing SecretDocument.
            let der = rust.to_pkcs8_der().map_err(|e| Error::decode("P-256 private key", e))?;
            let fast = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der.as_bytes())
                .map_err(|e| Error::decode("P-256 private key", e))?;
            Ok(Key { rust, fast })
        }
        #[cfg(not(feature = "aws-lc"))]
        Ok(Key { rust })
    }
}

pub(super) fn generate() -> Result<Key> {
    use p256::elliptic_curve::Generate;
    let k = SigningKey::try_generate_from_rng(&mut getrandom::SysRng)
        .map_err(|e| Error::Signing(format!("random number generator: {e}")))?;
    Key::new(k)
}

/// ECDSA with SHA-256 over `msg`: the fixed-width `r || s`.
pub(super) fn sign(key: &Key, msg: &[u8]) -> Result<[u8; 64]> {
    #[cfg(feature = "aws-lc")]
    {
        // AWS-LC draws the nonce from its DRBG and mixes in the key and the message, so a
        // weak RNG does not leak the key either.
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let sig =
            key.fast.sign(&rng, msg).map_err(|_| Error::Signing("P-256 signing failed".into()))?;
        sig.as_ref()
            .try_into()
            .map_err(|_| Error::Signing("P-256 signature of unexpected length".into()))
    }
    #[cfg(not(feature = "aws-lc"))]
    {
        use p256::ecdsa::signature::Signer;
        // RFC 6979 deterministic nonces: no RNG failure can leak the key.
        let sig: Signature = key.rust.try_sign(msg).map_err(|e| Error::Signing(e.to_string()))?;
        Ok(sig.to_bytes().into())
    }
}

/// ECDSA over a SHA-256 digest made beforehand (RFC 6979 nonces, in `p256`: AWS-LC signs
/// messages only); the fixed-width `r || s`.
pub(super) fn sign_prehash(key: &Key, digest: &[u8]) -> Result<[u8; 64]> {
    use signature::hazmat::PrehashSigner;
    let sig: Signature =
        key.rust.sign_prehash(digest).map_err(|e| Error::Signing(e.to_string()))?;
    Ok(sig.to_bytes().into())
}

/// Verifies a DER (`der` true) or fixed-width signature over a digest computed beforehand.
pub(super) fn verify_prehash(
    key: &VerifyingKey,
    digest: &[u8],
    sig: &[u8],
    der: bool,
) -> Result<(), BadSignature> {
    #[cfg(feature = "aws-lc")]
    if let Some(verdict) = super::aws_lc::ecdsa_verify_prehash(
        super::aws_lc::Curve::P256,
        &key.to_sec1_bytes(),
        digest,
        sig,
        der,
        der_from_raw,
    ) {
        return verdict;
    }
    verify_prehash_rust(key, digest, sig, der)
}

/// [`verify_prehash`] through `p256` alone.
pub(super) fn verify_prehash_rust(
    key: &VerifyingKey,
    digest: &[u8],
    sig: &[u8],
    der: bool,
) -> Result<(), BadSignature> {
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    let sig = if der { Signature::from_der(sig) } else { Signature::from_slice(sig) }
        .map_err(|_| BadSignature)?;
    key.verify_prehash(digest, &sig).map_err(|_| BadSignature)
}

pub(super) fn raw_from_der(der: &[u8]) -> Result<[u8; 64]> {
    let sig = Signature::from_der(der).map_err(|e| Error::decode("ECDSA signature", e))?;
    Ok(sig.to_bytes().into())
}

pub(super) fn der_from_raw(raw: &[u8]) -> Result<Vec<u8>> {
    let sig = Signature::from_slice(raw).map_err(|e| Error::decode("ECDSA signature", e))?;
    Ok(sig.to_der().as_bytes().to_vec())
}

pub(super) fn public_from_spki(spki: SubjectPublicKeyInfoRef<'_>) -> Result<super::PublicKey> {
    VerifyingKey::try_from(spki)
        .map(super::PublicKey::EcdsaP256)
        .map_err(|e| Error::decode("P-256 public key", e))
}

pub(super) fn private_from_pkcs8(info: pkcs8::PrivateKeyInfoRef<'_>) -> Result<SigningKey> {
    let curve = info
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok());
    if curve != Some(OID_P256) {
        return Err(Error::UnsupportedAlgorithm(match curve {
            Some(oid) => format!("elliptic curve {}", super::oid_name(&oid)),
            None => "EC private key without a named curve".into(),
        }));
    }
    SigningKey::try_from(info).map_err(|e| Error::decode("P-256 private key", e))
}

pub(super) fn private_from_sec1(der: &[u8]) -> Result<SigningKey> {
    let sk =
        p256::SecretKey::from_sec1_der(der).map_err(|e| Error::decode("SEC1 EC private key", e))?;
    Ok(SigningKey::from(sk))
}
