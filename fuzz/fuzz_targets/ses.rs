//! GB/T 38540 SES_Seal and SES_Signature (and GM/T 0031 v1), checked as a verifier would.
#![no_main]
use libfuzzer_sys::fuzz_target;
use seal_core::seal::{Seal, Stamp};
use seal_core::verify::SignatureReport;

fuzz_target!(|data: &[u8]| {
    let f = seal_fuzz::fixture();
    let at = seal_fuzz::at();
    if let Ok(seal) = Seal::from_der(data) {
        let mut report = SignatureReport::new("fuzz", "seal");
        seal_core::seal::check_seal(&seal, &f.trust, at, None, &mut report);
        let _ = seal_core::pdf::Appearance::for_seal(&seal);
    }
    if let Ok(stamp) = Stamp::from_der(data) {
        let mut report = SignatureReport::new("fuzz", "stamp");
        seal_core::seal::check_stamp(&stamp, &f.trust, at, &mut report);
    }
});
