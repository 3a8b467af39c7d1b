//! Licences: issue, compact text, QR, verify; every way a licence can be wrong; and interop
//! with pycose/cbor2/base45/zlib and zbarimg.
#![cfg(all(feature = "licence", feature = "qr-render", feature = "qr-read"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::Command;

use common::{Fixture, now, python};
use seal_core::keys::{Algorithm, PrivateKey};
use seal_core::licence::{self, LicenceData, Schema, qr};
use seal_core::pki::{Certificate, Csr, Profile, Subject, Validity, certificate_to_pem};
use seal_core::verify::{Indication, SubIndication};
use serde_json::json;

struct Issuer {
    f: Fixture,
    key: PrivateKey,
    cert: Certificate,
}

fn issuer(alg: Algorithm) -> Issuer {
    let f = Fixture::new(alg);
    let key = PrivateKey::generate(alg).unwrap();
    let s = Subject::new("Licensing Office", "City of Example", "VN")
        .with_organization_identifier("0101234567");
    let cert = f
        .prov
        .issue(
            &f.prov_key,
            &Csr::build(&s, &key).unwrap(),
            Profile::LicenceIssuer,
            Validity::days_from(now(), 365),
        )
        .unwrap();
    Issuer { f, key, cert }
}

fn data() -> LicenceData {
    serde_json::from_value(json!({
        "number": "BL2026000123",
        "holder": {"name": "Công ty TNHH Ví Dụ", "id": "0101234567"},
        "region": "VN-HN",
        "valid_until": "2031-06-01",
        "attributes": {"company_type": "LLC", "capital": 1500000000u64, "activities": ["retail", "import"]}
    }))
    .unwrap()
}

fn issue(i: &Issuer) -> String {
    let schema = Schema::find("business-licence").unwrap();
    let lic = licence::prepare(&schema, data(), &i.cert, now()).unwrap();
    let cose = licence::sign(&lic, &i.key, &i.cert).unwrap();
    licence::to_text(&cose).unwrap()
}

fn verify(
    i: &Issuer,
    text: &str,
    at: seal_core::time::UnixTime,
) -> seal_core::Result<seal_core::verify::SignatureReport> {
    let cose = licence::from_text(text)?;
    licence::verify(&cose, std::slice::from_ref(&i.cert), &i.f.trust(), at).map(|(_, r)| r)
}

#[test]
fn issue_and_verify_both_algorithms() {
    for alg in Algorithm::ALL {
        let i = issuer(alg);
        let text = issue(&i);
        assert!(text.starts_with("LC1:"));
        assert!(text.len() < 600, "{} characters", text.len());
        let r = verify(&i, &text, now().plus_days(1)).unwrap();
        assert!(r.is_valid(), "{alg:?}: {r:?}");
        let (_, lic) = licence::read(&licence::from_text(&text).unwrap()).unwrap();
        assert_eq!(lic.holder.name, "Công ty TNHH Ví Dụ");
        assert_eq!(lic.issuer, "City of Example");
        licence::number::verify(&lic.number).unwrap();
        assert_eq!(lic.attributes["capital"], json!(1500000000u64));
    }
}

#[test]
fn each_kind_of_bad_licence_gets_its_own_answer() {
    let i = issuer(Algorithm::Ed25519);
    let text = issue(&i);
    let at = now().plus_days(1);
    // Wrong prefix, truncated base45, bad compression: errors naming the layer.
    let e = verify(&i, &text.replacen("LC1:", "HC1:", 1), at).unwrap_err().to_string();
    assert!(e.contains("prefix"), "{e}");
    let e = verify(&i, &text[..text.len() - 1], at).unwrap_err().to_string();
    assert!(e.contains("base45") || e.contains("zlib"), "{e}");
    let e = verify(&i, &format!("LC1:{}", base45::encode(b"not zlib at all")), at)
        .unwrap_err()
        .to_string();
    assert!(e.contains("zlib"), "{e}");
    // Tampered text that still decodes: the signature (or the structure) fails.
    let cose = licence::from_text(&text).unwrap();
    let mut bad = cose.clone();
    let pos = bad.windows(4).position(|w| w == b"0101").unwrap();
    bad[pos] = b'9';
    let tampered = licence::to_text(&bad).unwrap();
    let r = verify(&i, &tampered, at).unwrap();
    assert_eq!(r.sub_indication, Some(SubIndication::SigCryptoFailure), "{r:?}");
    // An unknown kid.
    let other = issuer(Algorithm::Ed25519);
    let r = verify(&other, &text, at).unwrap();
    assert_eq!(r.sub_indication, Some(SubIndication::NoCertificateChainFound), "{r:?}");
    // Expired and not yet valid.
    let r = verify(&i, &text, "2032-01-01".parse().unwrap()).unwrap();
    assert_eq!(r.sub_indication, Some(SubIndication::Expired));
    // Garbage never panics.
    for n in 0..500usize {
        let mut t: Vec<u8> = text.clone().into_bytes();
        let k = 4 + (n * 7919) % (t.len() - 4);
        t[k] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"[n % 45];
        let _ = verify(&i, &String::from_utf8(t).unwrap(), at);
    }
}

#[test]
fn issuing_checks_the_data() {
    let i = issuer(Algorithm::Ed25519);
    let schema = Schema::find("business-licence").unwrap();
    let mut d = data();
    d.attributes.remove("capital");
    let e = licence::prepare(&schema, d, &i.cert, now()).unwrap_err().to_string();
    assert!(e.contains("capital is missing"), "{e}");
    let mut d = data();
    d.number = "BL 2026 ÄÖ".into();
    assert!(licence::prepare(&schema, d, &i.cert, now()).is_err());
    let mut d = data();
    d.valid_until = "2020-01-01".into();
    assert!(
        licence::prepare(&schema, d, &i.cert, now()).unwrap_err().to_string().contains("after")
    );
}

#[test]
fn qr_codes_roundtrip_through_our_reader_and_zbarimg() {
    let i = issuer(Algorithm::EcdsaP256Sha256);
    let text = issue(&i);
    let png = qr::png(&text).unwrap();
    assert_eq!(qr::read(&png).unwrap(), text);
    assert!(qr::svg(&text).unwrap().contains("<svg"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("licence.png"), &png).unwrap();
    let out = Command::new("zbarimg")
        .args(["--raw", "-q", "licence.png"])
        .current_dir(dir.path())
        .output()
        .expect("zbarimg is installed (zbar-tools)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), text);
    assert!(qr::read(b"not an image").is_err());

    // A QR code made by other software (qrencode), at another error correction level and as
    // a JPEG photo-like copy, reads back to the same text.
    let out = Command::new("qrencode")
        .args(["-l", "M", "-s", "6", "-o", "other.png", &text])
        .current_dir(dir.path())
        .output()
        .expect("qrencode is installed");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let other = std::fs::read(dir.path().join("other.png")).unwrap();
    assert_eq!(qr::read(&other).unwrap(), text);
    let img = image::load_from_memory(&other).unwrap();
    let mut jpeg = std::io::Cursor::new(Vec::new());
    img.to_rgb8().write_to(&mut jpeg, image::ImageFormat::Jpeg).unwrap();
    assert_eq!(qr::read(jpeg.get_ref()).unwrap(), text);
}

#[test]
fn pycose_verifies_ours_and_we_verify_pycose() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/cose.py");
    for alg in Algorithm::ALL {
        let i = issuer(alg);
        let d = i.f.dir.path();
        std::fs::write(d.join("licence.txt"), issue(&i)).unwrap();
        std::fs::write(d.join("issuer.pem"), certificate_to_pem(&i.cert).unwrap()).unwrap();
        let out = Command::new(python())
            .arg(&script)
            .args(["verify", "licence.txt", "issuer.pem"])
            .current_dir(d)
            .output()
            .unwrap();
        assert!(out.status.success(), "{alg:?}: {}", String::from_utf8_lossy(&out.stderr));

        std::fs::write(
            d.join("issuer.key"),
            i.key.to_pem(None, seal_core::keys::Kdf::Scrypt).unwrap().as_bytes(),
        )
        .unwrap();
        let out = Command::new(python())
            .arg(&script)
            .args(["issue", "issuer.key", "issuer.pem", "py.txt"])
            .current_dir(d)
            .output()
            .unwrap();
        assert!(out.status.success(), "{alg:?}: {}", String::from_utf8_lossy(&out.stderr));
        let text = std::fs::read_to_string(d.join("py.txt")).unwrap();
        let r = verify(&i, &text, now().plus_days(1)).unwrap();
        assert!(r.is_valid(), "{alg:?}: {r:?}");
        let (_, lic) = licence::read(&licence::from_text(&text).unwrap()).unwrap();
        assert_eq!(lic.holder.name, "Nguyễn Văn A");
        assert_eq!(r.indication, Indication::TotalPassed);
        // cbor2 keeps insertion order: accepted, and the report says so.
        let encoding = r.checks.iter().find(|c| c.check == "encoding").unwrap();
        assert!(encoding.detail.contains("not in deterministic order"), "{encoding:?}");
        let ours = verify(&i, &issue(&i), now().plus_days(1)).unwrap();
        let encoding = ours.checks.iter().find(|c| c.check == "encoding").unwrap();
        assert!(encoding.detail.starts_with("deterministic CBOR"), "{encoding:?}");
    }
}

mod lists {
    use super::*;
    use base64ct::{Base64, Encoding};
    use seal_core::licence::trust::{self, ListedIssuer, TrustListBody};
    use seal_core::pki::certificate_der;
    use seal_core::time::UnixTime;

    fn issue_indexed(i: &Issuer, index: u64) -> Vec<u8> {
        let schema = Schema::find("business-licence").unwrap();
        let mut d = data();
        d.status_index = Some(index);
        let lic = licence::prepare(&schema, d, &i.cert, now()).unwrap();
        licence::sign(&lic, &i.key, &i.cert).unwrap()
    }

    fn list(
        i: &Issuer,
        types: &[&str],
        regions: &[&str],
        seq: u64,
        next_update: UnixTime,
    ) -> Vec<u8> {
        let body = TrustListBody {
            name: "VN licence issuers".into(),
            sequence: seq,
            issued: now(),
            next_update,
            issuers: vec![ListedIssuer {
                certificate: Base64::encode_string(&certificate_der(&i.cert).unwrap()),
                regions: regions.iter().map(|s| s.to_string()).collect(),
                licence_types: types.iter().map(|s| s.to_string()).collect(),
            }],
        };
        // The root authority signs the list.
        trust::sign_trust_list(&body, &i.f.root_key, i.f.root.certificate()).unwrap()
    }

    fn check<'a>(
        r: &'a seal_core::verify::SignatureReport,
        name: &str,
    ) -> Vec<&'a seal_core::verify::CheckOutcome> {
        r.checks.iter().filter(|c| c.check == name).collect()
    }

    /// What a verifier's replay state does: after list #7 and status list #2 are
    /// accepted, #6 and #1 (genuinely signed, older) fail as replays.
    #[test]
    fn replayed_lists_fail_once_a_newer_one_was_accepted() {
        use seal_core::licence::replay::ReplayState;
        let i = issuer(Algorithm::Ed25519);
        let at = now().plus_days(1);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lists.json");
        let open = |seq| {
            let cose = list(&i, &["business-licence"], &["VN-HN"], seq, now().plus_days(30));
            trust::open_trust_list(&cose, &i.f.trust(), at, 0).unwrap()
        };
        let status = |seq, revoked: &[u64]| {
            let s = trust::sign_status_list(
                revoked,
                64,
                seq,
                now(),
                now().plus_days(7),
                &i.key,
                &i.cert,
            )
            .unwrap();
            trust::open_status_list(&s, std::slice::from_ref(&i.cert)).unwrap()
        };
        let (new_list, new_status) = (open(7), status(2, &[5]));
        let mut state = ReplayState::load(&path).unwrap();
        state.check_trust_list(&mut new_list.clone());
        assert!(
            state.accept_lists(std::slice::from_ref(&new_list), std::slice::from_ref(&new_status))
        );
        state.save(&path).unwrap();

        let state = ReplayState::load(&path).unwrap();
        let mut old_list = open(6);
        assert!(old_list.report.is_valid());
        state.check_trust_list(&mut old_list);
        assert!(!old_list.report.is_valid());
        let replay = check(&old_list.report, "replay");
        assert!(replay[0].detail.contains("older than #7"), "{replay:?}");
        let mut same = open(7);
        state.check_trust_list(&mut same);
        assert!(same.report.is_valid(), "the same list again is no replay");

        // Status list #1 predates the revocation of index 5: alone it would pass.
        let cose = issue_indexed(&i, 5);
        let mut old_status = status(1, &[]);
        let verify = |s: &trust::StatusList| {
            trust::verify_licence(
                &cose,
                std::slice::from_ref(&new_list),
                std::slice::from_ref(s),
                &i.f.trust(),
                at,
            )
            .unwrap()
            .1
        };
        assert!(verify(&old_status).is_valid());
        state.check_status_list(&mut old_status);
        let r = verify(&old_status);
        assert_eq!(r.indication, Indication::TotalFailed, "{r:?}");
        assert!(check(&r, "revocation").iter().any(|c| c.detail.contains("replayed")), "{r:?}");
    }

    #[test]
    fn trust_and_status_lists() {
        for alg in Algorithm::ALL {
            let i = issuer(alg);
            let at = now().plus_days(1);
            let cose = issue_indexed(&i, 5);
            let good_list = trust::open_trust_list(
                &list(&i, &["business-licence"], &["VN-HN"], 7, now().plus_days(30)),
                &i.f.trust(),
                at,
                0,
            )
            .unwrap();
            assert!(good_list.report.is_valid(), "{:?}", good_list.report);
            let status =
                trust::sign_status_list(&[1, 2], 64, 1, now(), now().plus_days(7), &i.key, &i.cert)
                    .unwrap();
            let status = trust::open_status_list(&status, &good_list.certificates).unwrap();
            let (_, r) = trust::verify_licence(
                &cose,
                std::slice::from_ref(&good_list),
                std::slice::from_ref(&status),
                &i.f.trust(),
                at,
            )
            .unwrap();
            assert!(r.is_valid(), "{alg:?}: {r:?}");

            // Revoked.
            let revoked =
                trust::sign_status_list(&[5], 64, 2, now(), now().plus_days(7), &i.key, &i.cert)
                    .unwrap();
            let revoked = trust::open_status_list(&revoked, &good_list.certificates).unwrap();
            let (_, r) = trust::verify_licence(
                &cose,
                std::slice::from_ref(&good_list),
                &[status.clone(), revoked],
                &i.f.trust(),
                at,
            )
            .unwrap();
            assert_eq!(r.sub_indication, Some(SubIndication::Revoked), "{r:?}");

            // A stale status list: indeterminate.
            let (_, r) = trust::verify_licence(
                &cose,
                std::slice::from_ref(&good_list),
                std::slice::from_ref(&status),
                &i.f.trust(),
                now().plus_days(8),
            )
            .unwrap();
            assert_eq!(r.indication, Indication::Indeterminate, "{r:?}");
            assert!(check(&r, "revocation").iter().any(|c| c.detail.contains("stale")));

            // No status list at all for a licence that has an index.
            let (_, r) = trust::verify_licence(
                &cose,
                std::slice::from_ref(&good_list),
                &[],
                &i.f.trust(),
                at,
            )
            .unwrap();
            assert_eq!(r.sub_indication, Some(SubIndication::TryLater));

            // The issuer is listed for another type only.
            let other_type = trust::open_trust_list(
                &list(&i, &["building-permit"], &[], 8, now().plus_days(30)),
                &i.f.trust(),
                at,
                0,
            )
            .unwrap();
            let (_, r) = trust::verify_licence(
                &cose,
                &[other_type],
                std::slice::from_ref(&status),
                &i.f.trust(),
                at,
            )
            .unwrap();
            assert!(
                check(&r, "licence-type").iter().any(|c| c.indication != Indication::TotalPassed),
                "{r:?}"
            );
            assert!(!r.is_valid());

            // Another region only.
            let other_region = trust::open_trust_list(
                &list(&i, &["business-licence"], &["VN-SG"], 9, now().plus_days(30)),
                &i.f.trust(),
                at,
                0,
            )
            .unwrap();
            let (_, r) = trust::verify_licence(
                &cose,
                &[other_region],
                std::slice::from_ref(&status),
                &i.f.trust(),
                at,
            )
            .unwrap();
            assert!(!r.is_valid());

            // A stale trust list, and a replayed one.
            let stale = trust::open_trust_list(
                &list(&i, &["business-licence"], &[], 3, now().plus_days(1)),
                &i.f.trust(),
                now().plus_days(2),
                0,
            )
            .unwrap();
            assert_eq!(stale.report.indication, Indication::Indeterminate);
            let (_, r) = trust::verify_licence(
                &cose,
                &[stale],
                std::slice::from_ref(&status),
                &i.f.trust(),
                now().plus_days(2),
            )
            .unwrap();
            assert_eq!(r.indication, Indication::Indeterminate, "{r:?}");
            let replayed = trust::open_trust_list(
                &list(&i, &["business-licence"], &[], 3, now().plus_days(30)),
                &i.f.trust(),
                at,
                7,
            )
            .unwrap();
            assert_eq!(replayed.report.indication, Indication::TotalFailed);

            // A list signed by someone the verifier does not trust.
            let stranger = issuer(alg);
            let untrusted = trust::open_trust_list(
                &list(&i, &["business-licence"], &[], 7, now().plus_days(30)),
                &stranger.f.trust(),
                at,
                0,
            )
            .unwrap();
            assert!(!untrusted.report.is_valid());

            // A tampered list.
            let mut bytes = list(&i, &["business-licence"], &[], 7, now().plus_days(30));
            let pos = bytes.windows(16).position(|w| w == b"business-licence").unwrap();
            bytes[pos] = b'B';
            let tampered = trust::open_trust_list(&bytes, &i.f.trust(), at, 0).unwrap();
            assert_eq!(tampered.report.sub_indication, Some(SubIndication::SigCryptoFailure));

            // A status list signed by another key is refused.
            let forged = trust::sign_status_list(
                &[],
                64,
                3,
                now(),
                now().plus_days(7),
                &stranger.key,
                &stranger.cert,
            )
            .unwrap();
            let forged = trust::open_status_list(&forged, &good_list.certificates).unwrap();
            let (_, r) = trust::verify_licence(
                &cose,
                std::slice::from_ref(&good_list),
                &[forged],
                &i.f.trust(),
                at,
            )
            .unwrap();
            // (Its kid is the stranger's, so it does not count for this issuer: no status.)
            assert!(!r.is_valid(), "{r:?}");
        }
    }

    #[test]
    fn mutual_recognition_of_two_regions() {
        let hanoi = issuer(Algorithm::Ed25519);
        let saigon = issuer(Algorithm::EcdsaP256Sha256);
        let at = now().plus_days(1);
        let mut trust = hanoi.f.trust();
        trust.anchors.extend(saigon.f.trust().anchors);
        trust.intermediates.extend(saigon.f.trust().intermediates);
        let lists = [
            trust::open_trust_list(
                &list(&hanoi, &["business-licence"], &[], 1, now().plus_days(30)),
                &trust,
                at,
                0,
            )
            .unwrap(),
            trust::open_trust_list(
                &list(&saigon, &["business-licence"], &[], 1, now().plus_days(30)),
                &trust,
                at,
                0,
            )
            .unwrap(),
        ];
        for i in [&hanoi, &saigon] {
            let schema = Schema::find("business-licence").unwrap();
            let cose = licence::sign(
                &licence::prepare(&schema, data(), &i.cert, now()).unwrap(),
                &i.key,
                &i.cert,
            )
            .unwrap();
            let (_, r) = trust::verify_licence(&cose, &lists, &[], &trust, at).unwrap();
            assert!(r.is_valid(), "{r:?}");
        }
    }
}

#[test]
fn bulk_verification_gives_each_licence_the_same_answer_as_one_by_one() {
    let ed = issuer(Algorithm::Ed25519);
    let ec = issuer(Algorithm::EcdsaP256Sha256);
    let schema = Schema::find("business-licence").unwrap();
    let mut coses = Vec::new();
    for n in 0..150u64 {
        let i = if n % 3 == 0 { &ec } else { &ed };
        let mut d = data();
        d.number = format!("BL{n:06}");
        let mut cose =
            licence::sign(&licence::prepare(&schema, d, &i.cert, now()).unwrap(), &i.key, &i.cert)
                .unwrap();
        if n == 70 || n == 71 {
            // Two tampered Ed25519 licences among good ones.
            let pos = cose.windows(6).position(|w| w == b"retail").unwrap();
            cose[pos] = b'R';
        }
        coses.push(cose);
    }
    coses.push(b"garbage".to_vec());
    let issuers = [ed.cert.clone(), ec.cert.clone()];
    let mut trust = ed.f.trust();
    trust.anchors.extend(ec.f.trust().anchors);
    trust.intermediates.extend(ec.f.trust().intermediates);
    let at = now().plus_days(1);
    let bulk = licence::verify_many(&coses, &issuers, &trust, at);
    let stream = licence::Verifier::new(&issuers, &trust, at);
    assert_eq!(bulk.len(), coses.len());
    for (n, (cose, got)) in coses.iter().zip(&bulk).enumerate() {
        let one = licence::verify(cose, &issuers, &trust, at);
        match (one, got) {
            (Ok((_, a)), Ok((_, b))) => {
                let (_, c) = stream.verify(cose).unwrap();
                assert_eq!(a.indication, c.indication, "licence {n}");
                assert_eq!(a.indication, b.indication, "licence {n}");
                assert_eq!(a.sub_indication, b.sub_indication, "licence {n}");
                assert_eq!(b.is_valid(), n != 70 && n != 71, "licence {n}: {b:?}");
            }
            (Err(_), Err(_)) => assert_eq!(n, 150),
            (a, b) => panic!("licence {n}: {a:?} vs {b:?}"),
        }
    }
}
