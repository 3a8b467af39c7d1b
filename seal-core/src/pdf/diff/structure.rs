//! The logical structure tree (ISO 32000-1 §14.7): a signer of a tagged document adds a
//! structure element for its widget, so the tree may grow, never change. Screen readers
//! read the tree, so changing an existing element is a change of what a person is told.

use super::rules::{Ctx, dicts};
use super::view::View;
use super::{Change, Level};
use crate::Result;
use crate::pdf::file::Source;
use crate::pdf::object::{Dict, Object, Ref};

/// The structure tree root and structure elements: /K may grow by new elements (or object
/// references to new objects), the root's /ParentTree may be rewritten keeping every
/// entry, /ParentTreeNextKey may rise.
pub(super) fn structure<S: Source>(
    c: &Ctx<'_, '_, S>,
    r: Ref,
    b: &Object,
    a: &Object,
) -> Result<Option<Vec<Change>>> {
    let Some((x, y)) = dicts(b, a) else { return Ok(None) };
    let root = x.is("Type", "StructTreeRoot");
    if !(root || x.is("Type", "StructElem")) {
        return Ok(None);
    }
    let n = c.rev.number;
    let bad = |what: String| Ok(Some(vec![Change::content(format!("update {n}: {what}"))]));
    for key in x.differing_keys(y) {
        match key.as_str() {
            "K" => {
                let (xk, yk) = (kids(x), kids(y));
                if yk.len() < xk.len() || yk[..xk.len()] != xk[..] {
                    return bad(format!("structure element {}: existing children changed", r.num));
                }
                for k in &yk[xk.len()..] {
                    if !new_kid(c, k)? {
                        return bad(format!(
                            "structure element {}: an element that existed before was added",
                            r.num
                        ));
                    }
                }
            }
            "ParentTree" if root => {
                let (old, new) = (numbers(&c.rev.before, x)?, numbers(&c.rev.after, y)?);
                let mut kept = true;
                for (k, v) in &old {
                    let now = new.iter().find(|(k2, _)| k2 == k).map(|(_, v)| v);
                    kept &= match now {
                        Some(w) => same_entry(c, v, w)?,
                        None => false,
                    };
                }
                if !kept {
                    return bad("the structure tree's /ParentTree lost or changed entries".into());
                }
            }
            "ParentTreeNextKey" if root => {
                let (o, v) =
                    (x.get(&key).and_then(Object::as_i64), y.get(&key).and_then(Object::as_i64));
                if v < o {
                    return bad("the structure tree's /ParentTreeNextKey went down".into());
                }
            }
            other => return bad(format!("structure element {}: /{other} changed", r.num)),
        }
    }
    Ok(Some(vec![Change::new(
        Level::Signing,
        format!("update {n}: the structure tree gained elements for new annotations"),
    )]))
}

/// A /ParentTree value kept: the same, or (rewritten) an array of the same elements, or
/// the same array with new elements after (a page that gained a widget).
fn same_entry<S: Source>(c: &Ctx<'_, '_, S>, v: &Object, w: &Object) -> Result<bool> {
    if v == w {
        return Ok(true);
    }
    match (c.rev.before.resolve(v)?, c.rev.after.resolve(w)?) {
        (Object::Array(a), Object::Array(b)) => {
            Ok(b.len() >= a.len() && b[..a.len()] == a[..] && {
                let mut fresh = true;
                for k in &b[a.len()..] {
                    fresh &= new_kid(c, k)? || matches!(k, Object::Null);
                }
                fresh
            })
        }
        (a, b) => Ok(a == b),
    }
}

fn kids(d: &Dict) -> Vec<Object> {
    match d.get("K") {
        Some(Object::Array(a)) => a.clone(),
        Some(o) => vec![o.clone()],
        None => Vec::new(),
    }
}

/// A new child: a new structure element, or an object reference to a new object.
fn new_kid<S: Source>(c: &Ctx<'_, '_, S>, k: &Object) -> Result<bool> {
    Ok(match k {
        Object::Ref(r) => c.rev.is_new(*r),
        Object::Dict(d) if d.is("Type", "OBJR") => {
            d.get("Obj").and_then(Object::as_ref).is_some_and(|o| c.rev.is_new(o))
        }
        _ => false,
    })
}

/// The (key, value) entries of the root's /ParentTree number tree (bounded walk).
fn numbers<S: Source>(view: &View<'_, S>, root: &Dict) -> Result<Vec<(i64, Object)>> {
    let mut out = Vec::new();
    let mut stack = vec![view.get_key(root, "ParentTree")?];
    let mut steps = 0;
    while let Some(node) = stack.pop() {
        steps += 1;
        if steps > 10_000 {
            break;
        }
        let Some(d) = node.as_dict() else { continue };
        for pair in view.array(d, "Nums")?.chunks(2) {
            if let [Object::Int(k), v] = pair {
                out.push((*k, v.clone()));
            }
        }
        for kid in view.array(d, "Kids")? {
            stack.push(view.resolve(&kid)?);
        }
    }
    Ok(out)
}
