//! SM2 with SM3 end to end through the CLI: an SM2 CA (root and intermediate) issues and
//! revokes, agencies make SM2 keys, CSRs, seals and stamps, and two implementations we did
//! not write check every signature: OpenSSL 3 (`openssl verify`, and `openssl pkeyutl
//! -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678` over each signed part) and
//! gmssl (pure Python), through tests/interop/sm2_check.py.
//!
//! OpenSSL 3.0 checks CRL signatures, self-signatures and intermediates with its own
//! default, the empty ID, and takes no ID for them on the command line (openssl/openssl#23471,
//! #32744), so those are checked with `pkeyutl`, and `openssl verify -vfyopt distid:…` checks
//! each certificate as the leaf of its own chain.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{ok, run, seal, seal_ok};

const DISTID: &str = "distid:1234567812345678";

fn sm2_check(d: &Path, args: &[&str]) -> Output {
    let python = std::env::var("SEAL_PYTHON").expect("SEAL_PYTHON (scripts/test sets it)");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/sm2_check.py");
    Command::new(python).arg(script).args(args).current_dir(d).output().unwrap()
}

fn sm2_check_ok(d: &Path, args: &[&str]) {
    let out = sm2_check(d, args);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{args:?}\n{text}{}", String::from_utf8_lossy(&out.stderr));
    // Both implementations answered for every signature.
    assert!(text.contains("openssl pkeyutl: OK") && text.contains("gmssl verify_with_sm3: OK"));
}

fn sm2_check_fails(d: &Path, args: &[&str]) {
    let out = sm2_check(d, args);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {}", String::from_utf8_lossy(&out.stdout));
}

fn subject(cn: &str, id: &str) -> Vec<String> {
    ["--cn", cn, "--org", "Beijing Municipality", "--country", "CN", "--org-id", id]
        .map(String::from)
        .to_vec()
}

/// `seal csr` for `name.key`, then `seal ca issue` from `ca` with `profile` to `name.pem`.
fn issue(d: &Path, name: &str, id: &str, ca: &str, profile: &str) {
    let (key, csr, pem) = (format!("{name}.key"), format!("{name}.csr"), format!("{name}.pem"));
    let mut args = vec!["csr".to_string(), "--key".into(), key, "--out".into(), csr.clone()];
    args.extend(subject(name, id));
    seal_ok(d, &args.iter().map(String::as_str).collect::<Vec<_>>());
    seal_ok(d, &["ca", "issue", "--dir", ca, "--csr", &csr, "--profile", profile, "--out", &pem]);
}

fn ca(d: &Path, dir: &str, parent: Option<&str>, path_len: &str) {
    let mut args = vec!["ca", "new", "--dir", dir, "--alg", "sm2", "--path-len", path_len];
    args.extend(["--cn", dir, "--org", "Seal Authority", "--country", "CN"]);
    if let Some(p) = parent {
        args.extend(["--parent", p]);
    }
    seal_ok(d, &args);
}

/// A copy of the DER of PEM `file` with one byte of its signed part changed.
fn tampered_der(d: &Path, file: &str, kind: &str, out: &str) {
    ok(d, "openssl", &[kind, "-in", file, "-outform", "DER", "-out", out]);
    let mut der = std::fs::read(d.join(out)).unwrap();
    der[40] ^= 1;
    std::fs::write(d.join(out), der).unwrap();
}

#[test]
fn an_sm2_ca_issues_certificates_crls_and_csrs_that_openssl_and_gmssl_verify() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    ca(d, "root", None, "1");
    ca(d, "prov", Some("root"), "0");
    seal_ok(d, &["key", "new", "--alg", "sm2", "--out", "agency.key"]);
    issue(d, "agency", "911100000000000001", "prov", "seal");

    // OpenSSL checks each link with the GM/T 0009 ID: it applies -vfyopt to the certificate
    // at depth 0 only (openssl/openssl#23471), so the intermediate is its own leaf once, and
    // the trust anchor for the agency's certificate once (-partial_chain).
    for (anchor, cert, partial) in
        [("root/ca.pem", "prov/ca.pem", false), ("prov/ca.pem", "agency.pem", true)]
    {
        let mut args = vec!["verify", "-vfyopt", DISTID, "-CAfile", anchor];
        if partial {
            args.push("-partial_chain");
        }
        args.push(cert);
        let out = ok(d, "openssl", &args);
        assert!(out.contains(&format!("{cert}: OK")), "{out}");
    }
    seal_ok(
        d,
        &["cert", "verify", "agency.pem", "--trust", "root/ca.pem", "--untrusted", "prov/ca.pem"],
    );

    // Every signature, one by one, by OpenSSL's pkeyutl and by gmssl.
    sm2_check_ok(d, &["x509", "root/ca.pem", "root/ca.pem"]);
    sm2_check_ok(d, &["x509", "prov/ca.pem", "root/ca.pem"]);
    sm2_check_ok(d, &["x509", "agency.pem", "prov/ca.pem"]);
    sm2_check_ok(d, &["x509", "agency.csr", "-"]);
    let csr =
        run(d, "openssl", &["req", "-in", "agency.csr", "-verify", "-noout", "-vfyopt", DISTID]);
    assert!(String::from_utf8_lossy(&csr.stderr).contains("verify OK"), "{csr:?}");

    // Revoked, and the CRL says so to OpenSSL and to seal.
    let serial = ok(d, "openssl", &["x509", "-in", "agency.pem", "-noout", "-serial"]);
    let serial = serial.trim().trim_start_matches("serial=").to_owned();
    seal_ok(d, &["ca", "revoke", "--dir", "prov", "--serial", &serial]);
    seal_ok(d, &["ca", "crl", "--dir", "prov", "--out", "prov.crl"]);
    sm2_check_ok(d, &["x509", "prov.crl", "prov/ca.pem"]);
    let listed = ok(d, "openssl", &["crl", "-in", "prov.crl", "-noout", "-text"]);
    assert!(listed.to_lowercase().contains(&serial.to_lowercase()), "{listed}");
    let out = seal(
        d,
        &["cert", "verify", "agency.pem", "--trust", "root/ca.pem", "--untrusted", "prov/ca.pem"]
            .into_iter()
            .chain(["--crl", "prov.crl"])
            .collect::<Vec<_>>(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));

    // The checks can fail: one changed byte in a certificate or a CRL.
    tampered_der(d, "agency.pem", "x509", "agency-changed.der");
    sm2_check_fails(d, &["x509", "agency-changed.der", "prov/ca.pem"]);
    tampered_der(d, "prov.crl", "crl", "prov-changed.der");
    sm2_check_fails(d, &["x509", "prov-changed.der", "prov/ca.pem"]);
}

#[test]
fn sm2_key_files_are_openssls_format_both_ways() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    // Ours, plain and encrypted, read by OpenSSL: the same public key as seal prints.
    seal_ok(d, &["key", "new", "--alg", "sm2", "--out", "plain.key", "--pub", "plain.pub"]);
    let theirs = ok(d, "openssl", &["pkey", "-in", "plain.key", "-pubout"]);
    assert_eq!(theirs, std::fs::read_to_string(d.join("plain.pub")).unwrap());
    let out = Command::new(env!("CARGO_BIN_EXE_seal"))
        .args(["key", "new", "--alg", "sm2", "--out", "enc.key", "--passphrase-env", "PASS"])
        .current_dir(d)
        .env("PASS", "correct horse battery")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read_to_string(d.join("enc.key")).unwrap().contains("ENCRYPTED PRIVATE KEY"));
    let out = Command::new("openssl")
        .args(["pkey", "-in", "enc.key", "-passin", "env:PASS", "-noout", "-text"])
        .current_dir(d)
        .env("PASS", "correct horse battery")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("SM2"));

    // OpenSSL's, plain and encrypted (PKCS#8 v2, AES-256-CBC), read by seal.
    ok(d, "openssl", &["genpkey", "-algorithm", "SM2", "-out", "ossl.key"]);
    let out = Command::new("openssl")
        .args(["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "ossl.key", "-out", "ossl-enc.key"])
        .args(["-passout", "env:PASS"])
        .current_dir(d)
        .env("PASS", "s3cret")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let want = ok(d, "openssl", &["pkey", "-in", "ossl.key", "-pubout"]);
    assert_eq!(seal_ok(d, &["key", "pub", "ossl.key"]), want);
    let out = Command::new(env!("CARGO_BIN_EXE_seal"))
        .args(["key", "pub", "ossl-enc.key", "--passphrase-env", "PASS"])
        .current_dir(d)
        .env("PASS", "s3cret")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), want);
}

#[test]
fn sm2_seals_and_stamps_verify_in_seal_openssl_and_gmssl() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    ca(d, "root", None, "0");
    seal_ok(d, &["key", "new", "--alg", "sm2", "--out", "maker.key"]);
    issue(d, "maker", "911100000000000009", "root", "seal-maker");
    // The holder's key and CSR are OpenSSL's, with the GM/T 0009 ID.
    ok(d, "openssl", &["genpkey", "-algorithm", "SM2", "-out", "holder.key"]);
    let subj = "/C=CN/O=Beijing Municipality/2.5.4.97=911100000000000002/CN=Market Office";
    let req = ["req", "-new", "-key", "holder.key", "-sm3", "-sigopt", DISTID, "-subj", subj];
    ok(d, "openssl", &[&req[..], &["-out", "holder.csr"]].concat());
    seal_ok(
        d,
        &["ca", "issue", "--dir", "root", "--csr", "holder.csr", "--profile", "seal"]
            .into_iter()
            .chain(["--out", "holder.pem"])
            .collect::<Vec<_>>(),
    );
    // OpenSSL's default ID (empty) is not GM/T 0009's: such a CSR is named, not signed.
    ok(
        d,
        "openssl",
        &["req", "-new", "-key", "holder.key", "-sm3", "-subj", subj, "-out", "empty-id.csr"],
    );
    let out = seal(
        d,
        &[
            "ca",
            "issue",
            "--dir",
            "root",
            "--csr",
            "empty-id.csr",
            "--profile",
            "seal",
            "--out",
            "x.pem",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not verify"));
    assert!(!d.join("x.pem").exists());

    seal_ok(
        d,
        &["seal", "new", "--maker-key", "maker.key", "--maker-cert", "maker.pem"]
            .into_iter()
            .chain(["--holder-cert", "holder.pem", "--name", "北京市市场监督管理局"])
            .chain(["--id", "110000-0001", "--draw", "--out", "holder.esl"])
            .collect::<Vec<_>>(),
    );
    sm2_check_ok(d, &["ses", "holder.esl"]);
    std::fs::write(d.join("licence.txt"), "营业执照 91110000000000000X\n".repeat(40)).unwrap();
    seal_ok(d, &["stamp", "licence.txt", "--seal", "holder.esl", "--key", "holder.key"]);
    sm2_check_ok(d, &["ses", "licence.txt.ses", "licence.txt"]);
    let out = seal(d, &["--json", "verify", "licence.txt", "--trust", "root/ca.pem"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("the file's SM3 matches the stamp"), "{text}");

    // A PDF stamped with the SM2 key: CAdES inside, with SM3 digests.
    seal_ok(d, &["demo", "--dir", "demo"]);
    std::fs::copy(d.join("demo/contract.pdf"), d.join("contract.pdf")).unwrap();
    seal_ok(d, &["stamp", "contract.pdf", "--seal", "holder.esl", "--key", "holder.key"]);
    let out = seal(d, &["verify", "contract.stamped.pdf", "--trust", "root/ca.pem"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("SM2 with SM3 signature over the signed attributes verifies"), "{text}");
    assert!(text.contains("message-digest matches the content's SM3"), "{text}");
    // JOSE has no SM2 algorithm: a JSON stamp is refused, naming why, and nothing is written.
    std::fs::write(d.join("doc.json"), "{\"a\":1}").unwrap();
    let out = seal(d, &["stamp", "doc.json", "--seal", "holder.esl", "--key", "holder.key"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SM2 with SM3 has no JOSE algorithm"));
    assert!(!d.join("doc.stamped.json").exists());

    // One changed byte: seal and gmssl both see it.
    let mut data = std::fs::read(d.join("licence.txt")).unwrap();
    data[3] ^= 1;
    std::fs::write(d.join("licence.txt"), data).unwrap();
    assert_eq!(
        seal(d, &["verify", "licence.txt", "--trust", "root/ca.pem"]).status.code(),
        Some(1)
    );
    sm2_check_fails(d, &["ses", "licence.txt.ses", "licence.txt"]);
}

fn ofd_check(d: &Path, args: &[&str]) -> Output {
    let python = std::env::var("SEAL_PYTHON").expect("SEAL_PYTHON (scripts/test sets it)");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/ofd_check.py");
    Command::new(python).arg(script).args(args).current_dir(d).output().unwrap()
}

/// Each signature of `file` as seal reports it: (id, indication, sub-indication, checks).
fn ofd_signatures(d: &Path, file: &str, trust: &[&str]) -> Vec<(String, String, String, String)> {
    let mut args = vec!["--json", "verify", file];
    for t in trust {
        args.extend(["--trust", t]);
    }
    let report = common::json(&seal(d, &args));
    report["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let checks: Vec<String> = s["checks"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["check"] != "coverage")
                .map(|c| format!("{}={}", c["check"], c["indication"]))
                .collect();
            (
                s["id"].as_str().unwrap().to_owned(),
                s["indication"].as_str().unwrap().to_owned(),
                s["sub_indication"].as_str().unwrap_or("-").to_owned(),
                checks.join(" "),
            )
        })
        .collect()
}

/// An SM2 root, seal maker and agency with its seal (`holder.esl`, `holder.key`).
fn sm2_agency(d: &Path) {
    ca(d, "root", None, "0");
    for (name, id, profile) in
        [("maker", "911100000000000009", "seal-maker"), ("holder", "911100000000000002", "seal")]
    {
        seal_ok(d, &["key", "new", "--alg", "sm2", "--out", &format!("{name}.key")]);
        issue(d, name, id, "root", profile);
    }
    seal_ok(
        d,
        &["seal", "new", "--maker-key", "maker.key", "--maker-cert", "maker.pem"]
            .into_iter()
            .chain(["--holder-cert", "holder.pem", "--name", "北京市市场监督管理局"])
            .chain(["--id", "110000-0001", "--draw", "--label", "行政审批专用章"])
            .chain(["--width-mm", "42", "--out", "holder.esl"])
            .collect::<Vec<_>>(),
    );
}

#[test]
fn other_systems_ofd_documents_stamp_and_their_stamps_stay_as_they_were() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    sm2_agency(d);
    let vectors = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/gbt38540");
    let trust = ["root/ca.pem", "ofdrw-root.pem"];
    std::fs::copy(vectors.join("ofdrw-root.pem"), d.join("ofdrw-root.pem")).unwrap();
    let mut stamped = 0;
    for entry in std::fs::read_dir(&vectors).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "ofd") {
            continue;
        }
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        std::fs::copy(&path, d.join(&name)).unwrap();
        let out_name = name.replace(".ofd", ".stamped.ofd");
        let out = seal(d, &["stamp", &name, "--seal", "holder.esl", "--key", "holder.key"]);
        // Three documents end with a signature that covers the signature list itself
        // (GB/T 35275 signatures and a cross-page seal): a new stamp would break it.
        if ["keyword.ofd", "V4RideRight.ofd", "testPathClip.ofd"].contains(&name.as_str()) {
            assert_eq!(out.status.code(), Some(2), "{name}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains("/Signature.xml covers Doc_0/Signs/Signatures.xml"),
                "{name}: {err}"
            );
            assert!(!d.join(&out_name).exists());
            continue;
        }
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let before = ofd_signatures(d, &name, &trust);
        let after = ofd_signatures(d, &out_name, &trust);
        assert_eq!(after.len(), before.len() + 1, "{name}");
        // Every earlier signature: the same verdict and the same checks.
        assert_eq!(&after[..before.len()], &before[..], "{name}");
        let ours = after.last().unwrap();
        assert_eq!(ours.1, "TOTAL-PASSED", "{name}: {ours:?}");
        // The independent check of ours.
        let dir = ours.0.split(' ').next().unwrap();
        let sig = format!("{dir}/Signature.xml");
        let out = ofd_check(d, &["verify", &out_name, &sig]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{name}: {text}{}", String::from_utf8_lossy(&out.stderr));
        assert!(!text.contains("FAILED") && text.contains("gmssl verify_with_sm3: OK"));
        stamped += 1;
    }
    // Six stamped by other systems, three unsigned (two from Suwell), and ofdrw's digital
    // signature.
    assert_eq!(stamped, 10, "the vendor documents in vectors/gbt38540");
}

#[test]
fn ofd_co_stamps_keep_earlier_ones_and_any_changed_byte_fails() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    sm2_agency(d);
    let vectors = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/gbt38540");
    std::fs::copy(vectors.join("1.ofd"), d.join("invoice.ofd")).unwrap();
    // A second agency, P-256 this time, stamps after the first, on page 1 at 20,30 mm.
    seal_ok(d, &["key", "new", "--alg", "p256", "--out", "second.key"]);
    issue(d, "second", "911100000000000003", "root", "seal");
    seal_ok(
        d,
        &["seal", "new", "--maker-key", "maker.key", "--maker-cert", "maker.pem"]
            .into_iter()
            .chain(["--holder-cert", "second.pem", "--name", "北京市税务局"])
            .chain(["--id", "110000-0002", "--draw", "--shape", "oval", "--width-mm", "45"])
            .chain(["--out", "second.esl"])
            .collect::<Vec<_>>(),
    );
    seal_ok(d, &["stamp", "invoice.ofd", "--seal", "holder.esl", "--key", "holder.key"]);
    std::fs::rename(d.join("invoice.stamped.ofd"), d.join("once.ofd")).unwrap();
    let args = ["stamp", "once.ofd", "--seal", "second.esl", "--key", "second.key"];
    seal_ok(d, &[&args[..], &["--page", "1", "--at", "20,30"]].concat());
    let sigs = ofd_signatures(d, "once.stamped.ofd", &["root/ca.pem"]);
    assert_eq!(sigs.len(), 3);
    assert!(sigs[1].0.starts_with("Doc_0/Signs/Sign_1 ") && sigs[1].1 == "TOTAL-PASSED");
    assert!(sigs[2].0.starts_with("Doc_0/Signs/Sign_2 ") && sigs[2].1 == "TOTAL-PASSED");
    // The earlier stamp's report names what came after it.
    let text = String::from_utf8_lossy(
        &seal(d, &["verify", "once.stamped.ofd", "--trust", "root/ca.pem"]).stdout,
    )
    .into_owned();
    assert!(text.contains("outside it, as GB/T 33190 lets later signatures add them"), "{text}");
    let out = ofd_check(d, &["verify", "once.stamped.ofd", "Doc_0/Signs/Sign_1/Signature.xml"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    // The P-256 stamp: SHA-256 references, ECDSA; the Python check does SM2 only.
    let python = std::env::var("SEAL_PYTHON").expect("SEAL_PYTHON (scripts/test sets it)");
    let read = "import zipfile,sys; sys.stdout.write(zipfile.ZipFile('once.stamped.ofd').read('Doc_0/Signs/Sign_2/Signature.xml').decode())";
    let desc = ok(d, &python, &["-c", read]);
    assert!(desc.contains("CheckMethod=\"2.16.840.1.101.3.4.2.1\""), "{desc}");
    assert!(desc.contains("Boundary=\"20.00 30.00 45.00 30.00\""), "{desc}");

    // One changed byte in any part: the stamps that cover it fail, in seal and in Python.
    let out = ofd_check(d, &["tamper", "once.stamped.ofd", "tampered"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let n: usize = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    assert!(n >= 20, "{n} parts");
    for i in 0..n {
        let part = std::fs::read_to_string(d.join(format!("tampered/{i}.txt"))).unwrap();
        let file = format!("tampered/{i}.ofd");
        let out = seal(d, &["--json", "verify", &file, "--trust", "root/ca.pem"]);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        let verdict = |dir: &str| {
            report["signatures"].as_array().and_then(|s| {
                s.iter()
                    .find(|s| s["id"].as_str().is_some_and(|i| i.starts_with(&format!("{dir} "))))
                    .map(|s| s["indication"].as_str().unwrap_or("").to_owned())
            })
        };
        if part == "Doc_0/Signs/Signatures.xml" {
            // The one part no stamp covers: GB/T 33190 lets each new signature add itself
            // to the list. A change there can only hide a listed stamp, never alter what a
            // stamp covers, so either the same stamps verify or fewer are found.
            let listed = report["signatures"].as_array().map_or(0, Vec::len);
            assert!(listed <= 3, "{part}: {report}");
            continue;
        }
        assert_ne!(report["indication"], "TOTAL-PASSED", "{part}");
        // The later stamp covers every part but its own two, which it protects itself; the
        // earlier one every part that was there when it was made.
        let covering: &[&str] = if part.starts_with("Doc_0/Signs/Sign_2/") {
            &["Doc_0/Signs/Sign_2"]
        } else {
            &["Doc_0/Signs/Sign_1", "Doc_0/Signs/Sign_2"]
        };
        for dir in covering {
            assert_ne!(verdict(dir).as_deref(), Some("TOTAL-PASSED"), "{part} changed: {dir}");
        }
        if covering.len() == 2 {
            let out = ofd_check(d, &["verify", &file, "Doc_0/Signs/Sign_1/Signature.xml"]);
            assert_ne!(out.status.code(), Some(0), "{part} changed, and Python passes Sign_1");
        }
    }
}

/// What other Chinese seal systems write where GB/T 38540's DER says otherwise
/// (vectors/gbt38540/quirks, signed by OpenSSL through gen.py there): a date without its
/// time zone, an undefined certListType over certificates. They verify, and the report
/// says what was read leniently; an undefined type over anything else binds no holder.
#[test]
fn vendor_encodings_verify_and_the_report_names_each_leniency() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let vectors = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors");
    let quirks = vectors.join("gbt38540/quirks");
    let root = vectors.join("sm2/root.pem");
    let root = root.to_str().unwrap();
    let file = quirks.join("message.txt");
    let verify = |sig: &str| {
        let sig = quirks.join(sig);
        let args = ["verify", file.to_str().unwrap(), "--sig", sig.to_str().unwrap()];
        let trust = ["--trust", root, "--seal-maker", root, "--at", "2027-06-01"];
        seal(d, &[&args[..], &trust].concat())
    };
    let passed = |sig: &str| {
        let out = verify(sig);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_eq!(out.status.code(), Some(0), "{text}");
        text
    };
    let text = passed("no-zone.ses");
    assert!(text.contains("TOTAL-PASSED"), "{text}");
    assert!(text.contains(
        "seal-encoding: read leniently, not as GB/T 38540's DER: createDate \"20261203000000\": \
         no time zone, read as China Standard Time (UTC+8)"
    ));
    assert!(text.contains("time:    2026-12-03T02:00:00Z"), "{text}");

    let text = passed("certlist3.ses");
    assert!(text.contains("TOTAL-PASSED") && text.contains("certListType 3"), "{text}");

    let out = verify("certlist3-junk.ses");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("FAIL seal-holder") && text.contains("unknown certListType 3"), "{text}");

    // The seal on its own, as `seal seal verify` reads it.
    let esl = quirks.join("no-zone.esl");
    let args = ["--json", "seal", "verify", esl.to_str().unwrap(), "--trust", root];
    let out = seal(d, &[&args[..], &["--seal-maker", root, "--at", "2027-06-01"]].concat());
    assert_eq!(out.status.code(), Some(0));
    let report = common::json(&out);
    let report = &report["signatures"][0];
    let checks = report["checks"].as_array().unwrap();
    let encoding = checks.iter().find(|c| c["check"] == "seal-encoding");
    assert!(encoding.unwrap()["detail"].as_str().unwrap().contains("validEnd \"20311203000000\""));
    assert_eq!(report["seal"]["valid_end"], "2031-12-02T16:00:00Z");
}
