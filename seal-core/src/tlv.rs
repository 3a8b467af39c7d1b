//! A lenient reader over DER, and a small DER writer: for the GB/T 38540 / GM/T 0031
//! structures first, and shared by CMS, OCSP and RFC 3161, which write DER the same way.
//!
//! Vendor seal systems deviate from strict DER in small ways (explicit `critical FALSE`,
//! raw `r || s` signatures, a v1 time as a BIT STRING of text). The structures are
//! therefore read element by element with `der::AnyRef`, and every signed part is kept as
//! the bytes that stand in the file, never re-encoded from a typed value.

use der::asn1::{AnyRef, ObjectIdentifier};
use der::{Decode, Encode, Reader, SliceReader, Tag, Tagged};

use crate::error::{Error, Result};
use crate::time::UnixTime;

/// The elements of a SEQUENCE, with the name of the structure for errors.
pub(crate) struct Seq<'a> {
    pub(crate) what: &'static str,
    pub(crate) items: Vec<AnyRef<'a>>,
}

impl<'a> Seq<'a> {
    /// Reads a SEQUENCE from the start of `bytes`; trailing data is an error.
    pub(crate) fn parse(what: &'static str, bytes: &'a [u8]) -> Result<Seq<'a>> {
        let any = AnyRef::from_der(bytes).map_err(|e| Error::decode(what, e))?;
        Seq::of(what, any)
    }

    /// The elements of `any`, which must be a SEQUENCE.
    pub(crate) fn of(what: &'static str, any: AnyRef<'a>) -> Result<Seq<'a>> {
        if any.tag() != Tag::Sequence {
            return Err(Error::decode(what, format!("expected a SEQUENCE, found {}", any.tag())));
        }
        Seq::children(what, any)
    }

    /// The elements inside any constructed element (SET, tagged), without checking its tag.
    pub(crate) fn children(what: &'static str, any: AnyRef<'a>) -> Result<Seq<'a>> {
        let mut reader = SliceReader::new(any.value()).map_err(|e| Error::decode(what, e))?;
        let mut items = Vec::new();
        while !reader.is_finished() {
            items.push(AnyRef::decode(&mut reader).map_err(|e| Error::decode(what, e))?);
        }
        Ok(Seq { what, items })
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// Element `i`, or an error naming the field.
    pub(crate) fn get(&self, i: usize, field: &str) -> Result<AnyRef<'a>> {
        self.items
            .get(i)
            .copied()
            .ok_or_else(|| Error::decode(self.what, format!("missing {field}")))
    }

    pub(crate) fn seq(&self, i: usize, field: &'static str) -> Result<Seq<'a>> {
        Seq::of(field, self.get(i, field)?)
    }

    pub(crate) fn text(&self, i: usize, field: &str) -> Result<String> {
        let any = self.get(i, field)?;
        match any.tag() {
            Tag::Ia5String | Tag::PrintableString | Tag::Utf8String | Tag::VisibleString => {
                String::from_utf8(any.value().to_vec())
                    .map_err(|_| Error::decode(self.what, format!("{field} is not valid text")))
            }
            other => {
                Err(Error::decode(self.what, format!("{field}: expected a string, found {other}")))
            }
        }
    }

    pub(crate) fn int(&self, i: usize, field: &str) -> Result<i64> {
        let any = self.get(i, field)?;
        if any.tag() != Tag::Integer {
            return Err(Error::decode(
                self.what,
                format!("{field}: expected an INTEGER, found {}", any.tag()),
            ));
        }
        let v = any.value();
        if v.is_empty() || v.len() > 8 {
            return Err(Error::decode(self.what, format!("{field}: INTEGER out of range")));
        }
        let mut n: i64 = if v[0] & 0x80 != 0 { -1 } else { 0 };
        for b in v {
            n = (n << 8) | i64::from(*b);
        }
        Ok(n)
    }

    pub(crate) fn octets(&self, i: usize, field: &str) -> Result<&'a [u8]> {
        let any = self.get(i, field)?;
        if any.tag() != Tag::OctetString {
            return Err(Error::decode(
                self.what,
                format!("{field}: expected an OCTET STRING, found {}", any.tag()),
            ));
        }
        Ok(any.value())
    }

    /// The contents of a BIT STRING with no unused bits.
    pub(crate) fn bits(&self, i: usize, field: &str) -> Result<&'a [u8]> {
        let any = self.get(i, field)?;
        bits(self.what, field, any)
    }

    pub(crate) fn oid(&self, i: usize, field: &str) -> Result<ObjectIdentifier> {
        let any = self.get(i, field)?;
        any.decode_as::<ObjectIdentifier>()
            .map_err(|e| Error::decode(self.what, format!("{field}: {e}")))
    }

    /// A GeneralizedTime or UTCTime.
    pub(crate) fn time(&self, i: usize, field: &str) -> Result<UnixTime> {
        time(self.what, field, self.get(i, field)?)
    }

    /// The element's whole encoding (tag, length and contents), as it stands in the input.
    pub(crate) fn raw(&self, i: usize, field: &str) -> Result<Vec<u8>> {
        raw(self.what, self.get(i, field)?)
    }
}

pub(crate) fn raw(what: &'static str, any: AnyRef<'_>) -> Result<Vec<u8>> {
    // The header is re-encoded, the contents are copied: `der` only accepts minimal
    // length encodings, so the header re-encodes to the very bytes it was read from.
    any.to_der().map_err(|e| Error::decode(what, e))
}

pub(crate) fn bits<'a>(what: &'static str, field: &str, any: AnyRef<'a>) -> Result<&'a [u8]> {
    if any.tag() != Tag::BitString {
        return Err(Error::decode(
            what,
            format!("{field}: expected a BIT STRING, found {}", any.tag()),
        ));
    }
    match any.value().split_first() {
        Some((0, rest)) => Ok(rest),
        Some((n, _)) => {
            Err(Error::decode(what, format!("{field}: BIT STRING with {n} unused bits")))
        }
        None => Err(Error::decode(what, format!("{field}: empty BIT STRING"))),
    }
}

pub(crate) fn time(what: &'static str, field: &str, any: AnyRef<'_>) -> Result<UnixTime> {
    let t = match any.tag() {
        Tag::GeneralizedTime => {
            any.decode_as::<der::asn1::GeneralizedTime>().map(|t| t.to_unix_duration())
        }
        Tag::UtcTime => any.decode_as::<der::asn1::UtcTime>().map(|t| t.to_unix_duration()),
        other => {
            return Err(Error::decode(what, format!("{field}: expected a time, found {other}")));
        }
    };
    t.map(|d| UnixTime::from_secs(d.as_secs()))
        .map_err(|e| Error::decode(what, format!("{field}: {e}")))
}

/// Encodes a TLV: one tag byte, a DER length, the contents.
pub(crate) fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}
