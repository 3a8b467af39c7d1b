//! Hashing in fixed-size chunks, so memory stays flat whatever the input's size.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use sha2::Digest;

use crate::error::{Error, Result, ResultExt};

/// The chunk size of streaming hashes.
pub const CHUNK: usize = 256 * 1024;

/// A hash algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub enum HashAlg {
    /// SHA-256 (FIPS 180-4).
    Sha256,
    /// SHA-512 (FIPS 180-4), for Ed25519 in CMS (RFC 8419).
    Sha512,
    /// SM3 (GB/T 32905).
    Sm3,
}

impl HashAlg {
    /// The hash an OFD `CheckMethod` names (a name or an OID).
    pub fn from_check_method(method: &str) -> Option<HashAlg> {
        match method.trim().to_ascii_lowercase().as_str() {
            "sm3" | "1.2.156.10197.1.401" => Some(HashAlg::Sm3),
            "sha256" | "sha-256" | "2.16.840.1.101.3.4.2.1" => Some(HashAlg::Sha256),
            _ => None,
        }
    }

    /// The name, e.g. `SHA-256`.
    pub fn name(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "SHA-256",
            HashAlg::Sha512 => "SHA-512",
            HashAlg::Sm3 => "SM3",
        }
    }

    /// Hashes everything `reader` yields, chunk by chunk.
    pub fn hash_reader(self, reader: &mut dyn Read) -> std::io::Result<(Vec<u8>, u64)> {
        let mut h = self.hasher();
        let n = copy_hashing(reader, &mut std::io::sink(), &mut h)?;
        Ok((h.finish(), n))
    }

    /// Hashes a byte slice.
    pub fn hash(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlg::Sha256 => sha2::Sha256::digest(data).to_vec(),
            HashAlg::Sha512 => sha2::Sha512::digest(data).to_vec(),
            HashAlg::Sm3 => sm3::Sm3::digest(data).to_vec(),
        }
    }

    /// An incremental hasher, for data that arrives in pieces.
    pub fn hasher(self) -> Hasher {
        match self {
            HashAlg::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            HashAlg::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
            HashAlg::Sm3 => Hasher::Sm3(sm3::Sm3::new()),
        }
    }

    /// Hashes a file, streaming; the error names the file.
    pub fn hash_file(self, path: &Path) -> Result<(Vec<u8>, u64)> {
        let mut f = File::open(path).in_file(path)?;
        self.hash_reader(&mut f).map_err(Error::Io).in_file(path)
    }
}

/// A hash being computed piece by piece (see [`HashAlg::hasher`]).
#[derive(Clone)]
pub enum Hasher {
    /// SHA-256.
    Sha256(sha2::Sha256),
    /// SHA-512.
    Sha512(sha2::Sha512),
    /// SM3.
    Sm3(sm3::Sm3),
}

impl Hasher {
    /// Adds data.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
            Hasher::Sm3(h) => h.update(data),
        }
    }

    /// The digest of everything added.
    pub fn finish(self) -> Vec<u8> {
        match self {
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
            Hasher::Sm3(h) => h.finalize().to_vec(),
        }
    }
}

/// Copies everything `reader` yields to `writer`, hashing it on the way, chunk by chunk;
/// returns the number of bytes.
pub fn copy_hashing(
    reader: &mut dyn Read,
    writer: &mut dyn std::io::Write,
    hasher: &mut Hasher,
) -> std::io::Result<u64> {
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        writer.write_all(&buf[..n])?;
        total += n as u64;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        // FIPS 180-4 and GB/T 32905 examples for "abc".
        assert_eq!(
            crate::keys::hex(&HashAlg::Sha256.hash(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            crate::keys::hex(&HashAlg::Sm3.hash(b"abc")),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        let big = vec![7u8; CHUNK * 3 + 5];
        let (d, n) = HashAlg::Sha256.hash_reader(&mut &big[..]).unwrap();
        assert_eq!(d, HashAlg::Sha256.hash(&big));
        assert_eq!(n, big.len() as u64);
    }
}
