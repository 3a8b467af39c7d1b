//! The one algorithm registry: every signature `AlgorithmIdentifier` seal meets, in X.509,
//! CRLs, OCSP, CMS and the formats built on them, maps here to a [`Scheme`] (how to verify)
//! or to an error naming the algorithm. Adding an algorithm touches this table and its tests.
//!
//! ```text
//! RSASSA-PSS-params ::= SEQUENCE {                       -- RFC 4055 §3.1
//!   hashAlgorithm      [0] HashAlgorithm    DEFAULT sha1,
//!   maskGenAlgorithm   [1] MaskGenAlgorithm DEFAULT mgf1SHA1,
//!   saltLength         [2] INTEGER          DEFAULT 20,
//!   trailerField       [3] TrailerField     DEFAULT trailerFieldBC }
//! ```

use std::fmt;

use der::Tagged;
use der::asn1::ObjectIdentifier;
use spki::AlgorithmIdentifierRef;

use super::oid_name;
use crate::digest::HashAlg;
use crate::error::{Error, Result};

/// How a signature value is checked: the primitive and its encoding, and the hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scheme {
    /// The signature primitive and encoding.
    pub kind: SchemeKind,
    /// The hash of the message (for Ed25519, SHA-512 inside the primitive; for SM2, SM3
    /// over `Z || M`).
    pub hash: HashAlg,
}

/// The signature primitive and how its value is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SchemeKind {
    /// ECDSA, the value a DER `ECDSA-Sig-Value` (X9.62, RFC 5480).
    Ecdsa,
    /// ECDSA, the value `r || s` of fixed width (BSI TR-03111 "plain", IEEE P1363, JOSE).
    EcdsaPlain,
    /// Ed25519 (RFC 8032, RFC 8410).
    Ed25519,
    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2).
    RsaPkcs1,
    /// RSASSA-PSS (RFC 8017 §8.1) with MGF1 over the same hash and this salt length.
    RsaPss {
        /// The salt length in bytes.
        salt_len: usize,
    },
    /// SM2 with SM3 and the default distinguishing ID (GB/T 32918, GM/T 0009).
    Sm2,
}

// RSA (RFC 8017, RFC 4055, RFC 5754 and NIST CSOR for SHA-3).
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const SHA1_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5");
const RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const SHA256_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const SHA224_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.14");
const SHA3_256_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.14");
const SHA3_384_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.15");
const SHA3_512_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.16");
const MGF1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8");
// ECDSA (RFC 5758, RFC 3279, NIST CSOR) and BSI TR-03111 plain ECDSA.
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ECDSA_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");
const ECDSA_SHA224: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.1");
const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const ECDSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
const ECDSA_SHA3_256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.10");
const ECDSA_SHA3_384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.11");
const ECDSA_SHA3_512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.12");
const BSI_PLAIN: &str = "0.4.0.127.0.7.1.1.4.1.";
// Others.
const ED25519: ObjectIdentifier = super::OID_ED25519;
const SM2_SM3: ObjectIdentifier = super::OID_SM2_SM3;
const SM2_CURVE: ObjectIdentifier = super::OID_SM2_CURVE;
/// `sm2-1` (GB/T 33560): the SM2 signature algorithm, as GB/T 35275 SignerInfos name it.
const SM2_SIGN: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.301.1");
const ED448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.113");

impl Scheme {
    /// A scheme from its parts.
    pub const fn new(kind: SchemeKind, hash: HashAlg) -> Scheme {
        Scheme { kind, hash }
    }

    /// The scheme a signature `AlgorithmIdentifier` names (X.509, CRLs, OCSP, and CMS when
    /// the signature algorithm carries its hash).
    pub fn from_algorithm_identifier(alg: &AlgorithmIdentifierRef<'_>) -> Result<Scheme> {
        use HashAlg::*;
        use SchemeKind::*;
        let absent_or_null = || match &alg.parameters {
            None => Ok(()),
            Some(p) if p.tag() == der::Tag::Null => Ok(()),
            Some(_) => Err(Error::UnsupportedAlgorithm(format!(
                "{} with unexpected parameters",
                oid_name(&alg.oid)
            ))),
        };
        let absent = || match &alg.parameters {
            None => Ok(()),
            Some(_) => Err(Error::UnsupportedAlgorithm(format!(
                "{} with parameters (they must be absent)",
                oid_name(&alg.oid)
            ))),
        };
        let rsa = |hash| absent_or_null().map(|()| Scheme::new(RsaPkcs1, hash));
        // RFC 5758 §3.2: ECDSA parameters are absent; some producers write NULL.
        let ecdsa = |hash| absent_or_null().map(|()| Scheme::new(Ecdsa, hash));
        match alg.oid {
            SHA1_RSA => rsa(Sha1),
            SHA224_RSA => rsa(Sha224),
            SHA256_RSA => rsa(Sha256),
            SHA384_RSA => rsa(Sha384),
            SHA512_RSA => rsa(Sha512),
            SHA3_256_RSA => rsa(HashAlg::sha3(256)?),
            SHA3_384_RSA => rsa(HashAlg::sha3(384)?),
            SHA3_512_RSA => rsa(HashAlg::sha3(512)?),
            RSA_PSS => pss_params(alg),
            ECDSA_SHA1 => ecdsa(Sha1),
            ECDSA_SHA224 => ecdsa(Sha224),
            ECDSA_SHA256 => ecdsa(Sha256),
            ECDSA_SHA384 => ecdsa(Sha384),
            ECDSA_SHA512 => ecdsa(Sha512),
            ECDSA_SHA3_256 => ecdsa(HashAlg::sha3(256)?),
            ECDSA_SHA3_384 => ecdsa(HashAlg::sha3(384)?),
            ECDSA_SHA3_512 => ecdsa(HashAlg::sha3(512)?),
            ED25519 => absent().map(|()| Scheme::new(Ed25519, Sha512)),
            SM2_SM3 => absent_or_null().and_then(|()| Ok(Scheme::new(Sm2, HashAlg::sm3()?))),
            oid => {
                let dotted = oid.to_string();
                if let Some(n) = dotted.strip_prefix(BSI_PLAIN) {
                    let hash = match n {
                        "1" => Sha1,
                        "2" => Sha224,
                        "3" => Sha256,
                        "4" => Sha384,
                        "5" => Sha512,
                        "9" => HashAlg::sha3(256)?,
                        "10" => HashAlg::sha3(384)?,
                        "11" => HashAlg::sha3(512)?,
                        _ => return Err(unsupported(oid)),
                    };
                    return absent_or_null().map(|()| Scheme::new(EcdsaPlain, hash));
                }
                Err(unsupported(oid))
            }
        }
    }

    /// The scheme of a CMS `SignerInfo` (RFC 5652 §5.3): the signature algorithm may name
    /// only the key's algorithm (`rsaEncryption`, `id-ecPublicKey`, RFC 3370 and RFC 5753),
    /// and then the hash is the signer's `digestAlgorithm`.
    pub fn from_cms(alg: &AlgorithmIdentifierRef<'_>, digest: HashAlg) -> Result<Scheme> {
        match alg.oid {
            RSA_ENCRYPTION => Ok(Scheme::new(SchemeKind::RsaPkcs1, digest)),
            EC_PUBLIC_KEY => Ok(Scheme::new(SchemeKind::Ecdsa, digest)),
            // GB/T 35275 names the SM2 curve, or SM2-1 beneath it, as the signature algorithm.
            SM2_CURVE | SM2_SIGN => Ok(Scheme::new(SchemeKind::Sm2, HashAlg::sm3()?)),
            _ => Scheme::from_algorithm_identifier(alg),
        }
    }

    /// Why this scheme no longer protects a signature, if it does not (see
    /// [`HashAlg::weakness`]); the key's own strength is [`super::PublicKey::weakness`].
    pub fn weakness(&self) -> Option<&'static str> {
        self.hash.weakness()
    }

    /// True if the scheme verifies a digest computed beforehand (RSA and ECDSA), so that a
    /// large message can be hashed as a stream.
    pub fn verifies_prehashed(&self) -> bool {
        matches!(
            self.kind,
            SchemeKind::Ecdsa
                | SchemeKind::EcdsaPlain
                | SchemeKind::RsaPkcs1
                | SchemeKind::RsaPss { .. }
        )
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = self.hash.name();
        match self.kind {
            SchemeKind::Ecdsa => write!(f, "ECDSA with {h}"),
            SchemeKind::EcdsaPlain => write!(f, "ECDSA (plain) with {h}"),
            SchemeKind::Ed25519 => f.write_str("Ed25519"),
            SchemeKind::RsaPkcs1 => write!(f, "RSA PKCS#1 v1.5 with {h}"),
            SchemeKind::RsaPss { salt_len } => write!(f, "RSA-PSS with {h} (salt {salt_len})"),
            SchemeKind::Sm2 => f.write_str("SM2 with SM3"),
        }
    }
}

fn unsupported(oid: ObjectIdentifier) -> Error {
    let dotted = oid.to_string();
    let what = if oid == ED448 {
        "Ed448".to_string()
    } else if dotted.starts_with("1.2.840.10040.4.")
        || ["1", "2", "3", "4", "5", "6", "7", "8"]
            .iter()
            .any(|n| dotted.strip_prefix("2.16.840.1.101.3.4.3.") == Some(n))
    {
        format!("DSA ({dotted})")
    } else if dotted.starts_with("1.2.643.") {
        format!("GOST R 34.10 ({dotted})")
    } else {
        format!("signature algorithm {}", oid_name(&oid))
    };
    Error::UnsupportedAlgorithm(format!("{what}: seal does not verify this algorithm"))
}

/// Decodes RSASSA-PSS-params (RFC 4055 §3.1). MGF1 must use the message hash, and the
/// trailer field must be 1 (the only one defined).
fn pss_params(alg: &AlgorithmIdentifierRef<'_>) -> Result<Scheme> {
    use der::{Decode, Reader, SliceReader, TagNumber};
    let bad = |why: &str| Error::decode("RSASSA-PSS parameters", why.to_string());
    let Some(params) = &alg.parameters else {
        // Absent parameters mean all defaults: SHA-1, MGF1-SHA-1, salt 20.
        return Ok(Scheme::new(SchemeKind::RsaPss { salt_len: 20 }, HashAlg::Sha1));
    };
    let der_bytes = der::Encode::to_der(params).map_err(|e| bad(&e.to_string()))?;
    let seq = der::asn1::AnyRef::from_der(&der_bytes).map_err(|e| bad(&e.to_string()))?;
    if seq.tag() != der::Tag::Sequence {
        return Err(bad("not a SEQUENCE"));
    }
    let mut r = SliceReader::new(seq.value()).map_err(|e| bad(&e.to_string()))?;
    let (mut hash, mut mgf_hash, mut salt, mut trailer) =
        (HashAlg::Sha1, HashAlg::Sha1, 20u64, 1u64);
    let mut last = None;
    while !r.is_finished() {
        let field = der::asn1::AnyRef::decode(&mut r).map_err(|e| bad(&e.to_string()))?;
        let tag = field.tag();
        let n = match tag {
            der::Tag::ContextSpecific { constructed: true, number } => number,
            _ => return Err(bad("unexpected field")),
        };
        if last.is_some_and(|l: TagNumber| l >= n) {
            return Err(bad("fields out of order"));
        }
        last = Some(n);
        let inner = der::asn1::AnyRef::from_der(field.value()).map_err(|e| bad(&e.to_string()))?;
        match n.value() {
            0 => hash = hash_of(inner)?,
            1 => {
                let mgf_der = any_der(&inner)?;
                let mgf =
                    AlgorithmIdentifierRef::from_der(&mgf_der).map_err(|e| bad(&e.to_string()))?;
                if mgf.oid != MGF1 {
                    return Err(Error::UnsupportedAlgorithm(format!(
                        "RSA-PSS mask generation {}",
                        oid_name(&mgf.oid)
                    )));
                }
                let p = mgf.parameters.ok_or_else(|| bad("MGF1 without a hash"))?;
                mgf_hash = hash_of(p)?;
            }
            2 => salt = inner.decode_as::<u64>().map_err(|e| bad(&e.to_string()))?,
            3 => trailer = inner.decode_as::<u64>().map_err(|e| bad(&e.to_string()))?,
            _ => return Err(bad("unknown field")),
        }
    }
    if trailer != 1 {
        return Err(bad("trailer field is not 1"));
    }
    if mgf_hash != hash {
        return Err(Error::UnsupportedAlgorithm(format!(
            "RSA-PSS with {} and MGF1 over {}",
            hash.name(),
            mgf_hash.name()
        )));
    }
    let salt_len = usize::try_from(salt).map_err(|_| bad("salt length too large"))?;
    Ok(Scheme::new(SchemeKind::RsaPss { salt_len }, hash))
}

fn any_der(any: &der::asn1::AnyRef<'_>) -> Result<Vec<u8>> {
    der::Encode::to_der(any).map_err(|e| Error::decode("RSASSA-PSS parameters", e))
}

fn hash_of(alg: der::asn1::AnyRef<'_>) -> Result<HashAlg> {
    use der::Decode;
    let der_bytes = any_der(&alg)?;
    let id = AlgorithmIdentifierRef::from_der(&der_bytes)
        .map_err(|e| Error::decode("RSASSA-PSS hash algorithm", e))?;
    HashAlg::from_oid(id.oid)
        .ok_or_else(|| Error::UnsupportedAlgorithm(format!("digest {}", oid_name(&id.oid))))
}

#[cfg(test)]
mod tests {
    use der::Decode;

    use super::*;

    fn scheme(hex: &str) -> Result<Scheme> {
        let der = base16ct::mixed::decode_vec(hex).unwrap();
        Scheme::from_algorithm_identifier(&AlgorithmIdentifierRef::from_der(&der).unwrap())
    }

    fn err_contains(r: Result<Scheme>, s: &str) -> bool {
        r.is_err_and(|e| e.to_string().contains(s))
    }

    #[test]
    fn registry() {
        // sha256WithRSAEncryption, NULL parameters.
        assert_eq!(
            scheme("300d06092a864886f70d01010b0500").unwrap(),
            Scheme::new(SchemeKind::RsaPkcs1, HashAlg::Sha256)
        );
        // ecdsa-with-SHA384, absent parameters.
        assert_eq!(
            scheme("300a06082a8648ce3d040303").unwrap(),
            Scheme::new(SchemeKind::Ecdsa, HashAlg::Sha384)
        );
        // RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32 (as OpenSSL writes it).
        assert_eq!(
            scheme(
                "304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a\
                 864886f70d010108300d06096086480165030402010500a203020120"
            )
            .unwrap(),
            Scheme::new(SchemeKind::RsaPss { salt_len: 32 }, HashAlg::Sha256)
        );
        // ecdsa-plain-SHA256 (BSI TR-03111).
        assert_eq!(
            scheme("300c060a04007f00070101040103").unwrap(),
            Scheme::new(SchemeKind::EcdsaPlain, HashAlg::Sha256)
        );
        // sha1WithRSAEncryption parses, and is weak.
        let s = scheme("300d06092a864886f70d0101050500").unwrap();
        assert!(s.weakness().is_some());
        // Ed448 and DSA get their own answer.
        assert!(scheme("300506032b6571").unwrap_err().to_string().contains("Ed448"));
        assert!(err_contains(scheme("300b0609608648016503040302"), "DSA"));
        // GOST R 34.10-2012 (256 bits).
        assert!(err_contains(scheme("300a06082a85030701010302"), "GOST"));
    }
}
