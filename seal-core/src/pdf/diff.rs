//! What changed in a PDF after a signature, and whether that was allowed: a policy of
//! whitelist rules in the shape of pyHanko's difference analysis.
//!
//! Every revision after the signed one is compared with the revision before it. Each
//! object the revision redefines or deletes must be explained by a rule (`diff::rules`),
//! which names what the change is and its [`Level`]; whatever no rule explains is a change
//! of the document's content. New objects matter through the changed objects that
//! reference them, and the rules judge them there (a new annotation through the page's
//! /Annots, a new field through the form's /Fields). Around the rules:
//!
//! - the cross-reference chain must still contain the signed revision, unchanged, and no
//!   section inside the signed bytes may be brought into the chain later;
//! - every object written after the signed bytes must be listed where it is by the
//!   cross-reference sections (`diff::scan`), or a repairing reader could show it;
//! - a later signature counts only if its field, widget, appearance and signature
//!   dictionary are all written in the revision it signs.
//!
//! [`judge`] then weighs the changes against what is allowed: the document's certification
//! (DocMDP), or for an uncertified document what pyHanko allows by default, with
//! annotations only when the verifier asks ([`Allow`]). The README states the policy.

mod annots;
mod fields;
mod form;
mod rules;
mod scan;
mod structure;
mod view;

pub(crate) use form::Locks;
pub(crate) use view::View;

use super::DocMdp;
use super::file::{PdfFile, Section, Source};
use super::object::Ref;
use crate::Result;
use crate::verify::{CheckOutcome, SubIndication};

/// How far a change after signing goes, from harmless to content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    /// Validation data (/DSS), document metadata, the PDF version: allowed even under
    /// "no changes" (PAdES, ETSI EN 319 142-1 §5.4).
    Lta,
    /// A later signature: its field, widget, appearance and signature dictionary.
    Signing,
    /// An existing form field filled in.
    FormFill,
    /// An annotation added or changed.
    Annotation,
    /// Anything else: the document's content.
    Content,
}

/// One change after the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change {
    pub level: Level,
    pub what: String,
}

impl Change {
    pub fn new(level: Level, what: impl Into<String>) -> Change {
        Change { level, what: what.into() }
    }

    pub fn content(what: impl Into<String>) -> Change {
        Change::new(Level::Content, what)
    }
}

/// What a verifier accepts on uncertified documents beyond the default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Allow {
    /// New or changed annotations (comments).
    pub annotations: bool,
}

/// The signature being judged.
pub(crate) struct Signed<'a> {
    /// Where its signed bytes end.
    pub end: u64,
    /// The fields it locks.
    pub locks: &'a Locks,
}

/// Every change after the signature whose signed bytes end at `signed.end`.
pub(crate) fn analyse<S: Source>(pdf: &PdfFile<S>, signed: &Signed<'_>) -> Result<Vec<Change>> {
    let end = signed.end;
    let mut out = Vec::new();
    // The signed revision's own startxref, and the chain from it.
    let Some(signed_xref) = startxref_before(pdf, end)? else {
        return Ok(vec![Change::content("the signed bytes do not end with a startxref")]);
    };
    let Some(idx) = pdf.sections.iter().position(|s| s.offset == signed_xref).or_else(|| {
        // A repaired startxref (a few bytes off): the newest section inside the signed bytes.
        pdf.sections.iter().position(|s| s.offset < end)
    }) else {
        return Ok(vec![Change::content(
            "the cross-reference chain no longer reaches the signed revision",
        )]);
    };
    let (later, signed_chain) = pdf.sections.split_at(idx);
    if signed_chain.iter().any(|s| s.offset >= end) {
        out.push(Change::content(
            "a cross-reference section written after the signature is chained into the signed \
             revision",
        ));
    }
    if later.iter().any(|s| s.offset < end) {
        out.push(Change::content(
            "a cross-reference section inside the signed bytes, not part of the signed revision, \
             was brought into the chain",
        ));
    }
    if later.is_empty() {
        let rest = pdf.len() - end;
        if rest > 0 {
            let tail = pdf.read_bytes(end, rest.min(4096) as usize)?;
            if rest > 4096 || !tail.iter().all(|b| b.is_ascii_whitespace() || *b == 0) {
                out.push(Change::content(format!(
                    "{rest} bytes after the signed range are not an incremental update the \
                     document's cross-reference chain reaches"
                )));
            }
        }
        return Ok(out);
    }
    // A file that needed repairs is one viewers rebuild by scanning: then an object the
    // signed revision defines twice (hidden before signing) could be the one they show.
    if !pdf.repairs().is_empty() {
        let all: Vec<&Section> = pdf.sections.iter().collect();
        for (num, at) in scan::unlisted(pdf, 0, &all)?.into_iter().filter(|(_, at)| *at < end) {
            out.push(Change::content(format!(
                "the file needed repairs, and object {num} is also defined at offset {at}, where \
                 no cross-reference section lists it: a reader rebuilding the table could show \
                 that definition instead (a shadow attack)"
            )));
        }
    }
    let later_refs: Vec<&Section> = later.iter().collect();
    for (num, at) in scan::unlisted(pdf, end, &later_refs)? {
        out.push(Change::content(format!(
            "object {num} is written at offset {at} after the signature, but no cross-reference \
             section lists it there: a reader that rebuilds the table would show it (a hidden \
             object)"
        )));
    }
    // Oldest first: revision k is later[k], compared with everything older.
    for k in (0..later.len()).rev() {
        let rev_end = if k == 0 { pdf.len() } else { later[k - 1].offset };
        let rev = rules::Revision {
            before: View::new(pdf, &pdf.sections[k + 1..]),
            after: View::new(pdf, &pdf.sections[k..]),
            section: &later[k],
            end: rev_end,
            number: later.len() - k,
            locks: signed.locks,
        };
        out.extend(rules::judge_revision(&rev)?);
    }
    Ok(out)
}

/// The offset the last `startxref` before `end` names.
fn startxref_before<S: Source>(pdf: &PdfFile<S>, end: u64) -> Result<Option<u64>> {
    let from = end.saturating_sub(1024);
    let tail = pdf.read_bytes(from, (end - from) as usize)?;
    let Some(at) = tail.windows(9).rposition(|w| w == b"startxref") else { return Ok(None) };
    let digits: String = tail[at + 9..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| b as char)
        .collect();
    Ok(digits.parse().ok())
}

/// The verdict on what changed after a signature, given the document's certification.
pub(crate) fn judge(changes: &[Change], certified: Option<DocMdp>, allow: Allow) -> CheckOutcome {
    let allowed = |l: Level| match (certified, l) {
        (_, Level::Lta) => true,
        (_, Level::Content) | (Some(DocMdp::NoChanges), _) => false,
        (Some(DocMdp::Annotations), _) => true,
        (Some(DocMdp::FormFilling), l) => l != Level::Annotation,
        (None, Level::Annotation) => allow.annotations,
        (None, _) => true,
    };
    let details = |pred: &dyn Fn(Level) -> bool| {
        let mut v: Vec<&str> =
            changes.iter().filter(|c| pred(c.level)).map(|c| c.what.as_str()).collect();
        v.dedup();
        v.join("; ")
    };
    let forbidden = details(&|l| !allowed(l));
    if !forbidden.is_empty() {
        let worst = changes.iter().filter(|c| !allowed(c.level)).map(|c| c.level).max();
        let what = match (worst, certified) {
            (Some(Level::Content), _) => {
                "the document's content was changed after this signature".to_string()
            }
            (Some(Level::Annotation), None) => "annotations were added or changed after this \
                signature (allowed only with --allow annotations)"
                .to_string(),
            (_, Some(p)) => format!(
                "the document was changed after this signature in a way its certification \
                 (DocMDP P={}) forbids",
                p.p()
            ),
            _ => "the document was changed after this signature".to_string(),
        };
        return CheckOutcome::failed(
            "modifications",
            SubIndication::FormatFailure,
            format!("{what}: {forbidden}"),
        );
    }
    let all = details(&|_| true);
    CheckOutcome::passed(
        "modifications",
        match changes.iter().map(|c| c.level).max() {
            None => "nothing was changed after this signature".to_string(),
            Some(Level::Lta) => {
                format!("after this signature, only validation data or metadata ({all})")
            }
            Some(Level::Signing) => format!("only signatures were added after this one ({all})"),
            Some(Level::FormFill) => {
                format!("after this signature, form fields were filled in ({all})")
            }
            Some(Level::Annotation | Level::Content) => {
                format!("after this signature, annotations were added or changed ({all})")
            }
        },
    )
}

/// The signature dictionary `r` as a later revision defines it signs that revision: its
/// /ByteRange ends inside (start, end].
pub(crate) fn signs_revision<S: Source>(
    view: &View<'_, S>,
    r: Ref,
    start: u64,
    end: u64,
) -> Result<bool> {
    let obj = view.get(r)?;
    let Some(d) = obj.as_dict() else { return Ok(false) };
    let range: Vec<i64> = view.array(d, "ByteRange")?.iter().filter_map(|o| o.as_i64()).collect();
    let [0, _, c, l] = range[..] else { return Ok(false) };
    let e = c.saturating_add(l);
    Ok(e > 0 && (e as u64) > start && (e as u64) <= end)
}
