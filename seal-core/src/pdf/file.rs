//! Random access to a PDF file: the cross-reference chain (tables, streams, hybrids) and
//! objects read one at a time, directly or out of object streams. Nothing is read that the
//! caller does not ask for, so memory does not grow with the document's size.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::object::{Dict, Object, ParseError, Parser, Ref, Stream};
use crate::error::{Error, Result};

/// Where the current version of an object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// Deleted (a free entry).
    Free,
    /// At a file offset, with a generation.
    At(u64, u16),
    /// The `index`th object of object stream `stream`.
    InStream(u32, u32),
}

/// One cross-reference section: one revision of the document.
#[derive(Debug, Clone)]
pub struct Section {
    /// The file offset of the `xref` keyword or the xref stream object.
    pub offset: u64,
    /// The objects this section defines.
    pub entries: HashMap<u32, Entry>,
    /// The trailer dictionary (or the xref stream's dictionary).
    pub trailer: Dict,
    /// True if the section is an xref stream.
    pub is_stream: bool,
}

/// Something that can be read at any offset: a file or bytes in memory.
pub trait Source {
    /// Reads up to `buf.len()` bytes at `offset`; returns how many were read.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize>;
    /// The total length.
    fn len(&self) -> u64;
    /// True if there is nothing to read.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Source for File {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut f = self;
        f.seek(SeekFrom::Start(offset))?;
        let mut n = 0;
        while n < buf.len() {
            let k = f.read(&mut buf[n..])?;
            if k == 0 {
                break;
            }
            n += k;
        }
        Ok(n)
    }
    fn len(&self) -> u64 {
        self.metadata().map(|m| m.len()).unwrap_or(0)
    }
}

impl Source for &[u8] {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
        let start = usize::try_from(offset).unwrap_or(usize::MAX).min(<[u8]>::len(self));
        let n = buf.len().min(<[u8]>::len(self) - start);
        buf[..n].copy_from_slice(&self[start..start + n]);
        Ok(n)
    }
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }
}

/// Limits that keep hostile files from using unbounded memory or time.
const MAX_SECTIONS: usize = 10_000;
const MAX_OBJECT_WINDOW: usize = 64 << 20;
const MAX_DECODED_STREAM: usize = 256 << 20;
const MAX_OBJECT_NUMBER: u64 = 8_388_607;

/// A PDF opened for random access.
pub struct PdfFile<S: Source> {
    src: S,
    len: u64,
    /// The cross-reference sections, newest first (the `/Prev` chain).
    pub sections: Vec<Section>,
    /// The offset `startxref` names.
    pub startxref: u64,
    objstm_cache: std::cell::RefCell<HashMap<u32, std::rc::Rc<ObjStm>>>,
    /// The object streams being read (for the /Length of one that is inside itself).
    objstm_loading: std::cell::RefCell<Vec<u32>>,
    /// What was repaired while reading, for the report (see [`PdfFile::repairs`]).
    repairs: std::cell::RefCell<Vec<String>>,
}

/// How far from where an offset points a repairing read looks for what should be there:
/// writers that miscount by a few bytes (a CR LF counted as one, a BOM) are common, and
/// pyHanko, qpdf and poppler accept them.
const REPAIR_WINDOW: u64 = 64;

struct ObjStm {
    data: Vec<u8>,
    offsets: Vec<(u32, usize)>,
}

fn invalid(detail: impl std::fmt::Display) -> Error {
    Error::decode("PDF", detail)
}

impl PdfFile<File> {
    /// Opens the PDF at `path`.
    pub fn open(path: &Path) -> Result<PdfFile<File>> {
        let f = File::open(path)?;
        PdfFile::from_source(f)
    }
}

impl<S: Source> PdfFile<S> {
    /// Reads the cross-reference chain of a PDF.
    pub fn from_source(src: S) -> Result<PdfFile<S>> {
        let len = src.len();
        let mut head = [0u8; 1024];
        let n = src.read_at(0, &mut head)?;
        if !head[..n].windows(5).any(|w| w == b"%PDF-") {
            return Err(Error::WrongType {
                expected: "a PDF file",
                found: "no %PDF- header".into(),
            });
        }
        let startxref = find_startxref(&src, len)?;
        let mut pdf = PdfFile {
            src,
            len,
            sections: Vec::new(),
            startxref,
            objstm_cache: Default::default(),
            objstm_loading: Default::default(),
            repairs: Default::default(),
        };
        let mut next = Some(startxref);
        let mut seen = std::collections::HashSet::new();
        while let Some(off) = next {
            if !seen.insert(off) || pdf.sections.len() >= MAX_SECTIONS {
                return Err(invalid("the cross-reference chain loops"));
            }
            let mut section = match pdf.read_section(off) {
                Ok(s) => s,
                // `/Prev 0` from writers that mean "none": the header is there, not a table.
                Err(_) if off == 0 && !pdf.sections.is_empty() => {
                    pdf.repaired("/Prev 0 names no cross-reference section: taken as no /Prev");
                    break;
                }
                Err(e) => match pdf.section_near(off) {
                    Some((real, s)) => {
                        let what = if pdf.sections.is_empty() { "startxref" } else { "/Prev" };
                        pdf.repaired(format!(
                            "{what} points at offset {off}; the cross-reference section is at \
                             {real}"
                        ));
                        s
                    }
                    None => return Err(e),
                },
            };
            // A hybrid file: the table's /XRefStm holds objects only 1.5 readers see.
            if let Some(x) = section.trailer.get("XRefStm").and_then(Object::as_i64) {
                let stm = pdf.read_section(x as u64).map_err(|e| {
                    invalid(format!("the /XRefStm of the table at offset {off} ({x}): {e}"))
                })?;
                for (num, e) in stm.entries {
                    let keep = matches!(section.entries.get(&num), Some(Entry::At(..)));
                    if !keep {
                        section.entries.insert(num, e);
                    }
                }
            }
            next = section.trailer.get("Prev").and_then(Object::as_i64).map(|p| p as u64);
            pdf.sections.push(section);
        }
        Ok(pdf)
    }

    /// What a repairing read accepted (offsets a few bytes off, `/Prev 0`), in the order
    /// met; empty for a well-formed file.
    pub fn repairs(&self) -> Vec<String> {
        self.repairs.borrow().clone()
    }

    fn repaired(&self, what: impl Into<String>) {
        let what = what.into();
        let mut r = self.repairs.borrow_mut();
        if !r.contains(&what) {
            r.push(what);
        }
    }

    /// The bytes around `offset` that a repair searches, and where they start.
    fn window(&self, offset: u64) -> Result<(u64, Vec<u8>)> {
        let start = offset.saturating_sub(REPAIR_WINDOW);
        let end = (offset + REPAIR_WINDOW + 32).min(self.len);
        Ok((start, self.read_bytes(start, (end.saturating_sub(start)) as usize)?))
    }

    /// A cross-reference section (the keyword `xref`, or an object holding an xref stream)
    /// starting near `offset`, the nearest that parses.
    fn section_near(&self, offset: u64) -> Option<(u64, Section)> {
        let (start, bytes) = self.window(offset).ok()?;
        let mut candidates: Vec<u64> = (0..bytes.len())
            .filter(|&i| i == 0 || bytes[i - 1].is_ascii_whitespace())
            .filter(|&i| bytes[i..].starts_with(b"xref") || bytes[i].is_ascii_digit())
            .map(|i| start + i as u64)
            .filter(|&at| at != offset)
            .collect();
        candidates.sort_by_key(|&at| at.abs_diff(offset));
        candidates.into_iter().find_map(|at| self.read_section(at).ok().map(|s| (at, s)))
    }

    /// Object `r` near `offset`, where an xref entry a few bytes off put it.
    fn object_near(&self, offset: u64, r: Ref) -> Option<(u64, Object)> {
        let (start, bytes) = self.window(offset).ok()?;
        let header = format!("{} {} obj", r.num, r.generation);
        let mut candidates: Vec<u64> = bytes
            .windows(header.len())
            .enumerate()
            .filter(|(i, w)| *w == header.as_bytes() && (*i == 0 || !bytes[i - 1].is_ascii_digit()))
            .map(|(i, _)| start + i as u64)
            .collect();
        candidates.sort_by_key(|&at| at.abs_diff(offset));
        candidates.into_iter().find_map(|at| {
            let (found, obj) = self.parse_at(at, |p| p.indirect()).ok()?;
            (found.num == r.num).then_some((at, obj))
        })
    }

    /// The file's length.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True if the file is empty (never, once opened: a PDF has a header).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// What the file is read from.
    pub fn source(&self) -> &S {
        &self.src
    }

    /// The newest trailer.
    pub fn trailer(&self) -> &Dict {
        &self.sections[0].trailer
    }

    /// Reads `len` bytes at `offset` (fewer at the end of the file).
    pub fn read_bytes(&self, offset: u64, len: usize) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; len];
        let n = self.src.read_at(offset, &mut buf)?;
        buf.truncate(n);
        Ok(buf)
    }

    /// Hashes the given (offset, length) ranges in order, streaming.
    pub fn hash_ranges(
        &self,
        ranges: &[(u64, u64)],
        alg: crate::digest::HashAlg,
    ) -> Result<Vec<u8>> {
        let mut h = alg.hasher();
        let mut buf = vec![0u8; crate::digest::CHUNK];
        for &(start, len) in ranges {
            let mut done = 0u64;
            while done < len {
                let want = (len - done).min(buf.len() as u64) as usize;
                let n = self.src.read_at(start + done, &mut buf[..want])?;
                if n == 0 {
                    return Err(invalid("a byte range runs past the end of the file"));
                }
                h.update(&buf[..n]);
                done += n as u64;
            }
        }
        Ok(h.finish())
    }

    /// Parses with `f` over a window starting at `offset`, growing the window while the
    /// parser asks for more.
    pub fn parse_at<T>(
        &self,
        offset: u64,
        mut f: impl FnMut(&mut Parser<'_>) -> std::result::Result<T, ParseError>,
    ) -> Result<T> {
        if offset >= self.len {
            return Err(invalid(format!("offset {offset} is beyond the end of the file")));
        }
        let mut window = 4096usize;
        loop {
            let buf = self.read_bytes(offset, window)?;
            let at_eof = offset + buf.len() as u64 >= self.len;
            let mut p = Parser::new(&buf, offset, at_eof);
            match f(&mut p) {
                Ok(v) => return Ok(v),
                Err(ParseError::Incomplete) if window < MAX_OBJECT_WINDOW && !at_eof => {
                    window *= 4;
                }
                Err(ParseError::Incomplete) => return Err(invalid("an object is too large")),
                Err(ParseError::Invalid(e)) => return Err(invalid(e)),
            }
        }
    }

    fn read_section(&self, offset: u64) -> Result<Section> {
        let is_table = self.read_bytes(offset, 4)? == b"xref";
        if is_table {
            self.parse_at(offset, |p| {
                p.keyword("xref")?;
                let mut entries = HashMap::new();
                loop {
                    p.skip_ws()?;
                    let save = p.pos;
                    if p.keyword("trailer").is_ok() {
                        break;
                    }
                    p.pos = save;
                    let start = p.uint()?;
                    let count = p.uint()?;
                    if start + count > MAX_OBJECT_NUMBER + 1 {
                        return Err(ParseError::Invalid("xref subsection out of range".into()));
                    }
                    for i in 0..count {
                        let off = p.uint()?;
                        let generation = p.uint()?;
                        let num = (start + i) as u32;
                        let e = match p.word()? {
                            b"n" => Entry::At(off, generation.min(65535) as u16),
                            b"f" => Entry::Free,
                            _ => {
                                return Err(ParseError::Invalid(
                                    "an xref entry is neither \"n\" nor \"f\"".into(),
                                ));
                            }
                        };
                        entries.entry(num).or_insert(e);
                    }
                }
                let trailer = match p.object()? {
                    Object::Dict(d) => d,
                    _ => return Err(ParseError::Invalid("the trailer is not a dictionary".into())),
                };
                Ok(Section { offset, entries, trailer, is_stream: false })
            })
        } else {
            let (_, obj) = self.parse_at(offset, |p| p.indirect()).map_err(|e| {
                invalid(format!("startxref or /Prev points at offset {offset}, where there is no cross-reference table or stream ({e})"))
            })?;
            let Object::Stream(s) = obj else {
                return Err(invalid(format!("no cross-reference section at offset {offset}")));
            };
            if !s.dict.is("Type", "XRef") {
                return Err(invalid(format!(
                    "the stream at offset {offset} is not an xref stream"
                )));
            }
            let data = self.stream_data(&s, true)?;
            // Fail closed: a row seal cannot decode could hide an object that repairing
            // readers (poppler, Ghostscript, qpdf) display.
            let w: Vec<usize> = match s.dict.get("W") {
                Some(Object::Array(a)) if a.len() == 3 => a
                    .iter()
                    .map(|o| match o.as_i64() {
                        Some(x @ 0..=8) => Ok(x as usize),
                        _ => Err(invalid(format!(
                            "the xref stream at offset {offset} has a /W entry that is not 0 to 8 \
                             bytes: {o:?}"
                        ))),
                    })
                    .collect::<Result<_>>()?,
                _ => return Err(invalid("xref stream without a valid /W")),
            };
            let size = s.dict.get("Size").and_then(Object::as_i64).unwrap_or(0);
            let index: Vec<i64> = match s.dict.get("Index") {
                Some(Object::Array(a)) => a.iter().filter_map(Object::as_i64).collect(),
                _ => vec![0, size],
            };
            let row = w[0] + w[1] + w[2];
            if row == 0 {
                return Err(invalid("xref stream /W is all zero"));
            }
            let mut entries = HashMap::new();
            let mut rows = data.chunks_exact(row);
            for pair in index.chunks_exact(2) {
                let (start, count) = (pair[0], pair[1]);
                if start < 0 || count < 0 || (start + count) as u64 > MAX_OBJECT_NUMBER + 1 {
                    return Err(invalid("xref stream /Index out of range"));
                }
                for i in 0..count {
                    let Some(r) = rows.next() else {
                        return Err(invalid(format!(
                            "the xref stream at offset {offset} holds fewer rows than its /Index \
                             lists"
                        )));
                    };
                    let field = |k: usize, default: u64| -> u64 {
                        if w[k] == 0 {
                            return default;
                        }
                        let from: usize = w[..k].iter().sum();
                        r[from..from + w[k]].iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b))
                    };
                    let num = (start + i) as u32;
                    let e = match field(0, 1) {
                        0 => Entry::Free,
                        1 => Entry::At(field(1, 0), field(2, 0).min(65535) as u16),
                        2 => Entry::InStream(field(1, 0) as u32, field(2, 0) as u32),
                        t => {
                            return Err(invalid(format!(
                                "the xref stream at offset {offset} gives object {num} a row of \
                                 type {t}, which no PDF version defines; readers that rebuild \
                                 the table would show another object"
                            )));
                        }
                    };
                    entries.entry(num).or_insert(e);
                }
            }
            Ok(Section { offset, entries, trailer: s.dict, is_stream: true })
        }
    }

    /// Where object `num` is, looking only at sections for which `visible` is true (newest
    /// first). `None`: never defined.
    pub fn entry_in(&self, num: u32, visible: impl Fn(&Section) -> bool) -> Option<(Entry, u64)> {
        self.sections
            .iter()
            .filter(|s| visible(s))
            .find_map(|s| s.entries.get(&num).map(|e| (*e, s.offset)))
    }

    /// The current version of an object.
    pub fn get(&self, r: Ref) -> Result<Object> {
        self.get_in(r, |_| true)
    }

    /// An object as the sections for which `visible` is true define it (an older revision).
    /// A missing or deleted object is `null`, as the spec says.
    pub fn get_in(&self, r: Ref, visible: impl Fn(&Section) -> bool) -> Result<Object> {
        match self.entry_in(r.num, visible) {
            None | Some((Entry::Free, _)) => Ok(Object::Null),
            Some((Entry::At(off, _), _)) => self.object_at(off, r),
            Some((Entry::InStream(stm, idx), _)) => self.object_in_stream(stm, idx, r),
        }
    }

    /// Parses the indirect object at `offset`, checking that it is `r`.
    pub fn object_at(&self, offset: u64, r: Ref) -> Result<Object> {
        let parsed = self.parse_at(offset, |p| p.indirect());
        let err = match parsed {
            Ok((found, obj)) if found.num == r.num => return Ok(obj),
            Ok((found, _)) => invalid(format!(
                "the cross-reference table puts object {} at offset {offset}, where object {} is",
                r.num, found.num
            )),
            Err(e) => invalid(format!("object {} at offset {offset}: {e}", r.num)),
        };
        match self.object_near(offset, r) {
            Some((real, obj)) => {
                self.repaired(format!(
                    "the cross-reference table puts object {} at offset {offset}; it is at {real}",
                    r.num
                ));
                Ok(obj)
            }
            None => Err(err),
        }
    }

    fn object_in_stream(&self, stm: u32, idx: u32, r: Ref) -> Result<Object> {
        let cached = self.objstm_cache.borrow().get(&stm).cloned();
        let os = match cached {
            Some(os) => os,
            None => {
                // PDF 2.0 §7.5.7: an object stream is not itself in an object stream, nor is
                // its /Length; either would need the stream to read the stream.
                if !matches!(self.entry_in(stm, |_| true), Some((Entry::At(..), _))) {
                    return Err(invalid(format!(
                        "object stream {stm} is not an uncompressed object of the file"
                    )));
                }
                if self.objstm_loading.borrow().contains(&stm) {
                    return Err(invalid(format!(
                        "object stream {stm} is needed to read itself (its /Length is inside it)"
                    )));
                }
                // One object stream's /Length in another's, and so on: a few, not a descent
                // as deep as the file has streams.
                if self.objstm_loading.borrow().len() >= 4 {
                    return Err(invalid(format!(
                        "object stream {stm}: object streams whose /Length is in another \
                         object stream nest more than 4 deep"
                    )));
                }
                self.objstm_loading.borrow_mut().push(stm);
                let loaded = self.get_in(Ref::new(stm), |_| true).and_then(|o| match o {
                    Object::Stream(s) => Ok(s),
                    _ => Err(invalid(format!("object stream {stm} is not a stream"))),
                });
                let loaded = loaded.and_then(|s| self.stream_data(&s, true).map(|d| (s, d)));
                self.objstm_loading.borrow_mut().retain(|&n| n != stm);
                let (s, data) = loaded?;
                let n = s.dict.get("N").and_then(Object::as_i64).unwrap_or(0).max(0) as usize;
                let first =
                    s.dict.get("First").and_then(Object::as_i64).unwrap_or(0).max(0) as usize;
                let mut p = Parser::new(&data, 0, true);
                let mut offsets = Vec::with_capacity(n.min(100_000));
                for _ in 0..n {
                    let (Ok(num), Ok(off)) = (p.uint(), p.uint()) else { break };
                    offsets.push((num as u32, first.saturating_add(off as usize)));
                }
                let os = std::rc::Rc::new(ObjStm { data, offsets });
                let mut cache = self.objstm_cache.borrow_mut();
                if cache.len() > 64 {
                    cache.clear();
                }
                cache.insert(stm, os.clone());
                os
            }
        };
        let Some(&(num, off)) = os.offsets.get(idx as usize) else {
            return Err(invalid(format!("object {} is not in object stream {stm}", r.num)));
        };
        if num != r.num || off >= os.data.len() {
            return Err(invalid(format!("object stream {stm} does not hold object {}", r.num)));
        }
        let mut p = Parser::new(&os.data[off..], 0, true);
        p.object().map_err(|e| invalid(format!("object {} in object stream {stm}: {e:?}", r.num)))
    }

    /// Follows a reference (once or through a chain); other objects come back as they are.
    pub fn resolve(&self, obj: &Object) -> Result<Object> {
        let mut obj = obj.clone();
        for _ in 0..32 {
            match obj {
                Object::Ref(r) => obj = self.get(r)?,
                other => return Ok(other),
            }
        }
        Err(invalid("a chain of references loops"))
    }

    /// The value of `key` in `dict`, resolved.
    pub fn get_key(&self, dict: &Dict, key: &str) -> Result<Object> {
        match dict.get(key) {
            Some(o) => self.resolve(o),
            None => Ok(Object::Null),
        }
    }

    /// A stream's length: its `/Length`, resolved.
    pub fn stream_len(&self, s: &Stream) -> Result<u64> {
        let len = self.get_key(&s.dict, "Length")?.as_i64().unwrap_or(-1);
        if len < 0 || s.data_start + len as u64 > self.len {
            return Err(invalid("a stream's /Length is missing or runs past the end of the file"));
        }
        Ok(len as u64)
    }

    /// A stream's raw (still encoded) bytes.
    pub fn stream_raw(&self, s: &Stream) -> Result<Vec<u8>> {
        let len = self.stream_len(s)?;
        if len > MAX_DECODED_STREAM as u64 {
            return Err(invalid("a stream is too large to read"));
        }
        self.read_bytes(s.data_start, len as usize)
    }

    /// A stream's bytes, decoded if `decode` (FlateDecode with PNG predictors only: what
    /// xref and object streams use).
    pub fn stream_data(&self, s: &Stream, decode: bool) -> Result<Vec<u8>> {
        let raw = self.stream_raw(s)?;
        if !decode {
            return Ok(raw);
        }
        let filters: Vec<Vec<u8>> = match s.dict.get("Filter") {
            None => vec![],
            Some(Object::Name(n)) => vec![n.clone()],
            Some(Object::Array(a)) => {
                a.iter().filter_map(|o| o.as_name().map(<[u8]>::to_vec)).collect()
            }
            Some(_) => return Err(invalid("a stream's /Filter is not a name")),
        };
        let parms = match s.dict.get("DecodeParms") {
            Some(Object::Dict(d)) => Some(d.clone()),
            Some(Object::Array(a)) => a.first().and_then(|o| o.as_dict().cloned()),
            _ => None,
        };
        let mut data = raw;
        for f in &filters {
            if f != b"FlateDecode" {
                return Err(invalid(format!(
                    "stream filter {} is not supported here",
                    String::from_utf8_lossy(f)
                )));
            }
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(&data[..])
                .take(MAX_DECODED_STREAM as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|e| invalid(format!("a compressed stream is corrupt: {e}")))?;
            if out.len() > MAX_DECODED_STREAM {
                return Err(invalid("a compressed stream decodes to too much data"));
            }
            data = out;
        }
        if let Some(p) = parms {
            let predictor = p.get("Predictor").and_then(Object::as_i64).unwrap_or(1);
            if predictor >= 10 {
                let columns =
                    p.get("Columns").and_then(Object::as_i64).unwrap_or(1).clamp(1, 1 << 20);
                data = png_unpredict(&data, columns as usize)?;
            } else if predictor != 1 {
                return Err(invalid(format!("predictor {predictor} is not supported")));
            }
        }
        Ok(data)
    }
}

/// Undoes PNG row predictors (one byte per pixel component, 8 bits).
fn png_unpredict(data: &[u8], columns: usize) -> Result<Vec<u8>> {
    let row = columns + 1;
    let mut out = Vec::with_capacity(data.len() / row * columns);
    let mut prev = vec![0u8; columns];
    for chunk in data.chunks(row) {
        if chunk.len() < row {
            break;
        }
        let (tag, src) = (chunk[0], &chunk[1..]);
        let mut cur = vec![0u8; columns];
        for i in 0..columns {
            let left = if i > 0 { cur[i - 1] } else { 0 };
            let up = prev[i];
            let up_left = if i > 0 { prev[i - 1] } else { 0 };
            cur[i] = match tag {
                0 => src[i],
                1 => src[i].wrapping_add(left),
                2 => src[i].wrapping_add(up),
                3 => src[i].wrapping_add(((u16::from(left) + u16::from(up)) / 2) as u8),
                4 => src[i].wrapping_add(paeth(left, up, up_left)),
                t => return Err(invalid(format!("PNG predictor tag {t}"))),
            };
        }
        out.extend_from_slice(&cur);
        prev = cur;
    }
    Ok(out)
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) =
        ((p - i16::from(a)).abs(), (p - i16::from(b)).abs(), (p - i16::from(c)).abs());
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// Finds the offset `startxref` names, in the last 1 KiB of the file.
fn find_startxref<S: Source>(src: &S, len: u64) -> Result<u64> {
    let tail_len = len.min(1024);
    let mut tail = vec![0u8; tail_len as usize];
    src.read_at(len - tail_len, &mut tail)?;
    let Some(at) = tail.windows(9).rposition(|w| w == b"startxref") else {
        return Err(invalid("no startxref at the end: the file is truncated or not a PDF"));
    };
    let mut p = Parser::new(&tail[at + 9..], 0, true);
    let off = p.uint().map_err(|_| invalid("startxref is not followed by an offset"))?;
    if off >= len {
        return Err(invalid(format!(
            "startxref points at offset {off}, beyond the end of the file"
        )));
    }
    Ok(off)
}
