//! Signatures made by OpenSSL, not by us, verified by `seal`: an RSA-3072 root, a P-384
//! intermediate and RSA-2048 / P-384 signers (one with only nonRepudiation and a critical
//! qcStatements extension, as EU qualified certificates have), and CMS in every form
//! `openssl cms` writes: CAdES (`-cades`), plain, without attributes (`-noattr`), attached,
//! BER (`-stream`), with SHA-384 and SHA-512, RSA-PSS. Only the root is trusted: the
//! intermediate comes from inside the signature or from a PEM bundle.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::*;

/// Removes `eContent [0] EXPLICIT OCTET STRING` (indefinite, segmented, as `openssl cms
/// -stream` writes it) from a BER SignedData, making it detached.
fn detach_ber(ber: &[u8]) -> Vec<u8> {
    let data_oid = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
    let at = ber.windows(data_oid.len()).position(|w| w == data_oid).unwrap() + data_oid.len();
    assert_eq!(&ber[at..at + 4], &[0xa0, 0x80, 0x24, 0x80], "eContent as openssl streams it");
    let mut i = at + 4;
    while ber[i..i + 2] != [0, 0] {
        assert_eq!(ber[i], 0x04, "a primitive segment");
        let (len, head) = match ber[i + 1] {
            n if n < 0x80 => (usize::from(n), 2),
            0x81 => (usize::from(ber[i + 2]), 3),
            0x82 => (usize::from(ber[i + 2]) << 8 | usize::from(ber[i + 3]), 4),
            other => panic!("length form {other:#x}"),
        };
        i += head + len;
    }
    assert_eq!(&ber[i..i + 4], &[0, 0, 0, 0]);
    [&ber[..at], &ber[i + 4..]].concat()
}

#[test]
fn openssl_cms_in_every_form_verifies_with_only_the_root_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pki(d);
    // The chains themselves, as OpenSSL sees them, and as seal does.
    for leaf in ["rsa", "p384", "qualified"] {
        let pem = format!("{leaf}.pem");
        let openssl =
            run(d, "openssl", &["verify", "-CAfile", "root.pem", "-untrusted", "inter.pem", &pem]);
        // OpenSSL 3.0 does not know qcStatements and refuses it critical (RFC 3739 §3.2.6
        // allows criticality); seal knows it and accepts it.
        assert_eq!(openssl.status.success(), leaf != "qualified", "{leaf}: openssl verify");
        let out = seal(
            d,
            &[
                "--json",
                "cert",
                "verify",
                &pem,
                "--trust",
                "root.pem",
                "--untrusted",
                "inter.pem",
                "--purpose",
                "seal",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{leaf}: {}", String::from_utf8_lossy(&out.stdout));
    }

    // (name, signer, extra openssl cms flags, the level the report must name)
    let cases: &[(&str, &str, &[&str], &str)] = &[
        ("cades-rsa", "rsa", &["-cades", "-md", "sha256"], "CAdES-B"),
        ("cades-p384", "p384", &["-cades", "-md", "sha384"], "CAdES-B"),
        ("plain-rsa-sha512", "rsa", &["-md", "sha512"], "(CMS)"),
        ("noattr-rsa", "rsa", &["-noattr"], "without signed attributes"),
        ("noattr-p384", "p384", &["-noattr", "-md", "sha384"], "without signed attributes"),
        ("ber-stream", "rsa", &["-stream", "-cades"], "CAdES-B"),
        ("pss", "rsa", &["-keyopt", "rsa_padding_mode:pss", "-cades"], "CAdES-B"),
        ("qualified", "qualified", &["-cades"], "CAdES-B"),
        ("keyid", "p384", &["-keyid", "-cades"], "CAdES-B"),
    ];
    for (name, signer, flags, level) in cases {
        let sig = format!("doc.txt.{name}.p7s");
        let (cert, key) = (format!("{signer}.pem"), format!("{signer}.key"));
        let mut args = vec![
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
            "-outform",
            "DER",
            "-out",
            &sig,
        ];
        args.extend_from_slice(flags);
        ok(d, "openssl", &args);
        if *name == "ber-stream" {
            let bytes = std::fs::read(d.join(&sig)).unwrap();
            assert_eq!(bytes.get(1), Some(&0x80), "openssl -stream writes indefinite lengths");
            // OpenSSL streams the content inside; LibreOffice's PDF signatures are BER and
            // detached. Drop the eContent, as they do, keeping every other byte.
            std::fs::write(d.join(&sig), detach_ber(&bytes)).unwrap();
        }
        let out = seal(d, &["--json", "verify", "doc.txt", "--sig", &sig, "--trust", "root.pem"]);
        let r = json(&out);
        assert_eq!(out.status.code(), Some(0), "{name}: {r:#}");
        assert_eq!(r["indication"], "TOTAL-PASSED", "{name}");
        let s = &r["signatures"][0];
        assert!(s["format"].as_str().unwrap().contains(level), "{name}: {}", s["format"]);
        assert!(
            s["checks"].as_array().unwrap().iter().any(|c| c["check"] == "revocation"
                && c["detail"].as_str().unwrap().contains("not checked")),
            "{name}: revocation shown"
        );
        // Under the CAdES baseline policy, only real CAdES passes.
        let strict = seal(
            d,
            &[
                "--json",
                "verify",
                "doc.txt",
                "--sig",
                &sig,
                "--trust",
                "root.pem",
                "--policy",
                "cades-baseline",
            ],
        );
        assert_eq!(strict.status.code() == Some(0), level.contains("CAdES"), "{name} strict");
        // A changed byte of the content is caught, whatever the form.
        let changed = d.join("changed.txt");
        let mut content = std::fs::read(d.join("doc.txt")).unwrap();
        content[7] ^= 1;
        std::fs::write(&changed, &content).unwrap();
        let out =
            seal(d, &["--json", "verify", "changed.txt", "--sig", &sig, "--trust", "root.pem"]);
        assert_eq!(out.status.code(), Some(1), "{name}: changed content must fail");
    }

    // Attached (.p7m), DER and BER: verified, content extracted.
    for (name, extra) in [("attached.p7m", &[][..]), ("attached-ber.p7m", &["-stream"][..])] {
        let mut args = vec![
            "cms",
            "-sign",
            "-nodetach",
            "-binary",
            "-in",
            "doc.txt",
            "-signer",
            "rsa.pem",
            "-inkey",
            "rsa.key",
            "-certfile",
            "inter.pem",
            "-cades",
            "-outform",
            "DER",
            "-out",
            name,
        ];
        args.extend_from_slice(extra);
        ok(d, "openssl", &args);
        let out_file = format!("{name}.out");
        let out = seal(
            d,
            &["--json", "verify", name, "--trust", "root.pem", "--extract-content", &out_file],
        );
        assert_eq!(out.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&out.stdout));
        assert_eq!(
            std::fs::read(d.join(&out_file)).unwrap(),
            std::fs::read(d.join("doc.txt")).unwrap()
        );
        // Without --extract-content, `seal verify x.p7m` verifies it too.
        let out = seal(d, &["verify", name, "--trust", "root.pem"]);
        assert_eq!(out.status.code(), Some(0), "{name}");
    }

    // A PEM bundle as the trust anchors, with text between blocks; the option repeated
    // before the file; a directory of anchors.
    let out =
        seal(d, &["verify", "--trust", "bundle.pem", "doc.txt", "--sig", "doc.txt.cades-rsa.p7s"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::create_dir(d.join("anchors")).unwrap();
    std::fs::copy(d.join("root.pem"), d.join("anchors/root.pem")).unwrap();
    std::fs::write(d.join("anchors/README"), "not a certificate").unwrap();
    let out =
        seal(d, &["verify", "doc.txt", "--sig", "doc.txt.cades-p384.p7s", "--trust", "anchors"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));

    // Without the root: no path, INDETERMINATE, and the report names the missing link.
    std::fs::write(d.join("other.pem"), std::fs::read(d.join("inter.pem")).unwrap()).unwrap();
    let out = seal(
        d,
        &["--json", "verify", "doc.txt", "--sig", "doc.txt.cades-rsa.p7s", "--trust", "p384.pem"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["indication"], "INDETERMINATE");

    // --require-revocation: no CRL was given, so TRY_LATER.
    let out = seal(
        d,
        &[
            "--json",
            "verify",
            "doc.txt",
            "--sig",
            "doc.txt.cades-rsa.p7s",
            "--trust",
            "root.pem",
            "--require-revocation",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["sub_indication"], "TRY_LATER");
}

#[test]
fn sha1_signatures_are_intact_but_indeterminate() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pki(d);
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
            "rsa.pem",
            "-inkey",
            "rsa.key",
            "-certfile",
            "inter.pem",
            "-md",
            "sha1",
            "-outform",
            "DER",
            "-out",
            "sha1.p7s",
        ],
    );
    let out = seal(d, &["--json", "verify", "doc.txt", "--sig", "sha1.p7s", "--trust", "root.pem"]);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(r["indication"], "INDETERMINATE", "{r:#}");
    assert_eq!(r["sub_indication"], "CRYPTO_CONSTRAINTS_FAILURE");
    let checks = r["signatures"][0]["checks"].as_array().unwrap();
    let sig = checks.iter().find(|c| c["check"] == "signature").unwrap();
    assert_eq!(sig["indication"], "TOTAL-PASSED", "the signature itself is intact");
}

#[test]
fn rsa_and_p384_stamps_pass_pyhanko_pdfsig_and_openssl_with_only_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    seal_pki(d);
    // An NSS database trusting only the root, for pdfsig.
    std::fs::create_dir(d.join("nss")).unwrap();
    ok(d, "certutil", &["-N", "-d", "sql:nss", "--empty-password"]);
    ok(d, "certutil", &["-A", "-d", "sql:nss", "-n", "root", "-t", "CT,C,C", "-i", "root/ca.pem"]);
    let pdf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/pdf/gs-3pages.pdf");
    for name in ["rsa", "p384", "ossl"] {
        let input = format!("{name}.pdf");
        std::fs::copy(&pdf, d.join(&input)).unwrap();
        let (esl, key) = (format!("{name}.esl"), format!("{name}.key"));
        // No --chain: `seal ca issue` wrote the certificate with its chain, the seal carries
        // it (seal_pki), and so does every stamp.
        seal_ok(d, &["stamp", &input, "--seal", &esl, "--key", &key]);
        let stamped = format!("{name}.stamped.pdf");
        let out = seal(d, &["--json", "verify", &stamped, "--trust", "root/ca.pem"]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&out.stdout));
        let py = pyhanko_validate(d, &stamped);
        let text = String::from_utf8_lossy(&py.stdout);
        assert!(
            text.contains(":INTACT:TRUSTED"),
            "{name}: pyhanko: {text}{}",
            String::from_utf8_lossy(&py.stderr)
        );
        let ps = ok(d, "pdfsig", &["-nssdir", "sql:nss", &stamped]);
        assert!(ps.contains("Signature is Valid."), "{name}: {ps}");
        assert!(ps.contains("Certificate is Trusted."), "{name}: {ps}");
        // The same keys make CAdES files OpenSSL verifies with only the root.
        std::fs::write(d.join("note.txt"), format!("note by {name}")).unwrap();
        seal_ok(
            d,
            &["stamp", "note.txt", "--format", "cms", "--seal", &esl, "--key", &key, "--force"],
        );
        ok(
            d,
            "openssl",
            &[
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                "note.txt.p7s",
                "-content",
                "note.txt",
                "-CAfile",
                "root/ca.pem",
                "-purpose",
                "any",
                "-out",
                "/dev/null",
            ],
        );
    }
    // The other formats carry the chain too: JWS inside JSON, GB/T 38540 stamps (whose seal
    // carries it), each verified with only the root.
    std::fs::write(d.join("doc.json"), r#"{"licence": 17}"#).unwrap();
    for (input, check) in [
        ("doc.json", vec!["doc.stamped.json"]),
        ("note.txt", vec!["note.txt", "--sig", "note.txt.ses"]),
    ] {
        seal_ok(d, &["stamp", input, "--seal", "p384.esl", "--key", "p384.key", "--force"]);
        let out = seal(d, &[&["--json", "verify", "--trust", "root/ca.pem"], &check[..]].concat());
        assert_eq!(out.status.code(), Some(0), "{input}: {:#}", json(&out));
    }
    // The seal shows the chain it carries; `--cert-only` writes the certificate alone.
    let shown = json(&seal(d, &["--json", "seal", "show", "p384.esl"]));
    assert_eq!(shown["holder_chain"], serde_json::json!(["CN=P-384 CA,O=Seal Authority,C=VN"]));
    assert_eq!(pem_blocks(d, "p384.pem"), 2, "the issued certificate and its CA");
    let args = ["ca", "issue", "--dir", "prov", "--csr", "p384.csr", "--profile", "seal"];
    seal_ok(d, &[&args[..], &["--out", "alone.pem", "--cert-only"]].concat());
    assert_eq!(pem_blocks(d, "alone.pem"), 1);
    // pyHanko signs with an RSA key under the same CA; seal verifies it with only the root.
    // pyHanko's --cert wants a file with one certificate: OpenSSL takes the first.
    ok(d, "openssl", &["x509", "-in", "ossl.pem", "-out", "ossl-only.pem"]);
    let py = run(
        d,
        python_tool("pyhanko").to_str().unwrap(),
        &[
            "sign",
            "addsig",
            "--field",
            "Sig1",
            "pemder",
            "--key",
            "ossl.key",
            "--cert",
            "ossl-only.pem",
            "--chain",
            "prov/ca.pem",
            "--no-pass",
            "rsa.pdf",
            "by-pyhanko.pdf",
        ],
    );
    assert!(py.status.success(), "{}", String::from_utf8_lossy(&py.stderr));
    let out = seal(d, &["--json", "verify", "by-pyhanko.pdf", "--trust", "root/ca.pem"]);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(0), "{r:#}");
    assert!(r["signatures"][0]["algorithm"].as_str().unwrap().contains("RSA"), "{r:#}");
}

fn pem_blocks(d: &Path, file: &str) -> usize {
    std::fs::read_to_string(d.join(file)).unwrap().matches("-----BEGIN CERTIFICATE-----").count()
}
