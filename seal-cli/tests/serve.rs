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
[limits]
multisign = 10
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

/// `n` small files in `d/dir`.
fn files(d: &Path, dir: &str, n: usize) -> Vec<String> {
    std::fs::create_dir_all(d.join(dir)).unwrap();
    (0..n)
        .map(|i| {
            let f = format!("{dir}/n{i:04}.txt");
            std::fs::write(d.join(&f), format!("notice {i} of {dir}\n")).unwrap();
            f
        })
        .collect()
}

/// The seal for the file key (made by `seal seal new` from the demo's seal maker).
fn file_seal(d: &Path) {
    let maker = ["--maker-key", "pki/seal-maker.key", "--maker-cert", "pki/seal-maker.pem"];
    let holder = ["--holder-cert", "file.pem", "--name", "Licensing Office", "--id", "f"];
    seal_ok(d, &[&["seal", "new", "--draw", "--out", "file.esl"][..], &maker, &holder].concat());
}

fn verified(d: &Path, file: &str) -> bool {
    let trust = ["--trust", "pki/root/ca.pem", "--untrusted", "pki/province/ca.pem"];
    seal(d, &[&["verify", file][..], &trust].concat()).status.code() == Some(0)
}

/// Batches through the service sign in chunks of its `multisign` (10) under one
/// authorisation each, from several clients at once; every signature is valid and has one
/// audit line.
#[test]
fn concurrent_batches_sign_in_chunks_and_every_signature_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let conf = setup(d);
    file_seal(d);
    let env = [("SOFTHSM2_CONF", conf.as_path()), ("SEAL_PIN", Path::new("1234"))];
    let (_server, base) =
        serve_process(d, &["serve", "--config", "serve.toml", "--listen", "127.0.0.1:0"], &env);
    let k = key(&base, "file-key");
    let clients: Vec<(String, Vec<String>)> =
        (0..4).map(|c| (format!("c{c}"), files(d, &format!("c{c}"), 50))).collect();
    let running: Vec<_> = clients
        .iter()
        .map(|(dir, _)| {
            Command::new(env!("CARGO_BIN_EXE_seal"))
                .args(["stamp", dir, "--seal", "file.esl", "--key", &k])
                .current_dir(d)
                .output()
        })
        .collect::<Vec<_>>();
    for out in running {
        let out = out.unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("50 stamped, 0 failed"),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for (_, list) in &clients {
        for f in list {
            assert!(verified(d, f), "{f}");
        }
    }
    let log = std::fs::read_to_string(d.join("audit.log")).unwrap();
    assert_eq!(signed_lines(d), 200);
    // Each hash signed once.
    let hashes: std::collections::HashSet<&str> = log
        .lines()
        .filter(|l| l.contains("\"signed\""))
        .filter_map(|l| l.split("\"hash\":\"").nth(1))
        .collect();
    assert_eq!(hashes.len(), 200);
    // Chunks, not one authorisation per file (at most 10 hashes each).
    let authorised = log.matches("\"outcome\":\"authorised\"").count();
    assert!((20..100).contains(&authorised), "{authorised} authorisations for 200 signatures");
}

/// The service killed in the middle of a batch: the client names every file it did not
/// stamp, leaves no partial output, and once the service is back the same command stamps
/// the rest; in the end every file has exactly one valid stamp.
#[test]
fn a_service_killed_mid_batch_leaves_complete_outputs_and_a_list_of_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let conf = setup(d);
    file_seal(d);
    let env = [("SOFTHSM2_CONF", conf.as_path()), ("SEAL_PIN", Path::new("1234"))];
    let serve = ["serve", "--config", "serve.toml", "--listen", "127.0.0.1:0"];
    let (server, base) = serve_process(d, &serve, &env);
    let list = files(d, "outbox", 1500);
    let k = key(&base, "file-key");
    let batch = Command::new(env!("CARGO_BIN_EXE_seal"))
        .args(["--json", "stamp", "outbox", "--seal", "file.esl", "--key", &k])
        .current_dir(d)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Kill the service once it has signed some (bounded: 60 s).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while signed_lines(d) < 50 {
        assert!(std::time::Instant::now() < deadline, "the batch did not start");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    drop(server);
    let out = batch.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    let stamped: Vec<String> = report["stamped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["file"].as_str().unwrap().to_owned())
        .collect();
    let failed: Vec<String> = report["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["file"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        !stamped.is_empty() && !failed.is_empty(),
        "{} stamped, {} failed",
        stamped.len(),
        failed.len()
    );
    assert_eq!(stamped.len() + failed.len(), list.len());
    for f in &failed {
        assert!(!d.join(format!("{f}.ses")).exists(), "{f} has an output but was reported failed");
    }
    for f in &stamped {
        assert!(d.join(format!("{f}.ses")).exists(), "{f}");
    }
    let leftovers = std::fs::read_dir(d.join("outbox"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with(".seal-tmp"))
        .count();
    assert_eq!(leftovers, 0);
    // Back up (the same state directory): the failed files only.
    let (_server, base) = serve_process(d, &serve, &env);
    let k = key(&base, "file-key");
    let args: Vec<&str> = failed.iter().map(String::as_str).collect();
    let text = seal_ok(d, &[&["stamp"][..], &args, &["--seal", "file.esl", "--key", &k]].concat());
    assert!(text.contains(&format!("{} stamped, 0 failed", failed.len())), "{text}");
    for f in list.iter().step_by(50).chain(failed.iter().take(5)) {
        assert!(verified(d, f), "{f}");
    }
}
