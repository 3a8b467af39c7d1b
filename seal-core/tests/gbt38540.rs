//! Real GB/T 38540 / GM/T 0031 seals and stamps made by other systems (ofdrw and the vendor
//! systems behind it), from vectors/gbt38540/ (origin and licence in its SOURCES.md).
#![cfg(feature = "ofd")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use seal_core::seal::{Seal, SealVersion, SignatureForm, Stamp};
use seal_core::verify::{Indication, SubIndication};

fn external() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/gbt38540")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(external().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn seals_parse_and_verify() {
    for (file, version, verifies) in [
        ("UserV1.esl", SealVersion::V1, true),
        ("UserV4.esl", SealVersion::V4, true),
        ("UserV5.esl", SealVersion::V4, true),
        ("SESealData.DER", SealVersion::V4, false),
    ] {
        let seal = Seal::from_der(&read(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(seal.version, version, "{file}");
        assert!(!seal.picture.data.is_empty(), "{file}");
        assert!(seal.maker_certificate().is_ok(), "{file}");
        let result = seal.verify_maker_signature();
        assert_eq!(result.is_ok(), verifies, "{file}: {result:?}");
        println!("{file}: {} {:?} {:?}", seal.name, seal.picture.kind, result);
    }
}

/// ofdrw's UserV5_ts.esl appends a fifth element ([0] BIT STRING 00 01 02 03) after the
/// maker's signature: unsigned data, refused with the reason.
#[test]
fn unsigned_data_after_a_seals_signature_is_refused() {
    let e = Seal::from_der(&read("UserV5_ts.esl")).unwrap_err();
    assert!(
        e.to_string().contains("fifth element") && e.to_string().contains("does not cover"),
        "{e}"
    );
}

#[test]
fn stamps_parse_and_verify() {
    for file in ["SignedValueV4.dat", "SignedValueV5.dat"] {
        let stamp = Stamp::from_der(&read(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(stamp.version, SealVersion::V4);
        assert_eq!(stamp.property_info, "/Doc_0/Signs/Sign_0/Signature.xml");
        let (form, what) = stamp.verify_signature().unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(form, SignatureForm::Der);
        assert_eq!(what, "DER(TBS_Sign)");
        stamp.seal.verify_maker_signature().unwrap();
    }
}

fn ofd_report(path: &Path, anchor: &str, at: &str) -> seal_core::verify::Report {
    use seal_core::verify::Trust;
    let anchors = if anchor == "maker" {
        // ofdrw's own root cannot issue (no keyCertSign), so trust the seal maker's
        // certificate itself, taken from UserV4.esl (the same maker as in the OFD files).
        // The holder's certificate is trusted directly, as it too was issued by that root.
        let seal = Seal::from_der(&read("UserV4.esl")).unwrap();
        let mut anchors = vec![seal.maker_certificate().unwrap()];
        anchors.extend(seal.holder_certificates());
        anchors
    } else {
        seal_core::pki::load_certificates(&external().join(anchor)).unwrap()
    };
    // The vendor's maker carries no seal-maker role: the verifier names it as a maker.
    let seal_makers = if anchor == "maker" { vec![anchors[0].clone()] } else { Vec::new() };
    let trust = Trust { anchors, seal_makers, ..Trust::default() };
    seal_core::stamp::ofd::verify(path, &trust, at.parse().unwrap()).unwrap()
}

fn check<'a>(
    r: &'a seal_core::verify::SignatureReport,
    name: &str,
) -> &'a seal_core::verify::CheckOutcome {
    r.checks
        .iter()
        .find(|c| c.check == name)
        .unwrap_or_else(|| panic!("no {name} check in {}", r.id))
}

fn passed(r: &seal_core::verify::SignatureReport, name: &str) -> bool {
    check(r, name).indication == Indication::TotalPassed
}

#[test]
fn ofd_ride_right_verifies_with_the_maker_as_trust_anchor() {
    let r = ofd_report(&external().join("V4RideRight.ofd"), "maker", "2021-06-01T00:00:00Z");
    assert!(r.is_valid(), "{r}");
    assert_eq!(r.signatures.len(), 1);
    assert!(check(&r.signatures[0], "seal-maker-role").detail.contains("the verifier names"));
    // Trusted as an anchor but not named as a maker, the vendor's maker may not make seals.
    let seal = Seal::from_der(&read("UserV4.esl")).unwrap();
    let mut anchors = vec![seal.maker_certificate().unwrap()];
    anchors.extend(seal.holder_certificates());
    let trust = seal_core::verify::Trust { anchors, ..Default::default() };
    let at = "2021-06-01T00:00:00Z".parse().unwrap();
    let r = seal_core::stamp::ofd::verify(&external().join("V4RideRight.ofd"), &trust, at).unwrap();
    assert_eq!(r.indication, Indication::Indeterminate, "{r}");
    let role = check(&r.signatures[0], "seal-maker-role");
    assert!(role.detail.contains("not known as a seal-making authority"), "{r}");
}

#[test]
fn ofd_sesv4_signdoc_is_intact_but_stamped_after_the_seal_expired() {
    let r = ofd_report(&external().join("SESV4SignDoc.ofd"), "maker", "2021-06-01T00:00:00Z");
    let s = &r.signatures[0];
    for name in
        ["signature", "seal-signature", "data-hash", "references", "seal-holder", "signer-chain"]
    {
        assert!(passed(s, name), "{name}: {r}");
    }
    // ofdrw stamped this file in 2026 with a seal that ended in 2022.
    assert_eq!(check(s, "seal-validity").sub_indication, Some(SubIndication::SealInvalid), "{r}");
}

#[test]
fn ofd_with_a_changed_page_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["V4RideRight.ofd", "SESV4SignDoc.ofd"] {
        let tampered = dir.path().join(name);
        let page = rewrite_zip(&external().join(name), &tampered, |n| {
            n.contains("Pages/Page_0/Content.xml")
        });
        let r = ofd_report(&tampered, "maker", "2021-06-01T00:00:00Z");
        let s = &r.signatures[0];
        assert_eq!(r.indication, Indication::TotalFailed, "{r}");
        let refs = check(s, "references");
        assert_eq!(refs.sub_indication, Some(SubIndication::HashFailure), "{r}");
        assert!(refs.detail.contains(&format!("{page} was changed")), "{r}");
        assert!(passed(s, "signature") && passed(s, "data-hash"), "{r}");
    }
}

/// Copies a zip, flipping one byte in the middle of the first entry `pick` selects.
fn rewrite_zip(from: &Path, to: &Path, pick: impl Fn(&str) -> bool) -> String {
    use std::io::{Read, Write};
    let mut src = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let mut changed = None;
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let name = f.name().unwrap().into_owned();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if changed.is_none() && pick(&name) {
            let mid = data.len() / 2;
            data[mid] = if data[mid] == b'1' { b'2' } else { b'1' };
            changed = Some(name.clone());
        }
        out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap();
    changed.expect("the entry exists")
}

#[test]
fn vendor_ofd_files_check_out_except_their_missing_roots() {
    // Stamps from tax bureau and other vendor systems: every cryptographic check passes;
    // their CAs are not ours to trust, so the chains are NO_CERTIFICATE_CHAIN_FOUND.
    // Each is checked at a time after it was stamped (SignScaleError.ofd in October 2022).
    for (name, at) in [
        ("1.ofd", "2021-01-01T00:00:00Z"),
        ("999.ofd", "2021-01-01T00:00:00Z"),
        ("signedFile.ofd", "2021-01-01T00:00:00Z"),
        ("SignScaleError.ofd", "2022-11-01T00:00:00Z"),
    ] {
        let r = ofd_report(&external().join(name), "ofdrw-root.pem", at);
        let s = &r.signatures[0];
        for c in ["signature", "seal-signature", "data-hash", "references", "seal-holder"] {
            assert!(passed(s, c), "{name} {c}: {r}");
        }
        assert_eq!(
            check(s, "signer-chain").sub_indication,
            Some(SubIndication::NoCertificateChainFound),
            "{r}"
        );
        assert_eq!(r.indication, Indication::Indeterminate, "{name}: {r}");
    }
}

#[test]
fn vendor_quirks_are_recognised_and_explained() {
    // keyword.ofd: a raw r||s stamp signature, and a second, GB/T 35275 digital signature
    // (Shandong's system): an SM2 SignedData holding SM3(Signature.xml), signed without
    // attributes. Both signatures verify; the pages were edited after both (the references
    // fail, as ofdrw's test edited this file).
    let r = ofd_report(&external().join("keyword.ofd"), "ofdrw-root.pem", "2021-01-01T00:00:00Z");
    let seal = &r.signatures[0];
    assert!(check(seal, "signature").detail.contains("raw r||s"), "{r}");
    assert!(passed(seal, "seal-signature") && passed(seal, "data-hash"), "{r}");
    let sign = &r.signatures[1];
    assert!(sign.format.contains("GB/T 35275 SignedData"), "{r}");
    assert!(check(sign, "format").detail.contains("GB/T 35275 SM2 SignedData"), "{r}");
    assert!(passed(sign, "signature"), "{r}");
    assert!(
        sign.checks.iter().any(|c| c.check == "data-hash"
            && c.detail.contains("holds the SM3 of Doc_0/Signs/Sign_3/Signature.xml")),
        "{r}"
    );
    assert_eq!(check(sign, "references").sub_indication, Some(SubIndication::HashFailure));
    // n.ofd: a v1 stamp signed over the bare dataHash, whose Signature.xml was edited later.
    let r = ofd_report(&external().join("n.ofd"), "ofdrw-root.pem", "2021-01-01T00:00:00Z");
    let s = &r.signatures[0];
    assert!(check(s, "signature").detail.contains("bare dataHash"), "{r}");
    assert_eq!(check(s, "data-hash").sub_indication, Some(SubIndication::HashFailure), "{r}");
    assert_eq!(r.indication, Indication::TotalFailed);
}

#[test]
fn gbt35275_digital_signatures_in_ofd_are_checked() {
    // testPathClip.ofd: two GB/T 35275 SignedData signatures (Type="Sign") by a Yunnan CA
    // certificate, detached over Signature.xml with signed attributes (content-type the GM
    // data OID, message-digest SM3), SignerInfo algorithm SM2-1 (1.2.156.10197.1.301.1).
    let r =
        ofd_report(&external().join("testPathClip.ofd"), "ofdrw-root.pem", "2022-12-01T00:00:00Z");
    assert_eq!(r.signatures.len(), 2, "{r}");
    for sign in &r.signatures {
        assert!(sign.format.contains("GB/T 35275 SignedData"), "{r}");
        for name in ["format", "signature", "data-hash", "references"] {
            assert!(passed(sign, name), "{name}: {r}");
        }
        // Its CA is not among the anchors: not valid, not failed.
        assert_eq!(sign.indication, Indication::Indeterminate, "{r}");
        assert_eq!(sign.sub_indication, Some(SubIndication::NoCertificateChainFound), "{r}");
    }
    // A changed description fails, and so does the later signature that covers it.
    let tmp = tempfile::tempdir().unwrap();
    let changed = tmp.path().join("changed.ofd");
    let desc = "Doc_0/Signs/Sign_0/Signature.xml";
    let name = rewrite_zip(&external().join("testPathClip.ofd"), &changed, |n| n == desc);
    assert_eq!(name, desc);
    let r = ofd_report(&changed, "ofdrw-root.pem", "2022-12-01T00:00:00Z");
    assert_eq!(r.signatures[0].indication, Indication::TotalFailed, "{r}");
    // The second signature covers the first's description: its references fail.
    let refs = check(&r.signatures[1], "references");
    assert_eq!(refs.sub_indication, Some(SubIndication::HashFailure), "{r}");
    assert!(refs.detail.contains("Doc_0/Signs/Sign_0/Signature.xml was changed"), "{r}");
    // DigitalSign.ofd (ofdrw): a bare SM2 signature value, which names no signer.
    let r =
        ofd_report(&external().join("DigitalSign.ofd"), "ofdrw-root.pem", "2022-12-01T00:00:00Z");
    assert!(check(&r.signatures[0], "format").detail.contains("names no signer"), "{r}");
    assert_eq!(r.signatures[0].indication, Indication::Indeterminate);
}
