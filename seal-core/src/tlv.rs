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

    /// A time, read as [`time_lenient`] reads it; the note, if any, is added to `notes`.
    pub(crate) fn time_lenient(
        &self,
        i: usize,
        field: &str,
        notes: &mut Vec<String>,
    ) -> Result<UnixTime> {
        let (t, note) = time_lenient(self.what, field, self.get(i, field)?)?;
        notes.extend(note);
        Ok(t)
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

/// A time as [`time`] reads it or, where DER's form is not kept, in the other forms of
/// ISO 8601 that ASN.1 allows a GeneralizedTime or UTCTime (X.680 §46-47) and vendor seal
/// systems write: no seconds, fractional seconds (dropped), a UTC offset (`+0800`), or no
/// time zone at all. X.680 reads a time without a zone as local time; GB/T 38540's
/// producers are in China, so such a time is read as China Standard Time (UTC+8). The
/// second value says what was accepted, for the report, when the time was not DER.
pub(crate) fn time_lenient(
    what: &'static str,
    field: &str,
    any: AnyRef<'_>,
) -> Result<(UnixTime, Option<String>)> {
    if let Ok(t) = time(what, field, any) {
        return Ok((t, None));
    }
    let generalized = any.tag() == Tag::GeneralizedTime;
    let read = std::str::from_utf8(any.value())
        .ok()
        .filter(|_| generalized || any.tag() == Tag::UtcTime)
        .and_then(|text| Some((text, iso_time(text, generalized)?)));
    match read {
        Some((text, (t, how))) => Ok((t, Some(format!("{field} {text:?}: {how}")))),
        // Neither form: the strict reader's error says why.
        None => time(what, field, any).map(|t| (t, None)),
    }
}

/// Parses `YYYY`/`YY` `MMDDHH[MM[SS]][.fff][Z|±HH[MM]]`; returns the time and how it
/// departs from DER's `…SSZ`.
fn iso_time(text: &str, generalized: bool) -> Option<(UnixTime, String)> {
    const CHINA: i64 = 8 * 3600;
    let b = text.as_bytes();
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let year_len = if generalized { 4 } else { 2 };
    let num = |from: usize, len: usize| -> Option<u32> { text.get(from..from + len)?.parse().ok() };
    // Date and hour are required; minutes and seconds may be left out.
    let fields = digits.checked_sub(year_len + 6).filter(|n| [0, 2, 4].contains(n))? / 2;
    let mut year = num(0, year_len)?;
    if !generalized {
        year += if year < 50 { 2000 } else { 1900 };
    }
    let at = year_len;
    let (month, day, hour) = (num(at, 2)?, num(at + 2, 2)?, num(at + 4, 2)?);
    let minute = if fields >= 1 { num(at + 6, 2)? } else { 0 };
    let second = if fields >= 2 { num(at + 8, 2)? } else { 0 };
    let mut departures = Vec::new();
    if fields < 2 {
        departures.push("no seconds");
    }
    let mut rest = &text[digits..];
    if generalized && (rest.starts_with('.') || rest.starts_with(',')) {
        let n = rest[1..].bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        rest = &rest[1 + n..];
        departures.push("fractional seconds, dropped");
    }
    let (offset, zone) = match rest.as_bytes() {
        b"Z" => (0, None),
        [] => (CHINA, Some("no time zone, read as China Standard Time (UTC+8)".to_string())),
        [sign @ (b'+' | b'-'), zone @ ..] if zone.len() == 2 || zone.len() == 4 => {
            let zone = std::str::from_utf8(zone).ok()?;
            let (h, m): (i64, i64) = (
                zone[..2].parse().ok()?,
                if zone.len() == 4 { zone[2..].parse().ok()? } else { 0 },
            );
            if !zone.bytes().all(|c| c.is_ascii_digit()) || h > 14 || m > 59 {
                return None;
            }
            let secs = (h * 60 + m) * 60;
            (if *sign == b'-' { -secs } else { secs }, Some(format!("offset {rest}")))
        }
        _ => return None,
    };
    if let Some(zone) = &zone {
        departures.push(zone.as_str());
    }
    let local = der::DateTime::new(
        u16::try_from(year).ok()?,
        u8::try_from(month).ok()?,
        u8::try_from(day).ok()?,
        u8::try_from(hour).ok()?,
        u8::try_from(minute).ok()?,
        u8::try_from(second).ok()?,
    )
    .ok()?;
    let utc = i64::try_from(local.unix_duration().as_secs()).ok()?.checked_sub(offset)?;
    Some((UnixTime::from_secs(u64::try_from(utc).ok()?), departures.join(", ")))
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn utc(s: &str) -> UnixTime {
        s.parse().unwrap()
    }

    fn read(tag: u8, text: &str) -> Result<(UnixTime, Option<String>)> {
        let der = encode(tag, text.as_bytes());
        time_lenient("test", "t", AnyRef::from_der(&der).unwrap())
    }

    #[test]
    fn der_times_read_strictly_and_carry_no_note() {
        assert_eq!(read(0x18, "20261203000000Z").unwrap(), (utc("2026-12-03T00:00:00Z"), None));
        assert_eq!(read(0x17, "261203000000Z").unwrap(), (utc("2026-12-03T00:00:00Z"), None));
    }

    #[test]
    fn the_other_iso_8601_forms_read_with_a_note_saying_which() {
        for (tag, text, at, how) in [
            (0x18, "20261203080000", "2026-12-03T00:00:00Z", "no time zone, read as China"),
            (0x18, "20261203080000+0800", "2026-12-03T00:00:00Z", "offset +0800"),
            (0x18, "20261202190000-05", "2026-12-03T00:00:00Z", "offset -05"),
            (0x18, "20261203000000.5Z", "2026-12-03T00:00:00Z", "fractional seconds, dropped"),
            (0x18, "202612030000Z", "2026-12-03T00:00:00Z", "no seconds"),
            (0x18, "2026120300Z", "2026-12-03T00:00:00Z", "no seconds"),
            (0x17, "2612030800", "2026-12-03T00:00:00Z", "no seconds, no time zone"),
            (0x17, "261203000000+0000", "2026-12-03T00:00:00Z", "offset +0000"),
            (0x17, "991231235959Z", "1999-12-31T23:59:59Z", ""),
        ] {
            let (t, note) = read(tag, text).unwrap();
            assert_eq!(t, utc(at), "{text}");
            if how.is_empty() {
                assert_eq!(note, None, "{text}");
            } else {
                let note = note.unwrap();
                assert!(note.contains(how) && note.contains(text), "{text}: {note}");
            }
        }
    }

    #[test]
    fn what_is_not_a_time_is_still_refused() {
        for (tag, text) in [
            (0x18, "20261303000000Z"),
            (0x18, "20261232000000"),
            (0x18, "20261203250000"),
            (0x18, "20261203000000+2500"),
            (0x18, "20261203000000+08a0"),
            (0x18, "20261203000000."),
            (0x18, "20261203000000ZZ"),
            (0x18, "202612030"),
            (0x18, "2026-12-03T00:00:00Z"),
            (0x17, "261203000000.5Z"),
            (0x18, ""),
        ] {
            assert!(read(tag, text).is_err(), "{text:?} was read");
        }
        // A time zone cannot move a time before 1970.
        assert!(read(0x18, "19700101000000+0100").is_err());
    }
}
