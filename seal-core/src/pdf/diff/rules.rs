//! The whitelist: each rule recognises one kind of change an update may make (validation
//! data, metadata, the form, a page's annotations, a field, an annotation, an appearance
//! stream) and says what it is and at which [`Level`]. A changed object no rule claims is a
//! change of the document's content.

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};

use super::annots::{annotation, array, page};
use super::fields::{appearance, field, fields_growth};
use super::form::Locks;
use super::structure::structure;
use super::view::View;
use super::{Change, Level, signs_revision};
use crate::Result;
use crate::digest::HashAlg;
use crate::pdf::file::{Entry, Section, Source};
use crate::pdf::object::{Dict, Object, Ref};

/// One revision after the signature, with the revision before it.
pub(super) struct Revision<'a, S: Source> {
    pub before: View<'a, S>,
    pub after: View<'a, S>,
    pub section: &'a Section,
    /// Where the revision's bytes end (the next revision's start, or the end of the file).
    pub end: u64,
    /// 1 for the first update after the signature.
    pub number: usize,
    pub locks: &'a Locks,
}

impl<S: Source> Revision<'_, S> {
    /// True if this revision writes object `r` and no earlier one defined it.
    pub(super) fn is_new(&self, r: Ref) -> bool {
        self.section.entries.contains_key(&r.num) && !self.before.defines(r.num)
    }

    /// True if this revision writes object `r`.
    pub(super) fn writes(&self, r: Ref) -> bool {
        self.section.entries.contains_key(&r.num)
    }

    /// True if `v` is a signature dictionary made in this revision that signs it.
    pub(super) fn genuine_signature(&self, v: Ref) -> Result<bool> {
        Ok(self.is_new(v) && signs_revision(&self.after, v, self.section.offset, self.end)?)
    }
}

pub(super) struct Ctx<'r, 'a, S: Source> {
    pub rev: &'r Revision<'a, S>,
    pub root: Ref,
    pub cat_before: Dict,
    /// Appearance stream → the widgets (field name, widget) using it, before this revision.
    pub users: OnceCell<BTreeMap<u32, Vec<(String, Ref)>>>,
    /// Who references each object, before this revision.
    pub referrers: OnceCell<HashMap<u32, Vec<u32>>>,
}

type Rule<S> =
    for<'r, 'a> fn(&Ctx<'r, 'a, S>, Ref, &Object, &Object) -> Result<Option<Vec<Change>>>;

/// Every change revision `rev` makes, explained or not.
pub(super) fn judge_revision<S: Source>(rev: &Revision<'_, S>) -> Result<Vec<Change>> {
    let mut out = Vec::new();
    let (bt, at) = (rev.before.trailer(), rev.after.trailer());
    for key in ["Root", "Encrypt"] {
        if bt.get(key) != at.get(key) {
            out.push(Change::content(format!(
                "update {}: the trailer's /{key} changed",
                rev.number
            )));
        }
    }
    let Some((root, _)) = rev.after.catalog()? else {
        out.push(Change::content(format!("update {}: the document has no catalog", rev.number)));
        return Ok(out);
    };
    let ctx = Ctx {
        rev,
        root,
        cat_before: rev.before.catalog()?.map(|(_, d)| d).unwrap_or_default(),
        users: OnceCell::new(),
        referrers: OnceCell::new(),
    };
    let rules: [Rule<S>; 10] =
        [catalog, metadata, dss, acroform, page, array, field, annotation, structure, appearance];
    let mut nums: Vec<u32> = rev.section.entries.keys().copied().collect();
    nums.sort_unstable();
    'objects: for num in nums {
        if !rev.before.defines(num) {
            continue; // new: judged where a changed object references it
        }
        let r = Ref::new(num);
        if !rev.after.defines(num) {
            out.push(deleted(&ctx, num)?);
            continue;
        }
        // A new generation of an object leaves every "N 0 R" pointing at nothing.
        if generation(&rev.before, num) != generation(&rev.after, num) {
            out.push(Change::content(format!(
                "update {}: object {num} was given another generation number, so references \
                 to it find nothing",
                rev.number
            )));
            continue;
        }
        let before = rev.before.get(r).unwrap_or(Object::Null);
        let after = rev.after.get(r)?;
        if same(rev, &before, &after)? {
            continue;
        }
        for rule in rules {
            if let Some(changes) = rule(&ctx, r, &before, &after)? {
                out.extend(changes);
                continue 'objects;
            }
        }
        out.push(Change::content(format!(
            "update {}: object {num} (a {}) changed, which no allowed kind of update explains",
            rev.number,
            before.kind()
        )));
    }
    Ok(out)
}

fn generation<S: Source>(view: &View<'_, S>, num: u32) -> Option<u16> {
    match view.entry(num) {
        Some(Entry::At(_, g)) => Some(g),
        Some(Entry::InStream(..)) => Some(0),
        _ => None,
    }
}

/// A deleted object is harmless only when nothing in the new revision still references
/// it (readers would read `null` there: a page without its content, say).
fn deleted<S: Source>(c: &Ctx<'_, '_, S>, num: u32) -> Result<Change> {
    let n = c.rev.number;
    let used = c.rev.after.referrers()?.remove(&num).unwrap_or_default();
    Ok(if used.is_empty() {
        Change::new(Level::Lta, format!("update {n}: object {num}, no longer used, was deleted"))
    } else {
        Change::content(format!(
            "update {n}: object {num} was deleted but is still used (by {}): readers see null \
             there",
            used.iter()
                .map(|o| if *o == 0 { "the trailer".into() } else { format!("object {o}") })
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

/// True if two versions of an object are the same (streams: same dictionary and bytes).
fn same<S: Source>(rev: &Revision<'_, S>, a: &Object, b: &Object) -> Result<bool> {
    if a != b {
        return Ok(false);
    }
    if let (Object::Stream(x), Object::Stream(y)) = (a, b) {
        if x.data_start == y.data_start {
            return Ok(true);
        }
        let pdf = rev.after.pdf;
        let (lx, ly) = (pdf.stream_len(x)?, pdf.stream_len(y)?);
        return Ok(lx == ly
            && pdf.hash_ranges(&[(x.data_start, lx)], HashAlg::Sha256)?
                == pdf.hash_ranges(&[(y.data_start, ly)], HashAlg::Sha256)?);
    }
    Ok(true)
}

pub(super) fn dicts<'o>(a: &'o Object, b: &'o Object) -> Option<(&'o Dict, &'o Dict)> {
    match (a, b) {
        (Object::Dict(x), Object::Dict(y)) => Some((x, y)),
        _ => None,
    }
}

/// The catalog: validation data and metadata may change; the form is judged field by field.
fn catalog<S: Source>(
    c: &Ctx<'_, '_, S>,
    r: Ref,
    b: &Object,
    a: &Object,
) -> Result<Option<Vec<Change>>> {
    if r != c.root {
        return Ok(None);
    }
    let Some((x, y)) = dicts(b, a) else { return Ok(None) };
    let n = c.rev.number;
    let mut out = Vec::new();
    for key in x.differing_keys(y) {
        match key.as_str() {
            "DSS" | "Extensions" => {
                out.push(Change::new(Level::Lta, format!("update {n}: validation data (/{key})")))
            }
            // Signers raise the version (pyHanko does) and refresh the XMP metadata.
            "Version" | "Metadata" => {
                out.push(Change::new(Level::Lta, format!("update {n}: document metadata (/{key})")))
            }
            "AcroForm" => match (x.get("AcroForm"), y.get("AcroForm")) {
                (Some(Object::Ref(_)), _) => out.push(Change::content(format!(
                    "update {n}: the catalog's /AcroForm was replaced"
                ))),
                (before, after) => {
                    let before = match before {
                        Some(o) => c.rev.before.resolve(o)?,
                        None => Object::Null,
                    };
                    let after = match after {
                        Some(o) => c.rev.after.resolve(o)?,
                        None => Object::Null,
                    };
                    let empty = Dict::new();
                    let (bx, ay) =
                        (before.as_dict().unwrap_or(&empty), after.as_dict().unwrap_or(&empty));
                    out.extend(form_changes(c, bx, ay)?);
                }
            },
            other => {
                out.push(Change::content(format!("update {n}: the catalog's /{other} changed")))
            }
        }
    }
    Ok(Some(out))
}

/// The document information dictionary and the XMP metadata stream.
fn metadata<S: Source>(
    c: &Ctx<'_, '_, S>,
    r: Ref,
    _: &Object,
    _: &Object,
) -> Result<Option<Vec<Change>>> {
    let info = c.rev.before.trailer().get("Info").and_then(Object::as_ref);
    let xmp = c.cat_before.get("Metadata").and_then(Object::as_ref);
    Ok((Some(r) == info || Some(r) == xmp).then(|| {
        vec![Change::new(Level::Lta, format!("update {}: document metadata", c.rev.number))]
    }))
}

/// The document security store and its arrays (ETSI EN 319 142-1 §5.4).
fn dss<S: Source>(
    c: &Ctx<'_, '_, S>,
    r: Ref,
    _: &Object,
    _: &Object,
) -> Result<Option<Vec<Change>>> {
    let Some(dss) = c.cat_before.get("DSS") else { return Ok(None) };
    let mut parts: Vec<Ref> = dss.as_ref().into_iter().collect();
    if let Object::Dict(d) = c.rev.before.resolve(dss)? {
        parts.extend(d.0.iter().filter_map(|(_, v)| v.as_ref()));
        if let Object::Dict(vri) = c.rev.before.get_key(&d, "VRI")? {
            parts.extend(vri.0.iter().filter_map(|(_, v)| v.as_ref()));
        }
    }
    Ok(parts.contains(&r).then(|| {
        vec![Change::new(Level::Lta, format!("update {}: validation data (/DSS)", c.rev.number))]
    }))
}

/// An indirect AcroForm dictionary.
fn acroform<S: Source>(
    c: &Ctx<'_, '_, S>,
    r: Ref,
    b: &Object,
    a: &Object,
) -> Result<Option<Vec<Change>>> {
    if c.cat_before.get("AcroForm").and_then(Object::as_ref) != Some(r) {
        return Ok(None);
    }
    let Some((x, y)) = dicts(b, a) else { return Ok(None) };
    form_changes(c, x, y).map(Some)
}

fn form_changes<S: Source>(c: &Ctx<'_, '_, S>, x: &Dict, y: &Dict) -> Result<Vec<Change>> {
    let n = c.rev.number;
    let mut out = Vec::new();
    for key in x.differing_keys(y) {
        match key.as_str() {
            "Fields" => {
                let (xf, yf) = (c.rev.before.array(x, "Fields")?, c.rev.after.array(y, "Fields")?);
                out.extend(fields_growth(c, &xf, &yf)?);
            }
            "SigFlags" => {
                out.push(Change::new(Level::Signing, format!("update {n}: the form's /SigFlags")))
            }
            "NeedAppearances" if matches!(y.get("NeedAppearances"), Some(Object::Bool(true))) => {
                out.push(Change::content(format!(
                    "update {n}: the form now asks viewers to redraw every field from its value \
                     (/NeedAppearances true), which can show values hidden before signing"
                )))
            }
            "NeedAppearances" => out
                .push(Change::new(Level::Lta, format!("update {n}: the form's /NeedAppearances"))),
            "DR" | "DA" if x.get(&key).is_none() => out.push(Change::new(
                Level::Signing,
                format!("update {n}: the form's default resources (/{key}) were added"),
            )),
            "DR" | "DA" => out.push(Change::content(format!(
                "update {n}: the form's default resources (/{key}: fonts) changed, which changes \
                 how field values are drawn"
            ))),
            other => out.push(Change::content(format!("update {n}: the form's /{other} changed"))),
        }
    }
    Ok(out)
}
