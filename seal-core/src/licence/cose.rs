//! COSE_Sign1 (RFC 9052 §4.2): one signer's signature over a payload, with the headers that
//! licences, trust lists, status lists and EU DCCs use: `alg` (1), `crit` (2), `kid` (4)
//! and `x5chain` (33, RFC 9360). The algorithms are those of RFC 9053 and RFC 8230.
//!
//! ```text
//! COSE_Sign1 = #6.18([ protected: bstr .cbor header_map, unprotected: header_map,
//!                      payload: bstr / nil, signature: bstr ])
//! Sig_structure = [ "Signature1", protected (the bytes as received), external_aad, payload ]
//! ```

use super::cbor::{self, Cbor};
use crate::digest::HashAlg;
use crate::error::{Error, Result};
use crate::keys::{Algorithm, Scheme, SchemeKind, Signer};
use crate::pki::{self, Certificate};

/// The COSE_Sign1 tag (RFC 9052 §2).
const TAG: u64 = 18;
/// Header labels (RFC 9052 §3.1, RFC 9360 §2).
pub(crate) const ALG: i64 = 1;
const CRIT: i64 = 2;
pub(crate) const KID: i64 = 4;
pub(crate) const X5CHAIN: i64 = 33;

/// A decoded COSE_Sign1. Its signature is checked with the protected header's bytes as they
/// were received, never as re-encoded.
#[derive(Debug, Clone)]
pub struct Sign1 {
    protected_bytes: Vec<u8>,
    pub(crate) protected: Header,
    pub(crate) unprotected: Header,
    payload: Option<Vec<u8>>,
    signature: Vec<u8>,
}

/// A header map: `alg` and `kid` read out, every entry kept.
#[derive(Debug, Clone, Default)]
pub(crate) struct Header {
    /// The `alg` label's value, if an integer (a text `alg` names no algorithm seal knows).
    pub(crate) alg: Option<i64>,
    /// The `kid`, empty if absent.
    pub(crate) key_id: Vec<u8>,
    entries: Vec<(Cbor, Cbor)>,
}

impl Header {
    fn read(value: Cbor, what: &str) -> Result<Header> {
        let bad = |why: String| Error::decode("COSE_Sign1", format!("the {what} header: {why}"));
        let Cbor::Map(entries) = value else { return Err(bad("not a map".into())) };
        if let Some(label) = cbor::first_duplicate(&entries) {
            return Err(bad(format!("the label {label:?} appears twice")));
        }
        let mut header = Header::default();
        for (label, value) in &entries {
            if !matches!(label, Cbor::Integer(_) | Cbor::Text(_)) {
                return Err(bad(format!("the label {label:?} is neither an integer nor a text")));
            }
            match (label.as_integer(), value) {
                (Some(1), Cbor::Integer(a)) => header.alg = Some(i64::try_from(*a).unwrap_or(0)),
                (Some(1), Cbor::Text(_)) => {}
                (Some(1), _) => return Err(bad("alg is neither an integer nor a text".into())),
                (Some(4), Cbor::Bytes(k)) => header.key_id = k.clone(),
                (Some(4), _) => return Err(bad("kid is not a byte string".into())),
                _ => {}
            }
        }
        header.entries = entries;
        Ok(header)
    }

    /// The value under an integer label.
    pub(crate) fn value(&self, label: i64) -> Option<&Cbor> {
        self.entries.iter().find(|(l, _)| l.as_integer() == Some(label.into())).map(|(_, v)| v)
    }
}

impl Sign1 {
    /// Decodes a COSE_Sign1, tagged (18) or not. Any well-formed CBOR is read (other
    /// producers use long forms and indefinite lengths); nothing may follow it.
    pub fn decode(bytes: &[u8]) -> Result<Sign1> {
        let bad = |why: &str| Error::decode("COSE_Sign1", why.to_owned());
        let (value, used) = cbor::lenient(bytes, "COSE_Sign1")?;
        if used != bytes.len() {
            return Err(Error::decode(
                "COSE_Sign1",
                format!("{} bytes follow it: only one item is allowed", bytes.len() - used),
            ));
        }
        let value = match value {
            Cbor::Tag(TAG, inner) => *inner,
            Cbor::Tag(t, _) => return Err(Error::decode("COSE_Sign1", format!("tag {t}, not 18"))),
            v => v,
        };
        let Cbor::Array(items) = value else { return Err(bad("not an array")) };
        let [protected, unprotected, payload, signature]: [Cbor; 4] =
            items.try_into().map_err(|_| bad("not an array of 4 items"))?;
        let Cbor::Bytes(protected_bytes) = protected else {
            return Err(bad("the protected header is not a byte string"));
        };
        let protected = if protected_bytes.is_empty() {
            Header::default()
        } else {
            let (map, used) = cbor::lenient(&protected_bytes, "COSE_Sign1 protected header")?;
            if used != protected_bytes.len() {
                return Err(bad("bytes follow the protected header's map"));
            }
            Header::read(map, "protected")?
        };
        let unprotected = Header::read(unprotected, "unprotected")?;
        let payload = match payload {
            Cbor::Bytes(p) => Some(p),
            Cbor::Null => None,
            _ => return Err(bad("the payload is neither a byte string nor nil")),
        };
        let Cbor::Bytes(signature) = signature else {
            return Err(bad("the signature is not a byte string"));
        };
        let sign1 = Sign1 { protected_bytes, protected, unprotected, payload, signature };
        sign1.check_crit()?;
        Ok(sign1)
    }

    /// RFC 9052 §3.1: a protected `crit` lists labels the verifier must understand; seal
    /// acts on `alg`, `kid` and `x5chain` only, so a licence that requires more is refused.
    fn check_crit(&self) -> Result<()> {
        let Some(crit) = self.protected.value(CRIT) else { return Ok(()) };
        let Cbor::Array(labels) = crit else {
            return Err(Error::decode("COSE_Sign1", "crit is not an array of labels"));
        };
        match labels.iter().find(|l| ![ALG, KID, X5CHAIN].map(Cbor::int).contains(l)) {
            None if !labels.is_empty() => Ok(()),
            None => Err(Error::decode("COSE_Sign1", "crit is empty (RFC 9052 §3.1)")),
            Some(l) => Err(Error::decode(
                "COSE_Sign1",
                format!("crit requires the header {l:?}, which seal does not process"),
            )),
        }
    }

    /// The payload, unless it is detached.
    pub fn payload(&self) -> Option<&[u8]> {
        self.payload.as_deref()
    }

    /// The protected header's `alg`, if an integer.
    pub fn algorithm(&self) -> Option<i64> {
        self.protected.alg
    }

    /// The protected header's `kid` (empty if none).
    pub fn key_id(&self) -> &[u8] {
        &self.protected.key_id
    }

    /// The Sig_structure signed (RFC 9052 §4.4), with an empty external_aad.
    fn to_be_signed(&self) -> Vec<u8> {
        sig_structure(&self.protected_bytes, self.payload.as_deref().unwrap_or_default())
    }
}

fn sig_structure(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    cbor::encode(&Cbor::Array(vec![
        Cbor::text("Signature1"),
        Cbor::Bytes(protected.to_vec()),
        Cbor::Bytes(Vec::new()),
        Cbor::Bytes(payload.to_vec()),
    ]))
}

/// COSE_Sign1 over `payload` with `alg` and `kid` (and, with `include_cert`, the
/// certificate as `x5chain`, RFC 9360) in the protected header; tagged.
pub(crate) fn sign_cose(
    payload: Vec<u8>,
    signer: &dyn Signer,
    cert: &Certificate,
    include_cert: bool,
) -> Result<Vec<u8>> {
    let mut header = vec![
        (Cbor::int(ALG), Cbor::int(cose_alg(signer.algorithm())?)),
        (Cbor::int(KID), Cbor::Bytes(super::key_id(cert)?.to_vec())),
    ];
    if include_cert {
        header.push((Cbor::int(X5CHAIN), Cbor::Bytes(pki::certificate_der(cert)?)));
    }
    let protected = cbor::encode(&cbor::deterministic(Cbor::Map(header)));
    let signature = signer.sign(&sig_structure(&protected, &payload))?.raw().to_vec();
    Ok(cbor::encode(&Cbor::Tag(
        TAG,
        Box::new(Cbor::Array(vec![
            Cbor::Bytes(protected),
            Cbor::Map(Vec::new()),
            Cbor::Bytes(payload),
            Cbor::Bytes(signature),
        ])),
    )))
}

/// Decodes a COSE_Sign1 (tagged or not).
pub(crate) fn decode_cose(cose: &[u8]) -> Result<Sign1> {
    Sign1::decode(cose)
}

/// True if `sign1` verifies with the key of `cert` under the algorithm in its protected
/// header, which must fit the key's type.
pub(crate) fn cose_verifies(sign1: &Sign1, cert: &Certificate) -> bool {
    // The algorithm belongs in the protected header; some DCC issuers put it in the
    // unprotected one only (allowed by RFC 9052 §3.1; the DCC specification's "MAY").
    let Some(alg) = sign1.protected.alg.or(sign1.unprotected.alg) else { return false };
    let Some((scheme, fits)) = cose_scheme(alg) else { return false };
    let Ok(key) = pki::certificate_key(cert) else { return false };
    let kind = key.describe();
    fits.iter().any(|f| kind.starts_with(f))
        && key.verify_scheme(&scheme, &sign1.to_be_signed(), &sign1.signature).is_ok()
}

/// The COSE algorithm (RFC 9053 §2, RFC 8230 §2) of a signing algorithm.
fn cose_alg(alg: Algorithm) -> Result<i64> {
    match alg {
        Algorithm::EcdsaP256Sha256 => Ok(-7),
        Algorithm::EcdsaP384Sha384 => Ok(-35),
        Algorithm::Ed25519 => Ok(-8),
        Algorithm::RsaPssSha256 => Ok(-37),
        Algorithm::RsaPkcs1Sha256 => Ok(-257),
        other => Err(Error::UnsupportedAlgorithm(format!("{other} has no COSE algorithm here"))),
    }
}

/// The name of a COSE algorithm, as the IANA registry gives it.
pub(crate) fn alg_name(alg: i64) -> String {
    let name = match alg {
        -7 => "ES256",
        -35 => "ES384",
        -36 => "ES512",
        -8 => "EdDSA",
        -37 => "PS256",
        -38 => "PS384",
        -39 => "PS512",
        -257 => "RS256",
        -258 => "RS384",
        -259 => "RS512",
        _ => return format!("COSE algorithm {alg}"),
    };
    name.to_owned()
}

/// How a COSE `alg` (RFC 9053 §2, RFC 8230 §2) is verified, and the key types it fits.
/// ECDSA signatures in COSE are the fixed-width `r || s`.
pub(crate) fn cose_scheme(alg: i64) -> Option<(Scheme, &'static [&'static str])> {
    use SchemeKind::*;
    Some(match alg {
        -7 => (Scheme::new(EcdsaPlain, HashAlg::Sha256), &["EC P-256"]),
        -35 => (Scheme::new(EcdsaPlain, HashAlg::Sha384), &["EC P-384"]),
        -36 => (Scheme::new(EcdsaPlain, HashAlg::Sha512), &["EC P-521"]),
        -8 => (Scheme::new(Ed25519, HashAlg::Sha512), &["Ed25519"]),
        -37 => (Scheme::new(RsaPss { salt_len: 32 }, HashAlg::Sha256), &["RSA"]),
        -38 => (Scheme::new(RsaPss { salt_len: 48 }, HashAlg::Sha384), &["RSA"]),
        -39 => (Scheme::new(RsaPss { salt_len: 64 }, HashAlg::Sha512), &["RSA"]),
        -257 => (Scheme::new(RsaPkcs1, HashAlg::Sha256), &["RSA"]),
        -258 => (Scheme::new(RsaPkcs1, HashAlg::Sha384), &["RSA"]),
        -259 => (Scheme::new(RsaPkcs1, HashAlg::Sha512), &["RSA"]),
        _ => return None,
    })
}
