//! iText's document-revision test files (vectors/itext, see its SOURCES.md): seal's verdict
//! on what changed after each signature is iText's, except where `expect.json` says why
//! not. The cryptography is not the point here (iText's test root is not trusted), only
//! the modification analysis and the signature's place in the file.
#![cfg(feature = "pdf")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use seal_core::verify::{Indication, Trust};

#[test]
fn seal_judges_itexts_revision_files_as_itext_does() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/itext");
    let expect: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("expect.json")).unwrap()).unwrap();
    let mut trust = Trust::default();
    trust.policy.allow_annotations = true; // iText's default for uncertified documents
    let now = seal_core::time::UnixTime::now();
    let (mut agreed, mut differs, mut wrong) = (0, 0, Vec::new());
    for (file, e) in expect.as_object().unwrap() {
        let report = seal_core::pdf::verify(&dir.join(file), &trust, now)
            .unwrap_or_else(|err| panic!("{file}: {err}"));
        let failed: Vec<String> = report
            .signatures
            .iter()
            .flat_map(|s| &s.checks)
            .filter(|c| {
                matches!(c.check, "modifications" | "byte-range")
                    && c.indication != Indication::TotalPassed
            })
            .map(|c| format!("{}: {}", c.check, c.detail))
            .collect();
        let itext_valid = e["itext"] == "VALID";
        let agrees = failed.is_empty() == itext_valid;
        match (agrees, e["seal_differs"].as_str()) {
            (true, None) => agreed += 1,
            (false, Some(_)) => differs += 1,
            (true, Some(_)) => wrong.push(format!("{file}: seal_differs is stale")),
            (false, None) => wrong.push(format!("{file}: iText {}, seal {failed:?}", e["itext"])),
        }
        // Every failure names its reason.
        assert!(failed.iter().all(|f| f.len() > 40), "{file}: {failed:?}");
    }
    println!("iText revision files: {agreed} agree, {differs} differ on purpose");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(agreed >= 35, "{agreed}");
}
