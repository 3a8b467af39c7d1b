//! The whitelist: each rule recognises one kind of change an update may make (validation
//! data, metadata, the form, a page's annotations, a field, an annotation, an appearance
//! stream) and says what it is and at which [`Level`]. A changed object no rule claims is a
//! change of the document's content.

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap, HashSet};

use super::form::{self, Locks};
use super::view::View;
use super::{Change, Level, signs_revision};
use crate::Result;
use crate::digest::HashAlg;
use crate::pdf::file::{Section, Source};
use crate::pdf::object::{Dict, Object, Ref, decode_text};

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
    fn is_new(&self, r: Ref) -> bool {
        self.section.entries.contains_key(&r.num) && !self.before.defines(r.num)
    }

    /// True if this revision writes object `r`.
    fn writes(&self, r: Ref) -> bool {
        self.section.entries.contains_key(&r.num)
    }

    /// True if `v` is a signature dictionary made in this revision that signs it.
    fn genuine_signature(&self, v: Ref) -> Result<bool> {
        Ok(self.is_new(v) && signs_revision(&self.after, v, self.section.offset, self.end)?)
    }
}

struct Ctx<'r, 'a, S: Source> {
    rev: &'r Revision<'a, S>,
    root: Ref,
    cat_before: Dict,
    /// Appearance stream → the widgets (field name, widget) using it, before this revision.
    users: OnceCell<BTreeMap<u32, Vec<(String, Ref)>>>,
    /// Who references each object, before this revision.
    referrers: OnceCell<HashMap<u32, Vec<u32>>>,
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
    let rules: [Rule<S>; 9] =
        [catalog, metadata, dss, acroform, page, array, field, annotation, appearance];
    let mut nums: Vec<u32> = rev.section.entries.keys().copied().collect();
    nums.sort_unstable();
    'objects: for num in nums {
        if !rev.before.defines(num) {
            continue; // new: judged where a changed object references it
        }
        let r = Ref::new(num);
        if !rev.after.defines(num) {
            out.push(Change::content(format!("update {}: object {num} was deleted", rev.number)));
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

fn dicts<'o>(a: &'o Object, b: &'o Object) -> Option<(&'o Dict, &'o Dict)> {
    match (a, b) {
        (Object::Dict(x), Object::Dict(y)) => Some((x, y)),
        _ => None,
    }
}

fn subtype(d: &Dict) -> String {
    String::from_utf8_lossy(d.get("Subtype").and_then(Object::as_name).unwrap_or(b"?")).into_owned()
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

/// The form's /Fields may only gain new fields at its end.
fn fields_growth<S: Source>(c: &Ctx<'_, '_, S>, x: &[Object], y: &[Object]) -> Result<Vec<Change>> {
    let n = c.rev.number;
    let Some(added) = appended(x, y) else {
        return Ok(vec![Change::content(format!(
            "update {n}: the form's /Fields was reordered, shortened or lists a field twice"
        ))]);
    };
    let mut out = Vec::new();
    for item in added {
        match item.as_ref() {
            Some(r) if c.rev.is_new(r) => out.extend(new_field(c, r)?),
            _ => out.push(Change::content(format!(
                "update {n}: the form's /Fields lists a field that existed before a second time"
            ))),
        }
    }
    Ok(out)
}

/// `y` as `x` with items appended (no reordering, nothing removed, no duplicates): the
/// appended items.
fn appended<'y>(x: &[Object], y: &'y [Object]) -> Option<&'y [Object]> {
    if y.len() < x.len() || y[..x.len()] != *x {
        return None;
    }
    let mut seen = HashSet::new();
    let unique = y.iter().all(|o| o.as_ref().is_none_or(|r| seen.insert(r)));
    unique.then(|| &y[x.len()..])
}

/// A field added in this revision: only a signature field, signed in this revision (or
/// empty and invisible).
fn new_field<S: Source>(c: &Ctx<'_, '_, S>, r: Ref) -> Result<Vec<Change>> {
    let n = c.rev.number;
    let Object::Dict(d) = c.rev.after.get(r)? else {
        return Ok(vec![Change::content(format!("update {n}: the form lists a non-dictionary"))]);
    };
    let (name, ft) = form::identify(&c.rev.after, &d)?;
    if ft.as_deref() != Some(b"Sig") {
        return Ok(vec![Change::content(format!(
            "update {n}: a new form field \"{name}\" was added (form filling allows only filling \
             in existing fields)"
        ))]);
    }
    let mut widgets = Vec::new();
    if d.is("Subtype", "Widget") {
        widgets.push((r, d.clone()));
    }
    for k in c.rev.after.array(&d, "Kids")?.iter().filter_map(Object::as_ref) {
        if let Object::Dict(kd) = c.rev.after.get(k)? {
            widgets.push((k, kd));
        }
    }
    match d.get("V") {
        None | Some(Object::Null) => {
            for (_, w) in &widgets {
                if !empty_appearance(&c.rev.after, w)? {
                    return Ok(vec![Change::content(format!(
                        "update {n}: an unsigned signature field \"{name}\" with a visible \
                         appearance was added"
                    ))]);
                }
            }
            Ok(vec![Change::new(
                Level::Signing,
                format!("update {n}: empty signature field \"{name}\" added"),
            )])
        }
        Some(Object::Ref(v)) if c.rev.genuine_signature(*v)? => {
            for (wr, w) in &widgets {
                let stale = !c.rev.is_new(*wr)
                    || form::appearance_refs(w).iter().any(|a| !c.rev.is_new(*a));
                if stale {
                    return Ok(vec![Change::content(format!(
                        "update {n}: signature field \"{name}\" shows a widget or appearance that \
                         existed before its signature"
                    ))]);
                }
            }
            Ok(vec![Change::new(
                level_of_signature(c, *v)?,
                format!("update {n}: signature field \"{name}\" added and signed"),
            )])
        }
        Some(_) => Ok(vec![Change::content(format!(
            "update {n}: signature field \"{name}\" points at a signature that is not one made in \
             this update (a field showing another signature's result)"
        ))]),
    }
}

/// Document timestamps are validation data; other signatures are signatures.
fn level_of_signature<S: Source>(c: &Ctx<'_, '_, S>, v: Ref) -> Result<Level> {
    Ok(match c.rev.after.get(v)? {
        Object::Dict(d) if d.is("Type", "DocTimeStamp") || d.is("SubFilter", "ETSI.RFC3161") => {
            Level::Lta
        }
        _ => Level::Signing,
    })
}

/// True if a widget shows nothing: no /AP, a zero-size /Rect, or a hidden flag.
fn empty_appearance<S: Source>(view: &View<'_, S>, w: &Dict) -> Result<bool> {
    let rect: Vec<f64> = view.array(w, "Rect")?.iter().filter_map(Object::as_f64).collect();
    let zero = matches!(rect[..], [a, b, c, d] if (c - a).abs() < 0.01 || (d - b).abs() < 0.01);
    let hidden = view.get_key(w, "F")?.as_i64().is_some_and(|f| f & 2 != 0);
    Ok(zero || hidden || w.get("AP").is_none())
}

/// A page: only its /Annots may change, by annotations appended at the end.
fn page<S: Source>(
    c: &Ctx<'_, '_, S>,
    r: Ref,
    b: &Object,
    a: &Object,
) -> Result<Option<Vec<Change>>> {
    let Some((x, y)) = dicts(b, a) else { return Ok(None) };
    if !x.is("Type", "Page") {
        return Ok(None);
    }
    let n = c.rev.number;
    let mut out = Vec::new();
    for key in x.differing_keys(y) {
        if key == "Annots" {
            let (xa, ya) = (c.rev.before.array(x, "Annots")?, c.rev.after.array(y, "Annots")?);
            out.extend(annots_growth(c, &format!("page object {}", r.num), &xa, &ya)?);
        } else {
            out.push(Change::content(format!("update {n}: page object {}: /{key} changed", r.num)));
        }
    }
    Ok(Some(out))
}

/// An indirect array: a page's /Annots or the form's /Fields.
fn array<S: Source>(
    c: &Ctx<'_, '_, S>,
    r: Ref,
    b: &Object,
    a: &Object,
) -> Result<Option<Vec<Change>>> {
    let (Object::Array(x), Object::Array(y)) = (b, a) else { return Ok(None) };
    let form = c.rev.before.get_key(&c.cat_before, "AcroForm")?;
    if form.as_dict().and_then(|f| f.get("Fields")).and_then(Object::as_ref) == Some(r) {
        return fields_growth(c, x, y).map(Some);
    }
    let annotation = |o: &Object, v: &View<'_, S>| -> Result<bool> {
        Ok(v.resolve(o)?
            .as_dict()
            .is_some_and(|d| d.get("Subtype").is_some() && d.get("Rect").is_some()))
    };
    let mut all = true;
    for o in x {
        all &= annotation(o, &c.rev.before)?;
    }
    if x.is_empty() || !all {
        return Ok(None);
    }
    annots_growth(c, &format!("annotation array {}", r.num), x, y).map(Some)
}

/// A page's annotations may only gain new ones at the end (order decides which is painted
/// on top); what each new one is decides the level.
fn annots_growth<S: Source>(
    c: &Ctx<'_, '_, S>,
    what: &str,
    x: &[Object],
    y: &[Object],
) -> Result<Vec<Change>> {
    let n = c.rev.number;
    let Some(added) = appended(x, y) else {
        return Ok(vec![Change::content(format!(
            "update {n}: {what}: /Annots was reordered, shortened or lists an annotation twice \
             (which changes what is painted on top)"
        ))]);
    };
    let mut out = Vec::new();
    let form_nodes: OnceCell<HashSet<Ref>> = OnceCell::new();
    for item in added {
        let Some(r) = item.as_ref().filter(|r| c.rev.is_new(*r)) else {
            out.push(Change::content(format!(
                "update {n}: {what} now lists an annotation that existed before (shown a second \
                 time, or moved from another page)"
            )));
            continue;
        };
        let Object::Dict(d) = c.rev.after.get(r)? else {
            out.push(Change::content(format!("update {n}: {what}: a non-dictionary annotation")));
            continue;
        };
        if !d.is("Subtype", "Widget") {
            out.push(Change::new(
                Level::Annotation,
                format!("update {n}: a {} annotation was added on {what}", subtype(&d)),
            ));
            continue;
        }
        let (name, ft) = form::identify(&c.rev.after, &d)?;
        let nodes = match form_nodes.get() {
            Some(n) => n,
            None => {
                let cat = c.rev.after.catalog()?.map(|(_, d)| d).unwrap_or_default();
                let set = form::nodes(&c.rev.after, &cat)?.into_iter().map(|n| n.r).collect();
                form_nodes.get_or_init(|| set)
            }
        };
        if !nodes.contains(&r) {
            out.push(Change::content(format!(
                "update {n}: a widget (\"{name}\") was added on {what} outside the form: no field \
                 owns it"
            )));
        } else if ft.as_deref() == Some(b"Sig") {
            let v = match c.rev.after.get_key(&d, "V")? {
                Object::Null => match d.get("Parent") {
                    Some(p) => c
                        .rev
                        .after
                        .resolve(p)?
                        .as_dict()
                        .and_then(|p| p.get("V"))
                        .and_then(Object::as_ref),
                    None => None,
                },
                _ => d.get("V").and_then(Object::as_ref),
            };
            let level = match v {
                Some(v) => level_of_signature(c, v)?,
                None => Level::Signing,
            };
            out.push(Change::new(
                level,
                format!("update {n}: the widget of signature field \"{name}\" on {what}"),
            ));
        } else {
            out.push(Change::content(format!(
                "update {n}: a widget of form field \"{name}\" was added on {what}"
            )));
        }
    }
    Ok(out)
}

/// A field or widget that existed before.
fn field<S: Source>(
    c: &Ctx<'_, '_, S>,
    r: Ref,
    b: &Object,
    a: &Object,
) -> Result<Option<Vec<Change>>> {
    let Some((x, y)) = dicts(b, a) else { return Ok(None) };
    if !(x.get("FT").is_some() || x.is("Subtype", "Widget") || x.get("T").is_some()) {
        return Ok(None);
    }
    let n = c.rev.number;
    let (name, ft) = form::identify(&c.rev.before, x)?;
    let keys = x.differing_keys(y);
    let list = keys.iter().map(|k| format!("/{k}")).collect::<Vec<_>>().join(", ");
    if c.rev.locks.locks(&name) {
        return Ok(Some(vec![Change::content(format!(
            "update {n}: field \"{name}\" is locked by this signature (FieldMDP) and changed \
             ({list})"
        ))]));
    }
    if ft.as_deref() == Some(b"Sig") {
        let own_v = |d: &Dict| d.get("V").is_some_and(|v| !matches!(v, Object::Null));
        let parent_signed = match c.rev.before.get_key(x, "Parent")? {
            Object::Dict(p) => own_v(&p),
            _ => false,
        };
        if own_v(x) || parent_signed {
            return Ok(Some(vec![Change::content(format!(
                "update {n}: signature field \"{name}\", already signed, changed ({list})"
            ))]));
        }
        let mut out = Vec::new();
        for key in &keys {
            match key.as_str() {
                "V" => match y.get("V").and_then(Object::as_ref) {
                    Some(v) if c.rev.genuine_signature(v)? => out.push(Change::new(
                        level_of_signature(c, v)?,
                        format!("update {n}: signature field \"{name}\" signed"),
                    )),
                    _ => out.push(Change::content(format!(
                        "update {n}: signature field \"{name}\" was given a /V that is not a \
                         signature made in this update"
                    ))),
                },
                "AP" if replaceable(c, r, x, y)? => out.push(Change::new(
                    Level::Signing,
                    format!("update {n}: signature field \"{name}\" drawn"),
                )),
                "AS" | "MK" => out.push(Change::new(
                    Level::Signing,
                    format!("update {n}: signature field \"{name}\" drawn"),
                )),
                other => out.push(Change::content(format!(
                    "update {n}: signature field \"{name}\": /{other} changed"
                ))),
            }
        }
        return Ok(Some(out));
    }
    let mut out = Vec::new();
    for key in &keys {
        match key.as_str() {
            "V" => out.push(Change::new(
                Level::FormFill,
                format!(
                    "update {n}: field \"{name}\" filled in: now {}",
                    shown(&c.rev.after, y.get("V"))?
                ),
            )),
            "AS" => out.push(Change::new(
                Level::FormFill,
                format!(
                    "update {n}: field \"{name}\" switched to {} (an appearance prepared before \
                     signing)",
                    shown(&c.rev.after, y.get("AS"))?
                ),
            )),
            "AP" if y.get("AP").is_none() => out.push(Change::content(format!(
                "update {n}: field \"{name}\" lost its appearance (/AP removed): viewers redraw it \
                 from its value, which can show what was hidden before signing"
            ))),
            "AP" => {
                if replaceable(c, r, x, y)? {
                    out.push(Change::new(
                        Level::FormFill,
                        format!("update {n}: field \"{name}\" redrawn"),
                    ));
                } else {
                    out.push(Change::content(format!(
                        "update {n}: field \"{name}\" now shows an appearance stream other fields \
                         (or nothing) used before"
                    )));
                }
            }
            other => out.push(Change::content(format!(
                "update {n}: form field \"{name}\": /{other} changed"
            ))),
        }
    }
    Ok(Some(out))
}

fn resolved_ap<S: Source>(view: &View<'_, S>, d: &Dict) -> Result<Dict> {
    let mut d = d.clone();
    if let Some(Object::Ref(ap)) = d.get("AP").cloned() {
        d.set("AP", view.get(ap)?);
    }
    Ok(d)
}

/// A field value as a person would read it in the report.
fn shown<S: Source>(view: &View<'_, S>, v: Option<&Object>) -> Result<String> {
    Ok(match v.map(|o| view.resolve(o)).transpose()? {
        Some(Object::String(s)) => format!("\"{}\"", decode_text(&s)),
        Some(Object::Name(n)) => format!("/{}", String::from_utf8_lossy(&n)),
        Some(Object::Array(a)) => format!("{} values", a.len()),
        Some(o) => format!("a {}", o.kind()),
        None => "nothing".into(),
    })
}

/// An annotation other than a widget: a change to it is at the annotation level.
fn annotation<S: Source>(
    c: &Ctx<'_, '_, S>,
    r: Ref,
    b: &Object,
    a: &Object,
) -> Result<Option<Vec<Change>>> {
    let Some((x, y)) = dicts(b, a) else { return Ok(None) };
    if !(x.get("Subtype").is_some() && x.get("Rect").is_some()) {
        return Ok(None);
    }
    let keys: Vec<String> = x.differing_keys(y).iter().map(|k| format!("/{k}")).collect();
    Ok(Some(vec![Change::new(
        Level::Annotation,
        format!(
            "update {}: {} annotation {} changed ({})",
            c.rev.number,
            subtype(x),
            r.num,
            keys.join(", ")
        ),
    )]))
}

fn users<'c, S: Source>(c: &'c Ctx<'_, '_, S>) -> Result<&'c BTreeMap<u32, Vec<(String, Ref)>>> {
    if let Some(u) = c.users.get() {
        return Ok(u);
    }
    let u = form::appearance_users(&c.rev.before, &c.cat_before)?;
    Ok(c.users.get_or_init(|| u))
}

/// An existing appearance stream redrawn in place: allowed for the one field that uses it
/// when that field is filled in this update; a stream shared by fields is not.
fn appearance<S: Source>(
    c: &Ctx<'_, '_, S>,
    r: Ref,
    b: &Object,
    _: &Object,
) -> Result<Option<Vec<Change>>> {
    if !matches!(b, Object::Stream(_)) {
        return Ok(None);
    }
    let n = c.rev.number;
    let Some(u) = users(c)?.get(&r.num) else { return Ok(None) };
    if u.len() > 1 {
        let names: Vec<&str> = u.iter().map(|(n, _)| n.as_str()).collect();
        return Ok(Some(vec![Change::content(format!(
            "update {n}: appearance stream {} shared by fields {} was overwritten, which changes how \
             each of them looks",
            r.num,
            names.join(", ")
        ))]));
    }
    let (name, widget) = &u[0];
    // Anything else that uses the stream (a page, the catalog, another annotation) would
    // change with it.
    let mut objs = vec![r];
    if let Object::Dict(w) = c.rev.before.get(*widget)? {
        objs.extend(w.get("AP").and_then(Object::as_ref));
    }
    let others = shared(c, *widget, &objs)?;
    if !others.is_empty() {
        return Ok(Some(vec![Change::content(format!(
            "update {n}: appearance stream {} of field \"{name}\" was overwritten, but {others} \
             use(s) it too, and change with it",
            r.num
        ))]));
    }
    if c.rev.locks.locks(name) {
        return Ok(Some(vec![Change::content(format!(
            "update {n}: the appearance of field \"{name}\", locked by this signature (FieldMDP), \
             was redrawn"
        ))]));
    }
    // The widget, or a field above it, must be part of this update.
    let mut d = c.rev.before.get(*widget)?;
    let mut touched = c.rev.writes(*widget);
    for _ in 0..32 {
        let Some(p) = d.as_dict().and_then(|x| x.get("Parent")).and_then(Object::as_ref) else {
            break;
        };
        touched |= c.rev.writes(p);
        d = c.rev.before.get(p)?;
    }
    Ok(Some(vec![if touched {
        Change::new(Level::FormFill, format!("update {n}: field \"{name}\" redrawn"))
    } else {
        Change::content(format!(
            "update {n}: the appearance of field \"{name}\" was redrawn without the field being \
             filled in"
        ))
    }]))
}

/// What else, beside `widget` and `objs` themselves, referenced any of `objs` before this
/// revision ("" if nothing): appearance objects a page, the catalog or the trailer also use
/// may not be replaced or redrawn as if they were the field's alone.
fn shared<S: Source>(c: &Ctx<'_, '_, S>, widget: Ref, objs: &[Ref]) -> Result<String> {
    let index = match c.referrers.get() {
        Some(i) => i,
        None => {
            let i = c.rev.before.referrers()?;
            c.referrers.get_or_init(|| i)
        }
    };
    let mut others: Vec<u32> = objs
        .iter()
        .flat_map(|o| index.get(&o.num).into_iter().flatten().copied())
        .filter(|&from| from != widget.num && !objs.iter().any(|o| o.num == from))
        .collect();
    others.sort_unstable();
    others.dedup();
    Ok(others
        .iter()
        .map(|&o| if o == 0 { "the trailer".to_string() } else { format!("object {o}") })
        .collect::<Vec<_>>()
        .join(", "))
}

/// The appearance objects of a widget: its /AP if indirect, and the streams it names.
fn appearance_objects<S: Source>(view: &View<'_, S>, w: &Dict) -> Result<Vec<Ref>> {
    let mut objs: Vec<Ref> = w.get("AP").and_then(Object::as_ref).into_iter().collect();
    objs.extend(form::appearance_refs(&resolved_ap(view, w)?));
    Ok(objs)
}

/// A widget's /AP may be replaced when the new appearance is written in this revision
/// and the old one was the widget's alone.
fn replaceable<S: Source>(c: &Ctx<'_, '_, S>, widget: Ref, x: &Dict, y: &Dict) -> Result<bool> {
    let old = appearance_objects(&c.rev.before, x)?;
    let new = appearance_objects(&c.rev.after, y)?;
    let fresh = new.iter().all(|a| c.rev.is_new(*a) || old.contains(a));
    Ok(fresh && shared(c, widget, &old)?.is_empty())
}
