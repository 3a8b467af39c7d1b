//! Verification results shared by every format.
//!
//! Results follow ETSI EN 319 102-1 §5.1.3: a main [`Indication`] (TOTAL-PASSED,
//! TOTAL-FAILED, INDETERMINATE) and a [`SubIndication`] saying why.

pub mod report;

pub use report::{
    CheckOutcome, Indication, Report, SealIdentity, SignatureReport, SignerIdentity, SubIndication,
};

use crate::pki::{Certificate, Crl};

/// What a verifier trusts and knows, all from disk: trust anchors, untrusted intermediate
/// certificates that may help build chains, and CRLs.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// Trust anchors.
    pub anchors: Vec<Certificate>,
    /// Untrusted certificates for path building.
    pub intermediates: Vec<Certificate>,
    /// Certificate revocation lists.
    pub crls: Vec<Crl>,
    /// OCSP responses (RFC 6960), used before CRLs.
    pub ocsp: Vec<crate::pki::ocsp::OcspResponse>,
    /// Seal-making authorities the verifier names (their certificates), beside those whose
    /// certificates carry the seal-maker role ([`crate::pki::role`]).
    pub seal_makers: Vec<Certificate>,
    /// Trust-list signers the verifier names, beside the trust anchors themselves and
    /// certificates carrying the trust-list-signer role.
    pub list_signers: Vec<Certificate>,
    /// What the verifier requires beyond the defaults.
    pub policy: Policy,
    /// Set while a signature is judged at a time a timestamp proves, earlier than the
    /// validation time: the validation time, up to which CRLs count as evidence of the
    /// status at the earlier time. Leave it `None`.
    pub evidence_until: Option<crate::time::UnixTime>,
}

impl Trust {
    /// Trust in the certificates of a file (PEM or DER), or of every file in a directory,
    /// as trust anchors, and nothing else: no intermediates, no CRLs, the default policy.
    /// See [`crate::pki::load_certificates_from`].
    pub fn from_anchors(path: impl AsRef<std::path::Path>) -> crate::Result<Trust> {
        let anchors = crate::pki::load_certificates_from(path.as_ref())?;
        Ok(Trust { anchors, ..Trust::default() })
    }
}

/// Requirements a verifier may add to the defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Policy {
    /// CAdES baseline (ETSI EN 319 122-1): a CMS signature without signing-certificate-v2
    /// fails instead of passing as plain CMS.
    pub cades_baseline: bool,
    /// A certificate whose revocation status was not checked makes the signature
    /// INDETERMINATE (TRY_LATER) instead of being reported as "not checked".
    pub require_revocation: bool,
    /// PDF: annotations (comments) added or changed after an uncertified signature are
    /// accepted instead of failing the modification check. A certification's DocMDP
    /// level still decides for certified documents.
    pub allow_annotations: bool,
    /// OFD: an OFD.xml no stamp covers is accepted when it holds the one stamped document
    /// and no other versions, so that only its document information (DocInfo) can differ
    /// from what was stamped. By default such a document is INDETERMINATE.
    pub allow_ofd_metadata: bool,
}

/// Adds the outcome of a certificate path validation to a signature report.
pub fn push_path(
    report: &mut SignatureReport,
    check: &'static str,
    path: &crate::pki::path::PathReport,
) {
    let detail = if path.problems.is_empty() {
        format!(
            "chain of {} to trust anchor \"{}\"",
            path.chain.len(),
            path.chain.last().map(|l| l.subject.as_str()).unwrap_or("")
        )
    } else {
        let all: Vec<String> =
            path.problems.iter().map(|p| format!("\"{}\": {}", p.certificate, p.check)).collect();
        all.join("; ")
    };
    report.push(CheckOutcome::with(check, (path.indication, path.sub_indication), detail));
    push_revocation(report, path);
}

/// Says how revocation was checked for each certificate below the trust anchor: by CRL,
/// or not at all. Problems (revoked, stale, missing when required) are the chain check's.
fn push_revocation(report: &mut SignatureReport, path: &crate::pki::path::PathReport) {
    use crate::pki::revocation::RevocationStatus;
    let below: Vec<_> = path.chain.iter().filter(|l| !l.trust_anchor).collect();
    if below.is_empty() {
        return;
    }
    if !path.chain.iter().any(|l| l.trust_anchor) {
        report.push(CheckOutcome::passed(
            "revocation",
            "not checked: the chain does not reach a trust anchor",
        ));
        return;
    }
    let each: Vec<String> = below
        .iter()
        .map(|l| {
            let how = match &l.revocation {
                None => "not checked (no CRL or OCSP response given)".to_string(),
                Some(RevocationStatus::Good { this_update, source, .. }) => {
                    format!("{source} of {this_update}: not revoked")
                }
                Some(RevocationStatus::Revoked { date, source, .. }) => {
                    format!("{source}: revoked on {date}")
                }
                Some(RevocationStatus::Stale { source, .. }) => format!("{source}: stale"),
                Some(RevocationStatus::NoCrl { detail }) => format!("none: {detail}"),
            };
            format!("\"{}\": {how}", l.subject)
        })
        .collect();
    report.push(CheckOutcome::passed("revocation", each.join("; ")));
}
