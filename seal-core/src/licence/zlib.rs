//! zlib (RFC 1950) for licence texts, DCC texts and status lists, through `miniz_oxide`
//! (the inflater `flate2` uses, without its wrapper): bounded inflation, and the number of
//! bytes the stream took, so that a caller can refuse bytes after it.

use miniz_oxide::inflate::stream::{InflateState, inflate as inflate_some};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

use crate::error::{Error, Result};

/// zlib at the best compression.
pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 9)
}

/// Inflates one zlib stream at the start of `data`, to at most `max` bytes; returns them and
/// how many bytes of `data` the stream took. A bad checksum, a truncated stream and a
/// stream inflating beyond `max` are errors naming `what`.
pub(crate) fn inflate(data: &[u8], max: usize, what: &'static str) -> Result<(Vec<u8>, usize)> {
    let mut state = InflateState::new_boxed(DataFormat::Zlib);
    let mut out = Vec::new();
    let mut buf = vec![0u8; 32 << 10];
    let mut consumed = 0;
    loop {
        let r = inflate_some(&mut state, &data[consumed..], &mut buf, MZFlush::None);
        consumed += r.bytes_consumed;
        out.extend_from_slice(&buf[..r.bytes_written]);
        if out.len() > max {
            return Err(Error::decode(what, format!("inflates beyond {max} bytes")));
        }
        match r.status {
            Ok(MZStatus::StreamEnd) => return Ok((out, consumed)),
            Ok(_) if r.bytes_consumed > 0 || r.bytes_written > 0 => {}
            Ok(_) | Err(MZError::Buf) => {
                return Err(Error::decode(what, "the zlib stream is truncated"));
            }
            Err(MZError::Data) => {
                return Err(Error::decode(what, "corrupt zlib data or a wrong checksum"));
            }
            Err(e) => return Err(Error::decode(what, format!("zlib: {e:?}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_bounds_truncation_and_trailing_bytes() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let z = deflate(&data);
        let (back, used) = inflate(&z, data.len(), "test").unwrap();
        assert_eq!((back, used), (data.clone(), z.len()));
        // Bytes after the stream are left to the caller, who sees how many were taken.
        let mut more = z.clone();
        more.extend_from_slice(b"tail");
        assert_eq!(inflate(&more, data.len(), "test").unwrap().1, z.len());
        let err = inflate(&z, data.len() - 1, "test").unwrap_err();
        assert!(err.to_string().contains("inflates beyond"), "{err}");
        let err = inflate(&z[..z.len() / 2], data.len(), "test").unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
        let mut bad = z.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1; // the Adler-32 checksum
        assert!(inflate(&bad, data.len(), "test").is_err());
        assert!(inflate(b"", 10, "test").is_err());
    }
}
