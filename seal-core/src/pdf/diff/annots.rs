//! Rules for pages and their annotations: /Annots may only gain annotations at its end
//! (order decides what is painted on top) or lose comments; what each new annotation is
//! decides the level.

use std::cell::OnceCell;
use std::collections::HashSet;

use super::fields::{fields_growth, level_of_signature};
use super::form;
use super::rules::{Ctx, dicts};
use super::view::View;
use super::{Change, Level};
use crate::Result;
use crate::pdf::file::Source;
use crate::pdf::object::{Dict, Object, Ref};

pub(super) fn subtype(d: &Dict) -> String {
    String::from_utf8_lossy(d.get("Subtype").and_then(Object::as_name).unwrap_or(b"?")).into_owned()
}

/// `y` as `x` with items appended (no reordering, nothing removed, no duplicates): the
/// appended items.
pub(super) fn appended<'y>(x: &[Object], y: &'y [Object]) -> Option<&'y [Object]> {
    if y.len() < x.len() || y[..x.len()] != *x {
        return None;
    }
    let mut seen = HashSet::new();
    let unique = y.iter().all(|o| o.as_ref().is_none_or(|r| seen.insert(r)));
    unique.then(|| &y[x.len()..])
}

/// A page: its /Annots may change (see [`annots_growth`]), its tab order (/Tabs) and
/// /StructParents may be set for a new widget; nothing else.
pub(super) fn page<S: Source>(
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
        match key.as_str() {
            "Annots" => {
                let (xa, ya) = (c.rev.before.array(x, "Annots")?, c.rev.after.array(y, "Annots")?);
                out.extend(annots_growth(c, &format!("page object {}", r.num), &xa, &ya)?);
            }
            // Tab order by structure, which signers of tagged documents set: no visible
            // change. Another tab order changes how the form is navigated (as iText judges).
            "Tabs" if x.get("Tabs").is_none() && y.is("Tabs", "S") => out.push(Change::new(
                Level::Signing,
                format!("update {n}: page object {}: tab order set to the structure", r.num),
            )),
            "Tabs" => out.push(Change::new(
                Level::Annotation,
                format!("update {n}: page object {}: tab order (/Tabs) changed", r.num),
            )),
            "StructParents" if x.get("StructParents").is_none() => out.push(Change::new(
                Level::Signing,
                format!("update {n}: page object {}: linked to the structure tree", r.num),
            )),
            _ => out.push(Change::content(format!(
                "update {n}: page object {}: /{key} changed",
                r.num
            ))),
        }
    }
    Ok(Some(out))
}

/// An indirect array: a page's /Annots or the form's /Fields.
pub(super) fn array<S: Source>(
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
pub(super) fn annots_growth<S: Source>(
    c: &Ctx<'_, '_, S>,
    what: &str,
    x: &[Object],
    y: &[Object],
) -> Result<Vec<Change>> {
    let n = c.rev.number;
    // y must be x, perhaps without some entries, then new ones: no reordering, no
    // duplicates.
    let kept: Vec<&Object> = x.iter().filter(|o| y.contains(o)).collect();
    let mut seen = HashSet::new();
    let unique = y.iter().all(|o| o.as_ref().is_none_or(|r| seen.insert(r)));
    let in_order = y.len() >= kept.len() && y[..kept.len()].iter().zip(&kept).all(|(a, b)| a == *b);
    if !unique || !in_order {
        return Ok(vec![Change::content(format!(
            "update {n}: {what}: /Annots was reordered or lists an annotation twice (which changes \
             what is painted on top)"
        ))]);
    }
    let added = &y[kept.len()..];
    let mut out = Vec::new();
    for gone in x.iter().filter(|o| !y.contains(o)) {
        let d = c.rev.before.resolve(gone)?;
        let d = d.as_dict().cloned().unwrap_or_default();
        if d.is("Subtype", "Widget") {
            let (name, _) = form::identify(&c.rev.before, &d)?;
            out.push(Change::content(format!(
                "update {n}: the widget of field \"{name}\" was removed from {what}, which hides \
                 its value"
            )));
        } else {
            out.push(Change::new(
                Level::Annotation,
                format!("update {n}: a {} annotation was removed from {what}", subtype(&d)),
            ));
        }
    }
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

/// An annotation other than a widget: a change to it is at the annotation level.
pub(super) fn annotation<S: Source>(
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
