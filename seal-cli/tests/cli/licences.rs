//! Licences, batches of licences, trust lists and status lists through the CLI.

use super::*;

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
    // The picture the `qr` fuzz target found slow (vendor/README.md): exit 2, naming it.
    let slow = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/fuzz/qr-quircs-slow.png");
    let slow = slow.to_str().unwrap();
    let out =
        run(d, &with(&["licence", "verify", slow, "--issuers", "pki/licence-issuer.pem"], &trust));
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("qr-quircs-slow.png: a QR code was found but could not be read"),
        "{}",
        stderr(&out)
    );
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
