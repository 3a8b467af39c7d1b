//! RFC 3161 through the library: a TSA set up from a certificate of profile tsa answers
//! requests with tokens that verify, whose serials never repeat (also across processes
//! sharing the directory), and refuses what it cannot vouch for; a token is only as good
//! as its imprint, its signature and its TSA's certificate.
#![cfg(all(feature = "licence", feature = "json"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashSet;

use common::{Fixture, now};
use seal_core::digest::HashAlg;
use seal_core::keys::{Algorithm, Kdf};
use seal_core::pki::{Profile, certificate_to_pem};
use seal_core::tsp::{self, Authority, AuthorityConfig};
use seal_core::verify::{Indication, SubIndication};

/// A TSA in `f.dir/tsa-NAME` with a certificate of `profile` (for the negative cases).
fn tsa(f: &Fixture, name: &str, profile: Profile) -> std::path::PathBuf {
    let (key, cert) = f.issue(&format!("TSA {name}"), profile);
    let d = f.dir.path();
    let key_file = d.join(format!("{name}.key"));
    key.save(&key_file, None, Kdf::Scrypt, false).unwrap();
    let mut pem = certificate_to_pem(&cert).unwrap();
    pem.push_str(&certificate_to_pem(f.prov.certificate()).unwrap());
    let dir = d.join(format!("tsa-{name}"));
    let config = AuthorityConfig { policy: "1.2.3.4.1".into(), accuracy_seconds: 1 };
    Authority::create(&dir, pem.as_bytes(), Some(&key_file), config).unwrap();
    dir
}

fn open(dir: &std::path::Path) -> Authority {
    let key = Authority::load_key(dir, &seal_core::secret::PassphraseSource::None).unwrap();
    Authority::open(dir, Box::new(key)).unwrap()
}

#[test]
fn tokens_verify_and_say_what_they_vouch_for() {
    for alg in [Algorithm::EcdsaP256Sha256, Algorithm::Ed25519] {
        let f = Fixture::new(alg);
        let authority = open(&tsa(&f, "a", Profile::Tsa));
        let digest = HashAlg::Sha256.hash(b"a contract");
        let (request, nonce) = tsp::request(HashAlg::Sha256, &digest).unwrap();
        let reply = authority.respond(&request);
        let token = tsp::token_for_request(&reply, &request).unwrap();
        let (ts, r) =
            tsp::verify_token(&token, Some((HashAlg::Sha256, &digest)), &f.trust(), now()).unwrap();
        assert_eq!(r.indication, Indication::TotalPassed, "{r:?}");
        assert_eq!(ts.policy, "1.2.3.4.1");
        assert_eq!(ts.nonce.as_deref(), Some(seal_core::keys::hex(&nonce).as_str()));
        // The TSA stamps its own clock's time (the fixture's `now()` is a fixed date).
        let clock = seal_core::time::UnixTime::now().as_secs();
        assert!(ts.time.as_secs().abs_diff(clock) <= 60);
        assert_eq!(ts.accuracy_micros, Some(1_000_000));
        // Another document's hash: the imprint check fails.
        let other = HashAlg::Sha256.hash(b"another contract");
        let (_, r) =
            tsp::verify_token(&token, Some((HashAlg::Sha256, &other)), &f.trust(), now()).unwrap();
        assert_eq!(r.sub_indication, Some(SubIndication::HashFailure));
        // A changed byte inside the TSTInfo (the time): the signature fails.
        let mut forged = token.clone();
        let at = forged.windows(4).position(|w| w == b"2026").unwrap();
        forged[at + 3] = b'5';
        let (_, r) =
            tsp::verify_token(&forged, Some((HashAlg::Sha256, &digest)), &f.trust(), now())
                .unwrap();
        assert_eq!(r.indication, Indication::TotalFailed, "{r:?}");
        // A reply to another request is refused.
        let (request2, _) = tsp::request(HashAlg::Sha256, &digest).unwrap();
        let e = tsp::token_for_request(&reply, &request2).unwrap_err().to_string();
        assert!(e.contains("nonce"), "{e}");
    }
}

#[test]
fn a_certificate_not_issued_for_time_stamping_cannot_set_up_or_sign_as_a_tsa() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let (key, cert) = f.issue("Not a TSA", Profile::Seal);
    let pem = certificate_to_pem(&cert).unwrap();
    let key_file = f.dir.path().join("seal.key");
    key.save(&key_file, None, Kdf::Scrypt, false).unwrap();
    let config = AuthorityConfig { policy: "1.2.3.4.1".into(), accuracy_seconds: 0 };
    let e = Authority::create(&f.dir.path().join("x"), pem.as_bytes(), Some(&key_file), config)
        .unwrap_err()
        .to_string();
    assert!(e.contains("id-kp-timeStamping") && e.contains("--profile tsa"), "{e}");
    // A token signed by a seal certificate (its TSA directory forged by hand) fails its
    // chain check.
    let good = tsa(&f, "good", Profile::Tsa);
    let forged = f.dir.path().join("tsa-forged");
    std::fs::create_dir(&forged).unwrap();
    std::fs::copy(good.join("tsa.json"), forged.join("tsa.json")).unwrap();
    std::fs::write(forged.join("tsa.pem"), &pem).unwrap();
    let authority = Authority::open(&forged, Box::new(key)).unwrap();
    let digest = HashAlg::Sha256.hash(b"x");
    let token = authority.timestamp(HashAlg::Sha256, &digest).unwrap();
    let (_, r) =
        tsp::verify_token(&token, Some((HashAlg::Sha256, &digest)), &f.trust(), now()).unwrap();
    assert_eq!(r.sub_indication, Some(SubIndication::ChainConstraintsFailure), "{r:?}");
    assert!(format!("{r:?}").contains("no extendedKeyUsage id-kp-timeStamping"), "{r:?}");
}

/// Two authorities on one directory (two processes) hand out serials from blocks reserved
/// under the lock: none repeats.
#[test]
fn serials_never_repeat_across_authorities_sharing_a_directory() {
    let f = Fixture::new(Algorithm::Ed25519);
    let dir = tsa(&f, "shared", Profile::Tsa);
    let (a, b) = (open(&dir), open(&dir));
    let digest = HashAlg::Sha256.hash(b"x");
    let mut serials = HashSet::new();
    let run = |authority: &Authority| {
        (0..300)
            .map(|_| {
                let token = authority.timestamp(HashAlg::Sha256, &digest).unwrap();
                tsp::verify_token(&token, None, &f.trust(), now()).unwrap().0.serial
            })
            .collect::<Vec<_>>()
    };
    std::thread::scope(|s| {
        let (x, y) = (s.spawn(|| run(&a)), s.spawn(|| run(&b)));
        for serial in x.join().unwrap().into_iter().chain(y.join().unwrap()) {
            assert!(serials.insert(serial.clone()), "serial {serial} handed out twice");
        }
    });
    assert_eq!(serials.len(), 600);
    // A third authority, opened after them (a restart), continues past every block.
    let c = open(&dir);
    let token = c.timestamp(HashAlg::Sha256, &digest).unwrap();
    let serial = tsp::verify_token(&token, None, &f.trust(), now()).unwrap().0.serial;
    assert!(!serials.contains(&serial));
}

#[test]
fn requests_it_cannot_vouch_for_are_rejected() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let authority = open(&tsa(&f, "r", Profile::Tsa));
    let digest = HashAlg::Sha256.hash(b"x");
    let (good, _) = tsp::request(HashAlg::Sha256, &digest).unwrap();
    // Truncated, oversized, garbage, random mutations: always a reply, never a panic.
    let mut rng = common::Rng(7);
    let mut inputs = vec![Vec::new(), vec![0x30], vec![0u8; 5000], good[..good.len() - 3].to_vec()];
    for _ in 0..300 {
        inputs.push(common::mutate(&mut rng, &good));
    }
    for input in inputs {
        let reply = authority.respond(&input);
        match tsp::token_from_reply(&reply) {
            Ok(token) => {
                tsp::verify_token(&token, None, &f.trust(), now()).unwrap();
            }
            Err(e) => assert!(e.to_string().contains("rejection"), "{e}"),
        }
    }
    // A SHA-256 imprint of the wrong length.
    let bad = tsp::request(HashAlg::Sha256, &digest[..20]).unwrap().0;
    let e = tsp::token_from_reply(&authority.respond(&bad)).unwrap_err().to_string();
    assert!(e.contains("not a SHA-256 hash"), "{e}");
}

/// CAdES-B-T through the library: a CMS stamp with a signature timestamp is judged at the
/// time the timestamp proves, so it passes after the stamper's certificate expired; the
/// same stamp without one does not.
#[test]
fn a_signature_timestamp_moves_the_time_certificates_are_judged_at() {
    use seal_core::stamp::cms;
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let d = f.dir.path();
    let authority = long_tsa(&f);
    let doc = d.join("doc.txt");
    std::fs::write(&doc, "a decision").unwrap();
    let with = cms::stamp_file(&doc, &f.key(), now(), Some(&authority)).unwrap();
    let without = cms::stamp_file(&doc, &f.key(), now(), None).unwrap();
    let later: seal_core::time::UnixTime = "2028-06-01T00:00:00Z".parse().unwrap();
    let r = cms::verify_file(&doc, &with, &f.trust(), later).unwrap().remove(0);
    assert_eq!(r.indication, Indication::TotalPassed, "{r:?}");
    assert!(r.format.contains("CAdES-B-T") && r.proven_time.is_some(), "{r:?}");
    let r = cms::verify_file(&doc, &without, &f.trust(), later).unwrap().remove(0);
    assert_eq!(r.sub_indication, Some(SubIndication::Expired), "{r:?}");
}

/// A TSA whose certificate outlives the stamper's (one year), in `f.dir/tsa`.
fn long_tsa(f: &Fixture) -> Authority {
    use seal_core::pki::{Csr, Subject, Validity};
    let d = f.dir.path();
    let key = seal_core::keys::PrivateKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let s = Subject::new("Long TSA", "City", "VN").with_organization_identifier("0101");
    let csr = Csr::build(&s, &key).unwrap();
    let validity = Validity::days_from(now(), 1500);
    let cert = f.prov.issue(&f.prov_key, &csr, Profile::Tsa, validity).unwrap();
    key.save(&d.join("long.key"), None, Kdf::Scrypt, false).unwrap();
    let pem =
        [certificate_to_pem(&cert).unwrap(), certificate_to_pem(f.prov.certificate()).unwrap()]
            .concat();
    let config = AuthorityConfig { policy: "1.2.3.4.1".into(), accuracy_seconds: 1 };
    Authority::create(&d.join("tsa"), pem.as_bytes(), Some(&d.join("long.key")), config).unwrap();
    open(&d.join("tsa"))
}

/// JSON stamps (a JAdES sigTst in the unprotected header) and GB/T 38540 stamps (their
/// timeStamp) through the library: timestamped, they pass after the stamper's certificate
/// expired; a token over another signature value does not count.
#[test]
fn json_and_gbt38540_stamps_carry_signature_timestamps() {
    use seal_core::stamp::{detached, json};
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let authority = long_tsa(&f);
    let later: seal_core::time::UnixTime = "2028-06-01T00:00:00Z".parse().unwrap();
    // JSON.
    let mut with: serde_json::Value = serde_json::json!({"licence": "A-17"});
    json::stamp_timestamped(&mut with, &f.key(), now(), Some(&authority)).unwrap();
    assert!(with["_stamps"][0]["header"]["etsiU"][0]["sigTst"]["tstTokens"][0]["val"].is_string());
    let r = json::verify(&with, &f.trust(), later).unwrap().remove(0);
    assert_eq!(r.indication, Indication::TotalPassed, "{r:?}");
    assert!(r.proven_time.is_some() && r.format.contains("sigTst"), "{r:?}");
    // (A second later: ECDSA here is deterministic, RFC 6979, and the same header and
    // document would give the very same signature.)
    let mut without = serde_json::json!({"licence": "A-17"});
    json::stamp(&mut without, &f.key(), now().plus_secs(1)).unwrap();
    let r = json::verify(&without, &f.trust(), later).unwrap().remove(0);
    assert_eq!(r.sub_indication, Some(SubIndication::Expired), "{r:?}");
    // The first stamp's token moved onto the second: it timestamps another signature.
    without["_stamps"][0]["header"]["etsiU"] = with["_stamps"][0]["header"]["etsiU"].clone();
    let r = json::verify(&without, &f.trust(), later).unwrap().remove(0);
    assert_ne!(r.indication, Indication::TotalPassed, "{r:?}");
    assert!(
        r.checks.iter().any(|c| c.check == "timestamp" && c.indication != Indication::TotalPassed)
    );
    // GB/T 38540.
    let doc = f.dir.path().join("notice.txt");
    std::fs::write(&doc, "a notice").unwrap();
    let ses = detached::stamp_file_timestamped(&doc, &f.key(), now(), Some(&authority)).unwrap();
    let stamp = seal_core::seal::Stamp::from_der(&ses).unwrap();
    assert!(stamp.has_timestamp && stamp.time_stamp.is_some());
    let r = detached::verify_file(&doc, &ses, &f.trust(), later).unwrap();
    assert_eq!(r.indication, Indication::TotalPassed, "{r:?}");
    assert!(r.proven_time.is_some());
    let plain = detached::stamp_file(&doc, &f.key(), now()).unwrap();
    let r = detached::verify_file(&doc, &plain, &f.trust(), later).unwrap();
    assert_eq!(r.sub_indication, Some(SubIndication::Expired), "{r:?}");
}
