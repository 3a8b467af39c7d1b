//! Keys on a PKCS#11 token (SoftHSM2): generate on the token, make CSRs, stamp files and
//! JSON, run a CA and issue licences with token keys, all verified like file keys.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

mod common;

const MODULE: &str = common::SOFTHSM;

struct Hsm {
    dir: tempfile::TempDir,
}

impl Hsm {
    fn new() -> Hsm {
        let dir = tempfile::tempdir().unwrap();
        common::softhsm_token(dir.path());
        Hsm { dir }
    }

    fn seal(&self, args: &[&str], pin: &str) -> Output {
        Command::new(env!("CARGO_BIN_EXE_seal"))
            .args(args)
            .current_dir(self.dir.path())
            .env("SOFTHSM2_CONF", self.dir.path().join("softhsm2.conf"))
            .env("SEAL_PIN", pin)
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.seal(args, "1234");
        assert!(
            out.status.success(),
            "{args:?}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// pyHanko's verdict on a PDF, with the demo PKI's root as the only trust anchor.
fn pyhanko_validate(dir: &Path, pdf: &str) -> String {
    let python = std::env::var("SEAL_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python"));
    let out = Command::new(python.parent().unwrap().join("pyhanko"))
        .args(["sign", "validate", "--pretty-print", "--no-revocation-check", "--trust-replace"])
        .args(["--trust", "pki/root/ca.pem", "--other-certs", "pki/province/ca.pem", pdf])
        .current_dir(dir)
        .output()
        .expect("pyhanko (scripts/test installs it into .venv)");
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

fn uri(object: &str) -> String {
    format!("pkcs11:token=seal;object={object}?module-path={MODULE}&pin-source=env:SEAL_PIN")
}

/// PKCS#11 has no SM2 mechanism (and SoftHSM2 no SM2 keys): asked for one, seal says so.
#[test]
fn sm2_on_a_token_is_refused_with_the_reason() {
    let h = Hsm::new();
    let out = h.seal(&["key", "new", "--alg", "sm2", "--pkcs11", &uri("sm2")], "1234");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("PKCS#11 defines no SM2 mechanism"), "{err}");
    let listed = h.ok(&["token", "list", "--module", MODULE]);
    assert!(!listed.contains("sm2"), "{listed}");
}

#[test]
fn token_keys_do_everything_file_keys_do() {
    let h = Hsm::new();
    h.ok(&["demo", "--dir", "pki"]);
    let trust = ["--trust", "pki/root/ca.pem", "--untrusted", "pki/province/ca.pem"];
    for alg in ["p256", "ed25519"] {
        let agency = uri(&format!("agency-{alg}"));
        h.ok(&["key", "new", "--alg", alg, "--pkcs11", &agency, "--pub", &format!("{alg}.pub")]);
        // The same label twice is refused.
        assert_eq!(
            h.seal(&["key", "new", "--alg", alg, "--pkcs11", &agency], "1234").status.code(),
            Some(2)
        );
        let csr = format!("{alg}.csr");
        let cert = format!("{alg}.pem");
        h.ok(&[
            "csr",
            "--key",
            &agency,
            "--cn",
            "Token Office",
            "--org",
            "City",
            "--country",
            "VN",
            "--org-id",
            "77",
            "--out",
            &csr,
        ]);
        h.ok(&[
            "ca",
            "issue",
            "--dir",
            "pki/province",
            "--csr",
            &csr,
            "--profile",
            "seal",
            "--out",
            &cert,
        ]);
        let esl = format!("{alg}.esl");
        h.ok(&[
            "seal",
            "new",
            "--maker-key",
            "pki/seal-maker.key",
            "--maker-cert",
            "pki/seal-maker.pem",
            "--holder-cert",
            &cert,
            "--name",
            "Token Office",
            "--id",
            alg,
            "--draw",
            "--out",
            &esl,
        ]);
        // Stamp a file (SES and CMS) and a JSON document with the token key.
        let doc = format!("doc-{alg}.txt");
        std::fs::write(h.dir.path().join(&doc), "stamped on a token").unwrap();
        let json = format!("doc-{alg}.json");
        std::fs::write(h.dir.path().join(&json), r#"{"a": 1}"#).unwrap();
        h.ok(&["stamp", &doc, &json, "--seal", &esl, "--key", &agency]);
        h.ok(&[&["verify", &doc][..], &trust].concat());
        h.ok(&[&["verify", &format!("doc-{alg}.stamped.json")][..], &trust].concat());
        std::fs::rename(h.dir.path().join(format!("{doc}.ses")), h.dir.path().join("old.ses"))
            .unwrap();
        h.ok(&["stamp", &doc, "--format", "cms", "--seal", &esl, "--key", &agency]);
        h.ok(&[&["verify", &doc][..], &trust].concat());
        // A PDF stamped with the token key: our verifier and pyHanko both accept it.
        let pdf = format!("contract-{alg}.pdf");
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/pdf/gs-3pages.pdf"),
            h.dir.path().join(&pdf),
        )
        .unwrap();
        h.ok(&["stamp", &pdf, "--seal", &esl, "--key", &agency, "--reason", "token"]);
        let stamped = format!("contract-{alg}.stamped.pdf");
        let report = h.ok(&[&["verify", &stamped][..], &trust].concat());
        assert!(report.contains("PAdES (ETSI.CAdES.detached)]: TOTAL-PASSED"), "{report}");
        let py = pyhanko_validate(h.dir.path(), &stamped);
        assert!(py.contains("The signature is judged VALID."), "{py}");
        assert!(py.contains("The signature covers the entire file."), "{py}");
        // The public key the token reports is the one in the certificate.
        let pem = h.ok(&["key", "pub", &agency]);
        assert_eq!(pem, std::fs::read_to_string(h.dir.path().join(format!("{alg}.pub"))).unwrap());

        // A licence issued with a token key.
        let lic_key = uri(&format!("licences-{alg}"));
        h.ok(&["key", "new", "--alg", alg, "--pkcs11", &lic_key]);
        h.ok(&[
            "csr",
            "--key",
            &lic_key,
            "--cn",
            "Licence Office",
            "--org",
            "City",
            "--country",
            "VN",
            "--org-id",
            "78",
            "--out",
            "lic.csr",
            "--force",
        ]);
        let lic_cert = format!("lic-{alg}.pem");
        h.ok(&[
            "ca",
            "issue",
            "--dir",
            "pki/province",
            "--csr",
            "lic.csr",
            "--profile",
            "licence-issuer",
            "--out",
            &lic_cert,
        ]);
        std::fs::write(
            h.dir.path().join("data.json"),
            r#"{"number": "T1", "holder": {"name": "X", "id": "1"}, "valid_until": "2099-01-01",
            "attributes": {"profession": "pilot", "level": "1", "awarded": "2026-01-01"}}"#,
        )
        .unwrap();
        let base = format!("lic-{alg}");
        h.ok(&[
            "licence",
            "issue",
            "--type",
            "qualification",
            "--data",
            "data.json",
            "--key",
            &lic_key,
            "--cert",
            &lic_cert,
            "--out",
            &base,
        ]);
        h.ok(&[&["licence", "verify", &format!("{base}.png"), "--issuers", &lic_cert][..], &trust]
            .concat());
    }

    // A CA whose key is on the token; OpenSSL checks what it issues.
    let ca_key = uri("root-ca");
    h.ok(&["key", "new", "--alg", "p256", "--pkcs11", &ca_key]);
    h.ok(&[
        "ca",
        "new",
        "--dir",
        "tokca",
        "--key",
        &ca_key,
        "--cn",
        "Token Root",
        "--org",
        "Seal Authority",
        "--country",
        "VN",
    ]);
    assert!(!h.dir.path().join("tokca/ca.key").exists());
    h.ok(&["key", "new", "--out", "leaf.key"]);
    h.ok(&[
        "csr",
        "--key",
        "leaf.key",
        "--cn",
        "Leaf",
        "--org",
        "City",
        "--country",
        "VN",
        "--org-id",
        "79",
        "--out",
        "leaf.csr",
    ]);
    let out = h.seal(
        &[
            "ca",
            "issue",
            "--dir",
            "tokca",
            "--csr",
            "leaf.csr",
            "--profile",
            "seal",
            "--out",
            "leaf.pem",
        ],
        "1234",
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("pass --key"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    h.ok(&[
        "ca",
        "issue",
        "--dir",
        "tokca",
        "--key",
        &ca_key,
        "--csr",
        "leaf.csr",
        "--profile",
        "seal",
        "--out",
        "leaf.pem",
    ]);
    h.ok(&["ca", "crl", "--dir", "tokca", "--key", &ca_key, "--out", "tok.crl"]);
    let o = Command::new("openssl")
        .args([
            "verify",
            "-crl_check",
            "-CAfile",
            "tokca/ca.pem",
            "-CRLfile",
            "tok.crl",
            "leaf.pem",
        ])
        .current_dir(h.dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // The token lists its keys; a wrong PIN is a clear error and leaves no output.
    let listing = h.ok(&["token", "list", "--module", MODULE]);
    assert!(
        listing.contains("agency-p256")
            && listing.contains("agency-ed25519")
            && listing.contains("root-ca"),
        "{listing}"
    );
    std::fs::write(h.dir.path().join("x.txt"), "x").unwrap();
    let out =
        h.seal(&["stamp", "x.txt", "--seal", "p256.esl", "--key", &uri("agency-p256")], "0000");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("wrong PIN"), "{err}");
    assert!(!err.contains("0000"), "the PIN was printed");
    assert!(!h.dir.path().join("x.txt.ses").exists());
    // A key that is not there.
    let out = h.seal(&["stamp", "x.txt", "--seal", "p256.esl", "--key", &uri("missing")], "1234");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such private key"));
}

#[test]
fn rsa_and_p384_token_keys_stamp_files_json_and_pdfs() {
    let h = Hsm::new();
    h.ok(&["demo", "--dir", "pki"]);
    let trust = ["--trust", "pki/root/ca.pem"];
    for (alg, id) in [("rsa", "81"), ("rsa-pss", "82"), ("p384", "83")] {
        let agency = uri(&format!("agency-{alg}"));
        h.ok(&["key", "new", "--alg", alg, "--pkcs11", &agency, "--pub", &format!("{alg}.pub")]);
        let (csr, cert, esl) = (format!("{alg}.csr"), format!("{alg}.pem"), format!("{alg}.esl"));
        h.ok(&[
            "csr",
            "--key",
            &agency,
            "--cn",
            "Token Office",
            "--org",
            "City",
            "--country",
            "VN",
            "--org-id",
            id,
            "--out",
            &csr,
        ]);
        h.ok(&[
            "ca",
            "issue",
            "--dir",
            "pki/province",
            "--csr",
            &csr,
            "--profile",
            "seal",
            "--out",
            &cert,
        ]);
        h.ok(&[
            "seal",
            "new",
            "--maker-key",
            "pki/seal-maker.key",
            "--maker-cert",
            "pki/seal-maker.pem",
            "--holder-cert",
            &cert,
            "--name",
            "Token Office",
            "--id",
            alg,
            "--draw",
            "--out",
            &esl,
        ]);
        let stamp = |args: &[&str]| {
            let mut all = vec!["stamp"];
            all.extend_from_slice(args);
            all.extend_from_slice(&[
                "--seal",
                &esl,
                "--key",
                &agency,
                "--chain",
                "pki/province/ca.pem",
            ]);
            if alg == "rsa-pss" {
                all.push("--rsa-pss");
            }
            h.ok(&all)
        };
        let (doc, json) = (format!("doc-{alg}.txt"), format!("doc-{alg}.json"));
        std::fs::write(h.dir.path().join(&doc), "stamped on a token").unwrap();
        std::fs::write(h.dir.path().join(&json), r#"{"a": 1}"#).unwrap();
        stamp(&[&doc, "--format", "cms"]);
        stamp(&[&json]);
        h.ok(&[&["verify", &doc][..], &trust].concat());
        let out =
            h.ok(&[&["--json", "verify", &format!("doc-{alg}.stamped.json")][..], &trust].concat());
        let r: serde_json::Value = serde_json::from_str(&out).unwrap();
        let jose = if alg == "p384" {
            "ES384"
        } else if alg == "rsa" {
            "RS256"
        } else {
            "PS256"
        };
        assert_eq!(r["signatures"][0]["algorithm"], jose, "{r:#}");
        let pdf = format!("contract-{alg}.pdf");
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/pdf/gs-3pages.pdf"),
            h.dir.path().join(&pdf),
        )
        .unwrap();
        stamp(&[&pdf]);
        let stamped = format!("contract-{alg}.stamped.pdf");
        let report = h.ok(&[&["verify", &stamped][..], &trust].concat());
        assert!(report.contains("PAdES (ETSI.CAdES.detached)]: TOTAL-PASSED"), "{report}");
        let expected = match alg {
            "rsa" => "RSA PKCS#1 v1.5 with SHA-256",
            "rsa-pss" => "RSA-PSS with SHA-256",
            _ => "ECDSA with SHA-384",
        };
        assert!(report.contains(expected), "{alg}: {report}");
        let py = pyhanko_validate(h.dir.path(), &stamped);
        assert!(py.contains("The signature is judged VALID."), "{alg}: {py}");
        // poppler's pdfsig checks the token's signature too (its NSS cannot check the demo's
        // Ed25519 root, so the chain is pyHanko's and ours to judge here).
        let ps = Command::new("pdfsig").arg(&stamped).current_dir(h.dir.path()).output().unwrap();
        let ps = String::from_utf8_lossy(&ps.stdout);
        assert!(ps.contains("Signature is Valid."), "{alg}: {ps}");
        let pem = h.ok(&["key", "pub", &agency]);
        assert_eq!(pem, std::fs::read_to_string(h.dir.path().join(format!("{alg}.pub"))).unwrap());
    }
}

/// A TSA whose key is on the token: `seal tsa serve --tsa-key pkcs11:...` answers
/// concurrent clients, and OpenSSL verifies its replies; `seal tsa respond` and
/// `seal tsa query --tsa-dir` sign with the token key too.
#[test]
fn a_tsa_signs_with_a_token_key() {
    use std::io::BufRead;
    let h = Hsm::new();
    let d = h.dir.path();
    h.ok(&["demo", "--dir", "pki"]);
    let key = uri("tsa");
    h.ok(&["key", "new", "--alg", "p256", "--pkcs11", &key]);
    let subject = ["--cn", "Token TSA", "--org", "Seal", "--country", "VN", "--org-id", "01"];
    h.ok(&[&["csr", "--key", &key][..], &subject, &["--out", "tsa.csr"]].concat());
    let issue = ["ca", "issue", "--dir", "pki/root", "--csr", "tsa.csr", "--profile", "tsa"];
    h.ok(&[&issue[..], &["--out", "tsa.pem"]].concat());
    h.ok(&["tsa", "new", "--dir", "tsa", "--cert", "tsa.pem"]);
    std::fs::write(d.join("a.txt"), "a decision\n").unwrap();
    // In process: query and respond.
    h.ok(&["tsa", "query", "a.txt", "--tsa-dir", "tsa", "--tsa-key", &key, "--out", "a1.tsr"]);
    let verify = ["ts", "-verify", "-data", "a.txt", "-CAfile", "pki/root/ca.pem"];
    let openssl = |reply: &str| {
        Command::new("openssl")
            .args(verify)
            .args(["-in", reply, "-untrusted", "tsa.pem"])
            .current_dir(d)
            .output()
            .unwrap()
    };
    let out = openssl("a1.tsr");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Over HTTP, from several clients at once.
    let mut child = Command::new(env!("CARGO_BIN_EXE_seal"))
        .args(["tsa", "serve", "--dir", "tsa", "--tsa-key", &key, "--listen", "127.0.0.1:0"])
        .current_dir(d)
        .env("SOFTHSM2_CONF", d.join("softhsm2.conf"))
        .env("SEAL_PIN", "1234")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("listening on ").unwrap().to_owned();
    let hsm = &h;
    let results: Vec<Output> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let (url, h) = (url.clone(), hsm);
                s.spawn(move || {
                    let out = format!("h{i}.tsr");
                    h.seal(&["tsa", "query", "a.txt", "--url", &url, "--out", &out], "1234")
                })
            })
            .collect();
        handles.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let _ = child.kill();
    let _ = child.wait();
    for (i, r) in results.iter().enumerate() {
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        let out = openssl(&format!("h{i}.tsr"));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
}
