//! Batch stamping is durable and crash-safe: `kill -9` at any moment of a batch leaves only
//! complete, valid outputs under their real names (perhaps hidden `.seal-tmp-*` files), and
//! the batch run again stamps the rest without touching what was already stamped.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use common::{seal, seal_ok};
use seal_core::time::UnixTime;
use seal_core::verify::{Indication, Trust};

const PDFS: usize = 240;
const TEXTS: usize = 60;

fn inputs(d: &Path) {
    let dir = d.join("in");
    std::fs::create_dir(&dir).unwrap();
    let pdf = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/pdf/gs-3pages.pdf"))
        .unwrap();
    for i in 0..PDFS {
        std::fs::write(dir.join(format!("doc{i:03}.pdf")), &pdf).unwrap();
    }
    for i in 0..TEXTS {
        std::fs::write(dir.join(format!("note{i:03}.txt")), format!("note {i}\n")).unwrap();
    }
}

fn stamp_cmd(d: &Path, out: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_seal"));
    c.args([
        "stamp",
        "in",
        "--out-dir",
        out,
        "--seal",
        "pki/agency.esl",
        "--key",
        "pki/agency.key",
    ])
    .current_dir(d)
    .env("SEAL_STATE_DIR", d.join(".seal-state"))
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    c
}

/// Every output under its real name verifies TOTAL-PASSED; returns them with their bytes,
/// and how many hidden temporary files there are.
fn check_outputs(d: &Path, out: &str) -> (BTreeMap<String, Vec<u8>>, usize) {
    let trust = Trust {
        anchors: seal_core::pki::load_certificates(&d.join("pki/root/ca.pem")).unwrap(),
        intermediates: seal_core::pki::load_certificates(&d.join("pki/province/ca.pem")).unwrap(),
        ..Trust::default()
    };
    let (mut outputs, mut temporary) = (BTreeMap::new(), 0);
    for entry in std::fs::read_dir(d.join(out)).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with(seal_core::io::TEMP_PREFIX) {
            temporary += 1;
            continue;
        }
        let report = if let Some(stem) = name.strip_suffix(".ses") {
            // A detached stamp: verified over its input.
            let input = d.join("in").join(stem);
            seal_core::stamp::verify(&input, Some(&path), &trust, UnixTime::now())
        } else {
            seal_core::stamp::verify(&path, None, &trust, UnixTime::now())
        };
        let report = report.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(report.indication, Indication::TotalPassed, "{name}: {report:?}");
        outputs.insert(name, std::fs::read(&path).unwrap());
    }
    (outputs, temporary)
}

#[test]
fn kill_9_mid_batch_leaves_only_complete_valid_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    seal_ok(d, &["demo", "--dir", "pki"]);
    inputs(d);
    // A whole batch, to learn how long one takes here.
    let start = Instant::now();
    assert!(stamp_cmd(d, "full").status().unwrap().success());
    let whole = start.elapsed();
    let (full, temporary) = check_outputs(d, "full");
    assert_eq!((full.len(), temporary), (PDFS + TEXTS, 0));

    let mut partial = 0;
    for (n, fraction) in [0.02, 0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 0.97].into_iter().enumerate() {
        let out = format!("killed{n}");
        let mut child = stamp_cmd(d, &out).spawn().unwrap();
        std::thread::sleep(whole.mul_f64(fraction));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        if !d.join(&out).exists() {
            continue; // killed before it created the directory
        }
        let (before, _) = check_outputs(d, &out);
        if !status.success() && before.len() < PDFS + TEXTS {
            partial += 1;
        }
        // Run again: what is there is kept (and named as existing), the rest is stamped.
        let again = stamp_cmd(d, &out).status().unwrap();
        assert_eq!(again.success(), before.is_empty(), "{out}: {} existed", before.len());
        let (after, _) = check_outputs(d, &out);
        assert_eq!(after.len(), PDFS + TEXTS, "{out}");
        for (name, bytes) in &before {
            assert_eq!(&after[name], bytes, "{out}/{name} was rewritten");
        }
    }
    // The kills above must have hit batches in progress, or this test proves nothing.
    assert!(partial >= 2, "only {partial} kills landed mid-batch");
}

#[test]
fn a_batch_keeps_existing_outputs_and_names_them() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    seal_ok(d, &["demo", "--dir", "pki"]);
    inputs(d);
    std::fs::create_dir(d.join("out")).unwrap();
    std::fs::write(d.join("out/doc007.stamped.pdf"), b"keep me").unwrap();
    let out = seal(
        d,
        &["stamp", "in", "--out-dir", "out", "--seal", "pki/agency.esl", "--key", "pki/agency.key"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    // An error (exit 2), naming the file kept; the other 299 are stamped.
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("out/doc007.stamped.pdf"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("299 stamped, 1 failed"));
    assert_eq!(std::fs::read(d.join("out/doc007.stamped.pdf")).unwrap(), b"keep me");
    std::fs::remove_file(d.join("out/doc007.stamped.pdf")).unwrap();
    let (outputs, temporary) = check_outputs(d, "out");
    assert_eq!((outputs.len(), temporary), (PDFS + TEXTS - 1, 0));
}
