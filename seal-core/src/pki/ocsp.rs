//! OCSP responses (RFC 6960) as revocation evidence: given by the verifier (`--ocsp FILE`)
//! or carried in a document (a PDF's /DSS /OCSPs), checked offline.
//!
//! ```text
//! OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT
//!                             SEQUENCE { responseType OID, response OCTET STRING } }
//! BasicOCSPResponse ::= SEQUENCE { tbsResponseData ResponseData, signatureAlgorithm,
//!                                  signature BIT STRING, certs [0] EXPLICIT SEQUENCE OF
//!                                  Certificate OPTIONAL }
//! ResponseData ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1, responderID CHOICE {
//!                             byName [1] Name, byKey [2] OCTET STRING }, producedAt,
//!                             responses SEQUENCE OF SingleResponse, responseExtensions [1] }
//! SingleResponse ::= SEQUENCE { certID, certStatus CHOICE { good [0], revoked [1]
//!                               RevokedInfo, unknown [2] }, thisUpdate, nextUpdate [0]
//!                               EXPLICIT OPTIONAL, singleExtensions [1] OPTIONAL }
//! CertID ::= SEQUENCE { hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber }
//! ```
//! A response counts for a certificate only if its CertID names the certificate (issuer
//! name and key hashes, serial), it is signed by the issuer itself or by a responder the
//! issuer certified for OCSP signing (extendedKeyUsage id-kp-OCSPSigning, RFC 6960 §4.2.2.2),
//! and `thisUpdate <= at <= nextUpdate`; without nextUpdate it is fresh for
//! [`FRESH_WITHOUT_NEXT_UPDATE`] after thisUpdate.

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode, Tagged};
use spki::AlgorithmIdentifierRef;
use x509_cert::Certificate;

use super::revocation::{RevocationReason, RevocationSource, RevocationStatus};
use super::{certificate_key, key_usage};
use crate::digest::HashAlg;
use crate::error::{Error, Result};
use crate::time::UnixTime;
use crate::tlv::{self, Seq};

/// How long a response without nextUpdate is taken as fresh after its thisUpdate.
pub const FRESH_WITHOUT_NEXT_UPDATE: u64 = 24 * 3600;

const OID_BASIC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
const OID_OCSP_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.9");

/// A parsed basic OCSP response.
#[derive(Debug, Clone)]
pub struct OcspResponse {
    der: Vec<u8>,
    tbs: Vec<u8>,
    signature_algorithm: Vec<u8>,
    signature: Vec<u8>,
    responder: Responder,
    produced_at: UnixTime,
    certs: Vec<Certificate>,
    responses: Vec<Single>,
}

#[derive(Debug, Clone)]
enum Responder {
    ByName(Vec<u8>),
    ByKey(Vec<u8>),
}

#[derive(Debug, Clone)]
struct Single {
    hash: Option<HashAlg>,
    name_hash: Vec<u8>,
    key_hash: Vec<u8>,
    serial: Vec<u8>,
    status: Status,
    this_update: UnixTime,
    next_update: Option<UnixTime>,
}

#[derive(Debug, Clone)]
enum Status {
    Good,
    Revoked(UnixTime, Option<RevocationReason>),
    Unknown,
}

impl OcspResponse {
    /// Parses an `OCSPResponse` (or a bare `BasicOCSPResponse`, as CMS and PDFs carry it).
    pub fn from_der(der: &[u8]) -> Result<OcspResponse> {
        let top = Seq::parse("OCSPResponse", der)?;
        let basic_der = match top.get(0, "responseStatus")?.tag() {
            der::Tag::Enumerated => {
                let status = top.get(0, "responseStatus")?.value().first().copied();
                if status != Some(0) {
                    return Err(Error::decode(
                        "OCSP response",
                        format!("the responder answered with status {}", status.unwrap_or(255)),
                    ));
                }
                let bytes = Seq::children("responseBytes", top.get(1, "responseBytes")?)?;
                let rb = Seq::of("ResponseBytes", bytes.get(0, "ResponseBytes")?)?;
                if rb.oid(0, "responseType")? != OID_BASIC {
                    return Err(Error::decode("OCSP response", "not a basic OCSP response"));
                }
                rb.octets(1, "response")?.to_vec()
            }
            _ => der.to_vec(),
        };
        Self::from_basic(basic_der)
    }

    fn from_basic(der: Vec<u8>) -> Result<OcspResponse> {
        let basic = Seq::parse("BasicOCSPResponse", &der)?;
        let tbs = basic.raw(0, "tbsResponseData")?;
        let signature_algorithm = basic.raw(1, "signatureAlgorithm")?;
        let signature = basic.bits(2, "signature")?.to_vec();
        let mut certs = Vec::new();
        if let Ok(c) = basic.get(3, "certs") {
            let seq = Seq::children("certs", c)?;
            for item in Seq::of("certs", seq.get(0, "certs")?)?.items {
                if let Ok(cert) = Certificate::from_der(&tlv::raw("certificate", item)?) {
                    certs.push(cert);
                }
            }
        }
        let data = Seq::parse("ResponseData", &tbs)?;
        let mut i = 0;
        if data.get(0, "version")?.tag().is_context_specific()
            && data.get(0, "version")?.tag().number().value() == 0
        {
            i = 1;
        }
        let rid = data.get(i, "responderID")?;
        let rid_inner = Seq::children("responderID", rid)?.get(0, "responderID")?;
        let responder = match rid.tag().number().value() {
            1 => Responder::ByName(tlv::raw("responderID", rid_inner)?),
            2 => Responder::ByKey(rid_inner.value().to_vec()),
            _ => return Err(Error::decode("OCSP response", "unknown responderID")),
        };
        let produced_at = data.time(i + 1, "producedAt")?;
        let mut responses = Vec::new();
        for r in Seq::of("responses", data.get(i + 2, "responses")?)?.items {
            responses.push(single(r)?);
        }
        Ok(OcspResponse {
            der,
            tbs,
            signature_algorithm,
            signature,
            responder,
            produced_at,
            certs,
            responses,
        })
    }

    /// When the responder produced the response.
    pub fn produced_at(&self) -> UnixTime {
        self.produced_at
    }

    /// The certificates the response carries (a delegated responder's).
    pub fn certificates(&self) -> &[Certificate] {
        &self.certs
    }

    /// The BasicOCSPResponse DER.
    pub fn to_der(&self) -> &[u8] {
        &self.der
    }

    /// The whole `OCSPResponse` (status successful, a basic response), DER: what a PDF's
    /// /DSS /OCSPs streams hold (ETSI EN 319 142-1 §5.4.2.2).
    pub fn to_response_der(&self) -> Vec<u8> {
        response_of_basic(&self.der)
    }

    /// What this response says of `cert` (issued by `issuer`) at `at`, or `None` if it
    /// does not speak of it.
    pub fn status_of(
        &self,
        cert: &Certificate,
        issuer: &Certificate,
        at: UnixTime,
    ) -> Option<RevocationStatus> {
        let single = self.responses.iter().find(|s| names(s, cert, issuer))?;
        if let Err(why) = self.signed_for(issuer, at) {
            return Some(RevocationStatus::NoCrl { detail: format!("OCSP response: {why}") });
        }
        if single.this_update > at {
            return Some(RevocationStatus::NoCrl {
                detail: format!("the OCSP response is from {}, after {at}", single.this_update),
            });
        }
        let fresh_until = single
            .next_update
            .unwrap_or_else(|| single.this_update.plus_secs(FRESH_WITHOUT_NEXT_UPDATE));
        Some(match &single.status {
            Status::Revoked(date, reason) if *date <= at => RevocationStatus::Revoked {
                date: *date,
                reason: *reason,
                source: RevocationSource::Ocsp,
            },
            _ if at > fresh_until => RevocationStatus::Stale {
                next_update: Some(fresh_until),
                source: RevocationSource::Ocsp,
            },
            Status::Good | Status::Revoked(..) => RevocationStatus::Good {
                this_update: single.this_update,
                next_update: fresh_until,
                source: RevocationSource::Ocsp,
            },
            Status::Unknown => RevocationStatus::NoCrl {
                detail: "the OCSP responder does not know the certificate".into(),
            },
        })
    }

    /// Checks that the response is signed by `issuer` or by a responder it certified.
    fn signed_for(&self, issuer: &Certificate, at: UnixTime) -> std::result::Result<(), String> {
        let alg = AlgorithmIdentifierRef::from_der(&self.signature_algorithm)
            .map_err(|e| format!("signatureAlgorithm: {e}"))?;
        let signer = if self.responder_is(issuer) {
            issuer
        } else {
            let delegated = self
                .certs
                .iter()
                .find(|c| self.responder_is(c))
                .ok_or("it is signed neither by the issuer nor by a responder it names")?;
            check_delegated(delegated, issuer, at)?;
            delegated
        };
        let key = certificate_key(signer).map_err(|e| format!("responder key: {e}"))?;
        key.verify_x509(&self.tbs, &alg, &self.signature)
            .map_err(|_| "its signature does not verify".to_string())
    }

    fn responder_is(&self, cert: &Certificate) -> bool {
        match &self.responder {
            Responder::ByName(name) => {
                cert.tbs_certificate().subject().to_der().is_ok_and(|d| &d == name)
            }
            Responder::ByKey(hash) => HashAlg::Sha1.hash(spk_bits(cert)) == *hash,
        }
    }
}

/// A delegated responder: issued by the CA, for OCSP signing, valid at `at`.
fn check_delegated(
    responder: &Certificate,
    issuer: &Certificate,
    at: UnixTime,
) -> std::result::Result<(), String> {
    let tbs = responder.tbs_certificate();
    if tbs.issuer() != issuer.tbs_certificate().subject() {
        return Err("the delegated responder was not certified by the issuer".into());
    }
    let issuer_key = certificate_key(issuer).map_err(|e| e.to_string())?;
    let tbs_der = tbs.to_der().map_err(|e| e.to_string())?;
    issuer_key
        .verify_x509(
            &tbs_der,
            &responder.signature_algorithm().owned_to_ref(),
            responder.signature().raw_bytes(),
        )
        .map_err(|_| "the delegated responder's certificate does not verify".to_string())?;
    let eku = tbs
        .get_extension::<x509_cert::ext::pkix::ExtendedKeyUsage>()
        .ok()
        .flatten()
        .is_some_and(|(_, e)| e.0.contains(&OID_OCSP_SIGNING));
    if !eku {
        return Err("the delegated responder lacks extendedKeyUsage id-kp-OCSPSigning".into());
    }
    if key_usage(responder).is_some_and(|k| !k.digital_signature() && !k.non_repudiation()) {
        return Err("the delegated responder's keyUsage does not allow signing".into());
    }
    let v = super::Validity::of(responder);
    if at < v.not_before || at > v.not_after {
        return Err(format!("the delegated responder's certificate is not valid at {at}"));
    }
    Ok(())
}

use der::referenced::OwnedToRef;

/// The subjectPublicKey bits of a certificate, as CertID and byKey hash them.
fn spk_bits(cert: &Certificate) -> &[u8] {
    cert.tbs_certificate().subject_public_key_info().subject_public_key.raw_bytes()
}

fn names(s: &Single, cert: &Certificate, issuer: &Certificate) -> bool {
    let Some(hash) = s.hash else { return false };
    let serial_ok = cert.tbs_certificate().serial_number().as_bytes() == s.serial.as_slice();
    let issuer_name = cert.tbs_certificate().issuer().to_der().unwrap_or_default();
    serial_ok
        && hash.hash(&issuer_name) == s.name_hash
        && hash.hash(spk_bits(issuer)) == s.key_hash
        && issuer.tbs_certificate().subject().to_der().is_ok_and(|d| d == issuer_name)
}

fn single(any: der::asn1::AnyRef<'_>) -> Result<Single> {
    let s = Seq::of("SingleResponse", any)?;
    let id = s.seq(0, "certID")?;
    let alg = id.seq(0, "hashAlgorithm")?.oid(0, "algorithm")?;
    let serial_any = id.get(3, "serialNumber")?;
    let status_any = s.get(1, "certStatus")?;
    let status = match status_any.tag().number().value() {
        0 => Status::Good,
        1 => {
            let info = Seq::children("RevokedInfo", status_any)?;
            let date = tlv::time("RevokedInfo", "revocationTime", info.get(0, "revocationTime")?)?;
            let reason = info.get(1, "revocationReason").ok().and_then(|r| {
                let inner = Seq::children("revocationReason", r).ok()?;
                let code = *inner.get(0, "CRLReason").ok()?.value().first()?;
                RevocationReason::from_code(code)
            });
            Status::Revoked(date, reason)
        }
        _ => Status::Unknown,
    };
    let this_update = s.time(2, "thisUpdate")?;
    let mut next_update = None;
    if let Ok(n) = s.get(3, "nextUpdate")
        && n.tag().is_context_specific()
        && n.tag().number().value() == 0
    {
        next_update = Some(tlv::time(
            "nextUpdate",
            "nextUpdate",
            Seq::children("nextUpdate", n)?.get(0, "nextUpdate")?,
        )?);
    }
    Ok(Single {
        hash: HashAlg::from_oid(alg),
        name_hash: id.octets(1, "issuerNameHash")?.to_vec(),
        key_hash: id.octets(2, "issuerKeyHash")?.to_vec(),
        serial: serial_any.value().to_vec(),
        status,
        this_update,
        next_update,
    })
}

/// What the OCSP responses say of `cert`: the first that speaks of it with a usable answer,
/// else the first that speaks of it at all.
pub fn check(
    cert: &Certificate,
    issuer: &Certificate,
    responses: &[OcspResponse],
    at: UnixTime,
) -> Option<RevocationStatus> {
    if let Some((_, s)) = usable(cert, issuer, responses, at) {
        return Some(s);
    }
    responses.iter().find_map(|r| r.status_of(cert, issuer, at))
}

/// The first of `responses` that answers for `cert` at `at` (good or revoked), and its answer.
pub(crate) fn usable<'r>(
    cert: &Certificate,
    issuer: &Certificate,
    responses: &'r [OcspResponse],
    at: UnixTime,
) -> Option<(&'r OcspResponse, RevocationStatus)> {
    responses.iter().find_map(|r| match r.status_of(cert, issuer, at) {
        Some(s @ (RevocationStatus::Good { .. } | RevocationStatus::Revoked { .. })) => {
            Some((r, s))
        }
        _ => None,
    })
}

/// What a CA's own responder says of one serial number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertStatus {
    /// Issued and not revoked.
    Good,
    /// Revoked at this time for this reason.
    Revoked {
        /// When.
        date: UnixTime,
        /// Why.
        reason: RevocationReason,
    },
    /// Not issued by this CA.
    Unknown,
}

/// Makes a signed OCSP response (RFC 6960 §4.2.1) for one serial number of `issuer`'s,
/// signed by `signer` (the CA's own key: no delegated responder certificate is needed).
/// The CertID uses SHA-1, as OpenSSL's requests do by default; the responder is named by
/// the SHA-1 of its key.
pub fn build_response(
    issuer: &Certificate,
    signer: &dyn crate::keys::Signer,
    serial: &[u8],
    status: CertStatus,
    this_update: UnixTime,
    next_update: UnixTime,
) -> Result<Vec<u8>> {
    use tlv::encode;
    let gt = |t: UnixTime| -> Result<Vec<u8>> {
        der::asn1::GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(t.as_secs()))
            .and_then(|g| g.to_der())
            .map_err(|e| Error::decode("OCSP time", e))
    };
    let der_of = |v: &dyn Fn() -> der::Result<Vec<u8>>| v().map_err(|e| Error::decode("OCSP", e));
    let sha1_alg =
        encode(0x30, &[der_of(&|| HashAlg::Sha1.oid().to_der())?, vec![0x05, 0x00]].concat());
    let issuer_name =
        issuer.tbs_certificate().subject().to_der().map_err(|e| Error::decode("OCSP", e))?;
    let serial_der = der::asn1::UintRef::new(serial)
        .and_then(|u| u.to_der())
        .map_err(|e| Error::decode("OCSP serial", e))?;
    let cert_id = encode(
        0x30,
        &[
            sha1_alg,
            encode(0x04, &HashAlg::Sha1.hash(&issuer_name)),
            encode(0x04, &HashAlg::Sha1.hash(spk_bits(issuer))),
            serial_der,
        ]
        .concat(),
    );
    let cert_status = match status {
        CertStatus::Good => vec![0x80, 0x00],
        CertStatus::Unknown => vec![0x82, 0x00],
        CertStatus::Revoked { date, reason } => {
            let reason = encode(0xa0, &encode(0x0a, &[reason.code()]));
            encode(0xa1, &[gt(date)?, reason].concat())
        }
    };
    let single = encode(
        0x30,
        &[cert_id, cert_status, gt(this_update)?, encode(0xa0, &gt(next_update)?)].concat(),
    );
    let responder = encode(0xa2, &encode(0x04, &HashAlg::Sha1.hash(spk_bits(issuer))));
    let tbs = encode(0x30, &[responder, gt(this_update)?, encode(0x30, &single)].concat());
    let sig = signer.sign(&tbs)?;
    let alg = signer
        .algorithm()
        .signature_algorithm_identifier()
        .to_der()
        .map_err(|e| Error::decode("OCSP", e))?;
    let bits = der::asn1::BitString::from_bytes(&sig.to_x509()?)
        .and_then(|b| b.to_der())
        .map_err(|e| Error::decode("OCSP signature", e))?;
    let basic = encode(0x30, &[tbs, alg, bits].concat());
    Ok(response_of_basic(&basic))
}

/// `OCSPResponse { successful, responseBytes [0] { id-pkix-ocsp-basic, basic } }`.
fn response_of_basic(basic: &[u8]) -> Vec<u8> {
    use crate::tlv::encode;
    // id-pkix-ocsp-basic, DER: 06 09 2B 06 01 05 05 07 30 01 01.
    let oid = [0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01];
    let bytes = encode(0x30, &[&oid[..], &encode(0x04, basic)].concat());
    encode(0x30, &[vec![0x0a, 0x01, 0x00], encode(0xa0, &bytes)].concat())
}
