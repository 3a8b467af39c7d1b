//! Remote signing through an independent CSC API v1.0.4.0 service: certomancer-csc-dummy
//! (PyPI, by pyHanko's author) serves a certomancer PKI's keys (tests/interop/
//! certomancer-csc.yml) on 127.0.0.1. `seal key cert` takes the holder certificate from the
//! service, a seal is made for it, and PDFs, detached GB/T 38540 and CMS stamps and JSON
//! stamps signed through the service with its P-256 and RSA keys verify, in seal and (CMS)
//! in OpenSSL; remote failures are named and leave no output.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::*;

/// certomancer-csc-dummy on a free loopback port (hash pinning, SCAL 2), its base URL, and
/// the PKI's root (root.pem) in `d`.
fn csc_dummy(d: &Path) -> (Running, String) {
    std::fs::create_dir_all(d.join("keys")).unwrap();
    for (k, alg) in [("root", "ec"), ("agency", "ec"), ("agency-rsa", "rsa")] {
        let out = format!("keys/{k}.key.pem");
        let args: &[&str] = match alg {
            "ec" => &["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
            _ => &["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        };
        ok(d, "openssl", &[args, &["-out", &out]].concat());
    }
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/certomancer-csc.yml");
    std::fs::copy(config, d.join("certomancer-csc.yml")).unwrap();
    let certomancer = python_tool("certomancer");
    let summon = ["--config", "certomancer-csc.yml", "summon", "seal-csc", "root", "root.pem"];
    ok(d, certomancer.to_str().unwrap(), &summon);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let python = std::env::var("SEAL_PYTHON").expect("SEAL_PYTHON (scripts/test sets it)");
    let child = Command::new(python)
        .args(["-m", "csc_dummy", "certomancer-csc.yml", &port.to_string(), "2"])
        .current_dir(d)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(d.join("csc.log")).unwrap())
        .spawn()
        .expect("certomancer-csc-dummy starts");
    let running = Running(child);
    // Ready when it accepts connections (bounded: 30 s).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "certomancer-csc-dummy did not start");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    (running, format!("csc+http://127.0.0.1:{port}/csc/v1"))
}

/// A seal-making authority (`maker/`), to make seals for the service's certificates.
fn maker(d: &Path) {
    let subject = ["--cn", "Seal Maker", "--org", "Seal Authority", "--country", "VN"];
    seal_ok(d, &[&["ca", "new", "--dir", "maker"][..], &subject].concat());
}

fn verify_ok(d: &Path, file: &str) -> String {
    let trust = ["--trust", "root.pem", "--trust", "maker/ca.pem", "--seal-maker", "maker/ca.pem"];
    let out = seal(d, &[&["verify", file][..], &trust].concat());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{file}: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

#[test]
fn pdfs_and_stamps_signed_through_certomancer_csc_dummy_verify() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_server, base) = csc_dummy(d);
    maker(d);
    let pdf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/pdf/gs-3pages.pdf");
    for (cred, name) in [("seal-csc/agency", "p256"), ("seal-csc/agency-rsa", "rsa")] {
        let key = format!("{base}?credential={cred}");
        let text = seal_ok(d, &["key", "cert", &key, "--out", &format!("{name}.pem")]);
        assert!(text.contains("wrote 2 certificates of \"CN=Licensing Office"), "{text}");
        let esl = format!("{name}.esl");
        let maker = ["--maker-key", "maker/ca.key", "--maker-cert", "maker/ca.pem"];
        let holder =
            ["--holder-cert", &format!("{name}.pem"), "--name", "Licensing Office", "--id", name];
        seal_ok(d, &[&["seal", "new", "--draw", "--out", &esl][..], &maker, &holder].concat());
        std::fs::copy(&pdf, d.join(format!("{name}.pdf"))).unwrap();
        std::fs::write(d.join(format!("{name}.txt")), format!("decision for {name}\n")).unwrap();
        std::fs::write(d.join(format!("{name}.json")), format!("{{\"licence\": \"{name}\"}}"))
            .unwrap();
        std::fs::write(d.join(format!("{name}-cms.txt")), "a CMS-stamped file\n").unwrap();
        let files = [format!("{name}.pdf"), format!("{name}.txt"), format!("{name}.json")];
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        let text = seal_ok(d, &[&["stamp"][..], &files, &["--seal", &esl, "--key", &key]].concat());
        assert!(text.contains("3 stamped, 0 failed"), "{text}");
        let cms = format!("{name}-cms.txt");
        seal_ok(d, &["stamp", &cms, "--format", "cms", "--seal", &esl, "--key", &key]);
        for file in [
            format!("{name}.stamped.pdf"),
            format!("{name}.txt"),
            format!("{name}.stamped.json"),
            cms.clone(),
        ] {
            let text = verify_ok(d, &file);
            assert!(
                text.contains("TOTAL-PASSED") && text.contains("CN=Licensing Office"),
                "{text}"
            );
        }
        // OpenSSL checks the CMS signature made through the service.
        let p7s = format!("{cms}.p7s");
        let args = ["cms", "-verify", "-binary", "-inform", "DER", "-in", &p7s, "-content", &cms];
        ok(
            d,
            "openssl",
            &[&args[..], &["-CAfile", "root.pem", "-purpose", "any", "-out", "/dev/null"]].concat(),
        );
        // A changed byte in the stamped file fails.
        std::fs::write(d.join(format!("{name}.txt")), format!("decision for {name}!\n")).unwrap();
        let out = seal(
            d,
            &["verify", &format!("{name}.txt"), "--trust", "root.pem", "--trust", "maker/ca.pem"],
        );
        assert_eq!(out.status.code(), Some(1));
    }
    // Hash pinning: one authorisation for each signHash. The three files of one command
    // travel together (in one to three chunks, as they become ready), the CMS stamp alone:
    // 4 to 8 for the 8 signatures. The service writes each line after answering: wait for
    // it to settle (bounded: 10 s).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let count = |log: &str| {
        let a = log.matches("POST /csc/v1/credentials/authorize").count();
        (a, log.matches("POST /csc/v1/signatures/signHash").count())
    };
    let mut log = std::fs::read_to_string(d.join("csc.log")).unwrap();
    while (count(&log).1 < 4 || count(&log).0 != count(&log).1)
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(50));
        log = std::fs::read_to_string(d.join("csc.log")).unwrap();
    }
    let (authorized, signed) = count(&log);
    assert!(authorized == signed && (4..=8).contains(&signed), "{log}");
}

#[test]
fn remote_failures_name_the_service_and_leave_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (server, base) = csc_dummy(d);
    let err = |args: &[&str]| {
        let out = seal(d, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    // No credential named, and the account has three.
    let e = err(&["key", "cert", &base]);
    assert!(
        e.contains("has 3 credentials (seal-csc/root, seal-csc/agency, seal-csc/agency-rsa)"),
        "{e}"
    );
    let e = err(&["key", "cert", &format!("{base}?credential=seal-csc/nobody")]);
    assert!(e.contains("credentials/info: http_error (HTTP 404)"), "{e}");
    let e = err(&["key", "pub", &format!("{base}?pin-value=1234")]);
    assert!(e.contains("pin-value would put a secret on the command line"), "{e}");
    let e = err(&["key", "cert", "csc+http://sign.example.vn/csc/v1?credential=x"]);
    assert!(e.contains("in the clear"), "{e}");

    // The service gone: the files are not stamped, and nothing is written.
    maker(d);
    let key = format!("{base}?credential=seal-csc/agency");
    seal_ok(d, &["key", "cert", &key, "--out", "agency.pem"]);
    let maker = ["--maker-key", "maker/ca.key", "--maker-cert", "maker/ca.pem"];
    seal_ok(
        d,
        &[
            &[
                "seal",
                "new",
                "--draw",
                "--out",
                "a.esl",
                "--holder-cert",
                "agency.pem",
                "--name",
                "Office",
                "--id",
                "1",
            ][..],
            &maker,
        ]
        .concat(),
    );
    std::fs::write(d.join("a.txt"), "a\n").unwrap();
    drop(server);
    let e = err(&["stamp", "a.txt", "--seal", "a.esl", "--key", &key]);
    assert!(e.contains("credentials/info: network"), "{e}");
    assert!(!d.join("a.txt.ses").exists());
}

/// TLS: the client trusts the CA it is given (`ca=FILE`) and checks the service's
/// certificate against it; with the system's CAs, which do not include it, it refuses,
/// naming the certificate problem.
#[test]
fn tls_services_are_checked_against_the_ca_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_plain, _) = csc_dummy(d);
    // A TLS CA and a server certificate for 127.0.0.1, made by OpenSSL.
    let new_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout"];
    let ca =
        ["tls-ca.key", "-x509", "-days", "30", "-out", "tls-ca.pem", "-subj", "/CN=Test TLS CA"];
    ok(d, "openssl", &[&["req"][..], &new_key, &ca].concat());
    let server = ["tls.key", "-out", "tls.csr", "-subj", "/CN=127.0.0.1"];
    ok(d, "openssl", &[&["req"][..], &new_key, &server].concat());
    std::fs::write(d.join("san.cnf"), "subjectAltName = IP:127.0.0.1\n").unwrap();
    let days = ["-days", "30"];
    let sign = [
        "x509",
        "-req",
        "-in",
        "tls.csr",
        "-CA",
        "tls-ca.pem",
        "-CAkey",
        "tls-ca.key",
        "-CAcreateserial",
        "-extfile",
        "san.cnf",
        "-out",
        "tls.pem",
    ];
    ok(d, "openssl", &[&sign[..], &days].concat());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let python = std::env::var("SEAL_PYTHON").expect("SEAL_PYTHON (scripts/test sets it)");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/csc_dummy_tls.py");
    let child = Command::new(python)
        .arg(script)
        .args(["certomancer-csc.yml", &port.to_string(), "tls.pem", "tls.key"])
        .current_dir(d)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _tls = Running(child);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "the TLS service did not start");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let base = format!("csc+https://127.0.0.1:{port}/csc/v1?credential=seal-csc/agency");
    let ca = d.join("tls-ca.pem");
    let text = seal_ok(d, &["key", "cert", &format!("{base}&ca={}", ca.display())]);
    assert!(text.starts_with("-----BEGIN CERTIFICATE-----"), "{text}");
    let out = seal(d, &["key", "cert", &base]);
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("credentials/info: network") && e.contains("UnknownIssuer"), "{e}");
    // The wrong CA file is refused as clearly.
    let out = seal(d, &["key", "cert", &format!("{base}&ca={}", d.join("san.cnf").display())]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no PEM certificate to trust for TLS"));
}
