//! Which parts of an OFD package a stamp covers, and whether that is all a reader shows.
//!
//! A stamp lists the digests of the parts it signs; an intact stamp says nothing about the
//! parts it leaves out. Following GB/T 33190, everything in the package determines what a
//! reader shows or what software reads from it, except the signature parts themselves
//! (the signature lists, each `Signature.xml`, its `SignedValue` and seal file), which
//! later stamps add. So a stamp passes this check only if:
//!
//! - the document OFD.xml shows (its `DocBody`'s `DocRoot`) is one the stamp covers, and,
//!   when OFD.xml itself is not covered, no other document body sits beside it;
//! - every other part is covered, or is a signature part, or is OFD.xml left unsigned with
//!   only its document information (`DocInfo`) free to differ and the verifier accepting
//!   that (`Policy::allow_ofd_metadata`).
//!
//! A shown document the stamp does not cover FAILS (a reader shows something unsigned in
//! place of the stamped document); other parts left out are INDETERMINATE (what they show
//! is not vouched for).

use std::collections::HashSet;

use super::xml::DocBody;
use crate::verify::{CheckOutcome, SubIndication};

/// What the package holds, for every stamp's check.
pub(super) struct Package<'a> {
    /// The file parts of the package.
    pub(super) files: &'a [String],
    /// The signature parts of every document (lists, signatures, signed values, seals).
    pub(super) signature_parts: &'a HashSet<String>,
    /// OFD.xml's document bodies.
    pub(super) bodies: &'a [DocBody],
    /// For each body, whether some stamp of its own covers its Document.xml.
    pub(super) body_stamped: &'a [bool],
    /// The verifier accepts an OFD.xml no stamp covers when only its DocInfo can differ.
    pub(super) allow_metadata: bool,
}

/// The most part names a report lists in one sentence.
const MAX_LISTED: usize = 12;

/// `names` as a short list: the first [`MAX_LISTED`], then how many more.
pub(super) fn list<'a>(names: impl IntoIterator<Item = &'a String>) -> String {
    let names: Vec<&String> = names.into_iter().collect();
    let mut out = names.iter().take(MAX_LISTED).map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
    if names.len() > MAX_LISTED {
        out.push_str(&format!(" and {} more", names.len() - MAX_LISTED));
    }
    out
}

/// The coverage check of one stamp of document body `body`, whose references name the
/// parts `covered`.
pub(super) fn check(pkg: &Package<'_>, body: usize, covered: &HashSet<String>) -> CheckOutcome {
    const CHECK: &str = "coverage";
    let failed = |d: String| CheckOutcome::failed(CHECK, SubIndication::FormatFailure, d);
    let Some(doc_root) = pkg.bodies.get(body).and_then(|b| b.doc_root.as_ref()) else {
        return failed("OFD.xml names no document (DocRoot) for this stamp's signatures".into());
    };
    if !covered.contains(doc_root) {
        let signed: Vec<&String> = covered.iter().filter(|p| p.ends_with("Document.xml")).collect();
        return failed(format!(
            "OFD.xml shows the document {doc_root}, which this stamp does not cover{}",
            if signed.is_empty() {
                String::new()
            } else {
                format!(" (it covers {})", list(signed))
            }
        ));
    }
    let ofd_covered = covered.contains("OFD.xml");
    if !ofd_covered {
        for (i, b) in pkg.bodies.iter().enumerate() {
            if i != body && !pkg.body_stamped.get(i).copied().unwrap_or(false) {
                return failed(format!(
                    "OFD.xml, which this stamp does not cover, also holds the document {} \
                     (document body {}), which no stamp covers: a reader may show it instead \
                     of the stamped one",
                    b.doc_root.as_deref().unwrap_or("(no DocRoot)"),
                    i + 1
                ));
            }
        }
    }
    // OFD.xml left unsigned holds nothing but metadata when it has this one body and no
    // other versions; the verifier may accept that.
    let metadata_only = !ofd_covered
        && pkg.bodies.len() == 1
        && !pkg.bodies[0].versions
        && pkg.files.iter().any(|f| f == "OFD.xml");
    let uncovered: Vec<&String> = pkg
        .files
        .iter()
        .filter(|f| !covered.contains(*f) && !pkg.signature_parts.contains(*f))
        .filter(|f| !(pkg.allow_metadata && metadata_only && f.as_str() == "OFD.xml"))
        .collect();
    let outside: Vec<&String> = pkg
        .files
        .iter()
        .filter(|f| pkg.signature_parts.contains(*f) && !covered.contains(*f))
        .collect();
    if !uncovered.is_empty() {
        let ofd_note = if uncovered.iter().any(|f| f.as_str() == "OFD.xml") {
            if metadata_only {
                "; OFD.xml holds the document information (DocInfo: an invoice's amounts and \
                 parties, for one), which may have changed: --allow ofd-metadata accepts that"
            } else {
                "; OFD.xml decides which document is shown"
            }
        } else {
            ""
        };
        return CheckOutcome::indeterminate(
            CHECK,
            SubIndication::FormatFailure,
            format!(
                "{} of the package's parts {} not covered by this stamp, so what {} is not \
                 vouched for: {}{ofd_note}",
                uncovered.len(),
                if uncovered.len() == 1 { "is" } else { "are" },
                if uncovered.len() == 1 { "it holds" } else { "they hold" },
                list(uncovered.iter().copied())
            ),
        );
    }
    let mut detail = format!(
        "the stamp covers every part that determines what is shown ({} parts)",
        covered.iter().filter(|c| pkg.files.contains(c)).count()
    );
    if !ofd_covered {
        detail.push_str(
            "; OFD.xml is not covered: its document information (DocInfo) was accepted \
             unsigned (--allow ofd-metadata)",
        );
    }
    if !outside.is_empty() {
        detail.push_str(&format!(
            "; outside it, as GB/T 33190 lets later signatures add them: the signature parts \
             {}",
            list(outside)
        ));
    }
    CheckOutcome::passed(CHECK, detail)
}
