//! Revocation evidence from other producers and for them: `openssl ocsp` responses, OpenSSL
//! CRLs, `seal ca ocsp` answers that OpenSSL verifies, and CRLs pyHanko embeds in
//! signatures.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::*;

/// `openssl ocsp` as the responder: a delegated responder (id-kp-OCSPSigning) and the CA
/// itself sign good and revoked answers; seal uses them with `--ocsp`, and refuses a
/// response signed by a certificate the CA did not make a responder, or past nextUpdate.
#[test]
fn openssl_ocsp_responses_are_revocation_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pki(d);
    std::fs::write(
        d.join("ocsp.cnf"),
        "[ocsp]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n\
         extendedKeyUsage = OCSPSigning\n",
    )
    .unwrap();
    ok(
        d,
        "openssl",
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ocsp.key",
            "-subj",
            "/CN=OCSP responder",
            "-out",
            "ocsp.csr",
        ],
    );
    ok(
        d,
        "openssl",
        &[
            "x509",
            "-req",
            "-in",
            "ocsp.csr",
            "-CA",
            "inter.pem",
            "-CAkey",
            "inter.key",
            "-set_serial",
            "77",
            "-days",
            "30",
            "-extfile",
            "ocsp.cnf",
            "-extensions",
            "ocsp",
            "-out",
            "ocsp.pem",
        ],
    );
    // OpenSSL's index: rsa.pem good, p384.pem revoked.
    let serial = |pem: &str| {
        let out = ok(d, "openssl", &["x509", "-in", pem, "-noout", "-serial"]);
        let hex = out.trim().trim_start_matches("serial=").to_string();
        if hex.len() % 2 == 1 { format!("0{hex}") } else { hex }
    };
    let index = format!(
        "V\t301231235959Z\t\t{}\tunknown\t/CN=OpenSSL rsa/O=Interop\n\
         R\t301231235959Z\t260101000000Z,keyCompromise\t{}\tunknown\t/CN=OpenSSL p384/O=Interop\n",
        serial("rsa.pem"),
        serial("p384.pem")
    );
    std::fs::write(d.join("index.txt"), index).unwrap();
    for (leaf, signer, key, out) in [
        ("rsa.pem", "ocsp.pem", "ocsp.key", "rsa-good.der"),
        ("p384.pem", "ocsp.pem", "ocsp.key", "p384-revoked.der"),
        ("rsa.pem", "inter.pem", "inter.key", "rsa-by-ca.der"),
        ("rsa.pem", "qualified.pem", "qualified.key", "rsa-by-stranger.der"),
    ] {
        ok(
            d,
            "openssl",
            &[
                "ocsp",
                "-index",
                "index.txt",
                "-CA",
                "inter.pem",
                "-rsigner",
                signer,
                "-rkey",
                key,
                "-issuer",
                "inter.pem",
                "-cert",
                leaf,
                "-ndays",
                "1",
                "-respout",
                out,
            ],
        );
    }
    for (name, signer) in [("rsa", "rsa"), ("p384", "p384")] {
        let sig = format!("doc.txt.{name}.p7s");
        let (cert, key) = (format!("{signer}.pem"), format!("{signer}.key"));
        ok(
            d,
            "openssl",
            &[
                "cms",
                "-sign",
                "-binary",
                "-in",
                "doc.txt",
                "-signer",
                &cert,
                "-inkey",
                &key,
                "-certfile",
                "inter.pem",
                "-cades",
                "-outform",
                "DER",
                "-out",
                &sig,
            ],
        );
    }
    let verify = |sig: &str, ocsp: &str, extra: &[&str]| {
        let mut args = vec![
            "--json", "verify", "doc.txt", "--sig", sig, "--trust", "root.pem", "--ocsp", ocsp,
        ];
        args.extend_from_slice(extra);
        let out = seal(d, &args);
        (out.status.code(), json(&out))
    };
    let revocation = |r: &serde_json::Value| {
        r["signatures"][0]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == "revocation")
            .map(|c| c["detail"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    // Good, from a delegated responder and from the CA itself.
    for ocsp in ["rsa-good.der", "rsa-by-ca.der"] {
        let (code, r) = verify("doc.txt.rsa.p7s", ocsp, &[]);
        assert_eq!(code, Some(0), "{ocsp}: {r:#}");
        assert!(revocation(&r).contains("OCSP of"), "{ocsp}: {}", revocation(&r));
    }
    // Revoked before the validation time: TOTAL-FAILED, REVOKED.
    let (code, r) = verify("doc.txt.p384.p7s", "p384-revoked.der", &[]);
    assert_eq!(code, Some(1), "{r:#}");
    assert_eq!(r["sub_indication"], "REVOKED", "{r:#}");
    // Signed by a certificate that is no responder of the CA: not evidence; with
    // --require-revocation that leaves the status unknown (TRY_LATER).
    let (code, r) = verify("doc.txt.rsa.p7s", "rsa-by-stranger.der", &["--require-revocation"]);
    assert_eq!(code, Some(1), "{r:#}");
    assert_eq!(r["sub_indication"], "TRY_LATER", "{r:#}");
    // Past nextUpdate (a day): stale, INDETERMINATE.
    let later = seal(
        d,
        &[
            "--json",
            "verify",
            "doc.txt",
            "--sig",
            "doc.txt.rsa.p7s",
            "--trust",
            "root.pem",
            "--ocsp",
            "rsa-good.der",
            "--at",
            "2030-01-01",
        ],
    );
    let r = json(&later);
    assert_eq!(later.status.code(), Some(1));
    assert!(r.to_string().contains("stale") || r["indication"] != "TOTAL-PASSED", "{r:#}");
    // OpenSSL-made CRLs from the same index: by the P-384 intermediate (SHA-384) and by the
    // RSA root (no entries); with them, the RSA signer is good and the P-384 one revoked.
    std::fs::write(d.join("crlnumber"), "01\n").unwrap();
    std::fs::write(d.join("empty.txt"), "").unwrap();
    std::fs::write(d.join("rootnumber"), "01\n").unwrap();
    std::fs::write(
        d.join("gencrl.cnf"),
        "[ca]\ndefault_ca = inter\n[inter]\ndatabase = index.txt\ncrlnumber = crlnumber\n\
         default_md = sha384\ndefault_crl_days = 7\n[root]\ndatabase = empty.txt\n\
         crlnumber = rootnumber\ndefault_md = sha256\ndefault_crl_days = 7\n",
    )
    .unwrap();
    ok(
        d,
        "openssl",
        &[
            "ca",
            "-gencrl",
            "-config",
            "gencrl.cnf",
            "-name",
            "inter",
            "-keyfile",
            "inter.key",
            "-cert",
            "inter.pem",
            "-out",
            "inter.crl",
        ],
    );
    ok(
        d,
        "openssl",
        &[
            "ca",
            "-gencrl",
            "-config",
            "gencrl.cnf",
            "-name",
            "root",
            "-keyfile",
            "root.key",
            "-cert",
            "root.pem",
            "-out",
            "root.crl",
        ],
    );
    for (sig, good) in [("doc.txt.rsa.p7s", true), ("doc.txt.p384.p7s", false)] {
        let out = seal(
            d,
            &[
                "--json",
                "verify",
                "doc.txt",
                "--sig",
                sig,
                "--trust",
                "root.pem",
                "--crl",
                "inter.crl",
                "--crl",
                "root.crl",
                "--require-revocation",
            ],
        );
        let r = json(&out);
        if good {
            assert_eq!(out.status.code(), Some(0), "{sig}: {r:#}");
            assert!(revocation(&r).contains("CRL of"), "{}", revocation(&r));
        } else {
            assert_eq!(r["sub_indication"], "REVOKED", "{sig}: {r:#}");
        }
    }
    // OpenSSL checks the same responses the same way.
    let o = run(
        d,
        "openssl",
        &[
            "ocsp",
            "-respin",
            "rsa-good.der",
            "-no_nonce",
            "-issuer",
            "inter.pem",
            "-cert",
            "rsa.pem",
            "-CAfile",
            "root.pem",
            "-verify_other",
            "inter.pem",
        ],
    );
    let text =
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(text.contains("rsa.pem: good") && text.contains("Response verify OK"), "{text}");
}

/// `seal ca ocsp` answers from the CA's records; OpenSSL verifies the answers, and seal uses
/// them: good for the demo agency, revoked for the revoked one.
#[test]
fn our_ocsp_responses_verify_in_openssl_and_in_seal() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    seal_ok(d, &["demo", "--dir", "pki"]);
    let serial = |pem: &str| {
        let out = seal_ok(d, &["--json", "cert", "show", pem]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v[0]["serial"].as_str().unwrap().to_string()
    };
    for (who, status) in [("agency", "good"), ("revoked-agency", "revoked")] {
        let pem = format!("pki/{who}.pem");
        let out = format!("{who}.ocsp");
        seal_ok(
            d,
            &["ca", "ocsp", "--dir", "pki/province", "--serial", &serial(&pem), "--out", &out],
        );
        let o = run(
            d,
            "openssl",
            &[
                "ocsp",
                "-respin",
                &out,
                "-no_nonce",
                "-issuer",
                "pki/province/ca.pem",
                "-cert",
                &pem,
                "-CAfile",
                "pki/root/ca.pem",
                "-verify_other",
                "pki/province/ca.pem",
            ],
        );
        let text =
            String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
        assert!(text.contains("Response verify OK"), "{who}: {text}");
        assert!(text.contains(&format!("{pem}: {status}")), "{who}: {text}");
        let v = seal(
            d,
            &[
                "--json",
                "cert",
                "verify",
                &pem,
                "--trust",
                "pki/root/ca.pem",
                "--untrusted",
                "pki/province/ca.pem",
                "--ocsp",
                &out,
                "--purpose",
                "seal",
            ],
        );
        let r = json(&v);
        if status == "good" {
            assert_eq!(v.status.code(), Some(0), "{r:#}");
        } else {
            assert_eq!(r["sub_indication"], "REVOKED", "{r:#}");
        }
    }
    // An unknown serial is answered "unknown" (OpenSSL agrees), never "good".
    seal_ok(d, &["ca", "ocsp", "--dir", "pki/province", "--serial", "0badc0de", "--out", "x.ocsp"]);
    let o = run(d, "openssl", &["ocsp", "-respin", "x.ocsp", "-resp_text", "-noverify"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("Cert Status: unknown"));
}

/// Revocation data carried inside a signature counts (once checked): pyHanko embeds the
/// CRLs in an adbe-revocationInfoArchival signed attribute (adbe.pkcs7.detached) or in the
/// PDF's /DSS (PAdES); seal needs no --crl to know the agency is good and the revoked one
/// revoked.
#[test]
fn revocation_data_inside_a_signature_is_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    seal_ok(d, &["demo", "--dir", "pki"]);
    let pdf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/pdf/gs-3pages.pdf");
    std::fs::copy(&pdf, d.join("in.pdf")).unwrap();
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/pyhanko_sign_revinfo.py");
    let python = std::env::var("SEAL_PYTHON").expect("SEAL_PYTHON (scripts/test sets it)");
    for (who, form) in [("agency", "adbe"), ("agency", "pades"), ("revoked-agency", "adbe")] {
        let out = format!("{who}-{form}.pdf");
        let (key, cert) = (format!("pki/{who}.key"), format!("pki/{who}.pem"));
        let py = run(
            d,
            &python,
            &[
                script.to_str().unwrap(),
                &key,
                &cert,
                "pki/province/ca.pem",
                "pki/root/ca.pem",
                "in.pdf",
                &out,
                form,
                "pki/province.crl",
                "pki/root.crl",
            ],
        );
        assert!(py.status.success(), "{}", String::from_utf8_lossy(&py.stderr));
        let v = seal(d, &["--json", "verify", &out, "--trust", "pki/root/ca.pem"]);
        let r = json(&v);
        if who == "agency" {
            assert_eq!(v.status.code(), Some(0), "{form}: {r:#}");
            let checks = r["signatures"][0]["checks"].as_array().unwrap();
            let rev = checks.iter().find(|c| c["check"] == "revocation").unwrap();
            assert!(rev["detail"].as_str().unwrap().contains("CRL of"), "{form}: {rev}");
        } else {
            assert_eq!(r["sub_indication"], "REVOKED", "{form}: {r:#}");
        }
    }
}
