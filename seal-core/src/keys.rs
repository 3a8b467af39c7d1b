//! Keys and signatures: Ed25519, ECDSA (P-256, P-384; P-521 and brainpool to verify), RSA
//! (PKCS#1 v1.5 and PSS) and SM2 with SM3 behind one API.
//!
//! - [`Signer`] is the one interface every signing key implements: a key file
//!   ([`PrivateKey`]) today, a PKCS#11 token or a remote signing service tomorrow.
//! - [`PublicKey`] verifies; it is parsed once and reused, so a verification does not
//!   re-decode the key.
//! - [`Signature`] holds the raw form of its algorithm and converts to the encoding a
//!   format wants (DER `ECDSA-Sig-Value` in X.509 and CMS, raw `r || s` in JOSE and COSE).
//! - [`Scheme`] is the one registry of signature `AlgorithmIdentifier`s: every format maps
//!   an OID to a scheme there, and [`PublicKey::verify_scheme`] checks it.
//!
//! Only this module and its children name the crypto crates.

#[cfg(feature = "aws-lc")]
mod aws_lc;
mod ecdsa;
mod ecdsa_p256;
mod ed25519;
#[cfg(feature = "pkcs11")]
pub mod pkcs11;
mod private;
#[cfg(feature = "rsa")]
pub mod rsa;
#[cfg(not(feature = "rsa"))]
#[path = "keys/rsa_absent.rs"]
pub mod rsa;
pub mod scheme;
mod sm2;

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use spki::{
    AlgorithmIdentifierOwned, AlgorithmIdentifierRef, SubjectPublicKeyInfoOwned,
    SubjectPublicKeyInfoRef,
};
use zeroize::Zeroizing;

use crate::error::{Error, Result, ResultExt};
use crate::io;
pub use private::{Kdf, PrivateKey, is_encrypted};
pub use scheme::{Scheme, SchemeKind};

/// OID of `id-Ed25519` (RFC 8410).
pub const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
/// OID of `id-ecPublicKey` (RFC 5480).
pub const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// OID of `rsaEncryption` (RFC 8017), the key type of RSA keys.
pub const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// OID of `id-RSASSA-PSS` (RFC 4055).
pub const OID_RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
/// OID of the `prime256v1` / `secp256r1` curve (RFC 5480).
pub const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// OID of the `secp384r1` curve (RFC 5480).
pub const OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
/// OID of the `secp521r1` curve (RFC 5480).
pub const OID_P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
/// OID of `brainpoolP256r1` (RFC 5639).
pub const OID_BRAINPOOL_P256R1: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.36.3.3.2.8.1.1.7");
/// OID of `brainpoolP384r1` (RFC 5639).
pub const OID_BRAINPOOL_P384R1: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.36.3.3.2.8.1.1.11");
/// OID of the SM2 curve (GB/T 33560, GM/T 0006).
pub const OID_SM2_CURVE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.301");
/// OID of SM2 signature with SM3 (GM/T 0006).
pub const OID_SM2_SM3: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.501");
/// OID of `ecdsa-with-SHA256` (RFC 5758).
pub const OID_ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
/// OID of `ecdsa-with-SHA384` (RFC 5758).
pub const OID_ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
/// OID of `ecdsa-with-SHA512` (RFC 5758).
pub const OID_ECDSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
/// OID of `sha256WithRSAEncryption` (RFC 4055).
pub const OID_SHA256_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");

/// A signature algorithm as a key signs with it: those `seal` signs with, and those of keys
/// it only verifies (P-521, brainpool).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum Algorithm {
    /// ECDSA over brainpoolP256r1 with SHA-256 (RFC 5639); verification only.
    #[serde(rename = "brainpoolP256r1")]
    EcdsaBrainpoolP256r1Sha256,
    /// ECDSA over brainpoolP384r1 with SHA-384 (RFC 5639); verification only.
    #[serde(rename = "brainpoolP384r1")]
    EcdsaBrainpoolP384r1Sha384,
    /// ECDSA over NIST P-256 with SHA-256 (FIPS 186-5).
    #[serde(rename = "p256")]
    EcdsaP256Sha256,
    /// ECDSA over NIST P-384 with SHA-384 (FIPS 186-5).
    #[serde(rename = "p384")]
    EcdsaP384Sha384,
    /// ECDSA over NIST P-521 with SHA-512 (FIPS 186-5); verification only.
    #[serde(rename = "p521")]
    EcdsaP521Sha512,
    /// Ed25519 (RFC 8032).
    #[serde(rename = "ed25519")]
    Ed25519,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017), the default for RSA keys.
    #[serde(rename = "rsa")]
    RsaPkcs1Sha256,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (RFC 8017, RFC 4055).
    #[serde(rename = "rsa-pss")]
    RsaPssSha256,
    /// SM2 with SM3 (GB/T 32918, GM/T 0009), with the default distinguishing ID.
    #[serde(rename = "sm2")]
    Sm2Sm3,
}

impl Algorithm {
    /// Every algorithm whose keys `seal` can generate and sign with in software, for tests
    /// that run once per algorithm.
    pub const ALL: [Algorithm; 2] = [Algorithm::Ed25519, Algorithm::EcdsaP256Sha256];

    /// The short name used on the command line, e.g. `ed25519`, `p256`, `rsa`.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::EcdsaBrainpoolP256r1Sha256 => "brainpoolP256r1",
            Algorithm::EcdsaBrainpoolP384r1Sha384 => "brainpoolP384r1",
            Algorithm::EcdsaP256Sha256 => "p256",
            Algorithm::EcdsaP384Sha384 => "p384",
            Algorithm::EcdsaP521Sha512 => "p521",
            Algorithm::Ed25519 => "ed25519",
            Algorithm::RsaPkcs1Sha256 => "rsa",
            Algorithm::RsaPssSha256 => "rsa-pss",
            Algorithm::Sm2Sm3 => "sm2",
        }
    }

    /// How signatures of this algorithm are checked, in the raw form [`Signature`] holds.
    pub fn scheme(self) -> Scheme {
        use crate::digest::HashAlg::*;
        match self {
            Algorithm::EcdsaBrainpoolP256r1Sha256 | Algorithm::EcdsaP256Sha256 => {
                Scheme::new(SchemeKind::EcdsaPlain, Sha256)
            }
            Algorithm::EcdsaBrainpoolP384r1Sha384 | Algorithm::EcdsaP384Sha384 => {
                Scheme::new(SchemeKind::EcdsaPlain, Sha384)
            }
            Algorithm::EcdsaP521Sha512 => Scheme::new(SchemeKind::EcdsaPlain, Sha512),
            Algorithm::Ed25519 => Scheme::new(SchemeKind::Ed25519, Sha512),
            Algorithm::RsaPkcs1Sha256 => Scheme::new(SchemeKind::RsaPkcs1, Sha256),
            Algorithm::RsaPssSha256 => Scheme::new(SchemeKind::RsaPss { salt_len: 32 }, Sha256),
            #[cfg(feature = "sm2")]
            Algorithm::Sm2Sm3 => Scheme::new(SchemeKind::Sm2, crate::digest::HashAlg::Sm3),
            // Without SM3 there is no SM2 key either (`sm2::Key` has no value), so this
            // scheme verifies nothing; its hash is never computed for an SM2 key.
            #[cfg(not(feature = "sm2"))]
            Algorithm::Sm2Sm3 => Scheme::new(SchemeKind::Sm2, Sha256),
        }
    }

    /// The hash this algorithm signs with (SHA-512 inside Ed25519).
    pub fn hash(self) -> crate::digest::HashAlg {
        self.scheme().hash
    }

    /// The X.509 / CMS `AlgorithmIdentifier` of signatures made with this algorithm.
    ///
    /// ECDSA and Ed25519 have absent parameters (RFC 5758 §3.2, RFC 8410 §3); RSA PKCS#1
    /// v1.5 has NULL (RFC 4055 §5); RSA-PSS names its hash, MGF1 and salt (RFC 4055 §3.1).
    pub fn signature_algorithm_identifier(self) -> AlgorithmIdentifierOwned {
        let (oid, parameters) = match self {
            Algorithm::EcdsaP256Sha256 | Algorithm::EcdsaBrainpoolP256r1Sha256 => {
                (OID_ECDSA_SHA256, None)
            }
            Algorithm::EcdsaP384Sha384 | Algorithm::EcdsaBrainpoolP384r1Sha384 => {
                (OID_ECDSA_SHA384, None)
            }
            Algorithm::EcdsaP521Sha512 => (OID_ECDSA_SHA512, None),
            Algorithm::Ed25519 => (OID_ED25519, None),
            Algorithm::RsaPkcs1Sha256 => (OID_SHA256_RSA, Some(der::asn1::Any::null())),
            Algorithm::RsaPssSha256 => (OID_RSA_PSS, Some(pss_sha256_params())),
            Algorithm::Sm2Sm3 => (OID_SM2_SM3, None),
        };
        AlgorithmIdentifierOwned { oid, parameters }
    }

    /// The signature algorithm an OID names, for formats that carry only an OID (GB/T 38540
    /// seals and stamps).
    pub fn from_oid(oid: ObjectIdentifier) -> Result<Algorithm> {
        match oid {
            OID_ECDSA_SHA256 => Ok(Algorithm::EcdsaP256Sha256),
            OID_ECDSA_SHA384 => Ok(Algorithm::EcdsaP384Sha384),
            OID_ED25519 => Ok(Algorithm::Ed25519),
            OID_SHA256_RSA => Ok(Algorithm::RsaPkcs1Sha256),
            OID_SM2_SM3 => Ok(Algorithm::Sm2Sm3),
            other => Err(Error::UnsupportedAlgorithm(oid_name(&other))),
        }
    }
}

/// RSASSA-PSS-params for SHA-256, MGF1-SHA-256, salt 32, trailer 1 (RFC 4055 §3.1), as
/// OpenSSL writes them.
fn pss_sha256_params() -> der::asn1::Any {
    const PARAMS: [u8; 54] = [
        0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
        0x02, 0x01, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
        0x0d, 0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
        0x02, 0x01, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x20,
    ];
    // The bytes above are a fixed, valid DER SEQUENCE.
    #[allow(clippy::expect_used)]
    der::asn1::Any::from_der(&PARAMS).expect("fixed DER")
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Algorithm::EcdsaBrainpoolP256r1Sha256 => "ECDSA brainpoolP256r1 with SHA-256",
            Algorithm::EcdsaBrainpoolP384r1Sha384 => "ECDSA brainpoolP384r1 with SHA-384",
            Algorithm::EcdsaP256Sha256 => "ECDSA P-256 with SHA-256",
            Algorithm::EcdsaP384Sha384 => "ECDSA P-384 with SHA-384",
            Algorithm::EcdsaP521Sha512 => "ECDSA P-521 with SHA-512",
            Algorithm::Ed25519 => "Ed25519",
            Algorithm::RsaPkcs1Sha256 => "RSA PKCS#1 v1.5 with SHA-256",
            Algorithm::RsaPssSha256 => "RSA-PSS with SHA-256",
            Algorithm::Sm2Sm3 => "SM2 with SM3",
        })
    }
}

impl FromStr for Algorithm {
    type Err = Error;

    fn from_str(s: &str) -> Result<Algorithm> {
        match s.to_ascii_lowercase().as_str() {
            "ed25519" | "eddsa" => Ok(Algorithm::Ed25519),
            "p256" | "p-256" | "es256" | "ecdsa-p256" | "prime256v1" | "secp256r1" => {
                Ok(Algorithm::EcdsaP256Sha256)
            }
            "p384" | "p-384" | "es384" | "ecdsa-p384" | "secp384r1" => {
                Ok(Algorithm::EcdsaP384Sha384)
            }
            "rsa" | "rs256" | "rsa-pkcs1" => Ok(Algorithm::RsaPkcs1Sha256),
            "rsa-pss" | "ps256" => Ok(Algorithm::RsaPssSha256),
            "sm2" | "sm2-sm3" | "sm2sm3" | "sm2-with-sm3" => Ok(Algorithm::Sm2Sm3),
            _ => Err(Error::UnsupportedAlgorithm(format!(
                "{s:?} (expected ed25519, p256, p384, rsa, rsa-pss or sm2)"
            ))),
        }
    }
}

/// A human name for an OID: its registered name if known, else the dotted form.
pub fn oid_name(oid: &ObjectIdentifier) -> String {
    let national = match *oid {
        OID_SM2_SM3 => Some("sm2-with-SM3"),
        OID_SM2_CURVE => Some("sm2p256v1"),
        _ => None,
    };
    if let Some(name) = national {
        return format!("{name} ({oid})");
    }
    match const_oid::db::DB.by_oid(oid) {
        Some(name) => format!("{name} ({oid})"),
        None => oid.to_string(),
    }
}

/// A signature in the raw form of its algorithm.
///
/// For Ed25519 it is `R || S` (RFC 8032); for ECDSA and SM2 it is `r || s`, each as wide as
/// the curve's field, big-endian (the IEEE P1363 form that JOSE and COSE use); for RSA it
/// is the signature octets, as long as the modulus.
#[derive(Clone, PartialEq, Eq)]
pub struct Signature {
    algorithm: Algorithm,
    raw: Vec<u8>,
}

impl Signature {
    /// A signature from its raw form (see [`Signature`]).
    pub fn from_raw(algorithm: Algorithm, raw: impl Into<Vec<u8>>) -> Signature {
        Signature { algorithm, raw: raw.into() }
    }

    /// A signature as carried in X.509, CRLs, CSRs and CMS: DER `ECDSA-Sig-Value` for ECDSA
    /// and SM2 (RFC 5480 §2.2.3 / RFC 5758), the raw bytes for Ed25519 (RFC 8410 §6) and RSA.
    pub fn from_x509(algorithm: Algorithm, bytes: &[u8]) -> Result<Signature> {
        let raw = match algorithm {
            Algorithm::EcdsaP256Sha256 => ecdsa_p256::raw_from_der(bytes)?.to_vec(),
            Algorithm::EcdsaP384Sha384 => ecdsa::nist_p384::raw_from_der(bytes)?,
            Algorithm::EcdsaP521Sha512 => ecdsa::nist_p521::raw_from_der(bytes)?,
            Algorithm::EcdsaBrainpoolP256r1Sha256 => ecdsa::brainpool_p256::raw_from_der(bytes)?,
            Algorithm::EcdsaBrainpoolP384r1Sha384 => ecdsa::brainpool_p384::raw_from_der(bytes)?,
            Algorithm::Sm2Sm3 => sm2::raw_from_der(bytes)?.to_vec(),
            Algorithm::Ed25519 => {
                if bytes.len() != 64 {
                    return Err(Error::decode(
                        "Ed25519 signature",
                        format!("{} bytes, expected 64", bytes.len()),
                    ));
                }
                bytes.to_vec()
            }
            Algorithm::RsaPkcs1Sha256 | Algorithm::RsaPssSha256 => bytes.to_vec(),
        };
        Ok(Signature { algorithm, raw })
    }

    /// The algorithm that made this signature.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The raw form (see [`Signature`]).
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The form carried in X.509 and CMS (see [`Signature::from_x509`]).
    pub fn to_x509(&self) -> Result<Vec<u8>> {
        match self.algorithm {
            Algorithm::EcdsaP256Sha256 => ecdsa_p256::der_from_raw(&self.raw),
            Algorithm::EcdsaP384Sha384 => ecdsa::nist_p384::der_from_raw(&self.raw),
            Algorithm::EcdsaP521Sha512 => ecdsa::nist_p521::der_from_raw(&self.raw),
            Algorithm::EcdsaBrainpoolP256r1Sha256 => ecdsa::brainpool_p256::der_from_raw(&self.raw),
            Algorithm::EcdsaBrainpoolP384r1Sha384 => ecdsa::brainpool_p384::der_from_raw(&self.raw),
            Algorithm::Sm2Sm3 => sm2::der_from_raw(&self.raw),
            Algorithm::Ed25519 | Algorithm::RsaPkcs1Sha256 | Algorithm::RsaPssSha256 => {
                Ok(self.raw.clone())
            }
        }
    }

    /// The longest X.509/CMS encoding a signature of `algorithm` by a key of
    /// `key_bytes` (the RSA modulus size) can have, for sizing containers before signing.
    pub fn max_x509_len(algorithm: Algorithm, rsa_modulus_bytes: usize) -> usize {
        // DER ECDSA-Sig-Value: SEQUENCE { INTEGER r, INTEGER s }, each up to field + 1 bytes.
        let ec = |field: usize| {
            let int = 2 + field + 1;
            let content = 2 * int;
            content + if content < 128 { 2 } else { 3 }
        };
        match algorithm {
            Algorithm::EcdsaP256Sha256
            | Algorithm::EcdsaBrainpoolP256r1Sha256
            | Algorithm::Sm2Sm3 => ec(32),
            Algorithm::EcdsaP384Sha384 | Algorithm::EcdsaBrainpoolP384r1Sha384 => ec(48),
            Algorithm::EcdsaP521Sha512 => ec(66),
            Algorithm::Ed25519 => 64,
            Algorithm::RsaPkcs1Sha256 | Algorithm::RsaPssSha256 => rsa_modulus_bytes,
        }
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({:?}, {})", self.algorithm, hex(&self.raw))
    }
}

/// The signature did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadSignature;

impl fmt::Display for BadSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("signature does not verify")
    }
}

/// Anything that can sign: a key file, a PKCS#11 token, a remote signing service.
///
/// The message is the whole to-be-signed data (Ed25519 needs it whole; an ECDSA or RSA
/// signer hashes it first, so a token only ever sees the digest).
pub trait Signer: Send + Sync {
    /// The algorithm this signer signs with.
    fn algorithm(&self) -> Algorithm {
        self.public_key().algorithm()
    }

    /// The public half of the signing key.
    fn public_key(&self) -> &PublicKey;

    /// Signs `msg`.
    fn sign(&self, msg: &[u8]) -> Result<Signature>;

    /// Signs a digest made beforehand with [`Algorithm::hash`] of [`Signer::algorithm`], as a
    /// remote signing service is asked to (`signHash`). Keys whose algorithm signs the
    /// message itself (Ed25519, SM2 with its `Z` prefix) and keys whose engine takes no
    /// digest refuse.
    fn sign_prehashed(&self, hash: &[u8]) -> Result<Signature> {
        let _ = hash;
        Err(Error::UnsupportedAlgorithm(format!(
            "this {} key signs messages, not digests made beforehand",
            self.algorithm().name()
        )))
    }

    /// How many signatures this signer makes to advantage at once: a remote service's
    /// chunk size (`multisign`), 1 for a local key. A batch keeps that many files in flight
    /// so that their signatures can travel together.
    fn batch_size(&self) -> usize {
        1
    }

    /// The certificate of the key and its chain, the key's first, when whoever keeps the
    /// key keeps them too (a remote signing service); empty otherwise.
    fn certificate_chain(&self) -> &[crate::pki::Certificate] {
        &[]
    }
}

impl<S: Signer + ?Sized> Signer for Box<S> {
    fn algorithm(&self) -> Algorithm {
        (**self).algorithm()
    }

    fn public_key(&self) -> &PublicKey {
        (**self).public_key()
    }

    fn sign(&self, msg: &[u8]) -> Result<Signature> {
        (**self).sign(msg)
    }

    fn sign_prehashed(&self, hash: &[u8]) -> Result<Signature> {
        (**self).sign_prehashed(hash)
    }

    fn batch_size(&self) -> usize {
        (**self).batch_size()
    }

    fn certificate_chain(&self) -> &[crate::pki::Certificate] {
        (**self).certificate_chain()
    }
}

/// The key type of an algorithm this build leaves out (its cargo feature is off, see
/// [`Error::NotBuilt`]): there is no value of it, so no such key can be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Absent {}

/// A public key, parsed and ready to verify.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublicKey {
    /// An ECDSA brainpoolP256r1 key.
    EcdsaBrainpoolP256(Box<ecdsa::brainpool_p256::Key>),
    /// An ECDSA brainpoolP384r1 key.
    EcdsaBrainpoolP384(Box<ecdsa::brainpool_p384::Key>),
    /// An ECDSA P-256 key.
    EcdsaP256(p256::ecdsa::VerifyingKey),
    /// An ECDSA P-384 key.
    EcdsaP384(Box<ecdsa::nist_p384::Key>),
    /// An ECDSA P-521 key.
    EcdsaP521(Box<ecdsa::nist_p521::Key>),
    /// An Ed25519 key.
    Ed25519(ed25519_dalek::VerifyingKey),
    /// An RSA key.
    Rsa(Box<rsa::RsaKey>),
    /// An SM2 key (verification only).
    Sm2(sm2::Key),
}

impl PublicKey {
    /// The algorithm this key signs with by default (RSA keys: PKCS#1 v1.5 with SHA-256).
    pub fn algorithm(&self) -> Algorithm {
        match self {
            PublicKey::EcdsaBrainpoolP256(_) => Algorithm::EcdsaBrainpoolP256r1Sha256,
            PublicKey::EcdsaBrainpoolP384(_) => Algorithm::EcdsaBrainpoolP384r1Sha384,
            PublicKey::EcdsaP256(_) => Algorithm::EcdsaP256Sha256,
            PublicKey::EcdsaP384(_) => Algorithm::EcdsaP384Sha384,
            PublicKey::EcdsaP521(_) => Algorithm::EcdsaP521Sha512,
            PublicKey::Ed25519(_) => Algorithm::Ed25519,
            PublicKey::Rsa(_) => Algorithm::RsaPkcs1Sha256,
            PublicKey::Sm2(_) => Algorithm::Sm2Sm3,
        }
    }

    /// Refuses an algorithm this key cannot sign with: an RSA key signs with PKCS#1 v1.5
    /// or PSS, every other key with its one algorithm.
    pub fn check_signs_with(&self, algorithm: Algorithm) -> Result<()> {
        let fits = match self {
            PublicKey::Rsa(_) => {
                matches!(algorithm, Algorithm::RsaPkcs1Sha256 | Algorithm::RsaPssSha256)
            }
            _ => algorithm == self.algorithm(),
        };
        if fits {
            Ok(())
        } else {
            Err(Error::KeyMismatch(format!(
                "a {} key cannot sign with {algorithm}",
                self.describe()
            )))
        }
    }

    /// The key type and size for people, e.g. `RSA 3072`, `EC P-384`.
    pub fn describe(&self) -> String {
        match self {
            PublicKey::EcdsaBrainpoolP256(_) => "EC brainpoolP256r1".into(),
            PublicKey::EcdsaBrainpoolP384(_) => "EC brainpoolP384r1".into(),
            PublicKey::EcdsaP256(_) => "EC P-256".into(),
            PublicKey::EcdsaP384(_) => "EC P-384".into(),
            PublicKey::EcdsaP521(_) => "EC P-521".into(),
            PublicKey::Ed25519(_) => "Ed25519".into(),
            PublicKey::Rsa(k) => format!("RSA {}", k.bits()),
            PublicKey::Sm2(_) => "SM2".into(),
        }
    }

    /// The RSA modulus size in bytes (0 for other keys): the length of its signatures.
    pub fn rsa_modulus_bytes(&self) -> usize {
        match self {
            PublicKey::Rsa(k) => k.bits().div_ceil(8),
            _ => 0,
        }
    }

    /// What was accepted in reading this key that DER does not allow (a vendor quirk with
    /// one meaning), for the report; `None` for a well-formed key.
    pub fn leniency(&self) -> Option<&'static str> {
        match self {
            PublicKey::Rsa(k) => k.leniency(),
            _ => None,
        }
    }

    /// Why this key no longer protects a signature, if it does not: RSA below 2,048 bits
    /// (ETSI TS 119 312, NIST SP 800-131A).
    pub fn weakness(&self) -> Option<String> {
        match self {
            PublicKey::Rsa(k) if k.bits() < 2048 => {
                Some(format!("RSA {} bits is below the 2,048 now required", k.bits()))
            }
            _ => None,
        }
    }

    /// Parses a `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7).
    pub fn from_spki(spki: SubjectPublicKeyInfoRef<'_>) -> Result<PublicKey> {
        match spki.algorithm.oid {
            OID_ED25519 => ed25519::public_from_spki(spki),
            OID_RSA | OID_RSA_PSS => rsa::public_from_spki(spki).map(|k| PublicKey::Rsa(k.into())),
            OID_EC_PUBLIC_KEY => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
                match curve {
                    Some(OID_P256) => ecdsa_p256::public_from_spki(spki),
                    Some(OID_P384) => {
                        ecdsa::nist_p384::from_spki(spki).map(|k| PublicKey::EcdsaP384(k.into()))
                    }
                    Some(OID_P521) => {
                        ecdsa::nist_p521::from_spki(spki).map(|k| PublicKey::EcdsaP521(k.into()))
                    }
                    Some(OID_BRAINPOOL_P256R1) => ecdsa::brainpool_p256::from_spki(spki)
                        .map(|k| PublicKey::EcdsaBrainpoolP256(k.into())),
                    Some(OID_BRAINPOOL_P384R1) => ecdsa::brainpool_p384::from_spki(spki)
                        .map(|k| PublicKey::EcdsaBrainpoolP384(k.into())),
                    Some(OID_SM2_CURVE) => sm2::public_from_spki(spki),
                    Some(other) => Err(Error::UnsupportedAlgorithm(format!(
                        "elliptic curve {}",
                        oid_name(&other)
                    ))),
                    None => Err(Error::decode("public key", "EC key without a named curve")),
                }
            }
            other => {
                Err(Error::UnsupportedAlgorithm(format!("public key type {}", oid_name(&other))))
            }
        }
    }

    /// Parses a DER `SubjectPublicKeyInfo`.
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey> {
        let spki =
            SubjectPublicKeyInfoRef::from_der(der).map_err(|e| Error::decode("public key", e))?;
        PublicKey::from_spki(spki)
    }

    /// Parses a public key from PEM (`PUBLIC KEY`) or DER, detected from the content.
    pub fn from_bytes(data: &[u8]) -> Result<PublicKey> {
        match pem_block(data)? {
            Some((label, der)) if label == "PUBLIC KEY" => PublicKey::from_spki_der(&der),
            Some((label, _)) => Err(Error::WrongType {
                expected: "a public key (PEM \"PUBLIC KEY\")",
                found: format!("a PEM \"{label}\" block"),
            }),
            None => PublicKey::from_spki_der(data),
        }
    }

    /// Reads a public key file (PEM or DER).
    pub fn load(path: &Path) -> Result<PublicKey> {
        PublicKey::from_bytes(&io::read(path)?).in_file(path)
    }

    /// The `SubjectPublicKeyInfo` of this key.
    pub fn to_spki(&self) -> Result<SubjectPublicKeyInfoOwned> {
        let der = self.to_spki_der()?;
        SubjectPublicKeyInfoOwned::from_der(&der).map_err(|e| Error::decode("public key", e))
    }

    /// The DER `SubjectPublicKeyInfo` of this key.
    pub fn to_spki_der(&self) -> Result<Vec<u8>> {
        use spki::EncodePublicKey;
        let doc = match self {
            PublicKey::EcdsaBrainpoolP256(k) => return ecdsa::brainpool_p256::spki_der(k),
            PublicKey::EcdsaBrainpoolP384(k) => return ecdsa::brainpool_p384::spki_der(k),
            PublicKey::EcdsaP384(k) => return ecdsa::nist_p384::spki_der(k),
            PublicKey::EcdsaP521(k) => return ecdsa::nist_p521::spki_der(k),
            PublicKey::Rsa(k) => return Ok(k.spki_der().to_vec()),
            PublicKey::EcdsaP256(k) => k.to_public_key_der(),
            PublicKey::Ed25519(k) => k.to_public_key_der(),
            PublicKey::Sm2(k) => return sm2::spki_der(k),
        };
        Ok(doc.map_err(|e| Error::decode("public key", e))?.into_vec())
    }

    /// The PEM `PUBLIC KEY` form of this key.
    pub fn to_pem(&self) -> Result<String> {
        let der = self.to_spki_der()?;
        der::pem::encode_string("PUBLIC KEY", der::pem::LineEnding::LF, &der)
            .map_err(|e| Error::decode("public key", e))
    }

    /// The bytes of the `subjectPublicKey` BIT STRING.
    pub fn subject_public_key_bytes(&self) -> Vec<u8> {
        match self {
            PublicKey::EcdsaBrainpoolP256(k) => ecdsa::brainpool_p256::sec1(k),
            PublicKey::EcdsaBrainpoolP384(k) => ecdsa::brainpool_p384::sec1(k),
            PublicKey::EcdsaP256(k) => k.to_sec1_bytes().into_vec(),
            PublicKey::EcdsaP384(k) => ecdsa::nist_p384::sec1(k),
            PublicKey::EcdsaP521(k) => ecdsa::nist_p521::sec1(k),
            PublicKey::Ed25519(k) => k.as_bytes().to_vec(),
            PublicKey::Rsa(k) => k.public_key_bytes().to_vec(),
            PublicKey::Sm2(k) => sm2::sec1(k),
        }
    }

    /// The key identifier of this key: the leftmost 160 bits of the SHA-256 hash of the
    /// `subjectPublicKey` bits (RFC 7093 §2 method 1), used in the subject and authority
    /// key identifier extensions.
    pub fn key_identifier(&self) -> [u8; 20] {
        let digest = Sha256::digest(self.subject_public_key_bytes());
        let mut id = [0u8; 20];
        id.copy_from_slice(&digest[..20]);
        id
    }

    /// Verifies a signature over `msg`.
    pub fn verify(&self, msg: &[u8], sig: &Signature) -> Result<(), BadSignature> {
        self.verify_scheme(&sig.algorithm.scheme(), msg, &sig.raw)
    }

    /// Verifies a signature value `sig` over `msg` by `scheme` (the value encoded as the
    /// scheme says). A scheme that does not fit the key (RSA with an EC key, ECDSA with an
    /// Ed25519 key) does not verify.
    pub fn verify_scheme(
        &self,
        scheme: &Scheme,
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), BadSignature> {
        match (self, scheme.kind) {
            (PublicKey::Ed25519(k), SchemeKind::Ed25519) => {
                let raw: &[u8; 64] = sig.try_into().map_err(|_| BadSignature)?;
                ed25519::verify(k, msg, raw)
            }
            (PublicKey::Sm2(k), SchemeKind::Sm2) => sm2::verify_any(k, msg, sig),
            _ if scheme.verifies_prehashed() => {
                self.verify_prehashed(scheme, &scheme.hash.hash(msg), sig)
            }
            _ => Err(BadSignature),
        }
    }

    /// Verifies an RSA or ECDSA signature value over a digest computed beforehand with
    /// `scheme.hash` (so that large content can be hashed as a stream).
    pub fn verify_prehashed(
        &self,
        scheme: &Scheme,
        digest: &[u8],
        sig: &[u8],
    ) -> Result<(), BadSignature> {
        if digest.len() != scheme.hash.output_len() {
            return Err(BadSignature);
        }
        let der = match scheme.kind {
            SchemeKind::Ecdsa => true,
            SchemeKind::EcdsaPlain => false,
            SchemeKind::RsaPkcs1 | SchemeKind::RsaPss { .. } => {
                return match self {
                    PublicKey::Rsa(k) => rsa::verify_prehash(k, scheme, digest, sig),
                    _ => Err(BadSignature),
                };
            }
            _ => return Err(BadSignature),
        };
        match self {
            PublicKey::EcdsaP256(k) => ecdsa_p256::verify_prehash(k, digest, sig, der),
            PublicKey::EcdsaP384(k) => ecdsa::nist_p384::verify(k, digest, sig, der),
            PublicKey::EcdsaP521(k) => ecdsa::nist_p521::verify_prehash(k, digest, sig, der),
            PublicKey::EcdsaBrainpoolP256(k) => {
                ecdsa::brainpool_p256::verify_prehash(k, digest, sig, der)
            }
            PublicKey::EcdsaBrainpoolP384(k) => {
                ecdsa::brainpool_p384::verify_prehash(k, digest, sig, der)
            }
            _ => Err(BadSignature),
        }
    }

    /// Verifies an SM2 signature over a precomputed 32-byte `e` (no `Z` prefix), the
    /// non-standard form some GM/T 0031 v1 seal systems produce.
    pub fn verify_sm2_prehash(&self, e: &[u8], sig: &Signature) -> Result<(), BadSignature> {
        match (self, sig.algorithm) {
            (PublicKey::Sm2(k), Algorithm::Sm2Sm3) => {
                let raw: &[u8; 64] = sig.raw().try_into().map_err(|_| BadSignature)?;
                sm2::verify_prehash(k, e, raw)
            }
            _ => Err(BadSignature),
        }
    }

    /// Verifies a signature as carried in X.509, CRLs and OCSP: the signature
    /// `AlgorithmIdentifier` (which must fit this key) and the BIT STRING contents.
    pub fn verify_x509(
        &self,
        msg: &[u8],
        alg: &AlgorithmIdentifierRef<'_>,
        sig: &[u8],
    ) -> Result<(), BadSignature> {
        let scheme = Scheme::from_algorithm_identifier(alg).map_err(|_| BadSignature)?;
        self.verify_scheme(&scheme, msg, sig)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({}, {})", self.describe(), hex(&self.subject_public_key_bytes()))
    }
}

/// If `data` looks like PEM, its first block as (label, DER); `None` for binary data.
pub(crate) fn pem_block(data: &[u8]) -> Result<Option<(String, Zeroizing<Vec<u8>>)>> {
    if !crate::pem::is_pem(data) {
        return Ok(None);
    }
    Ok(crate::pem::blocks(data)?.into_iter().next().map(|b| (b.label, b.der)))
}

/// Every PEM block of `data` with the given label, decoded (e.g. a certificate bundle).
pub(crate) fn pem_blocks(data: &[u8], wanted: &str) -> Result<Vec<Vec<u8>>> {
    Ok(crate::pem::blocks(data)?
        .into_iter()
        .filter(|b| b.label == wanted)
        .map(|b| b.der.to_vec())
        .collect())
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    base16ct::lower::encode_string(bytes)
}

/// Encodes a DER structure; a failure here means a bug in a structure we built.
pub(crate) fn to_der<T: Encode>(what: &'static str, value: &T) -> Result<Vec<u8>> {
    value.to_der().map_err(|e| Error::decode(what, e))
}

#[cfg(test)]
mod tests;
