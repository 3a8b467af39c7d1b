//! Signed trust lists of licence issuers and status lists (COSE_Sign1 over CBOR).
#![no_main]
use libfuzzer_sys::fuzz_target;
use seal_core::licence::trust;

fuzz_target!(|data: &[u8]| {
    let f = seal_fuzz::fixture();
    let _ = trust::open_trust_list(data, &f.trust, seal_fuzz::at(), 0);
    let _ = trust::open_status_list(data, std::slice::from_ref(&f.agency));
});
