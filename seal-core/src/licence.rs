//! Electronic licences: signed as COSE_Sign1 (RFC 9052) over CWT claims (RFC 8392), in a
//! compact text form for QR codes, as the EU digital COVID certificates are:
//! `LC1:` + base45 (RFC 9285) of the zlib-compressed COSE.
//!
//! The CWT claims are `iss` (1, the issuing agency), `exp` (4), `nbf` (5), `iat` (6) and
//! `lic` (a text claim: the licence). The protected header holds `alg` (`EdDSA` or `ES256`)
//! and `kid`, the first 8 bytes of the SHA-256 of the issuer's certificate.

#[cfg(feature = "licence-batch")]
pub mod batch;
mod cbor;
pub mod cose;
pub mod dcc;
pub mod number;
#[cfg(any(feature = "qr-render", feature = "qr-read"))]
pub mod qr;
pub mod replay;
pub mod schema;
pub mod trust;
mod verifier;
mod zlib;

pub use verifier::{Verifier, verify, verify_many};

use serde_json::{Map, Value};

use cbor::Cbor;
pub use cose::Sign1;
pub(crate) use cose::{cose_scheme, cose_verifies, decode_cose, sign_cose};

use crate::digest::HashAlg;
use crate::error::{Error, Result};
use crate::keys::Signer;
use crate::pki::{self, Certificate};
use crate::time::UnixTime;

pub use schema::Schema;

/// The prefix of the compact form: format and version.
pub const PREFIX: &str = "LC1:";

/// Who holds a licence.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Holder {
    /// Name.
    pub name: String,
    /// Identifier (a registration number, an ID card number).
    pub id: String,
}

/// A licence, as issued and as read back.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Licence {
    /// The licence type, e.g. `business-licence`.
    #[serde(rename = "type")]
    pub licence_type: String,
    /// The licence number, ending in its ISO/IEC 7064 check character.
    pub number: String,
    /// The holder.
    pub holder: Holder,
    /// The issuing agency (from the issuer's certificate).
    pub issuer: String,
    /// The region that issued it, e.g. `VN-HN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// When it was issued.
    pub issued: UnixTime,
    /// Start of validity.
    pub valid_from: UnixTime,
    /// End of validity.
    pub valid_until: UnixTime,
    /// The type's attributes.
    pub attributes: Map<String, Value>,
    /// The licence's index in its issuer's status list (for revocation), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_index: Option<u64>,
}

/// What an agency supplies to issue a licence (a data file, one line of a batch).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceData {
    /// The number without its check character.
    pub number: String,
    /// The holder.
    pub holder: Holder,
    /// The region.
    #[serde(default)]
    pub region: Option<String>,
    /// Start of validity (default: now).
    #[serde(default)]
    pub valid_from: Option<String>,
    /// End of validity.
    pub valid_until: String,
    /// The type's attributes.
    #[serde(default)]
    pub attributes: Map<String, Value>,
    /// The licence's index in the issuer's status list, for revocation.
    #[serde(default)]
    pub status_index: Option<u64>,
}

/// The COSE key id of an issuer: the first 8 bytes of the SHA-256 of its certificate.
pub fn key_id(cert: &Certificate) -> Result<[u8; 8]> {
    let digest = HashAlg::Sha256.hash(&pki::certificate_der(cert)?);
    let mut kid = [0u8; 8];
    kid.copy_from_slice(&digest[..8]);
    Ok(kid)
}

/// Builds a licence from data, checking the number and the attributes against the schema.
pub fn prepare(
    schema: &Schema,
    data: LicenceData,
    issuer: &Certificate,
    now: UnixTime,
) -> Result<Licence> {
    schema.check(&data.attributes)?;
    let valid_from = match &data.valid_from {
        Some(s) => s.parse()?,
        None => now,
    };
    let valid_until: UnixTime = data.valid_until.parse()?;
    if valid_until <= valid_from {
        return Err(Error::InvalidInput("valid_until must come after valid_from".into()));
    }
    if data.holder.name.trim().is_empty() || data.holder.id.trim().is_empty() {
        return Err(Error::InvalidInput("the holder needs a name and an id".into()));
    }
    let subject = crate::pki::Subject::from_name(issuer.tbs_certificate().subject());
    let issuer_name =
        if subject.organization.is_empty() { subject.common_name } else { subject.organization };
    Ok(Licence {
        licence_type: schema.licence_type.clone(),
        number: number::with_check(&data.number)?,
        holder: data.holder,
        issuer: issuer_name,
        region: data.region,
        issued: now,
        valid_from,
        valid_until,
        attributes: data.attributes,
        status_index: data.status_index,
    })
}

/// Signs a licence: returns the tagged COSE_Sign1 bytes.
pub fn sign(licence: &Licence, signer: &dyn Signer, issuer_cert: &Certificate) -> Result<Vec<u8>> {
    if &pki::certificate_key(issuer_cert)? != signer.public_key() {
        return Err(Error::KeyMismatch("the key does not belong to the issuer certificate".into()));
    }
    let lic = cbor::from_json(&serde_json::json!({
        "t": licence.licence_type,
        "n": licence.number,
        "h": {"n": licence.holder.name, "i": licence.holder.id},
        "r": licence.region,
        "a": licence.attributes,
        "s": licence.status_index,
    }));
    let secs = |t: UnixTime| Cbor::Integer(t.as_secs().into());
    let claims = Cbor::Map(vec![
        (Cbor::int(1), Cbor::Text(licence.issuer.clone())),
        (Cbor::int(4), secs(licence.valid_until)),
        (Cbor::int(5), secs(licence.valid_from)),
        (Cbor::int(6), secs(licence.issued)),
        (Cbor::text("lic"), lic),
    ]);
    sign_cose(cbor::encode(&cbor::deterministic(claims)), signer, issuer_cert, false)
}

/// The compact text form: `LC1:` + base45(zlib(COSE)).
pub fn to_text(cose: &[u8]) -> Result<String> {
    Ok(format!("{PREFIX}{}", base45::encode(zlib::deflate(cose))))
}

/// The largest licence (COSE bytes) read.
const MAX_LICENCE: usize = 1 << 20;

/// Verifies a licence's text (`LC1:...`, as its QR code holds it) now: every check of
/// [`verify`], with the trust's intermediates and anchors as the issuers to find the
/// licence's signer among (by its key id). For trust lists and status lists, see
/// [`trust::verify_licence`]; for many licences, [`Verifier`].
///
/// ```no_run
/// use seal_core::verify::Trust;
///
/// # fn main() -> seal_core::Result<()> {
/// let mut trust = Trust::from_anchors("root.pem")?;
/// trust.intermediates = seal_core::pki::load_certificates("licence-issuer.pem".as_ref())?;
/// let text = std::fs::read_to_string("licence.txt")?;
/// let (licence, report) = seal_core::licence::verify_text(&text, &trust)?;
/// println!("{} for {}: {}", licence.number, licence.holder.name, report.indication);
/// # Ok(())
/// # }
/// ```
pub fn verify_text(
    text: &str,
    trust: &crate::verify::Trust,
) -> Result<(Licence, crate::verify::SignatureReport)> {
    let issuers: Vec<Certificate> =
        trust.intermediates.iter().chain(&trust.anchors).cloned().collect();
    verify(&from_text(text)?, &issuers, trust, crate::time::UnixTime::now())
}

/// Decodes the compact text form back to COSE bytes, saying which layer is broken.
pub fn from_text(text: &str) -> Result<Vec<u8>> {
    let text = text.trim();
    let Some(body) = text.strip_prefix(PREFIX) else {
        let shown: String = text.chars().take(8).collect();
        return Err(Error::InvalidInput(format!(
            "not a licence: it starts with {shown:?}, expected the prefix {PREFIX:?}"
        )));
    };
    let compressed = base45::decode(body).map_err(|e| {
        Error::decode("licence text (base45)", format!("{e:?}: truncated or mistyped"))
    })?;
    // A licence is small; never inflate a bomb.
    let (out, used) = zlib::inflate(&compressed, MAX_LICENCE, "licence text (zlib)")?;
    let rest = &compressed[used..];
    if !rest.is_empty() {
        return Err(Error::decode(
            "licence text (zlib)",
            format!("{} bytes follow the zlib stream: only one licence is allowed", rest.len()),
        ));
    }
    Ok(out)
}

fn time_claim(claims: &Cbor, key: i64, name: &str) -> Result<UnixTime> {
    claims
        .get(&Cbor::int(key))
        .and_then(|v| v.as_integer())
        .and_then(|i| u64::try_from(i).ok())
        .map(UnixTime::from_secs)
        .ok_or_else(|| {
            Error::decode("licence claims", format!("{name} is missing or not a number"))
        })
}

/// Reads the licence inside COSE bytes, without checking anything.
pub fn read(cose: &[u8]) -> Result<(Sign1, Licence)> {
    decode(cose).map(|(sign1, licence, _)| (sign1, licence))
}

/// [`read`], and whether the claims' maps are in deterministic key order.
fn decode(cose: &[u8]) -> Result<(Sign1, Licence, bool)> {
    let sign1 = decode_cose(cose)?;
    let payload =
        sign1.payload().ok_or_else(|| Error::decode("licence (COSE_Sign1)", "no payload"))?;
    let claims = cbor::strict(payload, "licence claims (CBOR)")?;
    let ordered = cbor::is_deterministic(&claims);
    if claims.as_map().is_none() {
        return Err(Error::decode("licence claims", "not a CBOR map"));
    }
    let issuer = claims.get(&Cbor::int(1)).and_then(Cbor::as_text).unwrap_or_default().to_owned();
    let lic = claims
        .get(&Cbor::text("lic"))
        .ok_or_else(|| Error::decode("licence claims", "no lic claim"))?;
    let lic: Value = cbor::to_json(lic).map_err(|e| Error::decode("licence claims (lic)", e))?;
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let missing = |what: &str| Error::decode("licence", format!("{what} is missing"));
    let wrong = |what: &str, kind: &str| {
        Error::decode("licence claims", format!("{what} must be {kind}: FORMAT_FAILURE"))
    };
    let holder = lic.get("h").ok_or_else(|| missing("the holder"))?;
    let licence = Licence {
        licence_type: text(&lic, "t").ok_or_else(|| missing("the type"))?,
        number: text(&lic, "n").ok_or_else(|| missing("the number"))?,
        holder: Holder {
            name: text(holder, "n").ok_or_else(|| missing("the holder's name"))?,
            id: text(holder, "i").ok_or_else(|| missing("the holder's id"))?,
        },
        issuer,
        region: text(&lic, "r"),
        issued: time_claim(&claims, 6, "iat")?,
        valid_from: time_claim(&claims, 5, "nbf")?,
        valid_until: time_claim(&claims, 4, "exp")?,
        attributes: match lic.get("a") {
            None => Map::new(),
            Some(Value::Object(a)) => a.clone(),
            Some(_) => return Err(wrong("the attributes (a)", "a map")),
        },
        status_index: match lic.get("s") {
            None | Some(Value::Null) => None,
            Some(s) => Some(
                s.as_u64()
                    .filter(|_| !s.is_f64())
                    .ok_or_else(|| wrong("the status index (s)", "an unsigned integer"))?,
            ),
        },
    };
    if let Some(r) = lic.get("r")
        && !r.is_string()
        && !r.is_null()
    {
        return Err(wrong("the region (r)", "a text"));
    }
    // What the licence's type requires, on verification as on issuing.
    if let Some(schema) =
        Schema::builtin_ref().iter().find(|s| s.licence_type == licence.licence_type)
    {
        schema.check(&licence.attributes).map_err(|e| Error::decode("licence attributes", e))?;
    }
    Ok((sign1, licence, ordered))
}
