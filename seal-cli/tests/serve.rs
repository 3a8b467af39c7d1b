//! `seal serve` end to end on 127.0.0.1: a service in front of a key file and a SoftHSM2
//! token key. seal's client stamps PDFs, JSON and other files through it and a CA issues
//! with its key behind the service; pyHanko's CSC signer signs a PDF through it, which
//! `pyhanko sign validate` accepts; every signature has its audit line; the service refuses
//! to listen beyond loopback.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// The demo PKI in `pki/`, an agency key in a file and one on a SoftHSM2 token, each with a
/// certificate and a seal, a CA key (the province's), and serve.toml naming them: account
/// "clerk" (password clerk-pass) with PIN 1234 on each credential.
fn setup(d: &Path) -> std::path::PathBuf {
    seal_ok(d, &["demo", "--dir", "pki"]);
    let conf = softhsm_token(d);
    let token_key =
        format!("pkcs11:token=seal;object=agency?module-path={SOFTHSM}&pin-source=env:SEAL_PIN");
    let subject =
        ["--cn", "Licensing Office", "--org", "City", "--country", "VN", "--org-id", "77"];
    for (name, key) in [("file", "file.key"), ("token", token_key.as_str())] {
        let run = |args: &[&str]| {
            let out = Command::new(env!("CARGO_BIN_EXE_seal"))
                .args(args)
                .current_dir(d)
                .env("SOFTHSM2_CONF", &conf)
                .env("SEAL_PIN", "1234")
                .output()
                .unwrap();
            assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        };
        if name == "file" {
            run(&["key", "new", "--alg", "p256", "--out", "file.key"]);
        } else {
            run(&["key", "new", "--alg", "p256", "--pkcs11", key]);
        }
        run(&[&["csr", "--key", key, "--out", &format!("{name}.csr")][..], &subject].concat());
        let issue = [
            "ca",
            "issue",
            "--dir",
            "pki/province",
            "--csr",
            &format!("{name}.csr"),
            "--profile",
            "seal",
        ];
        run(&[&issue[..], &["--out", &format!("{name}.pem")]].concat());
        let chain = std::fs::read_to_string(d.join(format!("{name}.pem"))).unwrap()
            + &std::fs::read_to_string(d.join("pki/province/ca.pem")).unwrap();
        std::fs::write(d.join(format!("{name}-chain.pem")), chain).unwrap();
    }
    let hash = |secret: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_seal"))
            .args(["serve", "--hash-secret", "--passphrase-env", "SECRET"])
            .env("SECRET", secret)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let (password, pin) = (hash("clerk-pass"), hash("1234"));
    let config = format!(
        r#"state_dir = "state"
audit_log = "audit.log"
[[accounts]]
name = "clerk"
password = "{password}"
credentials = ["file-key", "token-key", "province-ca"]
[[credentials]]
id = "file-key"
key = "file.key"
certificates = "file-chain.pem"
pin = "{pin}"
[[credentials]]
id = "token-key"
key = "{token_key}"
key_passphrase_source = "env:SEAL_PIN"
certificates = "token-chain.pem"
pin = "{pin}"
[[credentials]]
id = "province-ca"
key = "pki/province/ca.key"
certificates = "pki/province/ca.pem"
pin = "{pin}"
"#
    );
    std::fs::write(d.join("serve.toml"), config).unwrap();
    std::fs::write(d.join("clerk.password"), "clerk-pass").unwrap();
    std::fs::write(d.join("clerk.pin"), "1234").unwrap();
    conf
}

fn key(base: &str, credential: &str) -> String {
    format!(
        "csc+{base}?credential={credential}&auth=basic&user=clerk&password-source=file:clerk.password&pin-source=file:clerk.pin"
    )
}

fn signed_lines(d: &Path) -> usize {
    let log = std::fs::read_to_string(d.join("audit.log")).unwrap_or_default();
    log.lines().filter(|l| l.contains("\"event\":\"sign\"") && l.contains("\"signed\"")).count()
}

#[test]
fn seal_and_pyhanko_sign_through_seal_serve_with_file_and_token_keys() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let conf = setup(d);
    let env = [("SOFTHSM2_CONF", conf.as_path()), ("SEAL_PIN", Path::new("1234"))];
    let (_server, base) =
        serve_process(d, &["serve", "--config", "serve.toml", "--listen", "127.0.0.1:0"], &env);
    let pdf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/pdf/gs-3pages.pdf");
    let trust = ["--trust", "pki/root/ca.pem", "--untrusted", "pki/province/ca.pem"];
    let mut signatures = 0;
    for name in ["file", "token"] {
        let k = key(&base, &format!("{name}-key"));
        seal_ok(d, &["key", "cert", &k, "--out", &format!("{name}-got.pem")]);
        assert!(std::fs::read_to_string(d.join(format!("{name}-got.pem"))).unwrap().starts_with(
            std::fs::read_to_string(d.join(format!("{name}.pem"))).unwrap().trim_end()
        ));
        let maker = ["--maker-key", "pki/seal-maker.key", "--maker-cert", "pki/seal-maker.pem"];
        let esl = format!("{name}.esl");
        let holder =
            ["--holder-cert", &format!("{name}.pem"), "--name", "Licensing Office", "--id", name];
        seal_ok(d, &[&["seal", "new", "--draw", "--out", &esl][..], &maker, &holder].concat());
        std::fs::copy(&pdf, d.join(format!("{name}.pdf"))).unwrap();
        std::fs::write(d.join(format!("{name}.txt")), format!("decision by {name} key\n")).unwrap();
        std::fs::write(d.join(format!("{name}.json")), format!("{{\"licence\": \"{name}\"}}"))
            .unwrap();
        let files = [format!("{name}.pdf"), format!("{name}.txt"), format!("{name}.json")];
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        let text = seal_ok(d, &[&["stamp"][..], &files, &["--seal", &esl, "--key", &k]].concat());
        assert!(text.contains("3 stamped, 0 failed"), "{text}");
        signatures += 3;
        for file in
            [format!("{name}.stamped.pdf"), format!("{name}.txt"), format!("{name}.stamped.json")]
        {
            let out = seal(d, &[&["verify", &file][..], &trust].concat());
            let text = String::from_utf8_lossy(&out.stdout);
            assert_eq!(out.status.code(), Some(0), "{file}: {text}");
            assert!(text.contains("TOTAL-PASSED"), "{text}");
        }
    }
    // A CA whose key is behind the service issues a certificate OpenSSL accepts.
    seal_ok(d, &["key", "new", "--alg", "p256", "--out", "new.key"]);
    let subject = ["--cn", "New Office", "--org", "City", "--country", "VN", "--org-id", "78"];
    seal_ok(d, &[&["csr", "--key", "new.key", "--out", "new.csr"][..], &subject].concat());
    let ca_key = key(&base, "province-ca");
    let issue = [
        "ca",
        "issue",
        "--dir",
        "pki/province",
        "--key",
        &ca_key,
        "--csr",
        "new.csr",
        "--profile",
        "seal",
    ];
    seal_ok(d, &[&issue[..], &["--out", "new.pem"]].concat());
    signatures += 1;
    ok(
        d,
        "openssl",
        &["verify", "-CAfile", "pki/root/ca.pem", "-untrusted", "pki/province/ca.pem", "new.pem"],
    );

    // pyHanko's CSC signer through the same service.
    let python = std::env::var("SEAL_PYTHON").expect("SEAL_PYTHON (scripts/test sets it)");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/pyhanko_csc.py");
    let root = base.trim_end_matches("/csc/v1");
    let out = Command::new(python)
        .arg(script)
        .args([root, "file-key", "file.pdf", "pyhanko.pdf"])
        .current_dir(d)
        .env("CSC_USER", "clerk")
        .env("CSC_PASSWORD", "clerk-pass")
        .env("CSC_PIN", "1234")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    signatures += 1;
    let args =
        ["sign", "validate", "--trust", "pki/root/ca.pem", "--other-certs", "pki/province/ca.pem"];
    let out = run(
        d,
        python_tool("pyhanko").to_str().unwrap(),
        &[&args[..], &["--trust-replace", "--no-revocation-check", "pyhanko.pdf"]].concat(),
    );
    let verdict = String::from_utf8_lossy(&out.stdout);
    assert!(
        verdict.contains("INTACT:TRUSTED,UNTOUCHED"),
        "{verdict}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(
        &seal(d, &[&["verify", "pyhanko.pdf"][..], &trust].concat()).stdout,
    )
    .into_owned();
    assert!(text.contains("TOTAL-PASSED"), "{text}");

    // One audit line per signature, none with a secret.
    assert_eq!(signed_lines(d), signatures);
    let log = std::fs::read_to_string(d.join("audit.log")).unwrap();
    assert!(!log.contains("clerk-pass") && !log.contains("1234\""), "{log}");
}

#[test]
fn seal_serve_listens_on_loopback_only_and_hashes_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = seal(d, &["serve", "--config", "serve.toml", "--listen", "0.0.0.0:8443"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback address only"));
    let out = Command::new(env!("CARGO_BIN_EXE_seal"))
        .args(["serve", "--hash-secret", "--passphrase-env", "SECRET"])
        .env("SECRET", "1234")
        .output()
        .unwrap();
    let hash = String::from_utf8_lossy(&out.stdout);
    assert!(hash.starts_with("$argon2id$v=19$") && !hash.contains("1234"), "{hash}");
    // A configuration holding a PIN as itself is refused, naming it.
    std::fs::write(d.join("bad.toml"), "state_dir = \"s\"\naudit_log = \"a.log\"\n[[credentials]]\nid = \"c\"\nkey = \"k\"\ncertificates = \"c.pem\"\npin = \"1234\"\n").unwrap();
    let out = seal(d, &["serve", "--config", "bad.toml", "--listen", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("bad.toml") && e.contains("credential \"c\": pin is not an Argon2 hash"),
        "{e}"
    );
}
