//! The PDF object parser (ISO 32000-1 §7.2–7.3) over a window of the file's bytes.
//!
//! It never reads stream data: a stream comes back as its dictionary and the file offset
//! where its data starts, so a document is read object by object, whatever its size.

use super::{Dict, Object, Ref, Stream};

/// Why parsing stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// The window ended before the object did: read more and try again.
    Incomplete,
    /// The bytes are not a valid object.
    Invalid(String),
}

type PResult<T> = std::result::Result<T, ParseError>;

/// Where each top-level value of a dictionary is: (key, start offset, end offset).
pub type Spans = Vec<(Vec<u8>, u64, u64)>;

const MAX_DEPTH: usize = 64;

fn is_white(b: u8) -> bool {
    matches!(b, b'\0' | b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

pub(super) fn is_delim(b: u8) -> bool {
    matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

/// A parser over a window of the file starting at absolute offset `base`.
pub struct Parser<'a> {
    buf: &'a [u8],
    /// Position within `buf`.
    pub pos: usize,
    base: u64,
    /// True if `buf` ends where the file ends (so running out is an error, not a reason
    /// to read more).
    at_eof: bool,
}

impl<'a> Parser<'a> {
    /// A parser over `buf`, which starts at file offset `base`.
    pub fn new(buf: &'a [u8], base: u64, at_eof: bool) -> Parser<'a> {
        Parser { buf, pos: 0, base, at_eof }
    }

    /// The absolute file offset of the parser's position.
    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    fn incomplete<T>(&self) -> PResult<T> {
        if self.at_eof {
            Err(ParseError::Invalid("unexpected end of file".into()))
        } else {
            Err(ParseError::Incomplete)
        }
    }

    fn peek(&self) -> PResult<u8> {
        match self.buf.get(self.pos) {
            Some(&b) => Ok(b),
            None => self.incomplete(),
        }
    }

    /// Skips whitespace and comments.
    pub fn skip_ws(&mut self) -> PResult<()> {
        loop {
            match self.buf.get(self.pos) {
                Some(&b) if is_white(b) => self.pos += 1,
                Some(b'%') => {
                    while let Some(&b) = self.buf.get(self.pos) {
                        if b == b'\n' || b == b'\r' {
                            break;
                        }
                        self.pos += 1;
                    }
                    if self.pos >= self.buf.len() {
                        return self.incomplete();
                    }
                }
                Some(_) => return Ok(()),
                None => return self.incomplete(),
            }
        }
    }

    /// Reads a bare keyword or number token.
    fn token(&mut self) -> PResult<&'a [u8]> {
        let start = self.pos;
        while let Some(&b) = self.buf.get(self.pos) {
            if is_white(b) || is_delim(b) {
                break;
            }
            self.pos += 1;
        }
        if self.pos >= self.buf.len() && !self.at_eof {
            return Err(ParseError::Incomplete);
        }
        Ok(&self.buf[start..self.pos])
    }

    /// The next bare token (a keyword or a number), after whitespace.
    pub fn word(&mut self) -> PResult<&'a [u8]> {
        self.skip_ws()?;
        self.token()
    }

    /// Expects the keyword `kw` next (after whitespace).
    pub fn keyword(&mut self, kw: &str) -> PResult<()> {
        self.skip_ws()?;
        let t = self.token()?;
        if t == kw.as_bytes() {
            Ok(())
        } else {
            Err(ParseError::Invalid(format!(
                "expected \"{kw}\", found \"{}\"",
                String::from_utf8_lossy(&t[..t.len().min(20)])
            )))
        }
    }

    /// Reads a non-negative integer token.
    pub fn uint(&mut self) -> PResult<u64> {
        self.skip_ws()?;
        let t = self.token()?;
        std::str::from_utf8(t).ok().and_then(|s| s.parse().ok()).ok_or_else(|| {
            ParseError::Invalid(format!(
                "expected a number, found \"{}\"",
                String::from_utf8_lossy(&t[..t.len().min(20)])
            ))
        })
    }

    /// Parses one object (direct, or a reference `n g R`).
    pub fn object(&mut self) -> PResult<Object> {
        self.object_at_depth(0)
    }

    fn object_at_depth(&mut self, depth: usize) -> PResult<Object> {
        if depth > MAX_DEPTH {
            return Err(ParseError::Invalid("objects nested too deeply".into()));
        }
        self.skip_ws()?;
        match self.peek()? {
            b'/' => {
                self.pos += 1;
                Ok(Object::Name(self.name()?))
            }
            b'(' => {
                self.pos += 1;
                Ok(Object::String(self.literal_string()?))
            }
            b'<' => {
                if self.buf.get(self.pos + 1) == Some(&b'<') {
                    self.pos += 2;
                    Ok(Object::Dict(self.dict_body(depth, None)?))
                } else if self.pos + 1 >= self.buf.len() {
                    self.incomplete()
                } else {
                    self.pos += 1;
                    Ok(Object::String(self.hex_string()?))
                }
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws()?;
                    if self.peek()? == b']' {
                        self.pos += 1;
                        return Ok(Object::Array(items));
                    }
                    items.push(self.object_at_depth(depth + 1)?);
                }
            }
            b')' | b'>' | b']' | b'{' | b'}' => Err(ParseError::Invalid(format!(
                "unexpected \"{}\" at offset {}",
                self.buf[self.pos] as char,
                self.offset()
            ))),
            _ => self.number_or_keyword(),
        }
    }

    /// Parses a dictionary (`<<` next), also returning where each top-level value is in the
    /// file: (key, start, end) with absolute offsets.
    pub fn dict_with_spans(&mut self) -> PResult<(Dict, Spans)> {
        self.skip_ws()?;
        if self.buf.get(self.pos..self.pos + 2) != Some(b"<<") {
            return if self.pos + 2 > self.buf.len() && !self.at_eof {
                Err(ParseError::Incomplete)
            } else {
                Err(ParseError::Invalid("expected a dictionary".into()))
            };
        }
        self.pos += 2;
        let mut spans = Vec::new();
        let d = self.dict_body(0, Some(&mut spans))?;
        Ok((d, spans))
    }

    fn name(&mut self) -> PResult<Vec<u8>> {
        let raw = self.token()?;
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == b'#' && i + 2 < raw.len() {
                let hex = std::str::from_utf8(&raw[i + 1..i + 3]).ok();
                if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    out.push(v);
                    i += 3;
                    continue;
                }
            }
            out.push(raw[i]);
            i += 1;
        }
        Ok(out)
    }

    /// The entries of a dictionary after its `<<`; with `spans`, also where each value is.
    fn dict_body(&mut self, depth: usize, mut spans: Option<&mut Spans>) -> PResult<Dict> {
        let mut d = Dict::new();
        loop {
            self.skip_ws()?;
            match self.peek()? {
                b'>' => {
                    if self.buf.get(self.pos + 1) == Some(&b'>') {
                        self.pos += 2;
                        return Ok(d);
                    }
                    if self.pos + 1 >= self.buf.len() {
                        return self.incomplete();
                    }
                    return Err(ParseError::Invalid(format!(
                        "single \">\" in a dictionary at offset {}",
                        self.offset()
                    )));
                }
                b'/' => {
                    self.pos += 1;
                    let key = self.name()?;
                    self.skip_ws()?;
                    let start = self.offset();
                    let value = self.object_at_depth(depth + 1)?;
                    // The first of repeated keys wins, as most readers do.
                    if !d.0.iter().any(|(k, _)| *k == key) {
                        if let Some(spans) = spans.as_deref_mut() {
                            spans.push((key.clone(), start, self.offset()));
                        }
                        d.0.push((key, value));
                    }
                }
                _ => {
                    return Err(ParseError::Invalid(format!(
                        "a dictionary key must be a name (offset {})",
                        self.offset()
                    )));
                }
            }
        }
    }

    fn literal_string(&mut self) -> PResult<Vec<u8>> {
        let mut out = Vec::new();
        let mut nesting = 0usize;
        loop {
            let b = self.peek()?;
            self.pos += 1;
            match b {
                b'\\' => {
                    let e = self.peek()?;
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.buf.get(self.pos) {
                                    Some(&d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xff) as u8);
                        }
                        b'\r' => {
                            if self.buf.get(self.pos) == Some(&b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        other => out.push(other),
                    }
                }
                b'(' => {
                    nesting += 1;
                    out.push(b);
                }
                b')' => {
                    if nesting == 0 {
                        return Ok(out);
                    }
                    nesting -= 1;
                    out.push(b);
                }
                _ => out.push(b),
            }
        }
    }

    fn hex_string(&mut self) -> PResult<Vec<u8>> {
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        loop {
            let b = self.peek()?;
            self.pos += 1;
            let v = match b {
                b'>' => {
                    if let Some(h) = high {
                        out.push(h << 4);
                    }
                    return Ok(out);
                }
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                b if is_white(b) => continue,
                other => {
                    return Err(ParseError::Invalid(format!(
                        "\"{}\" in a hexadecimal string at offset {}",
                        other as char,
                        self.offset() - 1
                    )));
                }
            };
            match high.take() {
                Some(h) => out.push(h << 4 | v),
                None => high = Some(v),
            }
        }
    }

    fn number_or_keyword(&mut self) -> PResult<Object> {
        let start = self.pos;
        let t = self.token()?;
        if t.is_empty() {
            return Err(ParseError::Invalid(format!(
                "unexpected byte at offset {}",
                self.offset()
            )));
        }
        match t {
            b"true" => return Ok(Object::Bool(true)),
            b"false" => return Ok(Object::Bool(false)),
            b"null" => return Ok(Object::Null),
            _ => {}
        }
        let s = std::str::from_utf8(t).map_err(|_| self.bad_token(t))?;
        if let Ok(i) = s.parse::<i64>() {
            // `n g R`?
            if i >= 0 && i <= i64::from(u32::MAX) {
                let save = self.pos;
                if let Some(r) = self.try_reference(i as u32)? {
                    return Ok(Object::Ref(r));
                }
                self.pos = save;
            }
            return Ok(Object::Int(i));
        }
        if s.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+') {
            // Reals like "-.5", "4." and the odd "--5" some writers make.
            let cleaned = s.trim_start_matches(['+']);
            let cleaned = if cleaned.starts_with("--") { &cleaned[1..] } else { cleaned };
            if let Ok(r) = cleaned.parse::<f64>() {
                return Ok(Object::Real(r));
            }
        }
        self.pos = start;
        Err(self.bad_token(t))
    }

    fn bad_token(&self, t: &[u8]) -> ParseError {
        ParseError::Invalid(format!(
            "unexpected \"{}\" at offset {}",
            String::from_utf8_lossy(&t[..t.len().min(20)]),
            self.offset()
        ))
    }

    fn try_reference(&mut self, num: u32) -> PResult<Option<Ref>> {
        // Needs "ws gen ws R" followed by a delimiter or whitespace.
        let mut p = self.pos;
        let ws_start = p;
        while p < self.buf.len() && is_white(self.buf[p]) {
            p += 1;
        }
        if p == ws_start {
            return Ok(None);
        }
        let g_start = p;
        while p < self.buf.len() && self.buf[p].is_ascii_digit() {
            p += 1;
        }
        if p >= self.buf.len() {
            return if self.at_eof { Ok(None) } else { Err(ParseError::Incomplete) };
        }
        if p == g_start || p - g_start > 5 {
            return Ok(None);
        }
        let generation: u32 = std::str::from_utf8(&self.buf[g_start..p])
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let ws2 = p;
        while p < self.buf.len() && is_white(self.buf[p]) {
            p += 1;
        }
        if p == ws2 || p >= self.buf.len() {
            return if p >= self.buf.len() && !self.at_eof {
                Err(ParseError::Incomplete)
            } else {
                Ok(None)
            };
        }
        if self.buf[p] != b'R' {
            return Ok(None);
        }
        match self.buf.get(p + 1) {
            Some(&b) if !(is_white(b) || is_delim(b)) => return Ok(None),
            None if !self.at_eof => return Err(ParseError::Incomplete),
            _ => {}
        }
        let Ok(generation) = u16::try_from(generation) else { return Ok(None) };
        self.pos = p + 1;
        Ok(Some(Ref { num, generation }))
    }

    /// Parses `n g obj <object> [stream] ` at the position. For a stream, stops after the
    /// `stream` keyword's end of line; otherwise after `endobj` (which may be missing, as
    /// some writers leave it out).
    pub fn indirect(&mut self) -> PResult<(Ref, Object)> {
        let num = self.uint()?;
        let generation = self.uint()?;
        self.keyword("obj")?;
        let (Ok(num), Ok(generation)) = (u32::try_from(num), u16::try_from(generation)) else {
            return Err(ParseError::Invalid("object number out of range".into()));
        };
        let r = Ref { num, generation };
        let obj = self.object()?;
        // "stream" or "endobj" next.
        let save = self.pos;
        if self.skip_ws().is_ok() {
            let kw_start = self.pos;
            if let Ok(t) = self.token() {
                if t == b"stream" {
                    let Object::Dict(dict) = obj else {
                        return Err(ParseError::Invalid("a stream without a dictionary".into()));
                    };
                    // The keyword is followed by CRLF or LF (a lone CR is tolerated).
                    match (self.buf.get(self.pos), self.buf.get(self.pos + 1)) {
                        (Some(b'\r'), Some(b'\n')) => self.pos += 2,
                        (Some(b'\n'), _) | (Some(b'\r'), _) => self.pos += 1,
                        (None, _) | (Some(_), None) if !self.at_eof => {
                            return Err(ParseError::Incomplete);
                        }
                        _ => {}
                    }
                    let data_start = self.offset();
                    return Ok((r, Object::Stream(Box::new(Stream { dict, data_start }))));
                }
                if t == b"endobj" {
                    return Ok((r, obj));
                }
                self.pos = kw_start;
            }
        }
        self.pos = save;
        Ok((r, obj))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Object {
        Parser::new(s.as_bytes(), 0, true).object().unwrap()
    }

    #[test]
    fn parses_the_object_kinds() {
        let o = parse(
            "<</Type /Page /Kids [1 0 R 2 0 R] /N -3.5 /S (a\\(b\\)\\101) /H <4142 4> /B true /Nm /A#20B>>",
        );
        let d = o.as_dict().unwrap();
        assert!(d.is("Type", "Page"));
        assert_eq!(
            d.get("Kids"),
            Some(&Object::Array(vec![Object::Ref(Ref::new(1)), Object::Ref(Ref::new(2))]))
        );
        assert_eq!(d.get("N"), Some(&Object::Real(-3.5)));
        assert_eq!(d.get("S"), Some(&Object::String(b"a(b)A".to_vec())));
        assert_eq!(d.get("H"), Some(&Object::String(b"AB@".to_vec())));
        assert_eq!(d.get("B"), Some(&Object::Bool(true)));
        assert_eq!(d.get("Nm"), Some(&Object::Name(b"A B".to_vec())));
    }

    #[test]
    fn numbers_are_not_references_without_r() {
        assert_eq!(
            parse("[1 2 3]"),
            Object::Array(vec![Object::Int(1), Object::Int(2), Object::Int(3)])
        );
        assert_eq!(parse("[1 0 R]"), Object::Array(vec![Object::Ref(Ref::new(1))]));
    }

    #[test]
    fn a_cut_window_asks_for_more() {
        let mut p = Parser::new(b"<</Type /Pa", 0, false);
        assert_eq!(p.object(), Err(ParseError::Incomplete));
        let mut p = Parser::new(b"<</Type /Pa", 0, true);
        assert!(matches!(p.object(), Err(ParseError::Invalid(_))));
    }

    #[test]
    fn indirect_streams_stop_at_their_data() {
        let src = b"7 0 obj\n<</Length 3>>\nstream\r\nabc\nendstream\nendobj\n";
        let mut p = Parser::new(src, 100, true);
        let (r, o) = p.indirect().unwrap();
        assert_eq!(r, Ref::new(7));
        let Object::Stream(s) = o else { panic!("not a stream") };
        assert_eq!(s.data_start, 100 + 30);
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = "[".repeat(10_000);
        assert!(matches!(
            Parser::new(deep.as_bytes(), 0, true).object(),
            Err(ParseError::Invalid(_))
        ));
    }
}
