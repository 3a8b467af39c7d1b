//! ECDSA over P-256 with SHA-256 (FIPS 186-5, RFC 5480, RFC 5758) through `p256`.

use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use spki::SubjectPublicKeyInfoRef;

use super::{BadSignature, OID_P256};
use crate::error::{Error, Result};

pub(super) fn generate() -> Result<SigningKey> {
    use p256::elliptic_curve::Generate;
    SigningKey::try_generate_from_rng(&mut getrandom::SysRng)
        .map_err(|e| Error::Signing(format!("random number generator: {e}")))
}

pub(super) fn sign(key: &SigningKey, msg: &[u8]) -> Result<[u8; 64]> {
    use p256::ecdsa::signature::Signer;
    // RFC 6979 deterministic nonces: no RNG failure can leak the key.
    let sig: Signature = key.try_sign(msg).map_err(|e| Error::Signing(e.to_string()))?;
    Ok(sig.to_bytes().into())
}

/// Verifies a DER (`der` true) or fixed-width signature over a digest computed beforehand.
pub(super) fn verify_prehash(
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
