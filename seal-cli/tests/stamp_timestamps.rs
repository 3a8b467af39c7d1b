//! Timestamped JSON and GB/T 38540 stamps through the CLI (`seal stamp --tsa-dir`): they
//! verify years later, after the stamper's certificate expired, where the same stamps
//! without a timestamp do not; and OpenSSL (`openssl ts -verify`) confirms each token is a
//! valid RFC 3161 token over what we say it covers: the ASCII base64url signature of a JWS
//! (as JAdES sigTst), the signature value of an SES_Signature (GB/T 38540 timeStamp).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use base64ct::{Base64, Encoding};
use common::*;

fn setup(d: &Path) {
    seal_ok(d, &["demo", "--dir", "pki"]);
    make_tsa(d, "pki/root", "3000");
    std::fs::write(d.join("licence.json"), r#"{"licence": "A-17", "holder": "Demo Co"}"#).unwrap();
    std::fs::write(d.join("notice.txt"), "notice no. 4\n").unwrap();
    std::fs::copy(d.join("licence.json"), d.join("plain.json")).unwrap();
    std::fs::copy(d.join("notice.txt"), d.join("plain.txt")).unwrap();
    let stamp = ["stamp", "--seal", "pki/agency.esl", "--key", "pki/agency.key"];
    seal_ok(d, &[&stamp[..], &["licence.json", "notice.txt", "--tsa-dir", "tsa"]].concat());
    seal_ok(d, &[&stamp[..], &["plain.json", "plain.txt"]].concat());
}

fn verify(d: &Path, args: &[&str], at: &str) -> (Option<i32>, serde_json::Value) {
    let base = ["--json", "verify"];
    let out = seal(d, &[&base[..], args, &["--trust", "pki/root/ca.pem", "--at", at]].concat());
    (out.status.code(), json(&out))
}

/// `openssl ts -verify` of `token` (DER) over the bytes in `data`.
fn openssl_ts_verify(d: &Path, token: &[u8], data: &[u8]) -> std::process::Output {
    std::fs::write(d.join("token.der"), token).unwrap();
    std::fs::write(d.join("data.bin"), data).unwrap();
    let args = ["ts", "-verify", "-token_in", "-in", "token.der", "-data", "data.bin"];
    run(
        d,
        "openssl",
        &[&args[..], &["-CAfile", "pki/root/ca.pem", "-untrusted", "tsa.pem"]].concat(),
    )
}

#[test]
fn timestamped_json_stamps_outlive_the_certificate_and_openssl_checks_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    let (code, r) = verify(d, &["licence.stamped.json"], "2029-12-01");
    assert_eq!(code, Some(0), "{r:#}");
    assert!(r["signatures"][0]["proven_time"].is_string(), "{r:#}");
    let (code, r) = verify(d, &["plain.stamped.json"], "2029-12-01");
    assert_eq!(code, Some(1));
    assert_eq!(r["signatures"][0]["sub_indication"], "EXPIRED", "{r:#}");
    // OpenSSL: the token is over the ASCII base64url signature value.
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("licence.stamped.json")).unwrap()).unwrap();
    let stamp = &doc["_stamps"][0];
    let val = stamp["header"]["etsiU"][0]["sigTst"]["tstTokens"][0]["val"].as_str().unwrap();
    let token = Base64::decode_vec(val).unwrap();
    let sig = stamp["signature"].as_str().unwrap();
    let out = openssl_ts_verify(d, &token, sig.as_bytes());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Verification: OK"));
    let mut other = sig.as_bytes().to_vec();
    other[0] ^= 0x01;
    assert!(!openssl_ts_verify(d, &token, &other).status.success());
}

#[test]
fn timestamped_gbt38540_stamps_outlive_the_certificate_and_openssl_checks_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    let (code, r) = verify(d, &["notice.txt", "--sig", "notice.txt.ses"], "2029-12-01");
    assert_eq!(code, Some(0), "{r:#}");
    assert!(r["signatures"][0]["proven_time"].is_string(), "{r:#}");
    let (code, r) = verify(d, &["plain.txt", "--sig", "plain.txt.ses"], "2029-12-01");
    assert_eq!(code, Some(1));
    assert_eq!(r["signatures"][0]["sub_indication"], "EXPIRED", "{r:#}");
    // OpenSSL: the timeStamp [0] BIT STRING holds a token over the signature value. Both
    // are taken out with `openssl asn1parse -strparse` at the offsets it lists: the
    // top-level signature BIT STRING (d=1), and the one inside [0] (d=2).
    let out = run(d, "openssl", &["asn1parse", "-inform", "DER", "-in", "notice.txt.ses"]);
    let listing = String::from_utf8_lossy(&out.stdout).into_owned();
    let offset = |depth: &str| {
        listing
            .lines()
            .rfind(|l| l.contains(depth) && l.contains("BIT STRING"))
            .and_then(|l| l.trim().split(':').next())
            .unwrap()
            .to_owned()
    };
    let (sig_at, token_at) = (offset("d=1"), offset("d=2"));
    let parse = ["asn1parse", "-inform", "DER", "-in", "notice.txt.ses", "-noout", "-strparse"];
    ok(d, "openssl", &[&parse[..], &[&sig_at, "-out", "sig.bin"]].concat());
    ok(d, "openssl", &[&parse[..], &[&token_at, "-out", "tok.der"]].concat());
    let token = std::fs::read(d.join("tok.der")).unwrap();
    let sig = std::fs::read(d.join("sig.bin")).unwrap();
    let out = openssl_ts_verify(d, &token, &sig);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Verification: OK"));
}
