//! Verifying the signatures of a PDF, and what changed after each of them.
//!
//! Each signature is checked for the attack classes of "1 Trillion Dollar Refund" (Mladenov
//! et al., 2019): universal signature forgery (no, empty or zeroed `/Contents`, a missing
//! or degenerate `/ByteRange`), signature wrapping (the gap in the ByteRange must be exactly
//! the signature dictionary's own `/Contents`, and the signed bytes must end at the end of a
//! revision), incremental saving (every object a later revision defines is compared with
//! the signed revision's) and bytes outside the signed range (anything after it must be an
//! incremental update that the cross-reference chain reaches).

use std::path::Path;

use super::file::{Entry, PdfFile, Section, Source};
use super::object::{Dict, Object, Ref};
use super::{DocMdp, catalog, diff, doc_mdp, fields, transform_p};
use crate::digest::HashAlg;
use crate::error::{Result, ResultExt};
use crate::stamp::cms::{self, Detached};
use crate::time::UnixTime;
use crate::verify::{CheckOutcome, Report, SignatureReport, SubIndication, Trust};

/// Verifies every signature in the PDF at `path`.
pub fn verify(path: &Path, trust: &Trust, at: UnixTime) -> Result<Report> {
    let pdf = PdfFile::open(path).in_file(path)?;
    let name = path.display().to_string();
    let sigs = verify_pdf(&pdf, &name, trust, at).in_file(path)?;
    Ok(Report::new(name, at, sigs))
}

/// Verifies every signature in a PDF held in memory; `name` names it in the report.
pub fn verify_bytes(data: &[u8], name: &str, trust: &Trust, at: UnixTime) -> Result<Report> {
    let pdf = PdfFile::from_source(data)?;
    let sigs = verify_pdf(&pdf, name, trust, at)?;
    Ok(Report::new(name.to_string(), at, sigs))
}

fn verify_pdf<S: Source>(
    pdf: &PdfFile<S>,
    name: &str,
    trust: &Trust,
    at: UnixTime,
) -> Result<Vec<SignatureReport>> {
    let (_, cat) = catalog(pdf)?;
    let mdp = doc_mdp(pdf, &cat)?;
    // Certificates in the document security store (/DSS, ETSI EN 319 142-1 §5.4) help build
    // paths, as untrusted candidates.
    let stored = super::dss::Stored::read(pdf, &cat);
    let widened;
    let trust = if stored.is_empty() {
        trust
    } else {
        let mut t = trust.clone();
        t.intermediates.extend(stored.certs);
        t.ocsp.extend(stored.ocsp);
        t.crls.extend(stored.crls);
        widened = t;
        &widened
    };
    // The signature fields, and what each signs: the end of its byte range, and for a
    // document timestamp the start of its own /Contents.
    let mut sigs: Vec<(super::Field, Option<Span>)> = Vec::new();
    for f in fields(pdf, &cat)? {
        if f.ft.as_deref() != Some(b"Sig") || f.dict.get("V").is_none() {
            continue; // not a signature field, or an empty one
        }
        let span = match f.dict.get("V") {
            Some(Object::Ref(r)) => span(pdf, *r),
            _ => None,
        };
        sigs.push((f, span));
    }
    // Newest first: a valid document timestamp proves that everything it covers existed at
    // its time, so what it covers is judged at that time instead of the validation time
    // (ETSI EN 319 102-1 §5.6.2.1, past signature validation), with revocation evidence
    // up to the validation time. This is how a B-LTA document outlives the certificates
    // of its signatures and earlier timestamps.
    let mut order: Vec<usize> = (0..sigs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(sigs[i].1.map_or(0, |s| s.end)));
    let mut proofs: Vec<Proof> = Vec::new();
    let mut reports: Vec<Option<SignatureReport>> = (0..sigs.len()).map(|_| None).collect();
    let mut seen: std::collections::HashMap<Ref, String> = Default::default();
    for i in order {
        let (f, sp) = &sigs[i];
        let mut report = SignatureReport::new(format!("signature field \"{}\"", f.name), "PAdES");
        let proof = sp.and_then(|s| {
            proofs.iter().filter(|p| p.gap_start >= s.end && p.time < at).min_by_key(|p| p.time)
        });
        let moved;
        let (trust_i, at_i) = match proof {
            Some(p) => {
                report.push(CheckOutcome::passed(
                    "proof-of-existence",
                    format!(
                        "judged at {}: the document timestamp in field \"{}\" proves this \
                         signature existed then (the validation time is {at})",
                        p.time, p.field
                    ),
                ));
                let until = trust.evidence_until.map_or(at, |u| u.max(at));
                moved = Trust { evidence_until: Some(until), ..trust.clone() };
                (&moved, p.time)
            }
            None => (trust, at),
        };
        match f.dict.get("V") {
            Some(Object::Ref(sig_ref)) => {
                verify_one(pdf, name, &f.dict, *sig_ref, mdp, trust_i, at_i, &mut report)?;
                if let Some(first) = seen.insert(*sig_ref, f.name.clone()) {
                    report.push(CheckOutcome::failed(
                        "format",
                        SubIndication::FormatFailure,
                        format!(
                            "this field shows the signature of field \"{first}\" (the same \
                             signature dictionary): one signature cannot seal two fields"
                        ),
                    ));
                }
            }
            _ => report.push(CheckOutcome::failed(
                "format",
                SubIndication::FormatFailure,
                "the signature dictionary is not an indirect object, so its /Contents cannot be \
                 located",
            )),
        }
        if let Some(s) = sp
            && let Some(time) = s.document_timestamp.then(|| proven(&report)).flatten()
        {
            proofs.push(Proof { gap_start: s.gap_start, time, field: f.name.clone() });
        }
        reports[i] = Some(report);
    }
    let mut out: Vec<SignatureReport> = reports.into_iter().flatten().collect();
    // Said in every signature's report: what the reader had to repair.
    let repairs = pdf.repairs();
    if !repairs.is_empty() {
        for r in &mut out {
            r.push(CheckOutcome::passed(
                "pdf-structure",
                format!("read with repairs, as pyHanko and qpdf read it: {}", repairs.join("; ")),
            ));
        }
    }
    Ok(out)
}

/// What a signature dictionary's /ByteRange signs.
#[derive(Debug, Clone, Copy)]
struct Span {
    /// Where its /Contents gap starts.
    gap_start: u64,
    /// Where the signed bytes end.
    end: u64,
    /// A document timestamp (SubFilter ETSI.RFC3161).
    document_timestamp: bool,
}

/// A valid document timestamp: it proves that the bytes before its /Contents existed at
/// `time`.
struct Proof {
    gap_start: u64,
    time: UnixTime,
    field: String,
}

/// The span of the signature dictionary `r`, if its /ByteRange can be read (the full
/// checks are [`verify_one`]'s).
fn span<S: Source>(pdf: &PdfFile<S>, r: Ref) -> Option<Span> {
    let Ok(Object::Dict(d)) = pdf.get(r) else { return None };
    let Ok(Object::Array(range)) = pdf.get_key(&d, "ByteRange") else { return None };
    let n: Vec<u64> = range
        .iter()
        .map(|o| o.as_i64().and_then(|v| u64::try_from(v).ok()))
        .collect::<Option<_>>()?;
    let [0, b, c, len] = n[..] else { return None };
    Some(Span {
        gap_start: b,
        end: c.checked_add(len)?,
        document_timestamp: d.is("SubFilter", "ETSI.RFC3161"),
    })
}

/// The time a passed document timestamp's report proves.
fn proven(report: &SignatureReport) -> Option<UnixTime> {
    if report.indication != crate::verify::Indication::TotalPassed {
        return None;
    }
    report.proven_time.as_deref()?.parse().ok()
}

#[allow(clippy::too_many_arguments)]
fn verify_one<S: Source>(
    pdf: &PdfFile<S>,
    name: &str,
    field: &Dict,
    sig_ref: Ref,
    mdp: Option<(Ref, DocMdp)>,
    trust: &Trust,
    at: UnixTime,
    report: &mut SignatureReport,
) -> Result<()> {
    let fail = |report: &mut SignatureReport, check: &'static str, detail: String| {
        report.push(CheckOutcome::failed(check, SubIndication::FormatFailure, detail));
    };
    // Where the signature dictionary is, and where its /Contents value is in the file.
    let (offset, section) = match pdf.entry_in(sig_ref.num, |_| true) {
        Some((Entry::At(off, _), section)) => (off, section),
        Some((Entry::InStream(..), _)) => {
            fail(
                report,
                "format",
                "the signature dictionary is inside an object stream, so its \
                 /Contents cannot be left out of the signed bytes"
                    .into(),
            );
            return Ok(());
        }
        _ => {
            fail(
                report,
                "format",
                format!("the signature dictionary (object {}) does not exist", sig_ref.num),
            );
            return Ok(());
        }
    };
    let parsed = pdf.parse_at(offset, |p| {
        p.uint()?;
        p.uint()?;
        p.keyword("obj")?;
        let (d, spans) = p.dict_with_spans()?;
        let end = p.offset();
        let span = spans.into_iter().find(|(k, _, _)| k == b"Contents").map(|(_, s, e)| (s, e));
        Ok((d, span, end))
    });
    let (dict, contents_span, obj_end) = match parsed {
        Ok(v) => v,
        Err(e) => {
            fail(report, "format", format!("the signature dictionary cannot be read: {e}"));
            return Ok(());
        }
    };
    let sub_filter =
        dict.get("SubFilter").and_then(Object::as_name).map(<[u8]>::to_vec).unwrap_or_default();
    let sub_filter = String::from_utf8_lossy(&sub_filter).into_owned();
    report.format = format!("PAdES ({sub_filter})");
    match sub_filter.as_str() {
        "ETSI.CAdES.detached" | "adbe.pkcs7.detached" | "adbe.pkcs7.sha1" => {}
        "ETSI.RFC3161" => report.format = "PAdES document timestamp (ETSI.RFC3161)".into(),
        other => {
            report.push(CheckOutcome::failed(
                "format",
                SubIndication::CryptoConstraintsFailure,
                format!(
                    "SubFilter \"{other}\" is not supported (only CMS detached signatures are)"
                ),
            ));
            return Ok(());
        }
    }

    // The ByteRange: [0 b c d], the gap exactly the /Contents value, ending a revision.
    let len = pdf.len();
    let range: Option<Vec<i64>> = match pdf.get_key(&dict, "ByteRange")? {
        Object::Array(a) => a.iter().map(Object::as_i64).collect(),
        _ => None,
    };
    let Some(range) = range else {
        fail(
            report,
            "byte-range",
            "there is no /ByteRange array of integers (universal signature forgery)".into(),
        );
        return Ok(());
    };
    let [a, b, c, d] = range[..] else {
        fail(report, "byte-range", format!("the /ByteRange has {} numbers, not 4", range.len()));
        return Ok(());
    };
    if a != 0 || b <= 0 || c <= b || d < 0 {
        fail(
            report,
            "byte-range",
            format!(
                "the /ByteRange [{a} {b} {c} {d}] is degenerate: it must start at 0 and leave one gap"
            ),
        );
        return Ok(());
    }
    let (b, c, d) = (b as u64, c as u64, d as u64);
    let Some(end) = c.checked_add(d).filter(|&e| e <= len) else {
        fail(
            report,
            "byte-range",
            format!("the /ByteRange runs past the end of the file ({len} bytes)"),
        );
        return Ok(());
    };
    match contents_span {
        Some((s, e)) if s == b && e == c => {}
        Some((s, e)) => {
            fail(
                report,
                "byte-range",
                format!(
                    "the gap in the /ByteRange (bytes {b}..{c}) is not this signature's /Contents \
                 (bytes {s}..{e}): the signed bytes were moved (signature wrapping)"
                ),
            );
            return Ok(());
        }
        None => {
            fail(
                report,
                "byte-range",
                "the signature has no /Contents (universal signature forgery)".into(),
            );
            return Ok(());
        }
    }
    if obj_end > end || section >= end {
        fail(
            report,
            "byte-range",
            "the signature dictionary lies outside the bytes it signs: \
             it was replaced after signing"
                .into(),
        );
        return Ok(());
    }
    let tail = pdf.read_bytes(end.saturating_sub(40), (end.min(40)) as usize)?;
    let trimmed = trim_end(&tail);
    if !trimmed.ends_with(b"%%EOF") {
        fail(
            report,
            "byte-range",
            format!(
                "the signed bytes end at {end}, which is not the end of a revision (%%EOF): \
             the signature covers part of the document only"
            ),
        );
        return Ok(());
    }
    let later: Vec<&Section> = pdf.sections.iter().filter(|s| s.offset >= end).collect();
    let rest =
        if end < len { pdf.read_bytes(end, (len - end).min(64) as usize)? } else { Vec::new() };
    let whole = end == len
        || (later.is_empty() && rest.iter().all(|b| b.is_ascii_whitespace()) && len - end < 64);
    report.covers = if whole {
        format!("the whole of {name} except the signature ({len} bytes)")
    } else {
        format!("bytes 0..{end} of {name} ({len} bytes): {} later revision(s) follow", later.len())
    };
    report.push(CheckOutcome::passed(
        "byte-range",
        if whole {
            format!("the /ByteRange covers the whole file except exactly its /Contents (bytes {b}..{c})")
        } else {
            format!("the /ByteRange covers a whole revision (bytes 0..{end}) except exactly its /Contents")
        },
    ));

    // The CMS in /Contents.
    let Some(Object::String(contents)) = dict.get("Contents") else {
        fail(report, "signature", "/Contents is not a string (universal signature forgery)".into());
        return Ok(());
    };
    let der = match cms_der(contents) {
        Ok(der) => der,
        Err(why) => {
            fail(report, "signature", why);
            return Ok(());
        }
    };
    let claimed = match dict.get("M") {
        Some(Object::String(m)) => parse_pdf_date(m),
        _ => None,
    };
    let ctx = Detached {
        purpose: crate::pki::path::Purpose::Seal,
        id: report.id.clone(),
        format: "PAdES",
        covers: report.covers.clone(),
        claimed_time: claimed,
    };
    let mut digest_of = |h: HashAlg| pdf.hash_ranges(&[(0, b), (c, end - c)], h);
    let inner = if sub_filter == "ETSI.RFC3161" {
        // A document timestamp (ETSI EN 319 142-1 §5.4): a token over the byte range.
        super::timestamp::verify(&der, &mut digest_of, trust, at).map(|r| vec![r])
    } else if sub_filter == "adbe.pkcs7.sha1" {
        // ISO 32000-1 §12.8.3.3: the CMS encapsulates the SHA-1 digest of the byte range.
        digest_of(HashAlg::Sha1)
            .and_then(|d| cms::verify_digest_envelope(&der, &ctx, &d, trust, at))
    } else {
        cms::verify_signed_data(&der, &ctx, &mut digest_of, trust, at)
    };
    match inner {
        Ok(inner) if inner.len() == 1 => {
            let Some(inner) = inner.into_iter().next() else { return Ok(()) };
            report.signer = inner.signer;
            report.seal = inner.seal;
            report.signing_time = inner.signing_time;
            report.proven_time = inner.proven_time;
            report.algorithm = inner.algorithm;
            if inner.format.contains("CAdES-B-T") {
                report.format = report.format.replacen("PAdES", "PAdES-B-T", 1);
            }
            for check in inner.checks {
                report.push(check);
            }
        }
        Ok(inner) => fail(
            report,
            "signature",
            format!("the CMS has {} signers; a PDF signature has one", inner.len()),
        ),
        Err(e) => {
            fail(report, "signature", format!("the signature in /Contents cannot be read: {e}"))
        }
    }

    // What changed after this signature, judged by the document's certification (which
    // binds every later change, whoever signs after it).
    let view = diff::View::new(pdf, &pdf.sections);
    let locks = diff::Locks::of(&view, field, &dict)?;
    let changes = diff::analyse(pdf, &diff::Signed { end, locks: &locks })?;
    let certifying = mdp.filter(|(r, _)| *r == sig_ref).map(|(_, p)| p);
    if let Some(p) = certifying {
        report.push(CheckOutcome::passed(
            "certification",
            format!(
                "certifies the document (DocMDP P={}: {})",
                p.p(),
                match p {
                    DocMdp::NoChanges => "no changes allowed",
                    DocMdp::FormFilling => "form filling and signing allowed",
                    DocMdp::Annotations => "form filling, signing and annotations allowed",
                }
            ),
        ));
    } else if transform_p(pdf, &dict)?.is_some() {
        fail(
            report,
            "certification",
            "the signature claims to certify the document, but the catalog's \
             /Perms does not name it"
                .into(),
        );
    }
    let allow = diff::Allow { annotations: trust.policy.allow_annotations };
    // A field lock's /P restricts what may follow this signature, like a certification.
    let lock = locks.p.map(|p| DocMdp::from_p(Some(p)));
    let permission = match (mdp.map(|(_, p)| p), lock) {
        (Some(a), Some(b)) => Some(if a.p() <= b.p() { a } else { b }),
        (a, b) => a.or(b),
    };
    report.push(diff::judge(&changes, permission, allow));
    Ok(())
}

/// The CMS in a `/Contents` string, as DER: its own length (DER, or BER with indefinite
/// lengths as LibreOffice writes it), the rest zero padding.
pub(super) fn cms_der(contents: &[u8]) -> std::result::Result<Vec<u8>, String> {
    if contents.iter().all(|&b| b == 0) {
        return Err(
            "/Contents is empty or all zeros: there is no signature (universal signature forgery)"
                .into(),
        );
    }
    if contents.first() != Some(&0x30) {
        return Err("/Contents is not a CMS signature (no SEQUENCE)".into());
    }
    let (der, used) = crate::ber::to_der(contents)
        .map_err(|e| format!("the CMS in /Contents cannot be read: {e}"))?;
    if contents[used..].iter().any(|&b| b != 0) {
        return Err("/Contents holds data after the CMS signature".into());
    }
    Ok(der.into_owned())
}

fn trim_end(b: &[u8]) -> &[u8] {
    let mut end = b.len();
    while end > 0 && matches!(b[end - 1], b'\r' | b'\n' | b' ' | b'\t' | b'\0') {
        end -= 1;
    }
    &b[..end]
}

/// A PDF date `D:YYYYMMDDHHmmSSOHH'mm`, with the parts after the year optional.
pub(crate) fn parse_pdf_date(s: &[u8]) -> Option<UnixTime> {
    let s = std::str::from_utf8(s).ok()?;
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() < 4 {
        return None;
    }
    let part =
        |r: std::ops::Range<usize>, default: &str| digits.get(r).unwrap_or(default).to_string();
    let text = format!(
        "{}-{}-{}T{}:{}:{}Z",
        part(0..4, "0000"),
        part(4..6, "01"),
        part(6..8, "01"),
        part(8..10, "00"),
        part(10..12, "00"),
        part(12..14, "00")
    );
    let t: UnixTime = text.parse().ok()?;
    let rest = &s[digits.len()..];
    let offset = match rest.chars().next() {
        Some(sign @ ('+' | '-')) => {
            let nums: String = rest[1..].chars().filter(char::is_ascii_digit).collect();
            let h: i64 = nums.get(0..2).and_then(|x| x.parse().ok()).unwrap_or(0);
            let m: i64 = nums.get(2..4).and_then(|x| x.parse().ok()).unwrap_or(0);
            let secs = h * 3600 + m * 60;
            if sign == '+' { secs } else { -secs }
        }
        _ => 0,
    };
    let secs = i64::try_from(t.as_secs()).ok()? - offset;
    format!("@{}", secs.max(0)).parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates() {
        assert_eq!(
            parse_pdf_date(b"D:20261122193000Z").map(|t| t.to_string()).as_deref(),
            Some("2026-11-22T19:30:00Z")
        );
        assert_eq!(
            parse_pdf_date(b"D:20261122193000+08'00'").map(|t| t.to_string()).as_deref(),
            Some("2026-11-22T11:30:00Z")
        );
        assert_eq!(
            parse_pdf_date(b"D:2026").map(|t| t.to_string()).as_deref(),
            Some("2026-01-01T00:00:00Z")
        );
        assert_eq!(parse_pdf_date(b"garbage"), None);
    }

    #[test]
    fn contents_must_hold_a_cms() {
        assert!(cms_der(&[0; 64]).unwrap_err().contains("universal signature forgery"));
        assert!(cms_der(&[]).unwrap_err().contains("universal signature forgery"));
        assert_eq!(cms_der(&[0x30, 0x02, 0x05, 0x00, 0, 0]).unwrap(), vec![0x30, 0x02, 0x05, 0x00]);
        assert!(cms_der(&[0x30, 0x02, 0x05, 0x00, 1]).is_err());
        assert!(cms_der(&[0x30, 0x05, 0x05, 0x00]).is_err());
    }
}
