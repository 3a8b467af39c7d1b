//! Offline certification path validation (RFC 5280 §6), with nothing but trust anchors,
//! intermediates and CRLs from disk.
//!
//! [`validate`] builds every path from the leaf through the supplied intermediates to a
//! trust anchor and checks each: signatures, validity at the given time, issuer/subject
//! chaining, basicConstraints and pathLen, keyUsage for the purpose, unknown critical
//! extensions, name constraints (see `pki::constraints`), certificate policies (the RFC
//! 5280 policy tree, see `pki::policy`), and revocation (OCSP responses, then CRLs). The
//! answer is a [`PathReport`] naming each failed check and the certificate it failed for;
//! it is never a bare bool.

use std::collections::HashSet;
use std::fmt;

use der::Encode;
use der::asn1::ObjectIdentifier;
use der::referenced::OwnedToRef;
use x509_cert::Certificate;

use super::profile::{
    OID_AUTHORITY_KEY_IDENTIFIER, OID_BASIC_CONSTRAINTS, OID_CERTIFICATE_POLICIES,
    OID_EXT_KEY_USAGE, OID_KEY_USAGE, OID_SUBJECT_ALT_NAME, OID_SUBJECT_KEY_IDENTIFIER,
};
use super::revocation::{self, Crl, RevocationReason, RevocationStatus};
use super::{Validity, basic_constraints, certificate_key, display_name, key_usage};
use crate::keys::{self, hex};
use crate::time::UnixTime;
use crate::verify::{Indication, SubIndication};

/// What the leaf certificate is to be used for; decides the keyUsage it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Purpose {
    /// No key usage requirement.
    Any,
    /// Issuing certificates: keyCertSign.
    Ca,
    /// Signing licences: digitalSignature.
    LicenceIssuer,
    /// Stamping documents with an electronic seal: nonRepudiation or digitalSignature.
    Seal,
    /// Signing RFC 3161 timestamps: extendedKeyUsage id-kp-timeStamping alone, critical
    /// (RFC 3161 §2.3), and digitalSignature or nonRepudiation if keyUsage is present.
    TimeStamping,
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Purpose::Any => "any",
            Purpose::Ca => "ca",
            Purpose::LicenceIssuer => "licence-issuer",
            Purpose::Seal => "seal",
            Purpose::TimeStamping => "tsa",
        })
    }
}

impl std::str::FromStr for Purpose {
    type Err = crate::Error;

    fn from_str(s: &str) -> crate::Result<Purpose> {
        match s {
            "any" => Ok(Purpose::Any),
            "ca" => Ok(Purpose::Ca),
            "licence-issuer" | "license-issuer" => Ok(Purpose::LicenceIssuer),
            "seal" => Ok(Purpose::Seal),
            "tsa" => Ok(Purpose::TimeStamping),
            other => Err(crate::Error::InvalidInput(format!(
                "unknown purpose {other:?} (expected seal, licence-issuer, tsa, ca or any)"
            ))),
        }
    }
}

/// Which certificates must have revocation status from a fresh CRL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RevocationPolicy {
    /// Every certificate below the trust anchor.
    All,
    /// The leaf; other certificates are checked when a CRL from their issuer is supplied.
    Leaf,
    /// No revocation checking.
    Off,
}

/// Options of [`validate_with`].
#[derive(Debug, Clone)]
pub struct Options {
    /// What the leaf is for.
    pub purpose: Purpose,
    /// Which certificates need revocation status.
    pub revocation: RevocationPolicy,
    /// The longest path accepted, counting the leaf and the anchor.
    pub max_depth: usize,
    /// OCSP responses to use before CRLs.
    pub ocsp: std::sync::Arc<[super::ocsp::OcspResponse]>,
    /// When the path is judged at an earlier time than the verifier's own (a time a
    /// timestamp proves), the verifier's time: a CRL issued up to it is evidence of the
    /// revocation status at the earlier time.
    pub evidence_until: Option<UnixTime>,
}

impl Options {
    /// Default options for a purpose: revocation checking of the leaf when CRLs are supplied.
    pub fn new(purpose: Purpose, crls_supplied: bool) -> Options {
        let revocation = if crls_supplied { RevocationPolicy::Leaf } else { RevocationPolicy::Off };
        Options {
            purpose,
            revocation,
            max_depth: 8,
            ocsp: std::sync::Arc::new([]),
            evidence_until: None,
        }
    }

    /// Options for a verifier's trust settings: revocation of the end entity is checked
    /// when CRLs are given, and of every certificate, required, with
    /// [`crate::verify::Policy::require_revocation`].
    pub fn for_trust(purpose: Purpose, trust: &crate::verify::Trust) -> Options {
        let mut o = Options::new(purpose, !trust.crls.is_empty() || !trust.ocsp.is_empty());
        o.ocsp = trust.ocsp.clone().into();
        o.evidence_until = trust.evidence_until;
        if trust.policy.require_revocation {
            o.revocation = RevocationPolicy::All;
        }
        o
    }
}

/// One failed check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "check", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Check {
    /// The certificate's signature does not verify with its issuer's key.
    BadSignature,
    /// An extension appears twice (RFC 5280 §4.2).
    DuplicateExtension {
        /// The extension.
        oid: String,
    },
    /// The certificate expired before the validation time.
    Expired {
        /// Its notAfter.
        not_after: UnixTime,
    },
    /// The certificate lacks the extendedKeyUsage its role needs, or has it wrongly.
    ExtendedKeyUsage {
        /// What is wrong.
        detail: &'static str,
    },
    /// The certificate lacks the keyUsage its role needs.
    KeyUsage {
        /// What was needed.
        needed: &'static str,
    },
    /// The certificate could not be interpreted.
    Malformed {
        /// What is wrong.
        detail: String,
    },
    /// No issuer for this certificate was found among the intermediates and anchors.
    NoIssuer {
        /// The issuer name that was looked for.
        issuer: String,
    },
    /// A name of the certificate breaks a name constraint of a CA above it.
    NameConstraints {
        /// Which name and constraint.
        detail: String,
    },
    /// The certificate issues others but is not a CA (basicConstraints cA is not true).
    NotACa,
    /// The path supports no certificate policy although a CA in it requires one
    /// (policyConstraints, inhibitAnyPolicy, policyMappings; RFC 5280 §6.1).
    Policy {
        /// What failed.
        detail: String,
    },
    /// The certificate is not yet valid at the validation time.
    NotYetValid {
        /// Its notBefore.
        not_before: UnixTime,
    },
    /// A CA's pathLenConstraint allows fewer intermediates than follow it.
    PathLenExceeded {
        /// The constraint.
        path_len: u8,
        /// How many intermediate CAs follow.
        intermediates: usize,
    },
    /// The certificate is revoked.
    Revoked {
        /// When.
        date: UnixTime,
        /// Why, if the CRL says.
        reason: Option<RevocationReason>,
    },
    /// No usable CRL covers this certificate, and the policy requires one.
    RevocationMissing {
        /// Why the supplied CRLs did not help.
        detail: String,
    },
    /// The newest CRL covering this certificate is past its nextUpdate.
    RevocationStale {
        /// The CRL's nextUpdate.
        next_update: Option<UnixTime>,
    },
    /// The certificate carries a critical extension this validator does not process.
    UnknownCriticalExtension {
        /// The extension.
        oid: String,
    },
    /// The key or signature algorithm is not supported.
    UnsupportedAlgorithm {
        /// Which.
        detail: String,
    },
}

impl Check {
    /// The ETSI EN 319 102-1 indication and sub-indication of this failure.
    pub fn indication(&self) -> (Indication, SubIndication) {
        use Indication::{Indeterminate, TotalFailed};
        match self {
            Check::BadSignature => (Indeterminate, SubIndication::CertificateChainGeneralFailure),
            Check::DuplicateExtension { .. } | Check::Malformed { .. } => {
                (TotalFailed, SubIndication::FormatFailure)
            }
            Check::Expired { .. } => (TotalFailed, SubIndication::Expired),
            Check::KeyUsage { .. }
            | Check::ExtendedKeyUsage { .. }
            | Check::NameConstraints { .. }
            | Check::NotACa
            | Check::PathLenExceeded { .. }
            | Check::Policy { .. }
            | Check::UnknownCriticalExtension { .. } => {
                (Indeterminate, SubIndication::ChainConstraintsFailure)
            }
            Check::NoIssuer { .. } => (Indeterminate, SubIndication::NoCertificateChainFound),
            Check::NotYetValid { .. } => (TotalFailed, SubIndication::NotYetValid),
            Check::Revoked { .. } => (TotalFailed, SubIndication::Revoked),
            Check::RevocationMissing { .. } | Check::RevocationStale { .. } => {
                (Indeterminate, SubIndication::TryLater)
            }
            Check::UnsupportedAlgorithm { .. } => {
                (Indeterminate, SubIndication::CryptoConstraintsFailure)
            }
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::BadSignature => f.write_str("signature does not verify with the issuer's key"),
            Check::DuplicateExtension { oid } => write!(f, "extension {oid} appears twice"),
            Check::Expired { not_after } => write!(f, "expired: not valid after {not_after}"),
            Check::KeyUsage { needed } => write!(f, "keyUsage does not allow {needed}"),
            Check::ExtendedKeyUsage { detail } => f.write_str(detail),
            Check::Malformed { detail } => write!(f, "malformed: {detail}"),
            Check::NoIssuer { issuer } => {
                write!(f, "no issuer \"{issuer}\" among the intermediates and trust anchors")
            }
            Check::NameConstraints { detail } => write!(f, "name constraints: {detail}"),
            Check::NotACa => f.write_str("issues certificates but basicConstraints cA is not true"),
            Check::Policy { detail } => write!(f, "certificate policies: {detail}"),
            Check::NotYetValid { not_before } => {
                write!(f, "not yet valid: valid from {not_before}")
            }
            Check::PathLenExceeded { path_len, intermediates } => write!(
                f,
                "pathLenConstraint {path_len} exceeded: {intermediates} intermediate CA(s) follow"
            ),
            Check::Revoked { date, reason } => match reason {
                Some(r) => write!(f, "revoked on {date} ({r})"),
                None => write!(f, "revoked on {date}"),
            },
            Check::RevocationMissing { detail } => write!(f, "no revocation status: {detail}"),
            Check::RevocationStale { next_update: Some(t) } => {
                write!(f, "revocation status unknown: the CRL is stale (nextUpdate {t})")
            }
            Check::RevocationStale { next_update: None } => {
                f.write_str("revocation status unknown: the CRL has no nextUpdate")
            }
            Check::UnknownCriticalExtension { oid } => {
                write!(f, "unknown critical extension {oid}")
            }
            Check::UnsupportedAlgorithm { detail } => write!(f, "unsupported algorithm: {detail}"),
        }
    }
}

/// A failed check and the certificate it failed for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// Position in the chain: 0 is the leaf.
    pub position: usize,
    /// The certificate's subject.
    pub certificate: String,
    /// What failed.
    #[serde(flatten)]
    pub check: Check,
}

/// One certificate of the chain that was built.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Link {
    /// Subject (RFC 4514).
    pub subject: String,
    /// Serial number in hex.
    pub serial: String,
    /// Validity period.
    pub validity: Validity,
    /// True for the trust anchor that ends the chain.
    pub trust_anchor: bool,
    /// What the CRLs said, if revocation was checked for this certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation: Option<RevocationStatus>,
}

/// The result of path validation.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PathReport {
    /// TOTAL-PASSED, TOTAL-FAILED or INDETERMINATE.
    pub indication: Indication,
    /// Why, when not passed: the sub-indication of the first decisive problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_indication: Option<SubIndication>,
    /// The validation time.
    pub at: UnixTime,
    /// The purpose checked.
    pub purpose: Purpose,
    /// The chain, leaf first; as far as it could be built.
    pub chain: Vec<Link>,
    /// The certificate policies the path is valid for (RFC 5280 §6.1: the valid policy
    /// tree at the leaf; "anyPolicy" when the CAs allow any). Empty when the certificates
    /// assert none, or the path was not built.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<String>,
    /// Every failed check.
    pub problems: Vec<Problem>,
}

impl PathReport {
    /// True if every check passed.
    pub fn is_valid(&self) -> bool {
        self.indication == Indication::TotalPassed
    }

    /// The first problem, if any.
    pub fn first_problem(&self) -> Option<&Problem> {
        self.problems.first()
    }

    /// True if some problem has the given check kind.
    pub fn has(&self, pred: impl Fn(&Check) -> bool) -> bool {
        self.problems.iter().any(|p| pred(&p.check))
    }

    fn from_problems(
        at: UnixTime,
        purpose: Purpose,
        chain: Vec<Link>,
        problems: Vec<Problem>,
    ) -> PathReport {
        let worst = problems.iter().map(|p| p.check.indication()).max_by_key(|(ind, _)| *ind);
        // Report the sub-indication of the first problem at the worst level.
        let sub = worst.and_then(|(level, _)| {
            problems.iter().map(|p| p.check.indication()).find(|(i, _)| *i == level).map(|(_, s)| s)
        });
        PathReport {
            indication: worst.map_or(Indication::TotalPassed, |(i, _)| i),
            sub_indication: sub,
            at,
            purpose,
            chain,
            policies: Vec::new(),
            problems,
        }
    }
}

impl fmt::Display for PathReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.sub_indication {
            Some(sub) => writeln!(f, "{} ({sub})", self.indication)?,
            None => writeln!(f, "{}", self.indication)?,
        }
        writeln!(f, "checked at {} for purpose {}", self.at, self.purpose)?;
        for (i, link) in self.chain.iter().enumerate() {
            let anchor = if link.trust_anchor { " [trust anchor]" } else { "" };
            writeln!(f, "  {i}: {} (serial {}){anchor}", link.subject, link.serial)?;
        }
        if !self.policies.is_empty() {
            writeln!(f, "  certificate policies: {}", self.policies.join(", "))?;
        }
        for p in &self.problems {
            writeln!(f, "  problem at {} \"{}\": {}", p.position, p.certificate, p.check)?;
        }
        Ok(())
    }
}

/// Validates `leaf` for `purpose` at time `at`, with default [`Options`]: revocation of
/// the leaf is required when `crls` is not empty.
pub fn validate(
    leaf: &Certificate,
    intermediates: &[Certificate],
    anchors: &[Certificate],
    crls: &[Crl],
    at: UnixTime,
    purpose: Purpose,
) -> PathReport {
    validate_with(leaf, intermediates, anchors, crls, at, &Options::new(purpose, !crls.is_empty()))
}

/// Validates `leaf` with explicit options. Every candidate path to an anchor is checked;
/// the first that passes is reported, otherwise the one with the mildest failure.
pub fn validate_with(
    leaf: &Certificate,
    intermediates: &[Certificate],
    anchors: &[Certificate],
    crls: &[Crl],
    at: UnixTime,
    opts: &Options,
) -> PathReport {
    let mut paths = Vec::new();
    let mut longest_partial: Vec<&Certificate> = vec![leaf];
    let mut stack = vec![leaf];
    build(&mut stack, intermediates, anchors, opts.max_depth, &mut paths, &mut longest_partial);

    if paths.is_empty() {
        let last = longest_partial.last().copied().unwrap_or(leaf);
        let chain = longest_partial.iter().map(|c| link(c, false, None)).collect();
        let problem = Problem {
            position: longest_partial.len() - 1,
            certificate: display_name(last.tbs_certificate().subject()),
            check: Check::NoIssuer { issuer: display_name(last.tbs_certificate().issuer()) },
        };
        return PathReport::from_problems(at, opts.purpose, chain, vec![problem]);
    }

    let mut best: Option<PathReport> = None;
    for path in paths {
        let report = check_path(&path, crls, at, opts);
        if report.is_valid() {
            return report;
        }
        let better = best.as_ref().is_none_or(|b| {
            (report.indication, report.problems.len()) < (b.indication, b.problems.len())
        });
        if better {
            best = Some(report);
        }
    }
    // `paths` was not empty, so `best` is set; fall back to an empty failure just in case.
    best.unwrap_or_else(|| PathReport::from_problems(at, opts.purpose, Vec::new(), Vec::new()))
}

const MAX_PATHS: usize = 16;

/// Depth-first search for paths `stack[0] -> ... -> anchor`.
fn build<'a>(
    stack: &mut Vec<&'a Certificate>,
    intermediates: &'a [Certificate],
    anchors: &'a [Certificate],
    max_depth: usize,
    out: &mut Vec<Vec<(&'a Certificate, bool)>>,
    longest: &mut Vec<&'a Certificate>,
) {
    if out.len() >= MAX_PATHS {
        return;
    }
    let Some(&current) = stack.last() else { return };
    if stack.len() > longest.len() {
        longest.clone_from(stack);
    }
    // The certificate itself may be a trust anchor (directly trusted).
    if stack.len() == 1 && anchors.iter().any(|a| a == current) {
        out.push(vec![(current, true)]);
        return;
    }
    for anchor in anchors.iter().filter(|a| issued_by(current, a)) {
        let mut path: Vec<(&Certificate, bool)> = stack.iter().map(|c| (*c, false)).collect();
        path.push((anchor, true));
        out.push(path);
    }
    if stack.len() + 1 >= max_depth {
        return;
    }
    for candidate in intermediates.iter().filter(|c| issued_by(current, c)) {
        if stack.contains(&candidate) {
            continue; // a loop
        }
        stack.push(candidate);
        build(stack, intermediates, anchors, max_depth, out, longest);
        stack.pop();
    }
}

/// Could `issuer` have issued `cert`? Names must match; key identifiers too when both exist.
pub(crate) fn issued_by(cert: &Certificate, issuer: &Certificate) -> bool {
    if cert.tbs_certificate().issuer() != issuer.tbs_certificate().subject() {
        return false;
    }
    let aki = cert
        .tbs_certificate()
        .get_extension::<x509_cert::ext::pkix::AuthorityKeyIdentifier>()
        .ok()
        .flatten()
        .and_then(|(_, aki)| aki.key_identifier);
    let ski = issuer
        .tbs_certificate()
        .get_extension::<x509_cert::ext::pkix::SubjectKeyIdentifier>()
        .ok()
        .flatten();
    match (aki, ski) {
        (Some(a), Some((_, s))) => a.as_bytes() == s.0.as_bytes(),
        _ => true,
    }
}

fn link(cert: &Certificate, trust_anchor: bool, revocation: Option<RevocationStatus>) -> Link {
    let tbs = cert.tbs_certificate();
    Link {
        subject: display_name(tbs.subject()),
        serial: hex(tbs.serial_number().as_bytes()),
        validity: Validity::of(cert),
        trust_anchor,
        revocation,
    }
}

/// Extensions whose criticality is not a reason to reject: those this validator processes,
/// and those that only inform (qcStatements, which every EU qualified certificate carries,
/// RFC 3739; CRL distribution points and authority information access, RFC 5280 §4.2.1.13
/// and §4.2.2.1; issuer alternative names; subject directory attributes, RFC 3739 §3.2.2).
const KNOWN_EXTENSIONS: [ObjectIdentifier; 16] = [
    ObjectIdentifier::new_unwrap("2.5.29.30"), // nameConstraints (pki::constraints)
    ObjectIdentifier::new_unwrap("2.5.29.33"), // policyMappings (pki::policy)
    ObjectIdentifier::new_unwrap("2.5.29.36"), // policyConstraints (pki::policy)
    ObjectIdentifier::new_unwrap("2.5.29.54"), // inhibitAnyPolicy (pki::policy)
    OID_AUTHORITY_KEY_IDENTIFIER,
    OID_BASIC_CONSTRAINTS,
    OID_CERTIFICATE_POLICIES,
    OID_EXT_KEY_USAGE,
    OID_KEY_USAGE,
    OID_SUBJECT_ALT_NAME,
    OID_SUBJECT_KEY_IDENTIFIER,
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.3"),
    ObjectIdentifier::new_unwrap("2.5.29.31"),
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.1"),
    ObjectIdentifier::new_unwrap("2.5.29.18"),
    ObjectIdentifier::new_unwrap("2.5.29.9"),
];

fn check_path(
    path: &[(&Certificate, bool)],
    crls: &[Crl],
    at: UnixTime,
    opts: &Options,
) -> PathReport {
    let mut problems = Vec::new();
    let mut chain = Vec::with_capacity(path.len());
    let last = path.len() - 1;
    for (i, &(cert, is_anchor)) in path.iter().enumerate() {
        let tbs = cert.tbs_certificate();
        let mut fail = |check| {
            problems.push(Problem { position: i, certificate: display_name(tbs.subject()), check })
        };

        // Structure.
        if tbs.signature() != cert.signature_algorithm() {
            fail(Check::Malformed {
                detail: "signature algorithm differs inside and outside the signed part".into(),
            });
        }
        let mut seen = HashSet::new();
        for ext in tbs.extensions().into_iter().flatten() {
            if !seen.insert(ext.extn_id) {
                fail(Check::DuplicateExtension { oid: keys::oid_name(&ext.extn_id) });
            }
            if ext.critical && !KNOWN_EXTENSIONS.contains(&ext.extn_id) {
                fail(Check::UnknownCriticalExtension { oid: keys::oid_name(&ext.extn_id) });
            }
        }

        // Validity at the given time.
        let validity = Validity::of(cert);
        if at < validity.not_before {
            fail(Check::NotYetValid { not_before: validity.not_before });
        }
        if at > validity.not_after {
            fail(Check::Expired { not_after: validity.not_after });
        }

        // Signature by the next certificate up (the anchor is trusted as it is).
        if i < last {
            let issuer = path[i + 1].0;
            match certificate_key(issuer) {
                Err(e) => fail(Check::UnsupportedAlgorithm { detail: e.to_string() }),
                Ok(key) => match tbs.to_der() {
                    Err(e) => fail(Check::Malformed { detail: e.to_string() }),
                    Ok(tbs_der) => {
                        let alg = cert.signature_algorithm().owned_to_ref();
                        if let Err(e) = crate::keys::Scheme::from_algorithm_identifier(&alg) {
                            fail(Check::UnsupportedAlgorithm { detail: e.to_string() });
                        } else if key
                            .verify_x509(&tbs_der, &alg, cert.signature().raw_bytes())
                            .is_err()
                        {
                            fail(Check::BadSignature);
                        }
                    }
                },
            }
        }

        // Issuers must be CAs, allowed to sign certificates, within their pathLen.
        if i > 0 {
            match basic_constraints(cert) {
                Some(bc) if bc.ca => {
                    let intermediates = i - 1;
                    if let Some(n) = bc.path_len_constraint
                        && intermediates > usize::from(n)
                    {
                        fail(Check::PathLenExceeded { path_len: n, intermediates });
                    }
                }
                // A v1 trust anchor has no extensions at all: it is a CA by being trusted.
                None if is_anchor && tbs.extensions().is_none() => {}
                _ => fail(Check::NotACa),
            }
            if key_usage(cert).is_some_and(|ku| !ku.key_cert_sign()) {
                fail(Check::KeyUsage { needed: "keyCertSign (signing certificates)" });
            }
        } else {
            let ku = key_usage(cert);
            let needed = match opts.purpose {
                Purpose::Any => None,
                Purpose::Ca => (!ku.is_some_and(|k| k.key_cert_sign()))
                    .then_some("keyCertSign (signing certificates)"),
                Purpose::LicenceIssuer => (!ku.is_some_and(|k| k.digital_signature()))
                    .then_some("digitalSignature (signing licences)"),
                Purpose::Seal => (!ku
                    .is_some_and(|k| k.non_repudiation() || k.digital_signature()))
                .then_some("nonRepudiation or digitalSignature (stamping documents)"),
                Purpose::TimeStamping => {
                    if let Err(detail) = super::role::check_tsa(cert) {
                        fail(Check::ExtendedKeyUsage { detail });
                    }
                    ku.is_some_and(|k| !k.non_repudiation() && !k.digital_signature())
                        .then_some("digitalSignature or nonRepudiation (signing timestamps)")
                }
            };
            if let Some(needed) = needed {
                fail(Check::KeyUsage { needed });
            }
        }

        // Revocation, for every certificate below the anchor.
        let mut status = None;
        if i < last && opts.revocation != RevocationPolicy::Off {
            let issuer = path[i + 1].0;
            let required = opts.revocation == RevocationPolicy::All || i == 0;
            let s = super::ocsp::check(cert, issuer, &opts.ocsp, at).unwrap_or_else(|| {
                let until = opts.evidence_until.unwrap_or(at).max(at);
                revocation::check_with_evidence(cert, issuer, crls, at, until)
            });
            match &s {
                RevocationStatus::Good { .. } => {}
                RevocationStatus::Revoked { date, reason, .. } => {
                    fail(Check::Revoked { date: *date, reason: *reason })
                }
                RevocationStatus::Stale { next_update, .. } => {
                    fail(Check::RevocationStale { next_update: *next_update })
                }
                RevocationStatus::NoCrl { detail } if required => {
                    fail(Check::RevocationMissing { detail: detail.clone() })
                }
                RevocationStatus::NoCrl { .. } => {}
            }
            status = Some(s);
        }
        chain.push(link(cert, is_anchor, status));
    }
    // Name constraints: every CA's apply to all the certificates below it.
    for (i, &(ca, _)) in path.iter().enumerate().skip(1) {
        for &(below, _) in &path[..i] {
            if let Err(detail) = super::constraints::check(ca, below) {
                let position = path.iter().position(|(c, _)| std::ptr::eq(*c, below)).unwrap_or(0);
                problems.push(Problem {
                    position,
                    certificate: display_name(below.tbs_certificate().subject()),
                    check: Check::NameConstraints { detail },
                });
            }
        }
    }
    // Certificate policies, over the path below the anchor.
    let below_anchor: Vec<&Certificate> = path[..last].iter().map(|(c, _)| *c).collect();
    let policies = match super::policy::process(&below_anchor) {
        Ok(p) => p.iter().map(super::policy::policy_name).collect(),
        Err(e) => {
            problems.push(Problem {
                position: e.position,
                certificate: display_name(below_anchor[e.position].tbs_certificate().subject()),
                check: if e.malformed {
                    Check::Malformed { detail: e.detail }
                } else {
                    Check::Policy { detail: e.detail }
                },
            });
            Vec::new()
        }
    };
    let mut report = PathReport::from_problems(at, opts.purpose, chain, problems);
    report.policies = policies;
    report
}
