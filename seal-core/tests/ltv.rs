//! PAdES B-LT and B-LTA through the library: the /DSS holds what validation later needs,
//! a document timestamp proves when everything before it existed, and `pdf::extend`
//! renews a document with a second TSA so that it verifies years after the first TSA's
//! certificate, the stamper's and its CA's expired.
#![cfg(feature = "pdf")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::{Fixture, now};
use seal_core::keys::{Algorithm, Kdf, PrivateKey};
use seal_core::pdf::{self, Appearance, Level, LongTerm, StampOptions};
use seal_core::pki::ca::Ca;
use seal_core::pki::validation_data::Sources;
use seal_core::pki::{Csr, Profile, Subject, Validity, certificate_to_pem};
use seal_core::stamp::cms::{CheckedKey, timestamp_room};
use seal_core::time::UnixTime;
use seal_core::tsp::{Authority, AuthorityConfig};
use seal_core::verify::{Indication, Report, Trust};

/// A TSA issued by `ca` for `days`, set up in `f.dir/name`.
fn tsa(f: &Fixture, ca: &Ca, ca_key: &PrivateKey, name: &str, days: u64) -> Authority {
    let d = f.dir.path();
    let key = PrivateKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let s = Subject::new(format!("TSA {name}"), "Time", "VN").with_organization_identifier("01");
    let csr = Csr::build(&s, &key).unwrap();
    let cert = ca.issue(ca_key, &csr, Profile::Tsa, Validity::days_from(now(), days)).unwrap();
    let key_file = d.join(format!("{name}.key"));
    key.save(&key_file, None, Kdf::Scrypt, false).unwrap();
    let mut pem = certificate_to_pem(&cert).unwrap();
    for c in ca.chain() {
        pem.push_str(&certificate_to_pem(c).unwrap());
    }
    let dir = d.join(name);
    let config = AuthorityConfig { policy: "1.2.3.4.1".into(), accuracy_seconds: 1 };
    Authority::create(&dir, pem.as_bytes(), Some(&key_file), config).unwrap();
    let key = Authority::load_key(&dir, &seal_core::secret::PassphraseSource::None).unwrap();
    Authority::open(&dir, Box::new(key)).unwrap()
}

/// The CRLs of the province and the root, issued at `at`, valid for `days`.
fn crls(f: &Fixture, at: UnixTime, days: u64) -> Vec<seal_core::pki::Crl> {
    vec![
        f.prov.crl(&f.prov_key, at, at.plus_days(days)).unwrap(),
        f.root.crl(&f.root_key, at, at.plus_days(days)).unwrap(),
    ]
}

fn stamp(f: &Fixture, ts: &Authority, level: Level, sources: Sources, at: UnixTime) -> Vec<u8> {
    let input = pdf::sample::text_document(&[vec!["a contract".into()]], 0);
    let key = CheckedKey::new(f.key()).unwrap().with_timestamper(ts, timestamp_room(ts).unwrap());
    let opts =
        StampOptions { level, validation_sources: Some(Arc::new(sources)), ..Default::default() };
    let app = Appearance::for_seal(&f.seal).unwrap();
    let (out, info) = pdf::stamp_checked_to_vec(&input, &key, &app, &opts, at).unwrap();
    assert_eq!(info.level, level);
    out
}

fn verify(bytes: &[u8], trust: &Trust, at: UnixTime) -> Report {
    pdf::verify_bytes(bytes, "doc.pdf", trust, at).unwrap()
}

#[test]
fn b_lt_needs_and_embeds_every_crl_and_b_lta_adds_a_document_timestamp() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    // The TSA's clock is the real one: so are the stamps' and the CRLs' here.
    let clock = UnixTime::now();
    let ts = tsa(&f, &f.prov, &f.prov_key, "tsa", 1500);
    let root = f.root.certificate().clone();
    // Without the root's CRL, the province's certificate has no revocation data: refused.
    let input = pdf::sample::text_document(&[vec!["a contract".into()]], 0);
    let key = CheckedKey::new(f.key()).unwrap().with_timestamper(&ts, timestamp_room(&ts).unwrap());
    let only_prov = Sources {
        certs: vec![root.clone()],
        crls: crls(&f, clock, 7)[..1].to_vec(),
        ..Default::default()
    };
    let opts = StampOptions {
        level: Level::Lt,
        validation_sources: Some(Arc::new(only_prov)),
        ..Default::default()
    };
    let app = Appearance::for_seal(&f.seal).unwrap();
    let err = pdf::stamp_checked_to_vec(&input, &key, &app, &opts, clock).unwrap_err().to_string();
    assert!(err.contains("no revocation data for") && err.contains("Province"), "{err}");
    // B-T without a timestamper: refused.
    let plain = CheckedKey::new(f.key()).unwrap();
    let opts = StampOptions { level: Level::T, ..Default::default() };
    assert!(pdf::stamp_checked_to_vec(&input, &plain, &app, &opts, clock).is_err());

    let sources =
        Sources { certs: vec![root.clone()], crls: crls(&f, clock, 7), ..Default::default() };
    // Only the root is trusted, and no CRL is given: the /DSS has the rest.
    let trust = Trust { anchors: vec![root.clone()], ..Trust::default() };
    for level in [Level::Lt, Level::Lta] {
        let out = stamp(&f, &ts, level, sources.clone(), clock);
        let r = verify(&out, &trust, clock.plus_secs(3600));
        assert_eq!(r.indication, Indication::TotalPassed, "{level}: {r}");
        let text = r.to_string();
        // Revocation was checked, from the /DSS's CRLs.
        assert!(text.contains(&format!("CRL of {clock}")), "{text}");
        assert_eq!(r.signatures.len(), if level == Level::Lta { 2 } else { 1 }, "{text}");
        let dss = String::from_utf8_lossy(&out);
        assert!(dss.contains("/Type /DSS") || dss.contains("/Type/DSS"), "{level}");
        assert!(dss.contains("/VRI"), "{level}");
        assert_eq!(dss.contains("/ETSI.RFC3161"), level == Level::Lta);
    }
}

#[test]
fn an_extended_document_outlives_every_certificate_but_the_newest_tsa() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let d = f.dir.path();
    // The stamp's TSA lasts four years; the archive's, issued by the root, eight.
    let first = tsa(&f, &f.prov, &f.prov_key, "tsa", 1500);
    let archive = tsa(&f, &f.root, &f.root_key, "archive", 2900);
    let root = f.root.certificate().clone();
    let sources =
        Sources { certs: vec![root.clone()], crls: crls(&f, now(), 7), ..Default::default() };
    let lta = stamp(&f, &first, Level::Lta, sources.clone(), now());
    std::fs::write(d.join("lta.pdf"), &lta).unwrap();
    // Renewal: the archive TSA's document timestamp over everything, and data for it.
    let lt = LongTerm { sources: &sources, archive: Some(&archive) };
    let ext = pdf::extend(&d.join("lta.pdf"), &d.join("renewed.pdf"), &lt, now(), false).unwrap();
    assert_eq!(ext.signatures, 2);
    assert!(ext.document_timestamp);
    assert!(ext.notes.is_empty(), "{:?}", ext.notes);
    // An existing output is kept.
    assert!(pdf::extend(&d.join("lta.pdf"), &d.join("renewed.pdf"), &lt, now(), false).is_err());
    let renewed = std::fs::read(d.join("renewed.pdf")).unwrap();
    assert!(renewed.starts_with(&lta), "an incremental update keeps the bytes before it");

    // Seven years on: the stamper's, the province's and the first TSA's certificates have
    // expired; the verifier has CRLs of that time.
    let later = now().plus_days(7 * 365);
    let trust = Trust {
        anchors: vec![root.clone()],
        crls: crls(&f, UnixTime::from_secs(later.as_secs() - 86_400), 30),
        ..Trust::default()
    };
    let r = verify(&renewed, &trust, later);
    assert_eq!(r.indication, Indication::TotalPassed, "{r}");
    let stamp = &r.signatures[0];
    assert!(stamp.checks.iter().any(|c| c.check == "proof-of-existence"), "{r}");
    // Not renewed: the first TSA's certificate has expired, nothing proves the time.
    let r = verify(&lta, &trust, later);
    assert_ne!(r.indication, Indication::TotalPassed, "{r}");
    // A changed byte in the document: every signature fails.
    let mut changed = renewed.clone();
    changed[200] ^= 0x01;
    let r = verify(&changed, &trust, later);
    assert_eq!(r.indication, Indication::TotalFailed, "{r}");
}

/// OCSP responses instead of CRLs: the /DSS carries each as a whole OCSPResponse, and
/// verification uses them. The seal maker's certificate needs one too (the seal's chain
/// is validated with the stamp's): without it, B-LT is refused.
#[test]
fn b_lt_with_ocsp_responses() {
    use seal_core::pki::ocsp::OcspResponse;
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let ts = tsa(&f, &f.prov, &f.prov_key, "tsa", 1500);
    let clock = UnixTime::now();
    let serial = |c: &seal_core::pki::Certificate| {
        seal_core::keys::hex(c.tbs_certificate().serial_number().as_bytes())
    };
    let tsa_cert = seal_core::pki::certificates_from_bytes(
        &std::fs::read(f.dir.path().join("tsa/tsa.pem")).unwrap(),
    )
    .unwrap()
    .remove(0);
    let respond = |ca: &Ca, key: &PrivateKey, c: &seal_core::pki::Certificate| {
        let der = ca.ocsp(key, &serial(c), clock, clock.plus_days(7)).unwrap();
        OcspResponse::from_der(&der).unwrap()
    };
    let ocsp = vec![
        respond(&f.prov, &f.prov_key, &f.agency),
        respond(&f.prov, &f.prov_key, &f.maker),
        respond(&f.prov, &f.prov_key, &tsa_cert),
        respond(&f.root, &f.root_key, f.prov.certificate()),
    ];
    let root = f.root.certificate().clone();
    let mut without_maker = ocsp.clone();
    without_maker.remove(1);
    let input = pdf::sample::text_document(&[vec!["a contract".into()]], 0);
    let key = CheckedKey::new(f.key()).unwrap().with_timestamper(&ts, timestamp_room(&ts).unwrap());
    let sources = Sources { certs: vec![root.clone()], ocsp: without_maker, ..Default::default() };
    let opts = StampOptions {
        level: Level::Lt,
        validation_sources: Some(Arc::new(sources)),
        ..Default::default()
    };
    let app = Appearance::for_seal(&f.seal).unwrap();
    let err = pdf::stamp_checked_to_vec(&input, &key, &app, &opts, clock).unwrap_err();
    assert!(err.to_string().contains("Seal Maker"), "{err}");
    let sources = Sources { certs: vec![root.clone()], ocsp, ..Default::default() };
    let out = stamp(&f, &ts, Level::Lt, sources, clock);
    let trust = Trust { anchors: vec![root], ..Trust::default() };
    let r = verify(&out, &trust, clock.plus_secs(3600));
    assert_eq!(r.indication, Indication::TotalPassed, "{r}");
    assert!(r.to_string().contains("OCSP of"), "{r}");
}
