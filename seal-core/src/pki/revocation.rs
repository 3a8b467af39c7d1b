//! Certificate revocation lists (RFC 5280 §5): issuing v2 CRLs and checking against them.

use std::fmt;
use std::str::FromStr;

use der::asn1::Uint;
use der::referenced::OwnedToRef;
use der::{Decode, Encode};
use x509_cert::Certificate;
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, CrlNumber, CrlReason};
use x509_cert::serial_number::SerialNumber;

use super::profile::{OID_AUTHORITY_KEY_IDENTIFIER, OID_CRL_NUMBER, OID_CRL_REASON, extension};
use super::{issuer_key, key_identifier_of};
use crate::error::{Error, Result};
use crate::keys::{self, Signer};
use crate::time::UnixTime;

/// A certificate revocation list.
pub type Crl = CertificateList;

/// Why a certificate was revoked (RFC 5280 §5.3.1 `CRLReason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum RevocationReason {
    /// affiliationChanged (3).
    AffiliationChanged,
    /// cACompromise (2).
    CaCompromise,
    /// certificateHold (6).
    CertificateHold,
    /// cessationOfOperation (5).
    CessationOfOperation,
    /// keyCompromise (1).
    KeyCompromise,
    /// privilegeWithdrawn (9).
    PrivilegeWithdrawn,
    /// superseded (4).
    Superseded,
    /// unspecified (0).
    Unspecified,
}

impl RevocationReason {
    fn to_x509(self) -> CrlReason {
        match self {
            RevocationReason::AffiliationChanged => CrlReason::AffiliationChanged,
            RevocationReason::CaCompromise => CrlReason::CaCompromise,
            RevocationReason::CertificateHold => CrlReason::CertificateHold,
            RevocationReason::CessationOfOperation => CrlReason::CessationOfOperation,
            RevocationReason::KeyCompromise => CrlReason::KeyCompromise,
            RevocationReason::PrivilegeWithdrawn => CrlReason::PrivilegeWithdrawn,
            RevocationReason::Superseded => CrlReason::Superseded,
            RevocationReason::Unspecified => CrlReason::Unspecified,
        }
    }

    /// The CRLReason code (RFC 5280 §5.3.1).
    pub(crate) fn code(self) -> u8 {
        match self {
            RevocationReason::Unspecified => 0,
            RevocationReason::KeyCompromise => 1,
            RevocationReason::CaCompromise => 2,
            RevocationReason::AffiliationChanged => 3,
            RevocationReason::Superseded => 4,
            RevocationReason::CessationOfOperation => 5,
            RevocationReason::CertificateHold => 6,
            RevocationReason::PrivilegeWithdrawn => 9,
        }
    }

    /// The reason a CRLReason code (RFC 5280 §5.3.1) names; `None` for removeFromCRL (8)
    /// and unknown codes.
    pub(crate) fn from_code(code: u8) -> Option<RevocationReason> {
        Some(match code {
            0 => RevocationReason::Unspecified,
            1 => RevocationReason::KeyCompromise,
            2 | 10 => RevocationReason::CaCompromise,
            3 => RevocationReason::AffiliationChanged,
            4 => RevocationReason::Superseded,
            5 => RevocationReason::CessationOfOperation,
            6 => RevocationReason::CertificateHold,
            9 => RevocationReason::PrivilegeWithdrawn,
            _ => return None,
        })
    }

    fn from_x509(r: CrlReason) -> Option<RevocationReason> {
        Some(match r {
            CrlReason::AffiliationChanged => RevocationReason::AffiliationChanged,
            CrlReason::CaCompromise | CrlReason::AaCompromise => RevocationReason::CaCompromise,
            CrlReason::CertificateHold => RevocationReason::CertificateHold,
            CrlReason::CessationOfOperation => RevocationReason::CessationOfOperation,
            CrlReason::KeyCompromise => RevocationReason::KeyCompromise,
            CrlReason::PrivilegeWithdrawn => RevocationReason::PrivilegeWithdrawn,
            CrlReason::Superseded => RevocationReason::Superseded,
            CrlReason::Unspecified => RevocationReason::Unspecified,
            CrlReason::RemoveFromCRL => return None,
        })
    }
}

impl fmt::Display for RevocationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RevocationReason::AffiliationChanged => "affiliationChanged",
            RevocationReason::CaCompromise => "cACompromise",
            RevocationReason::CertificateHold => "certificateHold",
            RevocationReason::CessationOfOperation => "cessationOfOperation",
            RevocationReason::KeyCompromise => "keyCompromise",
            RevocationReason::PrivilegeWithdrawn => "privilegeWithdrawn",
            RevocationReason::Superseded => "superseded",
            RevocationReason::Unspecified => "unspecified",
        })
    }
}

impl FromStr for RevocationReason {
    type Err = Error;

    fn from_str(s: &str) -> Result<RevocationReason> {
        let all = [
            RevocationReason::AffiliationChanged,
            RevocationReason::CaCompromise,
            RevocationReason::CertificateHold,
            RevocationReason::CessationOfOperation,
            RevocationReason::KeyCompromise,
            RevocationReason::PrivilegeWithdrawn,
            RevocationReason::Superseded,
            RevocationReason::Unspecified,
        ];
        let wanted: String = s.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        all.into_iter().find(|r| r.to_string().eq_ignore_ascii_case(&wanted)).ok_or_else(|| {
            Error::InvalidInput(format!(
                "unknown revocation reason {s:?} (expected one of: {})",
                all.map(|r| r.to_string()).join(", ")
            ))
        })
    }
}

/// One entry of a CRL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokedEntry {
    /// The serial number (the DER INTEGER's content bytes).
    pub serial: Vec<u8>,
    /// When the certificate was revoked.
    pub date: UnixTime,
    /// Why.
    pub reason: RevocationReason,
}

/// What a CRL issues: its number, its time window and its entries.
#[derive(Debug, Clone)]
pub struct CrlParams<'a> {
    /// The monotonically increasing CRL number (RFC 5280 §5.2.3).
    pub number: u64,
    /// `thisUpdate`.
    pub this_update: UnixTime,
    /// `nextUpdate`: after this time a verifier treats the CRL as stale.
    pub next_update: UnixTime,
    /// The revoked certificates.
    pub revoked: &'a [RevokedEntry],
}

/// Issues a v2 CRL signed by the CA whose certificate is `issuer`, with the CRL number and
/// authority key identifier extensions (RFC 5280 §5.2.1, §5.2.3).
pub fn build_crl(issuer: &Certificate, signer: &dyn Signer, params: &CrlParams<'_>) -> Result<Crl> {
    if &issuer_key(issuer)? != signer.public_key() {
        return Err(Error::KeyMismatch(
            "the signing key does not belong to the CRL issuer's certificate".into(),
        ));
    }
    if params.next_update < params.this_update {
        return Err(Error::InvalidInput("nextUpdate is before thisUpdate".into()));
    }
    let algorithm = signer.algorithm().signature_algorithm_identifier();
    let mut revoked: Vec<RevokedCert> = Vec::with_capacity(params.revoked.len());
    for entry in params.revoked {
        revoked.push(RevokedCert {
            serial_number: SerialNumber::new(&entry.serial)
                .map_err(|e| Error::decode("serial number", e))?,
            revocation_date: entry.date.to_x509()?,
            crl_entry_extensions: Some(vec![extension(
                OID_CRL_REASON,
                false,
                &entry.reason.to_x509(),
            )?]),
        });
    }
    let number = Uint::new(&params.number.to_be_bytes()).map_err(|e| Error::decode("CRL", e))?;
    let aki = AuthorityKeyIdentifier {
        key_identifier: Some(
            der::asn1::OctetString::new(key_identifier_of(issuer).to_vec())
                .map_err(|e| Error::decode("CRL", e))?,
        ),
        authority_cert_issuer: None,
        authority_cert_serial_number: None,
    };
    let tbs = TbsCertList {
        version: x509_cert::certificate::Version::V2,
        signature: algorithm.clone(),
        issuer: issuer.tbs_certificate().subject().clone(),
        this_update: params.this_update.to_x509()?,
        next_update: Some(params.next_update.to_x509()?),
        // RFC 5280 §5.1.2.6: absent when there are no revoked certificates.
        revoked_certificates: if revoked.is_empty() { None } else { Some(revoked) },
        crl_extensions: Some(vec![
            extension(OID_AUTHORITY_KEY_IDENTIFIER, false, &aki)?,
            extension(OID_CRL_NUMBER, false, &CrlNumber(number))?,
        ]),
    };
    let tbs_der = keys::to_der("CRL", &tbs)?;
    let signature = signer.sign(&tbs_der)?;
    let crl = CertificateList {
        tbs_cert_list: tbs,
        signature_algorithm: algorithm,
        signature: super::issue::bit_string(&signature.to_x509()?)?,
    };
    // Decode our own output once, so what we hand out is exactly what others will parse.
    let der = keys::to_der("CRL", &crl)?;
    CertificateList::from_der(&der).map_err(|e| Error::decode("CRL", e))
}

/// The CRL number of a CRL, if present.
pub fn crl_number(crl: &Crl) -> Option<Vec<u8>> {
    crl.tbs_cert_list.crl_extensions.as_ref().and_then(|exts| {
        exts.iter()
            .find(|e| e.extn_id == OID_CRL_NUMBER)
            .and_then(|e| CrlNumber::from_der(e.extn_value.as_bytes()).ok())
            .map(|n| n.0.as_bytes().to_vec())
    })
}

/// What the supplied CRLs say about one certificate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum RevocationStatus {
    /// A valid, fresh CRL from the issuer does not list the certificate.
    Good {
        /// thisUpdate of the CRL or OCSP response used.
        this_update: UnixTime,
        /// Until when it is fresh (nextUpdate).
        next_update: UnixTime,
        /// A CRL or an OCSP response.
        source: RevocationSource,
    },
    /// No usable CRL from the certificate's issuer was supplied.
    NoCrl {
        /// Why the supplied CRLs (if any) were not usable.
        detail: String,
    },
    /// The certificate is listed as revoked.
    Revoked {
        /// The revocation date.
        date: UnixTime,
        /// The reason, if the CRL or response gives one.
        reason: Option<RevocationReason>,
        /// A CRL or an OCSP response.
        source: RevocationSource,
    },
    /// The newest usable CRL or response is past its nextUpdate (or has none): the answer
    /// is unknown.
    Stale {
        /// Its nextUpdate, if it has one.
        next_update: Option<UnixTime>,
        /// A CRL or an OCSP response.
        source: RevocationSource,
    },
}

/// Where a revocation answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RevocationSource {
    /// A certificate revocation list (RFC 5280 §5).
    Crl,
    /// An OCSP response (RFC 6960).
    Ocsp,
}

impl fmt::Display for RevocationSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RevocationSource::Crl => "CRL",
            RevocationSource::Ocsp => "OCSP",
        })
    }
}

/// Checks `cert` (issued by `issuer`) against `crls` at time `at`.
///
/// A CRL is used only if its issuer name matches, its signature verifies with the issuer's
/// key, the issuer may sign CRLs (keyUsage cRLSign when keyUsage is present), it has no
/// unknown critical extension, and `thisUpdate <= at`. The freshest such CRL decides.
pub fn check(
    cert: &Certificate,
    issuer: &Certificate,
    crls: &[Crl],
    at: UnixTime,
) -> RevocationStatus {
    check_with_evidence(cert, issuer, crls, at, at)
}

/// [`check`] for the status at `at` with CRLs issued up to `until` (a later time: the
/// verifier's, when `at` is a time a timestamp proves). A CRL issued at or after `at` lists
/// every revocation up to its issue, with its date: conclusive for `at`, whatever its
/// nextUpdate (ETSI EN 319 102-1 §5.6.2.3: revocation data issued after the time of
/// interest).
pub fn check_with_evidence(
    cert: &Certificate,
    issuer: &Certificate,
    crls: &[Crl],
    at: UnixTime,
    until: UnixTime,
) -> RevocationStatus {
    let mut problems: Vec<String> = Vec::new();
    let mut best: Option<&Crl> = None;
    let issuer_name = cert.tbs_certificate().issuer();
    for crl in crls {
        let tbs = &crl.tbs_cert_list;
        if &tbs.issuer != issuer_name {
            continue;
        }
        if let Err(why) = usable(crl, issuer, until) {
            problems.push(why);
            continue;
        }
        if best.is_none_or(|b| {
            UnixTime::from_x509(&b.tbs_cert_list.this_update)
                < UnixTime::from_x509(&tbs.this_update)
        }) {
            best = Some(crl);
        }
    }
    let Some(crl) = best else {
        let detail = if problems.is_empty() {
            format!("no CRL from \"{issuer_name}\" was supplied")
        } else {
            problems.join("; ")
        };
        return RevocationStatus::NoCrl { detail };
    };
    let tbs = &crl.tbs_cert_list;
    let serial = cert.tbs_certificate().serial_number();
    let listed = tbs.revoked_certificates.iter().flatten().find(|r| &r.serial_number == serial);
    if let Some(entry) = listed {
        let reason =
            entry.crl_entry_extensions.iter().flatten().find(|e| e.extn_id == OID_CRL_REASON);
        let reason = reason.and_then(|e| CrlReason::from_der(e.extn_value.as_bytes()).ok());
        let removed = reason == Some(CrlReason::RemoveFromCRL);
        let date = UnixTime::from_x509(&entry.revocation_date);
        if !removed && date <= at {
            return RevocationStatus::Revoked {
                date,
                reason: reason.and_then(RevocationReason::from_x509),
                source: RevocationSource::Crl,
            };
        }
    }
    let this_update = UnixTime::from_x509(&tbs.this_update);
    match tbs.next_update.as_ref().map(UnixTime::from_x509) {
        Some(next_update) if at <= next_update || this_update >= at => {
            RevocationStatus::Good { this_update, next_update, source: RevocationSource::Crl }
        }
        next_update => RevocationStatus::Stale { next_update, source: RevocationSource::Crl },
    }
}

fn usable(crl: &Crl, issuer: &Certificate, at: UnixTime) -> Result<(), String> {
    let tbs = &crl.tbs_cert_list;
    let key = issuer_key(issuer).map_err(|e| format!("CRL issuer key: {e}"))?;
    let tbs_der = tbs.to_der().map_err(|e| format!("CRL: {e}"))?;
    if tbs.signature != crl.signature_algorithm {
        return Err("CRL signature algorithms differ inside and outside the signed part".into());
    }
    key.verify_x509(&tbs_der, &crl.signature_algorithm.owned_to_ref(), crl.signature.raw_bytes())
        .map_err(|_| format!("the CRL from \"{}\" has an invalid signature", tbs.issuer))?;
    if super::key_usage(issuer).is_some_and(|ku| !ku.crl_sign()) {
        return Err("the CRL issuer's certificate lacks keyUsage cRLSign".into());
    }
    let known = [OID_CRL_NUMBER, OID_AUTHORITY_KEY_IDENTIFIER];
    if let Some(ext) =
        tbs.crl_extensions.iter().flatten().find(|e| e.critical && !known.contains(&e.extn_id))
    {
        return Err(format!(
            "the CRL has an unsupported critical extension {}",
            keys::oid_name(&ext.extn_id)
        ));
    }
    if UnixTime::from_x509(&tbs.this_update) > at {
        return Err(format!(
            "the CRL is not yet valid (thisUpdate {})",
            UnixTime::from_x509(&tbs.this_update)
        ));
    }
    Ok(())
}
