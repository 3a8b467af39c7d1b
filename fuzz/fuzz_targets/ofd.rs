//! OFD packages (zip, XML, GB/T 38540 stamps and GB/T 35275 signatures inside): verified,
//! then stamped (the stamper reads the same package to rewrite it) and, when that works,
//! the result verified again. The verifier opens a file, so each input is written to one
//! temporary file first.
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
    let out = dir.path().join("stamped.ofd");
    let opts = seal_core::stamp::ofd::StampOptions::default();
    if let Ok((staged, _)) =
        seal_core::stamp::ofd::stage(&path, &out, &f.key(), &opts, seal_fuzz::at(), None, true)
    {
        for done in seal_core::io::commit_all(vec![staged]) {
            if done.is_ok() {
                let _ = seal_core::stamp::ofd::verify(&out, &f.trust, seal_fuzz::at());
            }
        }
    }
});
