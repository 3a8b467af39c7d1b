//! PEM (RFC 7468) as files in the field are written: several blocks in one file (OpenSSL's
//! chain files, `/etc/ssl/certs/ca-certificates.crt`), text between blocks (`openssl x509
//! -text` output, "subject=" lines), lines of any length (76-character MIME lines, one long
//! line), CRLF line ends. RFC 7468 §3's strict form is what we write; this reads the lax
//! form it describes in §2 as what parsers should accept.

use base64ct::Encoding;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// One PEM block: its label and its decoded contents.
pub struct Block {
    /// The label, e.g. `CERTIFICATE`.
    pub label: String,
    /// The decoded bytes (wiped when dropped: a block may be a private key).
    pub der: Zeroizing<Vec<u8>>,
}

/// True if `data` contains a PEM BEGIN line.
pub fn is_pem(data: &[u8]) -> bool {
    find(data, b"-----BEGIN ").is_some()
}

/// Every PEM block of `data`, in order; `Ok(vec![])` for data with no BEGIN line.
pub fn blocks(data: &[u8]) -> Result<Vec<Block>> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some(start) = find(rest, b"-----BEGIN ") {
        let block = &rest[start + 11..];
        let label_end =
            find(block, b"-----").ok_or_else(|| Error::decode("PEM", "unterminated BEGIN line"))?;
        let label = std::str::from_utf8(&block[..label_end])
            .map_err(|_| Error::decode("PEM", "the label is not text"))?
            .to_string();
        let body_start = label_end + 5;
        let end_marker = format!("-----END {label}-----");
        let end = find(&block[body_start..], end_marker.as_bytes())
            .ok_or_else(|| Error::decode("PEM", format!("no END line for \"{label}\"")))?;
        let body = &block[body_start..body_start + end];
        if find(body, b"Proc-Type:").is_some() {
            return Err(Error::UnsupportedAlgorithm(format!(
                "\"{label}\" block with legacy OpenSSL encryption headers (convert it to \
                 PKCS#8: openssl pkcs8 -topk8)"
            )));
        }
        let b64: Zeroizing<Vec<u8>> =
            Zeroizing::new(body.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect());
        let der = base64ct::Base64::decode_vec(
            std::str::from_utf8(&b64).map_err(|_| Error::decode("PEM", "not Base64"))?,
        )
        .map_err(|e| Error::decode("PEM", format!("\"{label}\" block: {e}")))?;
        out.push(Block { label, der: Zeroizing::new(der) });
        rest = &block[body_start + end + end_marker.len()..];
    }
    Ok(out)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lax_bundles() {
        let one = "-----BEGIN CERTIFICATE-----\r\nAAEC\r\nAw==\r\n-----END CERTIFICATE-----\r\n";
        let text = format!("subject=CN = x\n{one}some text\n{}", one.replace("\r", ""));
        let got = blocks(text.as_bytes()).unwrap();
        assert_eq!(got.len(), 2);
        assert!(got.iter().all(|b| b.label == "CERTIFICATE" && *b.der == [0, 1, 2, 3]));
        // One long line, 76-character lines: any length is read.
        let long = format!(
            "-----BEGIN X-----\n{}\n-----END X-----\n",
            base64ct::Base64::encode_string(&[7u8; 200])
        );
        assert_eq!(*blocks(long.as_bytes()).unwrap()[0].der, [7u8; 200]);
        assert!(blocks(b"no pem here").unwrap().is_empty());
        assert!(blocks(b"-----BEGIN X-----\nAAAA\n").is_err());
        assert!(blocks(b"-----BEGIN X-----\n!!!\n-----END X-----").is_err());
    }
}
