//! The interactive form as one revision shows it: fields and their full names, which
//! appearance streams each widget uses, and the field locks (FieldMDP) of a signature.

use std::collections::{BTreeMap, HashSet};

use super::view::View;
use crate::Result;
use crate::pdf::file::Source;
use crate::pdf::object::{Dict, Object, Ref, decode_text};

/// One field or widget of the form tree.
pub(super) struct Node {
    pub r: Ref,
    pub name: String,
}

/// Every field and widget reachable from the AcroForm's /Fields (depth and count bounded).
pub(super) fn nodes<S: Source>(view: &View<'_, S>, cat: &Dict) -> Result<Vec<Node>> {
    let acro = view.get_key(cat, "AcroForm")?;
    let Some(acro) = acro.as_dict() else { return Ok(Vec::new()) };
    let mut stack: Vec<(Ref, String, usize)> = view
        .array(acro, "Fields")?
        .iter()
        .filter_map(Object::as_ref)
        .map(|r| (r, String::new(), 0))
        .collect();
    stack.reverse();
    let (mut out, mut seen) = (Vec::new(), HashSet::new());
    while let Some((r, prefix, depth)) = stack.pop() {
        if depth > 32 || out.len() > 100_000 || !seen.insert(r) {
            continue;
        }
        let Object::Dict(d) = view.get(r)? else { continue };
        let name = join(&prefix, &d);
        for k in view.array(&d, "Kids")?.iter().rev().filter_map(Object::as_ref) {
            stack.push((k, name.clone(), depth + 1));
        }
        out.push(Node { r, name });
    }
    Ok(out)
}

fn join(prefix: &str, d: &Dict) -> String {
    match d.get("T") {
        Some(Object::String(t)) if prefix.is_empty() => decode_text(t),
        Some(Object::String(t)) => format!("{prefix}.{}", decode_text(t)),
        _ => prefix.to_string(),
    }
}

/// The full name and (inherited) field type of a field or widget, through its /Parent chain.
pub(super) fn identify<S: Source>(
    view: &View<'_, S>,
    d: &Dict,
) -> Result<(String, Option<Vec<u8>>)> {
    let (mut parts, mut ft, mut d) = (Vec::new(), None, d.clone());
    for _ in 0..32 {
        if let Some(Object::String(t)) = d.get("T") {
            parts.push(decode_text(t));
        }
        if ft.is_none() {
            ft = d.get("FT").and_then(Object::as_name).map(<[u8]>::to_vec);
        }
        match view.get_key(&d, "Parent")? {
            Object::Dict(p) => d = p,
            _ => break,
        }
    }
    parts.reverse();
    Ok((parts.join("."), ft))
}

/// The appearance streams a widget's /AP names (/N, /D, /R, directly or per state).
pub(super) fn appearance_refs(d: &Dict) -> Vec<Ref> {
    let mut out = Vec::new();
    if let Some(Object::Dict(ap)) = d.get("AP") {
        for (_, v) in &ap.0 {
            match v {
                Object::Ref(r) => out.push(*r),
                Object::Dict(states) => out.extend(states.0.iter().filter_map(|(_, s)| s.as_ref())),
                _ => {}
            }
        }
    }
    out
}

/// For each appearance stream the form's widgets use, the fields (name, widget) using it.
pub(super) fn appearance_users<S: Source>(
    view: &View<'_, S>,
    cat: &Dict,
) -> Result<BTreeMap<u32, Vec<(String, Ref)>>> {
    let mut users: BTreeMap<u32, Vec<(String, Ref)>> = BTreeMap::new();
    for node in nodes(view, cat)? {
        if let Object::Dict(d) = view.get(node.r)? {
            // An indirect /AP dictionary is looked through too.
            let mut d = d;
            if let Some(Object::Ref(ap)) = d.get("AP").cloned() {
                d.set("AP", view.get(ap)?);
            }
            for r in appearance_refs(&d) {
                users.entry(r.num).or_default().push((node.name.clone(), node.r));
            }
        }
    }
    Ok(users)
}

/// Which fields a signature locks (ISO 32000-1 §12.8.2.4 FieldMDP, and the signature
/// field's /Lock, §12.7.4.5).
#[derive(Debug, Clone, Default)]
pub(crate) struct Locks {
    rules: Vec<(Vec<u8>, Vec<String>)>,
    /// The lock's /P (ISO 32000-2 §12.7.5.5): the DocMDP-like permission for every change
    /// after this signature, the strictest if several.
    pub p: Option<i64>,
}

impl Locks {
    /// The locks of the signature `sig` in the field `field` (both as the signed revision
    /// defines them).
    pub fn of<S: Source>(view: &View<'_, S>, field: &Dict, sig: &Dict) -> Result<Locks> {
        let mut rules = Vec::new();
        let mut p: Option<i64> = None;
        let mut add = |params: &Dict| -> Result<()> {
            if let Some(v) = params.get("P").and_then(Object::as_i64) {
                p = Some(p.map_or(v, |old| old.min(v)));
            }
            let action = params.get("Action").and_then(Object::as_name).unwrap_or(b"All").to_vec();
            let fields = view
                .array(params, "Fields")?
                .iter()
                .filter_map(|o| match o {
                    Object::String(s) => Some(decode_text(s)),
                    _ => None,
                })
                .collect();
            rules.push((action, fields));
            Ok(())
        };
        if let Object::Dict(lock) = view.get_key(field, "Lock")? {
            add(&lock)?;
        }
        for r in view.array(sig, "Reference")? {
            let Object::Dict(r) = view.resolve(&r)? else { continue };
            if r.is("TransformMethod", "FieldMDP")
                && let Object::Dict(p) = view.get_key(&r, "TransformParams")?
            {
                add(&p)?;
            }
        }
        Ok(Locks { rules, p })
    }

    /// True if the field with full name `name` may not change.
    pub fn locks(&self, name: &str) -> bool {
        let within = |f: &String| name == f || name.starts_with(&format!("{f}."));
        self.rules.iter().any(|(action, fields)| match action.as_slice() {
            b"Include" => fields.iter().any(within),
            b"Exclude" => !fields.iter().any(within),
            _ => true, // All, and anything unknown: fail closed
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Locks;

    #[test]
    fn locks_cover_fields_and_their_kids() {
        let l = Locks { rules: vec![(b"Include".to_vec(), vec!["amount".into()])], p: None };
        assert!(l.locks("amount") && l.locks("amount.1") && !l.locks("amounts"));
        let l = Locks { rules: vec![(b"Exclude".to_vec(), vec!["note".into()])], p: None };
        assert!(l.locks("amount") && !l.locks("note"));
        assert!(Locks { rules: vec![(b"All".to_vec(), vec![])], p: None }.locks("x"));
        assert!(!Locks::default().locks("x"));
    }
}
