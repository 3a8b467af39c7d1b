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
    match best_crl(cert, issuer, crls, until) {
        Ok(crl) => status_in(cert, crl, at),
        Err(detail) => RevocationStatus::NoCrl { detail },
    }
}

/// What `crl`, already found usable for `cert` ([`best_crl`]), says of it at `at`.
pub(crate) fn status_in(cert: &Certificate, crl: &Crl, at: UnixTime) -> RevocationStatus {
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

/// The freshest CRL among `crls` from `cert`'s issuer that is usable at `until` (see
/// [`check`]); else why there is none.
pub(crate) fn best_crl<'c>(
    cert: &Certificate,
    issuer: &Certificate,
    crls: &'c [Crl],
    until: UnixTime,
) -> std::result::Result<&'c Crl, String> {
    let mut problems: Vec<String> = Vec::new();
    let mut best: Option<&Crl> = None;
    let issuer_name = cert.tbs_certificate().issuer();
    for crl in crls {
        let tbs = &crl.tbs_cert_list;
        if &tbs.issuer != issuer_name {
            continue;
        }
        if let Err(why) = usable(crl, issuer, until).and_then(|()| scope(crl, cert)) {
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
    best.ok_or_else(|| {
        if problems.is_empty() {
            format!("no CRL from \"{issuer_name}\" was supplied")
        } else {
            problems.join("; ")
        }
    })
}

/// id-ce-issuingDistributionPoint (RFC 5280 §5.2.5).
const OID_ISSUING_DISTRIBUTION_POINT: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("2.5.29.28");

/// Whether a CRL covers `cert`, by its issuing distribution point (RFC 5280 §5.2.5 and
/// §6.3.3 (b)): a CRL for end entities or CAs only covers those; one scoped to a
/// distribution point covers the certificates that name it. Indirect CRLs and CRLs for
/// some reasons only are not used (they do not answer for every revocation).
fn scope(crl: &Crl, cert: &Certificate) -> Result<(), String> {
    use x509_cert::ext::pkix::crl::dp::DistributionPoint;
    use x509_cert::ext::pkix::name::DistributionPointName;
    use x509_cert::ext::pkix::{CrlDistributionPoints, IssuingDistributionPoint};
    let tbs = &crl.tbs_cert_list;
    let Some(ext) =
        tbs.crl_extensions.iter().flatten().find(|e| e.extn_id == OID_ISSUING_DISTRIBUTION_POINT)
    else {
        return Ok(());
    };
    let idp = IssuingDistributionPoint::from_der(ext.extn_value.as_bytes())
        .map_err(|e| format!("the CRL's issuingDistributionPoint cannot be read: {e}"))?;
    if idp.indirect_crl {
        return Err("the CRL is an indirect CRL, which seal does not use".into());
    }
    if idp.only_some_reasons.is_some() {
        return Err("the CRL covers only some revocation reasons".into());
    }
    if idp.only_contains_attribute_certs {
        return Err("the CRL is for attribute certificates".into());
    }
    let is_ca = super::basic_constraints(cert).is_some_and(|b| b.ca);
    if idp.only_contains_user_certs && is_ca {
        return Err("the CRL covers end-entity certificates only".into());
    }
    if idp.only_contains_ca_certs && !is_ca {
        return Err("the CRL covers CA certificates only".into());
    }
    match &idp.distribution_point {
        None => Ok(()),
        Some(DistributionPointName::FullName(names)) => {
            let points: Vec<DistributionPoint> = cert
                .tbs_certificate()
                .get_extension::<CrlDistributionPoints>()
                .ok()
                .flatten()
                .map(|(_, d)| d.0)
                .unwrap_or_default();
            let named = points.iter().any(|p| match &p.distribution_point {
                Some(DistributionPointName::FullName(theirs)) => {
                    names.iter().any(|n| theirs.contains(n))
                }
                _ => false,
            });
            if named {
                Ok(())
            } else {
                Err("the CRL is for a distribution point the certificate does not name".into())
            }
        }
        Some(DistributionPointName::NameRelativeToCRLIssuer(_)) => {
            Err("the CRL's distribution point is named relative to its issuer, which seal \
                 does not match"
                .into())
        }
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
    // The issuing distribution point is critical, and [`scope`] reads it.
    let known = [OID_CRL_NUMBER, OID_AUTHORITY_KEY_IDENTIFIER, OID_ISSUING_DISTRIBUTION_POINT];
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{Algorithm, Kdf, PrivateKey};
    use crate::pki::ca::{Ca, NewCa};
    use crate::pki::{Profile, Subject, Validity};
    use crate::secret::PassphraseSource;
    use x509_cert::ext::Extension;
    use x509_cert::ext::pkix::IssuingDistributionPoint;
    use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};

    fn with_idp(crl: &Crl, idp: &IssuingDistributionPoint) -> Crl {
        let mut c = crl.clone();
        let ext = Extension {
            extn_id: OID_ISSUING_DISTRIBUTION_POINT,
            critical: true,
            extn_value: der::asn1::OctetString::new(idp.to_der().unwrap()).unwrap(),
        };
        c.tbs_cert_list.crl_extensions.get_or_insert_with(Vec::new).push(ext);
        c
    }

    #[test]
    fn a_crl_covers_what_its_issuing_distribution_point_says() {
        let dir = tempfile::tempdir().unwrap();
        let now = UnixTime::from_secs(1_790_000_000);
        let new = NewCa {
            subject: Subject::new("Root", "Seal Authority", "VN"),
            algorithm: Algorithm::EcdsaP256Sha256,
            validity: Validity::days_from(now, 365),
            path_len: None,
            key_protection: PassphraseSource::None,
            kdf: Kdf::Scrypt,
        };
        let (ca, key) = Ca::init_root(&dir.path().join("ca"), &new).unwrap();
        let leaf_key = PrivateKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
        let subject = Subject::new("Agency", "City", "VN")
            .with_organization_identifier("0101")
            .to_name()
            .unwrap();
        let validity = Validity::days_from(now, 30);
        let leaf = ca
            .issue_for_key(&key, subject, leaf_key.public_key().clone(), Profile::Seal, validity)
            .unwrap();
        let crl = ca.crl(&key, now, now.plus_days(7)).unwrap();
        let root = ca.certificate();
        let none = IssuingDistributionPoint {
            distribution_point: None,
            only_contains_user_certs: false,
            only_contains_ca_certs: false,
            only_some_reasons: None,
            indirect_crl: false,
            only_contains_attribute_certs: false,
        };
        assert!(scope(&with_idp(&crl, &none), &leaf).is_ok());
        let users = IssuingDistributionPoint { only_contains_user_certs: true, ..none.clone() };
        assert!(scope(&with_idp(&crl, &users), &leaf).is_ok());
        assert!(scope(&with_idp(&crl, &users), root).unwrap_err().contains("end-entity"));
        let cas = IssuingDistributionPoint { only_contains_ca_certs: true, ..none.clone() };
        assert!(scope(&with_idp(&crl, &cas), &leaf).unwrap_err().contains("CA certificates"));
        let indirect = IssuingDistributionPoint { indirect_crl: true, ..none.clone() };
        assert!(scope(&with_idp(&crl, &indirect), &leaf).unwrap_err().contains("indirect"));
        // Scoped to a distribution point the leaf does not name.
        let uri = der::asn1::Ia5String::new("http://ca.example/part1.crl").unwrap();
        let dp = DistributionPointName::FullName(vec![GeneralName::UniformResourceIdentifier(uri)]);
        let part = IssuingDistributionPoint { distribution_point: Some(dp), ..none.clone() };
        assert!(scope(&with_idp(&crl, &part), &leaf).unwrap_err().contains("distribution point"));
        // A signed CRL whose IDP is fine is used: its critical extension is known.
        assert!(usable(&crl, root, now).is_ok());
        assert!(matches!(
            check_with_evidence(&leaf, root, &[with_idp(&crl, &cas)], now, now),
            RevocationStatus::NoCrl { .. }
        ));
    }
}
