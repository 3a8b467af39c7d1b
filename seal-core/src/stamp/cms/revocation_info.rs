//! Revocation data a CMS signature carries: its `crls` field (CRLs, and OCSP responses as
//! RFC 5940 other revocation info) and Adobe's adbe-revocationInfoArchival signed attribute.
//! Nothing here is trusted as it is: each CRL and response is checked before it counts.

use der::asn1::ObjectIdentifier;
use der::{Decode, Tagged};

use crate::tlv::{self, Seq};

/// CRLs and OCSP responses a signature carries; each is checked before it counts.
#[derive(Default)]
pub(super) struct RevocationData {
    pub(super) crls: Vec<crate::pki::Crl>,
    pub(super) ocsp: Vec<crate::pki::ocsp::OcspResponse>,
}

impl RevocationData {
    /// `RevocationInfoChoice ::= CHOICE { crl CertificateList, other [1] IMPLICIT
    /// OtherRevocationInfoFormat { otherRevInfoFormat OID, otherRevInfo ANY } }`, with
    /// id-ri-ocsp-response (RFC 5940) for OCSP.
    pub(super) fn add_choice(&mut self, item: der::asn1::AnyRef<'_>) {
        if item.tag() == der::Tag::Sequence {
            if let Ok(der) = tlv::raw("crl", item)
                && let Ok(crl) = crate::pki::Crl::from_der(&der)
            {
                self.crls.push(crl);
            }
        } else if item.tag().is_context_specific()
            && item.tag().number().value() == 1
            && let Ok(other) = Seq::children("OtherRevocationInfoFormat", item)
            && other.oid(0, "otherRevInfoFormat").is_ok_and(|o| o == OID_RI_OCSP)
            && let Ok(raw) = other.raw(1, "otherRevInfo")
            && let Ok(r) = crate::pki::ocsp::OcspResponse::from_der(&raw)
        {
            self.ocsp.push(r);
        }
    }

    /// `RevocationInfoArchival ::= SEQUENCE { crl [0] EXPLICIT SEQUENCE OF CRLs OPTIONAL,
    /// ocsp [1] EXPLICIT SEQUENCE OF OCSPResponse OPTIONAL, otherRevInfo [2] ... }`
    /// (Adobe's signed attribute 1.2.840.113583.1.1.8, ISO 32000-1 §12.8.3.3.2).
    pub(super) fn add_archival(&mut self, attr: der::asn1::AnyRef<'_>) {
        let Ok(seq) = Seq::of("RevocationInfoArchival", attr) else { return };
        for field in &seq.items {
            let Ok(inner) = Seq::children("RevocationInfoArchival", *field) else { continue };
            let Ok(list) = inner.get(0, "list").and_then(|l| Seq::of("list", l)) else { continue };
            for item in &list.items {
                let Ok(der) = tlv::raw("revocation info", *item) else { continue };
                match field.tag().number().value() {
                    0 => self.crls.extend(crate::pki::Crl::from_der(&der)),
                    1 => self.ocsp.extend(crate::pki::ocsp::OcspResponse::from_der(&der)),
                    _ => {}
                }
            }
        }
    }
}

/// id-ri-ocsp-response (RFC 5940 §4.1).
const OID_RI_OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.16.2");
/// adbe-revocationInfoArchival.
pub(super) const OID_ADBE_REVOCATION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113583.1.1.8");
