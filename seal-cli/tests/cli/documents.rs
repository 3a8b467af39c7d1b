//! Seals, and stamped files, JSON, OFD, CMS and PDF documents through the CLI.

use super::*;

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
