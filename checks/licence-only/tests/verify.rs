//! A licence issued and verified with seal-core's `licence` feature alone: the PKI, the
//! signing and the verification all come from what this build has.
#![allow(clippy::unwrap_used)]

use seal_core::keys::{Algorithm, PrivateKey};
use seal_core::licence::{self, Holder, LicenceData, Schema};
use seal_core::pki::{CertificateBuilder, Csr, Profile, Subject, Validity};
use seal_core::time::UnixTime;
use seal_core::verify::{Indication, Trust};

fn issue() -> (String, Trust) {
    let now = UnixTime::now();
    let validity = Validity::days_from(now, 365);
    let root_key = PrivateKey::generate(Algorithm::Ed25519).unwrap();
    let root_name = Subject::new("Test Root", "Test Authority", "VN");
    let root =
        CertificateBuilder::self_signed(&root_name, Profile::Ca { path_len: None }, validity)
            .unwrap()
            .build(&root_key)
            .unwrap();
    let key = PrivateKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let office = Subject::new("Business Registration Office", "Test City", "VN")
        .with_organization_identifier("VN-DKKD-99");
    let csr = Csr::build(&office, &key).unwrap();
    let cert = CertificateBuilder::from_csr(&csr, &root, Profile::LicenceIssuer, validity)
        .unwrap()
        .build(&root_key)
        .unwrap();
    let data = LicenceData {
        number: "BL2026000999".into(),
        holder: Holder { name: "Test Trading Co.".into(), id: "0101234567".into() },
        region: Some("VN-HN".into()),
        valid_from: None,
        valid_until: now.plus_days(365).to_string(),
        attributes: serde_json::from_value(serde_json::json!({
            "company_type": "LLC", "capital": 1000, "activities": ["retail"]
        }))
        .unwrap(),
        status_index: None,
    };
    let schema = Schema::find("business-licence").unwrap();
    let lic = licence::prepare(&schema, data, &cert, now).unwrap();
    let text = licence::to_text(&licence::sign(&lic, &key, &cert).unwrap()).unwrap();
    let trust = Trust { anchors: vec![root], intermediates: vec![cert], ..Trust::default() };
    (text, trust)
}

#[test]
fn a_licence_text_verifies_and_a_changed_one_does_not() {
    let (text, trust) = issue();
    let (lic, report) = licence::verify_text(&text, &trust).unwrap();
    assert_eq!(report.indication, Indication::TotalPassed, "{report:?}");
    assert_eq!(lic.holder.name, "Test Trading Co.");

    // Another root: the chain is not trusted.
    let (_, other) = issue();
    let (_, report) =
        licence::verify_text(&text, &Trust { intermediates: trust.intermediates.clone(), ..other })
            .unwrap();
    assert_ne!(report.indication, Indication::TotalPassed);

    // One character changed: refused or failed, never passed.
    let mut changed = text.clone().into_bytes();
    let i = changed.len() / 2;
    changed[i] = if changed[i] == b'A' { b'B' } else { b'A' };
    let changed = String::from_utf8(changed).unwrap();
    if let Ok((_, report)) = licence::verify_text(&changed, &trust) {
        assert_ne!(report.indication, Indication::TotalPassed);
    }
}
