//! JSON documents with JWS stamps inside (strict parsing, JCS, JAdES headers).
#![no_main]
use libfuzzer_sys::fuzz_target;
use seal_core::stamp::json;

fuzz_target!(|data: &[u8]| {
    let f = seal_fuzz::fixture();
    if let Ok(doc) = json::parse_document(data) {
        let _ = json::canonical_payload(&doc);
        let _ = json::verify(&doc, &f.trust, seal_fuzz::at());
    }
});
