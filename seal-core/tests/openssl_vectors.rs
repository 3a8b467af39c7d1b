//! We accept chains made with `openssl req/x509/ca`, and reject each broken one with its
//! own reason. The cases live in vectors/pki/openssl/cases.txt.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use seal_core::pki::path::{self, Purpose};
use seal_core::pki::{Certificate, Crl, load_certificates, load_crls};
use seal_core::time::UnixTime;

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/pki/openssl")
}

fn certs(dir: &Path, list: &str) -> Vec<Certificate> {
    if list == "-" {
        return Vec::new();
    }
    list.split(',').flat_map(|f| load_certificates(&dir.join(f)).unwrap()).collect()
}

fn crls(dir: &Path, list: &str) -> Vec<Crl> {
    if list == "-" {
        return Vec::new();
    }
    list.split(',').flat_map(|f| load_crls(&dir.join(f)).unwrap()).collect()
}

#[test]
fn openssl_made_chains() {
    let at: UnixTime = "2027-06-01T00:00:00Z".parse().unwrap();
    let cases = std::fs::read_to_string(vectors().join("cases.txt")).unwrap();
    let mut ran = 0;
    for alg in ["p256", "ed25519"] {
        let dir = vectors().join(alg);
        let anchors = load_certificates(&dir.join("root.pem")).unwrap();
        for line in cases.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
            let f: Vec<&str> = line.split_whitespace().collect();
            let [name, leaf, untrusted, crl, purpose, indication, sub, check] = f[..] else {
                panic!("bad line in cases.txt: {line}");
            };
            let leaf = load_certificates(&dir.join(leaf)).unwrap().remove(0);
            let purpose: Purpose = purpose.parse().unwrap();
            let report = path::validate(
                &leaf,
                &certs(&dir, untrusted),
                &anchors,
                &crls(&dir, crl),
                at,
                purpose,
            );
            let json = serde_json::to_value(&report).unwrap();
            assert_eq!(json["indication"], indication, "{alg}/{name}: {report}");
            if sub == "-" {
                assert!(report.sub_indication.is_none(), "{alg}/{name}: {report}");
            } else {
                assert_eq!(json["sub_indication"], sub, "{alg}/{name}: {report}");
            }
            if check != "-" {
                let checks: Vec<&str> = json["problems"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["check"].as_str().unwrap())
                    .collect();
                assert!(
                    checks.contains(&check),
                    "{alg}/{name}: expected {check}, got {checks:?}\n{report}"
                );
            }
            // OpenSSL agrees on pass/fail (it does not check keyUsage for a purpose unless asked).
            if check != "key-usage" {
                assert_eq!(
                    openssl_accepts(&dir, f[1], untrusted, crl, at),
                    indication == "TOTAL-PASSED",
                    "{alg}/{name}: openssl disagrees"
                );
            }
            ran += 1;
        }
    }
    assert!(ran >= 28, "only {ran} cases ran");
}

fn openssl_accepts(dir: &Path, leaf: &str, untrusted: &str, crl: &str, at: UnixTime) -> bool {
    let mut cmd = std::process::Command::new("openssl");
    cmd.current_dir(dir).args([
        "verify",
        "-attime",
        &at.as_secs().to_string(),
        "-CAfile",
        "root.pem",
    ]);
    if untrusted != "-" {
        let bundle = untrusted
            .split(',')
            .map(|f| std::fs::read_to_string(dir.join(f)).unwrap())
            .collect::<String>();
        let tmp = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(tmp.path(), bundle).unwrap();
        cmd.arg("-untrusted").arg(tmp.path());
        if crl != "-" {
            cmd.args(["-crl_check", "-CRLfile", crl]);
        }
        let out = cmd.arg(leaf).output().expect("openssl is installed");
        return out.status.success();
    }
    cmd.arg(leaf).output().expect("openssl is installed").status.success()
}
