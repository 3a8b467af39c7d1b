//! What a CA reads: a PKCS#10 request (PEM or DER), whose signature is checked and from
//! which a certificate is issued.
#![no_main]
use libfuzzer_sys::fuzz_target;
use seal_core::pki::{CertificateBuilder, Csr, Profile, Validity};

fuzz_target!(|data: &[u8]| {
    let f = seal_fuzz::fixture();
    if let Ok(csr) = Csr::from_bytes(data) {
        let _ = csr.to_pem();
        let validity = Validity::days_from(seal_fuzz::at(), 30);
        if let Ok(b) = CertificateBuilder::from_csr(&csr, &f.prov, Profile::Seal, validity) {
            let _ = b.build(&f.prov_key);
        }
    }
});
