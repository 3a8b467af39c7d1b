//! CBOR (RFC 8949) as licences, trust lists and EU DCCs use it: a value type, a reader and
//! a writer. Written here rather than taken from a crate because a verifier needs to know
//! how each item was written, not only what it means: [`strict`] refuses, at the byte where
//! it occurs, anything that gives one text two readings (a second item after the first, a
//! map with a key twice, an encoding other than the preferred one), which general-purpose
//! decoders accept silently. Replacing ciborium and coset with this module also took seven
//! crates out of a licence verifier's build (README.md, "Use as a library").
//!
//! seal writes the core deterministic encoding (§4.2.1: the preferred serialization, and
//! every map's keys sorted by their encoded bytes). On reading, keys in another order are
//! accepted and reported: once no key appears twice, their order carries no meaning, and
//! other producers (cbor2, pycose by default) keep insertion order. [`lenient`] reads any
//! well-formed item (indefinite lengths, long forms), for EU DCCs from other issuers.

use std::cmp::Ordering;

use crate::error::{Error, Result};

/// The deepest nesting read (arrays, maps and tags).
const MAX_DEPTH: usize = 32;

/// One CBOR data item.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cbor {
    /// Major types 0 and 1: -2^64 to 2^64 - 1.
    Integer(i128),
    Bytes(Vec<u8>),
    Text(String),
    Array(Vec<Cbor>),
    Map(Vec<(Cbor, Cbor)>),
    Tag(u64, Box<Cbor>),
    Bool(bool),
    Null,
    Undefined,
    /// A simple value other than false, true, null and undefined.
    Simple(u8),
    Float(f64),
}

impl Cbor {
    pub(crate) fn int(i: i64) -> Self {
        Cbor::Integer(i.into())
    }

    pub(crate) fn text(t: &str) -> Self {
        Cbor::Text(t.to_owned())
    }

    pub(crate) fn as_integer(&self) -> Option<i128> {
        match self {
            Cbor::Integer(i) => Some(*i),
            _ => None,
        }
    }

    pub(crate) fn as_text(&self) -> Option<&str> {
        match self {
            Cbor::Text(t) => Some(t),
            _ => None,
        }
    }

    pub(crate) fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Cbor::Bytes(b) => Some(b),
            _ => None,
        }
    }

    pub(crate) fn as_map(&self) -> Option<&[(Cbor, Cbor)]> {
        match self {
            Cbor::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The value under `key` in a map (the first, if a lenient map has it twice).
    pub(crate) fn get(&self, key: &Cbor) -> Option<&Cbor> {
        self.as_map()?.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// Decodes exactly one CBOR item from `bytes`, refusing trailing bytes, duplicate map keys
/// and encodings other than the preferred one. `what` names the item in errors.
pub(crate) fn strict(bytes: &[u8], what: &'static str) -> Result<Cbor> {
    let mut reader = Reader { bytes, pos: 0, depth: 0, unpreferred: None };
    let value = reader.item().map_err(|e| Error::decode(what, e))?;
    if reader.pos != bytes.len() {
        return Err(Error::decode(
            what,
            format!(
                "{} bytes follow the CBOR item: only one item is allowed",
                bytes.len() - reader.pos
            ),
        ));
    }
    if let Some((at, why)) = reader.unpreferred {
        return Err(Error::decode(
            what,
            format!(
                "not in CBOR's preferred serialization (RFC 8949 §4.1: shortest lengths and \
                 integers, definite lengths): at byte {at}, {why}"
            ),
        ));
    }
    no_duplicates(&value, what, 0)?;
    Ok(value)
}

/// Decodes one well-formed CBOR item at the start of `bytes`, in whatever encoding, and
/// returns it with the number of bytes it took.
pub(crate) fn lenient(bytes: &[u8], what: &'static str) -> Result<(Cbor, usize)> {
    let mut reader = Reader { bytes, pos: 0, depth: 0, unpreferred: None };
    let value = reader.item().map_err(|e| Error::decode(what, e))?;
    Ok((value, reader.pos))
}

/// The preferred serialization of `v` (maps in the order given: see [`deterministic`]).
pub(crate) fn encode(v: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    write(v, &mut out);
    out
}

fn write(v: &Cbor, out: &mut Vec<u8>) {
    match v {
        Cbor::Integer(i) if *i >= 0 => head(out, 0, u64::try_from(*i).unwrap_or(u64::MAX)),
        Cbor::Integer(i) => head(out, 1, u64::try_from(-1 - *i).unwrap_or(u64::MAX)),
        Cbor::Bytes(b) => {
            head(out, 2, b.len() as u64);
            out.extend_from_slice(b);
        }
        Cbor::Text(t) => {
            head(out, 3, t.len() as u64);
            out.extend_from_slice(t.as_bytes());
        }
        Cbor::Array(items) => {
            head(out, 4, items.len() as u64);
            items.iter().for_each(|x| write(x, out));
        }
        Cbor::Map(entries) => {
            head(out, 5, entries.len() as u64);
            for (k, v) in entries {
                write(k, out);
                write(v, out);
            }
        }
        Cbor::Tag(t, inner) => {
            head(out, 6, *t);
            write(inner, out);
        }
        Cbor::Bool(false) => out.push(0xf4),
        Cbor::Bool(true) => out.push(0xf5),
        Cbor::Null => out.push(0xf6),
        Cbor::Undefined => out.push(0xf7),
        Cbor::Simple(s) if *s < 24 => out.push(0xe0 | s),
        Cbor::Simple(s) => out.extend_from_slice(&[0xf8, *s]),
        Cbor::Float(f) => write_float(*f, out),
    }
}

/// The initial byte and argument of major type `major`, in the shortest form.
fn head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    match n {
        0..=23 => out.push(m | n as u8),
        24..=0xff => out.extend_from_slice(&[m | 24, n as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(m | 26);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        }
        _ => {
            out.push(m | 27);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
}

/// A float in the shortest of half, single and double precision that keeps its value
/// (RFC 8949 §4.2.2; a NaN as the half-precision quiet NaN).
fn write_float(f: f64, out: &mut Vec<u8>) {
    if f.is_nan() {
        out.extend_from_slice(&[0xf9, 0x7e, 0x00]);
    } else if let Some(h) = to_half(f) {
        out.push(0xf9);
        out.extend_from_slice(&h.to_be_bytes());
    } else if f64::from(f as f32) == f {
        out.push(0xfa);
        out.extend_from_slice(&(f as f32).to_be_bytes());
    } else {
        out.push(0xfb);
        out.extend_from_slice(&f.to_be_bytes());
    }
}

/// The half-precision bits of `f`, if half precision holds it exactly (not for a NaN).
fn to_half(f: f64) -> Option<u16> {
    let single = f as f32;
    if f64::from(single) != f || f.is_nan() {
        return None;
    }
    let bits = single.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exp = ((bits >> 23) & 0xff) as i32;
    let mant = bits & 0x7f_ffff;
    if exp == 0xff {
        return Some(sign | 0x7c00); // infinity (NaN was excluded)
    }
    if exp == 0 && mant == 0 {
        return Some(sign);
    }
    if exp == 0 {
        return None; // single-precision subnormals are far below half's range
    }
    let e = exp - 127;
    if (-14..=15).contains(&e) {
        return (mant & 0x1fff == 0)
            .then(|| sign | (((e + 15) as u16) << 10) | (mant >> 13) as u16);
    }
    if (-24..-14).contains(&e) {
        // A half subnormal: m * 2^-24 with m below 1024.
        let full = 0x80_0000 | mant;
        let shift = (-(e + 1)) as u32;
        return (full & ((1 << shift) - 1) == 0).then(|| sign | (full >> shift) as u16);
    }
    None
}

fn from_half(h: u16) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((h >> 10) & 0x1f);
    let mant = f64::from(h & 0x3ff);
    sign * match exp {
        0 => mant * 2f64.powi(-24),
        31 if mant == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        _ => (1024.0 + mant) * 2f64.powi(exp - 25),
    }
}

/// A reader over one buffer that notes the first place the encoding is not the preferred
/// one.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
    unpreferred: Option<(usize, &'static str)>,
}

/// The argument of an initial byte: a number, or "indefinite" (additional information 31).
enum Arg {
    Value(u64),
    Indefinite,
}

impl Reader<'_> {
    fn byte(&mut self) -> std::result::Result<u8, String> {
        let b = *self.bytes.get(self.pos).ok_or_else(|| self.truncated())?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, n: u64) -> std::result::Result<&[u8], String> {
        let left = (self.bytes.len() - self.pos) as u64;
        if n > left {
            return Err(format!(
                "at byte {}: {n} bytes announced, {left} left: truncated",
                self.pos
            ));
        }
        let start = self.pos;
        self.pos += n as usize;
        Ok(&self.bytes[start..self.pos])
    }

    fn truncated(&self) -> String {
        format!("at byte {}: the item is truncated", self.pos)
    }

    fn unpreferred(&mut self, at: usize, why: &'static str) {
        self.unpreferred.get_or_insert((at, why));
    }

    /// The argument after an initial byte with additional information `info`.
    fn arg(&mut self, at: usize, info: u8) -> std::result::Result<Arg, String> {
        let n = match info {
            0..=23 => return Ok(Arg::Value(u64::from(info))),
            24 => u64::from(self.byte()?),
            25 => u64::from(u16::from_be_bytes(self.take(2)?.try_into().unwrap_or_default())),
            26 => u64::from(u32::from_be_bytes(self.take(4)?.try_into().unwrap_or_default())),
            27 => u64::from_be_bytes(self.take(8)?.try_into().unwrap_or_default()),
            31 => return Ok(Arg::Indefinite),
            _ => return Err(format!("at byte {at}: reserved additional information {info}")),
        };
        let shortest = match info {
            24 => 24,
            25 => 0x100,
            26 => 0x1_0000,
            _ => 0x1_0000_0000,
        };
        if n < shortest {
            self.unpreferred(at, "a number written longer than it needs");
        }
        Ok(Arg::Value(n))
    }

    fn item(&mut self) -> std::result::Result<Cbor, String> {
        let at = self.pos;
        let initial = self.byte()?;
        let (major, info) = (initial >> 5, initial & 0x1f);
        if major == 7 {
            return self.simple(at, info);
        }
        let arg = self.arg(at, info)?;
        match (major, arg) {
            (0, Arg::Value(n)) => Ok(Cbor::Integer(n.into())),
            (1, Arg::Value(n)) => Ok(Cbor::Integer(-1 - i128::from(n))),
            (2, arg) => self.string(at, 2, arg).map(Cbor::Bytes),
            (3, arg) => {
                let bytes = self.string(at, 3, arg)?;
                String::from_utf8(bytes)
                    .map(Cbor::Text)
                    .map_err(|_| format!("at byte {at}: a text string that is not UTF-8"))
            }
            (4..=6, arg) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(format!("at byte {at}: nested more than {MAX_DEPTH} deep"));
                }
                let v = match (major, arg) {
                    (4, arg) => self.array(at, arg),
                    (5, arg) => self.map(at, arg),
                    (_, Arg::Value(tag)) => Ok(Cbor::Tag(tag, Box::new(self.item()?))),
                    (_, Arg::Indefinite) => {
                        Err(format!("at byte {at}: a tag cannot be indefinite"))
                    }
                };
                self.depth -= 1;
                v
            }
            (_, _) => Err(format!("at byte {at}: an integer cannot be indefinite")),
        }
    }

    /// True, and the break byte read, if the next byte is a break (0xff).
    fn at_break(&mut self) -> std::result::Result<bool, String> {
        match self.bytes.get(self.pos) {
            None => Err(self.truncated()),
            Some(0xff) => {
                self.pos += 1;
                Ok(true)
            }
            Some(_) => Ok(false),
        }
    }

    fn string(&mut self, at: usize, major: u8, arg: Arg) -> std::result::Result<Vec<u8>, String> {
        match arg {
            Arg::Value(n) => Ok(self.take(n)?.to_vec()),
            Arg::Indefinite => {
                self.unpreferred(at, "an indefinite-length string");
                let mut out = Vec::new();
                while !self.at_break()? {
                    let chunk_at = self.pos;
                    let b = self.byte()?;
                    match (b >> 5 == major, self.arg(chunk_at, b & 0x1f)?) {
                        (true, Arg::Value(n)) => {
                            let chunk = self.take(n)?;
                            if major == 3 && std::str::from_utf8(chunk).is_err() {
                                return Err(format!(
                                    "at byte {chunk_at}: a text chunk that is not UTF-8"
                                ));
                            }
                            out.extend_from_slice(chunk);
                        }
                        _ => {
                            return Err(format!(
                                "at byte {chunk_at}: an indefinite string holds something other than \
                                 definite chunks of its type"
                            ));
                        }
                    }
                }
                Ok(out)
            }
        }
    }

    fn array(&mut self, at: usize, arg: Arg) -> std::result::Result<Cbor, String> {
        let mut items = Vec::new();
        match arg {
            Arg::Value(n) => {
                self.room(n, 1)?;
                for _ in 0..n {
                    items.push(self.item()?);
                }
            }
            Arg::Indefinite => {
                self.unpreferred(at, "an indefinite-length array");
                while !self.at_break()? {
                    items.push(self.item()?);
                }
            }
        }
        Ok(Cbor::Array(items))
    }

    fn map(&mut self, at: usize, arg: Arg) -> std::result::Result<Cbor, String> {
        let mut entries = Vec::new();
        match arg {
            Arg::Value(n) => {
                self.room(n, 2)?;
                for _ in 0..n {
                    let k = self.item()?;
                    entries.push((k, self.item()?));
                }
            }
            Arg::Indefinite => {
                self.unpreferred(at, "an indefinite-length map");
                while !self.at_break()? {
                    let k = self.item()?;
                    entries.push((k, self.item()?));
                }
            }
        }
        Ok(Cbor::Map(entries))
    }

    /// Refuses a count of items that the bytes left cannot hold (each takes at least one
    /// byte), before anything is allocated for them.
    fn room(&self, n: u64, per: u64) -> std::result::Result<(), String> {
        let left = (self.bytes.len() - self.pos) as u64;
        if n.saturating_mul(per) > left {
            return Err(format!(
                "at byte {}: {n} items announced, {left} bytes left: truncated",
                self.pos
            ));
        }
        Ok(())
    }

    fn simple(&mut self, at: usize, info: u8) -> std::result::Result<Cbor, String> {
        Ok(match info {
            20 => Cbor::Bool(false),
            21 => Cbor::Bool(true),
            22 => Cbor::Null,
            23 => Cbor::Undefined,
            0..=19 => Cbor::Simple(info),
            24 => match self.byte()? {
                s @ 32.. => Cbor::Simple(s),
                s => return Err(format!("at byte {at}: simple value {s} in two bytes")),
            },
            25 => {
                let h = u16::from_be_bytes(self.take(2)?.try_into().unwrap_or_default());
                let f = from_half(h);
                if f.is_nan() && h != 0x7e00 {
                    self.unpreferred(at, "a NaN other than 0xf97e00");
                }
                Cbor::Float(f)
            }
            26 => {
                let f = f64::from(f32::from_be_bytes(self.take(4)?.try_into().unwrap_or_default()));
                if f.is_nan() || to_half(f).is_some() {
                    self.unpreferred(at, "a float written longer than it needs");
                }
                Cbor::Float(f)
            }
            27 => {
                let f = f64::from_be_bytes(self.take(8)?.try_into().unwrap_or_default());
                if f.is_nan() || f64::from(f as f32) == f {
                    self.unpreferred(at, "a float written longer than it needs");
                }
                Cbor::Float(f)
            }
            31 => return Err(format!("at byte {at}: a break outside an indefinite item")),
            _ => return Err(format!("at byte {at}: reserved additional information {info}")),
        })
    }
}

/// `v` with every map's entries in deterministic order (RFC 8949 §4.2.1).
pub(crate) fn deterministic(v: Cbor) -> Cbor {
    match v {
        Cbor::Map(entries) => {
            let mut entries: Vec<(Cbor, Cbor)> =
                entries.into_iter().map(|(k, v)| (deterministic(k), deterministic(v))).collect();
            entries.sort_by(|(a, _), (b, _)| key_order(a, b));
            Cbor::Map(entries)
        }
        Cbor::Array(items) => Cbor::Array(items.into_iter().map(deterministic).collect()),
        Cbor::Tag(t, inner) => Cbor::Tag(t, Box::new(deterministic(*inner))),
        other => other,
    }
}

/// True if every map in `v` has its keys in deterministic order (RFC 8949 §4.2.1).
pub(crate) fn is_deterministic(v: &Cbor) -> bool {
    match v {
        Cbor::Map(entries) => {
            entries.windows(2).all(|w| key_order(&w[0].0, &w[1].0) == Ordering::Less)
                && entries.iter().all(|(k, v)| is_deterministic(k) && is_deterministic(v))
        }
        Cbor::Array(items) => items.iter().all(is_deterministic),
        Cbor::Tag(_, inner) => is_deterministic(inner),
        _ => true,
    }
}

/// The bytewise order of two keys' preferred encodings, computed without encoding the
/// usual keys: integers and text.
fn key_order(a: &Cbor, b: &Cbor) -> Ordering {
    // (major type, argument): the encoding orders by its initial byte, then by the
    // argument's big-endian bytes, then by the content, and a shorter argument always
    // has a smaller initial byte.
    fn head(v: &Cbor) -> Option<(u8, u64)> {
        match v {
            Cbor::Integer(i) if *i >= 0 => u64::try_from(*i).ok().map(|n| (0, n)),
            Cbor::Integer(i) => u64::try_from(-1 - *i).ok().map(|n| (1, n)),
            Cbor::Text(t) => Some((3, t.len() as u64)),
            _ => None,
        }
    }
    match (head(a), head(b)) {
        (Some(ha), Some(hb)) => ha.cmp(&hb).then_with(|| match (a, b) {
            (Cbor::Text(x), Cbor::Text(y)) => x.as_bytes().cmp(y.as_bytes()),
            _ => Ordering::Equal,
        }),
        _ => encode(a).cmp(&encode(b)),
    }
}

fn no_duplicates(v: &Cbor, what: &'static str, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(Error::decode(what, "nested too deeply"));
    }
    match v {
        Cbor::Map(entries) => {
            if let Some(k) = first_duplicate(entries) {
                return Err(Error::decode(
                    what,
                    format!("the map key {k:?} appears twice: readers disagree on which counts"),
                ));
            }
            for (k, val) in entries {
                no_duplicates(k, what, depth + 1)?;
                no_duplicates(val, what, depth + 1)?;
            }
            Ok(())
        }
        Cbor::Array(items) => items.iter().try_for_each(|x| no_duplicates(x, what, depth + 1)),
        Cbor::Tag(_, inner) => no_duplicates(inner, what, depth + 1),
        _ => Ok(()),
    }
}

/// A key that appears twice in a map's entries: two keys are the same when their preferred
/// encodings are (so a NaN key twice is caught too). Sorted, not compared pairwise, so that
/// a map of many entries costs n log n, never n².
pub(crate) fn first_duplicate(entries: &[(Cbor, Cbor)]) -> Option<&Cbor> {
    let mut keys: Vec<(Vec<u8>, usize)> =
        entries.iter().enumerate().map(|(i, (k, _))| (encode(k), i)).collect();
    keys.sort_unstable();
    keys.windows(2).find(|w| w[0].0 == w[1].0).map(|w| &entries[w[0].1].0)
}

/// JSON as CBOR: numbers as integers where they are whole and fit, else as floats.
pub(crate) fn from_json(v: &serde_json::Value) -> Cbor {
    use serde_json::Value as J;
    match v {
        J::Null => Cbor::Null,
        J::Bool(b) => Cbor::Bool(*b),
        J::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Cbor::Integer(u.into()),
            (_, Some(i)) => Cbor::Integer(i.into()),
            _ => Cbor::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        J::String(s) => Cbor::Text(s.clone()),
        J::Array(a) => Cbor::Array(a.iter().map(from_json).collect()),
        J::Object(o) => {
            Cbor::Map(o.iter().map(|(k, v)| (Cbor::Text(k.clone()), from_json(v))).collect())
        }
    }
}

/// CBOR that is JSON-shaped (text keys; no bytes, tags, undefined or non-finite floats) as
/// JSON; anything else is refused, naming it.
pub(crate) fn to_json(v: &Cbor) -> std::result::Result<serde_json::Value, String> {
    use serde_json::Value as J;
    Ok(match v {
        Cbor::Null => J::Null,
        Cbor::Bool(b) => J::Bool(*b),
        Cbor::Integer(i) => match (u64::try_from(*i), i64::try_from(*i)) {
            (Ok(u), _) => J::from(u),
            (_, Ok(i)) => J::from(i),
            _ => return Err(format!("the integer {i} is out of JSON's range here")),
        },
        Cbor::Float(f) => serde_json::Number::from_f64(*f)
            .map(J::Number)
            .ok_or_else(|| format!("the float {f} has no JSON form"))?,
        Cbor::Text(t) => J::String(t.clone()),
        Cbor::Array(a) => J::Array(a.iter().map(to_json).collect::<std::result::Result<_, _>>()?),
        Cbor::Map(m) => {
            let mut o = serde_json::Map::new();
            for (k, v) in m {
                let Cbor::Text(k) = k else {
                    return Err(format!("a map key that is not text: {k:?}"));
                };
                o.insert(k.clone(), to_json(v)?);
            }
            J::Object(o)
        }
        other => return Err(format!("{other:?} has no JSON form")),
    })
}

#[cfg(test)]
mod tests;
