//! Timestamp tokens: made (`sign`) and verified (`verify_token`).

use der::asn1::{GeneralizedTime, Int, OctetString};
use der::{Decode, Encode, Tagged};
use spki::AlgorithmIdentifierOwned;

use super::OID_TST_INFO;
use super::asn1::{Accuracy, MessageImprint, TstInfo, Version};
use crate::digest::HashAlg;
use crate::error::{Error, Result};
use crate::keys::Signer;
use crate::pki::path::Purpose;
use crate::stamp::cms::{
    Detached, OID_CONTENT_TYPE, OID_MESSAGE_DIGEST, OID_SIGNED_DATA, OID_SIGNING_CERT_V2, alg_id,
    attribute, der, octets, verify_encapsulated,
};
use crate::time::UnixTime;
use crate::tlv::encode;
use crate::verify::{CheckOutcome, SignatureReport, SubIndication, Trust};

const SEQ: u8 = 0x30;
const SET: u8 = 0x31;
const CTX0: u8 = 0xa0;

/// What a token says, once read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Timestamp {
    /// The time the TSA vouches for (`genTime`).
    pub time: UnixTime,
    /// Fractions of a second of `genTime`, as written (empty if none).
    pub fraction: String,
    /// The TSA's policy OID.
    pub policy: String,
    /// The serial number, hex.
    pub serial: String,
    /// The imprint's hash algorithm, by name (or OID, if seal does not know it).
    pub hash: String,
    /// The imprint's hash algorithm, if seal knows it.
    #[serde(skip)]
    pub hash_alg: Option<HashAlg>,
    /// The imprint (hash of what was timestamped).
    #[serde(skip)]
    pub imprint: Vec<u8>,
    /// How far `time` may be off, in microseconds (None: not said).
    pub accuracy_micros: Option<u64>,
    /// The nonce, hex.
    pub nonce: Option<String>,
}

impl Timestamp {
    /// Reads the TSTInfo content of a token.
    pub fn from_tst_info(der: &[u8]) -> Result<Timestamp> {
        let info = TstInfo::from_der(der).map_err(|e| Error::decode("TSTInfo", e))?;
        let hash = HashAlg::from_oid(info.message_imprint.hash_algorithm.oid);
        let (time, fraction) = gen_time(&info.gen_time)?;
        let accuracy_micros = info.accuracy.map(|a| {
            u64::from(a.seconds.unwrap_or(0)) * 1_000_000
                + u64::from(a.millis.unwrap_or(0)) * 1000
                + u64::from(a.micros.unwrap_or(0))
        });
        Ok(Timestamp {
            time,
            fraction,
            policy: info.policy.to_string(),
            serial: crate::keys::hex(info.serial_number.as_bytes()),
            hash: hash.map_or_else(
                || info.message_imprint.hash_algorithm.oid.to_string(),
                |h| h.name().to_owned(),
            ),
            hash_alg: hash,
            imprint: info.message_imprint.hashed_message.as_bytes().to_vec(),
            accuracy_micros,
            nonce: info.nonce.map(|n| crate::keys::hex(n.as_bytes())),
        })
    }
}

/// `genTime`: `YYYYMMDDhhmmss[.s...]Z` (RFC 3161 §2.4.2: UTC, no trailing zeros).
fn gen_time(any: &der::asn1::Any) -> Result<(UnixTime, String)> {
    let bad = |why: &str| Error::decode("TSTInfo genTime", why.to_owned());
    if any.tag() != der::Tag::GeneralizedTime {
        return Err(bad("not a GeneralizedTime"));
    }
    let text = std::str::from_utf8(any.value()).map_err(|_| bad("not text"))?;
    let body = text.strip_suffix('Z').ok_or_else(|| bad("not in UTC (no Z)"))?;
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    if whole.len() != 14
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || fraction.ends_with('0')
    {
        return Err(bad(&format!("{text:?} is not YYYYMMDDhhmmss[.fraction]Z")));
    }
    let plain = GeneralizedTime::from_der(&[&[0x18, 15][..], whole.as_bytes(), b"Z"].concat())
        .map_err(|e| Error::decode("TSTInfo genTime", e))?;
    Ok((UnixTime::from_secs(plain.to_unix_duration().as_secs()), fraction.to_owned()))
}

/// `n` as a DER INTEGER: its shortest big-endian bytes, with a zero byte before a high bit.
fn positive_int(n: u64) -> Result<Int> {
    let bytes = n.to_be_bytes();
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(7);
    let mut v = bytes[start..].to_vec();
    if v[0] & 0x80 != 0 {
        v.insert(0, 0);
    }
    Int::new(&v).map_err(|e| Error::decode("INTEGER", e))
}

/// The imprint of `digest` made with `hash`.
pub fn imprint(hash: HashAlg, digest: &[u8]) -> Result<MessageImprint> {
    Ok(MessageImprint {
        hash_algorithm: AlgorithmIdentifierOwned { oid: hash.oid(), parameters: None },
        hashed_message: OctetString::new(digest).map_err(|e| Error::decode("imprint", e))?,
    })
}

/// What goes into one token.
pub(crate) struct TokenParams<'a> {
    pub(crate) policy: der::asn1::ObjectIdentifier,
    pub(crate) imprint: MessageImprint,
    pub(crate) serial: u64,
    pub(crate) time: UnixTime,
    pub(crate) accuracy_seconds: u32,
    pub(crate) nonce: Option<Int>,
    /// The TSA's certificate, DER.
    pub(crate) cert_der: &'a [u8],
    /// Certificates to carry: the TSA's and its chain (when the request asks), DER.
    pub(crate) certs: &'a [Vec<u8>],
    pub(crate) issuer_and_serial: Vec<u8>,
}

/// Makes a token: SignedData (version 3) over the TSTInfo, signed attributes content-type,
/// message-digest and signing-certificate-v2 (ESSCertIDv2, RFC 5816).
pub(crate) fn sign(p: &TokenParams<'_>, signer: &dyn Signer) -> Result<Vec<u8>> {
    let gen_time =
        GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(p.time.as_secs()))
            .map_err(|e| Error::InvalidInput(format!("timestamp time: {e}")))?;
    let serial = positive_int(p.serial)?;
    let info = TstInfo {
        version: Version::V1,
        policy: p.policy,
        message_imprint: p.imprint.clone(),
        serial_number: serial,
        gen_time: der::asn1::Any::encode_from(&gen_time)
            .map_err(|e| Error::decode("genTime", e))?,
        accuracy: (p.accuracy_seconds > 0).then_some(Accuracy {
            seconds: Some(p.accuracy_seconds),
            millis: None,
            micros: None,
        }),
        ordering: false,
        nonce: p.nonce.clone(),
        tsa: None,
        extensions: None,
    };
    let content = info.to_der().map_err(|e| Error::decode("TSTInfo", e))?;
    let alg = signer.algorithm();
    let hash = alg.hash();
    let ess_cert_id = encode(SEQ, &octets(&HashAlg::Sha256.hash(p.cert_der))?);
    let mut attrs = [
        attribute(der("OID", &OID_CONTENT_TYPE)?, der("OID", &OID_TST_INFO)?),
        attribute(der("OID", &OID_MESSAGE_DIGEST)?, octets(&hash.hash(&content))?),
        attribute(der("OID", &OID_SIGNING_CERT_V2)?, encode(SEQ, &encode(SEQ, &ess_cert_id))),
    ];
    attrs.sort();
    let attrs = attrs.concat();
    let signature = signer.sign(&encode(SET, &attrs))?.to_x509()?;
    let sig_alg = der("AlgorithmIdentifier", &alg.signature_algorithm_identifier())?;
    let signer_info = encode(
        SEQ,
        &[
            vec![0x02, 0x01, 0x01],
            p.issuer_and_serial.clone(),
            alg_id(hash.oid())?,
            encode(CTX0, &attrs),
            sig_alg,
            octets(&signature)?,
        ]
        .concat(),
    );
    let mut certs = p.certs.to_vec();
    certs.sort();
    certs.dedup();
    let encap =
        encode(SEQ, &[der("OID", &OID_TST_INFO)?, encode(CTX0, &octets(&content)?)].concat());
    let mut signed_data = vec![vec![0x02, 0x01, 0x03], encode(SET, &alg_id(hash.oid())?), encap];
    if !certs.is_empty() {
        signed_data.push(encode(CTX0, &certs.concat()));
    }
    signed_data.push(encode(SET, &signer_info));
    Ok(encode(
        SEQ,
        &[der("OID", &OID_SIGNED_DATA)?, encode(CTX0, &encode(SEQ, &signed_data.concat()))]
            .concat(),
    ))
}

/// Verifies a timestamp token: the TSA's signature over its TSTInfo, its certificate (a TSA,
/// RFC 3161 §2.3) and chain at `at`, and, if `data` gives the hash of what was timestamped,
/// the imprint. Returns what the token says and the report of its checks.
pub fn verify_token(
    token: &[u8],
    data: Option<(HashAlg, &[u8])>,
    trust: &Trust,
    at: UnixTime,
) -> Result<(Timestamp, SignatureReport)> {
    let ctx = Detached {
        id: "timestamp".into(),
        format: "RFC 3161 timestamp token",
        covers: "its TSTInfo".into(),
        claimed_time: None,
        purpose: Purpose::TimeStamping,
    };
    let (mut reports, content) = verify_encapsulated(token, OID_TST_INFO, &ctx, trust, at)?;
    let ts = Timestamp::from_tst_info(&content)?;
    if reports.len() != 1 {
        return Err(Error::decode(
            "timestamp token",
            format!("{} signers; a token has exactly one", reports.len()),
        ));
    }
    let mut report = reports.remove(0);
    report.format = "RFC 3161 timestamp token".into();
    report.signing_time = Some(ts.time.to_string());
    report.covers = format!("the {} imprint {}", ts.hash, crate::keys::hex(&ts.imprint));
    if let Some((hash, digest)) = data {
        report.push(if ts.hash_alg != Some(hash) {
            CheckOutcome::failed(
                "imprint",
                SubIndication::HashFailure,
                format!("the token's imprint is a {} hash, not {}", ts.hash, hash.name()),
            )
        } else if ts.imprint == digest {
            CheckOutcome::passed(
                "imprint",
                format!("the token's {} imprint matches the data", ts.hash),
            )
        } else {
            CheckOutcome::failed(
                "imprint",
                SubIndication::HashFailure,
                "the token's imprint does not match the data: it timestamps something else",
            )
        });
    }
    Ok((ts, report))
}

/// A DER `TimeStampReq` for `digest` (made with `hash`), with a random 64-bit nonce and
/// asking for the TSA's certificate; returns the request and its nonce.
pub fn request(hash: HashAlg, digest: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(|e| Error::InvalidInput(format!("random nonce: {e}")))?;
    nonce[0] &= 0x7f; // a positive INTEGER
    nonce[0] |= 0x01; // with no leading zero byte to strip
    let req = super::asn1::TimeStampReq {
        version: Version::V1,
        message_imprint: imprint(hash, digest)?,
        req_policy: None,
        nonce: Some(Int::new(&nonce).map_err(|e| Error::decode("nonce", e))?),
        cert_req: true,
        extensions: None,
    };
    Ok((req.to_der().map_err(|e| Error::decode("TimeStampReq", e))?, nonce.to_vec()))
}

/// The token inside a reply (`TimeStampResp`); `bytes` itself if it already is a token (a
/// CMS `ContentInfo`). A rejection is an error naming the TSA's status and reason.
pub fn token_from_reply(bytes: &[u8]) -> Result<Vec<u8>> {
    if crate::stamp::cms::is_cms(bytes) {
        return Ok(bytes.to_vec());
    }
    let resp = super::asn1::TimeStampResp::from_der(bytes)
        .map_err(|e| Error::decode("timestamp reply (TimeStampResp)", e))?;
    let status = resp.status.status;
    if status > 1 {
        let text: Vec<String> =
            resp.status.status_string.iter().flatten().map(|s| s.as_str().to_owned()).collect();
        let name = match status {
            2 => "rejection",
            3 => "waiting",
            4 => "revocationWarning",
            5 => "revocationNotification",
            _ => "unknown status",
        };
        return Err(Error::InvalidInput(format!(
            "the TSA answered {name} ({status}){}",
            if text.is_empty() { String::new() } else { format!(": {}", text.join("; ")) }
        )));
    }
    let token = resp
        .time_stamp_token
        .ok_or_else(|| Error::decode("timestamp reply", "granted, but it holds no token"))?;
    token.to_der().map_err(|e| Error::decode("timestamp token", e))
}

/// Checks that the token of `reply` answers `request`'s imprint and nonce (RFC 3161
/// §2.4.2), and returns it.
pub fn token_for_request(reply: &[u8], request: &[u8]) -> Result<Vec<u8>> {
    let token = token_from_reply(reply)?;
    let req = super::asn1::TimeStampReq::from_der(request)
        .map_err(|e| Error::decode("TimeStampReq", e))?;
    let content = crate::stamp::cms::encapsulated_content(&token)?
        .ok_or_else(|| Error::decode("timestamp token", "it holds no TSTInfo"))?;
    let info = TstInfo::from_der(&content).map_err(|e| Error::decode("TSTInfo", e))?;
    if info.message_imprint != req.message_imprint {
        return Err(Error::decode("timestamp reply", "its imprint is not the one asked for"));
    }
    if info.nonce != req.nonce {
        return Err(Error::decode("timestamp reply", "its nonce is not the request's"));
    }
    Ok(token)
}

/// [`verify_token`] with the imprint checked over `data`, hashed with the token's own
/// imprint algorithm.
pub fn verify_over(
    token: &[u8],
    data: &[u8],
    trust: &Trust,
    at: UnixTime,
) -> Result<(Timestamp, SignatureReport)> {
    let content = crate::stamp::cms::encapsulated_content(token)?
        .ok_or_else(|| Error::decode("timestamp token", "it holds no TSTInfo"))?;
    let ts = Timestamp::from_tst_info(&content)?;
    let hash = ts.hash_alg.ok_or_else(|| {
        Error::decode("timestamp token", format!("unknown imprint hash {}", ts.hash))
    })?;
    verify_token(token, Some((hash, &hash.hash(data))), trust, at)
}
