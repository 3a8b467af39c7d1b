//! Certomancer (PyPI; `certomancer animate` serves a test PKI's TSA and CRLs over HTTP on
//! 127.0.0.1) as a third, independent TSA: its tokens verify in `seal tsa verify`, a
//! changed byte in the data is caught, seal stamps PDFs with it (B-T, and B-LTA with its
//! CRL, which has a critical issuingDistributionPoint, in the /DSS), and they verify.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::*;

/// `certomancer animate` on a free loopback port, its TSA's URL, and the PKI's root and
/// CRL (`root.pem`, `certomancer.crl`) written to `d`.
fn animate(d: &Path) -> (Running, String) {
    std::fs::create_dir_all(d.join("keys")).unwrap();
    for k in ["root", "tsa"] {
        let out = format!("keys/{k}.key.pem");
        let args = ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
        ok(d, "openssl", &[&args[..], &["-out", &out]].concat());
    }
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/certomancer.yml");
    std::fs::copy(config, d.join("certomancer.yml")).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let prefix = format!("http://127.0.0.1:{port}");
    let certomancer = python_tool("certomancer");
    let c = certomancer.to_str().unwrap();
    let base = ["--config", "certomancer.yml", "--service-url-prefix", &prefix];
    ok(d, c, &[&base[..], &["summon", "seal-test", "root", "root.pem"]].concat());
    let crl = ["necronomicon", "--no-pem", "seal-test", "root", "certomancer.crl"];
    ok(d, c, &[&base[..], &crl].concat());
    let port_text = port.to_string();
    let child = Command::new(c)
        .args(base)
        .args(["animate", "--aiohttp", "--no-web-ui", "--port", &port_text])
        .current_dir(d)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("certomancer animate starts");
    let running = Running(child);
    // Ready when it accepts connections (bounded: 30 s).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "certomancer animate did not start");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    (running, format!("{prefix}/seal-test/tsa/tsa"))
}

#[test]
fn certomancer_tokens_verify_in_seal() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_server, url) = animate(d);
    std::fs::write(d.join("decision.txt"), "decision no. 19\n").unwrap();
    seal_ok(d, &["tsa", "query", "decision.txt", "--url", &url]);
    let verify = ["--json", "tsa", "verify", "--reply", "decision.txt.tsr", "--trust", "root.pem"];
    let out = seal(d, &[&verify[..], &["--crl", "certomancer.crl", "decision.txt"]].concat());
    let r = json(&out);
    assert_eq!(out.status.code(), Some(0), "{r:#}");
    let text = r.to_string();
    assert!(text.contains("Certomancer TSA"), "{r:#}");
    // Its CRL (with a critical issuingDistributionPoint) answered for the TSA.
    assert!(text.contains("CRL of"), "{r:#}");
    std::fs::write(d.join("changed.txt"), "decision no. 91\n").unwrap();
    let out = seal(d, &[&verify[..], &["changed.txt"]].concat());
    assert_eq!(out.status.code(), Some(1));
    assert!(json(&out).to_string().contains("HASH_FAILURE"));
}

#[test]
fn seal_stamps_pdfs_with_certomancers_tsa() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_server, url) = animate(d);
    seal_ok(d, &["demo", "--dir", "pki"]);
    seal_ok(d, &["ca", "crl", "--dir", "pki/province", "--out", "p.crl"]);
    seal_ok(d, &["ca", "crl", "--dir", "pki/root", "--out", "r.crl"]);
    let stamp =
        ["stamp", "pki/contract.pdf", "--seal", "pki/agency.esl", "--key", "pki/agency.key"];
    let lt = ["--crl", "p.crl", "--crl", "r.crl", "--crl", "certomancer.crl"];
    let lt = [&lt[..], &["--trust", "root.pem", "--trust", "pki/root/ca.pem"]].concat();
    for level in ["b-t", "b-lta"] {
        let args = [&stamp[..], &["--tsa", &url, "--level", level, "--force"], &lt].concat();
        seal_ok(d, &args);
        let trust = ["--trust", "pki/root/ca.pem", "--trust", "root.pem"];
        let out =
            seal(d, &[&["--json", "verify", "pki/contract.stamped.pdf"][..], &trust].concat());
        let r = json(&out);
        assert_eq!(out.status.code(), Some(0), "{level}: {r:#}");
        let s = &r["signatures"][0];
        assert!(s["proven_time"].is_string(), "{r:#}");
        assert!(r.to_string().contains("Certomancer TSA"), "{r:#}");
        if level == "b-lta" {
            assert_eq!(r["signatures"].as_array().unwrap().len(), 2, "{r:#}");
        }
    }
}
