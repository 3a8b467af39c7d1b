//! PDFs with the defects other writers leave that pyHanko, qpdf and poppler read anyway: a
//! startxref a byte off (node-signpdf), an xref entry a few bytes off, `/Prev 0`. seal reads
//! them, says in the report what it repaired, stamps them, and still catches a changed byte.
#![cfg(feature = "pdf")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::Fixture;
use seal_core::keys::Algorithm;
use seal_core::pdf::file::PdfFile;
use seal_core::pdf::object::Object;
use seal_core::pdf::{self, Appearance, StampOptions};
use seal_core::time::UnixTime;
use seal_core::verify::Indication;

fn t() -> UnixTime {
    "2027-01-01T00:00:00Z".parse().unwrap()
}

fn sample() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/pdf/gs-3pages.pdf"))
        .unwrap()
}

/// Replaces the number after the last `startxref` by `new` (same width or not).
fn set_startxref(pdf: &[u8], delta: i64) -> Vec<u8> {
    let at = pdf.windows(9).rposition(|w| w == b"startxref").unwrap() + 9;
    let digits_start = at + pdf[at..].iter().position(u8::is_ascii_digit).unwrap();
    let digits_end =
        digits_start + pdf[digits_start..].iter().position(|b| !b.is_ascii_digit()).unwrap();
    let old: i64 = std::str::from_utf8(&pdf[digits_start..digits_end]).unwrap().parse().unwrap();
    [&pdf[..digits_start], (old + delta).to_string().as_bytes(), &pdf[digits_end..]].concat()
}

/// Moves every in-use entry of the last classic xref table by `delta` bytes, as a writer
/// that miscounts (a BOM, CR LF counted as one) leaves them.
fn shift_entries(pdf: &[u8], delta: i64) -> Vec<u8> {
    let table = pdf.windows(6).rposition(|w| w == b"\nxref\n" || w == b"\nxref\r").unwrap() + 1;
    let mut out = pdf.to_vec();
    let mut at = table;
    for line in pdf[table..].split(|&b| b == b'\n') {
        let l = String::from_utf8_lossy(line);
        if l.starts_with("trailer") {
            break;
        }
        if l.len() >= 18 && l.trim_end().ends_with(" n") {
            let off: i64 = l[..10].parse().unwrap();
            out[at..at + 10].copy_from_slice(format!("{:010}", off + delta).as_bytes());
        }
        at += line.len() + 1;
    }
    out
}

fn repairs(data: &[u8]) -> Vec<String> {
    PdfFile::from_source(data).unwrap().repairs()
}

#[test]
fn offsets_a_few_bytes_off_are_repaired_and_reported() {
    let good = sample();
    assert!(repairs(&good).is_empty());
    for (what, bad) in [
        ("startxref", set_startxref(&good, -1)),
        ("startxref", set_startxref(&good, 3)),
        ("object", shift_entries(&good, 2)),
    ] {
        let pdf = PdfFile::from_source(&bad[..]).unwrap();
        let Some(Object::Ref(root)) = pdf.trailer().get("Root").cloned() else { panic!() };
        assert!(pdf.get(root).unwrap().as_dict().is_some(), "{what}");
        assert!(!pdf.repairs().is_empty(), "{what}: nothing repaired");
        // Stamping it writes a well-formed update on top, which verifies; a changed byte
        // inside the signed range still fails.
        let f = Fixture::new(Algorithm::EcdsaP256Sha256);
        let app = Appearance::for_seal(&f.seal).unwrap();
        let (stamped, _) =
            pdf::stamp_to_vec(&bad, &f.key(), &app, &StampOptions::default(), t()).unwrap();
        assert!(repairs(&stamped).is_empty(), "{what}: our update points at the real table");
        let report = pdf::verify_bytes(&stamped, "repaired.pdf", &f.trust(), t()).unwrap();
        assert_eq!(report.indication, Indication::TotalPassed, "{what}: {report}");
        // A byte of the original file, before the update: always inside the signed range
        // (a byte in the middle can fall in /Contents, where flipping a hex digit's case
        // leaves the signature as it was).
        let mut tampered = stamped.clone();
        let i = bad.len() / 3;
        tampered[i] ^= 0x20;
        let r = pdf::verify_bytes(&tampered, "tampered.pdf", &f.trust(), t());
        assert!(r.is_err() || r.unwrap().indication != Indication::TotalPassed, "{what}");
    }
}

#[test]
fn a_signed_file_with_startxref_off_by_one_verifies_and_says_so() {
    // node-signpdf writes startxref one byte short (vectors/realworld/SOURCES.md).
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../vectors/realworld/node-signpdf/signed-once.pdf");
    let report = pdf::verify(&file, &seal_core::verify::Trust::default(), t()).unwrap();
    let sig = &report.signatures[0];
    for check in ["byte-range", "signature", "data-hash", "modifications"] {
        let c = sig.checks.iter().find(|c| c.check == check).unwrap();
        assert_eq!(c.indication, Indication::TotalPassed, "{check}: {report}");
    }
    let note = sig.checks.iter().find(|c| c.check == "pdf-structure").unwrap();
    assert!(note.detail.contains("startxref points at offset"), "{}", note.detail);
}

#[test]
fn prev_zero_is_no_prev() {
    let f = Fixture::new(Algorithm::Ed25519);
    let app = Appearance::for_seal(&f.seal).unwrap();
    let (stamped, _) =
        pdf::stamp_to_vec(&sample(), &f.key(), &app, &StampOptions::default(), t()).unwrap();
    // Make the original's trailer say /Prev 0 (padded to keep every offset).
    let first_trailer = stamped.windows(7).position(|w| w == b"trailer").unwrap();
    let dict_end =
        first_trailer + stamped[first_trailer..].windows(2).position(|w| w == b">>").unwrap();
    let with_prev = [&stamped[..dict_end], b"/Prev 0".as_slice(), &stamped[dict_end..]].concat();
    let r = PdfFile::from_source(&with_prev[..]).map(|p| p.repairs());
    // Inserting bytes shifts what follows, so the newest sections are repaired too; the
    // point is that /Prev 0 ends the chain instead of failing.
    let r = r.unwrap();
    assert!(r.iter().any(|x| x.contains("/Prev 0")), "{r:?}");
}
