//! Long-term validity through the CLI: a stamp timestamped by a TSA (CAdES-B-T) stays
//! valid after the stamper's certificate expired, and after it was revoked, if the
//! timestamp proves the stamp came first; revoked before the proven time, it fails; the
//! same stamps without a timestamp do not pass. OpenSSL still verifies the B-T files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::*;

/// The demo PKI in `d/pki` and a TSA under its root valid for about eight years.
fn setup(d: &Path) {
    seal_ok(d, &["demo", "--dir", "pki"]);
    make_tsa(d, "pki/root", "3000");
    std::fs::write(d.join("t.txt"), "decision no. 17, timestamped\n").unwrap();
    std::fs::write(d.join("u.txt"), "decision no. 18, not timestamped\n").unwrap();
    let stamp = ["stamp", "--seal", "pki/agency.esl", "--key", "pki/agency.key", "--format", "cms"];
    seal_ok(d, &[&stamp[..], &["t.txt", "--tsa-dir", "tsa"]].concat());
    seal_ok(d, &[&stamp[..], &["u.txt"]].concat());
}

fn verify(d: &Path, file: &str, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let sig = format!("{file}.p7s");
    let args = ["--json", "verify", file, "--sig", &sig, "--trust", "pki/root/ca.pem"];
    let out = seal(d, &[&args[..], extra].concat());
    (out.status.code(), json(&out))
}

#[test]
fn a_timestamped_stamp_outlives_its_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    // OpenSSL verifies the B-T signature as any CMS signature.
    let cms = ["cms", "-verify", "-binary", "-inform", "DER", "-in", "t.txt.p7s", "-content"];
    ok(
        d,
        "openssl",
        &[&cms[..], &["t.txt", "-CAfile", "pki/root/ca.pem", "-purpose", "any"]].concat(),
    );
    let (code, r) = verify(d, "t.txt", &[]);
    assert_eq!(code, Some(0), "{r:#}");
    let s = &r["signatures"][0];
    assert!(s["format"].as_str().unwrap().contains("CAdES-B-T"), "{r:#}");
    assert!(s["proven_time"].is_string(), "{r:#}");
    // Three years on, the stamper's certificate (one year) has expired.
    let (code, r) = verify(d, "t.txt", &["--at", "2029-12-01"]);
    assert_eq!(code, Some(0), "{r:#}");
    assert!(r.to_string().contains("judged at"), "{r:#}");
    let (code, r) = verify(d, "u.txt", &["--at", "2029-12-01"]);
    assert_eq!(code, Some(1));
    assert_eq!(r["signatures"][0]["sub_indication"], "EXPIRED", "{r:#}");
    // A changed byte in the token's signature: the timestamp, and so the stamp, fails.
    let mut p7s = std::fs::read(d.join("t.txt.p7s")).unwrap();
    let n = p7s.len();
    p7s[n - 10] ^= 0x01;
    std::fs::write(d.join("t.txt.p7s"), &p7s).unwrap();
    let (code, r) = verify(d, "t.txt", &["--at", "2029-12-01"]);
    assert_eq!(code, Some(1), "{r:#}");
    let checks = r["signatures"][0]["checks"].as_array().unwrap();
    assert!(checks.iter().any(|c| c["check"] == "timestamp" && c["indication"] != "TOTAL-PASSED"));
}

#[test]
fn revoked_after_the_proven_time_stays_valid_and_before_it_fails() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    let serial = |pem: &str| {
        let text = seal_ok(d, &["--json", "cert", "show", pem]);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v[0]["serial"].as_str().unwrap().to_owned()
    };
    let agency = serial("pki/agency.pem");
    // Revoked next month, after both stamps; the CRL is issued then too.
    let revoke = ["ca", "revoke", "--dir", "pki/province", "--serial", &agency];
    seal_ok(d, &[&revoke[..], &["--reason", "keyCompromise", "--at", "2027-01-01"]].concat());
    seal_ok(d, &["ca", "crl", "--dir", "pki/province", "--days", "3650", "--out", "p.crl"]);
    // The root's CRL too: with CRLs given, the TSA's certificate needs its status as well.
    seal_ok(d, &["ca", "crl", "--dir", "pki/root", "--days", "3650", "--out", "r.crl"]);
    let at = ["--crl", "p.crl", "--crl", "r.crl", "--at", "2027-06-01"];
    let (code, r) = verify(d, "t.txt", &at);
    assert_eq!(code, Some(0), "revoked after the proven time: {r:#}");
    let (code, r) = verify(d, "u.txt", &at);
    assert_eq!(code, Some(1));
    assert_eq!(r["signatures"][0]["sub_indication"], "REVOKED", "{r:#}");
}

#[test]
fn revoked_before_the_proven_time_fails_even_with_a_timestamp() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    let text = seal_ok(d, &["--json", "cert", "show", "pki/agency.pem"]);
    let agency = serde_json::from_str::<serde_json::Value>(&text).unwrap()[0]["serial"]
        .as_str()
        .unwrap()
        .to_owned();
    // Revoked a minute before the stamp was made (the key was reported stolen).
    let made = seal_core::time::UnixTime::now().as_secs() - 60;
    let when = seal_core::time::UnixTime::from_secs(made).to_string();
    let revoke = ["ca", "revoke", "--dir", "pki/province", "--serial", &agency];
    seal_ok(d, &[&revoke[..], &["--reason", "keyCompromise", "--at", &when]].concat());
    seal_ok(d, &["ca", "crl", "--dir", "pki/province", "--days", "3650", "--out", "p.crl"]);
    seal_ok(d, &["ca", "crl", "--dir", "pki/root", "--days", "3650", "--out", "r.crl"]);
    let at = ["--crl", "p.crl", "--crl", "r.crl", "--at", "2027-06-01"];
    let (code, r) = verify(d, "t.txt", &at);
    assert_eq!(code, Some(1), "{r:#}");
    assert_eq!(r["signatures"][0]["sub_indication"], "REVOKED", "{r:#}");
    // Judged at the proven time, not merely at the validation time.
    assert!(r.to_string().contains("judged at"), "{r:#}");
}

/// PAdES-B-T both ways with pyHanko: it accepts seal's timestamped PDF (the timestamp
/// trusted and newer than the signature), and it signs with seal's TSA over HTTP
/// (`--timestamp-url`) a PDF that seal verifies years later, after the signer's
/// certificate expired.
#[test]
fn pades_b_t_with_pyhanko_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    let (server, url) = tsa_serve(d);
    let stamp =
        ["stamp", "pki/contract.pdf", "--seal", "pki/agency.esl", "--key", "pki/agency.key"];
    seal_ok(d, &[&stamp[..], &["--tsa", &url, "--force"]].concat());
    let py = python_tool("pyhanko");
    let validate = ["sign", "validate", "--trust", "pki/root/ca.pem", "--trust-replace"];
    let args = [&validate[..], &["--no-revocation-check", "pki/contract.stamped.pdf"]].concat();
    let out = run(d, py.to_str().unwrap(), &args);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>"), "{text}");
    // pyHanko signs with the agency's key and seal's TSA.
    ok(d, "openssl", &["x509", "-in", "pki/agency.pem", "-out", "agency-only.pem"]);
    let addsig = [
        "sign",
        "addsig",
        "--field",
        "Sig1",
        "--timestamp-url",
        &url,
        "pemder",
        "--key",
        "pki/agency.key",
        "--cert",
        "agency-only.pem",
        "--chain",
        "pki/province/ca.pem",
        "--no-pass",
        "pki/contract.pdf",
        "by-pyhanko.pdf",
    ];
    let out = run(d, py.to_str().unwrap(), &addsig);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    drop(server);
    for at in ["2026-12-31", "2029-12-01"] {
        let args = ["--json", "verify", "by-pyhanko.pdf", "--trust", "pki/root/ca.pem"];
        let out = seal(d, &[&args[..], &["--at", at]].concat());
        let r = json(&out);
        assert_eq!(out.status.code(), Some(0), "{at}: {r:#}");
        assert!(r["signatures"][0]["proven_time"].is_string(), "{r:#}");
    }
}

/// A real PAdES-B-LT file's document timestamp (SK's TSA, 2015), through the CLI: checked,
/// its time proven; its root is not given, so the chain is what stays open.
#[test]
fn a_real_document_timestamp_is_checked_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../vectors/realworld/SiVa/hellopades-pades-lt-sha256-sign.pdf");
    seal_ok(d, &["demo", "--dir", "pki"]);
    let out = seal(d, &["--json", "verify", file.to_str().unwrap(), "--trust", "pki/root/ca.pem"]);
    let r = json(&out);
    let sigs = r["signatures"].as_array().unwrap();
    let ts = sigs.iter().find(|s| s["format"].as_str().unwrap().contains("document timestamp"));
    let ts = ts.unwrap_or_else(|| panic!("{r:#}"));
    assert_eq!(ts["proven_time"], "2015-07-09T07:00:56Z", "{ts:#}");
    let checks = ts["checks"].as_array().unwrap();
    let imprint = checks.iter().find(|c| c["check"] == "imprint").unwrap();
    assert_eq!(imprint["indication"], "TOTAL-PASSED", "{ts:#}");
    assert_eq!(ts["sub_indication"], "NO_CERTIFICATE_CHAIN_FOUND");
}

/// The demo PKI's current CRLs, for a B-LT /DSS: `p.crl` (province) and `r.crl` (root).
fn crls(d: &Path) {
    seal_ok(d, &["ca", "crl", "--dir", "pki/province", "--out", "p.crl", "--force"]);
    seal_ok(d, &["ca", "crl", "--dir", "pki/root", "--out", "r.crl", "--force"]);
}

const STAMP_PDF: [&str; 7] =
    ["stamp", "pki/contract.pdf", "--seal", "pki/agency.esl", "--key", "pki/agency.key", "--force"];

/// B-LT and B-LTA through the CLI: the /DSS holds the chains and CRLs, B-LTA adds a
/// document timestamp; both verify, pyHanko's AdES validation accepts them, and a B-LT
/// without a CRL for a certificate is refused, naming it.
#[test]
fn b_lt_and_b_lta_pdfs_carry_their_validation_data() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    crls(d);
    let lt = ["--crl", "p.crl", "--crl", "r.crl", "--trust", "pki/root/ca.pem"];
    // No CRL for the agency's issuer: refused, and nothing is written.
    std::fs::remove_file(d.join("pki/contract.stamped.pdf")).unwrap();
    let out = seal(d, &[&STAMP_PDF[..], &["--tsa-dir", "tsa", "--level", "b-lt"]].concat());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no revocation data for") && err.contains("--crl"), "{err}");
    assert!(!d.join("pki/contract.stamped.pdf").exists());
    // B-LTA without a TSA: refused.
    let out = seal(d, &[&STAMP_PDF[..], &["--level", "b-lta"], &lt].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a timestamp authority"));
    let py = python_tool("pyhanko");
    for level in ["b-lt", "b-lta"] {
        let args = [&STAMP_PDF[..], &["--tsa-dir", "tsa", "--level", level], &lt].concat();
        seal_ok(d, &args);
        let file = format!("{level}.pdf");
        std::fs::rename(d.join("pki/contract.stamped.pdf"), d.join(&file)).unwrap();
        let out = seal(d, &["--json", "verify", &file, "--trust", "pki/root/ca.pem"]);
        let r = json(&out);
        assert_eq!(out.status.code(), Some(0), "{level}: {r:#}");
        let sigs = r["signatures"].as_array().unwrap();
        assert_eq!(sigs.len(), if level == "b-lta" { 2 } else { 1 }, "{r:#}");
        assert!(sigs[0]["format"].as_str().unwrap().contains("PAdES-B-T"), "{r:#}");
        // The /DSS: the agency's chain and the TSA's, the two CRLs, a /VRI entry.
        let qpdf = run(d, "qpdf", &["--json=2", "--json-key=qpdf", &file]);
        let text = String::from_utf8_lossy(&qpdf.stdout);
        assert!(text.contains("\"/DSS\"") && text.contains("\"/VRI\""), "{level}");
        assert!(text.contains("\"/CRLs\"") && text.contains("\"/Certs\""), "{level}");
        if level == "b-lta" {
            assert!(text.contains("\"/ETSI.RFC3161\"") && text.contains("/DocTimeStamp"));
            assert!(sigs[1]["format"].as_str().unwrap().contains("document timestamp"), "{r:#}");
        }
        // pyHanko's AdES validation (ETSI EN 319 102-1) with only the root trusted,
        // revocation from the document.
        let ades = ["sign", "adesverify", "--trust", "pki/root/ca.pem", "--trust-replace"];
        let out = run(d, py.to_str().unwrap(), &[&ades[..], &[&file]].concat());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{level}: {text}{}", String::from_utf8_lossy(&out.stderr));
        assert!(text.contains("INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>"), "{text}");
        if level == "b-lta" {
            assert!(text.contains("EXTENDED_WITH_LTA_UPDATES"), "{text}");
        }
        // And its classic validation, with the embedded revocation data taken as it is.
        let v = ["sign", "validate", "--trust", "pki/root/ca.pem", "--trust-replace"];
        let out =
            run(d, py.to_str().unwrap(), &[&v[..], &["--retroactive-revinfo", &file]].concat());
        assert!(out.status.success(), "{level}: {}", String::from_utf8_lossy(&out.stdout));
    }
}

/// The archive case: a B-LTA document whose TSA's certificate lasts three years is renewed
/// with `seal extend` and a second TSA (under its own long-lived root); ten years later,
/// after the agency's certificate expired and was revoked, and after the first TSA's
/// certificate expired, it still verifies TOTAL-PASSED. The same document not renewed, and
/// the same contract stamped without timestamps, do not pass.
#[test]
fn b_lta_renewed_with_extend_verifies_ten_years_later() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    seal_ok(d, &["demo", "--dir", "pki"]);
    make_tsa_in(d, "pki/root", "1095", "tsa");
    crls(d);
    let lt = ["--crl", "p.crl", "--crl", "r.crl", "--trust", "pki/root/ca.pem"];
    seal_ok(d, &[&STAMP_PDF[..], &["--tsa-dir", "tsa", "--level", "b-lta"], &lt].concat());
    std::fs::rename(d.join("pki/contract.stamped.pdf"), d.join("lta.pdf")).unwrap();
    seal_ok(d, &STAMP_PDF);
    std::fs::rename(d.join("pki/contract.stamped.pdf"), d.join("plain.pdf")).unwrap();
    // The archive's TSA, under a root of its own valid for twenty years.
    let root = ["ca", "new", "--dir", "archive-root", "--cn", "Archive Root", "--org", "Archive"];
    seal_ok(d, &[&root[..], &["--country", "VN", "--days", "7300"]].concat());
    make_tsa_in(d, "archive-root", "5000", "tsa2");
    seal_ok(d, &["ca", "crl", "--dir", "archive-root", "--out", "a.crl"]);
    // Without a TSA or --out: refused.
    let out = seal(d, &["extend", "lta.pdf", "--out", "x.pdf"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a TSA"));
    let out = seal(d, &["extend", "lta.pdf", "--tsa-dir", "tsa2"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--in-place"));
    let extend = ["--json", "extend", "lta.pdf", "--tsa-dir", "tsa2", "--out", "renewed.pdf"];
    let out = seal(d, &[&extend[..], &["--crl", "r.crl", "--crl", "a.crl"]].concat());
    let r = json(&out);
    assert_eq!(out.status.code(), Some(0), "{r:#}");
    let e = &r["extended"][0]["extended"];
    assert_eq!(e["signatures"], 2, "{r:#}");
    assert_eq!(e["document_timestamp"], true, "{r:#}");
    // The existing output is kept without --force.
    let out = seal(d, &[&extend[..], &["--crl", "r.crl", "--crl", "a.crl"]].concat());
    assert_eq!(out.status.code(), Some(2));
    // The agency's certificate is revoked next month; ten years on, the verifier has the
    // CRLs of that time (here issued now, valid for eleven years).
    let text = seal_ok(d, &["--json", "cert", "show", "pki/agency.pem"]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let serial = v[0]["serial"].as_str().unwrap();
    let revoke = ["ca", "revoke", "--dir", "pki/province", "--serial", serial];
    seal_ok(d, &[&revoke[..], &["--reason", "keyCompromise", "--at", "2027-01-01"]].concat());
    for (ca, out) in
        [("pki/province", "p10.crl"), ("pki/root", "r10.crl"), ("archive-root", "a10.crl")]
    {
        seal_ok(d, &["ca", "crl", "--dir", ca, "--days", "4100", "--out", out]);
    }
    let later = [
        "--trust",
        "pki/root/ca.pem",
        "--trust",
        "archive-root/ca.pem",
        "--crl",
        "p10.crl",
        "--crl",
        "r10.crl",
        "--crl",
        "a10.crl",
        "--at",
    ];
    let at = seal_core::time::UnixTime::now().plus_days(3653).to_string();
    let verify = |file: &str| {
        let out = seal(d, &[&["--json", "verify", file][..], &later, &[&at]].concat());
        (out.status.code(), json(&out))
    };
    let (code, r) = verify("renewed.pdf");
    assert_eq!(code, Some(0), "{r:#}");
    let sigs = r["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 3, "{r:#}");
    let stamp = &sigs[0];
    let checks = stamp["checks"].as_array().unwrap();
    assert!(checks.iter().any(|c| c["check"] == "proof-of-existence"), "{stamp:#}");
    assert!(stamp["proven_time"].is_string(), "{stamp:#}");
    // Not renewed: the first TSA's certificate expired, nothing proves the stamp's time.
    let (code, r) = verify("lta.pdf");
    assert_eq!(code, Some(1), "{r:#}");
    // Without timestamps: the agency's certificate is judged ten years on, expired.
    let (code, r) = verify("plain.pdf");
    assert_eq!(code, Some(1), "{r:#}");
    assert_eq!(r["signatures"][0]["sub_indication"], "EXPIRED", "{r:#}");
    // The renewed document's bytes, one changed inside the first revision: fails.
    let mut bytes = std::fs::read(d.join("renewed.pdf")).unwrap();
    let original = std::fs::metadata(d.join("pki/contract.pdf")).unwrap().len() as usize;
    bytes[original / 2] ^= 0x01;
    std::fs::write(d.join("changed.pdf"), &bytes).unwrap();
    let (code, r) = verify("changed.pdf");
    assert_eq!(code, Some(1), "{r:#}");
    // Renewing a batch in place: a file that cannot be extended (never stamped) is named
    // and left as it was; the others are extended.
    let before = std::fs::metadata(d.join("renewed.pdf")).unwrap().len();
    let contract = std::fs::read(d.join("pki/contract.pdf")).unwrap();
    let batch = ["extend", "renewed.pdf", "pki/contract.pdf", "--tsa-dir", "tsa2", "--in-place"];
    let out = seal(d, &[&batch[..], &["--crl", "r.crl", "--crl", "a.crl"]].concat());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pki/contract.pdf") && err.contains("no signature"), "{err}");
    assert!(err.contains("1 of 2 files could not be extended"), "{err}");
    assert!(std::fs::metadata(d.join("renewed.pdf")).unwrap().len() > before);
    assert_eq!(std::fs::read(d.join("pki/contract.pdf")).unwrap(), contract);
}

/// pyHanko's own B-LT and B-LTA (timestamped by seal's TSA over HTTP, its /DSS built by
/// pyHanko) verify in seal with only the root trusted and no CRL given; three years on,
/// after the agency's certificate expired, they still do (with the verifier's CRLs of
/// that time for the TSA, whose certificate is still valid).
#[test]
fn pyhanko_b_lt_and_b_lta_verify_in_seal() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    crls(d);
    let (server, url) = tsa_serve(d);
    ok(d, "openssl", &["x509", "-in", "pki/agency.pem", "-out", "agency-only.pem"]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/pyhanko_sign_lta.py");
    let py = std::env::var("SEAL_PYTHON").unwrap();
    for level in ["b-lt", "b-lta"] {
        let out = format!("pyhanko-{level}.pdf");
        let args = [
            script.to_str().unwrap(),
            "pki/agency.key",
            "agency-only.pem",
            "pki/province/ca.pem",
            "pki/root/ca.pem",
            &url,
            level,
            "pki/contract.pdf",
            &out,
            "p.crl",
            "r.crl",
        ];
        ok(d, &py, &args);
    }
    drop(server);
    seal_ok(d, &["ca", "crl", "--dir", "pki/root", "--days", "1200", "--out", "r3.crl"]);
    for level in ["b-lt", "b-lta"] {
        let file = format!("pyhanko-{level}.pdf");
        let out = seal(d, &["--json", "verify", &file, "--trust", "pki/root/ca.pem"]);
        let r = json(&out);
        assert_eq!(out.status.code(), Some(0), "{level}: {r:#}");
        let sigs = r["signatures"].as_array().unwrap();
        assert!(sigs[0]["format"].as_str().unwrap().contains("PAdES-B-T"), "{r:#}");
        assert_eq!(sigs.len(), if level == "b-lta" { 2 } else { 1 }, "{r:#}");
        // pyHanko's /DSS gave the CRLs: revocation was checked without any given here.
        assert!(r.to_string().contains("CRL of"), "{r:#}");
        let later = ["--crl", "r3.crl", "--at", "2029-12-01"];
        let args =
            [&["--json", "verify", &file, "--trust", "pki/root/ca.pem"][..], &later].concat();
        let out = seal(d, &args);
        let r = json(&out);
        assert_eq!(out.status.code(), Some(0), "{level} in 2029: {r:#}");
    }
}
