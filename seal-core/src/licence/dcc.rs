//! EU digital COVID certificates (eHealth Network, "Electronic Health Certificate
//! Container Format" v1.3): the largest deployed signed-QR credential, and the wire format
//! seal's `LC1:` licences copy. Read and verified offline here beside them.
//!
//! ```text
//! "HC1:" + base45( zlib( COSE_Sign1 {                      -- RFC 9052, tag 18 optional
//!     protected { 1 (alg): ES256 (-7) | PS256 (-37), 4 (kid): 8 bytes },
//!     payload CWT { 1 iss, 4 exp, 6 iat, -260 hcert { 1: eu_dgc_v1 } } } ) )
//! ```
//! The `kid` is the first 8 bytes of the SHA-256 of the signer's (DSC's) certificate, as
//! for our licences. The signature is checked before any claim is read, with every supplied
//! certificate whose key id matches (kids may collide), or with all of them if the header
//! has none; then the CWT times against the validation time and the DSC's validity.

use super::cbor::{self, Cbor};
use super::cose::{Sign1, alg_name};
use super::{cose_verifies, decode_cose, key_id};
use crate::error::{Error, Result};
use crate::pki::{self, Certificate};
use crate::time::UnixTime;
use crate::verify::{CheckOutcome, SignatureReport, SignerIdentity, SubIndication};

/// The prefix of a DCC in text form.
pub const PREFIX: &str = "HC1:";

/// The most a DCC may inflate to: real ones are under 2 KiB.
const MAX_COSE: usize = 64 << 10;

/// What a DCC says, read after its signature was checked.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Dcc {
    /// The issuing country (CWT claim 1), if present.
    pub issuer: Option<String>,
    /// When it was issued (CWT claim 6).
    pub issued: Option<UnixTime>,
    /// When it expires (CWT claim 4).
    pub expires: Option<UnixTime>,
    /// The health certificate (claim -260, key 1) as JSON: name, date of birth, and the
    /// vaccination, test or recovery entries.
    pub certificate: serde_json::Value,
}

/// True if `text` is a DCC (`HC1:` prefix).
pub fn is_dcc(text: &str) -> bool {
    text.trim_start().starts_with(PREFIX)
}

/// `HC1:` text to COSE bytes, saying which layer is broken.
pub fn unpack(text: &str) -> Result<Vec<u8>> {
    let body = text.trim().strip_prefix(PREFIX).ok_or_else(|| {
        Error::InvalidInput(format!("not a digital COVID certificate: no {PREFIX:?} prefix"))
    })?;
    let compressed = base45::decode(body)
        .map_err(|e| Error::decode("DCC (base45)", format!("{e:?}: truncated or mistyped")))?;
    let (out, _) = super::zlib::inflate(&compressed, MAX_COSE, "DCC (zlib)")?;
    Ok(out)
}

/// Verifies a DCC's text against the signer certificates the verifier trusts for it (DSCs,
/// from a key list or given as files), at `at`. `Err` means it could not be read at all.
pub fn verify(
    text: &str,
    signers: &[Certificate],
    at: UnixTime,
) -> Result<(Option<Dcc>, SignatureReport)> {
    let cose = unpack(text)?;
    let sign1 = decode_cose(strip_cwt_tag(&cose))?;
    let mut report = SignatureReport::new("digital COVID certificate", "EU DCC (HC1, COSE_Sign1)");
    report.algorithm = match (sign1.protected.alg, sign1.unprotected.alg) {
        (Some(a), _) => alg_name(a),
        (None, Some(a)) => format!("{} (in the unprotected header)", alg_name(a)),
        _ => "none".into(),
    };
    // The kid may sit in the protected or (for older issuers) the unprotected header.
    let kid = if sign1.protected.key_id.is_empty() {
        &sign1.unprotected.key_id
    } else {
        &sign1.protected.key_id
    };
    let candidates: Vec<&Certificate> = if kid.is_empty() {
        signers.iter().collect()
    } else {
        signers.iter().filter(|c| key_id(c).is_ok_and(|k| k[..] == kid[..])).collect()
    };
    let Some(signer) = candidates.into_iter().find(|c| cose_verifies(&sign1, c)) else {
        let why = if signers.iter().any(|c| key_id(c).is_ok_and(|k| k[..] == kid[..])) {
            "the signature does not verify with the certificate its key id names"
        } else {
            "no supplied signer certificate has this key id, or none verifies it"
        };
        report.push(CheckOutcome::failed("signature", SubIndication::SigCryptoFailure, why));
        return Ok((None, report));
    };
    let who = SignerIdentity::of(signer);
    report.push(CheckOutcome::passed(
        "signature",
        format!("the COSE_Sign1 signature verifies with \"{}\"", who.subject),
    ));
    report.signer = Some(who);
    let dcc = match claims(&sign1) {
        Ok(d) => d,
        Err(e) => {
            report.push(CheckOutcome::failed(
                "format",
                SubIndication::FormatFailure,
                e.to_string(),
            ));
            return Ok((None, report));
        }
    };
    report.signing_time = dcc.issued.map(|t| t.to_string());
    report.covers = "the CWT claims: issuer, times and the health certificate".into();
    match (dcc.issued, dcc.expires) {
        (Some(iat), _) if iat > at => report.push(CheckOutcome::failed(
            "validity",
            SubIndication::NotYetValid,
            format!("issued at {iat}, after the validation time {at}"),
        )),
        (_, Some(exp)) if exp < at => report.push(CheckOutcome::failed(
            "validity",
            SubIndication::Expired,
            format!("expired at {exp}"),
        )),
        (_, None) => report.push(CheckOutcome::failed(
            "validity",
            SubIndication::FormatFailure,
            "no expiry (CWT claim 4)",
        )),
        (_, Some(exp)) => {
            report.push(CheckOutcome::passed("validity", format!("valid until {exp}")))
        }
    }
    let v = crate::pki::Validity::of(signer);
    if at < v.not_before || at > v.not_after {
        report.push(CheckOutcome::failed(
            "signer-validity",
            SubIndication::Expired,
            format!(
                "the signer certificate is valid from {} to {}, not at {at}",
                v.not_before, v.not_after
            ),
        ));
    } else {
        report.push(CheckOutcome::passed(
            "signer-validity",
            format!("the signer certificate is valid until {}", v.not_after),
        ));
    }
    Ok((Some(dcc), report))
}

/// The COSE_Sign1 inside the CWT tag (61, RFC 8392 §6), which some issuers add.
fn strip_cwt_tag(cose: &[u8]) -> &[u8] {
    // 0xd8 0x3d: tag 61; then the tagged (18) or untagged COSE_Sign1.
    cose.strip_prefix(&[0xd8, 0x3d]).unwrap_or(cose)
}

/// The CWT claims of a verified COSE_Sign1.
fn claims(sign1: &Sign1) -> Result<Dcc> {
    let bad = |what: &str| Error::decode("DCC claims", what.to_string());
    let payload = sign1.payload().ok_or_else(|| bad("no payload"))?;
    // Issuers' CBOR varies (long forms, indefinite lengths): read any well-formed item.
    let (cwt, used) = cbor::lenient(payload, "DCC claims")?;
    if used != payload.len() {
        return Err(bad("bytes follow the CWT"));
    }
    let Cbor::Map(map) = cwt else { return Err(bad("the CWT is not a map")) };
    let get = |k: i64| map.iter().find(|(key, _)| key == &Cbor::int(k)).map(|(_, v)| v);
    let time = |k: i64| -> Result<Option<UnixTime>> {
        match get(k) {
            None => Ok(None),
            Some(Cbor::Integer(i)) => {
                let secs = u64::try_from(*i).map_err(|_| bad("a negative time"))?;
                Ok(Some(UnixTime::from_secs(secs)))
            }
            Some(Cbor::Float(f)) if f.is_finite() && *f >= 0.0 => {
                Ok(Some(UnixTime::from_secs(*f as u64)))
            }
            Some(_) => Err(bad("a time that is not a number")),
        }
    };
    let hcert = match get(-260) {
        Some(Cbor::Map(h)) => h
            .iter()
            .find(|(k, _)| k == &Cbor::int(1))
            .map(|(_, v)| v.clone())
            .ok_or_else(|| bad("no eu_dgc_v1 (-260/1)"))?,
        _ => return Err(bad("no hcert claim (-260)")),
    };
    // The health certificate is an object with its version, name, date of birth and one
    // kind of entry (eu-dcc-schema, DCC.combined-schema.json).
    let Cbor::Map(fields) = &hcert else { return Err(bad("eu_dgc_v1 is not a map")) };
    let has = |k: &str| fields.iter().any(|(key, _)| key == &Cbor::Text(k.into()));
    if !(has("ver") && has("nam") && has("dob")) {
        return Err(bad("eu_dgc_v1 lacks ver, nam or dob"));
    }
    if ["v", "t", "r"].iter().filter(|k| has(k)).count() != 1 {
        return Err(bad(
            "eu_dgc_v1 must hold exactly one of v (vaccination), t (test), r (recovery)",
        ));
    }
    Ok(Dcc {
        issuer: match get(1) {
            Some(Cbor::Text(t)) => Some(t.clone()),
            _ => None,
        },
        issued: time(6)?,
        expires: time(4)?,
        certificate: cbor_to_json(&hcert),
    })
}

/// CBOR as JSON for the report (tags dropped, bytes as hex, non-text keys stringified).
fn cbor_to_json(v: &Cbor) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Cbor::Integer(i) => i64::try_from(*i).map_or_else(|_| J::from(i.to_string()), J::from),
        Cbor::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Cbor::Text(t) => J::from(t.clone()),
        Cbor::Bytes(b) => J::from(crate::keys::hex(b)),
        Cbor::Bool(b) => J::from(*b),
        Cbor::Null => J::Null,
        Cbor::Tag(_, inner) => cbor_to_json(inner),
        Cbor::Array(a) => J::Array(a.iter().map(cbor_to_json).collect()),
        Cbor::Map(m) => J::Object(
            m.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Cbor::Text(t) => t.clone(),
                        other => cbor_to_json(other).to_string(),
                    };
                    (key, cbor_to_json(v))
                })
                .collect(),
        ),
        _ => J::Null,
    }
}

/// Reads the signer certificate a DCC key list entry holds: base64 DER (as the test data and
/// the gateway's trust lists give it) or PEM.
pub fn certificate_from_text(text: &str) -> Result<Certificate> {
    use base64ct::Encoding;
    let t = text.trim();
    if t.starts_with("-----BEGIN") {
        return pki::certificates_from_bytes(t.as_bytes())?
            .into_iter()
            .next()
            .ok_or_else(|| Error::decode("DSC certificate", "empty"));
    }
    let der = base64ct::Base64::decode_vec(t).map_err(|e| Error::decode("DSC certificate", e))?;
    pki::certificates_from_bytes(&der)?
        .into_iter()
        .next()
        .ok_or_else(|| Error::decode("DSC certificate", "empty"))
}
