//! The `seal` command end to end: every command, its exit codes, its errors, and
//! OpenSSL checking what it writes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn seal(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_seal"))
        .args(args)
        .current_dir(dir)
        .env_remove("SEAL_PASS")
        .env("SEAL_STATE_DIR", dir.join(".seal-state"))
        .output()
        .expect("seal runs")
}

fn seal_env(dir: &Path, args: &[&str], var: &str, value: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_seal"))
        .args(args)
        .current_dir(dir)
        .env("SEAL_STATE_DIR", dir.join(".seal-state"))
        .env(var, value)
        .output()
        .expect("seal runs")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn openssl(dir: &Path, args: &[&str]) -> Output {
    Command::new("openssl").args(args).current_dir(dir).output().expect("openssl is installed")
}

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/pki/openssl")
}

#[test]
fn every_command_has_help_with_an_example() {
    let dir = tempfile::tempdir().unwrap();
    for cmd in [
        &["demo"][..],
        &["key", "new"],
        &["key", "pub"],
        &["csr"],
        &["ca", "new"],
        &["ca", "issue"],
        &["ca", "revoke"],
        &["ca", "crl"],
        &["ca", "ocsp"],
        &["cert", "show"],
        &["cert", "verify"],
        &["seal", "new"],
        &["seal", "show"],
        &["seal", "verify"],
        &["seal", "draw"],
        &["stamp"],
        &["verify"],
        &["licence", "issue"],
        &["licence", "verify"],
        &["licence", "types"],
        &["licence", "status"],
        &["trust-list", "build"],
        &["trust-list", "sign"],
        &["trust-list", "show"],
        &["trust-list", "verify"],
    ] {
        let mut args = cmd.to_vec();
        args.push("--help");
        let out = ok(&seal(dir.path(), &args));
        assert!(out.contains("Example"), "{cmd:?} --help has no example:\n{out}");
    }
    let out = ok(&seal(dir.path(), &["--help"]));
    assert!(out.contains("Exit codes"), "{out}");
    // Issue 10: the one-line descriptions say what the commands do today.
    for (cmd, words) in [
        ("stamp", &["PDF", "JSON", "GB/T 38540", "CAdES"][..]),
        ("verify", &["PDF", "OFD", "JSON", "CMS"]),
    ] {
        let line = out.lines().find(|l| l.trim_start().starts_with(cmd)).unwrap_or_default();
        let help = ok(&seal(dir.path(), &[cmd, "--help"]));
        let first = help.split("\n\n").next().unwrap_or_default().replace('\n', " ");
        for w in words {
            assert!(first.contains(w), "`seal {cmd} --help` does not mention {w}: {first}");
        }
        assert!(line.contains(words[0]), "`seal --help` line for {cmd}: {line}");
    }
}

#[test]
fn key_new_is_0600_and_never_overwrites_without_force() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for alg in ["ed25519", "p256"] {
        let key = format!("{alg}.key");
        ok(&seal(d, &["key", "new", "--alg", alg, "--out", &key, "--pub", &format!("{alg}.pub")]));
        assert_eq!(std::fs::metadata(d.join(&key)).unwrap().permissions().mode() & 0o777, 0o600);
        let before = std::fs::read(d.join(&key)).unwrap();
        let out = seal(d, &["key", "new", "--alg", alg, "--out", &key]);
        assert_eq!(code(&out), 2);
        assert!(stderr(&out).contains(&format!("{key} already exists")), "{}", stderr(&out));
        assert!(stderr(&out).contains("hint: pass --force"), "{}", stderr(&out));
        assert_eq!(std::fs::read(d.join(&key)).unwrap(), before, "key was overwritten");
        ok(&seal(d, &["key", "new", "--alg", alg, "--out", &key, "--force"]));
        assert_ne!(std::fs::read(d.join(&key)).unwrap(), before);
        // OpenSSL reads our keys.
        let o = openssl(d, &["pkey", "-in", &key, "-noout", "-text"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let pem = ok(&seal(d, &["key", "pub", &key]));
        let o = openssl(d, &["pkey", "-in", &key, "-pubout"]);
        assert_eq!(pem, String::from_utf8_lossy(&o.stdout));
    }
}

#[test]
fn encrypted_keys_passphrases_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for kdf in ["scrypt", "pbkdf2"] {
        let key = format!("{kdf}.key");
        ok(&seal_env(
            d,
            &[
                "key",
                "new",
                "--alg",
                "p256",
                "--out",
                &key,
                "--kdf",
                kdf,
                "--passphrase-env",
                "SEAL_PASS",
            ],
            "SEAL_PASS",
            "s3cret pass",
        ));
        let text = std::fs::read_to_string(d.join(&key)).unwrap();
        assert!(text.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        assert!(!text.contains("s3cret"));
        // OpenSSL decrypts it with the same passphrase.
        let o = openssl(d, &["pkey", "-in", &key, "-passin", "pass:s3cret pass", "-noout"]);
        assert!(o.status.success(), "{kdf}: {}", String::from_utf8_lossy(&o.stderr));
        // From a file, too.
        std::fs::write(d.join("pass.txt"), "s3cret pass\n").unwrap();
        ok(&seal(d, &["key", "pub", &key, "--passphrase-file", "pass.txt"]));
        // Wrong passphrase: exit 2, names the file, the key is untouched.
        let out = seal_env(
            d,
            &["key", "pub", &key, "--passphrase-env", "SEAL_PASS"],
            "SEAL_PASS",
            "wrong",
        );
        assert_eq!(code(&out), 2);
        assert!(
            stderr(&out).contains(&key) && stderr(&out).contains("wrong passphrase"),
            "{}",
            stderr(&out)
        );
        // No passphrase at all (stdin is not a terminal here).
        let out = seal(
            d,
            &["csr", "--key", &key, "--cn", "A", "--org", "B", "--country", "VN", "--out", "x.csr"],
        );
        assert_eq!(code(&out), 2);
        assert!(stderr(&out).contains("encrypted and no passphrase"), "{}", stderr(&out));
        assert!(stderr(&out).contains("--passphrase-env"), "{}", stderr(&out));
    }
    // There is no way to pass a passphrase on argv.
    let out = seal(d, &["key", "new", "--out", "k", "--passphrase", "x"]);
    assert_eq!(code(&out), 2);
}

#[test]
fn bad_inputs_get_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("garbage.pem"),
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let der =
        openssl(&vectors().join("p256"), &["x509", "-in", "inter.pem", "-outform", "DER"]).stdout;
    std::fs::write(d.join("truncated.der"), &der[..100]).unwrap();
    for (file, needle) in [
        ("garbage.pem", "garbage.pem: malformed certificate"),
        ("truncated.der", "truncated.der: malformed certificate"),
        ("missing.pem", "missing.pem: No such file"),
    ] {
        let out = seal(d, &["cert", "show", file]);
        assert_eq!(code(&out), 2, "{file}");
        assert!(stderr(&out).contains(needle), "{file}: {}", stderr(&out));
    }
    // A certificate where a key is expected.
    std::fs::copy(vectors().join("p256/root.pem"), d.join("root.pem")).unwrap();
    let out = seal(
        d,
        &[
            "csr",
            "--key",
            "root.pem",
            "--cn",
            "A",
            "--org",
            "B",
            "--country",
            "VN",
            "--out",
            "x.csr",
        ],
    );
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("root.pem: expected a private key (PEM \"PRIVATE KEY\" or \"ENCRYPTED PRIVATE KEY\"), found a PEM \"CERTIFICATE\" block"),
        "{}",
        stderr(&out)
    );
    // A bad country code.
    ok(&seal(d, &["key", "new", "--out", "k.key"]));
    let out = seal(
        d,
        &[
            "csr",
            "--key",
            "k.key",
            "--cn",
            "A",
            "--org",
            "B",
            "--country",
            "Vietnam",
            "--out",
            "x.csr",
        ],
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("two-letter"), "{}", stderr(&out));
    // Not a CA directory.
    let out = seal(d, &["ca", "crl", "--dir", ".", "--out", "x.crl"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("not a CA directory"), "{}", stderr(&out));
}

#[test]
fn ca_lifecycle_checked_by_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for alg in ["ed25519", "p256"] {
        let root = format!("root-{alg}");
        let prov = format!("prov-{alg}");
        ok(&seal(
            d,
            &[
                "ca",
                "new",
                "--dir",
                &root,
                "--alg",
                alg,
                "--cn",
                "Root",
                "--org",
                "Seal Authority",
                "--country",
                "VN",
                "--path-len",
                "1",
            ],
        ));
        ok(&seal(
            d,
            &[
                "ca",
                "new",
                "--dir",
                &prov,
                "--parent",
                &root,
                "--alg",
                alg,
                "--cn",
                "Province",
                "--org",
                "Seal Authority",
                "--country",
                "VN",
                "--path-len",
                "0",
                "--days",
                "1000",
            ],
        ));
        // Creating a CA over an existing one is refused.
        let out = seal(
            d,
            &["ca", "new", "--dir", &root, "--cn", "Root", "--org", "X", "--country", "VN"],
        );
        assert_eq!(code(&out), 2);

        let key = format!("agency-{alg}.key");
        let csr = format!("agency-{alg}.csr");
        let cert = format!("agency-{alg}.pem");
        ok(&seal(d, &["key", "new", "--alg", alg, "--out", &key]));
        ok(&seal(
            d,
            &[
                "csr",
                "--key",
                &key,
                "--cn",
                "Licensing Office",
                "--org",
                "City",
                "--country",
                "VN",
                "--org-id",
                "0101234567",
                "--out",
                &csr,
            ],
        ));
        assert!(openssl(d, &["req", "-verify", "-noout", "-in", &csr]).status.success());
        let json = ok(&seal(
            d,
            &[
                "--json",
                "ca",
                "issue",
                "--dir",
                &prov,
                "--csr",
                &csr,
                "--profile",
                "seal",
                "--out",
                &cert,
            ],
        ));
        let issued: serde_json::Value = serde_json::from_str(&json).unwrap();
        let serial = issued["serial"].as_str().unwrap().to_owned();
        assert_eq!(serial.len(), 32, "16-byte serial: {serial}");

        let root_pem = format!("{root}/ca.pem");
        let prov_pem = format!("{prov}/ca.pem");
        let verify = [
            "cert",
            "verify",
            &cert,
            "--trust",
            &root_pem,
            "--untrusted",
            &prov_pem,
            "--purpose",
            "seal",
        ];
        ok(&seal(d, &verify));
        let o = openssl(d, &["verify", "-CAfile", &root_pem, "-untrusted", &prov_pem, &cert]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

        // Revoke, publish a CRL: we and OpenSSL both reject the leaf.
        let crl = format!("prov-{alg}.crl");
        ok(&seal(d, &["ca", "crl", "--dir", &prov, "--out", &crl]));
        let mut with_crl = verify.to_vec();
        with_crl.extend(["--crl", &crl]);
        ok(&seal(d, &with_crl));
        ok(&seal(
            d,
            &["ca", "revoke", "--dir", &prov, "--serial", &serial, "--reason", "keyCompromise"],
        ));
        let out = seal(d, &["ca", "revoke", "--dir", &prov, "--serial", &serial]);
        assert!(stderr(&out).contains("already revoked"), "{}", stderr(&out));
        ok(&seal(d, &["ca", "crl", "--dir", &prov, "--out", &crl, "--force"]));
        assert!(
            openssl(d, &["crl", "-verify", "-noout", "-in", &crl, "-CAfile", &prov_pem])
                .status
                .success()
        );
        let mut json_args = with_crl.clone();
        json_args.insert(0, "--json");
        let out = seal(d, &json_args);
        assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stdout));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["indication"], "TOTAL-FAILED");
        assert_eq!(report["sub_indication"], "REVOKED");
        assert_eq!(report["problems"][0]["reason"], "keyCompromise");
        let o = openssl(
            d,
            &[
                "verify",
                "-crl_check",
                "-CAfile",
                &root_pem,
                "-untrusted",
                &prov_pem,
                "-CRLfile",
                &crl,
                &cert,
            ],
        );
        assert!(!o.status.success());

        // At a time after the CRL's nextUpdate: indeterminate, still exit 1.
        let mut late = with_crl.clone();
        late.extend(["--at", "2099-01-01"]);
        let out = seal(d, &late);
        assert_eq!(code(&out), 1);

        // cert show --json.
        let info: serde_json::Value =
            serde_json::from_str(&ok(&seal(d, &["--json", "cert", "show", &cert]))).unwrap();
        assert_eq!(info[0]["serial"], serial.as_str());
        assert_eq!(info[0]["subject_fields"]["organization_identifier"], "0101234567");
        assert_eq!(info[0]["key_algorithm"], alg);
    }
}

#[test]
fn openssl_made_keys_csrs_and_chains_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for alg in ["p256", "ed25519"] {
        let v = vectors().join(alg);
        let root = format!("root-{alg}");
        ok(&seal(
            d,
            &[
                "ca",
                "new",
                "--dir",
                &root,
                "--alg",
                alg,
                "--cn",
                "Root",
                "--org",
                "Seal Authority",
                "--country",
                "VN",
            ],
        ));
        // An OpenSSL CSR, issued by our CA.
        let out = format!("from-openssl-{alg}.pem");
        ok(&seal(
            d,
            &[
                "ca",
                "issue",
                "--dir",
                &root,
                "--csr",
                v.join("good.csr").to_str().unwrap(),
                "--profile",
                "seal",
                "--out",
                &out,
            ],
        ));
        assert!(
            openssl(d, &["verify", "-CAfile", &format!("{root}/ca.pem"), &out]).status.success()
        );
        // An OpenSSL key makes our CSR.
        ok(&seal(
            d,
            &[
                "csr",
                "--key",
                v.join("good.key").to_str().unwrap(),
                "--cn",
                "A",
                "--org",
                "B",
                "--country",
                "VN",
                "--out",
                &format!("{alg}.csr"),
            ],
        ));
        // OpenSSL chains verify; a tampered one is rejected with exit 1.
        let run = |leaf: &str| {
            let leaf = v.join(leaf);
            let root = v.join("root.pem");
            let inter = v.join("inter.pem");
            seal(
                d,
                &[
                    "cert",
                    "verify",
                    leaf.to_str().unwrap(),
                    "--trust",
                    root.to_str().unwrap(),
                    "--untrusted",
                    inter.to_str().unwrap(),
                    "--at",
                    "2027-06-01",
                    "--purpose",
                    "seal",
                ],
            )
        };
        ok(&run("good.pem"));
        let out = run("badsig.pem");
        assert_eq!(code(&out), 1);
        assert!(String::from_utf8_lossy(&out.stdout).contains("signature does not verify"));
    }
    // A SEC1 key from `openssl ecparam -genkey`.
    assert!(
        openssl(d, &["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "sec1.key"])
            .status
            .success()
    );
    ok(&seal(d, &["key", "pub", "sec1.key"]));
}

#[test]
fn demo_runs_on_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(&seal(dir.path(), &["demo"]));
    assert!(out.contains("demo passed"), "{out}");
    assert!(out.contains("TOTAL-FAILED (REVOKED)"), "{out}");
    // Running it again needs --force.
    assert_eq!(code(&seal(dir.path(), &["demo"])), 2);
    ok(&seal(dir.path(), &["demo", "--force"]));
}

/// Runs the demo in `d` and returns the trust arguments for its PKI.
fn demo_pki(d: &Path) -> Vec<String> {
    ok(&seal(d, &["demo", "--dir", "pki"]));
    ["--trust", "pki/root/ca.pem", "--untrusted", "pki/province/ca.pem"].map(String::from).to_vec()
}

fn with(args: &[&str], extra: &[String]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).chain(extra.iter().cloned()).collect()
}

fn run(d: &Path, args: &[String]) -> Output {
    seal(d, &args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn seal_new_show_verify_and_draw() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let trust = demo_pki(d);
    ok(&seal(
        d,
        &["seal", "draw", "--name", "City of Example", "--label", "Permits", "--out", "drawn.svg"],
    ));
    let svg = std::fs::read_to_string(d.join("drawn.svg")).unwrap();
    // Every character of the name and the label is set on its own.
    for c in "CityofExamplePermits".chars() {
        assert!(svg.contains(&format!(">{c}</text>")), "{c}: {svg}");
    }
    // A Chinese agency's oval seal: 45 x 30 mm, drawn and then made into a seal.
    ok(&seal(
        d,
        &["seal", "draw", "--name", "北京市某某贸易有限公司", "--label", "发票专用章"]
            .into_iter()
            .chain(["--shape", "oval", "--size-mm", "45", "--out", "oval.png", "--dpi", "100"])
            .collect::<Vec<_>>(),
    ));
    let png = std::fs::read(d.join("oval.png")).unwrap();
    assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 177, "45 mm at 100 dpi");
    assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), 118, "30 mm at 100 dpi");
    ok(&seal(
        d,
        &["seal", "new", "--maker-key", "pki/seal-maker.key", "--maker-cert", "pki/seal-maker.pem"]
            .into_iter()
            .chain(["--holder-cert", "pki/agency.pem", "--name", "北京市某某贸易有限公司"])
            .chain(["--id", "F-1", "--draw", "--shape", "oval", "--label", "发票专用章"])
            .chain(["--width-mm", "45", "--out", "invoice.esl"])
            .collect::<Vec<_>>(),
    ));
    let shown = ok(&seal(d, &["seal", "show", "invoice.esl"]));
    assert!(shown.contains("45x30 mm"), "{shown}");
    ok(&seal(
        d,
        &["seal", "draw", "--name", "City of Example", "--out", "drawn.png", "--dpi", "100"],
    ));
    let png = std::fs::read(d.join("drawn.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 157, "40 mm at 100 dpi");
    ok(&seal(
        d,
        &[
            "seal",
            "new",
            "--maker-key",
            "pki/seal-maker.key",
            "--maker-cert",
            "pki/seal-maker.pem",
            "--holder-cert",
            "pki/agency.pem",
            "--name",
            "Permit Office",
            "--id",
            "P-1",
            "--picture",
            "drawn.svg",
            "--width-mm",
            "42",
            "--height-mm",
            "42",
            "--out",
            "permit.esl",
        ],
    ));
    let info: serde_json::Value = serde_json::from_str(&ok(&seal(
        d,
        &["--json", "seal", "show", "permit.esl", "--picture", "out.svg"],
    )))
    .unwrap();
    assert_eq!(info["name"], "Permit Office");
    assert_eq!(info["picture"]["kind"], "SVG");
    assert_eq!(info["picture"]["width_mm"], 42);
    assert_eq!(
        std::fs::read(d.join("out.svg")).unwrap(),
        std::fs::read(d.join("drawn.svg")).unwrap()
    );
    ok(&run(d, &with(&["seal", "verify", "permit.esl"], &trust)));
    // A seal whose validity starts later is not valid yet.
    ok(&seal(
        d,
        &[
            "seal",
            "new",
            "--maker-key",
            "pki/seal-maker.key",
            "--maker-cert",
            "pki/seal-maker.pem",
            "--holder-cert",
            "pki/agency.pem",
            "--name",
            "Future",
            "--id",
            "F-1",
            "--draw",
            "--valid-from",
            "2099-01-01",
            "--days",
            "30",
            "--out",
            "future.esl",
        ],
    ));
    let out = run(d, &with(&["--json", "seal", "verify", "future.esl"], &trust));
    assert_eq!(code(&out), 1);
    assert!(String::from_utf8_lossy(&out.stdout).contains("SEAL_INVALID"));
    // A seal made by an untrusted maker: the maker chain fails, exit 1.
    ok(&seal(
        d,
        &["ca", "new", "--dir", "rogue", "--cn", "Rogue", "--org", "Rogue", "--country", "VN"],
    ));
    let out = run(d, &with(&["seal", "verify", "permit.esl", "--trust", "rogue/ca.pem"], &[]));
    assert_eq!(code(&out), 1);
    // A picture in an unknown format, and a garbage seal file.
    std::fs::write(d.join("pic.bmp"), b"BM....").unwrap();
    let out = seal(
        d,
        &[
            "seal",
            "new",
            "--maker-key",
            "pki/seal-maker.key",
            "--maker-cert",
            "pki/seal-maker.pem",
            "--holder-cert",
            "pki/agency.pem",
            "--name",
            "X",
            "--id",
            "X",
            "--picture",
            "pic.bmp",
            "--out",
            "x.esl",
        ],
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("pic.bmp: unknown picture format"), "{}", stderr(&out));
    std::fs::write(d.join("bad.esl"), b"\x30\x03\x02\x01\x04").unwrap();
    let out = seal(d, &["seal", "show", "bad.esl"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("bad.esl: malformed electronic seal"), "{}", stderr(&out));
}

#[test]
fn stamp_and_verify_files_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let trust = demo_pki(d);
    std::fs::create_dir(d.join("out")).unwrap();
    std::fs::write(d.join("out/a.txt"), "A").unwrap();
    std::fs::write(d.join("out/b.bin"), [0u8, 1, 2]).unwrap();
    std::fs::write(d.join("out/doc.json"), r#"{"licence": "0101234567", "valid": true}"#).unwrap();
    let text =
        ok(&seal(d, &["stamp", "out", "--seal", "pki/agency.esl", "--key", "pki/agency.key"]));
    assert!(text.contains("3 stamped, 0 failed"), "{text}");
    for f in ["out/a.txt", "out/b.bin", "out/doc.stamped.json"] {
        let out = run(d, &with(&["--json", "verify", f], &trust));
        assert_eq!(code(&out), 0, "{f}: {}", String::from_utf8_lossy(&out.stdout));
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r["indication"], "TOTAL-PASSED");
        assert_eq!(r["signatures"][0]["seal"]["name"], "Demo Licensing Office");
    }
    // Tampered: exit 1 with HASH_FAILURE / SIG_CRYPTO_FAILURE.
    std::fs::write(d.join("out/a.txt"), "B").unwrap();
    let out = run(d, &with(&["--json", "verify", "out/a.txt"], &trust));
    assert_eq!(code(&out), 1);
    assert!(String::from_utf8_lossy(&out.stdout).contains("HASH_FAILURE"));
    let stamped = std::fs::read_to_string(d.join("out/doc.stamped.json")).unwrap();
    std::fs::write(d.join("out/doc.stamped.json"), stamped.replace("0101234567", "0101234568"))
        .unwrap();
    let out = run(d, &with(&["verify", "out/doc.stamped.json"], &trust));
    assert_eq!(code(&out), 1);
    // Stamping again refuses to overwrite, reports each file, exits 2.
    let out = seal(
        d,
        &["stamp", "out/b.bin", "out/a.txt", "--seal", "pki/agency.esl", "--key", "pki/agency.key"],
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("a.txt.ses already exists"), "{}", stderr(&out));
    // Issue 10: one file that fails gets its error line once.
    let out =
        seal(d, &["stamp", "out/a.txt", "--seal", "pki/agency.esl", "--key", "pki/agency.key"]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert_eq!(err.matches("seal: error:").count(), 1, "{err}");
    assert!(err.contains("a.txt.ses already exists"), "{err}");
    // The wrong key for the seal.
    let out = seal(
        d,
        &[
            "stamp",
            "out/b.bin",
            "--seal",
            "pki/agency.esl",
            "--key",
            "pki/revoked-agency.key",
            "--force",
        ],
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("not the key of any holder"), "{}", stderr(&out));
    // No stamp to verify.
    std::fs::write(d.join("plain.txt"), "x").unwrap();
    let out = run(d, &with(&["verify", "plain.txt"], &trust));
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("pass --sig"), "{}", stderr(&out));
}

#[test]
fn verify_real_ofd_documents() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ext = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/gbt38540");
    // Every seal and stamp file from other systems shows.
    for entry in std::fs::read_dir(&ext).unwrap() {
        let p = entry.unwrap().path();
        let ext_name = p.extension().and_then(|e| e.to_str()).unwrap_or("");
        if p.ends_with("UserV5_ts.esl") {
            // Unsigned data after the maker's signature: refused, naming the file.
            let out = seal(d, &["seal", "show", p.to_str().unwrap()]);
            assert_eq!(code(&out), 2);
            assert!(
                stderr(&out).contains("UserV5_ts.esl") && stderr(&out).contains("fifth element")
            );
        } else if ["esl", "DER", "dat"].contains(&ext_name) {
            let out = ok(&seal(d, &["seal", "show", p.to_str().unwrap()]));
            assert!(out.contains("Seal:") && out.contains("Picture:"), "{}: {out}", p.display());
        }
    }
    // Trust the seal maker's certificate, extracted with `seal seal show --json`.
    let info: serde_json::Value = serde_json::from_str(&ok(&seal(
        d,
        &["--json", "seal", "show", ext.join("UserV4.esl").to_str().unwrap()],
    )))
    .unwrap();
    std::fs::write(d.join("maker.pem"), info["maker_certificate_pem"].as_str().unwrap()).unwrap();
    let out = seal(
        d,
        &[
            "--json",
            "verify",
            ext.join("1.ofd").to_str().unwrap(),
            "--trust",
            "maker.pem",
            "--at",
            "2021-01-01",
        ],
    );
    assert_eq!(code(&out), 1, "no tax bureau root is trusted");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["indication"], "INDETERMINATE");
    let checks = r["signatures"][0]["checks"].as_array().unwrap();
    let refs = checks.iter().find(|c| c["check"] == "references").unwrap();
    assert_eq!(refs["indication"], "TOTAL-PASSED");
}

#[test]
fn cms_stamps_through_the_cli_and_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let trust = demo_pki(d);
    std::fs::write(d.join("contract.txt"), "terms").unwrap();
    ok(&seal(
        d,
        &[
            "stamp",
            "contract.txt",
            "--format",
            "cms",
            "--seal",
            "pki/agency.esl",
            "--key",
            "pki/agency.key",
            "--chain",
            "pki/province/ca.pem",
        ],
    ));
    let out = run(d, &with(&["--json", "verify", "contract.txt"], &trust));
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stdout));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["signatures"][0]["format"], "CMS detached (CAdES-B)");
    // Issue 11: the stamp carries the provincial CA, so the root alone is enough, for us
    // and for OpenSSL.
    let out = seal(d, &["verify", "contract.txt", "--trust", "pki/root/ca.pem"]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stdout));
    std::fs::copy(d.join("pki/root/ca.pem"), d.join("cas.pem")).unwrap();
    let o = openssl(
        d,
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "contract.txt.p7s",
            "-content",
            "contract.txt",
            "-CAfile",
            "cas.pem",
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn licences_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let trust = demo_pki(d);
    let types: serde_json::Value =
        serde_json::from_str(&ok(&seal(d, &["--json", "licence", "types"]))).unwrap();
    assert!(types.as_array().unwrap().iter().any(|t| t["type"] == "qualification"));
    std::fs::write(d.join("data.json"), r#"{"number": "Q2026-0001", "holder": {"name": "Trần Thị B", "id": "079300004321"},
        "valid_until": "2099-01-01", "attributes": {"profession": "electrician", "level": "3", "awarded": "2026-01-15"}}"#).unwrap();
    let out = ok(&seal(
        d,
        &[
            "licence",
            "issue",
            "--type",
            "qualification",
            "--data",
            "data.json",
            "--key",
            "pki/licence-issuer.key",
            "--cert",
            "pki/licence-issuer.pem",
            "--out",
            "out/q1",
        ],
    ));
    assert!(out.contains("issued qualification Q2026-0001-"), "{out}");
    for f in ["out/q1.txt", "out/q1.png"] {
        let mut args = with(
            &["--json", "licence", "verify", f, "--issuers", "pki/licence-issuer.pem"],
            &trust,
        );
        args.retain(|a| !a.is_empty());
        let out = run(d, &args);
        assert_eq!(code(&out), 0, "{f}: {}", String::from_utf8_lossy(&out.stdout));
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r["licence"]["holder"]["name"], "Trần Thị B");
        assert_eq!(r["report"]["indication"], "TOTAL-PASSED");
    }
    // Tampered text that still decodes: exit 1. A wrong prefix: exit 2 with the reason.
    let text = std::fs::read_to_string(d.join("out/q1.txt")).unwrap();
    let cose = seal_core::licence::from_text(&text).unwrap();
    let mut bad = cose.clone();
    let pos = bad.windows(11).position(|w| w == b"electrician").unwrap();
    bad[pos] = b'E';
    std::fs::write(d.join("bad.txt"), seal_core::licence::to_text(&bad).unwrap()).unwrap();
    let out = run(
        d,
        &with(&["licence", "verify", "bad.txt", "--issuers", "pki/licence-issuer.pem"], &trust),
    );
    assert_eq!(code(&out), 1);
    std::fs::write(d.join("wrong.txt"), text.replacen("LC1:", "XX1:", 1)).unwrap();
    let out = run(
        d,
        &with(&["licence", "verify", "wrong.txt", "--issuers", "pki/licence-issuer.pem"], &trust),
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("wrong.txt: not a licence"), "{}", stderr(&out));
    // Data that does not fit the schema: exit 2 listing the problems.
    std::fs::write(d.join("bad.json"), r#"{"number": "Q1", "holder": {"name": "X", "id": "1"}, "valid_until": "2099-01-01", "attributes": {"level": 3}}"#).unwrap();
    let out = seal(
        d,
        &[
            "licence",
            "issue",
            "--type",
            "qualification",
            "--data",
            "bad.json",
            "--key",
            "pki/licence-issuer.key",
            "--cert",
            "pki/licence-issuer.pem",
        ],
    );
    assert_eq!(code(&out), 2);
    let e = stderr(&out);
    assert!(
        e.contains("bad.json")
            && e.contains("profession is missing")
            && e.contains("level must be non-empty text"),
        "{e}"
    );
}

#[test]
fn trust_lists_and_status_lists_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let trust = demo_pki(d);
    std::fs::write(d.join("data.json"), r#"{"number": "BL7", "holder": {"name": "Shop", "id": "42"}, "region": "VN-HN", "status_index": 9,
        "valid_until": "2099-01-01", "attributes": {"company_type": "LLC", "capital": 1, "activities": ["retail"]}}"#).unwrap();
    ok(&seal(
        d,
        &[
            "licence",
            "issue",
            "--type",
            "business-licence",
            "--data",
            "data.json",
            "--key",
            "pki/licence-issuer.key",
            "--cert",
            "pki/licence-issuer.pem",
            "--out",
            "bl7",
        ],
    ));
    ok(&seal(
        d,
        &[
            "trust-list",
            "build",
            "--name",
            "VN issuers",
            "--sequence",
            "4",
            "--issuer",
            "pki/licence-issuer.pem:business-licence:VN-HN",
            "--out",
            "list.json",
        ],
    ));
    ok(&seal(
        d,
        &[
            "trust-list",
            "sign",
            "list.json",
            "--key",
            "pki/root/ca.key",
            "--cert",
            "pki/root/ca.pem",
            "--out",
            "vn.tl",
        ],
    ));
    let shown = ok(&seal(d, &["trust-list", "show", "vn.tl"]));
    assert!(
        shown.contains("Demo Business Registration Office") && shown.contains("VN-HN"),
        "{shown}"
    );
    ok(&run(d, &with(&["trust-list", "verify", "vn.tl"], &trust)));
    let out = run(d, &with(&["trust-list", "verify", "vn.tl", "--min-sequence", "5"], &trust));
    assert_eq!(code(&out), 1, "a replayed list");
    ok(&seal(
        d,
        &[
            "licence",
            "status",
            "--key",
            "pki/licence-issuer.key",
            "--cert",
            "pki/licence-issuer.pem",
            "--size",
            "1000",
            "--revoked",
            "3,4",
            "--sequence",
            "1",
            "--out",
            "s1",
        ],
    ));
    ok(&seal(
        d,
        &[
            "licence",
            "status",
            "--key",
            "pki/licence-issuer.key",
            "--cert",
            "pki/licence-issuer.pem",
            "--size",
            "1000",
            "--revoked",
            "3,4,9",
            "--sequence",
            "2",
            "--out",
            "s2",
        ],
    ));
    let base = ["licence", "verify", "bl7.png", "--trust-list", "vn.tl"];
    let out = run(d, &with(&[&base[..], &["--status-list", "s1"]].concat(), &trust));
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stdout));
    let out = run(
        d,
        &with(
            &[&base[..], &["--status-list", "s1", "--status-list", "s2", "--json"]].concat(),
            &trust,
        ),
    );
    assert_eq!(code(&out), 1);
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["report"]["sub_indication"], "REVOKED");
    let out = run(
        d,
        &with(&[&base[..], &["--status-list", "s1", "--at", "2030-01-01"]].concat(), &trust),
    );
    assert_eq!(code(&out), 1, "stale lists: indeterminate");
}

#[test]
fn batch_licences_from_csv_and_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let trust = demo_pki(d);
    std::fs::write(d.join("reg.csv"), "number,holder_name,holder_id,valid_until,company_type,capital,activities\n\
        BL1,\"Shop, One\",100,2099-01-01,LLC,1000,retail;import\nBL2,Shop Two,200,2099-01-01,JSC,lots,retail\nBL3,Shop Three,300,2099-01-01,LLC,5,export\n").unwrap();
    let key = ["--key", "pki/licence-issuer.key", "--cert", "pki/licence-issuer.pem"];
    let out = seal(
        d,
        &[
            &[
                "licence",
                "issue",
                "--type",
                "business-licence",
                "--batch",
                "reg.csv",
                "--out-dir",
                "csv",
            ][..],
            &key,
        ]
        .concat(),
    );
    assert_eq!(code(&out), 2, "one bad row");
    assert!(stderr(&out).contains("reg.csv: line 3: capital \"lots\""), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 issued, 1 failed"));
    std::fs::write(d.join("reg.jsonl"), [
        r#"{"number": "Q1", "holder": {"name": "A", "id": "1"}, "valid_until": "2099-01-01", "attributes": {"profession": "welder", "level": "2", "awarded": "2025-01-01"}}"#,
        r#"{"number": "Q2", "holder": {"name": "B", "id": "2"}, "valid_until": "2099-01-01", "attributes": {"profession": "nurse", "level": "1", "awarded": "2025-02-01"}}"#,
    ].join("\n")).unwrap();
    ok(&seal(
        d,
        &[
            &[
                "licence",
                "issue",
                "--type",
                "qualification",
                "--batch",
                "reg.jsonl",
                "--out-dir",
                "jl",
            ][..],
            &key,
        ]
        .concat(),
    ));
    let mut all = String::new();
    for sub in ["csv", "jl"] {
        for e in std::fs::read_dir(d.join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "txt") {
                all.push_str(&std::fs::read_to_string(p).unwrap());
            }
        }
    }
    std::fs::write(d.join("all.txt"), &all).unwrap();
    let out = run(
        d,
        &with(
            &["--json", "licence", "verify", "all.txt", "--issuers", "pki/licence-issuer.pem"],
            &trust,
        ),
    );
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stdout));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["passed"], 4);
}

#[test]
fn json_with_a_detached_stamp_and_json_without_any() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let trust = demo_pki(d);
    std::fs::write(d.join("plain.json"), r#"{"x": 1}"#).unwrap();
    ok(&seal(
        d,
        &[
            "stamp",
            "plain.json",
            "--format",
            "ses",
            "--seal",
            "pki/agency.esl",
            "--key",
            "pki/agency.key",
        ],
    ));
    ok(&run(d, &with(&["verify", "plain.json"], &trust)));
    std::fs::write(d.join("none.json"), r#"{"y": 2}"#).unwrap();
    let out = run(d, &with(&["verify", "none.json"], &trust));
    assert_eq!(code(&out), 1);
    assert!(String::from_utf8_lossy(&out.stdout).contains("no signature found"));
}

#[test]
fn pdfs_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let trust = demo_pki(d);
    let pdfs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/pdf");
    std::fs::create_dir(d.join("in")).unwrap();
    for f in ["gs-3pages.pdf", "objstm.pdf", "form-field.pdf", "encrypted.pdf"] {
        std::fs::copy(pdfs.join(f), d.join("in").join(f)).unwrap();
    }
    let key = ["--seal", "pki/agency.esl", "--key", "pki/agency.key"];
    // A batch: the encrypted one fails with a clear error, the others are stamped.
    let out =
        seal(d, &[&["stamp", "in", "--out-dir", "out", "--reason", "Approved"][..], &key].concat());
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("in/encrypted.pdf: the PDF is encrypted"), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 stamped, 1 failed"));
    for f in ["gs-3pages", "objstm", "form-field"] {
        let out = run(d, &with(&["--json", "verify", &format!("out/{f}.stamped.pdf")], &trust));
        assert_eq!(code(&out), 0, "{f}: {}", String::from_utf8_lossy(&out.stdout));
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r["signatures"][0]["format"], "PAdES (ETSI.CAdES.detached)");
        assert_eq!(r["signatures"][0]["seal"]["name"], "Demo Licensing Office");
    }
    let text =
        String::from_utf8_lossy(&std::fs::read(d.join("out/gs-3pages.stamped.pdf")).unwrap())
            .into_owned();
    assert!(text.contains("/Reason(Approved)"));
    // pdfsig agrees (P-256 keys in the demo PKI).
    let ps = Command::new("pdfsig").arg(d.join("out/objstm.stamped.pdf")).output().unwrap();
    assert!(String::from_utf8_lossy(&ps.stdout).contains("Signature is Valid."));

    // Placement, certification, the existing field, the cross-page seal.
    ok(&seal(
        d,
        &[
            &[
                "stamp",
                "in/gs-3pages.pdf",
                "--page",
                "1",
                "--at",
                "72,600",
                "--certify",
                "form-filling",
                "--cross-page",
            ][..],
            &key,
        ]
        .concat(),
    ));
    let out = run(d, &with(&["verify", "in/gs-3pages.stamped.pdf"], &trust));
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(code(&out), 0, "{report}");
    assert!(report.contains("DocMDP P=2"), "{report}");
    ok(&seal(d, &[&["stamp", "in/form-field.pdf", "--field", "Approval"][..], &key].concat()));
    let out = run(d, &with(&["verify", "in/form-field.stamped.pdf"], &trust));
    assert!(String::from_utf8_lossy(&out.stdout).contains("signature field \"Approval\""));
    // Co-stamping a stamped PDF in place needs --force; the first stamp stays valid.
    let again = seal(d, &[&["stamp", "in/gs-3pages.stamped.pdf"][..], &key].concat());
    assert_eq!(code(&again), 2);
    assert!(stderr(&again).contains("already exists"), "{}", stderr(&again));
    ok(&seal(d, &[&["stamp", "in/gs-3pages.stamped.pdf", "--force"][..], &key].concat()));
    let out = run(d, &with(&["--json", "verify", "in/gs-3pages.stamped.pdf"], &trust));
    assert_eq!(code(&out), 0);
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["signatures"].as_array().unwrap().len(), 2);

    // Tampering after the stamp: a byte of the signed part changed -> exit 1.
    let mut bytes = std::fs::read(d.join("out/objstm.stamped.pdf")).unwrap();
    bytes[200] ^= 1;
    std::fs::write(d.join("tampered.pdf"), &bytes).unwrap();
    let out = run(d, &with(&["verify", "tampered.pdf"], &trust));
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("TOTAL-FAILED"));

    // Bad options.
    let out = seal(d, &[&["stamp", "in/objstm.pdf", "--at", "left"][..], &key].concat());
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("expected X,Y (points for a PDF"), "{}", stderr(&out));
    let out = seal(d, &[&["stamp", "in/objstm.pdf", "--page", "7"][..], &key].concat());
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("in/objstm.pdf: page 7 does not exist"), "{}", stderr(&out));
    // --format cms still makes a detached signature for a PDF.
    ok(&seal(d, &[&["stamp", "in/objstm.pdf", "--format", "cms"][..], &key].concat()));
    assert!(d.join("in/objstm.pdf.p7s").exists());
}
