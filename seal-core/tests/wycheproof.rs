//! The Wycheproof vectors for ECDSA P-256/SHA-256 (DER and P1363 encodings) and Ed25519,
//! through our verify API: every "valid" verifies, every "invalid" is rejected.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use seal_core::keys::{Algorithm, PublicKey, Signature};
use wycheproof::TestResult;

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
