//! Keys, help, clear errors and the demo: every command documents itself, key files are 0600 and
//! kept without `--force`, and bad input gets an error naming the file.

use super::*;

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
fn demo_runs_on_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(&seal(dir.path(), &["demo"]));
    assert!(out.contains("demo passed"), "{out}");
    assert!(out.contains("TOTAL-FAILED (REVOKED)"), "{out}");
    // Running it again needs --force.
    assert_eq!(code(&seal(dir.path(), &["demo"])), 2);
    ok(&seal(dir.path(), &["demo", "--force"]));
}
