//! Certificates, CRLs and OCSP responses (PEM or DER), and path validation over them.
#![no_main]
use libfuzzer_sys::fuzz_target;
use seal_core::pki::path::{self, Purpose};
use seal_core::pki::{self, CertificateInfo};

fuzz_target!(|data: &[u8]| {
    let f = seal_fuzz::fixture();
    let at = seal_fuzz::at();
    let anchors = std::slice::from_ref(&f.root);
    if let Ok(certs) = pki::certificates_from_bytes(data) {
        for c in certs.iter().take(8) {
            let _ = CertificateInfo::new(c);
            let _ = path::validate(c, &certs, anchors, &[], at, Purpose::Seal);
            let _ = path::validate(c, &certs, &certs, &[], at, Purpose::Any);
        }
    }
    if let Ok(crls) = pki::crls_from_bytes(data) {
        let _ = path::validate(&f.agency, &f.chain, anchors, &crls, at, Purpose::Seal);
        let _ = pki::revocation::check(&f.agency, &f.prov, &crls, at);
    }
    if let Ok(ocsp) = pki::ocsp::OcspResponse::from_der(data) {
        let _ = pki::ocsp::check(&f.agency, &f.prov, std::slice::from_ref(&ocsp), at);
    }
});
