//! OFD packages (zip, XML, GB/T 38540 stamps inside). The verifier opens a file, so each
//! input is written to one temporary file first.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    use std::sync::OnceLock;
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("a temporary directory"));
    let path = dir.path().join("input.ofd");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let f = seal_fuzz::fixture();
    let _ = seal_core::stamp::ofd::verify(&path, &f.trust, seal_fuzz::at());
});
