//! `seal licence verify` on EU digital COVID certificates from the public test data
//! (vectors/dcc): from the HC1 text and from a QR code made by qrencode.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

#[test]
fn dcc_text_and_qr_verify_through_the_cli() {
    let cases = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/dcc/cases.jsonl"),
    )
    .unwrap();
    let case: serde_json::Value = cases
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|c| c["file"] == "AT/2DCode/raw/1.json")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("hc1.txt"), case["prefix"].as_str().unwrap()).unwrap();
    let b64 = case["certificate"].as_str().unwrap();
    let pem = format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n");
    std::fs::write(d.join("dsc.pem"), pem).unwrap();
    let qr = Command::new("qrencode")
        .args(["-l", "Q", "-o", "hc1.png", case["prefix"].as_str().unwrap()])
        .current_dir(d)
        .output()
        .expect("qrencode is installed");
    assert!(qr.status.success());
    let seal = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_seal")).args(args).current_dir(d).output().unwrap()
    };
    for input in ["hc1.txt", "hc1.png"] {
        let out = seal(&[
            "--json",
            "licence",
            "verify",
            input,
            "--issuers",
            "dsc.pem",
            "--trust",
            "dsc.pem",
            "--at",
            "2021-05-06T18:00:00Z",
        ]);
        let r: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        assert_eq!(out.status.code(), Some(0), "{input}: {r:#}");
        assert_eq!(r["dcc"]["issuer"], "AT");
        assert_eq!(r["dcc"]["certificate"]["nam"]["gn"], "Gabriele");
    }
    // Years later it has expired.
    let out = seal(&["licence", "verify", "hc1.txt", "--issuers", "dsc.pem", "--trust", "dsc.pem"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("EXPIRED"));
    // A changed character: not a valid signature (or not decodable), never accepted.
    let text = case["prefix"].as_str().unwrap();
    let mut changed = text.to_string();
    let i = text.len() / 2;
    let c = if &text[i..=i] == "A" { "B" } else { "A" };
    changed.replace_range(i..=i, c);
    std::fs::write(d.join("bad.txt"), changed).unwrap();
    let out = seal(&[
        "licence",
        "verify",
        "bad.txt",
        "--issuers",
        "dsc.pem",
        "--trust",
        "dsc.pem",
        "--at",
        "2021-05-06T18:00:00Z",
    ]);
    assert_ne!(out.status.code(), Some(0));
}
