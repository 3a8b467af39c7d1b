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
