//! The holder's certification path, carried inside the seal so that every stamp made with
//! it can carry the path too, and verifiers need only the root.
//!
//! GB/T 38540's `SES_SealInfo` has no field for it but an extension list (`extDatas`). The
//! path goes there as an `ExtData` of type `pkiPath` (X.509's id-at-pkiPath, 2.5.4.70):
//! `PkiPath ::= SEQUENCE OF Certificate`, from the certificate the trust anchor issued
//! down to the holder's, not critical, so that other seal systems may ignore it. The
//! maker's signature over the seal covers it; verifiers use its certificates only as
//! untrusted intermediates, never as anchors.

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use x509_cert::Certificate;

use crate::{Error, Result};

/// id-at-pkiPath (ITU-T X.509 §11.2.3 / X.520).
pub const PKI_PATH: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.70");

/// The longest path a seal may carry.
const MAX_CERTIFICATES: usize = 8;

/// The ExtData value for `chain` (holder's issuer first, as stamps carry it), written in
/// PkiPath order (top first).
pub(super) fn encode(chain: &[Certificate]) -> Result<Vec<u8>> {
    if chain.len() > MAX_CERTIFICATES {
        return Err(Error::InvalidInput(format!(
            "a seal carries at most {MAX_CERTIFICATES} chain certificates, not {}",
            chain.len()
        )));
    }
    let top_first: Vec<Certificate> = chain.iter().rev().cloned().collect();
    top_first.to_der().map_err(|e| Error::decode("PkiPath", e))
}

/// The certificates of a PkiPath value, holder's side first (the reverse of PkiPath order).
pub(super) fn decode(value: &[u8]) -> Result<Vec<Certificate>> {
    let mut certs = Vec::<Certificate>::from_der(value)
        .map_err(|e| Error::decode("the seal's holder chain (PkiPath)", e))?;
    if certs.len() > MAX_CERTIFICATES {
        return Err(Error::InvalidInput(format!(
            "the seal's holder chain has {} certificates; at most {MAX_CERTIFICATES} are read",
            certs.len()
        )));
    }
    certs.reverse();
    Ok(certs)
}

/// The chain to carry for `cert`: `chain` without the certificate itself, or nothing if
/// the chain does not start at the certificate's issuer.
pub(crate) fn for_certificate(cert: &Certificate, chain: &[Certificate]) -> Vec<Certificate> {
    let rest: Vec<Certificate> = chain.iter().filter(|c| *c != cert).cloned().collect();
    match rest.first() {
        Some(first) if first.tbs_certificate().subject() == cert.tbs_certificate().issuer() => rest,
        _ => Vec::new(),
    }
}
