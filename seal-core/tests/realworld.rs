//! Signed PDFs made by other producers (vectors/realworld, origin and licence in its
//! SOURCES.md), each with pyHanko's verdict in a sidecar (`FILE.expect.json`, written by
//! vectors/realworld/referee.py). seal's cryptographic verdict must match pyHanko's on every
//! signature pyHanko can judge, and nothing pyHanko finds modified may pass seal's
//! modification check, except where the sidecar's `seal_differs` says why seal differs on
//! purpose.
#![cfg(feature = "pdf")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use seal_core::verify::{Indication, SignatureReport, SubIndication, Trust};

fn corpus() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/realworld");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "pdf") {
                out.push(f);
            }
        }
    }
    out.sort();
    out
}

fn passed(r: &SignatureReport, check: &str) -> bool {
    r.checks.iter().filter(|c| c.check == check).all(|c| c.indication == Indication::TotalPassed)
        && r.checks.iter().any(|c| c.check == check)
}

/// seal's cryptographic verdict: the byte range is the whole revision but the signature,
/// the content's digest matches and the signature verifies.
fn crypto_ok(r: &SignatureReport) -> bool {
    passed(r, "byte-range") && passed(r, "data-hash") && passed(r, "signature")
}

#[test]
fn seal_agrees_with_pyhanko_on_real_signed_pdfs() {
    let files = corpus();
    assert!(files.len() >= 40, "{} files", files.len());
    let (mut judged, mut agreed, mut verified, mut differs) = (0, 0, 0, 0);
    let mut disagreements = Vec::new();
    let now = seal_core::time::UnixTime::now();
    for file in &files {
        let sidecar = PathBuf::from(format!("{}.expect.json", file.display()));
        let expect: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&sidecar).unwrap_or_else(|e| {
                panic!("{}: no sidecar ({e}); run vectors/realworld/referee.py", file.display())
            }))
            .unwrap();
        // Whatever pyHanko says, seal answers without panicking, with a report or an error.
        let report = seal_core::pdf::verify(file, &Trust::default(), now);
        let Some(sigs) = expect["pyhanko"].as_array() else { continue };
        for s in sigs {
            let field = s["field"].as_str().unwrap_or_default();
            if s.get("error").is_some() {
                continue;
            }
            judged += 1;
            let theirs = s["intact"] == true
                && s["valid"] == true
                && matches!(s["coverage"].as_str(), Some("ENTIRE_FILE" | "ENTIRE_REVISION"));
            let ours = report.as_ref().ok().and_then(|r| {
                r.signatures.iter().find(|x| x.id == format!("signature field \"{field}\""))
            });
            let ours_ok = ours.is_some_and(crypto_ok);
            verified += usize::from(ours_ok && theirs);
            let modified = s["modification_level"] == "OTHER";
            let ours_pass_mods = ours.is_some_and(|r| passed(r, "modifications"));
            let agrees = ours_ok == theirs && !(modified && ours_pass_mods);
            let why = &expect["seal_differs"][field];
            if agrees {
                agreed += 1;
                assert!(why.is_null(), "{}: {field}: seal_differs is stale", file.display());
            } else if why.is_string() {
                differs += 1;
            } else {
                disagreements.push(format!(
                    "{} {field}: pyHanko {} (modified: {modified}), seal {ours_ok} ({})",
                    file.display(),
                    theirs,
                    match (&report, ours) {
                        (Err(e), _) => e.to_string(),
                        (_, Some(r)) => r
                            .checks
                            .iter()
                            .filter(|c| c.indication != Indication::TotalPassed)
                            .map(|c| format!("{}: {}", c.check, c.detail))
                            .collect::<Vec<_>>()
                            .join("; "),
                        _ => "no such signature".into(),
                    }
                ));
            }
        }
    }
    println!(
        "real-world corpus: {} files, {judged} signatures pyHanko judges, seal agrees on \
         {agreed}, differs on purpose on {differs}; {verified} verified by both",
        files.len()
    );
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    assert!(judged >= 60, "{judged}");
}

/// Document timestamps (SubFilter ETSI.RFC3161) of real B-LT and B-LTA files are checked,
/// not skipped: the token's imprint over the byte range, its signature and its signed
/// attributes; their TSAs' roots are not ours to trust. A changed byte inside the range a
/// timestamp covers breaks its imprint.
#[test]
fn real_document_timestamps_are_checked() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/realworld");
    let now = seal_core::time::UnixTime::now();
    let mut checked = 0;
    for name in [
        "pdfcpu/testPAdES_BLTA.pdf",
        "pyHanko/pades-lta-dss-indirect-arrs-test.pdf",
        "SiVa/hellopades-pades-lt-sha256-sign.pdf",
    ] {
        let report = seal_core::pdf::verify(&root.join(name), &Trust::default(), now).unwrap();
        for s in report.signatures.iter().filter(|s| s.format.contains("document timestamp")) {
            for check in ["byte-range", "signature", "data-hash", "imprint"] {
                assert!(passed(s, check), "{name}: {check}: {s:?}");
            }
            assert!(s.proven_time.is_some(), "{name}");
            assert_eq!(s.sub_indication, Some(SubIndication::NoCertificateChainFound), "{name}");
            checked += 1;
        }
    }
    assert_eq!(checked, 3);
    // pdfcpu's B-LTA file with one byte changed before its document timestamp's gap.
    let mut bytes = std::fs::read(root.join("pdfcpu/testPAdES_BLTA.pdf")).unwrap();
    let at = bytes.windows(6).position(|w| w == b"/Title").unwrap_or(100);
    bytes[at + 1] ^= 0x20;
    let report = seal_core::pdf::verify_bytes(&bytes, "changed.pdf", &Trust::default(), now);
    let report = report.unwrap();
    let ts = report.signatures.iter().find(|s| s.format.contains("document timestamp")).unwrap();
    let imprint = ts.checks.iter().find(|c| c.check == "imprint").unwrap();
    assert_eq!(imprint.sub_indication, Some(SubIndication::HashFailure), "{ts:?}");
}
