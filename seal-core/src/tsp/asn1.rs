//! The RFC 3161 structures (§2.4.1, §2.4.2; `PKIStatusInfo` from RFC 4210 §5.2.3), as `der`
//! derives. RustCrypto's `x509-tsp` 0.1 defines them for the previous `der`/`cms`
//! generation only, and they are a few dozen lines.

use der::asn1::{Any, BitString, Int, ObjectIdentifier, OctetString, Utf8StringRef};
use der::{Enumerated, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::Extensions;
use x509_cert::ext::pkix::name::GeneralName;

/// `version INTEGER { v1(1) }`.
#[derive(Clone, Copy, Debug, Enumerated, Eq, PartialEq)]
#[asn1(type = "INTEGER")]
#[repr(u8)]
pub enum Version {
    /// v1.
    V1 = 1,
}

/// `MessageImprint ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET
/// STRING }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct MessageImprint {
    /// The hash algorithm.
    pub hash_algorithm: AlgorithmIdentifierOwned,
    /// The hash of the data.
    pub hashed_message: OctetString,
}

/// `TimeStampReq` (RFC 3161 §2.4.1).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TimeStampReq {
    /// v1.
    pub version: Version,
    /// What to timestamp.
    pub message_imprint: MessageImprint,
    /// The policy asked for.
    #[asn1(optional = "true")]
    pub req_policy: Option<ObjectIdentifier>,
    /// A nonce the reply must repeat.
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    /// Whether the TSA's certificate must be in the token.
    #[asn1(default = "Default::default")]
    pub cert_req: bool,
    /// Extensions (none are understood; a request with any is rejected).
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// `PKIStatusInfo ::= SEQUENCE { status PKIStatus, statusString PKIFreeText OPTIONAL,
/// failInfo PKIFailureInfo OPTIONAL }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct PkiStatusInfo<'a> {
    /// 0 granted, 1 grantedWithMods, 2 rejection, 3 waiting, 4 revocationWarning, 5
    /// revocationNotification.
    pub status: u8,
    /// Text for people.
    #[asn1(optional = "true")]
    pub status_string: Option<Vec<Utf8StringRef<'a>>>,
    /// Why it failed (a bit of [`FailInfo`]).
    #[asn1(optional = "true")]
    pub fail_info: Option<BitString>,
}

/// `TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken
/// OPTIONAL }`; the token is a CMS `ContentInfo`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TimeStampResp<'a> {
    /// The status.
    pub status: PkiStatusInfo<'a>,
    /// The token, when granted.
    #[asn1(optional = "true")]
    pub time_stamp_token: Option<Any>,
}

/// `Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] INTEGER (1..999)
/// OPTIONAL, micros [1] INTEGER (1..999) OPTIONAL }`.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq, Sequence)]
pub struct Accuracy {
    /// Seconds.
    #[asn1(optional = "true")]
    pub seconds: Option<u32>,
    /// Milliseconds.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub millis: Option<u16>,
    /// Microseconds.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub micros: Option<u16>,
}

/// `TSTInfo` (RFC 3161 §2.4.2). `genTime` is kept as its encoding: other TSAs write
/// fractions of a second, which `der`'s `GeneralizedTime` does not read.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TstInfo {
    /// v1.
    pub version: Version,
    /// The TSA's policy.
    pub policy: ObjectIdentifier,
    /// What was timestamped.
    pub message_imprint: MessageImprint,
    /// Unique per token of this TSA.
    pub serial_number: Int,
    /// The time (GeneralizedTime).
    pub gen_time: Any,
    /// How far the time may be off.
    #[asn1(optional = "true")]
    pub accuracy: Option<Accuracy>,
    /// Whether tokens of this TSA can be ordered by genTime alone.
    #[asn1(default = "Default::default")]
    pub ordering: bool,
    /// The request's nonce.
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    /// The TSA's name.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub tsa: Option<GeneralName>,
    /// Extensions.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// The `PKIFailureInfo` bits a TSA answers with (RFC 3161 §2.4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailInfo {
    /// Unrecognized or unsupported algorithm.
    BadAlg = 0,
    /// Transaction not permitted or supported.
    BadRequest = 2,
    /// The data submitted has the wrong format.
    BadDataFormat = 5,
    /// The TSA's time source is not available.
    TimeNotAvailable = 14,
    /// The requested policy is not supported.
    UnacceptedPolicy = 15,
    /// The requested extension is not supported.
    UnacceptedExtension = 16,
    /// The additional information requested is not available.
    AddInfoNotAvailable = 17,
    /// The request cannot be handled due to system failure.
    SystemFailure = 25,
}

impl FailInfo {
    /// The failure as a `PKIFailureInfo` BIT STRING (DER: no trailing zero bits).
    pub fn bits(self) -> der::Result<BitString> {
        let bit = self as usize;
        let mut bytes = vec![0u8; bit / 8 + 1];
        bytes[bit / 8] = 0x80 >> (bit % 8);
        BitString::new(7 - (bit % 8) as u8, bytes)
    }
}
