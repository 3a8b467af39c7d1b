//! PDF objects (ISO 32000-1 §7.3): the values, a parser over a byte window, and a writer.

mod parser;

pub use parser::{ParseError, Parser, Spans};

use parser::is_delim;
use std::fmt::Write as _;

/// A PDF object. Strings hold their decoded bytes; streams hold where their data is.
#[derive(Debug, Clone)]
pub enum Object {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A real number.
    Real(f64),
    /// A name, without the slash, `#xx` escapes decoded.
    Name(Vec<u8>),
    /// A literal or hexadecimal string, decoded.
    String(Vec<u8>),
    /// An array.
    Array(Vec<Object>),
    /// A dictionary.
    Dict(Dict),
    /// An indirect reference `n g R`.
    Ref(Ref),
    /// A stream: its dictionary and where its data starts in the file.
    Stream(Box<Stream>),
}

/// An indirect reference: object number and generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ref {
    /// Object number.
    pub num: u32,
    /// Generation number.
    pub generation: u16,
}

impl Ref {
    /// A reference to generation 0 of object `num`.
    pub const fn new(num: u32) -> Ref {
        Ref { num, generation: 0 }
    }
}

impl std::fmt::Display for Ref {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} R", self.num, self.generation)
    }
}

/// A stream's dictionary and the file offset of its data (right after `stream` and its EOL).
#[derive(Debug, Clone)]
pub struct Stream {
    /// The stream dictionary.
    pub dict: Dict,
    /// Absolute file offset of the first data byte.
    pub data_start: u64,
}

/// A dictionary, keeping the order its keys were written in.
#[derive(Debug, Clone, Default)]
pub struct Dict(pub Vec<(Vec<u8>, Object)>);

impl Dict {
    /// An empty dictionary.
    pub fn new() -> Dict {
        Dict(Vec::new())
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&Object> {
        self.0.iter().find(|(k, _)| k == key.as_bytes()).map(|(_, v)| v)
    }

    /// Sets `key`, replacing an earlier value.
    pub fn set(&mut self, key: &str, value: Object) {
        match self.0.iter_mut().find(|(k, _)| k == key.as_bytes()) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key.as_bytes().to_vec(), value)),
        }
    }

    /// Removes `key`.
    pub fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| k != key.as_bytes());
    }

    /// True if `key` is a name equal to `value` (e.g. `/Type /Page`).
    pub fn is(&self, key: &str, value: &str) -> bool {
        matches!(self.get(key), Some(Object::Name(n)) if n == value.as_bytes())
    }

    /// The keys whose values differ between `self` and `other` (present in only one, or
    /// with unequal values).
    pub fn differing_keys(&self, other: &Dict) -> Vec<String> {
        let mut keys: Vec<&Vec<u8>> = self.0.iter().chain(other.0.iter()).map(|(k, _)| k).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter(|k| {
                let a = self.0.iter().find(|(x, _)| x == *k).map(|(_, v)| v);
                let b = other.0.iter().find(|(x, _)| x == *k).map(|(_, v)| v);
                a != b
            })
            .map(|k| String::from_utf8_lossy(k).into_owned())
            .collect()
    }
}

impl PartialEq for Dict {
    fn eq(&self, other: &Dict) -> bool {
        self.0.len() == other.0.len()
            && self.0.iter().all(|(k, v)| other.0.iter().any(|(k2, v2)| k == k2 && v == v2))
    }
}

impl PartialEq for Object {
    /// Structural equality; streams compare by dictionary only (the caller compares data).
    fn eq(&self, other: &Object) -> bool {
        use Object::*;
        match (self, other) {
            (Null, Null) => true,
            (Bool(a), Bool(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (Real(a), Real(b)) => a == b,
            (Int(a), Real(b)) | (Real(b), Int(a)) => (*a as f64) == *b,
            (Name(a), Name(b)) | (String(a), String(b)) => a == b,
            (Array(a), Array(b)) => a == b,
            (Dict(a), Dict(b)) => a == b,
            (Ref(a), Ref(b)) => a == b,
            (Stream(a), Stream(b)) => a.dict == b.dict,
            _ => false,
        }
    }
}

impl Object {
    /// A name object.
    pub fn name(n: &str) -> Object {
        Object::Name(n.as_bytes().to_vec())
    }

    /// A text string object.
    pub fn text(s: &str) -> Object {
        Object::String(encode_text(s))
    }

    /// The integer value, if this is an integer (or an integral real).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Object::Int(i) => Some(*i),
            Object::Real(r) if r.fract() == 0.0 && r.abs() < 1e15 => Some(*r as i64),
            _ => None,
        }
    }

    /// The numeric value.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Object::Int(i) => Some(*i as f64),
            Object::Real(r) => Some(*r),
            _ => None,
        }
    }

    /// The dictionary of a dictionary or a stream.
    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Object::Dict(d) => Some(d),
            Object::Stream(s) => Some(&s.dict),
            _ => None,
        }
    }

    /// The reference, if this is one.
    pub fn as_ref(&self) -> Option<Ref> {
        match self {
            Object::Ref(r) => Some(*r),
            _ => None,
        }
    }

    /// The name, if this is one.
    pub fn as_name(&self) -> Option<&[u8]> {
        match self {
            Object::Name(n) => Some(n),
            _ => None,
        }
    }

    /// A short description of the kind of object, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Object::Null => "null",
            Object::Bool(_) => "boolean",
            Object::Int(_) | Object::Real(_) => "number",
            Object::Name(_) => "name",
            Object::String(_) => "string",
            Object::Array(_) => "array",
            Object::Dict(_) => "dictionary",
            Object::Ref(_) => "reference",
            Object::Stream(_) => "stream",
        }
    }
}

/// Encodes text as a PDF text string: PDFDocEncoding (ASCII) when it can, else UTF-16BE with
/// a byte order mark.
pub fn encode_text(s: &str) -> Vec<u8> {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        s.as_bytes().to_vec()
    } else {
        let mut out = vec![0xfe, 0xff];
        for u in s.encode_utf16() {
            out.extend(u.to_be_bytes());
        }
        out
    }
}

/// Decodes a PDF text string (UTF-16BE with BOM, UTF-8 with BOM, or PDFDocEncoding as Latin-1).
pub fn decode_text(b: &[u8]) -> String {
    if let Some(rest) = b.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> =
            rest.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        String::from_utf16_lossy(&units)
    } else if let Some(rest) = b.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        b.iter().map(|&c| c as char).collect()
    }
}

/// Writes an object in PDF syntax.
pub fn write_object(out: &mut Vec<u8>, obj: &Object) {
    match obj {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => out.extend_from_slice(format_real(*r).as_bytes()),
        Object::Name(n) => write_name(out, n),
        Object::String(s) => write_string(out, s),
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object(out, item);
            }
            out.push(b']');
        }
        Object::Dict(d) => write_dict(out, d),
        Object::Ref(r) => out.extend_from_slice(r.to_string().as_bytes()),
        Object::Stream(_) => out.extend_from_slice(b"null"),
    }
}

/// Writes a dictionary.
pub fn write_dict(out: &mut Vec<u8>, d: &Dict) {
    out.extend_from_slice(b"<<");
    for (k, v) in &d.0 {
        write_name(out, k);
        if !matches!(v, Object::Name(_) | Object::String(_) | Object::Array(_) | Object::Dict(_)) {
            out.push(b' ');
        }
        write_object(out, v);
    }
    out.extend_from_slice(b">>");
}

/// A real number the way PDF writes them: no exponent, trailing zeros trimmed.
pub fn format_real(r: f64) -> String {
    if !r.is_finite() {
        return "0".into();
    }
    let mut s = format!("{r:.4}");
    while s.contains('.') && (s.ends_with('0') || s.ends_with('.')) {
        s.pop();
    }
    if s == "-0" { "0".into() } else { s }
}

fn write_name(out: &mut Vec<u8>, n: &[u8]) {
    out.push(b'/');
    for &b in n {
        if b <= b' ' || b >= 0x7f || is_delim(b) || b == b'#' {
            let _ = write!(HexSink(out), "#{b:02X}");
        } else {
            out.push(b);
        }
    }
}

fn write_string(out: &mut Vec<u8>, s: &[u8]) {
    if s.iter().all(|&b| (0x20..0x7f).contains(&b)) {
        out.push(b'(');
        for &b in s {
            if matches!(b, b'(' | b')' | b'\\') {
                out.push(b'\\');
            }
            out.push(b);
        }
        out.push(b')');
    } else {
        out.push(b'<');
        for &b in s {
            let _ = write!(HexSink(out), "{b:02X}");
        }
        out.push(b'>');
    }
}

struct HexSink<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for HexSink<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Object {
        Parser::new(s.as_bytes(), 0, true).object().unwrap()
    }

    #[test]
    fn writes_what_it_reads() {
        let src = "<</A [1 2.5 (x\\)y) <00FF>] /B <</C null /D 3 0 R>> /E /N#23>>";
        let o = parse(src);
        let mut out = Vec::new();
        write_object(&mut out, &o);
        assert_eq!(parse(std::str::from_utf8(&out).unwrap()), o);
    }

    #[test]
    fn text_round_trips() {
        assert_eq!(decode_text(&encode_text("Seal 1")), "Seal 1");
        assert_eq!(decode_text(&encode_text("市场监督管理局")), "市场监督管理局");
    }
}
