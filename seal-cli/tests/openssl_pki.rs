//! Signatures made by OpenSSL, not by us, verified by `seal`: an RSA-3072 root, a P-384
//! intermediate and RSA-2048 / P-384 signers (one with only nonRepudiation and a critical
//! qcStatements extension, as EU qualified certificates have), and CMS in every form
//! `openssl cms` writes: CAdES (`-cades`), plain, without attributes (`-noattr`), attached,
//! BER (`-stream`), with SHA-384 and SHA-512, RSA-PSS. Only the root is trusted: the
//! intermediate comes from inside the signature or from a PEM bundle.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

fn run(dir: &Path, cmd: &str, args: &[&str]) -> Output {
    Command::new(cmd).args(args).current_dir(dir).output().expect("the command runs")
}

fn ok(dir: &Path, cmd: &str, args: &[&str]) -> String {
    let out = run(dir, cmd, args);
    assert!(
        out.status.success(),
        "{cmd} {args:?}: exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn seal(dir: &Path, args: &[&str]) -> Output {
    run(dir, env!("CARGO_BIN_EXE_seal"), args)
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

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

const EXT: &str = "\
[ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[signer]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[qualified]
basicConstraints = critical, CA:FALSE
keyUsage = critical, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
1.3.6.1.5.5.7.1.3 = critical, DER:300a3008060604008e460101
";

/// root (RSA-3072) -> inter (P-384) -> rsa (RSA-2048), p384 (P-384), qualified (RSA-2048).
fn pki(d: &Path) {
    std::fs::write(d.join("ext.cnf"), EXT).unwrap();
    ok(
        d,
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:3072",
            "-nodes",
            "-keyout",
            "root.key",
            "-subj",
            "/CN=OpenSSL RSA Root/O=Interop",
            "-days",
            "3650",
            "-sha256",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-out",
            "root.pem",
        ],
    );
    let issue = |name: &str, newkey: &[&str], ca: &str, ext: &str, digest: &str| {
        let mut args = vec!["req", "-new"];
        args.extend_from_slice(newkey);
        let subj = format!("/CN=OpenSSL {name}/O=Interop");
        let key = format!("{name}.key");
        let csr = format!("{name}.csr");
        args.extend_from_slice(&["-nodes", "-keyout", &key, "-subj", &subj, "-out", &csr]);
        ok(d, "openssl", &args);
        let (ca_cert, ca_key) = (format!("{ca}.pem"), format!("{ca}.key"));
        let out = format!("{name}.pem");
        ok(
            d,
            "openssl",
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                &ca_cert,
                "-CAkey",
                &ca_key,
                "-set_serial",
                &format!("{}", name.len() * 7919),
                "-days",
                "1000",
                digest,
                "-extfile",
                "ext.cnf",
                "-extensions",
                ext,
                "-out",
                &out,
            ],
        );
    };
    issue(
        "inter",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
        "root",
        "ca",
        "-sha256",
    );
    issue("rsa", &["-newkey", "rsa:2048"], "inter", "signer", "-sha384");
    issue(
        "p384",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
        "inter",
        "signer",
        "-sha384",
    );
    issue("qualified", &["-newkey", "rsa:2048"], "inter", "qualified", "-sha512");
    let bundle = std::fs::read_to_string(d.join("inter.pem")).unwrap()
        + "some text between blocks\n"
        + &std::fs::read_to_string(d.join("root.pem")).unwrap();
    std::fs::write(d.join("bundle.pem"), bundle).unwrap();
    std::fs::write(d.join("doc.txt"), "a contract signed with OpenSSL\n".repeat(50)).unwrap();
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

fn python_tool(name: &str) -> std::path::PathBuf {
    let python = std::env::var("SEAL_PYTHON").expect("SEAL_PYTHON (scripts/test sets it)");
    Path::new(&python).parent().unwrap().join(name)
}

fn seal_ok(d: &Path, args: &[&str]) -> String {
    ok(d, env!("CARGO_BIN_EXE_seal"), args)
}

/// An RSA-3072 root, a P-384 intermediate, agencies with RSA-2048 and P-384 keys made by
/// `seal` (and an RSA key made by OpenSSL, in PKCS#1 form), a seal for each.
fn seal_pki(d: &Path) {
    let subject = |cn: &str, id: &str| {
        ["--cn", cn, "--org", "City of Example", "--country", "VN", "--org-id", id]
            .map(String::from)
            .to_vec()
    };
    seal_ok(
        d,
        &[
            "ca",
            "new",
            "--dir",
            "root",
            "--cn",
            "RSA Root",
            "--org",
            "Seal Authority",
            "--country",
            "VN",
            "--path-len",
            "1",
            "--alg",
            "rsa",
        ],
    );
    seal_ok(
        d,
        &[
            "ca",
            "new",
            "--dir",
            "prov",
            "--parent",
            "root",
            "--cn",
            "P-384 CA",
            "--org",
            "Seal Authority",
            "--country",
            "VN",
            "--path-len",
            "0",
            "--alg",
            "p384",
        ],
    );
    seal_ok(d, &["key", "new", "--alg", "rsa", "--bits", "2048", "--out", "rsa.key"]);
    seal_ok(d, &["key", "new", "--alg", "p384", "--out", "p384.key"]);
    ok(d, "openssl", &["genrsa", "-traditional", "-out", "ossl.key", "2048"]);
    assert!(std::fs::read_to_string(d.join("ossl.key")).unwrap().contains("RSA PRIVATE KEY"));
    seal_ok(d, &["key", "new", "--alg", "ed25519", "--out", "maker.key"]);
    for (name, id) in [
        ("rsa", "0101000001"),
        ("p384", "0101000002"),
        ("ossl", "0101000003"),
        ("maker", "0101000009"),
    ] {
        let key = format!("{name}.key");
        let csr = format!("{name}.csr");
        let pem = format!("{name}.pem");
        let mut args = vec!["csr".to_string(), "--key".into(), key, "--out".into(), csr.clone()];
        args.extend(subject(name, id));
        seal_ok(d, &args.iter().map(String::as_str).collect::<Vec<_>>());
        seal_ok(
            d,
            &["ca", "issue", "--dir", "prov", "--csr", &csr, "--profile", "seal", "--out", &pem],
        );
        ok(d, "openssl", &["verify", "-CAfile", "root/ca.pem", "-untrusted", "prov/ca.pem", &pem]);
    }
    for name in ["rsa", "p384", "ossl"] {
        let (holder, out) = (format!("{name}.pem"), format!("{name}.esl"));
        seal_ok(
            d,
            &[
                "seal",
                "new",
                "--maker-key",
                "maker.key",
                "--maker-cert",
                "maker.pem",
                "--holder-cert",
                &holder,
                "--name",
                name,
                "--id",
                name,
                "--draw",
                "--out",
                &out,
            ],
        );
    }
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
        seal_ok(d, &["stamp", &input, "--seal", &esl, "--key", &key, "--chain", "prov/ca.pem"]);
        let stamped = format!("{name}.stamped.pdf");
        let out = seal(d, &["--json", "verify", &stamped, "--trust", "root/ca.pem"]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&out.stdout));
        let py = run(
            d,
            python_tool("pyhanko").to_str().unwrap(),
            &[
                "sign",
                "validate",
                "--trust",
                "root/ca.pem",
                "--trust-replace",
                "--no-revocation-check",
                &stamped,
            ],
        );
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
            &[
                "stamp",
                "note.txt",
                "--format",
                "cms",
                "--seal",
                &esl,
                "--key",
                &key,
                "--chain",
                "prov/ca.pem",
                "--force",
            ],
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
    // pyHanko signs with an RSA key under the same CA; seal verifies it with only the root.
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
            "ossl.pem",
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

/// A CA constrained to `gov.vn` names (critical nameConstraints, as OpenSSL writes them):
/// a certificate under it with names inside passes, one with a name outside fails, and
/// OpenSSL says the same of each.
#[test]
fn name_constraints_are_enforced_as_openssl_enforces_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pki(d);
    std::fs::write(
        d.join("nc.cnf"),
        "[ca]\nbasicConstraints = critical, CA:TRUE, pathlen:0\n\
         keyUsage = critical, keyCertSign, cRLSign\n\
         nameConstraints = critical, permitted;DNS:gov.vn, permitted;email:.gov.vn, \
         permitted;dirName:dir_sect, excluded;DNS:secret.gov.vn\n\
         [dir_sect]\nC = VN\n\
         [good]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n\
         subjectAltName = DNS:hanoi.gov.vn, email:clerk@hanoi.gov.vn\n\
         [bad_dns]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n\
         subjectAltName = DNS:hanoi.example.com\n\
         [excluded]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n\
         subjectAltName = DNS:a.secret.gov.vn\n",
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
            "nc.key",
            "-subj",
            "/C=VN/CN=Constrained CA",
            "-out",
            "nc.csr",
        ],
    );
    ok(
        d,
        "openssl",
        &[
            "x509",
            "-req",
            "-in",
            "nc.csr",
            "-CA",
            "root.pem",
            "-CAkey",
            "root.key",
            "-set_serial",
            "501",
            "-days",
            "100",
            "-extfile",
            "nc.cnf",
            "-extensions",
            "ca",
            "-out",
            "nc.pem",
        ],
    );
    for (name, subject, ext, passes) in [
        ("good", "/C=VN/CN=Hanoi", "good", true),
        ("bad-dns", "/C=VN/CN=Elsewhere", "bad_dns", false),
        ("bad-dir", "/C=FR/CN=Paris", "good", false),
        ("excluded", "/C=VN/CN=Secret", "excluded", false),
    ] {
        let (key, csr, pem) = (format!("{name}.key"), format!("{name}.csr"), format!("{name}.pem"));
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
                &key,
                "-subj",
                subject,
                "-out",
                &csr,
            ],
        );
        ok(
            d,
            "openssl",
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "nc.pem",
                "-CAkey",
                "nc.key",
                "-set_serial",
                "502",
                "-days",
                "50",
                "-extfile",
                "nc.cnf",
                "-extensions",
                ext,
                "-out",
                &pem,
            ],
        );
        let o = run(d, "openssl", &["verify", "-CAfile", "root.pem", "-untrusted", "nc.pem", &pem]);
        assert_eq!(
            o.status.success(),
            passes,
            "openssl on {name}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
        let out = seal(
            d,
            &["--json", "cert", "verify", &pem, "--trust", "root.pem", "--untrusted", "nc.pem"],
        );
        let r = json(&out);
        assert_eq!(out.status.code() == Some(0), passes, "seal on {name}: {r:#}");
        if !passes {
            assert!(
                r.to_string().contains("name constraints")
                    || r.to_string().contains("name-constraints"),
                "{name}: {r:#}"
            );
        }
    }
}
