//! Stamping JSON documents: JWS (RFC 7515) with a detached payload, inside the document.
//!
//! A stamped document carries its stamps in a top-level member `_stamps`, an array of JWS
//! JSON serializations without `payload` (RFC 7515 §7.2.2 and Appendix F):
//!
//! ```text
//! { ...the document..., "_stamps": [ { "protected": B64URL(header),
//!                                      "header": { "x-seal": B64(SESeal DER) },
//!                                      "signature": B64URL(sig) }, ... ] }
//! ```
//! The payload of every stamp is the RFC 8785 canonical form of the document without
//! `_stamps`, so a stamp survives pretty-printing and key reordering, and co-stamps are
//! independent of each other. The protected header holds `alg` (`ES256` or `EdDSA`), `x5c`
//! (the stamper's certificate), `sigT` (signing time, as in ETSI JAdES), `seq` (the stamp's
//! position, so removing an earlier stamp is noticed) and `x-seal-S256` (the base64url
//! SHA-256 of the seal, which travels in the unprotected header).
//!
//! A timestamped stamp (`seal stamp --tsa`) carries an RFC 3161 token over its signature in
//! the unprotected header, as ETSI JAdES (TS 119 182-1 §5.3.4.1) does: `"etsiU": [{"sigTst":
//! {"tstTokens": [{"val": B64(token DER)}]}}]`, the token's imprint the hash of the ASCII
//! base64url signature value, as JAdES and EU DSS compute it. We reuse JAdES's names rather
//! than invent an `x-` header, so that JAdES-aware tools find the timestamp where they look
//! for one; the token is unprotected by nature (it is made after the signature), and it
//! cannot change what was signed, only prove when.

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use serde_json::{Map, Value, json};

use crate::digest::HashAlg;
use crate::error::{Error, Result};
use crate::keys::{Algorithm, Scheme, SchemeKind};
use crate::pki;
use crate::seal::{Seal, check_seal_use};
use crate::time::UnixTime;
use crate::tsp::Timestamper;
use crate::verify::{CheckOutcome, SignatureReport, SignerIdentity, SubIndication, Trust};

use super::StampKey;

mod strict;
pub use strict::parse as parse_document;

/// The member that holds the stamps.
pub const STAMPS: &str = "_stamps";

/// JAdES's unprotected header member for unsigned properties (ETSI TS 119 182-1 §5.3.1).
const ETSI_U: &str = "etsiU";

/// The signature timestamp tokens in a stamp's unprotected `etsiU` (each element a JSON
/// object, or the base64url of one as EU DSS writes it): `sigTst.tstTokens[].val`.
fn signature_timestamps(stamp: &Value) -> Vec<Result<Vec<u8>>> {
    let Some(Value::Array(items)) = stamp.get("header").and_then(|h| h.get(ETSI_U)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let decoded;
        let item = match item {
            Value::String(s) => {
                let parsed = Base64UrlUnpadded::decode_vec(s)
                    .ok()
                    .and_then(|b| serde_json::from_slice::<Value>(&b).ok());
                match parsed {
                    Some(v) => {
                        decoded = v;
                        &decoded
                    }
                    None => continue,
                }
            }
            other => other,
        };
        let Some(Value::Array(tokens)) = item.get("sigTst").and_then(|t| t.get("tstTokens")) else {
            continue;
        };
        out.extend(tokens.iter().map(|t| {
            t.get("val")
                .and_then(Value::as_str)
                .and_then(|v| Base64::decode_vec(v).ok())
                .ok_or_else(|| Error::decode("sigTst", "a token that is not base64 in \"val\""))
        }));
    }
    out
}

/// The JOSE `alg` of one of our algorithms (RFC 7518 §3.4, RFC 8037 §3.1).
pub fn jose_alg(alg: Algorithm) -> Result<&'static str> {
    match alg {
        Algorithm::EcdsaP256Sha256 => Ok("ES256"),
        Algorithm::EcdsaP384Sha384 => Ok("ES384"),
        Algorithm::EcdsaP521Sha512 => Ok("ES512"),
        Algorithm::Ed25519 => Ok("EdDSA"),
        Algorithm::RsaPkcs1Sha256 => Ok("RS256"),
        Algorithm::RsaPssSha256 => Ok("PS256"),
        other => Err(Error::UnsupportedAlgorithm(format!("{other} has no JOSE algorithm"))),
    }
}

/// How a JWS `alg` (RFC 7518 §3.1) is verified, and which key types it fits; `None` for
/// one seal does not verify (and `none`, which is never accepted).
fn jose_scheme(alg: &str) -> Option<(Scheme, &'static [&'static str])> {
    use SchemeKind::*;
    Some(match alg {
        "ES256" => (Scheme::new(EcdsaPlain, HashAlg::Sha256), &["EC P-256"]),
        "ES384" => (Scheme::new(EcdsaPlain, HashAlg::Sha384), &["EC P-384"]),
        "ES512" => (Scheme::new(EcdsaPlain, HashAlg::Sha512), &["EC P-521"]),
        "EdDSA" => (Scheme::new(Ed25519, HashAlg::Sha512), &["Ed25519"]),
        "RS256" => (Scheme::new(RsaPkcs1, HashAlg::Sha256), &["RSA"]),
        "RS384" => (Scheme::new(RsaPkcs1, HashAlg::Sha384), &["RSA"]),
        "RS512" => (Scheme::new(RsaPkcs1, HashAlg::Sha512), &["RSA"]),
        "PS256" => (Scheme::new(RsaPss { salt_len: 32 }, HashAlg::Sha256), &["RSA"]),
        "PS384" => (Scheme::new(RsaPss { salt_len: 48 }, HashAlg::Sha384), &["RSA"]),
        "PS512" => (Scheme::new(RsaPss { salt_len: 64 }, HashAlg::Sha512), &["RSA"]),
        _ => return None,
    })
}

/// The RFC 8785 canonical form of a document without its stamps: the stamps' payload.
pub fn canonical_payload(doc: &Value) -> Result<Vec<u8>> {
    let mut doc = doc.clone();
    if let Value::Object(map) = &mut doc {
        map.remove(STAMPS);
    } else {
        return Err(Error::InvalidInput("a stamped JSON document must be an object".into()));
    }
    serde_json_canonicalizer::to_vec(&doc)
        .map_err(|e| Error::InvalidInput(format!("cannot canonicalize: {e}")))
}

/// Adds a stamp to a JSON document (existing stamps are kept: co-stamping).
pub fn stamp(doc: &mut Value, key: &StampKey<'_>, time: UnixTime) -> Result<()> {
    stamp_timestamped(doc, key, time, None)
}

/// [`stamp`], with a signature timestamp from `timestamper` in the unprotected header.
pub fn stamp_timestamped(
    doc: &mut Value,
    key: &StampKey<'_>,
    time: UnixTime,
    timestamper: Option<&dyn Timestamper>,
) -> Result<()> {
    let payload = canonical_payload(doc)?;
    let cert_der = key.check()?;
    let Value::Object(map) = doc else {
        return Err(Error::InvalidInput("a stamped JSON document must be an object".into()));
    };
    let stamps = map.entry(STAMPS).or_insert_with(|| Value::Array(Vec::new()));
    let Value::Array(stamps) = stamps else {
        return Err(Error::InvalidInput(format!("member {STAMPS} is not an array")));
    };
    let header = json!({
        "alg": jose_alg(key.signer.algorithm())?,
        "x5c": std::iter::once(Ok(cert_der))
            .chain(key.chain_der()?.into_iter().map(Ok))
            .map(|d: Result<Vec<u8>>| d.map(|d| Base64::encode_string(&d)))
            .collect::<Result<Vec<_>>>()?,
        "sigT": time.to_string(),
        "seq": stamps.len() + 1,
        "x-seal-S256": Base64UrlUnpadded::encode_string(&HashAlg::Sha256.hash(key.seal.to_der())),
    });
    let protected = Base64UrlUnpadded::encode_string(header.to_string().as_bytes());
    let signing_input = format!("{protected}.{}", Base64UrlUnpadded::encode_string(&payload));
    let sig = key.signer.sign(signing_input.as_bytes())?;
    let signature = Base64UrlUnpadded::encode_string(sig.raw());
    let mut header = json!({ "x-seal": Base64::encode_string(key.seal.to_der()) });
    if let Some(ts) = timestamper {
        let token = ts.timestamp(HashAlg::Sha256, &HashAlg::Sha256.hash(signature.as_bytes()))?;
        header[ETSI_U] =
            json!([{ "sigTst": { "tstTokens": [{ "val": Base64::encode_string(&token) }] } }]);
    }
    stamps.push(json!({ "protected": protected, "header": header, "signature": signature }));
    Ok(())
}

/// Verifies every stamp of a JSON document.
pub fn verify(doc: &Value, trust: &Trust, at: UnixTime) -> Result<Vec<SignatureReport>> {
    let payload = canonical_payload(doc)?;
    let payload_b64 = Base64UrlUnpadded::encode_string(&payload);
    let stamps = match doc.get(STAMPS) {
        Some(Value::Array(a)) => a.as_slice(),
        Some(_) => return Err(Error::InvalidInput(format!("member {STAMPS} is not an array"))),
        None => &[],
    };
    Ok(stamps
        .iter()
        .enumerate()
        .map(|(i, s)| verify_one(i + 1, s, &payload_b64, payload.len(), trust, at))
        .collect())
}

fn verify_one(
    position: usize,
    stamp: &Value,
    payload_b64: &str,
    payload_len: usize,
    trust: &Trust,
    at: UnixTime,
) -> SignatureReport {
    let mut report = SignatureReport::new(
        format!("stamp {position}"),
        "JWS (RFC 7515), detached RFC 8785 payload",
    );
    report.covers = format!(
        "the RFC 8785 canonical form of the document without {STAMPS} ({payload_len} bytes)"
    );
    let parsed = parse(stamp);
    let (protected, header, sig_b64, seal_der) = match parsed {
        Ok(p) => p,
        Err(e) => {
            report.push(CheckOutcome::failed("format", SubIndication::FormatFailure, e));
            return report;
        }
    };
    let field = |k: &str| header.get(k);
    report.signing_time = field("sigT").and_then(Value::as_str).map(str::to_owned);
    let x5c: Vec<Vec<u8>> = field("x5c")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| Base64::decode_vec(v.as_str()?).ok()).collect())
        .unwrap_or_default();
    let cert_der = x5c.first().cloned();
    let Some(cert_der) = cert_der else {
        report.push(CheckOutcome::failed(
            "format",
            SubIndication::FormatFailure,
            "no x5c certificate in the protected header",
        ));
        return report;
    };
    let cert = pki::certificates_from_bytes(&cert_der).map(|mut v| v.remove(0));
    let cert = match cert {
        Ok(c) => c,
        Err(e) => {
            report.push(CheckOutcome::failed(
                "format",
                SubIndication::FormatFailure,
                format!("x5c: {e}"),
            ));
            return report;
        }
    };
    report.signer = Some(SignerIdentity::of(&cert));

    // The signature.
    let alg = field("alg").and_then(Value::as_str).unwrap_or("");
    report.algorithm = alg.to_owned();
    let sig_ok = (|| -> std::result::Result<(), String> {
        let key = pki::certificate_key(&cert).map_err(|e| e.to_string())?;
        let (scheme, fits) =
            jose_scheme(alg).ok_or_else(|| format!("alg {alg:?} is not supported"))?;
        let kind = key.describe();
        if !fits.iter().any(|f| kind.starts_with(f)) {
            return Err(format!("alg {alg:?} does not fit the certificate's {kind} key"));
        }
        let sig = Base64UrlUnpadded::decode_vec(&sig_b64)
            .map_err(|_| "the signature is not base64url".to_string())?;
        let input = format!("{protected}.{payload_b64}");
        key.verify_scheme(&scheme, input.as_bytes(), &sig).map_err(|e| e.to_string())
    })();
    let verified = sig_ok.is_ok();
    match sig_ok {
        Ok(()) => report.push(CheckOutcome::passed(
            "signature",
            format!(
                "{alg} signature over the protected header and the canonical document verifies"
            ),
        )),
        Err(e) => report.push(CheckOutcome::failed(
            "signature",
            SubIndication::SigCryptoFailure,
            format!("{e}: the document or the stamp was changed"),
        )),
    }

    // Signature timestamps: a valid one moves the time the certificates are judged at.
    let proven = signature_timestamps(stamp)
        .into_iter()
        .filter_map(|t| {
            crate::tsp::proof::check_token(t, sig_b64.as_bytes(), trust, at, &mut report)
        })
        .min();
    let judged =
        if verified { crate::tsp::proof::judged_at(proven, trust, at, &mut report) } else { None };
    let (at, trust) = match &judged {
        Some((t, moved)) => {
            report.format = format!("{}, timestamped (JAdES sigTst)", report.format);
            (*t, moved)
        }
        None => (at, trust),
    };

    // Its position: a stamp that says it was stamp n stands at position n.
    match field("seq").and_then(Value::as_u64) {
        Some(n) if n == position as u64 => {}
        Some(n) => report.push(CheckOutcome::failed(
            "stamp-order",
            SubIndication::FormatFailure,
            format!("this stamp was stamp {n} but stands at position {position}: an earlier stamp was removed or the stamps were reordered"),
        )),
        None => report.push(CheckOutcome::failed("stamp-order", SubIndication::FormatFailure, "no seq in the protected header")),
    }

    // The seal: bound by its digest in the protected header.
    let seal = seal_der.as_deref().map(Seal::from_der);
    let digest_ok = seal_der.as_deref().is_some_and(|d| {
        field("x-seal-S256").and_then(Value::as_str)
            == Some(&Base64UrlUnpadded::encode_string(&HashAlg::Sha256.hash(d)))
    });
    match seal {
        Some(Ok(seal)) if digest_ok => {
            let time = report.signing_time.as_deref().and_then(|t| t.parse().ok());
            // Certificates after the first in x5c help build the path; they are not trusted.
            let mut widened = trust.clone();
            widened.intermediates.extend(
                x5c.iter().skip(1).filter_map(|d| pki::certificates_from_bytes(d).ok()).flatten(),
            );
            check_seal_use(&seal, &cert_der, Ok(&cert), time, &widened, at, &mut report);
        }
        Some(Ok(_)) => report.push(CheckOutcome::failed(
            "seal-digest",
            SubIndication::SealInvalid,
            "the seal does not match the digest in the protected header",
        )),
        Some(Err(e)) => report.push(CheckOutcome::failed(
            "seal-digest",
            SubIndication::SealInvalid,
            format!("the seal cannot be read: {e}"),
        )),
        None => report.push(CheckOutcome::failed(
            "seal-digest",
            SubIndication::SealInvalid,
            "the stamp carries no seal (header x-seal)",
        )),
    }
    report
}

type Parsed = (String, Map<String, Value>, String, Option<Vec<u8>>);

fn parse(stamp: &Value) -> std::result::Result<Parsed, String> {
    let obj = stamp.as_object().ok_or("a stamp must be a JSON object")?;
    let protected = obj.get("protected").and_then(Value::as_str).ok_or("no protected header")?;
    let header_json = Base64UrlUnpadded::decode_vec(protected)
        .map_err(|_| "protected header is not base64url")?;
    let header: Map<String, Value> = match strict::parse(&header_json) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return Err("the protected header is not a JSON object".into()),
        Err(e) => return Err(format!("protected header: {e}")),
    };
    if header.contains_key("crit") {
        return Err("the protected header has crit parameters we do not process".into());
    }
    if header.get("b64") == Some(&Value::Bool(false)) {
        return Err("unencoded payloads (b64: false) are not accepted".into());
    }
    let sig = obj.get("signature").and_then(Value::as_str).ok_or("no signature")?;
    let seal = obj
        .get("header")
        .and_then(|h| h.get("x-seal"))
        .and_then(Value::as_str)
        .and_then(|s| Base64::decode_vec(s).ok());
    Ok((protected.to_owned(), header, sig.to_owned(), seal))
}
