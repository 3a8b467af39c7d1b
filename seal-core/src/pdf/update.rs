//! Incremental updates (ISO 32000-1 §7.5.6): new and changed objects appended after the
//! original bytes with a cross-reference section of their own, and the placeholder of a
//! signature whose `/ByteRange` and `/Contents` are filled in once everything around them
//! is written.

use std::fmt::Write as _;

use super::file::{PdfFile, Source};
use super::object::{Dict, Object, Ref, write_dict, write_object};
use crate::digest::Hasher;
use crate::error::{Error, Result};

/// The room left for the `/ByteRange` value: `[0 b c d]` with four numbers of up to ten
/// digits each.
const BYTE_RANGE_ROOM: usize = 48;

/// Appends an incremental update: objects in order, then the cross-reference section.
pub(crate) struct Writer {
    pub(crate) buf: Vec<u8>,
    /// The length of the document the update follows.
    base: u64,
    offsets: Vec<(Ref, u64)>,
}

/// The number the first new object gets: /Size, or past the highest object any section
/// defines if /Size is missing or too small (some writers get it wrong).
pub(crate) fn first_free<S: Source>(pdf: &PdfFile<S>) -> Result<u32> {
    let size = pdf.trailer().get("Size").and_then(Object::as_i64).unwrap_or(0);
    let size =
        u32::try_from(size).map_err(|_| Error::decode("PDF", "trailer /Size out of range"))?;
    let highest = pdf.sections.iter().flat_map(|s| s.entries.keys()).max().map_or(0, |n| n + 1);
    Ok(size.max(highest))
}

impl Writer {
    /// An update to `pdf`, starting on a line of its own.
    pub(crate) fn new<S: Source>(pdf: &PdfFile<S>) -> Result<Writer> {
        let len = pdf.len();
        let last = pdf.read_bytes(len.saturating_sub(1), 1)?;
        let mut w = Writer { buf: Vec::new(), base: len, offsets: Vec::new() };
        if !matches!(last[..], [b'\n'] | [b'\r']) {
            w.buf.push(b'\n');
        }
        Ok(w)
    }

    pub(crate) fn object(&mut self, r: Ref, o: &Object) {
        self.offsets.push((r, self.base + self.buf.len() as u64));
        self.buf.extend_from_slice(format!("{} {} obj\n", r.num, r.generation).as_bytes());
        write_object(&mut self.buf, o);
        self.buf.extend_from_slice(b"\nendobj\n");
    }

    pub(crate) fn stream(&mut self, r: Ref, d: &Dict, data: &[u8]) {
        self.offsets.push((r, self.base + self.buf.len() as u64));
        let mut d = d.clone();
        d.set("Length", Object::Int(data.len() as i64));
        self.buf.extend_from_slice(format!("{} {} obj\n", r.num, r.generation).as_bytes());
        write_dict(&mut self.buf, &d);
        self.buf.extend_from_slice(b"\nstream\n");
        self.buf.extend_from_slice(data);
        self.buf.extend_from_slice(b"\nendstream\nendobj\n");
    }

    /// Writes a signature dictionary `d` (without /ByteRange and /Contents) with room for
    /// `contents_len` bytes of signature; returns where its placeholders are.
    pub(crate) fn signature(&mut self, r: Ref, d: &Dict, contents_len: usize) -> Placeholder {
        self.offsets.push((r, self.base + self.buf.len() as u64));
        self.buf.extend_from_slice(format!("{} {} obj\n", r.num, r.generation).as_bytes());
        let mut dict = Vec::new();
        write_dict(&mut dict, d);
        dict.truncate(dict.len() - 2); // reopen before ">>"
        self.buf.extend_from_slice(&dict);
        self.buf.extend_from_slice(b"/ByteRange ");
        let byte_range_at = self.buf.len();
        self.buf.extend(std::iter::repeat_n(b' ', BYTE_RANGE_ROOM));
        self.buf.extend_from_slice(b"/Contents ");
        let contents_at = self.buf.len();
        let contents_hex = contents_len * 2;
        self.buf.push(b'<');
        self.buf.extend(std::iter::repeat_n(b'0', contents_hex));
        self.buf.extend_from_slice(b">>>\nendobj\n");
        Placeholder { base: self.base, byte_range_at, contents_at, contents_hex }
    }

    /// Ends the update with its cross-reference section (a stream if the document's newest
    /// section is one) and trailer; `next` is the first object number still free.
    pub(crate) fn finish<S: Source>(mut self, pdf: &PdfFile<S>, mut next: u32) -> Vec<u8> {
        // Where the newest section really is (a repairing read may have found it a few
        // bytes from where startxref says), so that the update is well-formed.
        let prev = pdf.sections[0].offset;
        let mut trailer = Dict::new();
        for k in ["Root", "Info", "ID"] {
            if let Some(v) = pdf.trailer().get(k) {
                trailer.set(k, v.clone());
            }
        }
        trailer.set("Prev", Object::Int(prev as i64));
        if pdf.sections[0].is_stream {
            let xref_ref = Ref::new(next);
            next += 1;
            self.xref_stream(xref_ref, next, trailer);
        } else {
            trailer.set("Size", Object::Int(i64::from(next)));
            self.xref_table(trailer);
        }
        self.buf
    }

    /// Consecutive runs of object numbers: (first, entries).
    fn runs(&self) -> Vec<(u32, Vec<(Ref, u64)>)> {
        let mut sorted = self.offsets.clone();
        sorted.sort();
        let mut runs: Vec<(u32, Vec<(Ref, u64)>)> = Vec::new();
        for (r, off) in sorted {
            match runs.last_mut() {
                Some((first, items)) if *first + items.len() as u32 == r.num => {
                    items.push((r, off))
                }
                _ => runs.push((r.num, vec![(r, off)])),
            }
        }
        runs
    }

    fn xref_table(&mut self, trailer: Dict) {
        let at = self.base + self.buf.len() as u64;
        let mut s = String::from("xref\n");
        for (first, items) in self.runs() {
            let _ = writeln!(s, "{first} {}", items.len());
            for (r, off) in items {
                let _ = write!(s, "{off:010} {:05} n\r\n", r.generation);
            }
        }
        s.push_str("trailer\n");
        self.buf.extend_from_slice(s.as_bytes());
        write_dict(&mut self.buf, &trailer);
        self.buf.extend_from_slice(format!("\nstartxref\n{at}\n%%EOF\n").as_bytes());
    }

    fn xref_stream(&mut self, r: Ref, size: u32, mut dict: Dict) {
        let at = self.base + self.buf.len() as u64;
        self.offsets.push((r, at));
        let width = (1..=8).find(|&n| at < 1u64 << (8 * n)).unwrap_or(8);
        let mut data = Vec::new();
        let mut index = Vec::new();
        for (first, items) in self.runs() {
            index.push(Object::Int(i64::from(first)));
            index.push(Object::Int(items.len() as i64));
            for (r, off) in items {
                data.push(1u8);
                data.extend_from_slice(&off.to_be_bytes()[8 - width..]);
                data.extend_from_slice(&r.generation.to_be_bytes());
            }
        }
        self.offsets.pop();
        dict.set("Type", Object::name("XRef"));
        dict.set("Size", Object::Int(i64::from(size)));
        dict.set(
            "W",
            Object::Array(vec![Object::Int(1), Object::Int(width as i64), Object::Int(2)]),
        );
        dict.set("Index", Object::Array(index));
        self.stream(r, &dict, &data);
        self.buf.extend_from_slice(format!("startxref\n{at}\n%%EOF\n").as_bytes());
    }
}

/// Where a signature's /ByteRange and /Contents slots are in an update.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Placeholder {
    /// The length of the document the update follows.
    base: u64,
    /// The index of the ByteRange value in the update.
    byte_range_at: usize,
    /// The index of the `<` of /Contents and the number of hex digits inside.
    contents_at: usize,
    contents_hex: usize,
}

impl Placeholder {
    /// The room for the signature, in bytes.
    pub(crate) fn room(&self) -> usize {
        self.contents_hex / 2
    }

    /// Writes the /ByteRange into `update` (all of it but the /Contents slot), then feeds
    /// what it covers in `update` to `hasher`, which has hashed the document before it.
    pub(crate) fn hash(&self, update: &mut [u8], hasher: &mut Hasher) -> Result<()> {
        let b = self.base + self.contents_at as u64;
        let c = b + self.contents_hex as u64 + 2;
        let total = self.base + update.len() as u64;
        let range = format!("[0 {b} {c} {}]", total - c);
        if range.len() > BYTE_RANGE_ROOM {
            return Err(Error::InvalidInput("the document is too large for its ByteRange".into()));
        }
        let slot = &mut update[self.byte_range_at..self.byte_range_at + BYTE_RANGE_ROOM];
        slot.fill(b' ');
        slot[..range.len()].copy_from_slice(range.as_bytes());
        hasher.update(&update[..self.contents_at]);
        hasher.update(&update[self.contents_at + self.contents_hex + 2..]);
        Ok(())
    }

    /// Puts `sig` (DER) into the /Contents slot, hex, padded with zeros.
    pub(crate) fn put(&self, update: &mut [u8], sig: &[u8]) -> Result<()> {
        if sig.len() * 2 > self.contents_hex {
            return Err(Error::Signing(format!(
                "the signature ({} bytes) is larger than the room computed for it ({} bytes)",
                sig.len(),
                self.room()
            )));
        }
        let start = self.contents_at + 1;
        base16ct::upper::encode(sig, &mut update[start..start + sig.len() * 2])
            .map_err(|e| Error::Signing(format!("cannot encode the signature: {e}")))?;
        Ok(())
    }
}

/// A document followed by updates not yet written out: the bytes of a file, then bytes in
/// memory, read as one.
pub(crate) struct Appended<'a, S: Source> {
    pub(crate) head: &'a S,
    pub(crate) tail: &'a [u8],
}

impl<S: Source> Source for Appended<'_, S> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
        let head = self.head.len();
        if offset < head {
            let n = buf.len().min((head - offset) as usize);
            let got = self.head.read_at(offset, &mut buf[..n])?;
            if got < n || n == buf.len() {
                return Ok(got);
            }
            let more = self.tail.read_at(0, &mut buf[n..])?;
            return Ok(n + more);
        }
        self.tail.read_at(offset - head, buf)
    }
    fn len(&self) -> u64 {
        self.head.len() + self.tail.len() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appended_reads_across_the_seam() {
        let head: &[u8] = b"hello ";
        let a = Appended { head: &head, tail: b"world" };
        assert_eq!(a.len(), 11);
        let mut buf = [0u8; 8];
        assert_eq!(a.read_at(3, &mut buf).unwrap(), 8);
        assert_eq!(&buf, b"lo world");
        assert_eq!(a.read_at(9, &mut buf).unwrap(), 2);
        assert_eq!(&buf[..2], b"ld");
        assert_eq!(a.read_at(20, &mut buf).unwrap(), 0);
    }
}
