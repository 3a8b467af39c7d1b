//! BER input turned into DER, so that one DER parser reads what other producers write.
//!
//! CMS (RFC 5652) allows BER: LibreOffice, Java's BouncyCastle streaming classes and
//! `openssl cms -stream` write indefinite lengths and constructed (segmented) OCTET
//! STRINGs. Verifying needs no BER semantics beyond these, so [`to_der`] rewrites:
//!
//! - indefinite lengths (`0x80` ... `00 00`) and non-minimal definite lengths as minimal
//!   definite lengths (X.690 §10.1);
//! - constructed universal string types (OCTET STRING, BIT STRING and the character
//!   strings) as one primitive string of the concatenated segments (X.690 §10.2).
//!
//! Contents of primitive elements are copied as they are, and SET OF elements keep their
//! order, so an element that was DER already (a certificate, the signed attributes) comes
//! out byte for byte as it went in: signatures over them still verify. Depth and size are
//! bounded, so hostile input costs at most linear time.

use std::borrow::Cow;

use crate::error::{Error, Result};

/// The deepest nesting accepted (CMS with certificates nests about 12 deep).
const MAX_DEPTH: usize = 64;

/// Decodes the first BER element of `input` and returns its DER encoding (borrowed when the
/// element was DER already) and how many input bytes it took.
pub fn to_der(input: &[u8]) -> Result<(Cow<'_, [u8]>, usize)> {
    let mut r = Reader { data: input, pos: 0 };
    let (header, content) = r.element(0)?;
    let used = r.pos;
    if is_der(&header, &content, input, used) {
        return Ok((Cow::Borrowed(&input[..used]), used));
    }
    let mut out = Vec::with_capacity(used);
    write(&header, &content, input, &mut out);
    Ok((Cow::Owned(out), used))
}

/// True if `input` holds exactly one element that is already in definite-length form.
pub fn is_definite(input: &[u8]) -> bool {
    to_der(input).is_ok_and(|(der, used)| used == input.len() && matches!(der, Cow::Borrowed(_)))
}

struct Header {
    /// The identifier octets, as read.
    tag: Vec<u8>,
    constructed: bool,
    /// The string type to rebuild as primitive, if a constructed universal string.
    string: bool,
}

enum Content {
    Primitive(std::ops::Range<usize>),
    Constructed(Vec<(Header, Content)>),
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

fn bad(what: &str) -> Error {
    Error::decode("BER", what.to_string())
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8> {
        let b = *self.data.get(self.pos).ok_or_else(|| bad("data cut short"))?;
        self.pos += 1;
        Ok(b)
    }

    fn header(&mut self) -> Result<(Header, Option<usize>)> {
        let start = self.pos;
        let first = self.byte()?;
        if first & 0x1f == 0x1f {
            // High tag number form: base-128 digits, the last without its top bit.
            for _ in 0..5 {
                if self.byte()? & 0x80 == 0 {
                    break;
                }
            }
        }
        let tag = self.data[start..self.pos].to_vec();
        let constructed = first & 0x20 != 0;
        let universal = first & 0xc0 == 0;
        let number = first & 0x1f;
        // OCTET STRING, BIT STRING, UTF8String, and the character string types 18-30.
        let string = constructed && universal && matches!(number, 3 | 4 | 12 | 18..=30);
        let len = match self.byte()? {
            n if n < 0x80 => Some(usize::from(n)),
            0x80 if constructed => None,
            0x80 => return Err(bad("indefinite length on a primitive element")),
            0xff => return Err(bad("reserved length octet")),
            n => {
                let k = usize::from(n & 0x7f);
                if k > 4 {
                    return Err(bad("length too long"));
                }
                let mut len = 0usize;
                for _ in 0..k {
                    len = len << 8 | usize::from(self.byte()?);
                }
                Some(len)
            }
        };
        Ok((Header { tag, constructed, string }, len))
    }

    fn element(&mut self, depth: usize) -> Result<(Header, Content)> {
        if depth > MAX_DEPTH {
            return Err(bad("nested too deeply"));
        }
        let (header, len) = self.header()?;
        match len {
            Some(len) => {
                let end = self
                    .pos
                    .checked_add(len)
                    .filter(|&e| e <= self.data.len())
                    .ok_or_else(|| bad("an element is longer than the data around it"))?;
                if !header.constructed {
                    let range = self.pos..end;
                    self.pos = end;
                    return Ok((header, Content::Primitive(range)));
                }
                let mut children = Vec::new();
                while self.pos < end {
                    children.push(self.element(depth + 1)?);
                }
                if self.pos != end {
                    return Err(bad("a constructed element's children overrun it"));
                }
                Ok((header, Content::Constructed(children)))
            }
            None => {
                let mut children = Vec::new();
                loop {
                    if self.data.get(self.pos..self.pos + 2) == Some(&[0, 0]) {
                        self.pos += 2;
                        break;
                    }
                    if self.pos >= self.data.len() {
                        return Err(bad("no end-of-contents after an indefinite length"));
                    }
                    children.push(self.element(depth + 1)?);
                }
                Ok((header, Content::Constructed(children)))
            }
        }
    }
}

/// True if re-encoding would give the input bytes back: every length minimal and definite,
/// and no constructed strings.
fn is_der(header: &Header, content: &Content, input: &[u8], used: usize) -> bool {
    let mut out = Vec::with_capacity(used);
    write(header, content, input, &mut out);
    out == input[..used]
}

/// Writes one element in DER form; `input` holds the primitive contents.
fn write(header: &Header, content: &Content, input: &[u8], out: &mut Vec<u8>) {
    let mut tag = header.tag.clone();
    let body = match content {
        Content::Primitive(range) => input[range.clone()].to_vec(),
        Content::Constructed(children) if header.string => {
            // A constructed string: its segments, flattened in order, as one primitive.
            let mut body = Vec::new();
            collect_segments(children, input, &mut body);
            tag[0] &= !0x20;
            body
        }
        Content::Constructed(children) => {
            let mut body = Vec::new();
            for (h, c) in children {
                write(h, c, input, &mut body);
            }
            body
        }
    };
    out.extend_from_slice(&tag);
    write_len(body.len(), out);
    out.extend_from_slice(&body);
}

fn collect_segments(children: &[(Header, Content)], input: &[u8], out: &mut Vec<u8>) {
    for (_, c) in children {
        match c {
            Content::Primitive(range) => out.extend_from_slice(&input[range.clone()]),
            Content::Constructed(inner) => collect_segments(inner, input, out),
        }
    }
}

fn write_len(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_passes_through_borrowed() {
        let der = [0x30, 0x06, 0x04, 0x01, 0xaa, 0x02, 0x01, 0x05, 0xff];
        let (out, used) = to_der(&der).unwrap();
        assert!(matches!(out, Cow::Borrowed(_)));
        assert_eq!(used, 8);
        assert!(!is_definite(&der), "trailing byte");
        assert!(is_definite(&der[..8]));
    }

    #[test]
    fn indefinite_lengths_and_segmented_strings() {
        // SEQUENCE (indefinite) { [0] (indefinite) { OCTET STRING constructed (indefinite)
        // { "ab", "c" } }, INTEGER 5 with a non-minimal length }
        let ber = [
            0x30, 0x80, 0xa0, 0x80, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0x00,
            0x00, 0x00, 0x00, 0x02, 0x81, 0x01, 0x05, 0x00, 0x00, 0x00, 0x00,
        ];
        let (out, used) = to_der(&ber).unwrap();
        assert_eq!(used, ber.len() - 2, "trailing padding is left to the caller");
        assert_eq!(
            &out[..],
            &[0x30, 0x0a, 0xa0, 0x05, 0x04, 0x03, b'a', b'b', b'c', 0x02, 0x01, 0x05]
        );
    }

    #[test]
    fn hostile_input_is_an_error_not_a_hang() {
        for bad in [
            &[0x30, 0x80][..],                  // no end-of-contents
            &[0x04, 0x80, 0x00, 0x00],          // indefinite primitive
            &[0x30, 0x85, 1, 1, 1, 1, 1],       // length too long
            &[0x30, 0x05, 0x04, 0x07, 1, 2, 3], // child overruns
            &[],
        ] {
            assert!(to_der(bad).is_err(), "{bad:?}");
        }
        let deep: Vec<u8> = std::iter::repeat_n([0x30u8, 0x80], 100).flatten().collect();
        assert!(to_der(&deep).is_err());
    }
}
