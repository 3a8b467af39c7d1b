//! JSON stamps: JWS with an RFC 8785 detached payload, co-stamping, tampering, and interop
//! with jwcrypto both ways.
#![cfg(feature = "json")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Fixture, now, python};
use seal_core::keys::Algorithm;
use seal_core::pki::certificate_to_pem;
use seal_core::stamp::json;
use seal_core::verify::{Indication, SubIndication};
use serde_json::{Value, json};

fn licence() -> Value {
    json!({
        "type": "business-licence",
        "number": "0101234567-X",
        "holder": {"name": "Công ty TNHH Ví Dụ", "id": "0101234567"},
        "capital": 1.5e9,
        "activities": ["retail", "import"],
        "valid": {"from": "2026-01-01", "to": "2031-01-01"}
    })
}

#[test]
fn stamp_survives_reformatting_and_catches_changes() {
    for alg in Algorithm::ALL {
        let f = Fixture::new(alg);
        let mut doc = licence();
        json::stamp(&mut doc, &f.key(), now()).unwrap();
        let r = json::verify(&doc, &f.trust(), now()).unwrap();
        assert!(r[0].is_valid(), "{alg:?}: {r:?}");
        assert_eq!(r[0].algorithm, if alg == Algorithm::Ed25519 { "EdDSA" } else { "ES256" });

        // Pretty-printed with keys in another order: still valid.
        let text = serde_json::to_string_pretty(&doc).unwrap();
        let reordered: Value = serde_json::from_str(&text).unwrap();
        let mut map: Vec<(String, Value)> =
            reordered.as_object().unwrap().clone().into_iter().collect();
        map.reverse();
        let reordered = Value::Object(map.into_iter().collect());
        assert!(json::verify(&reordered, &f.trust(), now()).unwrap()[0].is_valid());

        // Any change to a value: invalid.
        for (path, value) in [
            ("/number", json!("0101234567-Y")),
            ("/holder/name", json!("Someone Else")),
            ("/capital", json!(1.5e10)),
            ("/activities/1", json!("export")),
        ] {
            let mut changed = doc.clone();
            *changed.pointer_mut(path).unwrap() = value;
            let r = json::verify(&changed, &f.trust(), now()).unwrap();
            assert_eq!(r[0].sub_indication, Some(SubIndication::SigCryptoFailure), "{path}");
        }
        let mut added = doc.clone();
        added["extra"] = json!(true);
        assert!(!json::verify(&added, &f.trust(), now()).unwrap()[0].is_valid());
    }
}

#[test]
fn co_stamping_is_independent_and_removal_is_noticed() {
    let a = Fixture::new(Algorithm::Ed25519);
    let b = Fixture::new(Algorithm::EcdsaP256Sha256);
    let mut doc = licence();
    json::stamp(&mut doc, &a.key(), now()).unwrap();
    json::stamp(&mut doc, &b.key(), now()).unwrap();
    let mut trust = a.trust();
    trust.anchors.extend(b.trust().anchors);
    trust.intermediates.extend(b.trust().intermediates);
    let r = json::verify(&doc, &trust, now()).unwrap();
    assert_eq!(r.len(), 2);
    assert!(r.iter().all(|s| s.is_valid()), "{r:?}");

    // Altering the first stamp breaks it alone.
    let mut altered = doc.clone();
    let sig = altered["_stamps"][0]["signature"].as_str().unwrap().to_owned();
    let flipped = format!("{}{}", if sig.starts_with('A') { "B" } else { "A" }, &sig[1..]);
    altered["_stamps"][0]["signature"] = json!(flipped);
    let r = json::verify(&altered, &trust, now()).unwrap();
    assert_eq!(r[0].indication, Indication::TotalFailed);
    assert!(r[1].is_valid());

    // Removing the first stamp: the second says it was stamp 2.
    let mut removed = doc.clone();
    removed["_stamps"].as_array_mut().unwrap().remove(0);
    let r = json::verify(&removed, &trust, now()).unwrap();
    assert!(
        r[0].checks
            .iter()
            .any(|c| c.check == "stamp-order" && c.indication == Indication::TotalFailed),
        "{r:?}"
    );
}

#[test]
fn a_swapped_seal_is_caught() {
    let f = Fixture::new(Algorithm::Ed25519);
    let g = Fixture::new(Algorithm::Ed25519);
    let mut doc = licence();
    json::stamp(&mut doc, &f.key(), now()).unwrap();
    doc["_stamps"][0]["header"]["x-seal"] = json!(base64(g.seal.to_der()));
    let r = json::verify(&doc, &f.trust(), now()).unwrap();
    assert!(
        r[0].checks
            .iter()
            .any(|c| c.check == "seal-digest"
                && c.sub_indication == Some(SubIndication::SealInvalid)),
        "{r:?}"
    );
}

fn base64(d: &[u8]) -> String {
    use base64ct::Encoding;
    base64ct::Base64::encode_string(d)
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/jose.py")
}

#[test]
fn jwcrypto_verifies_our_stamps_and_we_verify_theirs() {
    for alg in Algorithm::ALL {
        let f = Fixture::new(alg);
        let d = f.dir.path();
        let mut doc = licence();
        json::stamp(&mut doc, &f.key(), now()).unwrap();
        std::fs::write(d.join("ours.json"), serde_json::to_string_pretty(&doc).unwrap()).unwrap();
        std::fs::write(d.join("agency.pem"), certificate_to_pem(&f.agency).unwrap()).unwrap();
        let out = Command::new(python())
            .arg(script())
            .args(["verify", "ours.json", "agency.pem"])
            .current_dir(d)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{alg:?}: jwcrypto rejected our stamp: {}",
            String::from_utf8_lossy(&out.stderr)
        );

        // jwcrypto stamps (as a second stamp), we verify both.
        std::fs::write(
            d.join("agency.key"),
            f.agency_key.to_pem(None, seal_core::keys::Kdf::Scrypt).unwrap().as_bytes(),
        )
        .unwrap();
        std::fs::write(d.join("seal.der"), f.seal.to_der()).unwrap();
        let out = Command::new(python())
            .arg(script())
            .args(["stamp", "ours.json", "agency.key", "agency.pem", "seal.der", "both.json"])
            .current_dir(d)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let both: Value =
            serde_json::from_slice(&std::fs::read(d.join("both.json")).unwrap()).unwrap();
        let r = json::verify(&both, &f.trust(), now()).unwrap();
        assert_eq!(r.len(), 2);
        assert!(r.iter().all(|s| s.is_valid()), "{alg:?}: {r:?}");
        // And a jwcrypto stamp over a changed document fails with us.
        let mut changed = both.clone();
        changed["number"] = json!("X");
        assert!(json::verify(&changed, &f.trust(), now()).unwrap().iter().all(|s| !s.is_valid()));
    }
}

/// A document with two members of one name, or a number a double cannot hold, has no one
/// meaning: it is neither stamped nor verified (I-JSON; RFC 8785 §3.1).
#[test]
fn documents_with_two_meanings_are_refused() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let dir = f.dir.path();
    for (name, text, words) in [
        (
            "dup.json",
            r#"{"number": "9999999999", "holder": "A", "number": "0101234567"}"#,
            "\"number\" appears twice",
        ),
        ("big.json", r#"{"amount": 12345678901234567890}"#, "12345678901234567890"),
        ("precise.json", r#"{"rate": 0.1000000000000000000001}"#, "more precision"),
    ] {
        let file = dir.join(name);
        std::fs::write(&file, text).unwrap();
        let e = seal_core::stamp::json_stamp_bytes(&file, &f.key(), now(), None).unwrap_err();
        assert!(e.to_string().contains(words) && e.to_string().contains(name), "{e}");
    }
    // A stamped document changed afterwards in either way is refused when verified, where
    // a lenient reader would have seen the stamped value (the last "number") or a rounded
    // one.
    let file = dir.join("doc.json");
    std::fs::write(&file, r#"{"number": "0101234567", "amount": 9007199254740991}"#).unwrap();
    let stamped = String::from_utf8(
        seal_core::stamp::json_stamp_bytes(&file, &f.key(), now(), None).unwrap(),
    )
    .unwrap();
    std::fs::write(&file, &stamped).unwrap();
    assert!(seal_core::stamp::verify(&file, None, &f.trust(), now()).unwrap().is_valid());
    for changed in [
        stamped.replacen("{", "{\n  \"number\": \"9999999999\",", 1),
        stamped.replace("9007199254740991", "9007199254740993"),
        stamped.replacen("\"_stamps\"", "\"_stamps\": [],\n  \"_stamps\"", 1),
    ] {
        std::fs::write(&file, &changed).unwrap();
        let e = seal_core::stamp::verify(&file, None, &f.trust(), now()).unwrap_err();
        assert!(e.to_string().contains("doc.json"), "{e}");
    }
}
