//! RFC 3161 timestamps (with ESSCertIDv2, RFC 5816): a time-stamping authority that answers
//! requests ([`Authority`]), and the tokens it makes, read and verified ([`token`]).
//!
//! A token is a CMS SignedData whose content is a `TSTInfo`: the TSA's policy, a serial
//! number unique per TSA, the time (`genTime`) and the imprint (hash) of what was
//! timestamped. It proves that the imprint existed at that time: signed by a certificate
//! whose extendedKeyUsage is id-kp-timeStamping alone and critical (RFC 3161 §2.3).

pub mod asn1;
mod authority;
#[cfg(feature = "http")]
pub mod http;
pub(crate) mod proof;
pub mod token;

pub use authority::{Authority, AuthorityConfig};
pub use token::{Timestamp, request, token_for_request, token_from_reply, verify_token};

use der::asn1::ObjectIdentifier;

use crate::digest::HashAlg;
use crate::error::Result;

/// Something that timestamps a hash: an in-process [`Authority`], or a TSA over HTTP
/// ([`http::Client`]).
pub trait Timestamper: Send + Sync {
    /// A token (DER `ContentInfo`) over `digest`, made with `hash`.
    fn timestamp(&self, hash: HashAlg, digest: &[u8]) -> Result<Vec<u8>>;
}

impl Timestamper for Authority {
    fn timestamp(&self, hash: HashAlg, digest: &[u8]) -> Result<Vec<u8>> {
        Authority::timestamp(self, hash, digest)
    }
}

/// id-aa-signatureTimeStampToken (RFC 3161 Appendix A): the unsigned attribute holding a
/// token over a SignerInfo's signature value (CAdES-B-T, PAdES-B-T).
pub const OID_SIGNATURE_TIMESTAMP: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// id-ct-TSTInfo (RFC 3161 §2.4.2): the content type of a timestamp token.
pub const OID_TST_INFO: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");

/// The MIME type of a request (RFC 3161 §3.4).
pub const CONTENT_TYPE_QUERY: &str = "application/timestamp-query";
/// The MIME type of a reply (RFC 3161 §3.4).
pub const CONTENT_TYPE_REPLY: &str = "application/timestamp-reply";
