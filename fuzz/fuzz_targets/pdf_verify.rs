//! The PDF reader and verifier: cross-reference tables and streams, object streams,
//! incremental updates, signatures, /DSS, document timestamps and modification analysis.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let f = seal_fuzz::fixture();
    let _ = seal_core::pdf::verify_bytes(data, "fuzz.pdf", &f.trust, seal_fuzz::at());
});
