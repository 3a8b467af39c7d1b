//! RSA verification (RFC 8017: RSASSA-PKCS1-v1_5 and RSASSA-PSS): through AWS-LC with the
//! crate's `aws-lc` feature (on by default) for the combinations it has (keys of 1,024 to
//! 8,192 bits with SHA-1, SHA-256 or SHA-512 and PKCS#1 v1.5, 2,048 to 8,192 bits with
//! SHA-384, and PSS with SHA-256/384/512 whose salt is as long as the hash), about 4x faster
//! (benches/compare.sh); through RustCrypto `rsa` for the rest (SHA-224, SHA-3, other
//! salts, the negative-modulus keys read leniently) and without the feature.
//!
//! Only public-key operations happen here, which the Marvin timing attack on the `rsa`
//! crate's private-key operations (RUSTSEC-2023-0071) does not concern. Keys from 1,024 to
//! 8,192 bits are read; below 2,048 bits a key is weak (ETSI TS 119 312) and a signature
//! made with it is reported INDETERMINATE (see [`super::PublicKey::weakness`]).

use rsa::traits::PublicKeyParts;
use spki::SubjectPublicKeyInfoRef;

use super::BadSignature;
use super::scheme::{Scheme, SchemeKind};
use crate::digest::HashAlg;
use crate::error::{Error, Result};

/// An RSA public key with its SubjectPublicKeyInfo, kept for identifiers and re-encoding.
#[derive(Clone, PartialEq, Eq)]
pub struct RsaKey {
    key: rsa::PublicKey,
    spki: Vec<u8>,
    /// The length of `subjectPublicKey`'s contents, the last bytes of `spki`.
    pkcs1_len: usize,
    bits: usize,
    leniency: Option<&'static str>,
}

/// `id-RSASSA-PSS` as a key algorithm (RFC 4055 §1.2): the key is an ordinary RSA key.
const OID_RSA_PSS: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");

impl RsaKey {
    /// The key's modulus size in bits.
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// What was accepted in reading this key that DER does not allow, if anything.
    pub fn leniency(&self) -> Option<&'static str> {
        self.leniency
    }

    pub(super) fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    /// The `subjectPublicKey` BIT STRING contents (DER `RSAPublicKey`): the SPKI's last
    /// bytes, as the BIT STRING is its last field.
    pub(super) fn public_key_bytes(&self) -> &[u8] {
        &self.spki[self.spki.len() - self.pkcs1_len..]
    }
}

pub(super) fn public_from_spki(spki: SubjectPublicKeyInfoRef<'_>) -> Result<RsaKey> {
    let bits_of = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| Error::decode("RSA public key", "unused bits in the key"))?;
    let (key, leniency) = match rsa::pkcs1::RsaPublicKeyRef::try_from(bits_of) {
        Ok(pkcs1) => {
            (rsa::PublicKey::try_from(pkcs1).map_err(|e| Error::decode("RSA public key", e))?, None)
        }
        Err(e) => match negative_modulus(bits_of) {
            Some(key) => (key, Some(NEGATIVE_MODULUS)),
            None => return Err(Error::decode("RSA public key", e)),
        },
    };
    // An id-RSASSA-PSS key's parameters would restrict its use; each signature's own
    // parameters are what we check.
    debug_assert!(spki.algorithm.oid == OID_RSA_PSS || spki.algorithm.oid == super::OID_RSA);
    let spki_der = der::Encode::to_der(&spki).map_err(|e| Error::decode("RSA public key", e))?;
    let bits = key.n().bit_width() as usize;
    debug_assert!(spki_der.ends_with(bits_of));
    Ok(RsaKey { key, spki: spki_der, pkcs1_len: bits_of.len(), bits, leniency })
}

const NEGATIVE_MODULUS: &str = "the RSA modulus is encoded as a negative INTEGER (no leading \
     zero byte, as Estonian ID cards of 2011-2014 wrote it); read as the unsigned number its \
     bytes give, as OpenSSL and EU DSS read it";

/// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` whose modulus
/// lacks the leading zero that makes it positive: the one encoding error in deployed
/// certificates (ESTEID) that has a single meaning. Anything else is refused.
fn negative_modulus(der: &[u8]) -> Option<rsa::PublicKey> {
    use der::{Decode, Reader, SliceReader, Tag, Tagged};
    let seq = der::asn1::AnyRef::from_der(der).ok()?;
    if seq.tag() != Tag::Sequence {
        return None;
    }
    let mut r = SliceReader::new(seq.value()).ok()?;
    let n = der::asn1::AnyRef::decode(&mut r).ok()?;
    let e = der::asn1::AnyRef::decode(&mut r).ok()?;
    if !r.is_finished() || n.tag() != Tag::Integer || e.tag() != Tag::Integer {
        return None;
    }
    let (n, e) = (n.value(), e.value());
    // Negative: the top bit set; otherwise this is not the quirk we accept.
    if n.first().is_none_or(|b| b & 0x80 == 0) || e.first().is_none_or(|b| b & 0x80 != 0) {
        return None;
    }
    let bits = |b: &[u8]| u32::try_from(b.len() * 8).ok();
    let n = rsa::BoxedUint::from_be_slice(n, bits(n)?).ok()?;
    let e = rsa::BoxedUint::from_be_slice(e, bits(e)?).ok()?;
    rsa::PublicKey::new(n, e).ok()
}

/// Verifies an RSA signature over a digest computed with `scheme.hash`.
pub(super) fn verify_prehash(
    key: &RsaKey,
    scheme: &Scheme,
    digest: &[u8],
    sig: &[u8],
) -> std::result::Result<(), BadSignature> {
    // RFC 8017 §8.2.2 step 1: the signature is exactly as long as the modulus.
    if sig.len() != key.key.size() {
        return Err(BadSignature);
    }
    #[cfg(feature = "aws-lc")]
    if key.leniency.is_none()
        && let Some(verdict) =
            super::aws_lc::rsa_verify_prehash(key, key.public_key_bytes(), scheme, digest, sig)
    {
        return verdict;
    }
    verify_prehash_rust(key, scheme, digest, sig)
}

/// [`verify_prehash`] through RustCrypto `rsa` alone.
pub(super) fn verify_prehash_rust(
    key: &RsaKey,
    scheme: &Scheme,
    digest: &[u8],
    sig: &[u8],
) -> std::result::Result<(), BadSignature> {
    if sig.len() != key.key.size() {
        return Err(BadSignature);
    }
    macro_rules! with_hash {
        ($d:ty) => {
            match scheme.kind {
                SchemeKind::RsaPkcs1 => key.key.pkcs1v15_verify_prehash::<$d>(digest, sig),
                SchemeKind::RsaPss { salt_len } => {
                    key.key.verify(rsa::Pss::<$d>::new_with_salt(salt_len), digest, sig)
                }
                _ => return Err(BadSignature),
            }
        };
    }
    let r = match scheme.hash {
        HashAlg::Sha1 => with_hash!(sha1::Sha1),
        HashAlg::Sha224 => with_hash!(sha2::Sha224),
        HashAlg::Sha256 => with_hash!(sha2::Sha256),
        HashAlg::Sha384 => with_hash!(sha2::Sha384),
        HashAlg::Sha512 => with_hash!(sha2::Sha512),
        #[cfg(feature = "sha3")]
        HashAlg::Sha3_256 => with_hash!(sha3::Sha3_256),
        #[cfg(feature = "sha3")]
        HashAlg::Sha3_384 => with_hash!(sha3::Sha3_384),
        #[cfg(feature = "sha3")]
        HashAlg::Sha3_512 => with_hash!(sha3::Sha3_512),
        #[cfg(feature = "sm2")]
        HashAlg::Sm3 => return Err(BadSignature),
    };
    r.map_err(|_| BadSignature)
}

/// RSA signing keys through AWS-LC (see the crate's `aws-lc` feature).
#[cfg(feature = "aws-lc")]
pub(super) mod signing {
    use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
    use aws_lc_rs::rsa::{KeyPair, KeySize};
    use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256, RSA_PSS_SHA256};
    use zeroize::Zeroizing;

    use crate::error::{Error, Result};

    /// An RSA private key.
    pub(crate) struct SigningKey(KeyPair);

    pub(crate) fn generate(bits: usize) -> Result<SigningKey> {
        let size = match bits {
            2048 => KeySize::Rsa2048,
            3072 => KeySize::Rsa3072,
            4096 => KeySize::Rsa4096,
            other => {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "RSA with {other} bits (expected 2048, 3072 or 4096)"
                )));
            }
        };
        KeyPair::generate(size)
            .map(SigningKey)
            .map_err(|_| Error::Signing("RSA key generation failed".into()))
    }

    /// From a PKCS#8 `PrivateKeyInfo`.
    pub(crate) fn from_pkcs8(der: &[u8]) -> Result<SigningKey> {
        KeyPair::from_pkcs8(der).map(SigningKey).map_err(|e| Error::decode("RSA private key", e))
    }

    /// From a PKCS#1 `RSAPrivateKey` (OpenSSL's "RSA PRIVATE KEY").
    pub(crate) fn from_pkcs1(der: &[u8]) -> Result<SigningKey> {
        KeyPair::from_der(der).map(SigningKey).map_err(|e| Error::decode("RSA private key", e))
    }

    impl SigningKey {
        /// The SubjectPublicKeyInfo of the key.
        pub(crate) fn public_spki(&self) -> Result<Vec<u8>> {
            use aws_lc_rs::encoding::PublicKeyX509Der;
            AsDer::<PublicKeyX509Der>::as_der(self.0.public_key())
                .map(|d| d.as_ref().to_vec())
                .map_err(|_| Error::decode("RSA public key", "cannot encode"))
        }

        /// PKCS#8 v1 DER.
        pub(crate) fn to_pkcs8(&self) -> Result<Zeroizing<Vec<u8>>> {
            AsDer::<Pkcs8V1Der>::as_der(&self.0)
                .map(|d| Zeroizing::new(d.as_ref().to_vec()))
                .map_err(|_| Error::decode("RSA private key", "cannot encode"))
        }

        /// RSASSA-PKCS1-v1_5 or RSASSA-PSS (salt 32, MGF1) with SHA-256 over `msg`.
        pub(crate) fn sign(&self, pss: bool, msg: &[u8]) -> Result<Vec<u8>> {
            let mut sig = vec![0u8; self.0.public_modulus_len()];
            let padding = if pss { &RSA_PSS_SHA256 } else { &RSA_PKCS1_SHA256 };
            self.0
                .sign(padding, &aws_lc_rs::rand::SystemRandom::new(), msg, &mut sig)
                .map_err(|_| Error::Signing("RSA signing failed".into()))?;
            Ok(sig)
        }
    }
}
