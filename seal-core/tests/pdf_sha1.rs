//! The legacy SubFilter `adbe.pkcs7.sha1` (ISO 32000-1 §12.8.3.3): the CMS, made here by
//! OpenSSL, encapsulates the SHA-1 digest of the signed bytes. seal checks it, and reports it
//! intact but INDETERMINATE (SHA-1), as EU DSS does; poppler's pdfsig agrees; a changed
//! byte fails.
#![cfg(feature = "pdf")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::Command;

use common::Fixture;
use seal_core::digest::HashAlg;
use seal_core::keys::Algorithm;
use seal_core::pdf::{self, Appearance, StampOptions};
use seal_core::pki;
use seal_core::time::UnixTime;
use seal_core::verify::{Indication, SubIndication};

fn t() -> UnixTime {
    "2027-01-01T00:00:00Z".parse().unwrap()
}

fn find(h: &[u8], n: &[u8]) -> usize {
    h.windows(n.len()).position(|w| w == n).unwrap()
}

/// A PDF whose one signature is `adbe.pkcs7.sha1`, signed by OpenSSL with the fixture's
/// agency key: our stamp's structure, with its SubFilter and /Contents replaced.
fn sha1_pdf(f: &Fixture) -> Vec<u8> {
    let sample =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/pdf/gs-3pages.pdf"))
            .unwrap();
    let app = Appearance::for_seal(&f.seal).unwrap();
    let (mut pdf, _) =
        pdf::stamp_to_vec(&sample, &f.key(), &app, &StampOptions::default(), t()).unwrap();
    let at = find(&pdf, b"/ETSI.CAdES.detached");
    pdf[at..at + 20].copy_from_slice(b"/adbe.pkcs7.sha1    ");
    // The /Contents hex string: between the ByteRange's gap.
    let br = find(&pdf, b"/ByteRange");
    let nums: Vec<usize> = String::from_utf8_lossy(&pdf[br + 10..br + 80])
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .take(4)
        .map(|s| s.parse().unwrap())
        .collect();
    let (b, c) = (nums[1], nums[2]);
    let digest = HashAlg::Sha1.hash(&[&pdf[..b], &pdf[c..]].concat());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("digest.bin"), &digest).unwrap();
    std::fs::write(
        d.join("key.pem"),
        f.agency_key.to_pem(None, Default::default()).unwrap().as_bytes(),
    )
    .unwrap();
    std::fs::write(d.join("cert.pem"), pki::certificate_to_pem(&f.agency).unwrap()).unwrap();
    std::fs::write(d.join("chain.pem"), pki::certificate_to_pem(f.prov.certificate()).unwrap())
        .unwrap();
    let out = Command::new("openssl")
        .args([
            "cms",
            "-sign",
            "-nodetach",
            "-binary",
            "-md",
            "sha1",
            "-in",
            "digest.bin",
            "-signer",
            "cert.pem",
            "-inkey",
            "key.pem",
            "-certfile",
            "chain.pem",
            "-outform",
            "DER",
            "-out",
            "sig.der",
        ])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cms = std::fs::read(d.join("sig.der")).unwrap();
    let hex = base16ct::upper::encode_string(&cms);
    assert!(hex.len() <= c - b - 2, "the CMS fits the reserved room");
    pdf[b + 1..b + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    for x in &mut pdf[b + 1 + hex.len()..c - 1] {
        *x = b'0';
    }
    pdf
}

#[test]
fn adbe_pkcs7_sha1_is_checked_and_indeterminate() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let pdf = sha1_pdf(&f);
    let report = pdf::verify_bytes(&pdf, "sha1.pdf", &f.trust(), t()).unwrap();
    let sig = &report.signatures[0];
    assert_eq!(sig.format, "PAdES (adbe.pkcs7.sha1)", "{report}");
    for check in ["byte-range", "signature"] {
        let c = sig.checks.iter().find(|c| c.check == check).unwrap();
        assert_eq!(c.indication, Indication::TotalPassed, "{check}: {report}");
    }
    assert!(
        sig.checks
            .iter()
            .filter(|c| c.check == "data-hash")
            .all(|c| c.indication == Indication::TotalPassed),
        "{report}"
    );
    assert!(sig.checks.iter().any(|c| c.detail.contains("encapsulated SHA-1 digest matches")));
    assert_eq!(sig.indication, Indication::Indeterminate, "{report}");
    assert_eq!(sig.sub_indication, Some(SubIndication::CryptoConstraintsFailure), "{report}");

    // poppler reads adbe.pkcs7.sha1 (pyHanko does not) and agrees.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sha1.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let ps = Command::new("pdfsig").arg(&file).output().unwrap();
    let text = String::from_utf8_lossy(&ps.stdout);
    assert!(text.contains("Signature is Valid."), "{text}");
    assert!(text.contains("adbe.pkcs7.sha1"), "{text}");

    // A changed byte in the signed range fails.
    let mut tampered = pdf.clone();
    let i = find(&tampered, b"/Type /Page");
    tampered[i + 7] = b'p';
    let report = pdf::verify_bytes(&tampered, "sha1.pdf", &f.trust(), t()).unwrap();
    assert_eq!(report.indication, Indication::TotalFailed, "{report}");
}
