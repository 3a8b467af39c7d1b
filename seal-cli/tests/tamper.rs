//! What changes after stamping are caught, through the CLI: a comment added after an
//! uncertified PDF seal fails by default and passes with `--allow annotations` (a later seal
//! passes either way); JSON documents with two meanings are neither stamped nor verified.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::*;
use seal_core::pdf::file::PdfFile;
use seal_core::pdf::object::{Object, write_object};

/// Appends an update adding a FreeText comment on page 1.
fn add_comment(doc: &[u8]) -> Vec<u8> {
    let pdf = PdfFile::from_source(doc).unwrap();
    let size = pdf.trailer().get("Size").and_then(Object::as_i64).unwrap() as u32;
    let root = pdf.trailer().get("Root").unwrap().as_ref().unwrap();
    let cat = pdf.get(root).unwrap();
    let pages = pdf.get_key(cat.as_dict().unwrap(), "Pages").unwrap();
    let Object::Array(kids) = pdf.get_key(pages.as_dict().unwrap(), "Kids").unwrap() else {
        panic!("no pages")
    };
    let page_ref = kids[0].as_ref().unwrap();
    let mut page = pdf.get(page_ref).unwrap().as_dict().unwrap().clone();
    let mut annots = match pdf.get_key(&page, "Annots").unwrap() {
        Object::Array(a) => a,
        _ => Vec::new(),
    };
    annots.push(Object::Ref(seal_core::pdf::object::Ref::new(size)));
    page.set("Annots", Object::Array(annots));
    let mut page_text = Vec::new();
    write_object(&mut page_text, &Object::Dict(page));
    let mut out = doc.to_vec();
    let note_at = out.len();
    out.extend_from_slice(
        format!("{size} 0 obj\n<</Type/Annot/Subtype/FreeText/Rect[50 700 300 730]/Contents(fee waived)/DA(/Helv 12 Tf 0 g)>>\nendobj\n").as_bytes(),
    );
    let page_at = out.len();
    out.extend_from_slice(format!("{} 0 obj\n", page_ref.num).as_bytes());
    out.extend_from_slice(&page_text);
    out.extend_from_slice(b"\nendobj\n");
    let xref = out.len();
    out.extend_from_slice(
        format!(
            "xref\n{} 1\n{page_at:010} 00000 n\r\n{size} 1\n{note_at:010} 00000 n\r\n\
             trailer\n<</Size {}/Root {root}/Prev {}>>\nstartxref\n{xref}\n%%EOF\n",
            page_ref.num,
            size + 1,
            pdf.startxref
        )
        .as_bytes(),
    );
    out
}

#[test]
fn comments_after_a_seal_fail_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    seal_pki(d);
    let pdf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/pdf/gs-3pages.pdf");
    std::fs::copy(&pdf, d.join("c.pdf")).unwrap();
    seal_ok(d, &["stamp", "c.pdf", "--seal", "p384.esl", "--key", "p384.key"]);
    let stamped = std::fs::read(d.join("c.stamped.pdf")).unwrap();
    std::fs::write(d.join("commented.pdf"), add_comment(&stamped)).unwrap();
    let out = seal(d, &["--json", "verify", "commented.pdf", "--trust", "root/ca.pem"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    let r = json(&out);
    let text = r.to_string();
    assert!(
        text.contains("FreeText annotation was added") && text.contains("--allow annotations"),
        "{r:#}"
    );
    let out = seal(
        d,
        &["--json", "verify", "commented.pdf", "--trust", "root/ca.pem", "--allow", "annotations"],
    );
    assert_eq!(out.status.code(), Some(0), "{:#}", json(&out));
    // pyHanko, whose default policy seal follows, rejects the comment too.
    let py = pyhanko_validate(d, "commented.pdf");
    assert!(!py.status.success(), "{}", String::from_utf8_lossy(&py.stdout));
    // A later seal on the commented-free document passes without any option.
    let args = ["stamp", "c.stamped.pdf", "--seal", "rsa.esl", "--key", "rsa.key", "--page", "2"];
    seal_ok(d, &[&args[..], &["--out-dir", "second"]].concat());
    let out = seal(d, &["--json", "verify", "second/c.stamped.pdf", "--trust", "root/ca.pem"]);
    assert_eq!(out.status.code(), Some(0), "{:#}", json(&out));
}

#[test]
fn json_with_two_meanings_is_neither_stamped_nor_verified() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    seal_pki(d);
    std::fs::write(d.join("dup.json"), r#"{"number": "9999999999", "number": "0101234567"}"#)
        .unwrap();
    let out = seal(d, &["stamp", "dup.json", "--seal", "p384.esl", "--key", "p384.key"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("dup.json") && err.contains("\"number\" appears twice"), "{err}");
    assert!(!d.join("dup.stamped.json").exists());
    std::fs::write(d.join("ok.json"), r#"{"amount": 12345678901234567}"#).unwrap();
    let out = seal(d, &["stamp", "ok.json", "--seal", "p384.esl", "--key", "p384.key"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("2^53"), "{out:?}");
    std::fs::write(d.join("ok.json"), r#"{"amount": 1234567890123456}"#).unwrap();
    seal_ok(d, &["stamp", "ok.json", "--seal", "p384.esl", "--key", "p384.key"]);
    let stamped = std::fs::read_to_string(d.join("ok.stamped.json")).unwrap();
    std::fs::write(d.join("ok.stamped.json"), stamped.replacen("{", "{\"amount\": 9,", 1)).unwrap();
    let out = seal(d, &["verify", "ok.stamped.json", "--trust", "root/ca.pem"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0));
    assert!(err.contains("ok.stamped.json") && err.contains("appears twice"), "{err}");
}

#[test]
fn a_stamp_claiming_another_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    seal_pki(d);
    std::fs::write(d.join("notice.txt"), "a notice\n").unwrap();
    seal_ok(d, &["stamp", "notice.txt", "--seal", "p384.esl", "--key", "p384.key"]);
    let mut der = std::fs::read(d.join("notice.txt.ses")).unwrap();
    let at = der.windows(3).position(|w| w == [0x02, 0x01, 0x04]).unwrap();
    der[at + 2] = 5;
    std::fs::write(d.join("notice.txt.ses"), der).unwrap();
    let out = seal(d, &["verify", "notice.txt", "--trust", "root/ca.pem"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0));
    assert!(err.contains("notice.txt.ses") && err.contains("says version 5"), "{err}");
}

#[test]
fn a_stamp_made_after_the_validation_time_fails() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    seal_pki(d);
    std::fs::write(d.join("notice.txt"), "a notice\n").unwrap();
    seal_ok(d, &["stamp", "notice.txt", "--seal", "p384.esl", "--key", "p384.key"]);
    let out = seal(d, &["--json", "verify", "notice.txt", "--trust", "root/ca.pem"]);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(0), "{r:#}");
    assert!(r.to_string().contains("no timestamp proves it"), "{r:#}");
    let yesterday =
        seal_core::time::UnixTime::from_secs(seal_core::time::UnixTime::now().as_secs() - 86_400);
    let out = seal(
        d,
        &[
            "--json",
            "verify",
            "notice.txt",
            "--trust",
            "root/ca.pem",
            "--at",
            &yesterday.to_string(),
        ],
    );
    let r = json(&out);
    assert_eq!(out.status.code(), Some(1), "{r:#}");
    assert!(r.to_string().contains("after the validation time"), "{r:#}");
    assert!(r.to_string().contains("SIG_CONSTRAINTS_FAILURE"), "{r:#}");
}

#[test]
fn a_licence_with_bytes_after_its_zlib_stream_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    seal_ok(d, &["demo", "--dir", "pki"]);
    let verify = |file: &str| {
        let args = ["licence", "verify", file, "--issuers", "pki/licence-issuer.pem"];
        let trust = ["--trust", "pki/root/ca.pem", "--untrusted", "pki/province/ca.pem"];
        seal(d, &[&args[..], &trust[..]].concat())
    };
    assert_eq!(verify("pki/licence.txt").status.code(), Some(0));
    // base45 and zlib from Python: the genuine licence with bytes appended to its stream.
    let script = "import base45,sys\n\
        t=open('pki/licence.txt').read().strip()\n\
        z=base45.b45decode(t[4:])+b'forged'\n\
        open('forged.txt','w').write('LC1:'+base45.b45encode(z).decode())\n";
    let py = std::env::var("SEAL_PYTHON").expect("SEAL_PYTHON (scripts/test sets it)");
    ok(d, &py, &["-c", script]);
    let out = verify("forged.txt");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0));
    assert!(err.contains("follow the zlib stream"), "{err}");
}

#[test]
fn a_picture_with_two_licence_codes_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    seal_ok(d, &["demo", "--dir", "pki"]);
    let genuine = image::open(d.join("pki/licence.png")).unwrap().to_luma8();
    let other =
        seal_core::licence::qr::png("LC1:6BFOXN*TS0BI$ZD.P9UOL97O4-2HH77HRM3DSPTLRR+%3").unwrap();
    let other = image::load_from_memory(&other).unwrap().to_luma8();
    let mut both = image::GrayImage::from_pixel(
        genuine.width() + other.width(),
        genuine.height().max(other.height()),
        image::Luma([255]),
    );
    image::imageops::overlay(&mut both, &genuine, 0, 0);
    image::imageops::overlay(&mut both, &other, i64::from(genuine.width()), 0);
    both.save(d.join("two.png")).unwrap();
    let args = ["licence", "verify", "two.png", "--issuers", "pki/licence-issuer.pem"];
    let out = seal(d, &[&args[..], &["--trust", "pki/root/ca.pem"]].concat());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0));
    assert!(err.contains("2 different QR codes") && err.contains("two.png"), "{err}");
}

/// The real vendor OFD files.
fn ofd_vector(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/gbt38540").join(name)
}

/// Copies an OFD package, letting `edit` change each entry and adding `extra` entries.
fn repack_ofd(
    src: &Path,
    to: &Path,
    edit: impl Fn(&str, Vec<u8>) -> Vec<u8>,
    extra: &[(&str, &[u8])],
) {
    use std::io::{Read, Write};
    let mut zin = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().into_owned();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.start_file(name.clone(), zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&edit(&name, data)).unwrap();
    }
    for (name, data) in extra {
        out.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(data).unwrap();
    }
    out.finish().unwrap();
}

#[test]
fn an_ofd_listing_one_signature_thousands_of_times_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let edit = |name: &str, data: Vec<u8>| {
        if !name.ends_with("Signatures.xml") {
            return data;
        }
        let text = String::from_utf8(data).unwrap();
        let start = text.find("<ofd:Signature ").unwrap();
        let end = text[start..].find("/>").map(|e| start + e + 2).unwrap();
        format!("{}{}{}", &text[..start], text[start..end].repeat(5_000), &text[end..]).into_bytes()
    };
    repack_ofd(&ofd_vector("V4RideRight.ofd"), &d.join("many.ofd"), edit, &[]);
    let root = ofd_vector("ofdrw-root.pem");
    let out = seal(d, &["verify", "many.ofd", "--trust", &root.to_string_lossy()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("many.ofd") && err.contains("5000 signatures"), "{err}");
}

/// An OFD part under a second spelling is refused; an OFD.xml the stamp does not cover is
/// named in the report, and accepted with `--allow ofd-metadata` only.
#[test]
fn ofd_aliases_are_refused_and_uncovered_metadata_needs_allowing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let root = ofd_vector("ofdrw-root.pem");
    let root = root.to_string_lossy();
    let page = b"<ofd:Page xmlns:ofd=\"http://www.ofdspec.org/2016\"/>";
    repack_ofd(
        &ofd_vector("V4RideRight.ofd"),
        &d.join("alias.ofd"),
        |_, data| data,
        &[("doc_0/pages/page_0/content.xml", page)],
    );
    let out = seal(d, &["verify", "alias.ofd", "--trust", &root]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("alias.ofd") && err.contains("differ only in letter case"), "{err}");

    let invoice = ofd_vector("999.ofd");
    let invoice = invoice.to_string_lossy();
    let coverage = |extra: &[&str]| {
        let args = [&["--json", "verify", &invoice, "--trust", &root, "--at", "2020-09-01"], extra];
        let out = seal(d, &args.concat());
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let checks = r["signatures"][0]["checks"].as_array().unwrap().clone();
        checks.into_iter().find(|c| c["check"] == "coverage").unwrap()
    };
    let c = coverage(&[]);
    assert_eq!(c["indication"], "INDETERMINATE", "{c}");
    assert!(c["detail"].as_str().unwrap().contains("OFD.xml"), "{c}");
    let c = coverage(&["--allow", "ofd-metadata"]);
    assert_eq!(c["indication"], "TOTAL-PASSED", "{c}");
    assert!(c["detail"].as_str().unwrap().contains("accepted unsigned"), "{c}");
}

/// A replayed older trust list or status list is refused by default: the verifier keeps
/// the highest sequence it accepted per list in its state file.
#[test]
fn replayed_lists_are_refused_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    seal_ok(d, &["demo", "--dir", "pki"]);
    let data = r#"{"number": "BL7", "holder": {"name": "Shop", "id": "42"}, "region": "VN-HN",
        "status_index": 3, "valid_until": "2099-01-01",
        "attributes": {"company_type": "LLC", "capital": 1, "activities": ["retail"]}}"#;
    std::fs::write(d.join("data.json"), data).unwrap();
    let issuer = ["--key", "pki/licence-issuer.key", "--cert", "pki/licence-issuer.pem"];
    let issue = ["licence", "issue", "--type", "business-licence", "--data", "data.json"];
    seal_ok(d, &[&issue[..], &issuer[..], &["--out", "bl7"]].concat());
    for seq in ["3", "4"] {
        let tl = format!("l{seq}");
        let entry = "pki/licence-issuer.pem:business-licence:VN-HN";
        let build = ["trust-list", "build", "--name", "VN issuers", "--issuer", entry];
        seal_ok(d, &[&build[..], &["--sequence", seq, "--out", &format!("{tl}.json")]].concat());
        let root = ["--key", "pki/root/ca.key", "--cert", "pki/root/ca.pem"];
        let sign = ["trust-list", "sign", &format!("{tl}.json"), "--out", &format!("{tl}.tl")];
        seal_ok(d, &[&sign[..], &root[..]].concat());
    }
    // Status list 1 revokes nothing; list 2 revokes the licence (index 3).
    for (seq, revoked) in [("1", "7"), ("2", "3,7")] {
        let status = ["licence", "status", "--size", "64", "--revoked", revoked];
        seal_ok(
            d,
            &[&status[..], &issuer[..], &["--sequence", seq, "--out", &format!("s{seq}")]].concat(),
        );
    }
    let trust = ["--trust", "pki/root/ca.pem", "--untrusted", "pki/province/ca.pem"];
    let list = |tl: &str, extra: &[&str]| {
        seal(d, &[&["--json", "trust-list", "verify", tl][..], &trust[..], extra].concat())
    };
    assert_eq!(list("l4.tl", &[]).status.code(), Some(0));
    let state = d.join(".seal-state/lists.json");
    assert!(std::fs::read_to_string(&state).unwrap().contains("VN issuers"));
    let out = list("l3.tl", &[]);
    assert_eq!(out.status.code(), Some(1));
    let r = json(&out).to_string();
    assert!(r.contains("replay") && r.contains("older than #4"), "{r}");
    // A verifier may opt out, or keep its state elsewhere.
    assert_eq!(list("l3.tl", &["--no-list-state"]).status.code(), Some(0));
    assert_eq!(list("l3.tl", &["--list-state", "other.json"]).status.code(), Some(0));

    let licence = |tl: &str, status: &str| {
        let args = ["--json", "licence", "verify", "bl7.png", "--trust-list", tl];
        seal(d, &[&args[..], &["--status-list", status], &trust[..]].concat())
    };
    let out = licence("l4.tl", "s2");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["report"]["sub_indication"], "REVOKED");
    // The older status list, from before the revocation, is a replay now.
    let out = licence("l4.tl", "s1");
    assert_eq!(out.status.code(), Some(1));
    let r = json(&out);
    let checks = r["report"]["signatures"][0]["checks"].as_array().unwrap();
    assert!(
        checks.iter().any(|c| c["check"] == "revocation"
            && c["indication"] == "TOTAL-FAILED"
            && c["detail"].as_str().unwrap().contains("older than 2")),
        "{r:#}"
    );
    // And the older trust list is refused inside licence verification too.
    let out = licence("l3.tl", "s2");
    assert_eq!(out.status.code(), Some(1));
    let r = json(&out).to_string();
    assert!(r.contains("trust-list") && r.contains("a replayed list"), "{r}");
}
