//! Hashing in fixed-size chunks, so memory stays flat whatever the input's size.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use der::asn1::ObjectIdentifier;
use sha2::Digest;

use crate::error::{Error, Result, ResultExt};

/// The chunk size of streaming hashes.
pub const CHUNK: usize = 256 * 1024;

/// A hash algorithm.
///
/// SHA-1 is here only to verify old signatures: a signature that depends on it is reported
/// INDETERMINATE with `CRYPTO_CONSTRAINTS_FAILURE` (see [`HashAlg::weakness`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[non_exhaustive]
pub enum HashAlg {
    /// SHA-1 (FIPS 180-4): broken for collisions; verification of legacy signatures only.
    Sha1,
    /// SHA-224 (FIPS 180-4).
    Sha224,
    /// SHA-256 (FIPS 180-4).
    Sha256,
    /// SHA-384 (FIPS 180-4).
    Sha384,
    /// SHA-512 (FIPS 180-4), for Ed25519 in CMS (RFC 8419).
    Sha512,
    /// SHA3-256 (FIPS 202).
    #[cfg(feature = "sha3")]
    Sha3_256,
    /// SHA3-384 (FIPS 202).
    #[cfg(feature = "sha3")]
    Sha3_384,
    /// SHA3-512 (FIPS 202).
    #[cfg(feature = "sha3")]
    Sha3_512,
    /// SM3 (GB/T 32905).
    #[cfg(feature = "sm2")]
    Sm3,
}

/// `id-sha1` (RFC 3279).
pub const OID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
/// `id-sha224` (RFC 5754).
pub const OID_SHA224: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.4");
/// `id-sha256` (RFC 5754).
pub const OID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// `id-sha384` (RFC 5754).
pub const OID_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
/// `id-sha512` (RFC 5754).
pub const OID_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
/// `id-sha3-256` (NIST CSOR).
pub const OID_SHA3_256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.8");
/// `id-sha3-384` (NIST CSOR).
pub const OID_SHA3_384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.9");
/// `id-sha3-512` (NIST CSOR).
pub const OID_SHA3_512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.10");
/// SM3 (GM/T 0006).
pub const OID_SM3: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.401");

impl HashAlg {
    /// SHA3-256, SHA3-384 or SHA3-512 (`bits`), or why this build cannot compute it.
    pub(crate) fn sha3(bits: u16) -> Result<HashAlg> {
        #[cfg(feature = "sha3")]
        return Ok(match bits {
            256 => HashAlg::Sha3_256,
            384 => HashAlg::Sha3_384,
            _ => HashAlg::Sha3_512,
        });
        #[cfg(not(feature = "sha3"))]
        {
            let _ = bits;
            Err(Error::not_built("SHA-3 digests", "sha3"))
        }
    }

    /// SM3, or why this build cannot compute it.
    pub(crate) fn sm3() -> Result<HashAlg> {
        #[cfg(feature = "sm2")]
        return Ok(HashAlg::Sm3);
        #[cfg(not(feature = "sm2"))]
        Err(Error::not_built("SM3 digests", "sm2"))
    }

    /// The hash an OFD `CheckMethod` names (a name or an OID).
    pub fn from_check_method(method: &str) -> Option<HashAlg> {
        match method.trim().to_ascii_lowercase().as_str() {
            #[cfg(feature = "sm2")]
            "sm3" | "1.2.156.10197.1.401" => Some(HashAlg::Sm3),
            "sha256" | "sha-256" | "2.16.840.1.101.3.4.2.1" => Some(HashAlg::Sha256),
            _ => None,
        }
    }

    /// The hash a digest `AlgorithmIdentifier`'s OID names.
    pub fn from_oid(oid: ObjectIdentifier) -> Option<HashAlg> {
        Some(match oid {
            OID_SHA1 => HashAlg::Sha1,
            OID_SHA224 => HashAlg::Sha224,
            OID_SHA256 => HashAlg::Sha256,
            OID_SHA384 => HashAlg::Sha384,
            OID_SHA512 => HashAlg::Sha512,
            #[cfg(feature = "sha3")]
            OID_SHA3_256 => HashAlg::Sha3_256,
            #[cfg(feature = "sha3")]
            OID_SHA3_384 => HashAlg::Sha3_384,
            #[cfg(feature = "sha3")]
            OID_SHA3_512 => HashAlg::Sha3_512,
            #[cfg(feature = "sm2")]
            OID_SM3 => HashAlg::Sm3,
            _ => return None,
        })
    }

    /// The OID of this hash.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            HashAlg::Sha1 => OID_SHA1,
            HashAlg::Sha224 => OID_SHA224,
            HashAlg::Sha256 => OID_SHA256,
            HashAlg::Sha384 => OID_SHA384,
            HashAlg::Sha512 => OID_SHA512,
            #[cfg(feature = "sha3")]
            HashAlg::Sha3_256 => OID_SHA3_256,
            #[cfg(feature = "sha3")]
            HashAlg::Sha3_384 => OID_SHA3_384,
            #[cfg(feature = "sha3")]
            HashAlg::Sha3_512 => OID_SHA3_512,
            #[cfg(feature = "sm2")]
            HashAlg::Sm3 => OID_SM3,
        }
    }

    /// The name, e.g. `SHA-256`.
    pub fn name(self) -> &'static str {
        match self {
            HashAlg::Sha1 => "SHA-1",
            HashAlg::Sha224 => "SHA-224",
            HashAlg::Sha256 => "SHA-256",
            HashAlg::Sha384 => "SHA-384",
            HashAlg::Sha512 => "SHA-512",
            #[cfg(feature = "sha3")]
            HashAlg::Sha3_256 => "SHA3-256",
            #[cfg(feature = "sha3")]
            HashAlg::Sha3_384 => "SHA3-384",
            #[cfg(feature = "sha3")]
            HashAlg::Sha3_512 => "SHA3-512",
            #[cfg(feature = "sm2")]
            HashAlg::Sm3 => "SM3",
        }
    }

    /// The digest's length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            HashAlg::Sha1 => 20,
            HashAlg::Sha224 => 28,
            HashAlg::Sha256 => 32,
            HashAlg::Sha384 => 48,
            HashAlg::Sha512 => 64,
            #[cfg(feature = "sha3")]
            HashAlg::Sha3_256 => 32,
            #[cfg(feature = "sha3")]
            HashAlg::Sha3_384 => 48,
            #[cfg(feature = "sha3")]
            HashAlg::Sha3_512 => 64,
            #[cfg(feature = "sm2")]
            HashAlg::Sm3 => 32,
        }
    }

    /// Why this hash no longer protects a signature, if it does not: SHA-1 has practical
    /// collisions (SHAttered, 2017) and ETSI TS 119 312 retired it for signatures. A verifier
    /// still checks such a signature but reports it INDETERMINATE, as EU DSS does.
    pub fn weakness(self) -> Option<&'static str> {
        match self {
            HashAlg::Sha1 => Some("SHA-1 is no longer accepted for signatures (ETSI TS 119 312)"),
            _ => None,
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
        let mut h = self.hasher();
        h.update(data);
        h.finish()
    }

    /// An incremental hasher, for data that arrives in pieces.
    pub fn hasher(self) -> Hasher {
        match self {
            HashAlg::Sha1 => Hasher::Sha1(sha1::Sha1::new()),
            HashAlg::Sha224 => Hasher::Sha224(sha2::Sha224::new()),
            HashAlg::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            HashAlg::Sha384 => Hasher::Sha384(sha2::Sha384::new()),
            HashAlg::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
            #[cfg(feature = "sha3")]
            HashAlg::Sha3_256 => Hasher::Sha3_256(sha3::Sha3_256::new()),
            #[cfg(feature = "sha3")]
            HashAlg::Sha3_384 => Hasher::Sha3_384(sha3::Sha3_384::new()),
            #[cfg(feature = "sha3")]
            HashAlg::Sha3_512 => Hasher::Sha3_512(sha3::Sha3_512::new()),
            #[cfg(feature = "sm2")]
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
#[allow(missing_docs)]
pub enum Hasher {
    Sha1(sha1::Sha1),
    Sha224(sha2::Sha224),
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
    #[cfg(feature = "sha3")]
    Sha3_256(sha3::Sha3_256),
    #[cfg(feature = "sha3")]
    Sha3_384(sha3::Sha3_384),
    #[cfg(feature = "sha3")]
    Sha3_512(sha3::Sha3_512),
    #[cfg(feature = "sm2")]
    Sm3(sm3::Sm3),
}

macro_rules! each_hasher {
    ($self:expr, $h:ident => $body:expr) => {
        match $self {
            Hasher::Sha1($h) => $body,
            Hasher::Sha224($h) => $body,
            Hasher::Sha256($h) => $body,
            Hasher::Sha384($h) => $body,
            Hasher::Sha512($h) => $body,
            #[cfg(feature = "sha3")]
            Hasher::Sha3_256($h) => $body,
            #[cfg(feature = "sha3")]
            Hasher::Sha3_384($h) => $body,
            #[cfg(feature = "sha3")]
            Hasher::Sha3_512($h) => $body,
            #[cfg(feature = "sm2")]
            Hasher::Sm3($h) => $body,
        }
    };
}

impl Hasher {
    /// Adds data.
    pub fn update(&mut self, data: &[u8]) {
        each_hasher!(self, h => h.update(data))
    }

    /// The algorithm.
    pub fn alg(&self) -> HashAlg {
        match self {
            Hasher::Sha1(_) => HashAlg::Sha1,
            Hasher::Sha224(_) => HashAlg::Sha224,
            Hasher::Sha256(_) => HashAlg::Sha256,
            Hasher::Sha384(_) => HashAlg::Sha384,
            Hasher::Sha512(_) => HashAlg::Sha512,
            #[cfg(feature = "sha3")]
            Hasher::Sha3_256(_) => HashAlg::Sha3_256,
            #[cfg(feature = "sha3")]
            Hasher::Sha3_384(_) => HashAlg::Sha3_384,
            #[cfg(feature = "sha3")]
            Hasher::Sha3_512(_) => HashAlg::Sha3_512,
            #[cfg(feature = "sm2")]
            Hasher::Sm3(_) => HashAlg::Sm3,
        }
    }

    /// The digest of everything added.
    pub fn finish(self) -> Vec<u8> {
        each_hasher!(self, h => h.finalize().to_vec())
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
            crate::keys::hex(&HashAlg::Sha1.hash(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        #[cfg(feature = "sha3")]
        assert_eq!(
            crate::keys::hex(&HashAlg::Sha3_256.hash(b"abc")),
            "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"
        );
        for h in [
            HashAlg::Sha1,
            HashAlg::Sha224,
            HashAlg::Sha256,
            HashAlg::Sha384,
            HashAlg::Sha512,
            #[cfg(feature = "sha3")]
            HashAlg::Sha3_256,
            #[cfg(feature = "sha3")]
            HashAlg::Sha3_384,
            #[cfg(feature = "sha3")]
            HashAlg::Sha3_512,
            #[cfg(feature = "sm2")]
            HashAlg::Sm3,
        ] {
            assert_eq!(h.hash(b"abc").len(), h.output_len(), "{h:?}");
            assert_eq!(HashAlg::from_oid(h.oid()), Some(h));
        }
        #[cfg(feature = "sm2")]
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
