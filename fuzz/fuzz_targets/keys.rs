//! PEM and DER private and public keys (PKCS#8, SEC1, PKCS#1, SPKI). Encrypted keys are
//! read without a passphrase (an error, after the structure is parsed): deriving a key per
//! input would make each execution take milliseconds.
#![no_main]
use libfuzzer_sys::fuzz_target;
use seal_core::keys::{PrivateKey, PublicKey};

fuzz_target!(|data: &[u8]| {
    let _ = PrivateKey::from_bytes(data, None);
    if let Ok(k) = PublicKey::from_bytes(data) {
        let _ = k.to_spki_der();
        let _ = k.describe();
        let _ = k.weakness();
    }
});
