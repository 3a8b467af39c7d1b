//! Who may sign what: only a seal-making authority makes seals, only a named trust-list
//! signer signs trust lists; a certificate that merely chains to a root may do neither.
#![cfg(feature = "licence")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64ct::{Base64, Encoding};
use common::{Fixture, now};
use seal_core::keys::{Algorithm, PrivateKey};
use seal_core::licence::trust::{self, ListedIssuer, TrustListBody};
use seal_core::pki::role::{Role, has_role};
use seal_core::pki::{Certificate, Profile, certificate_der};
use seal_core::seal::{self, Seal, SealSpec};
use seal_core::stamp::detached;
use seal_core::verify::{Indication, SignatureReport, SubIndication};

fn issue(f: &Fixture, cn: &str, profile: Profile) -> (PrivateKey, Certificate) {
    f.issue(cn, profile)
}

fn role_check(r: &SignatureReport, name: &str) -> seal_core::verify::CheckOutcome {
    r.checks.iter().find(|c| c.check == name).unwrap_or_else(|| panic!("no {name}: {r:?}")).clone()
}

/// A seal "Ministry of Public Security" made by an agency's own seal certificate, or by a
/// licence issuer: the seal and what is stamped with it are not valid, and the report
/// names the missing role. Made by a seal maker, or by one the verifier names, it is.
#[test]
fn only_seal_makers_make_seals() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    assert!(has_role(&f.maker, Role::SealMaker) && !has_role(&f.agency, Role::SealMaker));
    let doc = f.dir.path().join("doc.txt");
    std::fs::write(&doc, b"an order").unwrap();
    let (licence_key, licence_cert) = issue(&f, "Licence Office", Profile::LicenceIssuer);
    for (maker_key, maker_cert, valid) in [
        (&f.agency_key, &f.agency, false),
        (&licence_key, &licence_cert, false),
        (&f.maker_key, &f.maker, true),
    ] {
        let spec = SealSpec {
            name: "Ministry of Public Security".into(),
            ..common::spec(&f.agency, now(), now().plus_days(365))
        };
        let forged =
            Seal::from_der(&seal::make_seal(&spec, maker_key, maker_cert).unwrap()).unwrap();
        let mut r = SignatureReport::new("seal", "GB/T 38540");
        seal::check_seal_and_holders(&forged, &f.trust(), now(), &mut r);
        assert_eq!(r.is_valid(), valid, "{r:?}");
        let key = seal_core::stamp::StampKey { seal: &forged, ..f.key() };
        let stamped = detached::stamp_file(&doc, &key, now()).unwrap();
        let r = detached::verify_file(&doc, &stamped, &f.trust(), now()).unwrap();
        assert_eq!(r.is_valid(), valid, "{r:?}");
        let role = role_check(&r, "seal-maker-role");
        if !valid {
            assert_eq!(r.indication, Indication::Indeterminate);
            assert_eq!(role.sub_indication, Some(SubIndication::ChainConstraintsFailure));
            assert!(role.detail.contains("not known as a seal-making authority"), "{r:?}");
            // Named by the verifier, the same maker is accepted.
            let mut trust = f.trust();
            trust.seal_makers.push(maker_cert.clone());
            let r = detached::verify_file(&doc, &stamped, &trust, now()).unwrap();
            assert!(r.is_valid(), "{r:?}");
        } else {
            assert!(role.detail.contains(Role::SealMaker.oid()), "{r:?}");
        }
    }
}

fn list_of(f: &Fixture, issuer: &Certificate, key: &PrivateKey, signer: &Certificate) -> Vec<u8> {
    let body = TrustListBody {
        name: "VN licence issuers".into(),
        sequence: 1,
        issued: now(),
        next_update: now().plus_days(30),
        issuers: vec![ListedIssuer {
            certificate: Base64::encode_string(&certificate_der(issuer).unwrap()),
            regions: vec!["VN-HN".into()],
            licence_types: vec!["business-licence".into()],
        }],
    };
    let _ = f;
    trust::sign_trust_list(&body, key, signer).unwrap()
}

/// A trust list signed by the provincial CA, an agency's seal certificate, another licence
/// issuer or the listed issuer itself does not count; the root (a trust anchor), a
/// trust-list signer, or a signer the verifier names does.
#[test]
fn only_named_authorities_sign_trust_lists() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let (issuer_key, issuer_cert) = issue(&f, "Licence Office", Profile::LicenceIssuer);
    let (other_key, other_cert) = issue(&f, "Other Office", Profile::LicenceIssuer);
    let (list_key, list_cert) = issue(&f, "List Authority", Profile::TrustListSigner);
    assert!(has_role(&list_cert, Role::TrustListSigner));
    let at = now().plus_days(1);
    let open = |cose: &[u8], trust: &seal_core::verify::Trust| {
        trust::open_trust_list(cose, trust, at, 0).unwrap().report
    };
    for (key, cert, why) in [
        (&f.prov_key, f.prov.certificate(), "may not sign trust lists"),
        (&f.agency_key, &f.agency, "may not sign trust lists"),
        (&other_key, &other_cert, "may not sign trust lists"),
        (&issuer_key, &issuer_cert, "cannot vouch for itself"),
    ] {
        let r = open(&list_of(&f, &issuer_cert, key, cert), &f.trust());
        assert!(!r.is_valid(), "{r:?}");
        let role: Vec<_> = r.checks.iter().filter(|c| c.check == "list-signer-role").collect();
        assert!(role.iter().any(|c| c.detail.contains(why)), "{why}: {r:?}");
    }
    let root = open(&list_of(&f, &issuer_cert, &f.root_key, f.root.certificate()), &f.trust());
    assert!(root.is_valid(), "{root:?}");
    let signer = open(&list_of(&f, &issuer_cert, &list_key, &list_cert), &f.trust());
    assert!(signer.is_valid(), "{signer:?}");
    // The provincial CA, named by the verifier as its list signer, is accepted.
    let mut trust = f.trust();
    trust.list_signers.push(f.prov.certificate().clone());
    let named = open(&list_of(&f, &issuer_cert, &f.prov_key, f.prov.certificate()), &trust);
    assert!(named.is_valid(), "{named:?}");
}
