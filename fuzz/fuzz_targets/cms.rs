//! CMS SignedData (DER and BER; detached and attached), the data it carries, and RFC 3161
//! time-stamp replies and tokens.
#![no_main]
use libfuzzer_sys::fuzz_target;
use seal_core::digest::HashAlg;
use seal_core::pki::path::Purpose;
use seal_core::stamp::cms;

const CONTENT: &[u8] = b"stamped content\n";

fuzz_target!(|data: &[u8]| {
    let f = seal_fuzz::fixture();
    let at = seal_fuzz::at();
    let ctx = cms::Detached {
        id: "fuzz".into(),
        format: "CMS detached",
        covers: "content".into(),
        claimed_time: None,
        purpose: Purpose::Seal,
    };
    let mut digest = |h: HashAlg| Ok(h.hash(CONTENT));
    let _ = cms::verify_signed_data(data, &ctx, &mut digest, &f.trust, at);
    let _ = cms::verify_attached("fuzz", data, &f.trust, at);
    let _ = cms::carried(data);
    let _ = seal_core::tsp::token::token_from_reply(data);
    let _ = seal_core::tsp::token::Timestamp::from_tst_info(data);
});
