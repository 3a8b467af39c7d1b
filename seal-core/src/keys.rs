//! Keys and signatures: Ed25519 and ECDSA P-256 with SHA-256 behind one API.
//!
//! - [`Signer`] is the one interface every signing key implements: a key file
//!   ([`PrivateKey`]) today, a PKCS#11 token or a remote signing service tomorrow.
//! - [`PublicKey`] verifies; it is parsed once and reused, so a verification does not
//!   re-decode the key.
//! - [`Signature`] holds the raw 64-byte form of either algorithm and converts to the
//!   encoding a format wants (DER `ECDSA-Sig-Value` in X.509 and CMS, raw `r || s` in JOSE
//!   and COSE).
//!
//! Only this module and its children name `ed25519_dalek` or `p256`.

mod ecdsa_p256;
mod ed25519;
pub mod pkcs11;
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
use crate::io::{self, WriteOptions};
use crate::secret::PassphraseSource;

/// OID of `id-Ed25519` (RFC 8410).
pub const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
/// OID of `id-ecPublicKey` (RFC 5480).
pub const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// OID of the `prime256v1` / `secp256r1` curve (RFC 5480).
pub const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// OID of the SM2 curve (GB/T 33560, GM/T 0006).
pub const OID_SM2_CURVE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.301");
/// OID of SM2 signature with SM3 (GM/T 0006).
pub const OID_SM2_SM3: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.501");
/// OID of `ecdsa-with-SHA256` (RFC 5758).
pub const OID_ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");

/// A signature algorithm: the two `seal` signs with, and SM2 (verification only), which
/// national seal systems use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum Algorithm {
    /// ECDSA over NIST P-256 with SHA-256 (FIPS 186-5).
    #[serde(rename = "p256")]
    EcdsaP256Sha256,
    /// Ed25519 (RFC 8032).
    #[serde(rename = "ed25519")]
    Ed25519,
    /// SM2 with SM3 (GB/T 32918), default distinguishing ID; verification only.
    #[serde(rename = "sm2")]
    Sm2Sm3,
}

impl Algorithm {
    /// Every algorithm `seal` signs with, for tests that run once per algorithm.
    pub const ALL: [Algorithm; 2] = [Algorithm::Ed25519, Algorithm::EcdsaP256Sha256];

    /// The short name used on the command line: `ed25519` or `p256`.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::EcdsaP256Sha256 => "p256",
            Algorithm::Ed25519 => "ed25519",
            Algorithm::Sm2Sm3 => "sm2",
        }
    }

    /// The X.509 / CMS `AlgorithmIdentifier` of signatures made with this algorithm.
    ///
    /// Both have absent parameters (RFC 5758 §3.2, RFC 8410 §3).
    pub fn signature_algorithm_identifier(self) -> AlgorithmIdentifierOwned {
        let oid = match self {
            Algorithm::EcdsaP256Sha256 => OID_ECDSA_SHA256,
            Algorithm::Ed25519 => OID_ED25519,
            Algorithm::Sm2Sm3 => OID_SM2_SM3,
        };
        AlgorithmIdentifierOwned { oid, parameters: None }
    }

    /// The algorithm a signature `AlgorithmIdentifier` names; parameters must be absent.
    pub fn from_signature_algorithm(alg: &AlgorithmIdentifierRef<'_>) -> Result<Algorithm> {
        if alg.parameters.is_some() {
            return Err(Error::UnsupportedAlgorithm(format!(
                "{} with parameters",
                oid_name(&alg.oid)
            )));
        }
        Algorithm::from_oid(alg.oid)
    }

    /// The signature algorithm an OID names.
    pub fn from_oid(oid: ObjectIdentifier) -> Result<Algorithm> {
        match oid {
            OID_ECDSA_SHA256 => Ok(Algorithm::EcdsaP256Sha256),
            OID_ED25519 => Ok(Algorithm::Ed25519),
            OID_SM2_SM3 => Ok(Algorithm::Sm2Sm3),
            other => Err(Error::UnsupportedAlgorithm(oid_name(&other))),
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Algorithm::EcdsaP256Sha256 => "ECDSA P-256 with SHA-256",
            Algorithm::Ed25519 => "Ed25519",
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
            _ => Err(Error::UnsupportedAlgorithm(format!("{s:?} (expected ed25519 or p256)"))),
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

/// A signature: 64 bytes for both algorithms.
///
/// For Ed25519 it is `R || S` (RFC 8032); for ECDSA P-256 and SM2 it is `r || s`, each 32
/// bytes big-endian (the IEEE P1363 form that JOSE and COSE use).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    algorithm: Algorithm,
    raw: [u8; 64],
}

impl Signature {
    /// A signature from its raw 64-byte form.
    pub const fn from_raw(algorithm: Algorithm, raw: [u8; 64]) -> Signature {
        Signature { algorithm, raw }
    }

    /// A signature as carried in X.509, CRLs, CSRs and CMS: DER `ECDSA-Sig-Value` for ECDSA
    /// (RFC 5480 §2.2.3 / RFC 5758), the raw 64 bytes for Ed25519 (RFC 8410 §6).
    pub fn from_x509(algorithm: Algorithm, bytes: &[u8]) -> Result<Signature> {
        match algorithm {
            Algorithm::EcdsaP256Sha256 => {
                ecdsa_p256::raw_from_der(bytes).map(|raw| Signature { algorithm, raw })
            }
            Algorithm::Sm2Sm3 => sm2::raw_from_der(bytes).map(|raw| Signature { algorithm, raw }),
            Algorithm::Ed25519 => {
                let raw: [u8; 64] = bytes.try_into().map_err(|_| {
                    Error::decode(
                        "Ed25519 signature",
                        format!("{} bytes, expected 64", bytes.len()),
                    )
                })?;
                Ok(Signature { algorithm, raw })
            }
        }
    }

    /// The algorithm that made this signature.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The raw 64-byte form (`r || s` or `R || S`).
    pub fn raw(&self) -> &[u8; 64] {
        &self.raw
    }

    /// The form carried in X.509 and CMS (see [`Signature::from_x509`]).
    pub fn to_x509(&self) -> Result<Vec<u8>> {
        match self.algorithm {
            Algorithm::EcdsaP256Sha256 => ecdsa_p256::der_from_raw(&self.raw),
            Algorithm::Ed25519 => Ok(self.raw.to_vec()),
            Algorithm::Sm2Sm3 => sm2::der_from_raw(&self.raw),
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
/// The message is the whole to-be-signed data (Ed25519 needs it whole; an ECDSA signer
/// hashes it with SHA-256 first, so a token only ever sees the digest).
pub trait Signer: Send + Sync {
    /// The algorithm of this signer's key.
    fn algorithm(&self) -> Algorithm {
        self.public_key().algorithm()
    }

    /// The public half of the signing key.
    fn public_key(&self) -> &PublicKey;

    /// Signs `msg`.
    fn sign(&self, msg: &[u8]) -> Result<Signature>;
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
}

/// A public key, parsed and ready to verify.
#[derive(Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// An ECDSA P-256 key.
    EcdsaP256(p256::ecdsa::VerifyingKey),
    /// An Ed25519 key.
    Ed25519(ed25519_dalek::VerifyingKey),
    /// An SM2 key (verification only).
    Sm2(::sm2::PublicKey),
}

impl PublicKey {
    /// The algorithm of this key.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            PublicKey::EcdsaP256(_) => Algorithm::EcdsaP256Sha256,
            PublicKey::Ed25519(_) => Algorithm::Ed25519,
            PublicKey::Sm2(_) => Algorithm::Sm2Sm3,
        }
    }

    /// Parses a `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7).
    pub fn from_spki(spki: SubjectPublicKeyInfoRef<'_>) -> Result<PublicKey> {
        match spki.algorithm.oid {
            OID_ED25519 => ed25519::public_from_spki(spki),
            OID_EC_PUBLIC_KEY => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
                match curve {
                    Some(OID_P256) => ecdsa_p256::public_from_spki(spki),
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
            PublicKey::EcdsaP256(k) => k.to_public_key_der(),
            PublicKey::Ed25519(k) => k.to_public_key_der(),
            PublicKey::Sm2(k) => k.to_public_key_der(),
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
            PublicKey::EcdsaP256(k) => k.to_sec1_bytes().into_vec(),
            PublicKey::Ed25519(k) => k.as_bytes().to_vec(),
            PublicKey::Sm2(k) => k.to_sec1_bytes().into_vec(),
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
        match (self, sig.algorithm) {
            (PublicKey::EcdsaP256(k), Algorithm::EcdsaP256Sha256) => {
                ecdsa_p256::verify(k, msg, &sig.raw)
            }
            (PublicKey::Ed25519(k), Algorithm::Ed25519) => ed25519::verify(k, msg, &sig.raw),
            (PublicKey::Sm2(k), Algorithm::Sm2Sm3) => sm2::verify(k, msg, &sig.raw),
            _ => Err(BadSignature),
        }
    }

    /// Verifies an SM2 signature over a precomputed 32-byte `e` (no `Z` prefix), the
    /// non-standard form some GM/T 0031 v1 seal systems produce.
    pub fn verify_sm2_prehash(&self, e: &[u8], sig: &Signature) -> Result<(), BadSignature> {
        match (self, sig.algorithm) {
            (PublicKey::Sm2(k), Algorithm::Sm2Sm3) => sm2::verify_prehash(k, e, &sig.raw),
            _ => Err(BadSignature),
        }
    }

    /// Verifies a signature as carried in X.509 (signature `AlgorithmIdentifier` plus
    /// BIT STRING contents). The algorithm must match this key's.
    pub fn verify_x509(
        &self,
        msg: &[u8],
        alg: &AlgorithmIdentifierRef<'_>,
        sig: &[u8],
    ) -> Result<(), BadSignature> {
        let algorithm = Algorithm::from_signature_algorithm(alg).map_err(|_| BadSignature)?;
        if algorithm != self.algorithm() {
            return Err(BadSignature);
        }
        let sig = Signature::from_x509(algorithm, sig).map_err(|_| BadSignature)?;
        self.verify(msg, &sig)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PublicKey({}, {})",
            self.algorithm().name(),
            hex(&self.subject_public_key_bytes())
        )
    }
}

/// Verifies many Ed25519 signatures at once (randomised batch verification): `Ok` means
/// every one verifies; on `Err`, check them one by one to find which do not.
pub fn verify_ed25519_batch(items: &[(Vec<u8>, Signature, PublicKey)]) -> Result<(), BadSignature> {
    let mut msgs = Vec::with_capacity(items.len());
    let mut sigs = Vec::with_capacity(items.len());
    let mut keys = Vec::with_capacity(items.len());
    for (m, s, k) in items {
        let PublicKey::Ed25519(k) = k else { return Err(BadSignature) };
        if s.algorithm != Algorithm::Ed25519 {
            return Err(BadSignature);
        }
        msgs.push(m.as_slice());
        sigs.push(ed25519_dalek::Signature::from_bytes(&s.raw));
        keys.push(*k);
    }
    ed25519_dalek::verify_batch(&msgs, &sigs, &keys).map_err(|_| BadSignature)
}

/// Which key derivation protects an encrypted PKCS#8 file (PBES2, RFC 8018, with AES-256-CBC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Kdf {
    /// PBKDF2 with HMAC-SHA256, 600,000 iterations (OWASP 2023).
    Pbkdf2Sha256,
    /// scrypt with N = 2^14, r = 8, p = 1 (the parameters OpenSSL 3 accepts).
    #[default]
    Scrypt,
}

const PBKDF2_ITERATIONS: u32 = 600_000;

/// A private key held in memory (from a key file), wiped when dropped.
pub struct PrivateKey {
    inner: PrivateInner,
    public: PublicKey,
}

enum PrivateInner {
    EcdsaP256(p256::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
}

impl PrivateKey {
    /// Generates a new key from the operating system's random number generator.
    pub fn generate(algorithm: Algorithm) -> Result<PrivateKey> {
        let inner = match algorithm {
            Algorithm::EcdsaP256Sha256 => PrivateInner::EcdsaP256(ecdsa_p256::generate()?),
            Algorithm::Ed25519 => PrivateInner::Ed25519(ed25519::generate()?),
            Algorithm::Sm2Sm3 => {
                return Err(Error::UnsupportedAlgorithm(
                    "SM2 is supported for verification only".into(),
                ));
            }
        };
        Ok(PrivateKey::from_inner(inner))
    }

    fn from_inner(inner: PrivateInner) -> PrivateKey {
        let public = match &inner {
            PrivateInner::EcdsaP256(k) => PublicKey::EcdsaP256(*k.verifying_key()),
            PrivateInner::Ed25519(k) => PublicKey::Ed25519(k.verifying_key()),
        };
        PrivateKey { inner, public }
    }

    /// Parses an unencrypted PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey` (RFC 5958).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der)
            .map_err(|e| Error::decode("PKCS#8 private key", e))?;
        let inner = match info.algorithm.oid {
            OID_ED25519 => PrivateInner::Ed25519(ed25519::private_from_pkcs8(info)?),
            OID_EC_PUBLIC_KEY => PrivateInner::EcdsaP256(ecdsa_p256::private_from_pkcs8(info)?),
            other => {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "private key type {}",
                    oid_name(&other)
                )));
            }
        };
        Ok(PrivateKey::from_inner(inner))
    }

    /// Parses a private key from PEM or DER, detected from the content: PKCS#8
    /// (`PRIVATE KEY`), encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`, needs `passphrase`), or
    /// SEC1 (`EC PRIVATE KEY`, as `openssl ecparam -genkey` writes).
    pub fn from_bytes(data: &[u8], passphrase: Option<&str>) -> Result<PrivateKey> {
        match pem_block(data)? {
            Some((label, der)) => match label.as_str() {
                "PRIVATE KEY" => PrivateKey::from_pkcs8_der(&der),
                "ENCRYPTED PRIVATE KEY" => PrivateKey::from_encrypted_der(&der, passphrase),
                "EC PRIVATE KEY" => ecdsa_p256::private_from_sec1(&der)
                    .map(|k| PrivateKey::from_inner(PrivateInner::EcdsaP256(k))),
                other => Err(Error::WrongType {
                    expected: "a private key (PEM \"PRIVATE KEY\" or \"ENCRYPTED PRIVATE KEY\")",
                    found: format!("a PEM \"{other}\" block"),
                }),
            },
            None => {
                if pkcs8::PrivateKeyInfoRef::from_der(data).is_ok() {
                    PrivateKey::from_pkcs8_der(data)
                } else if pkcs8::EncryptedPrivateKeyInfoRef::from_der(data).is_ok() {
                    PrivateKey::from_encrypted_der(data, passphrase)
                } else if let Ok(k) = ecdsa_p256::private_from_sec1(data) {
                    Ok(PrivateKey::from_inner(PrivateInner::EcdsaP256(k)))
                } else {
                    // Report the PKCS#8 error: it is the format we write.
                    PrivateKey::from_pkcs8_der(data)
                }
            }
        }
    }

    fn from_encrypted_der(der: &[u8], passphrase: Option<&str>) -> Result<PrivateKey> {
        let passphrase = passphrase.ok_or(Error::PassphraseRequired)?;
        let info = pkcs8::EncryptedPrivateKeyInfoRef::from_der(der)
            .map_err(|e| Error::decode("encrypted PKCS#8 private key", e))?;
        check_kdf_limits(&info.encryption_algorithm)?;
        let plain = info.decrypt(passphrase).map_err(|_| Error::WrongPassphrase)?;
        PrivateKey::from_pkcs8_der(plain.as_bytes())
    }

    /// Reads a private key file, asking `passphrase` only if the file is encrypted.
    pub fn load(path: &Path, passphrase: &PassphraseSource) -> Result<PrivateKey> {
        let data = Zeroizing::new(io::read(path)?);
        let encrypted = is_encrypted(&data);
        let pass =
            if encrypted { passphrase.read("passphrase", false).in_file(path)? } else { None };
        PrivateKey::from_bytes(&data, pass.as_deref().map(String::as_str)).in_file(path)
    }

    /// The unencrypted PKCS#8 DER encoding.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        use pkcs8::EncodePrivateKey;
        let doc = match &self.inner {
            PrivateInner::EcdsaP256(k) => k.to_pkcs8_der(),
            // PKCS#8 v1 (RFC 8410 §7) without the optional public key: OpenSSL 3.0 cannot
            // read the v2 form that ed25519-dalek writes by default.
            PrivateInner::Ed25519(k) => ed25519::pkcs8_v1(k),
        };
        Ok(doc.map_err(|e| Error::decode("PKCS#8 private key", e))?.to_bytes())
    }

    /// The PEM encoding: `PRIVATE KEY`, or `ENCRYPTED PRIVATE KEY` when a passphrase is given.
    pub fn to_pem(&self, passphrase: Option<&str>, kdf: Kdf) -> Result<Zeroizing<String>> {
        let (label, der) = match passphrase {
            None => ("PRIVATE KEY", self.to_pkcs8_der()?),
            Some(pass) => ("ENCRYPTED PRIVATE KEY", self.to_encrypted_der(pass, kdf)?),
        };
        der::pem::encode_string(label, der::pem::LineEnding::LF, &der)
            .map(Zeroizing::new)
            .map_err(|e| Error::decode("private key", e))
    }

    /// The encrypted PKCS#8 DER encoding (PBES2 with AES-256-CBC).
    pub fn to_encrypted_der(&self, passphrase: &str, kdf: Kdf) -> Result<Zeroizing<Vec<u8>>> {
        use pkcs8::pkcs5::pbes2::Parameters;
        use rand_core::TryRng;
        let mut rng = getrandom::SysRng;
        let params = match kdf {
            Kdf::Scrypt => Parameters::generate_scrypt(&mut rng),
            Kdf::Pbkdf2Sha256 => {
                let mut salt = [0u8; 16];
                let mut iv = [0u8; 16];
                rng.try_fill_bytes(&mut salt)
                    .map_err(|e| Error::Signing(format!("random number generator: {e}")))?;
                rng.try_fill_bytes(&mut iv)
                    .map_err(|e| Error::Signing(format!("random number generator: {e}")))?;
                Parameters::generate_pbkdf2_sha256_aes256cbc(PBKDF2_ITERATIONS, &salt, iv)
            }
        }
        .map_err(|e| Error::InvalidInput(format!("PBES2 parameters: {e}")))?;
        let plain = self.to_pkcs8_der()?;
        let info = pkcs8::PrivateKeyInfoRef::from_der(&plain)
            .map_err(|e| Error::decode("PKCS#8 private key", e))?;
        let doc = info
            .encrypt_with_params(params, passphrase)
            .map_err(|e| Error::InvalidInput(format!("cannot encrypt the private key: {e}")))?;
        Ok(doc.to_bytes())
    }

    /// Writes the key as PEM with mode 0600, encrypted if a passphrase is given.
    pub fn save(&self, path: &Path, passphrase: Option<&str>, kdf: Kdf, force: bool) -> Result<()> {
        let pem = self.to_pem(passphrase, kdf)?;
        io::write_atomic(path, pem.as_bytes(), WriteOptions::PRIVATE.force(force))
    }
}

impl Signer for PrivateKey {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn sign(&self, msg: &[u8]) -> Result<Signature> {
        let raw = match &self.inner {
            PrivateInner::EcdsaP256(k) => ecdsa_p256::sign(k, msg)?,
            PrivateInner::Ed25519(k) => ed25519::sign(k, msg),
        };
        Ok(Signature { algorithm: self.public.algorithm(), raw })
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print secret material.
        write!(f, "PrivateKey({:?})", self.public)
    }
}

/// Refuses key derivation parameters that would take minutes or gigabytes: a damaged or
/// hostile key file must not hang or exhaust the machine before the passphrase is checked.
fn check_kdf_limits(scheme: &pkcs8::pkcs5::EncryptionScheme) -> Result<()> {
    use pkcs8::pkcs5::EncryptionScheme;
    use pkcs8::pkcs5::pbes2::Kdf as Pbes2Kdf;
    const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;
    const MAX_SCRYPT_MEMORY: u64 = 1 << 30; // 1 GiB
    let EncryptionScheme::Pbes2(params) = scheme else {
        return Err(Error::UnsupportedAlgorithm("PBES1 key encryption (use PBES2)".into()));
    };
    match &params.kdf {
        Pbes2Kdf::Pbkdf2(p) if p.iteration_count > MAX_PBKDF2_ITERATIONS => {
            Err(Error::InvalidInput(format!(
                "the key file asks for {} PBKDF2 iterations (at most {MAX_PBKDF2_ITERATIONS})",
                p.iteration_count
            )))
        }
        Pbes2Kdf::Scrypt(p) => {
            let memory = 128u64
                .saturating_mul(u64::from(p.block_size))
                .saturating_mul(p.cost_parameter)
                .saturating_mul(u64::from(p.parallelization.max(1)));
            if memory > MAX_SCRYPT_MEMORY {
                Err(Error::InvalidInput(format!(
                    "the key file asks for scrypt parameters needing {} MiB (at most 1024)",
                    memory >> 20
                )))
            } else {
                Ok(())
            }
        }
        _ => Ok(()),
    }
}

/// True if `data` holds an encrypted private key (PEM or DER).
pub fn is_encrypted(data: &[u8]) -> bool {
    match pem_block(data) {
        Ok(Some((label, _))) => label == "ENCRYPTED PRIVATE KEY",
        Ok(None) => pkcs8::EncryptedPrivateKeyInfoRef::from_der(data).is_ok(),
        Err(_) => false,
    }
}

/// If `data` looks like PEM, decodes its first block into (label, DER); `None` for binary data.
pub(crate) fn pem_block(data: &[u8]) -> Result<Option<(String, Zeroizing<Vec<u8>>)>> {
    let Some(start) = find(data, b"-----BEGIN ") else {
        return Ok(None);
    };
    let text =
        std::str::from_utf8(&data[start..]).map_err(|_| Error::decode("PEM", "not valid text"))?;
    let (label, der) =
        der::pem::decode_vec(text.as_bytes()).map_err(|e| Error::decode("PEM", e))?;
    Ok(Some((label.to_owned(), Zeroizing::new(der))))
}

/// Every PEM block of `data` with the given label, decoded (e.g. a certificate bundle).
pub(crate) fn pem_blocks(data: &[u8], wanted: &str) -> Result<Vec<Vec<u8>>> {
    let text = std::str::from_utf8(data).map_err(|_| Error::decode("PEM", "not valid text"))?;
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let block = &rest[start..];
        let label_end = block[11..]
            .find("-----")
            .map(|i| i + 11)
            .ok_or_else(|| Error::decode("PEM", "unterminated BEGIN line"))?;
        let label = &block[11..label_end];
        let end_marker = format!("-----END {label}-----");
        let end = block
            .find(&end_marker)
            .ok_or_else(|| Error::decode("PEM", format!("no END line for {label}")))?;
        let whole = &block[..end + end_marker.len()];
        let (found, der) =
            der::pem::decode_vec(whole.as_bytes()).map_err(|e| Error::decode("PEM", e))?;
        if found == wanted {
            out.push(der);
        }
        rest = &block[end + end_marker.len()..];
    }
    Ok(out)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
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
