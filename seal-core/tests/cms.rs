//! Detached CMS (CAdES-B) stamps: ours verified by `openssl cms -verify`, OpenSSL's verified
//! by us, and tampering caught.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Command;

use common::{Fixture, now};
use seal_core::keys::Algorithm;
use seal_core::pki::certificate_to_pem;
use seal_core::stamp::cms;
use seal_core::verify::{Indication, SubIndication};

fn check<'a>(
    r: &'a seal_core::verify::SignatureReport,
    name: &str,
) -> &'a seal_core::verify::CheckOutcome {
    r.checks.iter().find(|c| c.check == name).unwrap_or_else(|| panic!("no {name}: {r:?}"))
}

#[test]
fn cms_stamps_verify_and_catch_tampering() {
    for alg in Algorithm::ALL {
        let f = Fixture::new(alg);
        let doc = f.dir.path().join("contract.txt");
        std::fs::write(&doc, b"contract text").unwrap();
        let p7s = cms::stamp_file(&doc, &f.key(), now(), None).unwrap();
        assert!(cms::is_cms(&p7s));
        let r = cms::verify_file(&doc, &p7s, &f.trust(), now()).unwrap();
        assert_eq!(r.len(), 1);
        assert!(r[0].is_valid(), "{alg:?}: {r:?}");
        assert_eq!(r[0].seal.as_ref().unwrap().name, "Licensing Office");
        for c in [
            "signature",
            "data-hash",
            "signing-certificate",
            "seal-signature",
            "seal-holder",
            "signer-chain",
        ] {
            assert_eq!(check(&r[0], c).indication, Indication::TotalPassed, "{c}");
        }
        std::fs::write(&doc, b"contract text!").unwrap();
        let r = cms::verify_file(&doc, &p7s, &f.trust(), now()).unwrap();
        assert_eq!(r[0].sub_indication, Some(SubIndication::HashFailure));
        // A changed byte inside the signed attributes (the signing time) breaks the signature.
        std::fs::write(&doc, b"contract text").unwrap();
        let mut bad = p7s.clone();
        // The signing-time attribute: its OID, then SET { UTCTime }.
        let oid = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x05];
        let pos = bad.windows(oid.len()).position(|w| w == oid).unwrap() + oid.len() + 2 + 4;
        bad[pos] ^= 0x01;
        let r = cms::verify_file(&doc, &bad, &f.trust(), now()).unwrap();
        assert_eq!(check(&r[0], "signature").sub_indication, Some(SubIndication::SigCryptoFailure));
    }
}

#[test]
fn openssl_verifies_our_p256_cms_stamps() {
    // OpenSSL 3.0 cannot verify Ed25519 in CMS; P-256 is checked here.
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let d = f.dir.path();
    std::fs::write(d.join("doc.bin"), vec![7u8; 100_000]).unwrap();
    std::fs::write(
        d.join("doc.bin.p7s"),
        cms::stamp_file(&d.join("doc.bin"), &f.key(), now(), None).unwrap(),
    )
    .unwrap();
    // OpenSSL's cms has no -untrusted: give it the root and the intermediate in one CA file.
    let bundle = certificate_to_pem(f.root.certificate()).unwrap()
        + &certificate_to_pem(f.prov.certificate()).unwrap();
    std::fs::write(d.join("cas.pem"), bundle).unwrap();
    let verify = |content: &str| {
        Command::new("openssl")
            .args([
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                "doc.bin.p7s",
                "-content",
                content,
            ])
            .args(["-CAfile", "cas.pem", "-purpose", "any", "-out", "/dev/null"])
            .args(["-attime", &now().plus_secs(60).as_secs().to_string()])
            .current_dir(d)
            .output()
            .unwrap()
    };
    let out = verify("doc.bin");
    assert!(out.status.success(), "openssl: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::write(d.join("other.bin"), vec![8u8; 100_000]).unwrap();
    assert!(!verify("other.bin").status.success(), "openssl accepted a changed file");
    // OpenSSL sees the CAdES attributes.
    let out = Command::new("openssl")
        .args(["cms", "-cmsout", "-print", "-inform", "DER", "-in", "doc.bin.p7s"])
        .current_dir(d)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for attr in [
        "contentType",
        "signingTime",
        "messageDigest",
        "id-smime-aa-signingCertificateV2",
        "2.25.294709546000930366560518733175570341712",
    ] {
        assert!(text.contains(attr), "{attr} missing:\n{text}");
    }
}

#[test]
fn we_verify_openssl_made_cms_signatures() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let d = f.dir.path();
    std::fs::write(d.join("doc.txt"), b"signed by openssl").unwrap();
    std::fs::write(d.join("agency.pem"), certificate_to_pem(&f.agency).unwrap()).unwrap();
    std::fs::write(
        d.join("agency.key"),
        f.agency_key.to_pem(None, seal_core::keys::Kdf::Scrypt).unwrap().as_bytes(),
    )
    .unwrap();
    let out = Command::new("openssl")
        .args([
            "cms",
            "-sign",
            "-binary",
            "-md",
            "sha256",
            "-in",
            "doc.txt",
            "-signer",
            "agency.pem",
            "-inkey",
            "agency.key",
        ])
        .args(["-outform", "DER", "-out", "doc.p7s", "-cades"])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let p7s = std::fs::read(d.join("doc.p7s")).unwrap();
    let r = cms::verify_file(&d.join("doc.txt"), &p7s, &f.trust(), now()).unwrap();
    for c in ["signature", "data-hash", "signing-certificate", "signer-chain"] {
        assert_eq!(check(&r[0], c).indication, Indication::TotalPassed, "{c}: {r:?}");
    }
    // It is a plain signature: valid, and the report says it carries no seal.
    assert!(r[0].is_valid(), "{r:?}");
    assert!(r[0].seal.is_none());
    assert!(check(&r[0], "seal").detail.contains("not an electronic seal"));
    std::fs::write(d.join("doc.txt"), b"changed").unwrap();
    let r = cms::verify_file(&d.join("doc.txt"), &p7s, &f.trust(), now()).unwrap();
    assert_eq!(check(&r[0], "data-hash").sub_indication, Some(SubIndication::HashFailure));
}
