//! Licence text: base45, zlib, COSE_Sign1, the CBOR licence; and EU DCC (HC1:) texts.
#![no_main]
use libfuzzer_sys::fuzz_target;
use seal_core::licence;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let f = seal_fuzz::fixture();
    let at = seal_fuzz::at();
    if let Ok(cose) = licence::from_text(text) {
        let _ = licence::read(&cose);
        let _ = licence::verify(&cose, std::slice::from_ref(&f.agency), &f.trust, at);
    }
    let _ = licence::read(data);
    if licence::dcc::is_dcc(text) {
        let _ = licence::dcc::verify(text, std::slice::from_ref(&f.agency), at);
    }
    let _ = licence::number::verify(text);
});
