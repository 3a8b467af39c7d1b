//! PDF stamping (PAdES) and verification: PDFs from Ghostscript, qpdf and pyHanko are
//! stamped and checked by pyHanko, poppler's pdfsig and qpdf; pyHanko's own signatures are
//! verified; crafted files for each attack class of the 2019 "PDF Insecurity" research are
//! rejected; certification (DocMDP), existing fields and cross-page seals work.
#![cfg(feature = "pdf")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Fixture, python};
use seal_core::keys::Algorithm;
use seal_core::pdf::file::PdfFile;
use seal_core::pdf::object::{Object, Ref, write_object};
use seal_core::pdf::{self, Appearance, DocMdp, StampOptions};
use seal_core::pki;
use seal_core::time::UnixTime;
use seal_core::verify::{Indication, Report, SignatureReport, Trust};

/// The PDFs from other producers that every stamping test goes through.
const CORPUS: &[&str] = &[
    "gs-3pages.pdf",
    "objstm.pdf",
    "linearized.pdf",
    "form-field.pdf",
    "pyhanko-p256.pdf",
    "pyhanko-ed25519.pdf",
];

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/pdf")
}

/// Stamping and validation time: inside every certificate's validity here.
fn t() -> UnixTime {
    "2027-01-01T00:00:00Z".parse().unwrap()
}

fn pem_files(f: &Fixture) -> (PathBuf, PathBuf) {
    let root = f.dir.path().join("root.pem");
    let prov = f.dir.path().join("prov.pem");
    std::fs::write(&root, pki::certificate_to_pem(f.root.certificate()).unwrap()).unwrap();
    std::fs::write(&prov, pki::certificate_to_pem(f.prov.certificate()).unwrap()).unwrap();
    (root, prov)
}

/// Our trust plus the root of the pyHanko-signed vectors.
fn trust(f: &Fixture) -> Trust {
    let mut t = f.trust();
    let data = std::fs::read(vectors().join("pki/root.pem")).unwrap();
    t.anchors.extend(pki::certificates_from_bytes(&data).unwrap());
    t
}

fn pyhanko_validate(file: &Path, f: &Fixture) -> String {
    let (text, ok) = pyhanko_run(file, f);
    assert!(ok, "pyhanko: {text}");
    text
}

/// pyHanko's report whatever its verdict (it exits non-zero for an invalid signature).
fn pyhanko_verdict(file: &Path, f: &Fixture) -> String {
    pyhanko_run(file, f).0
}

fn pyhanko_run(file: &Path, f: &Fixture) -> (String, bool) {
    let (root, prov) = pem_files(f);
    let exe = python().parent().unwrap().join("pyhanko");
    let out = Command::new(exe)
        .args(["sign", "validate", "--pretty-print", "--no-revocation-check", "--trust-replace"])
        .arg("--trust")
        .arg(&root)
        .arg("--trust")
        .arg(vectors().join("pki/root.pem"))
        .arg("--other-certs")
        .arg(&prov)
        .arg(file)
        .output()
        .expect("pyhanko (scripts/test installs pyhanko-cli into .venv)");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (text, out.status.success())
}

fn pdfsig(file: &Path) -> String {
    let out =
        Command::new("pdfsig").arg(file).output().expect("pdfsig (apt-get install poppler-utils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn qpdf_check(file: &Path) {
    let out = Command::new("qpdf")
        .arg("--check")
        .arg(file)
        .output()
        .expect("qpdf (apt-get install qpdf)");
    assert!(
        out.status.success(),
        "qpdf --check {}: {}{}",
        file.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn check<'a>(r: &'a SignatureReport, name: &str) -> &'a seal_core::verify::CheckOutcome {
    r.checks.iter().find(|c| c.check == name).unwrap_or_else(|| panic!("no check {name}: {r:?}"))
}

fn stamp_bytes(f: &Fixture, input: &[u8], opts: &StampOptions) -> Vec<u8> {
    let app = Appearance::for_seal(&f.seal).unwrap();
    pdf::stamp_to_vec(input, &f.key(), &app, opts, t()).unwrap().0
}

fn verify(f: &Fixture, data: &[u8]) -> Report {
    pdf::verify_bytes(data, "test.pdf", &trust(f), t()).unwrap()
}

#[test]
fn corpus_stamps_pass_pyhanko_pdfsig_and_qpdf() {
    for alg in [Algorithm::EcdsaP256Sha256, Algorithm::Ed25519] {
        let f = Fixture::new(alg);
        let app = Appearance::for_seal(&f.seal).unwrap();
        for name in CORPUS {
            let input = vectors().join(name);
            let out = f.dir.path().join(format!("stamped-{name}"));
            let info =
                pdf::stamp(&input, &out, &f.key(), &app, &StampOptions::default(), t(), false)
                    .unwrap();
            let original = std::fs::read(&input).unwrap();
            let stamped = std::fs::read(&out).unwrap();
            assert!(stamped.starts_with(&original), "{name}: the original bytes are kept");
            assert_eq!(info.size, stamped.len() as u64);
            assert_eq!(info.page, 3, "{name}: the last page by default");

            // Our verifier: every signature valid, ours covering the whole file.
            let r = pdf::verify(&out, &trust(&f), t()).unwrap();
            assert!(r.is_valid(), "{name} ({alg}): {r}");
            let expected = if name.starts_with("pyhanko") { 2 } else { 1 };
            assert_eq!(r.signatures.len(), expected, "{name}: {r}");
            let ours = r.signatures.last().unwrap();
            assert!(ours.seal.is_some(), "{r}");
            assert!(check(ours, "byte-range").detail.contains("whole file"), "{r}");
            if expected == 2 {
                let theirs = &r.signatures[0];
                assert!(theirs.seal.is_none());
                assert!(check(theirs, "modifications").detail.contains("only signatures"), "{r}");
            }

            // pyHanko: every signature valid, trusted, ours covering the entire file.
            let py = pyhanko_validate(&out, &f);
            assert_eq!(
                py.matches("The signature is judged VALID.").count(),
                expected,
                "{name}: {py}"
            );
            assert!(!py.contains("INVALID"), "{name}: {py}");
            assert!(py.contains("The signature covers the entire file."), "{name}: {py}");
            assert_eq!(
                py.matches("The signer's certificate is trusted.").count(),
                expected,
                "{py}"
            );

            // poppler's pdfsig (NSS): cannot check Ed25519, so P-256 only.
            if alg == Algorithm::EcdsaP256Sha256 {
                let ps = pdfsig(&out);
                let block =
                    ps.split("Signature #").find(|b| b.contains("Field Name: Seal1")).unwrap();
                assert!(block.contains("Signature Validation: Signature is Valid."), "{ps}");
                assert!(block.contains("Total document signed"), "{ps}");
            }
            qpdf_check(&out);
        }
    }
}

#[test]
fn pyhanko_signatures_verify_against_the_same_anchors() {
    let f = Fixture::new(Algorithm::Ed25519);
    for (name, alg) in [("pyhanko-p256.pdf", "ECDSA"), ("pyhanko-ed25519.pdf", "Ed25519")] {
        let r = pdf::verify(&vectors().join(name), &trust(&f), t()).unwrap();
        assert_eq!(r.signatures.len(), 1);
        let s = &r.signatures[0];
        assert!(s.is_valid(), "{r}");
        assert_eq!(s.format, "PAdES (ETSI.CAdES.detached)");
        assert!(check(s, "signature").detail.contains(alg), "{r}");
        assert!(check(s, "signer-chain").detail.contains("pyHanko Interop Root"), "{r}");
        // Without pyHanko's root the chain is not found.
        let r = pdf::verify(&vectors().join(name), &f.trust(), t()).unwrap();
        assert_eq!(r.indication, Indication::Indeterminate, "{r}");
    }
}

#[test]
fn a_ghostscript_document_in_memory_and_on_disk_alike() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let input = std::fs::read(vectors().join("gs-3pages.pdf")).unwrap();
    let stamped = stamp_bytes(&f, &input, &StampOptions::default());
    let r = verify(&f, &stamped);
    assert!(r.is_valid(), "{r}");
    // A second stamp (co-stamping) keeps the first valid.
    let twice = stamp_bytes(&f, &stamped, &StampOptions { page: Some(1), ..Default::default() });
    let r = verify(&f, &twice);
    assert!(r.is_valid(), "{r}");
    assert_eq!(r.signatures.len(), 2);
    assert_eq!(r.signatures[1].id, "signature field \"Seal2\"");
    assert!(check(&r.signatures[0], "modifications").detail.contains("only signatures"), "{r}");
}

// --- The attack classes of "1 Trillion Dollar Refund" (Mladenov et al., 2019). ---

/// Appends an incremental update defining `objects` (number, PDF text).
fn append_update(doc: &[u8], objects: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let pdf = PdfFile::from_source(doc).unwrap();
    let trailer = pdf.trailer().clone();
    let size = trailer.get("Size").and_then(Object::as_i64).unwrap() as u32;
    let mut out = doc.to_vec();
    let mut offsets = Vec::new();
    for (num, body) in objects {
        offsets.push((*num, out.len()));
        out.extend_from_slice(format!("{num} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let mut s = String::from("xref\n");
    for (num, off) in &offsets {
        s.push_str(&format!("{num} 1\n{off:010} 00000 n\r\n"));
    }
    let max = objects.iter().map(|(n, _)| n + 1).max().unwrap_or(0).max(size);
    let root = trailer.get("Root").unwrap().as_ref().unwrap();
    s.push_str(&format!(
        "trailer\n<</Size {max}/Root {root}/Prev {}>>\nstartxref\n{xref}\n%%EOF\n",
        pdf.startxref
    ));
    out.extend_from_slice(s.as_bytes());
    out
}

fn text(o: &Object) -> Vec<u8> {
    let mut v = Vec::new();
    write_object(&mut v, o);
    v
}

/// The first page's reference and object, and the next free object number.
fn first_page(doc: &[u8]) -> (Ref, Object, u32) {
    let pdf = PdfFile::from_source(doc).unwrap();
    let root = pdf.trailer().get("Root").unwrap().as_ref().unwrap();
    let cat = pdf.get(root).unwrap();
    let pages = pdf.get_key(cat.as_dict().unwrap(), "Pages").unwrap();
    let Object::Array(kids) = pdf.get_key(pages.as_dict().unwrap(), "Kids").unwrap() else {
        panic!("no kids")
    };
    let r = kids[0].as_ref().unwrap();
    let size = pdf.trailer().get("Size").and_then(Object::as_i64).unwrap() as u32;
    (r, pdf.get(r).unwrap(), size)
}

fn stamped_doc(f: &Fixture, opts: &StampOptions) -> Vec<u8> {
    stamp_bytes(f, &std::fs::read(vectors().join("gs-3pages.pdf")).unwrap(), opts)
}

fn modifications(r: &Report, i: usize) -> &seal_core::verify::CheckOutcome {
    check(&r.signatures[i], "modifications")
}

#[test]
fn incremental_saving_attack_content_changed_after_signing() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    for source in ["gs-3pages.pdf", "objstm.pdf"] {
        let doc = stamp_bytes(
            &f,
            &std::fs::read(vectors().join(source)).unwrap(),
            &StampOptions::default(),
        );
        let (page_ref, page, next) = first_page(&doc);
        // New text drawn on page 1: a content stream added to the page.
        let evil = b"BT /F1 24 Tf 72 500 Td (PAY 1,000,000 TO MALLORY) Tj ET";
        let mut page = page.as_dict().unwrap().clone();
        let old = page.get("Contents").unwrap().clone();
        page.set("Contents", Object::Array(vec![old, Object::Ref(Ref::new(next))]));
        let mut body = format!("<</Length {}>>\nstream\n", evil.len()).into_bytes();
        body.extend_from_slice(evil);
        body.extend_from_slice(b"\nendstream");
        let attacked =
            append_update(&doc, &[(next, body), (page_ref.num, text(&Object::Dict(page)))]);
        let r = verify(&f, &attacked);
        assert_eq!(r.indication, Indication::TotalFailed, "{source}: {r}");
        let m = modifications(&r, 0);
        assert_eq!(m.indication, Indication::TotalFailed, "{r}");
        assert!(m.detail.contains("content was changed") && m.detail.contains("/Contents"), "{r}");
        // The signature itself still verifies: it is the change that is caught.
        assert_eq!(check(&r.signatures[0], "signature").indication, Indication::TotalPassed);
        assert!(r.signatures[0].covers.contains("1 later revision"), "{r}");
        // pyHanko's own difference analysis agrees.
        let file = f.dir.path().join(format!("isa-{source}"));
        std::fs::write(&file, &attacked).unwrap();
        let py = pyhanko_verdict(&file, &f);
        assert!(py.contains("The signature is judged INVALID."), "{py}");
        assert!(py.contains("incompatible with the current document modification policy"), "{py}");
    }
}

#[test]
fn later_annotations_are_allowed_unless_certification_forbids_them() {
    let f = Fixture::new(Algorithm::Ed25519);
    let annotate = |doc: &[u8]| {
        let (page_ref, page, next) = first_page(doc);
        let mut page = page.as_dict().unwrap().clone();
        page.set("Annots", Object::Array(vec![Object::Ref(Ref::new(next))]));
        let note = b"<</Type/Annot/Subtype/Text/Rect[100 100 120 120]/Contents(checked)>>".to_vec();
        append_update(doc, &[(next, note), (page_ref.num, text(&Object::Dict(page)))])
    };
    // Uncertified: comments fail by default (as in pyHanko), and pass when the verifier
    // allows them.
    let annotated = annotate(&stamped_doc(&f, &StampOptions::default()));
    let r = verify(&f, &annotated);
    assert_eq!(r.indication, Indication::TotalFailed, "{r}");
    let m = modifications(&r, 0);
    assert!(m.detail.contains("allowed only with --allow annotations"), "{r}");
    assert!(m.detail.contains("a Text annotation was added"), "{r}");
    let mut trust = f.trust();
    trust.policy.allow_annotations = true;
    let r = pdf::verify_bytes(&annotated, "test.pdf", &trust, t()).unwrap();
    assert!(r.is_valid(), "{r}");
    assert!(modifications(&r, 0).detail.contains("a Text annotation was added"), "{r}");

    let certified =
        stamped_doc(&f, &StampOptions { certify: Some(DocMdp::FormFilling), ..Default::default() });
    let r = verify(&f, &certified);
    assert!(r.is_valid(), "{r}");
    assert!(check(&r.signatures[0], "certification").detail.contains("P=2"), "{r}");
    let r = verify(&f, &annotate(&certified));
    assert_eq!(r.indication, Indication::TotalFailed, "{r}");
    assert!(modifications(&r, 0).detail.contains("certification (DocMDP P=2) forbids"), "{r}");
    // Form filling and signing stay allowed: a second stamp keeps the certification valid.
    let costamped = stamp_bytes(&f, &certified, &StampOptions::default());
    let r = verify(&f, &costamped);
    assert!(r.is_valid(), "{r}");
}

#[test]
fn certification_rules_are_enforced_when_stamping() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let app = Appearance::for_seal(&f.seal).unwrap();
    let locked =
        stamped_doc(&f, &StampOptions { certify: Some(DocMdp::NoChanges), ..Default::default() });
    let err =
        pdf::stamp_to_vec(&locked, &f.key(), &app, &StampOptions::default(), t()).unwrap_err();
    assert!(err.to_string().contains("DocMDP P=1"), "{err}");
    let signed = stamped_doc(&f, &StampOptions::default());
    let certify = StampOptions { certify: Some(DocMdp::FormFilling), ..Default::default() };
    let err = pdf::stamp_to_vec(&signed, &f.key(), &app, &certify, t()).unwrap_err();
    assert!(err.to_string().contains("only the first signature"), "{err}");
}

/// Rewrites `from` to `to` (same length, so every offset stays right) in the signature
/// dictionary the last stamp wrote.
fn patch_sig(doc: &[u8], edit: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let at = doc.windows(10).rposition(|w| w == b"/Type/Sig/").unwrap();
    let end = at + doc[at..].windows(6).position(|w| w == b"endobj").unwrap();
    let patched = edit(&doc[at..end]);
    assert_eq!(patched.len(), end - at, "patches keep the length");
    [&doc[..at], &patched[..], &doc[end..]].concat()
}

fn byte_range(dict: &[u8]) -> (usize, Vec<i64>) {
    let at = dict.windows(11).position(|w| w == b"/ByteRange ").unwrap() + 11;
    let end = at + dict[at..].iter().position(|&b| b == b']').unwrap();
    let nums = String::from_utf8_lossy(&dict[at + 1..end])
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    (at, nums)
}

fn set_byte_range(dict: &[u8], nums: &[i64]) -> Vec<u8> {
    let (at, _) = byte_range(dict);
    let end = at + dict[at..].iter().position(|&b| b == b']').unwrap() + 1;
    let mut text =
        format!("[{}]", nums.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "));
    while text.len() < end - at {
        text.push(' ');
    }
    [&dict[..at], text.as_bytes(), &dict[end..]].concat()
}

/// We reject the crafted file (with `words` in the failed check), and so does pyHanko.
fn assert_rejected(f: &Fixture, doc: &[u8], check_name: &str, words: &str) {
    assert_we_reject(f, doc, check_name, words);
    let file = f.dir.path().join("crafted.pdf");
    std::fs::write(&file, doc).unwrap();
    let py = pyhanko_verdict(&file, f);
    assert!(!py.contains("judged VALID"), "pyHanko accepts what we reject ({words}): {py}");
    assert!(!pyhanko_run(&file, f).1, "pyHanko exits 0 on a crafted file ({words})");
}

fn assert_we_reject(f: &Fixture, doc: &[u8], check_name: &str, words: &str) {
    let r = verify(f, doc);
    assert_eq!(r.indication, Indication::TotalFailed, "{r}");
    let c = check(&r.signatures[r.signatures.len() - 1], check_name);
    assert_eq!(c.indication, Indication::TotalFailed, "{r}");
    assert!(c.detail.contains(words), "expected \"{words}\" in {check_name}: {r}");
}

#[test]
fn universal_signature_forgery_is_rejected() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let doc = stamped_doc(&f, &StampOptions::default());
    // /Contents zeroed.
    let zeroed = patch_sig(&doc, |d| {
        let lt = d.windows(11).position(|w| w == b"/Contents <").unwrap() + 11;
        let gt = lt + d[lt..].iter().position(|&b| b == b'>').unwrap();
        let mut d = d.to_vec();
        d[lt..gt].fill(b'0');
        d
    });
    assert_rejected(&f, &zeroed, "signature", "universal signature forgery");
    // /Contents empty: "<>" and the rest blanked.
    let empty = patch_sig(&doc, |d| {
        let lt = d.windows(11).position(|w| w == b"/Contents <").unwrap() + 10;
        let gt = lt + d[lt..].iter().position(|&b| b == b'>').unwrap();
        let mut d = d.to_vec();
        d[lt + 1..=gt].fill(b' ');
        d[lt + 1] = b'>';
        d
    });
    assert_rejected(&f, &empty, "byte-range", "signature wrapping");
    // /Contents missing (the key renamed).
    let missing = patch_sig(&doc, |d| {
        let mut d = d.to_vec();
        let at = d.windows(10).position(|w| w == b"/Contents ").unwrap();
        d[at + 8] = b'z';
        d
    });
    assert_rejected(&f, &missing, "byte-range", "no /Contents");
    // /ByteRange missing.
    let no_range = patch_sig(&doc, |d| {
        let mut d = d.to_vec();
        let at = d.windows(11).position(|w| w == b"/ByteRange ").unwrap();
        d[at + 9] = b'X';
        d
    });
    assert_rejected(&f, &no_range, "byte-range", "no /ByteRange");
    // /ByteRange degenerate.
    for nums in [[0, 0, 0, 0], [5, 100, 200, 10], [0, 100, 50, 10]] {
        let bad = patch_sig(&doc, |d| set_byte_range(d, &nums));
        assert_rejected(&f, &bad, "byte-range", "degenerate");
    }
    let short = patch_sig(&doc, |d| set_byte_range(d, &[0, 10]));
    assert_rejected(&f, &short, "byte-range", "not 4");
}

#[test]
fn signature_wrapping_is_rejected() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let doc = stamped_doc(&f, &StampOptions::default());
    let sig_at = doc.windows(10).rposition(|w| w == b"/Type/Sig/").unwrap();
    let (_, range) = byte_range(&doc[sig_at..]);
    let [a, b, c, d] = range[..] else { panic!() };
    // The gap moved or grown: it is no longer exactly /Contents.
    for nums in [[a, b - 1, c, d], [a, b, c + 5, d - 5], [a, b + 2, c, d]] {
        let moved = patch_sig(&doc, |dict| set_byte_range(dict, &nums));
        assert_rejected(&f, &moved, "byte-range", "signature wrapping");
    }
    // The signed range shrunk to leave room at the end: it no longer ends a revision.
    let shrunk = patch_sig(&doc, |dict| set_byte_range(dict, &[a, b, c, d - 100]));
    assert_rejected(&f, &shrunk, "byte-range", "not the end of a revision");
    // The signature dictionary copied into a later update (with the same ByteRange, so a
    // verifier that only hashes the ranges is satisfied) together with a content change.
    let obj_start = doc[..sig_at].windows(4).rposition(|w| w == b" obj").unwrap();
    let line_start = doc[..obj_start].iter().rposition(|&x| x == b'\n').unwrap() + 1;
    let num: u32 = String::from_utf8_lossy(&doc[line_start..obj_start])
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let end = sig_at + doc[sig_at..].windows(7).position(|w| w == b"\nendobj").unwrap();
    let copy = doc[sig_at - 2..end].to_vec(); // from "<<"
    let (page_ref, page, _) = first_page(&doc);
    let mut page = page.as_dict().unwrap().clone();
    page.set("Rotate", Object::Int(180));
    let wrapped = append_update(&doc, &[(num, copy), (page_ref.num, text(&Object::Dict(page)))]);
    assert_rejected(&f, &wrapped, "byte-range", "signature wrapping");
}

#[test]
fn bytes_outside_the_signed_range_are_rejected() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let doc = stamped_doc(&f, &StampOptions::default());
    // Trailing whitespace is harmless.
    let mut ws = doc.clone();
    ws.extend_from_slice(b"\r\n\n");
    assert!(verify(&f, &ws).is_valid());
    // Anything else that is not an incremental update is not. (Stricter than pyHanko, which
    // follows only the cross-reference chain and calls this valid; a reader that repairs
    // files by scanning for objects would see the appended page.)
    let mut junk = doc.clone();
    junk.extend_from_slice(b"3 0 obj\n<</Type/Page/Contents 99 0 R>>\nendobj\n");
    assert_we_reject(&f, &junk, "modifications", "not an incremental update");
    // A byte changed inside the signed range breaks the hash.
    let mut flipped = doc.clone();
    let i = flipped.windows(7).position(|w| w == b"stream\n").unwrap() + 10;
    flipped[i] ^= 0x20; // inside page 1's compressed content
    let r = verify(&f, &flipped);
    assert_eq!(check(&r.signatures[0], "data-hash").indication, Indication::TotalFailed, "{r}");
}

#[test]
fn an_existing_empty_field_is_signed_where_it_is() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let input = vectors().join("form-field.pdf");
    let out = f.dir.path().join("approved.pdf");
    let app = Appearance::for_seal(&f.seal).unwrap();
    let opts = StampOptions { field: Some("Approval".into()), ..Default::default() };
    let info = pdf::stamp(&input, &out, &f.key(), &app, &opts, t(), false).unwrap();
    assert_eq!(info.field, "Approval");
    assert_eq!(info.page, 2);
    assert_eq!(info.rect, [300.0, 100.0, 450.0, 250.0]);
    let r = pdf::verify(&out, &trust(&f), t()).unwrap();
    assert!(r.is_valid(), "{r}");
    assert_eq!(r.signatures.len(), 1);
    assert_eq!(r.signatures[0].id, "signature field \"Approval\"");
    let py = pyhanko_validate(&out, &f);
    assert!(py.contains("Field 1: Approval") && py.contains("judged VALID"), "{py}");
    // Signed fields cannot be signed again.
    let again = f.dir.path().join("again.pdf");
    let err = pdf::stamp(&out, &again, &f.key(), &app, &opts, t(), false).unwrap_err();
    assert!(err.to_string().contains("already signed"), "{err}");
}

#[test]
fn a_cross_page_seal_puts_a_strip_on_every_page() {
    let f = Fixture::new(Algorithm::Ed25519);
    let input = vectors().join("gs-3pages.pdf");
    let out = f.dir.path().join("contract.pdf");
    let app = Appearance::for_seal(&f.seal).unwrap();
    let opts = StampOptions { cross_page: true, ..Default::default() };
    pdf::stamp(&input, &out, &f.key(), &app, &opts, t(), false).unwrap();
    let pdf_file = PdfFile::open(&out).unwrap();
    let data = std::fs::read(&out).unwrap();
    let strips = data.windows(14).filter(|w| w == b"/Subtype/Stamp").count();
    assert_eq!(strips, 3);
    drop(pdf_file);
    let r = pdf::verify(&out, &trust(&f), t()).unwrap();
    assert!(r.is_valid(), "{r}");
    assert!(pyhanko_validate(&out, &f).contains("judged VALID"));
    qpdf_check(&out);
    // One page: nothing to cross.
    let one = pdf::sample::text_document(&[vec!["one page".into()]], 0);
    let err = pdf::stamp_to_vec(&one, &f.key(), &app, &opts, t()).unwrap_err();
    assert!(err.to_string().contains("at least two pages"), "{err}");
}

#[test]
fn placement_options() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let app = Appearance::for_seal(&f.seal).unwrap();
    let doc = pdf::sample::text_document(&[vec!["a".into()], vec!["b".into()]], 0);
    let opts = StampOptions { page: Some(1), at: Some((72.0, 100.0)), ..Default::default() };
    let (stamped, info) = pdf::stamp_to_vec(&doc, &f.key(), &app, &opts, t()).unwrap();
    assert_eq!(info.page, 1);
    let mm40 = 40.0 * 72.0 / 25.4;
    assert!((info.rect[0] - 72.0).abs() < 1e-9 && (info.rect[2] - 72.0 - mm40).abs() < 1e-6);
    assert!(verify(&f, &stamped).is_valid());
    // Default: bottom right of the last page, half an inch in.
    let (_, info) = pdf::stamp_to_vec(&doc, &f.key(), &app, &StampOptions::default(), t()).unwrap();
    assert_eq!(info.page, 2);
    assert!((info.rect[2] - (595.0 - 36.0)).abs() < 1e-6 && (info.rect[1] - 36.0).abs() < 1e-9);
    let err = pdf::stamp_to_vec(
        &doc,
        &f.key(),
        &app,
        &StampOptions { page: Some(9), ..Default::default() },
        t(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("page 9 does not exist: the document has 2 pages"), "{err}");
}

#[test]
fn bad_input_gets_a_clear_error() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let app = Appearance::for_seal(&f.seal).unwrap();
    let stamp = |input: &Path| {
        let out = f.dir.path().join("out.pdf");
        pdf::stamp(input, &out, &f.key(), &app, &StampOptions::default(), t(), true)
            .unwrap_err()
            .to_string()
    };
    let enc = vectors().join("encrypted.pdf");
    let e = stamp(&enc);
    assert!(e.contains("encrypted.pdf") && e.contains("encrypted"), "{e}");
    let e = pdf::verify(&enc, &f.trust(), t()).unwrap_err().to_string();
    assert!(e.contains("encrypted"), "{e}");
    let good = std::fs::read(vectors().join("gs-3pages.pdf")).unwrap();
    let cut = f.dir.path().join("truncated.pdf");
    std::fs::write(&cut, &good[..good.len() / 2]).unwrap();
    let e = stamp(&cut);
    assert!(e.contains("truncated.pdf") && e.contains("startxref"), "{e}");
    let text = f.dir.path().join("notes.pdf");
    std::fs::write(&text, "just text").unwrap();
    let e = stamp(&text);
    assert!(e.contains("notes.pdf") && e.contains("not a PDF") || e.contains("%PDF"), "{e}");
    // A broken xref: startxref points at the wrong place.
    let x = good.windows(9).rposition(|w| w == b"startxref").unwrap();
    let broken = [&good[..x], b"startxref\n100\n%%EOF\n"].concat();
    let bad = f.dir.path().join("bad-xref.pdf");
    std::fs::write(&bad, &broken).unwrap();
    let e = stamp(&bad);
    assert!(e.contains("bad-xref.pdf") && e.contains("no cross-reference table"), "{e}");
    // An existing output is not overwritten without force.
    let out = f.dir.path().join("exists.pdf");
    std::fs::write(&out, b"keep").unwrap();
    let err = pdf::stamp(
        &vectors().join("gs-3pages.pdf"),
        &out,
        &f.key(),
        &app,
        &StampOptions::default(),
        t(),
        false,
    )
    .unwrap_err();
    assert!(matches!(err.root(), seal_core::Error::AlreadyExists { .. }), "{err}");
    assert_eq!(std::fs::read(&out).unwrap(), b"keep");
}

#[test]
fn a_large_document_streams_through() {
    // 24 MiB of image data: more than the copy chunk many times over.
    let f = Fixture::new(Algorithm::Ed25519);
    let doc = pdf::sample::text_document(&[vec!["big".into()], vec!["doc".into()]], 24 << 20);
    let input = f.dir.path().join("big.pdf");
    std::fs::write(&input, &doc).unwrap();
    let out = f.dir.path().join("big.stamped.pdf");
    let app = Appearance::for_seal(&f.seal).unwrap();
    pdf::stamp(&input, &out, &f.key(), &app, &StampOptions::default(), t(), false).unwrap();
    let r = pdf::verify(&out, &trust(&f), t()).unwrap();
    assert!(r.is_valid(), "{r}");
    qpdf_check(&out);
}

#[test]
fn mutated_pdfs_never_panic() {
    use std::panic::{AssertUnwindSafe, catch_unwind};
    let f = Fixture::new(Algorithm::Ed25519);
    let app = Appearance::for_seal(&f.seal).unwrap();
    let read = |n: &str| std::fs::read(vectors().join(n)).unwrap();
    let inputs = [
        ("stamped classic xref", stamped_doc(&f, &StampOptions::default())),
        ("stamped xref stream", stamp_bytes(&f, &read("objstm.pdf"), &StampOptions::default())),
        ("pyHanko-signed", read("pyhanko-p256.pdf")),
        ("linearized", read("linearized.pdf")),
        ("form field", read("form-field.pdf")),
    ];
    let trust = trust(&f);
    for (i, (name, input)) in inputs.iter().enumerate() {
        let mut rng = common::Rng(0x5eed_0000 ^ (i as u64 + 1));
        for n in 0..1500 {
            let seed = rng.0;
            let mut data = common::mutate(&mut rng, input);
            // Numbers are what PDF structure hangs on: change a digit too, now and then.
            if rng.below(2) == 0 {
                let digits: Vec<usize> =
                    (0..data.len()).filter(|&j| data[j].is_ascii_digit()).collect();
                if !digits.is_empty() {
                    let j = digits[rng.below(digits.len())];
                    data[j] = b'0' + rng.below(10) as u8;
                }
            }
            let result = catch_unwind(AssertUnwindSafe(|| {
                let _ = pdf::verify_bytes(&data, "fuzz.pdf", &trust, t());
                let _ = pdf::stamp_to_vec(&data, &f.key(), &app, &StampOptions::default(), t());
            }));
            assert!(result.is_ok(), "panic on mutation {n} of {name} (seed {seed:#x})");
        }
    }
}

#[test]
fn a_signed_seal_cannot_change_its_picture_later() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let doc = stamped_doc(&f, &StampOptions::default());
    let pdf_file = PdfFile::from_source(&doc[..]).unwrap();
    let root = pdf_file.trailer().get("Root").unwrap().as_ref().unwrap();
    let cat = pdf_file.get(root).unwrap();
    let acro = pdf_file.get_key(cat.as_dict().unwrap(), "AcroForm").unwrap();
    let Object::Array(fields) = pdf_file.get_key(acro.as_dict().unwrap(), "Fields").unwrap() else {
        panic!("no fields")
    };
    let widget_ref = fields[0].as_ref().unwrap();
    let mut widget = pdf_file.get(widget_ref).unwrap().as_dict().unwrap().clone();
    let next = pdf_file.trailer().get("Size").and_then(Object::as_i64).unwrap() as u32;
    // A different picture: an empty box where the seal was.
    let blank = b"0 0 1 RG 0 0 50 50 re S";
    let mut body = format!(
        "<</Type/XObject/Subtype/Form/BBox[0 0 113 113]/Length {}>>\nstream\n",
        blank.len()
    )
    .into_bytes();
    body.extend_from_slice(blank);
    body.extend_from_slice(b"\nendstream");
    let mut ap = seal_core::pdf::object::Dict::new();
    ap.set("N", Object::Ref(Ref::new(next)));
    widget.set("AP", Object::Dict(ap));
    let swapped =
        append_update(&doc, &[(next, body), (widget_ref.num, text(&Object::Dict(widget)))]);
    assert_rejected(&f, &swapped, "modifications", "already signed, changed (/AP");
}

#[test]
fn a_wrong_trailer_size_does_not_make_objects_collide() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let doc = pdf::sample::text_document(&[vec!["a".into()], vec!["b".into()]], 0);
    let at = doc.windows(6).rposition(|w| w == b"/Size ").unwrap();
    let digits = doc[at + 6..].iter().take_while(|b| b.is_ascii_digit()).count();
    let mut bad = doc.clone();
    bad[at + 6..at + 6 + digits].copy_from_slice(&b"3".repeat(digits));
    let stamped = stamp_bytes(&f, &bad, &StampOptions::default());
    assert!(verify(&f, &stamped).is_valid());
    qpdf_check_bytes(&f, &stamped);
}

fn qpdf_check_bytes(f: &Fixture, data: &[u8]) {
    let p = f.dir.path().join("check.pdf");
    std::fs::write(&p, data).unwrap();
    qpdf_check(&p);
}

#[test]
fn pyhanko_signs_with_our_keys_and_on_top_of_our_stamp() {
    for alg in [Algorithm::EcdsaP256Sha256, Algorithm::Ed25519] {
        let f = Fixture::new(alg);
        let d = f.dir.path();
        let key = d.join("agency.key");
        std::fs::write(&key, f.agency_key.to_pem(None, seal_core::keys::Kdf::Scrypt).unwrap())
            .unwrap();
        std::fs::write(d.join("agency.pem"), pki::certificate_to_pem(&f.agency).unwrap()).unwrap();
        let (_, prov) = pem_files(&f);
        // Our stamp first, then pyHanko's PAdES signature in a new field on page 1.
        let stamped = d.join("stamped.pdf");
        std::fs::write(&stamped, stamped_doc(&f, &StampOptions::default())).unwrap();
        let signed = d.join("signed.pdf");
        let out = Command::new(python().parent().unwrap().join("pyhanko"))
            .args(["sign", "addsig", "--use-pades", "--field", "1/72,600,200,700/Clerk", "pemder"])
            .arg("--key")
            .arg(&key)
            .arg("--cert")
            .arg(d.join("agency.pem"))
            .arg("--chain")
            .arg(&prov)
            .arg("--no-pass")
            .arg(&stamped)
            .arg(&signed)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let r = pdf::verify(&signed, &f.trust(), t()).unwrap();
        assert!(r.is_valid(), "{alg}: {r}");
        assert_eq!(r.signatures.len(), 2);
        assert!(r.signatures[0].seal.is_some() && r.signatures[1].seal.is_none(), "{r}");
        assert!(check(&r.signatures[0], "modifications").detail.contains("only signatures"), "{r}");
        assert!(check(&r.signatures[1], "byte-range").detail.contains("whole file"), "{r}");
        let py = pyhanko_validate(&signed, &f);
        assert_eq!(py.matches("The signature is judged VALID.").count(), 2, "{py}");
    }
}
