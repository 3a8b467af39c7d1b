//! Electronic seals (GB/T 38540-2020, GM/T 0031-2014): reading, making and verifying them.

mod chain;
pub mod picture;
mod ses;
mod write;

pub use chain::PKI_PATH;
pub(crate) use chain::for_certificate as chain_for;
pub use ses::{
    CertList, ExtData, Picture, Seal, SealSignatureError, SealVersion, SignatureForm, Stamp,
    data_hash_alg,
};
pub use write::{SealSpec, SealType, VENDOR_ID, make_seal, make_stamp, make_stamp_timestamped};

use crate::pki::path::{self, Options, Purpose};
use crate::time::UnixTime;
use crate::verify::{
    CheckOutcome, SealIdentity, SignatureReport, SignerIdentity, SubIndication, Trust, push_path,
};

/// The identity of a seal, for reports.
pub fn identity(seal: &Seal) -> SealIdentity {
    SealIdentity {
        name: seal.name.clone(),
        id: seal.id.clone(),
        version: seal.version.number(),
        vendor: seal.vendor.clone(),
        maker: seal
            .maker_certificate()
            .map(|c| crate::pki::display_name(c.tbs_certificate().subject()))
            .unwrap_or_else(|e| format!("unreadable maker certificate: {e}")),
        valid_start: seal.valid_start.to_string(),
        valid_end: seal.valid_end.to_string(),
    }
}

/// Says in the report what was read leniently (nothing when the encoding is the standard's).
fn push_leniencies(report: &mut SignatureReport, check: &'static str, leniencies: &[String]) {
    if !leniencies.is_empty() {
        report.push(CheckOutcome::passed(
            check,
            format!("read leniently, not as GB/T 38540's DER: {}", leniencies.join("; ")),
        ));
    }
}

/// Checks a seal on its own: the maker's signature, the maker's chain to the trust anchors
/// at `at`, and that the seal was within its validity period at `used_at` (the stamping
/// time; `at` when there is none).
pub fn check_seal(
    seal: &Seal,
    trust: &Trust,
    at: UnixTime,
    used_at: Option<UnixTime>,
    report: &mut SignatureReport,
) {
    let used_at = used_at.unwrap_or(at);
    report.seal = Some(identity(seal));
    push_leniencies(report, "seal-encoding", &seal.leniencies);
    match seal.verify_maker_signature() {
        Ok(rule) => report.push(CheckOutcome::passed(
            "seal-signature",
            format!("maker's {} signature over {rule} verifies", seal.algorithm),
        )),
        Err(e) => report.push(CheckOutcome::failed(
            "seal-signature",
            SubIndication::SealInvalid,
            format!("maker's signature: {e}"),
        )),
    }
    if used_at < seal.valid_start || used_at > seal.valid_end {
        report.push(CheckOutcome::failed(
            "seal-validity",
            SubIndication::SealInvalid,
            format!(
                "the seal is valid from {} to {}, not at {used_at}",
                seal.valid_start, seal.valid_end
            ),
        ));
    } else {
        report.push(CheckOutcome::passed(
            "seal-validity",
            format!("valid from {} to {}", seal.valid_start, seal.valid_end),
        ));
    }
    match seal.maker_certificate() {
        Ok(maker) => {
            // The chain the seal carries serves the maker too when they share a CA, as
            // the agencies and the seal-making system of one national PKI do.
            let mut intermediates = trust.intermediates.clone();
            intermediates.extend(seal.holder_chain().iter().cloned());
            let opts = Options::for_trust(Purpose::Any, trust);
            let p =
                path::validate_with(&maker, &intermediates, &trust.anchors, &trust.crls, at, &opts);
            push_path(report, "seal-maker-chain", &p);
            report.push(maker_role(&maker, trust));
        }
        Err(e) => report.push(CheckOutcome::failed(
            "seal-maker-chain",
            SubIndication::FormatFailure,
            e.to_string(),
        )),
    }
}

/// Checks a seal as `seal seal verify` does: [`check_seal`] at `at`, plus each holder's
/// certificate chain to the trust anchors.
pub fn check_seal_and_holders(
    seal: &Seal,
    trust: &Trust,
    at: UnixTime,
    report: &mut SignatureReport,
) {
    check_seal(seal, trust, at, None, report);
    let holders = seal.holder_certificates();
    if holders.is_empty() {
        report.push(CheckOutcome::indeterminate(
            "seal-holder-chain",
            SubIndication::NoCertificateChainFound,
            "the seal lists no holder certificates (only digests, or none)",
        ));
    }
    let mut intermediates = trust.intermediates.clone();
    intermediates.extend(seal.holder_chain().iter().cloned());
    for holder in holders {
        let opts = Options::for_trust(Purpose::Seal, trust);
        let p =
            path::validate_with(&holder, &intermediates, &trust.anchors, &trust.crls, at, &opts);
        push_path(report, "seal-holder-chain", &p);
    }
}

/// Checks a stamp except for what it covers (the caller compares `stamp.data_hash` with the
/// data): the stamper's signature, the seal (see [`check_seal`], at the stamping time), that
/// the stamper is one of the seal's holders, and the stamper's chain at `at`.
pub fn check_stamp(stamp: &Stamp, trust: &Trust, at: UnixTime, report: &mut SignatureReport) {
    report.algorithm = stamp.algorithm.clone();
    report.signing_time = Some(stamp.time.clone());
    push_leniencies(report, "stamp-encoding", &stamp.leniencies);
    let signer = stamp.signer_certificate();
    if let Ok(cert) = &signer {
        report.signer = Some(SignerIdentity::of(cert));
    }
    match stamp.verify_signature() {
        Ok((form, what)) => report.push(CheckOutcome::passed(
            "signature",
            format!(
                "{} signature ({} form) over {what} verifies",
                stamp.algorithm,
                match form {
                    SignatureForm::Der => "DER",
                    SignatureForm::Raw => "raw r||s",
                    SignatureForm::NonMinimalDer =>
                        "DER with non-minimal integers, read leniently as unsigned numbers",
                }
            ),
        )),
        Err(e) => report.push(CheckOutcome::failed(
            "signature",
            SubIndication::SigCryptoFailure,
            e.to_string(),
        )),
    }
    // The timeStamp: a valid one moves the time the certificates are judged at.
    let verified = report
        .checks
        .iter()
        .any(|c| c.check == "signature" && c.indication == crate::verify::Indication::TotalPassed);
    let proven = stamp.time_stamp.as_ref().and_then(|token| {
        crate::tsp::proof::check_token(
            Ok(token.clone()),
            stamp.signature_value(),
            trust,
            at,
            report,
        )
    });
    let judged =
        if verified { crate::tsp::proof::judged_at(proven, trust, at, report) } else { None };
    let (at, trust) = match &judged {
        Some((t, moved)) => (*t, moved),
        None => (at, trust),
    };
    let signer = signer.map_err(|e| e.to_string());
    check_seal_use(
        &stamp.seal,
        stamp.signer_certificate_der(),
        signer.as_ref(),
        stamp.time_parsed,
        trust,
        at,
        report,
    );
}

/// Only a seal-making authority makes seals: its certificate carries the seal-maker role,
/// or the verifier names it (`Trust::seal_makers`). Anything else that chains to a root
/// (an agency's own seal certificate, a licence issuer) may not.
fn maker_role(maker: &crate::pki::Certificate, trust: &Trust) -> CheckOutcome {
    use crate::pki::role::{Role, has_role, same_certificate};
    let who = crate::pki::display_name(maker.tbs_certificate().subject());
    if trust.seal_makers.iter().any(|m| same_certificate(m, maker)) {
        CheckOutcome::passed(
            "seal-maker-role",
            format!("\"{who}\" is a seal maker the verifier names"),
        )
    } else if has_role(maker, Role::SealMaker) {
        CheckOutcome::passed(
            "seal-maker-role",
            format!("\"{who}\" carries the seal-maker role ({})", Role::SealMaker.oid()),
        )
    } else {
        CheckOutcome::indeterminate(
            "seal-maker-role",
            SubIndication::ChainConstraintsFailure,
            format!(
                "the seal's maker \"{who}\" is not known as a seal-making authority: its \
                 certificate lacks the seal-maker role ({}) and the verifier names no such maker \
                 (--seal-maker)",
                Role::SealMaker.oid()
            ),
        )
    }
}

/// How far a claimed signing time may lie after the validation time (clock skew).
const CLOCK_SKEW_SECS: u64 = 300;

/// The stamping time a stamp claims: not after the validation time (beyond clock skew),
/// and inside the stamper's certificate validity. Without a timestamp it is the stamper's
/// claim, and the report says so.
fn signing_time(
    t: UnixTime,
    cert: &crate::pki::Certificate,
    at: UnixTime,
    proven: Option<&str>,
) -> CheckOutcome {
    let v = crate::pki::Validity::of(cert);
    if t.as_secs() > at.as_secs() + CLOCK_SKEW_SECS {
        CheckOutcome::failed(
            "signing-time",
            SubIndication::SigConstraintsFailure,
            format!("the stamp claims it was made at {t}, after the validation time {at}"),
        )
    } else if t < v.not_before || t > v.not_after {
        CheckOutcome::failed(
            "signing-time",
            SubIndication::SigConstraintsFailure,
            format!(
                "the stamp claims it was made at {t}, outside the stamper's certificate validity \
                 ({} to {}): the time was set back or forward",
                v.not_before, v.not_after
            ),
        )
    } else {
        CheckOutcome::passed(
            "signing-time",
            match proven {
                Some(p) => format!(
                    "{t}, as the stamper claims it; a timestamp proves the stamp existed at {p}"
                ),
                None => format!("{t}, as the stamper claims it (no timestamp proves it)"),
            },
        )
    }
}

/// The checks every stamp format shares once its own signature is checked: the seal (see
/// [`check_seal`], at the stamping time), that the stamper is one of the seal's holders,
/// and the stamper's chain at `at`.
pub fn check_seal_use(
    seal: &Seal,
    signer_der: &[u8],
    signer: Result<&crate::pki::Certificate, &String>,
    stamped_at: Option<UnixTime>,
    trust: &Trust,
    at: UnixTime,
    report: &mut SignatureReport,
) {
    check_seal(seal, trust, at, stamped_at, report);
    if seal.binds(signer_der) {
        report.push(CheckOutcome::passed(
            "seal-holder",
            "the stamper's certificate is one of the seal's holders",
        ));
    } else {
        let why = match &seal.cert_list {
            CertList::Other { detail } => {
                format!(" (the list cannot be read as certificates or digests: {detail})")
            }
            _ => String::new(),
        };
        report.push(CheckOutcome::failed(
            "seal-holder",
            SubIndication::SealInvalid,
            format!("the stamper's certificate is not in the seal's certificate list{why}"),
        ));
    }
    if let (Some(t), Ok(cert)) = (stamped_at, &signer) {
        let proven = report.proven_time.clone();
        report.push(signing_time(t, cert, at, proven.as_deref()));
    }
    match signer {
        Ok(cert) => {
            let mut intermediates = trust.intermediates.clone();
            intermediates.extend(seal.holder_certificates());
            intermediates.extend(seal.holder_chain().iter().cloned());
            let opts = Options::for_trust(Purpose::Seal, trust);
            let p =
                path::validate_with(cert, &intermediates, &trust.anchors, &trust.crls, at, &opts);
            push_path(report, "signer-chain", &p);
        }
        Err(e) => report.push(CheckOutcome::failed(
            "signer-chain",
            SubIndication::FormatFailure,
            e.clone(),
        )),
    }
}
