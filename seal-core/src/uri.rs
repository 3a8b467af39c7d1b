//! What the key URIs share (`pkcs11:` per RFC 7512, `csc+https:` for remote signing
//! services): percent-decoding (RFC 3986 §2.1) and secrets named by where they are, never
//! by their value.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::secret::PassphraseSource;

/// Decodes `%XX` escapes; `what` names the URI kind for the error.
pub(crate) fn pct_decode(s: &str, what: &str) -> Result<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
            out.push(
                hex.ok_or_else(|| Error::InvalidInput(format!("bad %-escape in {what}: {s:?}")))?,
            );
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(out)
}

/// [`pct_decode`] as text.
pub(crate) fn pct_text(s: &str, what: &str) -> Result<String> {
    pct_decode(s, what).map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// A secret's source as a URI names it: `env:VAR`, or `file:PATH` (a bare path is a file).
pub(crate) fn secret_source(v: &str) -> PassphraseSource {
    match v.strip_prefix("env:") {
        Some(var) => PassphraseSource::Env(var.to_owned()),
        None => PassphraseSource::File(PathBuf::from(v.strip_prefix("file:").unwrap_or(v))),
    }
}
