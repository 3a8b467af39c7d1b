//! QR code pictures (PNG, JPEG and the other formats `licence::qr::read` decodes).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = seal_core::licence::qr::read(data);
});
