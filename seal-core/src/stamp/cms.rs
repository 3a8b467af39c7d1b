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

use der::asn1::{ObjectIdentifier, OctetString, UtcTime};
use der::{Encode, Tagged};

use crate::digest::HashAlg;
use crate::error::{Error, Result};
use crate::keys::{Algorithm, Signature, oid_name};
use crate::pki::{self, Certificate, certificate_der};
use crate::seal::tlv::{self, Seq, encode};
use crate::seal::{Seal, check_seal_use};
use crate::time::UnixTime;
use crate::verify::{CheckOutcome, SignatureReport, SignerIdentity, SubIndication, Trust};

use super::StampKey;

/// `2.25.294709546000930366560518733175570341712`: the seal attribute (value: `SESeal`).
pub const OID_SEAL_ATTRIBUTE: &str = "2.25.294709546000930366560518733175570341712";

const OID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const OID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const OID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const OID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const OID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
const OID_SIGNING_CERT_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
const OID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const OID_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");

const SEQ: u8 = 0x30;
const SET: u8 = 0x31;
const CTX0: u8 = 0xa0;

/// The DER of the seal attribute's OID (a big arc, encoded by hand).
fn seal_oid_der() -> Vec<u8> {
    let n: u128 = 294_709_546_000_930_366_560_518_733_175_570_341_712;
    let mut arc = Vec::new();
    let mut v = n;
    loop {
        arc.push((v & 0x7f) as u8 | if arc.is_empty() { 0 } else { 0x80 });
        v >>= 7;
        if v == 0 {
            break;
        }
    }
    arc.reverse();
    let mut content = vec![2 * 40 + 25];
    content.extend(arc);
    encode(0x06, &content)
}

fn der<T: Encode>(what: &'static str, v: &T) -> Result<Vec<u8>> {
    v.to_der().map_err(|e| Error::decode(what, e))
}

fn alg_id(oid: ObjectIdentifier) -> Result<Vec<u8>> {
    Ok(encode(SEQ, &der("AlgorithmIdentifier", &oid)?))
}

fn attribute(oid_der: Vec<u8>, value: Vec<u8>) -> Vec<u8> {
    let mut content = oid_der;
    content.extend(encode(SET, &value));
    encode(SEQ, &content)
}

/// The digest a CMS signature by `alg` uses.
fn digest_for(alg: Algorithm) -> HashAlg {
    match alg {
        Algorithm::Ed25519 => HashAlg::Sha512,
        _ => HashAlg::Sha256,
    }
}

/// Makes a detached CMS signature (DER) over the file at `path`.
pub fn stamp_file(path: &Path, key: &StampKey<'_>, time: UnixTime) -> Result<Vec<u8>> {
    let alg = key.signer.algorithm();
    let hash = digest_for(alg);
    let (digest, _) = hash.hash_file(path)?;
    sign_digest(&digest, key, time)
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
}

impl<'a> CheckedKey<'a> {
    /// Checks `key` (its certificate is a holder of the seal, its signer the certificate's).
    pub fn new(key: StampKey<'a>) -> Result<CheckedKey<'a>> {
        Ok(CheckedKey { cert_der: key.check()?, key })
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
        let key = &self.key;
        let attrs_content = signed_attrs(digest, key, &self.cert_der, time, profile)?;
        let signature = key.signer.sign(&encode(SET, &attrs_content))?;
        assemble(key, &self.cert_der, &attrs_content, &signature.to_x509()?)
    }

    /// See [`max_len`].
    pub fn max_len(&self, time: UnixTime, profile: Profile) -> Result<usize> {
        let key = &self.key;
        let zero = vec![0u8; self.digest_alg().hasher().finish().len()];
        let attrs_content = signed_attrs(&zero, key, &self.cert_der, time, profile)?;
        // The longest encoding of a signature: DER ECDSA P-256 is at most 72 bytes.
        let longest = match key.signer.algorithm() {
            Algorithm::Ed25519 => 64,
            _ => 72,
        };
        Ok(assemble(key, &self.cert_der, &attrs_content, &vec![0xffu8; longest])?.len())
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

fn octets(b: &[u8]) -> Result<Vec<u8>> {
    der("OCTET STRING", &OctetString::new(b).map_err(|e| Error::decode("OCTET STRING", e))?)
}

fn assemble(
    key: &StampKey<'_>,
    cert_der: &[u8],
    attrs_content: &[u8],
    signature: &[u8],
) -> Result<Vec<u8>> {
    let alg = key.signer.algorithm();
    let hash_oid = if digest_for(alg) == HashAlg::Sha512 { OID_SHA512 } else { OID_SHA256 };
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
            alg_id(alg.signature_algorithm_identifier().oid)?,
            octets(signature)?,
        ]
        .concat(),
    );
    let signed_data = encode(
        SEQ,
        &[
            vec![0x02, 0x01, 0x01],
            encode(SET, &alg_id(hash_oid)?),
            encode(SEQ, &der("OID", &OID_DATA)?),
            encode(CTX0, cert_der),
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

/// True if `data` looks like a CMS `ContentInfo` with SignedData.
pub fn is_cms(data: &[u8]) -> bool {
    let Ok(der) = from_bytes(data) else { return false };
    Seq::parse("ContentInfo", &der)
        .is_ok_and(|ci| ci.oid(0, "contentType").is_ok_and(|o| o == OID_SIGNED_DATA))
}

/// Verifies a detached CMS signature over the file at `path`: one report per SignerInfo.
pub fn verify_file(
    path: &Path,
    sig: &[u8],
    trust: &Trust,
    at: UnixTime,
) -> Result<Vec<SignatureReport>> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let ctx = Detached {
        id: path.display().to_string(),
        format: "CMS detached (CAdES-B)",
        covers: format!("{} ({size} bytes)", path.display()),
        claimed_time: None,
    };
    verify_signed_data(&from_bytes(sig)?, &ctx, &mut |h| Ok(h.hash_file(path)?.0), trust, at)
}

/// What a detached CMS signature is over, for its report.
pub struct Detached {
    /// Names the signature in reports ("signer N of ID").
    pub id: String,
    /// The format, e.g. "CMS detached (CAdES-B)".
    pub format: &'static str,
    /// What the content is, e.g. "contract.pdf (52311 bytes)".
    pub covers: String,
    /// A signing time claimed outside the CMS (a PDF's `/M`), used when the CMS has none.
    pub claimed_time: Option<UnixTime>,
}

/// Verifies CMS SignedData (DER) over detached content; `digest_of` hashes the content with
/// the algorithm asked (once per algorithm). One report per SignerInfo.
pub fn verify_signed_data(
    der: &[u8],
    ctx: &Detached,
    digest_of: &mut dyn FnMut(HashAlg) -> Result<Vec<u8>>,
    trust: &Trust,
    at: UnixTime,
) -> Result<Vec<SignatureReport>> {
    let ci = Seq::parse("CMS ContentInfo", der)?;
    if ci.oid(0, "contentType")? != OID_SIGNED_DATA {
        return Err(Error::decode("CMS ContentInfo", "not SignedData"));
    }
    let explicit = Seq::children("CMS content", ci.get(1, "content")?)?;
    let sd = Seq::of("SignedData", explicit.get(0, "SignedData")?)?;
    let encap = sd.seq(2, "encapContentInfo")?;
    if encap.len() > 1 {
        return Err(Error::InvalidInput(
            "the CMS signature encapsulates its content; expected a detached signature".into(),
        ));
    }
    let mut certs = Vec::new();
    let mut i = 3;
    while let Ok(item) = sd.get(i, "SignedData element") {
        if item.tag() == der::Tag::Set {
            break;
        }
        if item.tag().number().value() == 0 && item.tag().is_context_specific() {
            for c in Seq::children("certificates", item)?.items {
                if let Ok(cert) = pki::certificates_from_bytes(&tlv::raw("certificate", c)?) {
                    certs.extend(cert);
                }
            }
        }
        i += 1;
    }
    let infos = Seq::children("signerInfos", sd.get(i, "signerInfos")?)?;
    let mut digests: Vec<(HashAlg, Vec<u8>)> = Vec::new();
    let mut digest_once = |h: HashAlg| -> Result<Vec<u8>> {
        if let Some((_, d)) = digests.iter().find(|(x, _)| *x == h) {
            return Ok(d.clone());
        }
        let d = digest_of(h)?;
        digests.push((h, d.clone()));
        Ok(d)
    };
    let mut reports = Vec::new();
    for (n, info) in infos.items.iter().enumerate() {
        let info = Seq::of("SignerInfo", *info)?;
        let id = if infos.items.len() == 1 {
            ctx.id.clone()
        } else {
            format!("signer {} of {}", n + 1, ctx.id)
        };
        let mut report = SignatureReport::new(id, ctx.format);
        verify_signer(&info, &certs, &mut digest_once, ctx, trust, at, &mut report)?;
        reports.push(report);
    }
    Ok(reports)
}

fn verify_signer(
    info: &Seq<'_>,
    certs: &[Certificate],
    digest_of: &mut dyn FnMut(HashAlg) -> Result<Vec<u8>>,
    ctx: &Detached,
    trust: &Trust,
    at: UnixTime,
    report: &mut SignatureReport,
) -> Result<()> {
    // sid: IssuerAndSerialNumber.
    let sid = info.get(1, "sid")?;
    let cert = match Seq::of("IssuerAndSerialNumber", sid) {
        Ok(s) => {
            let issuer = s.raw(0, "issuer")?;
            let serial = s.raw(1, "serialNumber")?;
            certs.iter().find(|c| {
                let t = c.tbs_certificate();
                der("issuer", t.issuer()).is_ok_and(|d| d == issuer)
                    && der("serial", t.serial_number()).is_ok_and(|d| d == serial)
            })
        }
        Err(_) => None,
    };
    let Some(cert) = cert else {
        report.push(CheckOutcome::indeterminate(
            "signer-certificate",
            SubIndication::NoCertificateChainFound,
            "the signer's certificate is not in the signature",
        ));
        return Ok(());
    };
    report.signer = Some(SignerIdentity::of(cert));
    let digest_alg =
        Seq::of("digestAlgorithm", info.get(2, "digestAlgorithm")?)?.oid(0, "algorithm")?;
    let hash = match digest_alg {
        OID_SHA256 => HashAlg::Sha256,
        OID_SHA512 => HashAlg::Sha512,
        other => {
            report.push(CheckOutcome::indeterminate(
                "digest",
                SubIndication::CryptoConstraintsFailure,
                format!("digest {}", oid_name(&other)),
            ));
            return Ok(());
        }
    };
    let attrs_any = info.get(3, "signedAttrs")?;
    if !(attrs_any.tag().is_context_specific() && attrs_any.tag().number().value() == 0) {
        report.push(CheckOutcome::failed(
            "format",
            SubIndication::FormatFailure,
            "no signed attributes: CAdES requires them",
        ));
        return Ok(());
    }
    let attrs = Seq::children("signedAttrs", attrs_any)?;
    let sig_alg =
        Seq::of("signatureAlgorithm", info.get(4, "signatureAlgorithm")?)?.oid(0, "algorithm")?;
    let sig_value = info.octets(5, "signature")?;

    let seal_oid = seal_oid_der();
    let (mut content_type, mut message_digest, mut signing_time, mut signing_cert, mut seal_der) =
        (None, None, None, None, None);
    for a in &attrs.items {
        let a = Seq::of("Attribute", *a)?;
        let oid = a.raw(0, "attrType")?;
        let values = Seq::children("attrValues", a.get(1, "attrValues")?)?;
        let first = values.get(0, "attribute value")?;
        let is = |o: ObjectIdentifier| der("OID", &o).is_ok_and(|d| d == oid);
        if is(OID_CONTENT_TYPE) {
            content_type = first.decode_as::<ObjectIdentifier>().ok();
        } else if is(OID_MESSAGE_DIGEST) {
            message_digest = (first.tag() == der::Tag::OctetString).then(|| first.value().to_vec());
        } else if is(OID_SIGNING_TIME) {
            signing_time = tlv::time("signing-time", "value", first).ok();
        } else if is(OID_SIGNING_CERT_V2) {
            signing_cert = Some(first);
        } else if oid == seal_oid {
            seal_der = Some(tlv::raw("seal", first)?);
        }
    }
    let signing_time = signing_time.or(ctx.claimed_time);
    report.signing_time = signing_time.map(|t| t.to_string());

    // The signature over DER(SET OF signed attributes).
    let signed = encode(SET, attrs_any.value());
    let sig_ok = (|| -> std::result::Result<String, String> {
        let alg = Algorithm::from_oid(sig_alg).map_err(|e| e.to_string())?;
        let key = pki::certificate_key(cert).map_err(|e| e.to_string())?;
        let sig = Signature::from_x509(alg, sig_value).map_err(|e| e.to_string())?;
        key.verify(&signed, &sig).map_err(|e| e.to_string())?;
        Ok(alg.to_string())
    })();
    report.algorithm = oid_name(&sig_alg);
    match sig_ok {
        Ok(alg) => report.push(CheckOutcome::passed(
            "signature",
            format!("{alg} signature over the signed attributes verifies"),
        )),
        Err(e) => {
            report.push(CheckOutcome::failed("signature", SubIndication::SigCryptoFailure, e))
        }
    }
    if content_type != Some(OID_DATA) {
        report.push(CheckOutcome::failed(
            "format",
            SubIndication::FormatFailure,
            "content-type attribute is missing or not id-data",
        ));
    }
    // message-digest against the content.
    let actual = digest_of(hash)?;
    report.covers = format!("{} of {}", hash.name(), ctx.covers);
    match message_digest {
        Some(d) if d == actual => report.push(CheckOutcome::passed(
            "data-hash",
            format!("message-digest matches the content's {}", hash.name()),
        )),
        Some(_) => report.push(CheckOutcome::failed(
            "data-hash",
            SubIndication::HashFailure,
            "message-digest does not match the content: it was changed after signing",
        )),
        None => report.push(CheckOutcome::failed(
            "data-hash",
            SubIndication::FormatFailure,
            "no message-digest attribute",
        )),
    }
    // signing-certificate-v2 binds the certificate (CAdES-B).
    let bound = signing_cert.and_then(|v| {
        let certs_seq = Seq::of("SigningCertificateV2", v).ok()?;
        let first = certs_seq.seq(0, "certs").ok()?.seq(0, "ESSCertIDv2").ok()?;
        let (alg, value_at) = match first.get(0, "hashAlgorithm").ok()?.tag() {
            der::Tag::Sequence => {
                (first.seq(0, "hashAlgorithm").ok()?.oid(0, "algorithm").ok()?, 1)
            }
            _ => (OID_SHA256, 0),
        };
        let h = match alg {
            OID_SHA256 => HashAlg::Sha256,
            OID_SHA512 => HashAlg::Sha512,
            _ => return None,
        };
        let expected = first.octets(value_at, "certHash").ok()?;
        Some(certificate_der(cert).ok().is_some_and(|d| h.hash(&d) == expected))
    });
    match bound {
        Some(true) => report.push(CheckOutcome::passed(
            "signing-certificate",
            "signing-certificate-v2 names the signer's certificate",
        )),
        Some(false) => report.push(CheckOutcome::failed(
            "signing-certificate",
            SubIndication::SigCryptoFailure,
            "signing-certificate-v2 names another certificate",
        )),
        None => report.push(CheckOutcome::failed(
            "signing-certificate",
            SubIndication::FormatFailure,
            "no usable signing-certificate-v2 attribute (CAdES-B requires it)",
        )),
    }
    let cert_der = certificate_der(cert)?;
    match seal_der.map(|d| Seal::from_der(&d)) {
        Some(Ok(seal)) => {
            check_seal_use(&seal, &cert_der, Ok(cert), signing_time, trust, at, report)
        }
        Some(Err(e)) => report.push(CheckOutcome::failed(
            "seal",
            SubIndication::SealInvalid,
            format!("the seal attribute cannot be read: {e}"),
        )),
        None => {
            // A plain electronic signature (OpenSSL, pyHanko, Adobe): valid as a signature;
            // the report says it carries no seal (`seal` stays empty).
            report.push(CheckOutcome::passed(
                "seal",
                "none: a plain electronic signature, not an electronic seal (no GB/T 38540 \
                 seal attribute)",
            ));
            let opts = crate::pki::path::Options::new(
                crate::pki::path::Purpose::Seal,
                !trust.crls.is_empty(),
            );
            let p = crate::pki::path::validate_with(
                cert,
                &trust.intermediates,
                &trust.anchors,
                &trust.crls,
                at,
                &opts,
            );
            crate::verify::push_path(report, "signer-chain", &p);
        }
    }
    Ok(())
}
