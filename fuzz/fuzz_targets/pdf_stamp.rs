//! The PDF stamper on any input: it must refuse or write a PDF; what it writes is read back.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let f = seal_fuzz::fixture();
    let opts = seal_core::pdf::StampOptions::default();
    let at = seal_fuzz::at();
    if let Ok((out, _)) = seal_core::pdf::stamp_to_vec(data, &f.key(), &f.appearance, &opts, at) {
        let _ = seal_core::pdf::verify_bytes(&out, "stamped.pdf", &f.trust, at);
    }
});
