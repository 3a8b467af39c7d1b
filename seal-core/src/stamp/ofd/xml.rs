//! The few OFD XML structures the verifier reads (GB/T 33190): element texts and
//! attributes by local name, a signature's references, and OFD.xml's document bodies.

use quick_xml::Reader;
use quick_xml::events::Event;

/// A package path without a leading slash, resolved against `base` when relative.
pub(super) fn normalize(p: &str, base: &str) -> String {
    let p = p.trim();
    let joined = if let Some(abs) = p.strip_prefix('/') {
        abs.to_owned()
    } else if base.is_empty() {
        p.to_owned()
    } else {
        format!("{base}/{p}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// The text of every element with local name `name`.
pub(super) fn elements_text(xml: &str, name: &str) -> Vec<String> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut inside = false;
    let mut text = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if local(e.name().as_ref()) == name => {
                inside = true;
                text.clear();
            }
            Ok(Event::Text(t)) if inside => {
                text.push_str(&t);
            }
            Ok(Event::End(e)) if inside && local(e.name().as_ref()) == name => {
                inside = false;
                out.push(std::mem::take(&mut text));
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

/// Where the first end tag of local name `name` starts (the `<` of `</…name>`), and the
/// namespace prefix it is written with (`ofd:`, or empty).
pub(super) fn end_tag(xml: &str, name: &str) -> Option<(usize, String)> {
    let mut reader = Reader::from_str(xml);
    loop {
        let at = reader.buffer_position() as usize;
        match reader.read_event() {
            Ok(Event::End(e)) if local(e.name().as_ref()) == name => {
                let full: String = e.name().as_ref().to_owned();
                let prefix = full.strip_suffix(name).unwrap_or("").to_owned();
                return Some((at, prefix));
            }
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
    }
}

/// The byte range of the text of the first element of local name `name`.
pub(super) fn text_span(xml: &str, name: &str) -> Option<std::ops::Range<usize>> {
    let mut reader = Reader::from_str(xml);
    let mut start = None;
    loop {
        let at = reader.buffer_position() as usize;
        match reader.read_event() {
            Ok(Event::Start(e)) if local(e.name().as_ref()) == name => {
                start = Some(reader.buffer_position() as usize);
            }
            Ok(Event::End(e)) if local(e.name().as_ref()) == name => return start.map(|s| s..at),
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
    }
}

/// The attributes of every element with local name `name`.
pub(super) fn element_attrs(xml: &str, name: &str) -> Vec<Vec<(String, String)>> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) if local(e.name().as_ref()) == name => {
                let attrs = e
                    .attributes()
                    .flatten()
                    .map(|a| {
                        let key = local(a.key.as_ref()).to_owned();
                        let value = a
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map(|v| v.into_owned())
                            .unwrap_or_default();
                        (key, value)
                    })
                    .collect();
                out.push(attrs);
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

/// (FileRef, CheckValue) of every `Reference`.
pub(super) fn references(xml: &str) -> Vec<(String, String)> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    let mut in_value = false;
    let mut value = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let n = local(e.name().as_ref()).to_owned();
                if n == "Reference" {
                    current = e
                        .attributes()
                        .flatten()
                        .find(|a| local(a.key.as_ref()) == "FileRef")
                        .and_then(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .ok()
                                .map(|v| v.into_owned())
                        });
                } else if n == "CheckValue" {
                    in_value = true;
                    value.clear();
                }
            }
            Ok(Event::Text(t)) if in_value => {
                value.push_str(&t);
            }
            Ok(Event::End(e)) => {
                let n = local(e.name().as_ref()).to_owned();
                if n == "CheckValue" {
                    in_value = false;
                    if let Some(f) = &current {
                        out.push((f.clone(), std::mem::take(&mut value)));
                    }
                } else if n == "Reference" {
                    current = None;
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

/// One `DocBody` of OFD.xml: a document of the package.
#[derive(Debug, Default)]
pub(super) struct DocBody {
    /// `DocRoot`: the document's Document.xml, as a package path.
    pub(super) doc_root: Option<String>,
    /// `Signatures`: the document's signature list, as a package path.
    pub(super) signatures: Option<String>,
    /// Whether it lists other versions of the document (`Versions`).
    pub(super) versions: bool,
}

/// The document bodies of OFD.xml, in order.
pub(super) fn doc_bodies(xml: &str) -> Vec<DocBody> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut body: Option<DocBody> = None;
    let mut field: Option<&'static str> = None;
    let mut text = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => match local(e.name().as_ref()) {
                "DocBody" => body = Some(DocBody::default()),
                "DocRoot" if body.is_some() => (field, text) = (Some("DocRoot"), String::new()),
                "Signatures" if body.is_some() => {
                    (field, text) = (Some("Signatures"), String::new())
                }
                "Versions" => {
                    if let Some(b) = body.as_mut() {
                        b.versions = true;
                    }
                }
                _ => {}
            },
            Ok(Event::Empty(e)) if local(e.name().as_ref()) == "Versions" => {
                if let Some(b) = body.as_mut() {
                    b.versions = true;
                }
            }
            Ok(Event::Text(t)) if field.is_some() => text.push_str(&t),
            Ok(Event::End(e)) => match (local(e.name().as_ref()), body.as_mut()) {
                ("DocBody", Some(_)) => out.extend(body.take()),
                (name, Some(b)) if Some(name) == field => {
                    let value = Some(normalize(&std::mem::take(&mut text), ""));
                    if name == "DocRoot" {
                        b.doc_root = value;
                    } else {
                        b.signatures = value;
                    }
                    field = None;
                }
                _ => {}
            },
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve() {
        assert_eq!(
            normalize("/Doc_0/Signs/Sign_0/Signature.xml", "x"),
            "Doc_0/Signs/Sign_0/Signature.xml"
        );
        assert_eq!(
            normalize("Sign_0/Signature.xml", "Doc_0/Signs"),
            "Doc_0/Signs/Sign_0/Signature.xml"
        );
        assert_eq!(normalize("../Pages/P.xml", "Doc_0/Signs"), "Doc_0/Pages/P.xml");
    }

    #[test]
    fn doc_bodies_are_read_in_order() {
        let xml = r#"<ofd:OFD xmlns:ofd="x"><ofd:DocBody><ofd:DocRoot>Doc_1/Document.xml</ofd:DocRoot></ofd:DocBody><ofd:DocBody><ofd:DocInfo/><ofd:DocRoot>/Doc_0/Document.xml</ofd:DocRoot><ofd:Versions/><ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures></ofd:DocBody></ofd:OFD>"#;
        let b = doc_bodies(xml);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].doc_root.as_deref(), Some("Doc_1/Document.xml"));
        assert!(b[0].signatures.is_none() && !b[0].versions);
        assert_eq!(b[1].doc_root.as_deref(), Some("Doc_0/Document.xml"));
        assert_eq!(b[1].signatures.as_deref(), Some("Doc_0/Signs/Signatures.xml"));
        assert!(b[1].versions);
    }
}
