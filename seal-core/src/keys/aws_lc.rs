//! Verification through AWS-LC (C and assembly; the crate's `aws-lc` feature, on by
//! default): ECDSA over P-256 and P-384, and RSA (PKCS#1 v1.5 and PSS). Each function gives
//! AWS-LC's verdict, or `None` for a combination AWS-LC has no algorithm for, or a key it
//! refuses although RustCrypto read it; the caller then asks RustCrypto, which decides for
//! everything without the feature. Wycheproof runs through both paths in CI, and a unit test
//! checks that they agree.

use aws_lc_rs::digest::{self, Digest};
use aws_lc_rs::signature;

use super::BadSignature;
use super::rsa::RsaKey;
use super::scheme::{Scheme, SchemeKind};
use crate::digest::HashAlg;

/// The curves AWS-LC verifies for us.
#[derive(Clone, Copy)]
pub(super) enum Curve {
    P256,
    #[cfg(feature = "p384")]
    P384,
}

/// ECDSA over `digest` (any hash: only its bytes enter the arithmetic, so a 32-byte digest
/// goes with the SHA-256 algorithm, and so on). `point` is the SEC1 public point; `sig` is
/// DER (`der` true) or the fixed-width `r || s`, which `to_der` converts.
pub(super) fn ecdsa_verify_prehash(
    curve: Curve,
    point: &[u8],
    digest: &[u8],
    sig: &[u8],
    der: bool,
    to_der: impl Fn(&[u8]) -> crate::error::Result<Vec<u8>>,
) -> Option<Result<(), BadSignature>> {
    use signature::*;
    let (alg, hash): (&'static EcdsaVerificationAlgorithm, &'static digest::Algorithm) =
        match (curve, digest.len()) {
            (Curve::P256, 20) => (&ECDSA_P256_SHA1_ASN1, &digest::SHA1_FOR_LEGACY_USE_ONLY),
            (Curve::P256, 32) => (&ECDSA_P256_SHA256_ASN1, &digest::SHA256),
            (Curve::P256, 48) => (&ECDSA_P256_SHA384_ASN1, &digest::SHA384),
            (Curve::P256, 64) => (&ECDSA_P256_SHA512_ASN1, &digest::SHA512),
            #[cfg(feature = "p384")]
            (Curve::P384, 32) => (&ECDSA_P384_SHA256_ASN1, &digest::SHA256),
            #[cfg(feature = "p384")]
            (Curve::P384, 48) => (&ECDSA_P384_SHA384_ASN1, &digest::SHA384),
            #[cfg(feature = "p384")]
            (Curve::P384, 64) => (&ECDSA_P384_SHA512_ASN1, &digest::SHA512),
            _ => return None,
        };
    let digest = Digest::import_less_safe(digest, hash).ok()?;
    let key = UnparsedPublicKey::new(alg, point).parse().ok()?;
    let converted;
    let der_sig = if der {
        sig
    } else {
        match to_der(sig) {
            Ok(d) => {
                converted = d;
                &converted
            }
            Err(_) => return Some(Err(BadSignature)),
        }
    };
    Some(key.verify_digest_sig(&digest, der_sig).map_err(|_| BadSignature))
}

/// RSA over `digest` for the combinations aws-lc-rs names: PKCS#1 v1.5 with SHA-1, SHA-256
/// or SHA-512 and keys of 1,024 to 8,192 bits, or SHA-384 from 2,048 bits; PSS with
/// SHA-256/384/512 from 2,048 bits whose salt is as long as the hash (what nearly every
/// producer writes). `public` is the DER `RSAPublicKey`.
pub(super) fn rsa_verify_prehash(
    key: &RsaKey,
    public: &[u8],
    scheme: &Scheme,
    digest: &[u8],
    sig: &[u8],
) -> Option<Result<(), BadSignature>> {
    use signature::*;
    let bits = key.bits();
    if !(1024..=8192).contains(&bits) {
        return None;
    }
    let big = bits >= 2048;
    let (params, hash): (&'static RsaParameters, &'static digest::Algorithm) =
        match (scheme.kind, scheme.hash) {
            (SchemeKind::RsaPkcs1, HashAlg::Sha1) => {
                (&RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY, &digest::SHA1_FOR_LEGACY_USE_ONLY)
            }
            (SchemeKind::RsaPkcs1, HashAlg::Sha256) => {
                (&RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY, &digest::SHA256)
            }
            (SchemeKind::RsaPkcs1, HashAlg::Sha384) if big => {
                (&RSA_PKCS1_2048_8192_SHA384, &digest::SHA384)
            }
            (SchemeKind::RsaPkcs1, HashAlg::Sha512) => {
                (&RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY, &digest::SHA512)
            }
            (SchemeKind::RsaPss { salt_len: 32 }, HashAlg::Sha256) if big => {
                (&RSA_PSS_2048_8192_SHA256, &digest::SHA256)
            }
            (SchemeKind::RsaPss { salt_len: 48 }, HashAlg::Sha384) if big => {
                (&RSA_PSS_2048_8192_SHA384, &digest::SHA384)
            }
            (SchemeKind::RsaPss { salt_len: 64 }, HashAlg::Sha512) if big => {
                (&RSA_PSS_2048_8192_SHA512, &digest::SHA512)
            }
            _ => return None,
        };
    let digest = Digest::import_less_safe(digest, hash).ok()?;
    let key = UnparsedPublicKey::new(params, public).parse().ok()?;
    Some(key.verify_digest_sig(&digest, sig).map_err(|_| BadSignature))
}
