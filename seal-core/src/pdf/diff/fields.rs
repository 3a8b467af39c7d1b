//! Rules for the interactive form: fields added (only signature fields, signed in their
//! own revision), fields filled in, signature fields signed, appearance streams replaced or
//! redrawn (only a field's own, never one shared with other objects), and field locks.

use std::collections::BTreeMap;

use super::annots::appended;
use super::form;
use super::rules::{Ctx, dicts};
use super::view::View;
use super::{Change, Level};
use crate::Result;
use crate::pdf::file::Source;
use crate::pdf::object::{Dict, Object, Ref, decode_text};

/// The form's /Fields may only gain new fields at its end.
pub(super) fn fields_growth<S: Source>(
    c: &Ctx<'_, '_, S>,
    x: &[Object],
    y: &[Object],
) -> Result<Vec<Change>> {
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

/// A field added in this revision: only a signature field, signed in this revision (or
/// empty and invisible).
pub(super) fn new_field<S: Source>(c: &Ctx<'_, '_, S>, r: Ref) -> Result<Vec<Change>> {
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
pub(super) fn level_of_signature<S: Source>(c: &Ctx<'_, '_, S>, v: Ref) -> Result<Level> {
    Ok(match c.rev.after.get(v)? {
        Object::Dict(d) if d.is("Type", "DocTimeStamp") || d.is("SubFilter", "ETSI.RFC3161") => {
            Level::Lta
        }
        _ => Level::Signing,
    })
}

/// True if a widget shows nothing: no /AP, a zero-size /Rect, or a hidden flag.
pub(super) fn empty_appearance<S: Source>(view: &View<'_, S>, w: &Dict) -> Result<bool> {
    let rect: Vec<f64> = view.array(w, "Rect")?.iter().filter_map(Object::as_f64).collect();
    let zero = matches!(rect[..], [a, b, c, d] if (c - a).abs() < 0.01 || (d - b).abs() < 0.01);
    let hidden = view.get_key(w, "F")?.as_i64().is_some_and(|f| f & 2 != 0);
    Ok(zero || hidden || w.get("AP").is_none())
}

/// A field or widget that existed before.
pub(super) fn field<S: Source>(
    c: &Ctx<'_, '_, S>,
    r: Ref,
    b: &Object,
    a: &Object,
) -> Result<Option<Vec<Change>>> {
    let Some((x, y)) = dicts(b, a) else { return Ok(None) };
    if !(x.get("FT").is_some()
        || x.is("Subtype", "Widget")
        || (x.get("T").is_some() && x.get("Subtype").is_none()))
    {
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
        let signing = match y.get("V").and_then(Object::as_ref) {
            Some(v) => c.rev.genuine_signature(v)?,
            None => false,
        };
        if !signing && !empty_appearance(&c.rev.after, y)? {
            return Ok(Some(vec![Change::content(format!(
                "update {n}: signature field \"{name}\", unsigned, was given a visible appearance \
                 ({list}): it shows something no signature vouches for"
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
                "AP" => out.push(Change::content(format!(
                    "update {n}: signature field \"{name}\" shows an appearance that existed \
                     before or that other objects use too"
                ))),
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

pub(super) fn resolved_ap<S: Source>(view: &View<'_, S>, d: &Dict) -> Result<Dict> {
    let mut d = d.clone();
    if let Some(Object::Ref(ap)) = d.get("AP").cloned() {
        d.set("AP", view.get(ap)?);
    }
    Ok(d)
}

/// A field value as a person would read it in the report.
pub(super) fn shown<S: Source>(view: &View<'_, S>, v: Option<&Object>) -> Result<String> {
    Ok(match v.map(|o| view.resolve(o)).transpose()? {
        Some(Object::String(s)) => format!("\"{}\"", decode_text(&s)),
        Some(Object::Name(n)) => format!("/{}", String::from_utf8_lossy(&n)),
        Some(Object::Array(a)) => format!("{} values", a.len()),
        Some(o) => format!("a {}", o.kind()),
        None => "nothing".into(),
    })
}

pub(super) fn users<'c, S: Source>(
    c: &'c Ctx<'_, '_, S>,
) -> Result<&'c BTreeMap<u32, Vec<(String, Ref)>>> {
    if let Some(u) = c.users.get() {
        return Ok(u);
    }
    let u = form::appearance_users(&c.rev.before, &c.cat_before)?;
    Ok(c.users.get_or_init(|| u))
}

/// An existing appearance stream redrawn in place: allowed for the one field that uses it
/// when that field is filled in this update; a stream shared by fields is not.
pub(super) fn appearance<S: Source>(
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
pub(super) fn shared<S: Source>(c: &Ctx<'_, '_, S>, widget: Ref, objs: &[Ref]) -> Result<String> {
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
pub(super) fn appearance_objects<S: Source>(view: &View<'_, S>, w: &Dict) -> Result<Vec<Ref>> {
    let mut objs: Vec<Ref> = w.get("AP").and_then(Object::as_ref).into_iter().collect();
    objs.extend(form::appearance_refs(&resolved_ap(view, w)?));
    Ok(objs)
}

/// A widget's /AP may be replaced when the new appearance is written in this revision
/// and the old one was the widget's alone.
pub(super) fn replaceable<S: Source>(
    c: &Ctx<'_, '_, S>,
    widget: Ref,
    x: &Dict,
    y: &Dict,
) -> Result<bool> {
    let old = appearance_objects(&c.rev.before, x)?;
    let new = appearance_objects(&c.rev.after, y)?;
    let fresh = new.iter().all(|a| c.rev.is_new(*a) || old.contains(a));
    Ok(fresh && shared(c, widget, &old)?.is_empty())
}
