//! What a signature timestamp proves (ETSI EN 319 102-1 §5.5): a token over a signature's
//! value that verifies shows the signature existed at its time, so the signer's
//! certificates are judged at that time, with revocation evidence up to the verifier's
//! own. Every format that carries signature timestamps (CAdES and PAdES, JAdES-style JSON
//! stamps, GB/T 38540 stamps) reports and uses them the same way.

use super::Timestamp;
use crate::error::Result;
use crate::time::UnixTime;
use crate::verify::{CheckOutcome, Indication, SignatureReport, SubIndication, Trust};

/// Verifies `token` over `signature` (the bytes it timestamps) at `at`, pushes one
/// `timestamp` check saying what it proves or why it does not hold, and returns the time
/// it proves.
pub(crate) fn check_token(
    token: Result<Vec<u8>>,
    signature: &[u8],
    trust: &Trust,
    at: UnixTime,
    report: &mut SignatureReport,
) -> Option<UnixTime> {
    let outcome = token.and_then(|t| super::token::verify_over(&t, signature, trust, at));
    push(outcome, report)
}

fn push(
    outcome: Result<(Timestamp, SignatureReport)>,
    report: &mut SignatureReport,
) -> Option<UnixTime> {
    match outcome {
        Ok((ts, r)) if r.indication == Indication::TotalPassed => {
            let tsa = r.signer.as_ref().map_or("?", |s| s.subject.as_str()).to_owned();
            report.push(CheckOutcome::passed(
                "timestamp",
                format!(
                    "a signature timestamp by \"{tsa}\" proves the signature existed at {} \
                     (serial {}, policy {})",
                    ts.time, ts.serial, ts.policy
                ),
            ));
            Some(ts.time)
        }
        Ok((ts, r)) => {
            let why: Vec<String> = r
                .checks
                .iter()
                .filter(|c| c.indication != Indication::TotalPassed)
                .map(|c| format!("{}: {}", c.check, c.detail))
                .collect();
            report.push(CheckOutcome::with(
                "timestamp",
                (r.indication, r.sub_indication),
                format!("the signature timestamp of {} does not hold: {}", ts.time, why.join("; ")),
            ));
            None
        }
        Err(e) => {
            report.push(CheckOutcome::failed(
                "timestamp",
                SubIndication::FormatFailure,
                format!("a signature timestamp cannot be read: {e}"),
            ));
            None
        }
    }
}

/// The time and trust the signer's certificates are judged at: with `proven` (the
/// earliest time a valid timestamp proves, not after `at`), that time, CRLs up to the
/// verifier's time counting as evidence, and the report says so (`proven_time`, a
/// `validation-time` check); otherwise `at` and `trust` as they are.
pub(crate) fn judged_at(
    proven: Option<UnixTime>,
    trust: &Trust,
    at: UnixTime,
    report: &mut SignatureReport,
) -> Option<(UnixTime, Trust)> {
    let t = proven.filter(|t| *t <= at)?;
    report.proven_time = Some(t.to_string());
    report.push(CheckOutcome::passed(
        "validation-time",
        format!(
            "the signer's certificates are judged at {t}, when the timestamp proves the \
             signature existed (the validation time is {at})"
        ),
    ));
    // Evidence up to the verifier's own time (this may already be a time proven by a
    // later document timestamp).
    let until = trust.evidence_until.map_or(at, |u| u.max(at));
    Some((t, Trust { evidence_until: Some(until), ..trust.clone() }))
}
