//! Verifying CMS SignedData (RFC 5652) as the world writes it: detached (CAdES, PAdES,
//! `adbe.pkcs7.detached`) and attached (`.p7m`), DER or BER, with or without signed
//! attributes, with signing-certificate-v2 (CAdES baseline), the v1 ESS signing-certificate,
//! or neither (plain PKCS#7), signers named by issuer and serial or by key identifier, and
//! every algorithm of [`crate::keys::Scheme`].
//!
//! What each signature meets is said in its report: the "signing-certificate" check names
//! the level (CAdES-B with signing-certificate-v2; CMS/PKCS#7 with v1 or none), and
//! [`crate::verify::Policy::cades_baseline`] turns a missing v2 attribute into a failure.
//! Certificates carried in the signature are untrusted candidates for path building, like
//! the verifier's own `--untrusted` files.

use std::path::Path;

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode, Tagged};
use spki::AlgorithmIdentifierRef;

use super::revocation_info::{OID_ADBE_REVOCATION, RevocationData};
use super::{
    OID_CONTENT_TYPE, OID_DATA, OID_GM_DATA, OID_GM_SIGNED_DATA, OID_MESSAGE_DIGEST,
    OID_SIGNED_DATA, OID_SIGNING_CERT_V2, OID_SIGNING_TIME, seal_oid_der,
};
use crate::digest::HashAlg;
use crate::error::{Error, Result};
use crate::keys::{Scheme, oid_name};
use crate::pki::path::{self, Options, Purpose};
use crate::pki::{self, Certificate, certificate_der};
use crate::seal::{Seal, check_seal_use};
use crate::time::UnixTime;
use crate::tlv::{self, Seq, encode};
use crate::verify::{CheckOutcome, SignatureReport, SignerIdentity, SubIndication, Trust};

/// The ESS signing-certificate attribute, v1 (RFC 2634 §5.4): SHA-1 certificate hashes.
const OID_SIGNING_CERT_V1: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.12");

const SET: u8 = 0x31;

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
    /// What the signer's certificate must be for: [`Purpose::Seal`] for stamps and
    /// signatures (a seal attribute is checked when present), [`Purpose::TimeStamping`]
    /// for a timestamp token's TSA.
    pub purpose: Purpose,
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
        format: "CMS detached",
        covers: format!("{} ({size} bytes)", path.display()),
        claimed_time: None,
        purpose: Purpose::Seal,
    };
    let der = super::from_bytes(sig)?;
    verify_signed_data(&der, &ctx, &mut |h| Ok(h.hash_file(path)?.0), trust, at)
}

/// Verifies an attached (enveloping) CMS signature, a `.p7m`: the content is inside it.
/// Returns one report per SignerInfo and the content.
pub fn verify_attached(
    id: &str,
    sig: &[u8],
    trust: &Trust,
    at: UnixTime,
) -> Result<(Vec<SignatureReport>, Vec<u8>)> {
    let der = super::from_bytes(sig)?;
    let (der, _) = crate::ber::to_der(&der)?;
    let sd = SignedData::parse(&der)?;
    let content = sd.content.clone().ok_or_else(|| {
        Error::InvalidInput(
            "the CMS signature is detached (it holds no content): verify it beside the \
             signed file"
                .into(),
        )
    })?;
    let ctx = Detached {
        id: id.to_string(),
        format: "CMS attached",
        covers: format!("the content inside the signature ({} bytes)", content.len()),
        claimed_time: None,
        purpose: Purpose::Seal,
    };
    let mut digest_of = |h: HashAlg| Ok(h.hash(&content));
    let reports = sd.verify(&ctx, &mut digest_of, trust, at)?;
    Ok((reports, content))
}

/// Verifies a CMS signature that encapsulates the digest of the signed data instead of the
/// data (PDF's `adbe.pkcs7.sha1`, ISO 32000-1 §12.8.3.3): the encapsulated content must be
/// `digest`, and the signature is verified over it.
pub fn verify_digest_envelope(
    cms: &[u8],
    ctx: &Detached,
    digest: &[u8],
    trust: &Trust,
    at: UnixTime,
) -> Result<Vec<SignatureReport>> {
    let (der, _) = crate::ber::to_der(cms)?;
    let sd = SignedData::parse(&der)?;
    let content = sd
        .content
        .clone()
        .ok_or_else(|| Error::decode("adbe.pkcs7.sha1 signature", "it encapsulates no digest"))?;
    let mut digest_of = |h: HashAlg| Ok(h.hash(&content));
    let mut reports = sd.verify(ctx, &mut digest_of, trust, at)?;
    for r in &mut reports {
        if content == digest {
            r.push(CheckOutcome::passed(
                "data-hash",
                "the encapsulated SHA-1 digest matches the signed bytes (adbe.pkcs7.sha1)",
            ));
        } else {
            r.push(CheckOutcome::failed(
                "data-hash",
                SubIndication::HashFailure,
                "the encapsulated SHA-1 digest does not match the signed bytes: they were changed",
            ));
        }
        r.push(CheckOutcome::indeterminate(
            "crypto-constraints",
            SubIndication::CryptoConstraintsFailure,
            HashAlg::Sha1.weakness().unwrap_or("SHA-1"),
        ));
    }
    Ok(reports)
}

/// The content of an attached CMS signature, or `None` if it is detached.
pub fn encapsulated_content(sig: &[u8]) -> Result<Option<Vec<u8>>> {
    let der = super::from_bytes(sig)?;
    let (der, _) = crate::ber::to_der(&der)?;
    Ok(SignedData::parse(&der)?.content)
}

/// Verifies CMS SignedData (DER or BER) over detached content; `digest_of` hashes the
/// content with the algorithm asked (once per algorithm). One report per SignerInfo.
pub fn verify_signed_data(
    cms: &[u8],
    ctx: &Detached,
    digest_of: &mut dyn FnMut(HashAlg) -> Result<Vec<u8>>,
    trust: &Trust,
    at: UnixTime,
) -> Result<Vec<SignatureReport>> {
    let (der, used) = crate::ber::to_der(cms)?;
    if used != cms.len() {
        return Err(Error::decode("CMS ContentInfo", "data after the signature"));
    }
    let sd = SignedData::parse(&der)?;
    if sd.content.is_some() {
        return Err(Error::InvalidInput(
            "the CMS signature encapsulates its content; expected a detached signature".into(),
        ));
    }
    sd.verify(ctx, digest_of, trust, at)
}

/// Verifies an attached CMS SignedData whose content type is `content_type` (a timestamp
/// token's TSTInfo): one report per SignerInfo, and the content.
pub(crate) fn verify_encapsulated(
    der: &[u8],
    content_type: ObjectIdentifier,
    ctx: &Detached,
    trust: &Trust,
    at: UnixTime,
) -> Result<(Vec<SignatureReport>, Vec<u8>)> {
    let (der, _) = crate::ber::to_der(der)?;
    let sd = SignedData::parse(&der)?;
    if sd.content_type != content_type {
        return Err(Error::decode(
            "CMS SignedData",
            format!(
                "its content is {}, not {}",
                oid_name(&sd.content_type),
                oid_name(&content_type)
            ),
        ));
    }
    let content =
        sd.content.clone().ok_or_else(|| Error::decode("CMS SignedData", "it holds no content"))?;
    let mut digest_of = |h: HashAlg| Ok(h.hash(&content));
    let reports = sd.verify(ctx, &mut digest_of, trust, at)?;
    Ok((reports, content))
}

/// The parts of a SignedData that verification needs.
pub(super) struct SignedData<'a> {
    /// Written with GB/T 35275's object identifiers (SM2 SignedData), not RFC 5652's.
    pub(super) gm: bool,
    pub(super) content_type: ObjectIdentifier,
    pub(super) content: Option<Vec<u8>>,
    pub(super) certs: Vec<Certificate>,
    /// Revocation data carried in `crls` (RevocationInfoChoices, RFC 5652 §10.2.1).
    pub(super) revocation: RevocationData,
    pub(super) infos: Seq<'a>,
}

/// The certificate a SignerIdentifier names among `candidates`.
///
/// ```text
/// SignerIdentifier ::= CHOICE { issuerAndSerialNumber, subjectKeyIdentifier [0] }
/// ```
pub(super) fn find_signer<'c>(
    sid: der::asn1::AnyRef<'_>,
    mut candidates: impl Iterator<Item = &'c Certificate>,
) -> Option<&'c Certificate> {
    if let Ok(s) = Seq::of("IssuerAndSerialNumber", sid) {
        let issuer = s.raw(0, "issuer").ok()?;
        let serial = s.raw(1, "serialNumber").ok()?;
        return candidates.find(|c| {
            let t = c.tbs_certificate();
            t.issuer().to_der().is_ok_and(|d| d == issuer)
                && t.serial_number().to_der().is_ok_and(|d| d == serial)
        });
    }
    // [0] IMPLICIT SubjectKeyIdentifier.
    if sid.tag().is_context_specific() && sid.tag().number().value() == 0 {
        let ski = sid.value();
        return candidates.find(|c| pki::subject_key_identifier(c).is_some_and(|k| k == ski));
    }
    None
}

impl<'a> SignedData<'a> {
    /// ```text
    /// ContentInfo ::= SEQUENCE { contentType, content [0] EXPLICIT SignedData }
    /// SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo,
    ///   certificates [0] IMPLICIT OPTIONAL, crls [1] IMPLICIT OPTIONAL, signerInfos SET }
    /// EncapsulatedContentInfo ::= SEQUENCE { eContentType, eContent [0] EXPLICIT OCTET
    ///   STRING OPTIONAL }
    /// ```
    pub(super) fn parse(der: &'a [u8]) -> Result<SignedData<'a>> {
        let ci = Seq::parse("CMS ContentInfo", der)?;
        let gm = match ci.oid(0, "contentType")? {
            OID_SIGNED_DATA => false,
            OID_GM_SIGNED_DATA => true,
            _ => return Err(Error::decode("CMS ContentInfo", "not SignedData")),
        };
        let explicit = Seq::children("CMS content", ci.get(1, "content")?)?;
        let sd = Seq::of("SignedData", explicit.get(0, "SignedData")?)?;
        let encap = sd.seq(2, "encapContentInfo")?;
        let content_type = encap.oid(0, "eContentType")?;
        let content = match encap.get(1, "eContent") {
            Ok(e) => {
                let inner = Seq::children("eContent", e)?;
                let octets = inner.get(0, "eContent")?;
                if octets.tag() != der::Tag::OctetString {
                    return Err(Error::decode("eContent", "not an OCTET STRING"));
                }
                Some(octets.value().to_vec())
            }
            Err(_) => None,
        };
        let mut certs = Vec::new();
        let mut revocation = RevocationData::default();
        let mut i = 3;
        while let Ok(item) = sd.get(i, "SignedData element") {
            if item.tag() == der::Tag::Set {
                break;
            }
            if item.tag().is_context_specific() && item.tag().number().value() == 0 {
                // CertificateChoices: X.509 certificates; attribute and other certificates
                // (tagged alternatives) are left out.
                for c in Seq::children("certificates", item)?.items {
                    if c.tag() == der::Tag::Sequence
                        && let Ok(cert) = Certificate::from_der(&tlv::raw("certificate", c)?)
                    {
                        certs.push(cert);
                    }
                }
            }
            if item.tag().is_context_specific() && item.tag().number().value() == 1 {
                for c in Seq::children("crls", item)?.items {
                    revocation.add_choice(c);
                }
            }
            i += 1;
        }
        let infos = Seq::children("signerInfos", sd.get(i, "signerInfos")?)?;
        Ok(SignedData { gm, content_type, content, certs, revocation, infos })
    }

    fn verify(
        &self,
        ctx: &Detached,
        digest_of: &mut dyn FnMut(HashAlg) -> Result<Vec<u8>>,
        trust: &Trust,
        at: UnixTime,
    ) -> Result<Vec<SignatureReport>> {
        // Certificates in the signature help build the signer's path; they are not trusted.
        // Revocation data in it (and in each signer's adbe-revocationInfoArchival) counts
        // once checked, like the verifier's own.
        let mut extra = RevocationData::default();
        for info in &self.infos.items {
            if let Ok(info) = Seq::of("SignerInfo", *info)
                && let Ok(attrs) = info.get(3, "signedAttrs")
                && attrs.tag().is_context_specific()
                && attrs.tag().number().value() == 0
                && let Ok(a) = attributes(attrs)
                && let Some(archival) = a.revocation_archival
            {
                extra.add_archival(archival);
            }
        }
        let widened;
        let trust = if self.certs.is_empty()
            && self.revocation.crls.is_empty()
            && self.revocation.ocsp.is_empty()
            && extra.crls.is_empty()
            && extra.ocsp.is_empty()
        {
            trust
        } else {
            let mut t = trust.clone();
            t.intermediates.extend(self.certs.iter().cloned());
            t.crls.extend(self.revocation.crls.iter().cloned());
            t.ocsp.extend(self.revocation.ocsp.iter().cloned());
            t.crls.extend(extra.crls);
            t.ocsp.extend(extra.ocsp);
            widened = t;
            &widened
        };
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
        let n = self.infos.items.len();
        for (k, info) in self.infos.items.iter().enumerate() {
            let info = Seq::of("SignerInfo", *info)?;
            let id =
                if n == 1 { ctx.id.clone() } else { format!("signer {} of {}", k + 1, ctx.id) };
            let mut report = SignatureReport::new(id, ctx.format);
            if self.gm {
                report.push(CheckOutcome::passed(
                    "format",
                    "GB/T 35275 SM2 SignedData: its object identifiers for SignedData and data \
                     (1.2.156.10197.6.1.4.2.2 and .1) read as RFC 5652's",
                ));
            }
            Signer { sd: self, info: &info, ctx, trust, at }
                .verify(&mut digest_once, &mut report)?;
            reports.push(report);
        }
        Ok(reports)
    }
}

/// One SignerInfo being verified.
#[derive(Clone, Copy)]
struct Signer<'s, 'a> {
    sd: &'s SignedData<'a>,
    info: &'s Seq<'a>,
    ctx: &'s Detached,
    trust: &'s Trust,
    at: UnixTime,
}

/// The signed attributes seal reads.
#[derive(Default)]
pub(super) struct Attributes<'a> {
    content_type: Option<ObjectIdentifier>,
    message_digest: Option<Vec<u8>>,
    signing_time: Option<UnixTime>,
    signing_cert_v2: Option<der::asn1::AnyRef<'a>>,
    signing_cert_v1: Option<der::asn1::AnyRef<'a>>,
    revocation_archival: Option<der::asn1::AnyRef<'a>>,
    pub(super) seal: Option<Vec<u8>>,
}

impl Signer<'_, '_> {
    /// ```text
    /// SignerInfo ::= SEQUENCE { version, sid SignerIdentifier, digestAlgorithm,
    ///   signedAttrs [0] IMPLICIT OPTIONAL, signatureAlgorithm, signature OCTET STRING,
    ///   unsignedAttrs [1] IMPLICIT OPTIONAL }
    /// SignerIdentifier ::= CHOICE { issuerAndSerialNumber, subjectKeyIdentifier [0] }
    /// ```
    fn verify(
        &self,
        digest_of: &mut dyn FnMut(HashAlg) -> Result<Vec<u8>>,
        report: &mut SignatureReport,
    ) -> Result<()> {
        let info = self.info;
        let Some(cert) = self.signer_certificate(info.get(1, "sid")?) else {
            report.push(CheckOutcome::indeterminate(
                "signer-certificate",
                SubIndication::NoCertificateChainFound,
                "the signer's certificate is not in the signature (nor among the given \
                 certificates)",
            ));
            return Ok(());
        };
        report.signer = Some(SignerIdentity::of(cert));
        let digest_alg =
            Seq::of("digestAlgorithm", info.get(2, "digestAlgorithm")?)?.oid(0, "algorithm")?;
        let Some(hash) = HashAlg::from_oid(digest_alg) else {
            report.push(CheckOutcome::indeterminate(
                "digest",
                SubIndication::CryptoConstraintsFailure,
                format!("digest {} is not supported", oid_name(&digest_alg)),
            ));
            return Ok(());
        };
        let next = info.get(3, "signedAttrs or signatureAlgorithm")?;
        let has_attrs = next.tag().is_context_specific() && next.tag().number().value() == 0;
        let at_alg = if has_attrs { 4 } else { 3 };
        let sig_alg_der = info.raw(at_alg, "signatureAlgorithm")?;
        let sig_alg = AlgorithmIdentifierRef::from_der(&sig_alg_der)
            .map_err(|e| Error::decode("signatureAlgorithm", e))?;
        let sig_value = info.octets(at_alg + 1, "signature")?;
        report.algorithm = oid_name(&sig_alg.oid);
        let key = match pki::certificate_key(cert) {
            Ok(k) => k,
            Err(e) => {
                report.push(CheckOutcome::indeterminate(
                    "signature",
                    SubIndication::CryptoConstraintsFailure,
                    format!("the signer's key cannot be used: {e}"),
                ));
                return Ok(());
            }
        };
        let scheme = match Scheme::from_cms(&sig_alg, hash) {
            Ok(s) => s,
            Err(e) => {
                report.push(CheckOutcome::indeterminate(
                    "signature",
                    SubIndication::CryptoConstraintsFailure,
                    e.to_string(),
                ));
                return Ok(());
            }
        };
        report.algorithm = scheme.to_string();
        report.covers = format!("{} of {}", hash.name(), self.ctx.covers);

        let attrs = if has_attrs { Some(attributes(next)?) } else { None };
        let signing_time = attrs.as_ref().and_then(|a| a.signing_time).or(self.ctx.claimed_time);
        report.signing_time = signing_time.map(|t| t.to_string());

        // The signature: over DER(SET OF signed attributes), or over the content itself.
        let verified = match &attrs {
            Some(_) => {
                let signed = encode(SET, next.value());
                key.verify_scheme(&scheme, &signed, sig_value).is_ok()
            }
            None if scheme.verifies_prehashed() => {
                let digest = digest_of(scheme.hash)?;
                key.verify_prehashed(&scheme, &digest, sig_value).is_ok()
            }
            // SM2 and Ed25519 sign the message itself: an attached content is at hand.
            None if self.sd.content.is_some() => {
                let content = self.sd.content.as_deref().unwrap_or_default();
                key.verify_scheme(&scheme, content, sig_value).is_ok()
            }
            None => {
                report.push(CheckOutcome::indeterminate(
                    "signature",
                    SubIndication::CryptoConstraintsFailure,
                    format!("{scheme} without signed attributes would need the whole content"),
                ));
                return Ok(());
            }
        };
        let over = if attrs.is_some() { "the signed attributes" } else { "the content" };
        if verified {
            report.push(CheckOutcome::passed(
                "signature",
                format!("{scheme} signature over {over} verifies ({})", key.describe()),
            ));
            if let Some(lenient) = key.leniency() {
                report.push(CheckOutcome::passed("leniency", format!("accepted: {lenient}")));
            }
        } else {
            report.push(CheckOutcome::failed(
                "signature",
                SubIndication::SigCryptoFailure,
                format!("the {scheme} signature over {over} does not verify"),
            ));
        }
        // Signature timestamps: a valid one moves the time the certificates are judged at to
        // the time it proves.
        let unsigned = info
            .get(at_alg + 2, "unsignedAttrs")
            .ok()
            .filter(|u| u.tag().is_context_specific() && u.tag().number().value() == 1);
        let proven = super::timestamp::check(unsigned, sig_value, self.trust, self.at, report);
        let judged = if verified {
            crate::tsp::proof::judged_at(proven, self.trust, self.at, report)
        } else {
            None
        };
        let this = match &judged {
            Some((t, trust)) => Signer { at: *t, trust, ..*self },
            None => *self,
        };
        // Intact but no longer strong enough: INDETERMINATE, as EN 319 102-1 §5.2.8 says.
        let weak: Vec<String> =
            [scheme.weakness().map(String::from), key.weakness()].into_iter().flatten().collect();
        if !weak.is_empty() {
            report.push(CheckOutcome::indeterminate(
                "crypto-constraints",
                SubIndication::CryptoConstraintsFailure,
                weak.join("; "),
            ));
        }

        let timestamped = report.proven_time.is_some();
        report.format = format!(
            "{} ({})",
            self.ctx.format,
            match &attrs {
                Some(a) if a.signing_cert_v2.is_some() && timestamped => "CAdES-B-T",
                Some(a) if a.signing_cert_v2.is_some() => "CAdES-B",
                Some(a) if a.signing_cert_v1.is_some() => "CMS with ESS signing-certificate v1",
                Some(_) => "CMS",
                None => "CMS without signed attributes",
            }
        );
        match &attrs {
            Some(a) => this.check_attributes(a, hash, cert, digest_of, signing_time, report)?,
            None => {
                report.push(CheckOutcome::passed(
                    "data-hash",
                    format!(
                        "no signed attributes: the signature is over the content's {}",
                        scheme.hash.name()
                    ),
                ));
                self.no_signing_certificate(report);
                this.chain(cert, None, signing_time, report)?;
            }
        }
        Ok(())
    }

    /// The certificate a SignerIdentifier names, among the signature's and the verifier's.
    fn signer_certificate(&self, sid: der::asn1::AnyRef<'_>) -> Option<&Certificate> {
        let candidates = self.sd.certs.iter().chain(self.trust.intermediates.iter());
        find_signer(sid, candidates.chain(self.trust.anchors.iter()))
    }

    fn check_attributes(
        &self,
        a: &Attributes<'_>,
        hash: HashAlg,
        cert: &Certificate,
        digest_of: &mut dyn FnMut(HashAlg) -> Result<Vec<u8>>,
        signing_time: Option<UnixTime>,
        report: &mut SignatureReport,
    ) -> Result<()> {
        // RFC 5652 §11.1: content-type must be present and name the encapsulated type.
        // GB/T 35275 numbers data 1.2.156.10197.6.1.4.2.1; either number names it.
        let data = |o: ObjectIdentifier| if o == OID_GM_DATA { OID_DATA } else { o };
        if a.content_type.map(data) != Some(data(self.sd.content_type)) {
            report.push(CheckOutcome::failed(
                "format",
                SubIndication::FormatFailure,
                format!(
                    "the content-type attribute is missing or is not {}",
                    oid_name(&self.sd.content_type)
                ),
            ));
        }
        let actual = digest_of(hash)?;
        match &a.message_digest {
            Some(d) if *d == actual => report.push(CheckOutcome::passed(
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
        let cert_der = certificate_der(cert)?;
        match (a.signing_cert_v2, a.signing_cert_v1) {
            (Some(v2), _) => match ess_cert_matches(v2, &cert_der, true) {
                Some(true) => report.push(CheckOutcome::passed(
                    "signing-certificate",
                    "signing-certificate-v2 names the signer's certificate (CAdES-B)",
                )),
                Some(false) => report.push(CheckOutcome::failed(
                    "signing-certificate",
                    SubIndication::SigCryptoFailure,
                    "signing-certificate-v2 names another certificate",
                )),
                None => report.push(CheckOutcome::failed(
                    "signing-certificate",
                    SubIndication::FormatFailure,
                    "the signing-certificate-v2 attribute cannot be read",
                )),
            },
            (None, Some(v1)) => match ess_cert_matches(v1, &cert_der, false) {
                Some(true) if self.trust.policy.cades_baseline => {
                    report.push(CheckOutcome::failed(
                        "signing-certificate",
                        SubIndication::FormatFailure,
                        "the ESS signing-certificate (v1, SHA-1) names the signer's \
                         certificate, but the CAdES baseline policy requires \
                         signing-certificate-v2",
                    ))
                }
                Some(true) => report.push(CheckOutcome::passed(
                    "signing-certificate",
                    "the ESS signing-certificate (v1) names the signer's certificate \
                     (CMS level; CAdES baseline needs signing-certificate-v2)",
                )),
                Some(false) => report.push(CheckOutcome::failed(
                    "signing-certificate",
                    SubIndication::SigCryptoFailure,
                    "the ESS signing-certificate names another certificate",
                )),
                None => report.push(CheckOutcome::failed(
                    "signing-certificate",
                    SubIndication::FormatFailure,
                    "the ESS signing-certificate attribute cannot be read",
                )),
            },
            (None, None) => self.no_signing_certificate(report),
        }
        self.chain(cert, a.seal.as_deref(), signing_time, report)
    }

    fn no_signing_certificate(&self, report: &mut SignatureReport) {
        if self.trust.policy.cades_baseline {
            report.push(CheckOutcome::failed(
                "signing-certificate",
                SubIndication::FormatFailure,
                "no signing-certificate-v2 attribute: the CAdES baseline policy requires it",
            ));
        } else {
            report.push(CheckOutcome::passed(
                "signing-certificate",
                "no signing-certificate attribute: a plain CMS (PKCS#7) signature, not CAdES \
                 baseline; the signer is the certificate the signature names",
            ));
        }
    }

    /// The seal (if the signature carries one) and the signer's chain.
    fn chain(
        &self,
        cert: &Certificate,
        seal_der: Option<&[u8]>,
        signing_time: Option<UnixTime>,
        report: &mut SignatureReport,
    ) -> Result<()> {
        if self.ctx.purpose != Purpose::Seal {
            let opts = Options::for_trust(self.ctx.purpose, self.trust);
            let t = self.trust;
            let p =
                path::validate_with(cert, &t.intermediates, &t.anchors, &t.crls, self.at, &opts);
            crate::verify::push_path(report, "signer-chain", &p);
            return Ok(());
        }
        let cert_der = certificate_der(cert)?;
        match seal_der.map(Seal::from_der) {
            Some(Ok(seal)) => check_seal_use(
                &seal,
                &cert_der,
                Ok(cert),
                signing_time,
                self.trust,
                self.at,
                report,
            ),
            Some(Err(e)) => report.push(CheckOutcome::failed(
                "seal",
                SubIndication::SealInvalid,
                format!("the seal attribute cannot be read: {e}"),
            )),
            None => {
                // A plain electronic signature (OpenSSL, pyHanko, Adobe): valid as a
                // signature; the report says it carries no seal (`seal` stays empty).
                report.push(CheckOutcome::passed(
                    "seal",
                    "none: a plain electronic signature, not an electronic seal (no GB/T \
                     38540 seal attribute)",
                ));
                let opts = crate::pki::path::Options::for_trust(
                    crate::pki::path::Purpose::Seal,
                    self.trust,
                );
                let p = crate::pki::path::validate_with(
                    cert,
                    &self.trust.intermediates,
                    &self.trust.anchors,
                    &self.trust.crls,
                    self.at,
                    &opts,
                );
                crate::verify::push_path(report, "signer-chain", &p);
            }
        }
        Ok(())
    }
}

/// Reads the signed attributes seal looks at; others are left as they are.
pub(super) fn attributes(any: der::asn1::AnyRef<'_>) -> Result<Attributes<'_>> {
    let attrs = Seq::children("signedAttrs", any)?;
    let seal_oid = seal_oid_der();
    let mut out = Attributes::default();
    for a in &attrs.items {
        let a = Seq::of("Attribute", *a)?;
        let oid = a.raw(0, "attrType")?;
        let values = Seq::children("attrValues", a.get(1, "attrValues")?)?;
        let first = values.get(0, "attribute value")?;
        let is = |o: ObjectIdentifier| o.to_der().is_ok_and(|d| d == oid);
        if is(OID_CONTENT_TYPE) {
            out.content_type = first.decode_as::<ObjectIdentifier>().ok();
        } else if is(OID_MESSAGE_DIGEST) {
            out.message_digest =
                (first.tag() == der::Tag::OctetString).then(|| first.value().to_vec());
        } else if is(OID_SIGNING_TIME) {
            out.signing_time = tlv::time("signing-time", "value", first).ok();
        } else if is(OID_SIGNING_CERT_V2) {
            out.signing_cert_v2 = Some(first);
        } else if is(OID_SIGNING_CERT_V1) {
            out.signing_cert_v1 = Some(first);
        } else if is(OID_ADBE_REVOCATION) {
            out.revocation_archival = Some(first);
        } else if oid == seal_oid {
            out.seal = Some(tlv::raw("seal", first)?);
        }
    }
    Ok(out)
}

/// Whether the first ESSCertID(v2) of a signing-certificate attribute names `cert_der`;
/// `None` if it cannot be read.
///
/// ```text
/// SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies OPTIONAL }
/// ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash OCTET STRING,
///                            issuerSerial OPTIONAL }
/// SigningCertificate ::= SEQUENCE { certs SEQUENCE OF ESSCertID, policies OPTIONAL }
/// ESSCertID ::= SEQUENCE { certHash OCTET STRING (SHA-1), issuerSerial OPTIONAL }
/// ```
fn ess_cert_matches(attr: der::asn1::AnyRef<'_>, cert_der: &[u8], v2: bool) -> Option<bool> {
    let certs = Seq::of("SigningCertificate", attr).ok()?;
    let first = certs.seq(0, "certs").ok()?.seq(0, "ESSCertID").ok()?;
    let (hash, value_at) = if !v2 {
        (HashAlg::Sha1, 0)
    } else if first.get(0, "hashAlgorithm").ok()?.tag() == der::Tag::Sequence {
        (HashAlg::from_oid(first.seq(0, "hashAlgorithm").ok()?.oid(0, "algorithm").ok()?)?, 1)
    } else {
        (HashAlg::Sha256, 0)
    };
    let expected = first.octets(value_at, "certHash").ok()?;
    Some(hash.hash(cert_der) == expected)
}
