//! SM2 with SM3 against OpenSSL's files (vectors/sm2, made by gen.sh there): its keys read,
//! its signatures and certificates verify, and what seal signs with those keys verifies.
//! The CLI tests (seal-cli/tests/sm2.rs) check the other direction: OpenSSL and gmssl verify
//! what seal makes.
#![cfg(feature = "sm2")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use seal_core::keys::{Algorithm, Kdf, PrivateKey, PublicKey, Signature, Signer};
use seal_core::pki::load_certificates;
use seal_core::pki::path::{self, Purpose};
use seal_core::secret::PassphraseSource;
use seal_core::time::UnixTime;

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/sm2")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(vectors().join(name)).unwrap()
}

fn signature(name: &str) -> Signature {
    Signature::from_x509(Algorithm::Sm2Sm3, &read(name)).unwrap()
}

#[test]
fn openssl_signatures_verify_with_the_default_id_only() {
    let key = PublicKey::load(&vectors().join("pkcs8.pub.pem")).unwrap();
    assert_eq!(key.algorithm(), Algorithm::Sm2Sm3);
    let msg = read("message.txt");
    key.verify(&msg, &signature("message.sig")).unwrap();
    // OpenSSL's own default is the empty ID: a different Z_A, so not the GM/T 0009 signature.
    assert!(key.verify(&msg, &signature("message-empty-id.sig")).is_err());
    let mut changed = msg.clone();
    changed[0] ^= 1;
    assert!(key.verify(&changed, &signature("message.sig")).is_err());
}

#[test]
fn openssl_keys_read_and_sign() {
    let public = PublicKey::load(&vectors().join("pkcs8.pub.pem")).unwrap();
    for file in ["pkcs8.key", "ecparam.key", "sec1.der"] {
        let key = PrivateKey::load(&vectors().join(file), &PassphraseSource::None).unwrap();
        assert_eq!(key.algorithm(), Algorithm::Sm2Sm3, "{file}");
        let sig = key.sign(b"stamped by seal").unwrap();
        assert_eq!(sig.raw().len(), 64);
        key.public_key().verify(b"stamped by seal", &sig).unwrap();
        if file != "ecparam.key" {
            // sec1.der is the SEC1 key inside pkcs8.key, without the curve named.
            assert_eq!(key.public_key(), &public, "{file}");
        }
    }
}

#[test]
fn keys_round_trip_through_pkcs8_plain_and_encrypted() {
    let key = PrivateKey::generate(Algorithm::Sm2Sm3).unwrap();
    let again = PrivateKey::from_pkcs8_der(&key.to_pkcs8_der().unwrap()).unwrap();
    assert_eq!(again.public_key(), key.public_key());
    let sig = again.sign(b"m").unwrap();
    key.public_key().verify(b"m", &sig).unwrap();
    // Two signatures of one message differ (a hedged nonce), and both verify.
    assert_ne!(key.sign(b"m").unwrap().raw(), key.sign(b"m").unwrap().raw());
    let spki = key.public_key().to_spki_der().unwrap();
    assert_eq!(&PublicKey::from_spki_der(&spki).unwrap(), key.public_key());
    #[cfg(feature = "encrypted-keys")]
    {
        let pem = key.to_pem(Some("correct horse"), Kdf::Pbkdf2Sha256).unwrap();
        let back = PrivateKey::from_bytes(pem.as_bytes(), Some("correct horse")).unwrap();
        assert_eq!(back.public_key(), key.public_key());
        assert!(PrivateKey::from_bytes(pem.as_bytes(), Some("wrong")).is_err());
    }
    let _ = Kdf::Scrypt;
}

#[test]
fn openssl_chain_validates() {
    let at: UnixTime = "2027-06-01T00:00:00Z".parse().unwrap();
    let root = load_certificates(&vectors().join("root.pem")).unwrap();
    let leaf = load_certificates(&vectors().join("leaf.pem")).unwrap().remove(0);
    let report = path::validate(&leaf, &[], &root, &[], at, Purpose::Any);
    assert!(report.is_valid(), "{report}");
}

#[test]
fn sm2_names_parse() {
    for name in ["sm2", "SM2", "sm2-sm3"] {
        assert_eq!(name.parse::<Algorithm>().unwrap(), Algorithm::Sm2Sm3);
    }
    assert_eq!(Algorithm::Sm2Sm3.name(), "sm2");
}
