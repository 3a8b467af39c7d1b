//! Signature timestamps in a SignerInfo (CAdES-B-T, PAdES-B-T): each
//! id-aa-signatureTimeStampToken unsigned attribute is a token over the signature value
//! (RFC 3161 Appendix A). A valid one proves the signature existed at its time, which is
//! then the time the signer's certificate is judged at (ETSI EN 319 102-1 §5.5).

use crate::time::UnixTime;
use crate::tlv::{Seq, raw};
use crate::tsp::{self, OID_SIGNATURE_TIMESTAMP};
use crate::verify::{SignatureReport, Trust};

/// The tokens of the id-aa-signatureTimeStampToken attributes among `unsigned` (a
/// SignerInfo's `[1]` unsignedAttrs), each as read; other attributes are left alone.
pub(super) fn tokens(unsigned: der::asn1::AnyRef<'_>) -> Vec<crate::Result<Vec<u8>>> {
    let Ok(attrs) = Seq::children("unsignedAttrs", unsigned) else { return Vec::new() };
    let mut out = Vec::new();
    for attr in &attrs.items {
        let Ok(attr) = Seq::of("Attribute", *attr) else { continue };
        if attr.oid(0, "attrType").ok() != Some(OID_SIGNATURE_TIMESTAMP) {
            continue;
        }
        let Ok(values) = attr.get(1, "attrValues").and_then(|v| Seq::children("attrValues", v))
        else {
            continue;
        };
        out.extend(values.items.iter().map(|v| raw("timestamp token", *v)));
    }
    out
}

/// Checks the signature timestamps among `unsigned` (the SignerInfo's `[1]` unsignedAttrs,
/// if any) over `signature`; pushes one `timestamp` check per token and returns the
/// earliest time a valid one proves.
pub(super) fn check(
    unsigned: Option<der::asn1::AnyRef<'_>>,
    signature: &[u8],
    trust: &Trust,
    at: UnixTime,
    report: &mut SignatureReport,
) -> Option<UnixTime> {
    tokens(unsigned?)
        .into_iter()
        .filter_map(|token| tsp::proof::check_token(token, signature, trust, at, report))
        .min()
}
