//! Detached CMS signatures (RFC 5652) per CAdES baseline B (ETSI EN 319 122-1), carrying
//! the electronic seal in a signed attribute.
//!
//! ```text
//! ContentInfo { id-signedData, SignedData {
//!   version 1, digestAlgorithms { sha256 | sha512 }, encapContentInfo { id-data } (detached),
//!   certificates [0] { signer },
//!   signerInfos { SignerInfo {
//!     version 1, sid IssuerAndSerialNumber, digestAlgorithm,
//!     signedAttrs [0] { content-type, signing-time, message-digest,
//!                       signing-certificate-v2 (RFC 5035), seal (SES_Seal, GB/T 38540) },
//!     signatureAlgorithm (ecdsa-with-SHA256 | id-Ed25519), signature } } } }
//! ```
//! With Ed25519 the digest is SHA-512 (RFC 8419 §3). The seal attribute's type is
//! [`OID_SEAL_ATTRIBUTE`], a UUID-derived OID (ITU-T X.667) under 2.25: no registered OID
//! exists for a GB/T 38540 seal in CMS. Its arc exceeds what `const-oid` holds, so signed
//! attributes are written and read at the TLV level here, matching OIDs by their encoding.

use std::path::Path;

use der::Encode;
use der::asn1::{ObjectIdentifier, OctetString, UtcTime};

use crate::digest::HashAlg;
use crate::error::{Error, Result};
use crate::keys::Algorithm;
use crate::time::UnixTime;
use crate::tlv::{Seq, encode};
use crate::tsp::{OID_SIGNATURE_TIMESTAMP, Timestamper};

use super::StampKey;

mod carried;
mod revocation_info;
mod timestamp;
mod verify;
pub use carried::{Carried, carried};
pub(crate) use verify::verify_encapsulated;
pub use verify::{
    Detached, encapsulated_content, verify_attached, verify_digest_envelope, verify_file,
    verify_signed_data,
};

/// `2.25.294709546000930366560518733175570341712`: the seal attribute (value: `SESeal`).
pub const OID_SEAL_ATTRIBUTE: &str = "2.25.294709546000930366560518733175570341712";

pub(crate) const OID_SIGNED_DATA: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
pub(crate) const OID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
/// GB/T 35275 (SM2 cryptographic message syntax): its own numbers for SignedData and data,
/// read as their RFC 5652 equivalents.
pub(crate) const OID_GM_SIGNED_DATA: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.156.10197.6.1.4.2.2");
pub(crate) const OID_GM_DATA: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.156.10197.6.1.4.2.1");
pub(crate) const OID_CONTENT_TYPE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
pub(crate) const OID_MESSAGE_DIGEST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
pub(crate) const OID_SIGNING_TIME: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
pub(crate) const OID_SIGNING_CERT_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");

const SEQ: u8 = 0x30;
const SET: u8 = 0x31;
const CTX0: u8 = 0xa0;

/// The DER of the seal attribute's OID (a big arc, encoded by hand).
pub(crate) fn seal_oid_der() -> Vec<u8> {
    crate::pki::role::uuid_oid_der(294_709_546_000_930_366_560_518_733_175_570_341_712)
}

pub(crate) fn der<T: Encode>(what: &'static str, v: &T) -> Result<Vec<u8>> {
    v.to_der().map_err(|e| Error::decode(what, e))
}

pub(crate) fn alg_id(oid: ObjectIdentifier) -> Result<Vec<u8>> {
    Ok(encode(SEQ, &der("AlgorithmIdentifier", &oid)?))
}

pub(crate) fn attribute(oid_der: Vec<u8>, value: Vec<u8>) -> Vec<u8> {
    let mut content = oid_der;
    content.extend(encode(SET, &value));
    encode(SEQ, &content)
}

/// The digest a CMS signature by `alg` uses: the algorithm's own (SHA-512 for Ed25519, RFC
/// 8419 §3; SHA-384 for P-384; SHA-256 otherwise).
fn digest_for(alg: Algorithm) -> HashAlg {
    alg.hash()
}

/// Makes a detached CMS signature (DER) over the file at `path`: CAdES-B, or CAdES-B-T with
/// a timestamper.
pub fn stamp_file(
    path: &Path,
    key: &StampKey<'_>,
    time: UnixTime,
    timestamper: Option<&dyn Timestamper>,
) -> Result<Vec<u8>> {
    let alg = key.signer.algorithm();
    let hash = digest_for(alg);
    let (digest, _) = hash.hash_file(path)?;
    CheckedKey::new(*key)?.sign_digest_timestamped(&digest, time, Profile::Cades, timestamper)
}

/// Which profile of CMS signature to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// CAdES-B (ETSI EN 319 122-1): with a signing-time attribute.
    Cades,
    /// The CMS inside a PAdES signature (ETSI EN 319 142-1 §5.3): no signing-time
    /// attribute (the time is the signature dictionary's `/M`).
    Pades,
}

/// Makes a detached CMS signature (DER) over content whose digest (SHA-256, or SHA-512 for
/// Ed25519) is `digest`.
pub fn sign_digest(digest: &[u8], key: &StampKey<'_>, time: UnixTime) -> Result<Vec<u8>> {
    sign_digest_with(digest, key, time, Profile::Cades)
}

/// [`sign_digest`] with a choice of profile.
pub fn sign_digest_with(
    digest: &[u8],
    key: &StampKey<'_>,
    time: UnixTime,
    profile: Profile,
) -> Result<Vec<u8>> {
    CheckedKey::new(*key)?.sign_digest(digest, time, profile)
}

/// The digest algorithm a CMS signature by `key` uses over the content.
pub fn digest_alg(key: &StampKey<'_>) -> HashAlg {
    digest_for(key.signer.algorithm())
}

/// The largest size [`sign_digest_with`] can return for `key`, computed from the parts
/// (not guessed): PAdES reserves exactly this much room for the signature.
pub fn max_len(key: &StampKey<'_>, time: UnixTime, profile: Profile) -> Result<usize> {
    CheckedKey::new(*key)?.max_len(time, profile)
}

/// A stamping key checked once ([`StampKey::check`]), for making several signatures or
/// sizing one before making it.
pub struct CheckedKey<'a> {
    key: StampKey<'a>,
    cert_der: Vec<u8>,
    /// A TSA to timestamp signatures with, and the room its tokens take.
    timestamper: Option<(&'a dyn Timestamper, usize)>,
}

/// The room a signature timestamp from `ts` takes in a SignerInfo, from a real token of it
/// (over a dummy digest): the token, its attribute's framing, and room for what varies from
/// one token to the next (the signature's and the serial's lengths).
pub fn timestamp_room(ts: &dyn Timestamper) -> Result<usize> {
    let probe = ts.timestamp(HashAlg::Sha256, &[0u8; 32])?;
    Ok(probe.len() + 32 + 64)
}

impl<'a> CheckedKey<'a> {
    /// Checks `key` (its certificate is a holder of the seal, its signer the certificate's).
    pub fn new(key: StampKey<'a>) -> Result<CheckedKey<'a>> {
        Ok(CheckedKey { cert_der: key.check()?, key, timestamper: None })
    }

    /// The key, timestamping every signature it makes with `ts` (CAdES-B-T, PAdES-B-T);
    /// `room` is [`timestamp_room`]`(ts)`, worked out once for many signatures.
    pub fn with_timestamper(mut self, ts: &'a dyn Timestamper, room: usize) -> CheckedKey<'a> {
        self.timestamper = Some((ts, room));
        self
    }

    /// The TSA its signatures are timestamped with, if any.
    pub fn timestamper(&self) -> Option<&'a dyn Timestamper> {
        self.timestamper.map(|(t, _)| t)
    }

    /// The TSA, and the room its tokens take ([`timestamp_room`]).
    pub fn timestamper_with_room(&self) -> Option<(&'a dyn Timestamper, usize)> {
        self.timestamper
    }

    /// The key that was checked.
    pub fn key(&self) -> &StampKey<'a> {
        &self.key
    }

    /// The digest algorithm the signature uses over the content.
    pub fn digest_alg(&self) -> HashAlg {
        digest_alg(&self.key)
    }

    /// See [`sign_digest_with`].
    pub fn sign_digest(&self, digest: &[u8], time: UnixTime, profile: Profile) -> Result<Vec<u8>> {
        self.sign_digest_timestamped(digest, time, profile, self.timestamper.map(|(t, _)| t))
    }

    /// [`CheckedKey::sign_digest`], and with a timestamper a signature-time-stamp (RFC 3161
    /// Appendix A) over the signature value as an unsigned attribute: CAdES-B-T, or the CMS
    /// of PAdES-B-T.
    pub fn sign_digest_timestamped(
        &self,
        digest: &[u8],
        time: UnixTime,
        profile: Profile,
        timestamper: Option<&dyn Timestamper>,
    ) -> Result<Vec<u8>> {
        let key = &self.key;
        let attrs_content = signed_attrs(digest, key, &self.cert_der, time, profile)?;
        let signature = key.signer.sign(&encode(SET, &attrs_content))?.to_x509()?;
        let unsigned = match timestamper {
            Some(ts) => {
                let token = ts.timestamp(HashAlg::Sha256, &HashAlg::Sha256.hash(&signature))?;
                Some(attribute(der("OID", &OID_SIGNATURE_TIMESTAMP)?, token))
            }
            None => None,
        };
        assemble(key, &self.cert_der, &attrs_content, &signature, unsigned.as_deref())
    }

    /// See [`max_len`].
    pub fn max_len(&self, time: UnixTime, profile: Profile) -> Result<usize> {
        let key = &self.key;
        let zero = vec![0u8; self.digest_alg().hasher().finish().len()];
        let attrs_content = signed_attrs(&zero, key, &self.cert_der, time, profile)?;
        // The longest encoding a signature by this key can have.
        let longest = crate::keys::Signature::max_x509_len(
            key.signer.algorithm(),
            key.signer.public_key().rsa_modulus_bytes(),
        );
        let unsigned = self.timestamper.map_or(0, |(_, room)| room);
        Ok(assemble(key, &self.cert_der, &attrs_content, &vec![0xffu8; longest], None)?.len()
            + unsigned)
    }
}

fn signed_attrs(
    digest: &[u8],
    key: &StampKey<'_>,
    cert_der: &[u8],
    time: UnixTime,
    profile: Profile,
) -> Result<Vec<u8>> {
    let utc = UtcTime::from_unix_duration(std::time::Duration::from_secs(time.as_secs()))
        .map_err(|e| Error::InvalidInput(format!("signing time: {e}")))?;
    // ESSCertIDv2 with the default hash (SHA-256) left out, as DER requires.
    let ess_cert_id = encode(SEQ, &octets(&HashAlg::Sha256.hash(cert_der))?);
    let signing_cert_v2 = encode(SEQ, &encode(SEQ, &ess_cert_id));
    let mut attrs = vec![
        attribute(der("OID", &OID_CONTENT_TYPE)?, der("OID", &OID_DATA)?),
        attribute(der("OID", &OID_MESSAGE_DIGEST)?, octets(digest)?),
        attribute(der("OID", &OID_SIGNING_CERT_V2)?, signing_cert_v2),
        attribute(seal_oid_der(), key.seal.to_der().to_vec()),
    ];
    if profile == Profile::Cades {
        attrs.push(attribute(der("OID", &OID_SIGNING_TIME)?, der("signing time", &utc)?));
    }
    attrs.sort(); // DER: a SET OF is ordered by its elements' encodings
    Ok(attrs.concat())
}

pub(crate) fn octets(b: &[u8]) -> Result<Vec<u8>> {
    der("OCTET STRING", &OctetString::new(b).map_err(|e| Error::decode("OCTET STRING", e))?)
}

/// The ContentInfo; `unsigned` is the content of the SignerInfo's unsignedAttrs.
fn assemble(
    key: &StampKey<'_>,
    cert_der: &[u8],
    attrs_content: &[u8],
    signature: &[u8],
    unsigned: Option<&[u8]>,
) -> Result<Vec<u8>> {
    let alg = key.signer.algorithm();
    let hash_oid = digest_for(alg).oid();
    let sig_alg = der("AlgorithmIdentifier", &alg.signature_algorithm_identifier())?;
    // certificates [0] IMPLICIT SET OF: the signer's and its chain, in DER order.
    let mut certs = vec![cert_der.to_vec()];
    certs.extend(key.chain_der()?);
    certs.sort();
    certs.dedup();
    let tbs = key.cert.tbs_certificate();
    let sid =
        encode(SEQ, &[der("issuer", tbs.issuer())?, der("serial", tbs.serial_number())?].concat());
    let signer_info = encode(
        SEQ,
        &[
            vec![0x02, 0x01, 0x01],
            sid,
            alg_id(hash_oid)?,
            encode(CTX0, attrs_content),
            sig_alg,
            octets(signature)?,
            unsigned.map(|u| encode(0xa1, u)).unwrap_or_default(),
        ]
        .concat(),
    );
    let signed_data = encode(
        SEQ,
        &[
            vec![0x02, 0x01, 0x01],
            encode(SET, &alg_id(hash_oid)?),
            encode(SEQ, &der("OID", &OID_DATA)?),
            encode(CTX0, &certs.concat()),
            encode(SET, &signer_info),
        ]
        .concat(),
    );
    Ok(encode(SEQ, &[der("OID", &OID_SIGNED_DATA)?, encode(CTX0, &signed_data)].concat()))
}

/// Reads a CMS signature from PEM (`CMS`, `PKCS7`) or DER.
pub fn from_bytes(data: &[u8]) -> Result<Vec<u8>> {
    match crate::keys::pem_block(data)? {
        Some((label, der)) if label == "CMS" || label == "PKCS7" => Ok(der.to_vec()),
        Some((label, _)) => Err(Error::WrongType {
            expected: "a CMS signature",
            found: format!("a PEM \"{label}\" block"),
        }),
        None => Ok(data.to_vec()),
    }
}

/// True if `data` looks like a CMS `ContentInfo` with SignedData (DER or BER, PEM or not).
pub fn is_cms(data: &[u8]) -> bool {
    let Ok(pem_or_der) = from_bytes(data) else { return false };
    let Ok((der, _)) = crate::ber::to_der(&pem_or_der) else { return false };
    Seq::parse("ContentInfo", &der).is_ok_and(|ci| {
        ci.oid(0, "contentType").is_ok_and(|o| o == OID_SIGNED_DATA || o == OID_GM_SIGNED_DATA)
    })
}
