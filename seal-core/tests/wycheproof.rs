//! The Wycheproof vectors through our verify API: ECDSA P-256, P-384, P-521 and
//! brainpoolP256r1/P384r1 (DER and P1363 encodings, SHA-2 and SHA-3), Ed25519, RSA PKCS#1
//! v1.5 (2048-4096 bits, SHA-2 and SHA-3) and RSA-PSS. Every "valid" verifies, every
//! "invalid" is rejected.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use seal_core::digest::HashAlg;
use seal_core::keys::{Algorithm, PublicKey, Scheme, SchemeKind, Signature};
use wycheproof::{HashFunction, TestResult};

fn hash(h: HashFunction) -> Option<HashAlg> {
    Some(match h {
        HashFunction::Sha1 => HashAlg::Sha1,
        HashFunction::Sha2_224 => HashAlg::Sha224,
        HashFunction::Sha2_256 => HashAlg::Sha256,
        HashFunction::Sha2_384 => HashAlg::Sha384,
        HashFunction::Sha2_512 => HashAlg::Sha512,
        #[cfg(feature = "sha3")]
        HashFunction::Sha3_256 => HashAlg::Sha3_256,
        #[cfg(feature = "sha3")]
        HashFunction::Sha3_384 => HashAlg::Sha3_384,
        #[cfg(feature = "sha3")]
        HashFunction::Sha3_512 => HashAlg::Sha3_512,
        // SHA-512/224, SHA-512/256, SHA3-224 and SHAKE: no producer we meet uses them.
        _ => return None,
    })
}

fn expect(result: TestResult, accepted: bool, what: &str) {
    match result {
        TestResult::Valid => assert!(accepted, "valid vector rejected: {what}"),
        TestResult::Invalid => assert!(!accepted, "invalid vector accepted: {what}"),
        // "Acceptable" may go either way by policy.
        TestResult::Acceptable => {}
    }
}

#[test]
fn ecdsa_p256_sha256_der() {
    let set = wycheproof::ecdsa::TestSet::load(wycheproof::ecdsa::TestName::EcdsaSecp256r1Sha256)
        .unwrap();
    let mut n = 0;
    for group in set.test_groups {
        let key = PublicKey::from_spki_der(&group.der).expect("Wycheproof key parses");
        assert_eq!(key.algorithm(), Algorithm::EcdsaP256Sha256);
        for t in group.tests {
            let accepted = Signature::from_x509(Algorithm::EcdsaP256Sha256, &t.sig)
                .is_ok_and(|sig| key.verify(&t.msg, &sig).is_ok());
            expect(t.result, accepted, &format!("tcId {} {}", t.tc_id, t.comment));
            n += 1;
        }
    }
    assert!(n > 400, "{n}");
}

#[test]
fn ecdsa_p256_sha256_p1363() {
    let set =
        wycheproof::ecdsa::TestSet::load(wycheproof::ecdsa::TestName::EcdsaSecp256r1Sha256P1363)
            .unwrap();
    let mut n = 0;
    for group in set.test_groups {
        let key = PublicKey::from_spki_der(&group.der).unwrap();
        for t in group.tests {
            let accepted = <[u8; 64]>::try_from(&t.sig[..]).is_ok_and(|raw| {
                key.verify(&t.msg, &Signature::from_raw(Algorithm::EcdsaP256Sha256, raw)).is_ok()
            });
            expect(t.result, accepted, &format!("tcId {} {}", t.tc_id, t.comment));
            n += 1;
        }
    }
    assert!(n > 200, "{n}");
}

#[test]
fn ed25519() {
    let set = wycheproof::eddsa::TestSet::load(wycheproof::eddsa::TestName::Ed25519).unwrap();
    let mut n = 0;
    for group in set.test_groups {
        let key = PublicKey::from_spki_der(&group.der).expect("Wycheproof key parses");
        for t in group.tests {
            let accepted = Signature::from_x509(Algorithm::Ed25519, &t.sig)
                .is_ok_and(|sig| key.verify(&t.msg, &sig).is_ok());
            expect(t.result, accepted, &format!("tcId {} {}", t.tc_id, t.comment));
            n += 1;
        }
    }
    assert!(n > 100, "{n}");
}

/// Runs an ECDSA test set through [`PublicKey::verify_scheme`] (the path every format
/// takes); returns how many vectors ran.
fn ecdsa_set(name: wycheproof::ecdsa::TestName, kind: SchemeKind, key_type: &str) -> usize {
    let set = wycheproof::ecdsa::TestSet::load(name).unwrap();
    let left_out = (key_type == "P-384" && !cfg!(feature = "p384"))
        || (key_type == "P-521" && !cfg!(feature = "p521"))
        || (key_type.starts_with("brainpool") && !cfg!(feature = "brainpool"));
    let built = !left_out;
    let mut n = 0;
    for group in set.test_groups {
        if hash(group.hash).is_none() {
            // SHA-3 left out of this build (the `sha3` feature): no scheme can be made.
            continue;
        }
        if !built {
            // A build without the curve refuses its keys, and names the feature.
            let err = PublicKey::from_spki_der(&group.der).unwrap_err();
            assert!(matches!(err, seal_core::Error::NotBuilt { .. }), "{name:?}: {err}");
            continue;
        }
        let key = PublicKey::from_spki_der(&group.der)
            .unwrap_or_else(|e| panic!("{name:?}: Wycheproof key does not parse: {e}"));
        assert!(key.describe().contains(key_type), "{name:?}: {}", key.describe());
        let scheme = Scheme::new(kind, hash(group.hash).expect("a hash we support"));
        for t in group.tests {
            let accepted = key.verify_scheme(&scheme, &t.msg, &t.sig).is_ok();
            expect(t.result, accepted, &format!("{name:?} tcId {} {}", t.tc_id, t.comment));
            n += 1;
        }
    }
    n
}

#[test]
fn ecdsa_p384_p521_brainpool_sha2_and_sha3() {
    use wycheproof::ecdsa::TestName::*;
    let der = [
        (EcdsaSecp384r1Sha384, "P-384"),
        (EcdsaSecp384r1Sha256, "P-384"),
        (EcdsaSecp384r1Sha512, "P-384"),
        (EcdsaSecp384r1Sha3_384, "P-384"),
        (EcdsaSecp521r1Sha512, "P-521"),
        (EcdsaSecp521r1Sha3_512, "P-521"),
        (EcdsaSecp256r1Sha512, "P-256"),
        (EcdsaSecp256r1Sha3_256, "P-256"),
        (EcdsaBrainpool256r1Sha256, "brainpoolP256r1"),
        (EcdsaBrainpool384r1Sha384, "brainpoolP384r1"),
        (EcdsaBrainpool256r1Sha3_256, "brainpoolP256r1"),
    ];
    let mut n = 0;
    for (name, key_type) in der {
        n += ecdsa_set(name, SchemeKind::Ecdsa, key_type);
    }
    let plain = [
        (EcdsaSecp384r1Sha384P1363, "P-384"),
        (EcdsaSecp521r1Sha512P1363, "P-521"),
        (EcdsaBrainpool256r1Sha256P1363, "brainpoolP256r1"),
        (EcdsaBrainpool384r1Sha384P1363, "brainpoolP384r1"),
    ];
    for (name, key_type) in plain {
        n += ecdsa_set(name, SchemeKind::EcdsaPlain, key_type);
    }
    let all_built =
        cfg!(all(feature = "p384", feature = "p521", feature = "brainpool", feature = "sha3"));
    assert!(n > if all_built { 5000 } else { 400 }, "{n}");
}

#[cfg(feature = "rsa")]
#[test]
fn rsa_pkcs1_v15_2048_to_4096() {
    use wycheproof::rsa_pkcs1_verify::TestName::*;
    let mut n = 0;
    for name in [
        Rsa2048Sha224,
        Rsa2048Sha256,
        Rsa2048Sha384,
        Rsa2048Sha512,
        Rsa2048Sha3_256,
        Rsa2048Sha3_384,
        Rsa2048Sha3_512,
        Rsa3072Sha256,
        Rsa3072Sha384,
        Rsa3072Sha512,
        Rsa3072Sha3_256,
        Rsa4096Sha256,
        Rsa4096Sha384,
        Rsa4096Sha512,
        Rsa8192Sha256,
    ] {
        let set = wycheproof::rsa_pkcs1_verify::TestSet::load(name).unwrap();
        for group in set.test_groups {
            let key = PublicKey::from_spki_der(&group.der)
                .unwrap_or_else(|e| panic!("{name:?}: key does not parse: {e}"));
            assert_eq!(key.describe(), format!("RSA {}", group.key_size));
            let scheme = Scheme::new(SchemeKind::RsaPkcs1, hash(group.hash).unwrap());
            for t in group.tests {
                let accepted = key.verify_scheme(&scheme, &t.msg, &t.sig).is_ok();
                expect(t.result, accepted, &format!("{name:?} tcId {} {}", t.tc_id, t.comment));
                n += 1;
            }
        }
    }
    assert!(n > 2000, "{n}");
}

#[cfg(feature = "rsa")]
#[test]
fn rsa_pss() {
    use wycheproof::rsa_pss_verify::TestName::*;
    let mut n = 0;
    for name in [
        RsaPss2048Sha1Mgf1SaltLen20,
        RsaPss2048Sha256Mgf1SaltLen0,
        RsaPss2048Sha256Mgf1SaltLen32,
        RsaPss2048Sha256Mgf1SaltLen32WithParams,
        RsaPss2048Sha384Mgf1SaltLen48,
        RsaPss3072Sha256Mgf1SaltLen32,
        RsaPss4096Sha256Mgf1SaltLen32,
        RsaPss4096Sha384Mgf1SaltLen48,
        RsaPss4096Sha512Mgf1SaltLen32,
        RsaPss4096Sha512Mgf1SaltLen64,
        RsaPss4096Sha512Mgf1SaltLen64WithParams,
        RsaPssmisc,
    ] {
        let set = wycheproof::rsa_pss_verify::TestSet::load(name).unwrap();
        for group in set.test_groups {
            let (Some(h), Some(mgf)) = (hash(group.hash), group.mgf_hash.and_then(hash)) else {
                continue;
            };
            // MGF1 over another hash than the message's: we refuse such parameters (no
            // producer we know writes them); `keys::scheme` tests that refusal.
            if h != mgf {
                continue;
            }
            let key = PublicKey::from_spki_der(&group.der)
                .unwrap_or_else(|e| panic!("{name:?}: key does not parse: {e}"));
            let scheme = Scheme::new(SchemeKind::RsaPss { salt_len: group.salt_size }, h);
            for t in group.tests {
                let accepted = key.verify_scheme(&scheme, &t.msg, &t.sig).is_ok();
                expect(t.result, accepted, &format!("{name:?} tcId {} {}", t.tc_id, t.comment));
                n += 1;
            }
        }
    }
    assert!(n > 500, "{n}");
}

/// Without the `rsa` feature, an RSA key is refused and the feature named.
#[cfg(not(feature = "rsa"))]
#[test]
fn rsa_keys_name_the_feature_they_need() {
    let set = wycheproof::rsa_pkcs1_verify::TestSet::load(
        wycheproof::rsa_pkcs1_verify::TestName::Rsa2048Sha256,
    )
    .unwrap();
    let err = PublicKey::from_spki_der(&set.test_groups[0].der).unwrap_err();
    assert!(matches!(err, seal_core::Error::NotBuilt { feature: "rsa", .. }), "{err}");
}

/// Without the `p384` feature, a P-384 key is neither generated nor read.
#[cfg(not(feature = "p384"))]
#[test]
fn p384_keys_name_the_feature_they_need() {
    let err = seal_core::keys::PrivateKey::generate(Algorithm::EcdsaP384Sha384).err().unwrap();
    assert!(matches!(err, seal_core::Error::NotBuilt { feature: "p384", .. }), "{err}");
}

#[cfg(feature = "p384")]
#[test]
fn p384_keys_sign_and_verify_both_encodings() {
    let key = seal_core::keys::PrivateKey::generate(Algorithm::EcdsaP384Sha384).unwrap();
    use seal_core::keys::Signer;
    let sig = key.sign(b"m").unwrap();
    assert_eq!(sig.raw().len(), 96);
    key.public_key().verify(b"m", &sig).unwrap();
    let der = sig.to_x509().unwrap();
    let scheme = Scheme::new(SchemeKind::Ecdsa, HashAlg::Sha384);
    key.public_key().verify_scheme(&scheme, b"m", &der).unwrap();
    assert!(key.public_key().verify_scheme(&scheme, b"n", &der).is_err());
}
