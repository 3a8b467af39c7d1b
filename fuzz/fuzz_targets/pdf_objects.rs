//! Structure-aware PDF fuzzing: `arbitrary` builds an object tree from names the reader
//! acts on (pages, forms, signatures, /DSS, object streams, permissions), serialised with a
//! correct cross-reference table so that every input gets past the file structure to the
//! verifier's and the stamper's logic. What the stamper writes is verified again.
#![no_main]
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use std::fmt::Write as _;

const NAMES: &[&str] = &[
    "Type",
    "Catalog",
    "Pages",
    "Page",
    "Kids",
    "Count",
    "Parent",
    "MediaBox",
    "Resources",
    "Contents",
    "Annots",
    "AcroForm",
    "Fields",
    "FT",
    "Sig",
    "DocTimeStamp",
    "V",
    "T",
    "Rect",
    "Subtype",
    "Widget",
    "AP",
    "N",
    "F",
    "P",
    "ByteRange",
    "Filter",
    "SubFilter",
    "adbe.pkcs7.detached",
    "ETSI.CAdES.detached",
    "ETSI.RFC3161",
    "Length",
    "FlateDecode",
    "ObjStm",
    "First",
    "XRef",
    "W",
    "Index",
    "Size",
    "Prev",
    "Root",
    "Perms",
    "DocMDP",
    "Reference",
    "TransformMethod",
    "TransformParams",
    "FieldMDP",
    "Action",
    "Lock",
    "SigFlags",
    "DSS",
    "VRI",
    "Certs",
    "CRLs",
    "OCSPs",
    "Names",
    "Outlines",
    "Metadata",
    "OCProperties",
    "StructTreeRoot",
    "Font",
    "XObject",
    "Form",
    "BBox",
    "Matrix",
    "DR",
    "NeedAppearances",
    "Encrypt",
    "Version",
    "Extensions",
    "M",
    "Name",
    "Reason",
    "Location",
    "Cert",
];

#[derive(Arbitrary, Debug)]
enum Obj {
    Null,
    Bool(bool),
    Int(i32),
    Real(i16, u8),
    Name(u8),
    Str(Vec<u8>),
    Hex(Vec<u8>),
    Ref(u8),
    Array(Vec<Obj>),
    Dict(Vec<(u8, Obj)>),
}

#[derive(Arbitrary, Debug)]
struct Doc {
    objects: Vec<(Vec<(u8, Obj)>, Option<Vec<u8>>)>,
    root: u8,
    update: Vec<(u8, Vec<(u8, Obj)>)>,
}

fn name(i: u8) -> &'static str {
    NAMES[i as usize % NAMES.len()]
}

fn write(o: &Obj, n: usize, out: &mut String, depth: usize) {
    if depth > 12 {
        out.push_str("null");
        return;
    }
    match o {
        Obj::Null => out.push_str("null"),
        Obj::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Obj::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Obj::Real(a, b) => {
            let _ = write!(out, "{a}.{b}");
        }
        Obj::Name(i) => {
            let _ = write!(out, "/{}", name(*i));
        }
        Obj::Str(s) => {
            out.push('(');
            for &b in s {
                match b {
                    b'(' | b')' | b'\\' => {
                        out.push('\\');
                        out.push(b as char);
                    }
                    0x20..=0x7e => out.push(b as char),
                    _ => {
                        let _ = write!(out, "\\{b:03o}");
                    }
                }
            }
            out.push(')');
        }
        Obj::Hex(s) => {
            out.push('<');
            for b in s {
                let _ = write!(out, "{b:02x}");
            }
            out.push('>');
        }
        Obj::Ref(i) => {
            let _ = write!(out, "{} 0 R", 1 + (*i as usize) % n.max(1));
        }
        Obj::Array(items) => {
            out.push('[');
            for i in items {
                write(i, n, out, depth + 1);
                out.push(' ');
            }
            out.push(']');
        }
        Obj::Dict(entries) => dict(entries, n, out, depth),
    }
}

fn dict(entries: &[(u8, Obj)], n: usize, out: &mut String, depth: usize) {
    out.push_str("<<");
    for (k, v) in entries {
        let _ = write!(out, "/{} ", name(*k));
        write(v, n, out, depth + 1);
        out.push(' ');
    }
    out.push_str(">>");
}

fn xref(
    out: &mut Vec<u8>,
    offsets: &[(usize, usize)],
    size: usize,
    root: usize,
    prev: Option<usize>,
) {
    let start = out.len();
    let mut text = String::from("xref\n");
    for (num, off) in offsets {
        let _ = write!(text, "{num} 1\n{off:010} 00000 n \n");
    }
    if offsets.first().map(|(n, _)| *n) == Some(1) {
        text = text.replacen("xref\n", "xref\n0 1\n0000000000 65535 f \n", 1);
    }
    let _ = write!(text, "trailer\n<</Size {size} /Root {root} 0 R");
    if let Some(p) = prev {
        let _ = write!(text, " /Prev {p}");
    }
    let _ = write!(text, ">>\nstartxref\n{start}\n%%EOF\n");
    out.extend_from_slice(text.as_bytes());
}

fn build(doc: &Doc) -> Vec<u8> {
    let n = doc.objects.len().clamp(1, 64);
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for i in 0..n {
        let (entries, stream) =
            doc.objects.get(i).map_or((&[][..], None), |(e, s)| (&e[..], s.as_ref()));
        offsets.push((i + 1, out.len()));
        let mut text = format!("{} 0 obj\n", i + 1);
        dict(entries, n, &mut text, 0);
        out.extend_from_slice(text.as_bytes());
        if let Some(data) = stream {
            // A stream's dictionary says its length; the /Length written is the real one
            // unless the entries above gave one too (the reader must cope either way).
            out.truncate(out.len() - 2);
            out.extend_from_slice(format!("/Length {}>>\nstream\n", data.len()).as_bytes());
            out.extend_from_slice(data);
            out.extend_from_slice(b"\nendstream");
        }
        out.extend_from_slice(b"\nendobj\n");
    }
    let root = 1 + doc.root as usize % n;
    let first_xref = out.len();
    xref(&mut out, &offsets, n + 1, root, None);
    if !doc.update.is_empty() {
        let mut offsets = Vec::new();
        for (num, entries) in doc.update.iter().take(16) {
            let num = 1 + *num as usize % n;
            offsets.push((num, out.len()));
            let mut text = format!("{num} 0 obj\n");
            dict(entries, n, &mut text, 0);
            text.push_str("\nendobj\n");
            out.extend_from_slice(text.as_bytes());
        }
        offsets.sort();
        offsets.dedup_by_key(|(num, _)| *num);
        xref(&mut out, &offsets, n + 1, root, Some(first_xref));
    }
    out
}

fuzz_target!(|doc: Doc| {
    let pdf = build(&doc);
    let f = seal_fuzz::fixture();
    let at = seal_fuzz::at();
    let _ = seal_core::pdf::verify_bytes(&pdf, "tree.pdf", &f.trust, at);
    let opts = seal_core::pdf::StampOptions::default();
    if let Ok((out, _)) = seal_core::pdf::stamp_to_vec(&pdf, &f.key(), &f.appearance, &opts, at) {
        let _ = seal_core::pdf::verify_bytes(&out, "stamped.pdf", &f.trust, at);
    }
});
