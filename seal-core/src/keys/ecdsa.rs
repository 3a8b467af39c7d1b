//! ECDSA on the curves other producers sign with, beside P-256 (which has its own module for
//! signing): P-384 and P-521 (FIPS 186-5), brainpoolP256r1 and brainpoolP384r1 (RFC 5639),
//! through RustCrypto's `p384`, `p521`, `bp256` and `bp384`. Verification is over a digest
//! computed beforehand, so any hash may go with any curve (RFC 5758, BSI TR-03111). P-384
//! verifies through AWS-LC with the `aws-lc` feature (see `super::aws_lc`).

use spki::SubjectPublicKeyInfoRef;

use super::BadSignature;
use crate::error::{Error, Result};

/// The functions every curve module offers; the types differ, the code does not.
#[cfg(any(feature = "p384", feature = "p521", feature = "brainpool"))]
macro_rules! curve {
    ($name:literal, $vk:ty, $sig:ty) => {
        use super::*;

        pub(crate) type Key = $vk;

        pub(crate) fn from_spki(spki: SubjectPublicKeyInfoRef<'_>) -> Result<Key> {
            Key::try_from(spki).map_err(|e| Error::decode(concat!($name, " public key"), e))
        }

        /// Verifies a DER (`der` true) or fixed-width `r || s` signature over `digest`.
        pub(crate) fn verify_prehash(
            key: &Key,
            digest: &[u8],
            sig: &[u8],
            der: bool,
        ) -> std::result::Result<(), BadSignature> {
            use signature::hazmat::PrehashVerifier;
            let sig = if der { <$sig>::from_der(sig) } else { <$sig>::from_slice(sig) }
                .map_err(|_| BadSignature)?;
            key.verify_prehash(digest, &sig).map_err(|_| BadSignature)
        }

        pub(crate) fn raw_from_der(der: &[u8]) -> Result<Vec<u8>> {
            let sig = <$sig>::from_der(der)
                .map_err(|e| Error::decode(concat!($name, " signature"), e))?;
            Ok(sig.to_bytes().to_vec())
        }

        pub(crate) fn der_from_raw(raw: &[u8]) -> Result<Vec<u8>> {
            let sig = <$sig>::from_slice(raw)
                .map_err(|e| Error::decode(concat!($name, " signature"), e))?;
            Ok(sig.to_der().as_bytes().to_vec())
        }

        pub(crate) fn spki_der(key: &Key) -> Result<Vec<u8>> {
            use spki::EncodePublicKey;
            key.to_public_key_der()
                .map(|d| d.into_vec())
                .map_err(|e| Error::decode(concat!($name, " public key"), e))
        }

        pub(crate) fn sec1(key: &Key) -> Vec<u8> {
            key.to_sec1_bytes().into_vec()
        }
    };
}

#[cfg(feature = "p384")]
pub(crate) mod nist_p384 {
    curve!("P-384", ::p384::ecdsa::VerifyingKey, ::p384::ecdsa::Signature);

    /// [`verify_prehash`], through AWS-LC with the `aws-lc` feature where it can (about
    /// 1.5x `openssl speed ecdsap384` against 0.7x through `p384`, benches/compare.sh).
    pub(crate) fn verify(
        key: &Key,
        digest: &[u8],
        sig: &[u8],
        der: bool,
    ) -> std::result::Result<(), BadSignature> {
        #[cfg(feature = "aws-lc")]
        if let Some(verdict) = crate::keys::aws_lc::ecdsa_verify_prehash(
            crate::keys::aws_lc::Curve::P384,
            &sec1(key),
            digest,
            sig,
            der,
            der_from_raw,
        ) {
            return verdict;
        }
        verify_prehash(key, digest, sig, der)
    }

    pub(crate) type SigningKey = ::p384::ecdsa::SigningKey;

    pub(crate) fn generate() -> Result<SigningKey> {
        use ::p384::elliptic_curve::Generate;
        SigningKey::try_generate_from_rng(&mut getrandom::SysRng)
            .map_err(|e| Error::Signing(format!("random number generator: {e}")))
    }

    /// ECDSA with SHA-384, RFC 6979 nonces; the fixed-width `r || s`.
    pub(crate) fn sign(key: &SigningKey, msg: &[u8]) -> Result<Vec<u8>> {
        use ::p384::ecdsa::signature::Signer;
        let sig: ::p384::ecdsa::Signature =
            key.try_sign(msg).map_err(|e| Error::Signing(e.to_string()))?;
        Ok(sig.to_bytes().to_vec())
    }

    /// ECDSA over a SHA-384 digest made beforehand, RFC 6979 nonces; `r || s`.
    pub(crate) fn sign_prehash(key: &SigningKey, digest: &[u8]) -> Result<Vec<u8>> {
        use ::signature::hazmat::PrehashSigner;
        let sig: ::p384::ecdsa::Signature =
            key.sign_prehash(digest).map_err(|e| Error::Signing(e.to_string()))?;
        Ok(sig.to_bytes().to_vec())
    }

    pub(crate) fn private_from_pkcs8(info: pkcs8::PrivateKeyInfoRef<'_>) -> Result<SigningKey> {
        SigningKey::try_from(info).map_err(|e| Error::decode("P-384 private key", e))
    }

    pub(crate) fn private_from_sec1(der: &[u8]) -> Result<SigningKey> {
        let sk = ::p384::SecretKey::from_sec1_der(der)
            .map_err(|e| Error::decode("SEC1 EC private key", e))?;
        Ok(SigningKey::from(sk))
    }

    pub(crate) fn public_key(key: &SigningKey) -> crate::keys::PublicKey {
        crate::keys::PublicKey::EcdsaP384(Box::new(*key.verifying_key()))
    }

    pub(crate) fn to_pkcs8_der(key: &SigningKey) -> pkcs8::Result<der::SecretDocument> {
        use pkcs8::EncodePrivateKey;
        key.to_pkcs8_der()
    }
}

/// The same functions for a curve this build leaves out (its cargo feature is off): no key
/// of it can be read, so the functions over a key are never called, and the others say
/// which feature would bring the curve.
#[cfg(not(all(feature = "p384", feature = "p521", feature = "brainpool")))]
macro_rules! absent_curve {
    ($name:literal, $feature:literal) => {
        use super::*;

        pub(crate) type Key = crate::keys::Absent;

        fn absent() -> Error {
            Error::not_built(concat!($name, " keys and signatures"), $feature)
        }

        pub(crate) fn from_spki(_spki: SubjectPublicKeyInfoRef<'_>) -> Result<Key> {
            Err(absent())
        }

        pub(crate) fn verify_prehash(
            key: &Key,
            _digest: &[u8],
            _sig: &[u8],
            _der: bool,
        ) -> std::result::Result<(), BadSignature> {
            match *key {}
        }

        pub(crate) fn raw_from_der(_der: &[u8]) -> Result<Vec<u8>> {
            Err(absent())
        }

        pub(crate) fn der_from_raw(_raw: &[u8]) -> Result<Vec<u8>> {
            Err(absent())
        }

        pub(crate) fn spki_der(key: &Key) -> Result<Vec<u8>> {
            match *key {}
        }

        pub(crate) fn sec1(key: &Key) -> Vec<u8> {
            match *key {}
        }
    };
}

#[cfg(not(feature = "p384"))]
pub(crate) mod nist_p384 {
    absent_curve!("P-384", "p384");

    pub(crate) fn verify(
        key: &Key,
        digest: &[u8],
        sig: &[u8],
        der: bool,
    ) -> std::result::Result<(), BadSignature> {
        verify_prehash(key, digest, sig, der)
    }

    pub(crate) type SigningKey = crate::keys::Absent;

    pub(crate) fn generate() -> Result<SigningKey> {
        Err(absent())
    }

    pub(crate) fn sign(key: &SigningKey, _msg: &[u8]) -> Result<Vec<u8>> {
        match *key {}
    }

    pub(crate) fn sign_prehash(key: &SigningKey, _digest: &[u8]) -> Result<Vec<u8>> {
        match *key {}
    }

    pub(crate) fn private_from_pkcs8(_info: pkcs8::PrivateKeyInfoRef<'_>) -> Result<SigningKey> {
        Err(absent())
    }

    pub(crate) fn private_from_sec1(_der: &[u8]) -> Result<SigningKey> {
        Err(absent())
    }

    pub(crate) fn public_key(key: &SigningKey) -> crate::keys::PublicKey {
        match *key {}
    }

    pub(crate) fn to_pkcs8_der(key: &SigningKey) -> pkcs8::Result<der::SecretDocument> {
        match *key {}
    }
}

pub(crate) mod nist_p521 {
    #[cfg(feature = "p521")]
    curve!("P-521", ::p521::ecdsa::VerifyingKey, ::p521::ecdsa::Signature);
    #[cfg(not(feature = "p521"))]
    absent_curve!("P-521", "p521");
}

pub(crate) mod brainpool_p256 {
    #[cfg(feature = "brainpool")]
    curve!(
        "brainpoolP256r1",
        ::ecdsa::VerifyingKey<::bp256::BrainpoolP256r1>,
        ::ecdsa::Signature<::bp256::BrainpoolP256r1>
    );
    #[cfg(not(feature = "brainpool"))]
    absent_curve!("brainpoolP256r1", "brainpool");
}

pub(crate) mod brainpool_p384 {
    #[cfg(feature = "brainpool")]
    curve!(
        "brainpoolP384r1",
        ::ecdsa::VerifyingKey<::bp384::BrainpoolP384r1>,
        ::ecdsa::Signature<::bp384::BrainpoolP384r1>
    );
    #[cfg(not(feature = "brainpool"))]
    absent_curve!("brainpoolP384r1", "brainpool");
}
