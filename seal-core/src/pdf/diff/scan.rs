//! Objects written after the signed bytes that no cross-reference section accounts for.
//!
//! A repairing reader (poppler, Ghostscript, qpdf, and every viewer when a table looks
//! damaged) rebuilds the table by scanning the file for `N G obj`, and then shows the
//! object it found last. An object defined in an update's body that the update's own
//! cross-reference section does not list at that offset is therefore a modification that
//! seal's reading of the chain would not see (a "hidden object"), and is reported as one.
//! The scan streams the bytes after the signature in windows; it steps over every object
//! it recognises, so the data of streams is not mistaken for objects.

use crate::Result;
use crate::pdf::file::{Entry, PdfFile, Section, Source};
use crate::pdf::object::Object;

const WINDOW: usize = 1 << 20;

/// Each object defined at or after `from` that none of `later` lists at its offset:
/// (object number, offset).
pub(super) fn unlisted<S: Source>(
    pdf: &PdfFile<S>,
    from: u64,
    later: &[&Section],
) -> Result<Vec<(u32, u64)>> {
    // An offset a few bytes off (some writers point at the line end before the object) is
    // the object a repairing reader finds too.
    let listed = |num: u32, at: u64| {
        later.iter().any(|s| {
            // A hybrid file's /XRefStm stream is where its table says, listed or not.
            let xref_stm = s.trailer.get("XRefStm").and_then(Object::as_i64);
            s.offset == at
                || xref_stm == Some(at as i64)
                || matches!(s.entries.get(&num), Some(Entry::At(off, _)) if off.abs_diff(at) <= 8)
        })
    };
    let mut out = Vec::new();
    let mut pos = from;
    let len = pdf.len();
    while pos < len {
        let buf = pdf.read_bytes(pos, WINDOW.min((len - pos) as usize))?;
        let Some((i, num)) = next_header(&buf, pos == from) else {
            if buf.len() < WINDOW {
                break;
            }
            pos += (buf.len() - 32) as u64; // keep a header split across windows
            continue;
        };
        let at = pos + i as u64;
        if !listed(num, at) {
            out.push((num, at));
        }
        pos = object_end(pdf, at).unwrap_or(at + 1).max(at + 1);
    }
    Ok(out)
}

/// The first `N G obj` in `buf` at the start of a line or after whitespace: its index and
/// object number.
fn next_header(buf: &[u8], at_start: bool) -> Option<(usize, u32)> {
    let mut i = 0;
    while let Some(k) = buf[i..].windows(3).position(|w| w == b"obj") {
        let kw = i + k;
        i = kw + 3;
        // Backwards: whitespace, generation digits, whitespace, object digits.
        let mut j = kw;
        let ws = |j: &mut usize| {
            let start = *j;
            while *j > 0 && buf[*j - 1].is_ascii_whitespace() {
                *j -= 1;
            }
            *j < start
        };
        let digits = |j: &mut usize| {
            let start = *j;
            while *j > 0 && buf[*j - 1].is_ascii_digit() {
                *j -= 1;
            }
            (*j < start).then_some((*j, start))
        };
        if !ws(&mut j) || digits(&mut j).is_none() || !ws(&mut j) {
            continue;
        }
        let Some((s, e)) = digits(&mut j) else { continue };
        let boundary =
            s > 0 && (buf[s - 1].is_ascii_whitespace() || b"<>[]()/%".contains(&buf[s - 1]));
        if !(boundary || (s == 0 && at_start)) {
            continue;
        }
        let after = buf.get(kw + 3).copied();
        if after.is_some_and(|b| b.is_ascii_alphanumeric()) {
            continue; // "object", "objstm" and the like
        }
        if let Ok(num) = std::str::from_utf8(&buf[s..e]).unwrap_or("").parse::<u32>() {
            return Some((s, num));
        }
    }
    None
}

/// Where the indirect object at `at` ends (after `endobj`, or after a stream's data).
fn object_end<S: Source>(pdf: &PdfFile<S>, at: u64) -> Option<u64> {
    let (obj, end) = pdf.parse_at(at, |p| Ok((p.indirect()?.1, p.offset()))).ok()?;
    match obj {
        Object::Stream(s) => Some(s.data_start + pdf.stream_len(&s).ok()?),
        _ => Some(end),
    }
}

#[cfg(test)]
mod tests {
    use super::next_header;

    #[test]
    fn headers_are_found_only_where_an_object_can_start() {
        assert_eq!(next_header(b"\n12 0 obj\n<<>>", false), Some((1, 12)));
        assert_eq!(next_header(b"7 0 obj", true), Some((0, 7)));
        assert_eq!(next_header(b"7 0 obj", false), None);
        assert_eq!(next_header(b"x12 0 obj", false), None);
        assert_eq!(next_header(b" 12 0 objstm", false), None);
        assert_eq!(next_header(b" 12 obj 3 0 obj", false), Some((8, 3)));
    }
}
