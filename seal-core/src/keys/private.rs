//! Private keys held in memory, from key files: PKCS#8 (plain and encrypted, RFC 5958 and
//! RFC 8018), SEC1 EC keys and PKCS#1 RSA keys as OpenSSL writes them. RSA signing goes
//! through AWS-LC (the `aws-lc` feature), everything else through RustCrypto.

use std::fmt;
use std::path::Path;

use der::Decode;
use der::asn1::ObjectIdentifier;
use spki::AlgorithmIdentifierRef;
use zeroize::Zeroizing;

use super::{
    Algorithm, OID_EC_PUBLIC_KEY, OID_ED25519, OID_P384, OID_RSA, OID_SM2_CURVE, PublicKey,
    Signature, Signer, ecdsa, ecdsa_p256, ed25519, oid_name, pem_block, sm2,
};
use crate::error::{Error, Result, ResultExt};
use crate::io::{self, WriteOptions};
use crate::secret::PassphraseSource;

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

#[cfg(feature = "encrypted-keys")]
const PBKDF2_ITERATIONS: u32 = 600_000;

/// A private key held in memory (from a key file), wiped when dropped.
pub struct PrivateKey {
    inner: PrivateInner,
    public: PublicKey,
    algorithm: Algorithm,
}

enum PrivateInner {
    EcdsaP256(ecdsa_p256::Key),
    EcdsaP384(Box<ecdsa::nist_p384::SigningKey>),
    Ed25519(ed25519_dalek::SigningKey),
    Sm2(Box<sm2::SigningKey>),
    #[cfg(feature = "aws-lc")]
    Rsa(Box<super::rsa::signing::SigningKey>),
}

/// The RSA key size `PrivateKey::generate` uses (NIST SP 800-57: good beyond 2030).
pub const DEFAULT_RSA_BITS: usize = 3072;

#[cfg(not(feature = "aws-lc"))]
fn no_rsa_signing() -> Error {
    Error::UnsupportedAlgorithm(
        "RSA key files need seal-core's `aws-lc` feature (RSA private-key operations go \
         through AWS-LC, never the pure-Rust `rsa` crate: RUSTSEC-2023-0071); RSA keys on \
         PKCS#11 tokens work without it"
            .into(),
    )
}

impl PrivateKey {
    /// Generates a new key from the operating system's random number generator.
    pub fn generate(algorithm: Algorithm) -> Result<PrivateKey> {
        let inner = match algorithm {
            Algorithm::EcdsaP256Sha256 => PrivateInner::EcdsaP256(ecdsa_p256::generate()?),
            Algorithm::EcdsaP384Sha384 => {
                PrivateInner::EcdsaP384(ecdsa::nist_p384::generate()?.into())
            }
            Algorithm::Ed25519 => PrivateInner::Ed25519(ed25519::generate()?),
            Algorithm::Sm2Sm3 => PrivateInner::Sm2(sm2::generate()?.into()),
            Algorithm::RsaPkcs1Sha256 | Algorithm::RsaPssSha256 => {
                return PrivateKey::generate_rsa(DEFAULT_RSA_BITS, algorithm);
            }
            other => {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "{other}: seal does not generate such keys in software"
                )));
            }
        };
        PrivateKey::from_inner(inner)
    }

    /// Generates an RSA key of `bits` (2048, 3072 or 4096) that signs with `algorithm`
    /// (RSA PKCS#1 v1.5 or PSS, both with SHA-256).
    pub fn generate_rsa(bits: usize, algorithm: Algorithm) -> Result<PrivateKey> {
        #[cfg(feature = "aws-lc")]
        {
            let key = PrivateKey::from_inner(PrivateInner::Rsa(
                super::rsa::signing::generate(bits)?.into(),
            ))?;
            key.signing_with(algorithm)
        }
        #[cfg(not(feature = "aws-lc"))]
        {
            let _ = (bits, algorithm);
            Err(no_rsa_signing())
        }
    }

    /// The same key, signing with another algorithm its key type supports (an RSA key:
    /// [`Algorithm::RsaPkcs1Sha256`] by default, or [`Algorithm::RsaPssSha256`]).
    pub fn signing_with(mut self, algorithm: Algorithm) -> Result<PrivateKey> {
        self.public.check_signs_with(algorithm)?;
        self.algorithm = algorithm;
        Ok(self)
    }

    fn from_inner(inner: PrivateInner) -> Result<PrivateKey> {
        let public = match &inner {
            PrivateInner::EcdsaP256(k) => PublicKey::EcdsaP256(*k.rust.verifying_key()),
            PrivateInner::EcdsaP384(k) => ecdsa::nist_p384::public_key(k),
            PrivateInner::Ed25519(k) => PublicKey::Ed25519(k.verifying_key()),
            PrivateInner::Sm2(k) => sm2::public_key(k),
            #[cfg(feature = "aws-lc")]
            PrivateInner::Rsa(k) => PublicKey::from_spki_der(&k.public_spki()?)?,
        };
        let algorithm = public.algorithm();
        Ok(PrivateKey { inner, public, algorithm })
    }

    /// Parses an unencrypted PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey` (RFC 5958).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der)
            .map_err(|e| Error::decode("PKCS#8 private key", e))?;
        let inner = match info.algorithm.oid {
            OID_ED25519 => PrivateInner::Ed25519(ed25519::private_from_pkcs8(info)?),
            OID_EC_PUBLIC_KEY => match ec_curve(&info.algorithm) {
                Some(OID_P384) => {
                    PrivateInner::EcdsaP384(ecdsa::nist_p384::private_from_pkcs8(info)?.into())
                }
                Some(OID_SM2_CURVE) => PrivateInner::Sm2(sm2::private_from_pkcs8(info)?.into()),
                _ => PrivateInner::EcdsaP256(ecdsa_p256::Key::new(
                    ecdsa_p256::private_from_pkcs8(info)?,
                )?),
            },
            #[cfg(feature = "aws-lc")]
            OID_RSA => PrivateInner::Rsa(super::rsa::signing::from_pkcs8(der)?.into()),
            #[cfg(not(feature = "aws-lc"))]
            OID_RSA => return Err(no_rsa_signing()),
            other => {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "private key type {}",
                    oid_name(&other)
                )));
            }
        };
        PrivateKey::from_inner(inner)
    }

    /// Parses a private key from PEM or DER, detected from the content: PKCS#8
    /// (`PRIVATE KEY`), encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`, needs `passphrase`), or
    /// SEC1 (`EC PRIVATE KEY`, as `openssl ecparam -genkey` writes).
    pub fn from_bytes(data: &[u8], passphrase: Option<&str>) -> Result<PrivateKey> {
        match pem_block(data)? {
            Some((label, der)) => match label.as_str() {
                "PRIVATE KEY" => PrivateKey::from_pkcs8_der(&der),
                "ENCRYPTED PRIVATE KEY" => PrivateKey::from_encrypted_der(&der, passphrase),
                "EC PRIVATE KEY" => private_from_sec1(&der),
                "RSA PRIVATE KEY" => private_from_pkcs1(&der),
                other => Err(Error::WrongType {
                    expected: "a private key (PEM \"PRIVATE KEY\" or \"ENCRYPTED PRIVATE KEY\")",
                    found: format!("a PEM \"{other}\" block"),
                }),
            },
            None => {
                if pkcs8::PrivateKeyInfoRef::from_der(data).is_ok() {
                    PrivateKey::from_pkcs8_der(data)
                } else if is_encrypted_der(data) {
                    PrivateKey::from_encrypted_der(data, passphrase)
                } else if let Ok(k) = private_from_sec1(data) {
                    Ok(k)
                } else {
                    // Report the PKCS#8 error: it is the format we write.
                    PrivateKey::from_pkcs8_der(data)
                }
            }
        }
    }

    #[cfg(not(feature = "encrypted-keys"))]
    fn from_encrypted_der(_der: &[u8], _passphrase: Option<&str>) -> Result<PrivateKey> {
        Err(Error::not_built("encrypted key files", "encrypted-keys"))
    }

    #[cfg(feature = "encrypted-keys")]
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
            PrivateInner::EcdsaP256(k) => k.rust.to_pkcs8_der(),
            PrivateInner::EcdsaP384(k) => ecdsa::nist_p384::to_pkcs8_der(k),
            PrivateInner::Sm2(k) => sm2::to_pkcs8_der(k),
            #[cfg(feature = "aws-lc")]
            PrivateInner::Rsa(k) => return k.to_pkcs8(),
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
    #[cfg(not(feature = "encrypted-keys"))]
    pub fn to_encrypted_der(&self, _passphrase: &str, _kdf: Kdf) -> Result<Zeroizing<Vec<u8>>> {
        Err(Error::not_built("encrypted key files", "encrypted-keys"))
    }

    /// The encrypted PKCS#8 DER encoding (PBES2 with AES-256-CBC).
    #[cfg(feature = "encrypted-keys")]
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
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn sign(&self, msg: &[u8]) -> Result<Signature> {
        let raw = match &self.inner {
            PrivateInner::EcdsaP256(k) => ecdsa_p256::sign(k, msg)?.to_vec(),
            PrivateInner::EcdsaP384(k) => ecdsa::nist_p384::sign(k, msg)?,
            PrivateInner::Ed25519(k) => ed25519::sign(k, msg).to_vec(),
            PrivateInner::Sm2(k) => sm2::sign(k, msg)?,
            #[cfg(feature = "aws-lc")]
            PrivateInner::Rsa(k) => k.sign(self.algorithm == Algorithm::RsaPssSha256, msg)?,
        };
        Ok(Signature::from_raw(self.algorithm, raw))
    }

    fn sign_prehashed(&self, hash: &[u8]) -> Result<Signature> {
        if hash.len() != self.algorithm.hash().output_len() {
            return Err(Error::InvalidInput(format!(
                "a {}-byte digest for a {} key, which signs {} digests",
                hash.len(),
                self.algorithm.name(),
                self.algorithm.hash().name()
            )));
        }
        let raw = match &self.inner {
            PrivateInner::EcdsaP256(k) => ecdsa_p256::sign_prehash(k, hash)?.to_vec(),
            PrivateInner::EcdsaP384(k) => ecdsa::nist_p384::sign_prehash(k, hash)?,
            _ => {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "a {} key file signs messages, not digests made beforehand (ECDSA key \
                     files and PKCS#11 tokens sign digests)",
                    self.algorithm.name()
                )));
            }
        };
        Ok(Signature::from_raw(self.algorithm, raw))
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print secret material.
        write!(f, "PrivateKey({:?})", self.public)
    }
}

/// The named curve of an EC key's `AlgorithmIdentifier`.
fn ec_curve(alg: &AlgorithmIdentifierRef<'_>) -> Option<ObjectIdentifier> {
    alg.parameters.as_ref().and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
}

/// A SEC1 `EC PRIVATE KEY` (RFC 5915, as `openssl ecparam -genkey` writes): P-256, P-384
/// or SM2.
fn private_from_sec1(der: &[u8]) -> Result<PrivateKey> {
    if let Ok(k) = ecdsa_p256::private_from_sec1(der) {
        return PrivateKey::from_inner(PrivateInner::EcdsaP256(ecdsa_p256::Key::new(k)?));
    }
    if let Ok(k) = sm2::private_from_sec1(der) {
        return PrivateKey::from_inner(PrivateInner::Sm2(k.into()));
    }
    ecdsa::nist_p384::private_from_sec1(der)
        .and_then(|k| PrivateKey::from_inner(PrivateInner::EcdsaP384(k.into())))
}

/// A PKCS#1 `RSA PRIVATE KEY` (RFC 8017 Appendix A.1.2, as `openssl genrsa -traditional`
/// writes).
fn private_from_pkcs1(der: &[u8]) -> Result<PrivateKey> {
    #[cfg(feature = "aws-lc")]
    {
        PrivateKey::from_inner(PrivateInner::Rsa(super::rsa::signing::from_pkcs1(der)?.into()))
    }
    #[cfg(not(feature = "aws-lc"))]
    {
        let _ = der;
        Err(no_rsa_signing())
    }
}

/// Refuses key derivation parameters that would take minutes or gigabytes: a damaged or
/// hostile key file must not hang or exhaust the machine before the passphrase is checked.
#[cfg(feature = "encrypted-keys")]
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
        Ok(None) => is_encrypted_der(data),
        Err(_) => false,
    }
}

/// True if `der` is an `EncryptedPrivateKeyInfo` (RFC 5958 §3): a SEQUENCE of an algorithm
/// under PKCS#5 (`1.2.840.113549.1.5`: PBES2, or a PBES1 scheme) and an OCTET STRING. Read
/// with `der` alone, so that a build without `encrypted-keys` still names such a file.
fn is_encrypted_der(der: &[u8]) -> bool {
    use der::asn1::{AnyRef, ObjectIdentifier};
    use der::{Reader, SliceReader, Tag, Tagged};
    const PKCS5: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5");
    let read = || -> der::Result<bool> {
        let top = AnyRef::from_der(der)?;
        if top.tag() != Tag::Sequence {
            return Ok(false);
        }
        let mut r = SliceReader::new(top.value())?;
        let alg = AnyRef::decode(&mut r)?;
        let data = AnyRef::decode(&mut r)?;
        if alg.tag() != Tag::Sequence || data.tag() != Tag::OctetString || !r.is_finished() {
            return Ok(false);
        }
        let oid = ObjectIdentifier::decode(&mut SliceReader::new(alg.value())?)?;
        Ok(oid.parent() == Some(PKCS5))
    };
    read().unwrap_or(false)
}
