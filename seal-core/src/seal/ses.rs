//! GB/T 38540-2020 (`SES_Seal` and `SES_Signature` version 4) and GM/T 0031-2014 (version 1)
//! structures: reading them as other seal systems write them, and writing version 4.
//!
//! ```text
//! SESeal ::= SEQUENCE {                     -- v4
//!   eSealInfo SES_SealInfo, cert OCTET STRING, signAlgID OBJECT IDENTIFIER,
//!   signedValue BIT STRING }
//! SES_SealInfo ::= SEQUENCE {
//!   header SES_Header, esID IA5String, property SES_ESPropertyInfo,
//!   picture SES_ESPictrueInfo, extDatas ExtensionDatas OPTIONAL }
//! SES_Header ::= SEQUENCE { id IA5String, version INTEGER, vid IA5String }
//! SES_ESPropertyInfo ::= SEQUENCE {
//!   type INTEGER, name UTF8String, certListType INTEGER, certList SES_CertList,
//!   createDate GeneralizedTime, validStart GeneralizedTime, validEnd GeneralizedTime }
//! SES_ESPictrueInfo ::= SEQUENCE {
//!   type IA5String, data OCTET STRING, width INTEGER, height INTEGER }
//! SES_Signature ::= SEQUENCE {               -- v4
//!   toSign TBS_Sign, cert OCTET STRING, signatureAlgID OBJECT IDENTIFIER,
//!   signature BIT STRING, timeStamp [0] EXPLICIT BIT STRING OPTIONAL }
//! TBS_Sign ::= SEQUENCE {
//!   version INTEGER, eseal SESeal, timeInfo GeneralizedTime, dataHash BIT STRING,
//!   propertyInfo IA5String, extDatas [0] EXPLICIT ExtensionDatas OPTIONAL }
//! ```
//! Version 1 differs as `vectors/gbt38540/STRUCTURES.md` records: `SESeal ::= SEQUENCE
//! { sealInfo, signInfo SEQUENCE { cert, signatureAlgorithm, signData } }`, UTCTime dates,
//! no certListType, and `TBS_Sign` carries the signer's certificate and algorithm itself.
//!
//! What is signed: the seal maker signs DER(SES_SealInfo) (v4) or DER(SEQUENCE {sealInfo,
//! cert, signatureAlgorithm}) (v1); the stamper signs DER(TBS_Sign). Signed parts are taken
//! from the input bytes as they are, never re-encoded.
//!
//! A v4 stamp's `timeStamp` is an RFC 3161 token over the signature value (the contents of
//! `signature`), verified as a signature timestamp ([`crate::tsp`]). Left out: the
//! certificate-digest form of `certList` beyond showing it.

use der::Encode;
use der::asn1::{Any, ObjectIdentifier};

use der::Tagged;

use crate::error::{Error, Result};
use crate::keys::{Algorithm, Signature, oid_name};
use crate::pki::{self, Certificate};
use crate::time::UnixTime;
use crate::tlv::Seq;

/// GM/T 0031-2014 (v1) or GB/T 38540-2020 (v4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum SealVersion {
    /// GM/T 0031-2014.
    V1,
    /// GB/T 38540-2020.
    V4,
}

impl SealVersion {
    /// 1 or 4.
    pub fn number(self) -> u32 {
        match self {
            SealVersion::V1 => 1,
            SealVersion::V4 => 4,
        }
    }
}

/// The holders' certificates of a seal (`SES_CertList`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum CertList {
    /// DER certificates (certListType 1, and v1).
    Certificates {
        /// Each certificate's DER.
        #[serde(skip)]
        ders: Vec<Vec<u8>>,
        /// How many.
        count: usize,
    },
    /// Digests of certificates (certListType 2).
    Digests {
        /// (hash name, digest) pairs.
        #[serde(skip)]
        digests: Vec<(String, Vec<u8>)>,
        /// How many.
        count: usize,
    },
    /// Something a vendor put there that is neither.
    Other {
        /// What was found.
        detail: String,
    },
}

/// A seal's picture (`SES_ESPictrueInfo`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Picture {
    /// The format: "PNG", "JPG", "GIF", "SVG", "OFD", ...
    pub kind: String,
    /// The picture file.
    #[serde(skip)]
    pub data: Vec<u8>,
    /// Size of `data` in bytes.
    pub size: usize,
    /// Printed width in millimetres.
    pub width_mm: i64,
    /// Printed height in millimetres.
    pub height_mm: i64,
}

/// An extension of a seal or stamp (`ExtData`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExtData {
    /// The OID.
    pub oid: String,
    /// The critical flag (absent means false).
    pub critical: bool,
    /// The value.
    #[serde(skip)]
    pub value: Vec<u8>,
}

/// An electronic seal, read from its DER encoding.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Seal {
    /// v1 or v4.
    pub version: SealVersion,
    /// The header's version number as written.
    pub header_version: i64,
    /// Vendor id of the seal system (`vid`).
    pub vendor: String,
    /// Unique seal id (`esID`).
    pub id: String,
    /// Seal type code (agency policy: e.g. 1 organisation, 2 personal).
    pub seal_type: i64,
    /// Seal name.
    pub name: String,
    /// The holders' certificates.
    pub cert_list: CertList,
    /// When the seal was made.
    pub create_date: UnixTime,
    /// Start of validity.
    pub valid_start: UnixTime,
    /// End of validity.
    pub valid_end: UnixTime,
    /// The picture.
    pub picture: Picture,
    /// The subjects of the holder's chain carried in the seal (see `seal::chain`).
    #[serde(rename = "holder_chain", skip_serializing_if = "Vec::is_empty")]
    pub holder_chain_subjects: Vec<String>,
    #[serde(skip)]
    holder_chain: Vec<Certificate>,
    /// Extensions.
    pub extensions: Vec<ExtData>,
    /// What was read that the standard's DER does not write (a vendor's time without a
    /// zone, an unknown certListType read by its contents), one sentence each; empty for a
    /// seal written as GB/T 38540 says. The maker's signature is over the bytes as they
    /// stand either way.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub leniencies: Vec<String>,
    /// The maker's signature algorithm.
    pub algorithm: String,
    #[serde(skip)]
    algorithm_oid: ObjectIdentifier,
    #[serde(skip)]
    maker_cert_der: Vec<u8>,
    #[serde(skip)]
    signature: Vec<u8>,
    #[serde(skip)]
    seal_info_der: Vec<u8>,
    #[serde(skip)]
    v1_signed_der: Option<Vec<u8>>,
    #[serde(skip)]
    der: Vec<u8>,
}

impl Seal {
    /// The holder certificate whose key is `key`: the certificate a signer with that key
    /// stamps under.
    pub fn holder_for(&self, key: &crate::keys::PublicKey) -> Result<Certificate> {
        self.holder_certificates()
            .into_iter()
            .find(|c| pki::certificate_key(c).is_ok_and(|k| &k == key))
            .ok_or_else(|| {
                crate::Error::KeyMismatch(format!(
                    "the key is not the key of any holder of seal \"{}\"",
                    self.name
                ))
            })
    }

    /// Reads a seal file (`.esl`, DER), naming the file in any error.
    pub fn load(path: &std::path::Path) -> Result<Seal> {
        use crate::error::ResultExt;
        Seal::from_der(&crate::io::read(path)?).in_file(path)
    }

    /// Reads a seal (v1 or v4, told apart by the number of elements of `SESeal`).
    pub fn from_der(der: &[u8]) -> Result<Seal> {
        let top = Seq::parse("electronic seal (SESeal)", der)?;
        let mut seal = match top.len() {
            5 => {
                let extra = top.raw(4, "trailer")?;
                return Err(Error::InvalidInput(format!(
                    "the seal has a fifth element ({} bytes, tag {:#04x}) after the maker's \
                     signature, which the signature does not cover: unsigned data in a seal is \
                     refused",
                    extra.len(),
                    extra.first().copied().unwrap_or(0)
                )));
            }
            4 => {
                let info = top.seq(0, "SES_SealInfo")?;
                let mut seal = Seal::from_info(&info, SealVersion::V4)?;
                seal.maker_cert_der = top.octets(1, "cert")?.to_vec();
                seal.algorithm_oid = top.oid(2, "signAlgID")?;
                seal.signature = top.bits(3, "signedValue")?.to_vec();
                seal.seal_info_der = top.raw(0, "SES_SealInfo")?;
                seal
            }
            2 => {
                let info = top.seq(0, "SES_SealInfo")?;
                let mut seal = Seal::from_info(&info, SealVersion::V1)?;
                let sign_info = top.seq(1, "SES_SignInfo")?;
                seal.maker_cert_der = sign_info.octets(0, "cert")?.to_vec();
                seal.algorithm_oid = sign_info.oid(1, "signatureAlgorithm")?;
                seal.signature = sign_info.bits(2, "signData")?.to_vec();
                seal.seal_info_der = top.raw(0, "SES_SealInfo")?;
                // SEQUENCE { sealInfo, cert, signatureAlgorithm }, from the file's bytes.
                let mut body = seal.seal_info_der.clone();
                body.extend(sign_info.raw(0, "cert")?);
                body.extend(sign_info.raw(1, "signatureAlgorithm")?);
                seal.v1_signed_der = Some(sequence(body)?);
                seal
            }
            n => {
                return Err(Error::decode(
                    "electronic seal (SESeal)",
                    format!("{n} elements: expected 4 or 5 (GB/T 38540 v4) or 2 (GM/T 0031 v1)"),
                ));
            }
        };
        seal.algorithm = oid_name(&seal.algorithm_oid);
        seal.der = der.to_vec();
        Ok(seal)
    }

    fn from_info(info: &Seq<'_>, version: SealVersion) -> Result<Seal> {
        let header = info.seq(0, "SES_Header")?;
        let id = header.text(0, "header id")?;
        if id != "ES" {
            return Err(Error::decode("SES_Header", format!("id is {id:?}, expected \"ES\"")));
        }
        let prop = info.seq(2, "SES_ESPropertyInfo")?;
        let mut leniencies = Vec::new();
        let (cert_list, dates_at) = match version {
            SealVersion::V4 => {
                let kind = prop.int(2, "certListType")?;
                (cert_list(kind, prop.get(3, "certList")?, &mut leniencies)?, 4)
            }
            SealVersion::V1 => (cert_list(1, prop.get(2, "certList")?, &mut leniencies)?, 3),
        };
        let create_date = prop.time_lenient(dates_at, "createDate", &mut leniencies)?;
        let valid_start = prop.time_lenient(dates_at + 1, "validStart", &mut leniencies)?;
        let valid_end = prop.time_lenient(dates_at + 2, "validEnd", &mut leniencies)?;
        let pic = info.seq(3, "SES_ESPictrueInfo")?;
        let data = pic.octets(1, "picture data")?.to_vec();
        let extensions = match info.items.get(4) {
            Some(any) => ext_datas(*any)?,
            None => Vec::new(),
        };
        let holder_chain =
            match extensions.iter().find(|e| e.oid == super::chain::PKI_PATH.to_string()) {
                Some(e) => super::chain::decode(&e.value)?,
                None => Vec::new(),
            };
        Ok(Seal {
            version,
            header_version: header.int(1, "header version")?,
            vendor: header.text(2, "vid")?,
            id: info.text(1, "esID")?,
            seal_type: prop.int(0, "type")?,
            name: prop.text(1, "name")?,
            cert_list,
            create_date,
            valid_start,
            valid_end,
            picture: Picture {
                kind: pic.text(0, "picture type")?,
                size: data.len(),
                data,
                width_mm: pic.int(2, "picture width")?,
                height_mm: pic.int(3, "picture height")?,
            },
            holder_chain_subjects: holder_chain
                .iter()
                .map(|c| pki::display_name(c.tbs_certificate().subject()))
                .collect(),
            holder_chain,
            extensions,
            leniencies,
            algorithm: String::new(),
            algorithm_oid: ObjectIdentifier::new_unwrap("0.0"),
            maker_cert_der: Vec::new(),
            signature: Vec::new(),
            seal_info_der: Vec::new(),
            v1_signed_der: None,
            der: Vec::new(),
        })
    }

    /// The seal's DER encoding as read.
    pub fn to_der(&self) -> &[u8] {
        &self.der
    }

    /// The seal maker's certificate.
    pub fn maker_certificate(&self) -> Result<Certificate> {
        pki::certificates_from_bytes(&self.maker_cert_der)?
            .into_iter()
            .next()
            .ok_or_else(|| Error::decode("seal maker certificate", "empty"))
    }

    /// The holders' certificates (those that parse; digests are not certificates).
    pub fn holder_certificates(&self) -> Vec<Certificate> {
        match &self.cert_list {
            CertList::Certificates { ders, .. } => {
                ders.iter().filter_map(|d| pki::certificates_from_bytes(d).ok()).flatten().collect()
            }
            _ => Vec::new(),
        }
    }

    /// The holder's chain the seal carries, the holder's issuer first (see `seal::chain`).
    pub fn holder_chain(&self) -> &[Certificate] {
        &self.holder_chain
    }

    /// True if `cert` is one of the seal's holders (by certificate or by digest).
    pub fn binds(&self, cert_der: &[u8]) -> bool {
        use sha2::Digest;
        match &self.cert_list {
            CertList::Certificates { ders, .. } => ders.iter().any(|d| d == cert_der),
            CertList::Digests { digests, .. } => digests.iter().any(|(alg, value)| {
                let alg = alg.to_ascii_lowercase();
                (alg.contains("sm3")
                    && crate::digest::HashAlg::sm3()
                        .is_ok_and(|h| value[..] == h.hash(cert_der)[..]))
                    || (alg.contains("sha256") || alg.contains("sha-256"))
                        && value[..] == sha2::Sha256::digest(cert_der)[..]
            }),
            CertList::Other { .. } => false,
        }
    }

    /// Checks the maker's signature. Returns the rule that verified (for v1, which of the
    /// two forms in use).
    pub fn verify_maker_signature(&self) -> Result<&'static str, SealSignatureError> {
        let cert =
            self.maker_certificate().map_err(|e| SealSignatureError::Certificate(e.to_string()))?;
        let key = pki::certificate_key(&cert)
            .map_err(|e| SealSignatureError::Certificate(e.to_string()))?;
        let alg = Algorithm::from_oid(self.algorithm_oid)
            .map_err(|e| SealSignatureError::Algorithm(e.to_string()))?;
        let (sig, _) =
            signature_value(alg, &self.signature).map_err(|_| SealSignatureError::Bad)?;
        match &self.v1_signed_der {
            None => key.verify(&self.seal_info_der, &sig).map(|_| "DER(SES_SealInfo)"),
            Some(v1) => key
                .verify(v1, &sig)
                .map(|_| "DER(SEQUENCE {sealInfo, cert, signatureAlgorithm})")
                .or_else(|_| key.verify(&self.seal_info_der, &sig).map(|_| "DER(SES_SealInfo)")),
        }
        .map_err(|_| SealSignatureError::Bad)
    }
}

/// Why a seal's or stamp's signature did not check out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealSignatureError {
    /// The algorithm is not supported.
    Algorithm(String),
    /// The signature does not verify.
    Bad,
    /// The certificate in the structure cannot be used.
    Certificate(String),
}

impl std::fmt::Display for SealSignatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SealSignatureError::Algorithm(e) => write!(f, "{e}"),
            SealSignatureError::Bad => f.write_str("signature does not verify"),
            SealSignatureError::Certificate(e) => write!(f, "unusable certificate: {e}"),
        }
    }
}

/// How a signature value was encoded in the structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SignatureForm {
    /// DER `SEQUENCE { r, s }` (the standard form for SM2 and ECDSA).
    Der,
    /// Raw 64 bytes (standard for Ed25519; a vendor quirk for SM2).
    Raw,
    /// `SEQUENCE { r, s }` whose integers are not minimal DER: padded with extra zero bytes,
    /// or with the high bit set and no zero byte before it (a vendor quirk for SM2). Read as
    /// unsigned numbers; the signature is checked over the bytes as written.
    NonMinimalDer,
}

/// Decodes a signature value: DER `SEQUENCE { r, s }` or raw 64 bytes.
fn signature_value(alg: Algorithm, bytes: &[u8]) -> Result<(Signature, SignatureForm)> {
    if alg == Algorithm::Ed25519 {
        return Signature::from_x509(alg, bytes).map(|s| (s, SignatureForm::Raw));
    }
    match Signature::from_x509(alg, bytes) {
        Ok(s) => Ok((s, SignatureForm::Der)),
        Err(e) => match <[u8; 64]>::try_from(bytes) {
            Ok(raw) => Ok((Signature::from_raw(alg, raw), SignatureForm::Raw)),
            Err(_) => non_minimal_der(alg, bytes)
                .map(|raw| (Signature::from_raw(alg, raw), SignatureForm::NonMinimalDer))
                .ok_or(e),
        },
    }
}

/// `r || s` from a `SEQUENCE { INTEGER r, INTEGER s }` whose integers are not minimal DER,
/// each read as an unsigned number as wide as the curve's field; `None` if it is not that.
fn non_minimal_der(alg: Algorithm, bytes: &[u8]) -> Option<Vec<u8>> {
    let width = match alg {
        Algorithm::Sm2Sm3 | Algorithm::EcdsaP256Sha256 => 32,
        Algorithm::EcdsaP384Sha384 => 48,
        _ => return None,
    };
    let seq = Seq::parse("signature", bytes).ok()?;
    let [r, s] = seq.items.as_slice() else { return None };
    let mut out = Vec::with_capacity(2 * width);
    for int in [r, s] {
        if int.tag() != der::Tag::Integer {
            return None;
        }
        let digits = int.value();
        let digits = &digits[digits.iter().take_while(|&&b| b == 0).count()..];
        if digits.is_empty() || digits.len() > width {
            return None;
        }
        out.resize(out.len() + width - digits.len(), 0);
        out.extend_from_slice(digits);
    }
    Some(out)
}

fn cert_list(kind: i64, any: der::asn1::AnyRef<'_>, notes: &mut Vec<String>) -> Result<CertList> {
    let Ok(list) = Seq::of("certList", any) else {
        return Ok(CertList::Other { detail: format!("certList is a {}", any.tag()) });
    };
    match kind {
        1 => Ok(certificates(&list).unwrap_or_else(|detail| CertList::Other { detail })),
        2 => {
            let mut digests = Vec::new();
            for i in 0..list.len() {
                let obj = list.seq(i, "CertDigestObj")?;
                digests.push((obj.text(0, "type")?, obj.octets(1, "value")?.to_vec()));
            }
            Ok(CertList::Digests { count: digests.len(), digests })
        }
        // A type GB/T 38540 does not define: read by what the list holds, when every
        // element is a certificate; a holder then matches by the certificate's bytes, as
        // for type 1.
        other => match certificates(&list) {
            Ok(found) if !list.items.is_empty() => {
                let readable = list.items.iter().all(|item| {
                    pki::certificates_from_bytes(item.value()).is_ok_and(|c| c.len() == 1)
                });
                if !readable {
                    return Ok(CertList::Other {
                        detail: format!("unknown certListType {other}, not a list of certificates"),
                    });
                }
                notes.push(format!(
                    "certListType {other}, which GB/T 38540 does not define (1 is certificates, \
                     2 digests), read as certificates: the list holds {} and nothing else",
                    match list.len() {
                        1 => "one certificate".to_string(),
                        n => format!("{n} certificates"),
                    }
                ));
                Ok(found)
            }
            _ => Ok(CertList::Other { detail: format!("unknown certListType {other}") }),
        },
    }
}

/// A SEQUENCE OF OCTET STRING as certificate DERs, or what stands in the way.
fn certificates(list: &Seq<'_>) -> std::result::Result<CertList, String> {
    let mut ders = Vec::new();
    for (i, item) in list.items.iter().enumerate() {
        if item.tag() != der::Tag::OctetString {
            return Err(format!("certList element {i} is a {}, not a certificate", item.tag()));
        }
        ders.push(item.value().to_vec());
    }
    Ok(CertList::Certificates { count: ders.len(), ders })
}

fn ext_datas(any: der::asn1::AnyRef<'_>) -> Result<Vec<ExtData>> {
    let list = Seq::of("ExtensionDatas", any)?;
    let mut out = Vec::new();
    for i in 0..list.len() {
        let ext = list.seq(i, "ExtData")?;
        let oid = ext.oid(0, "extnID")?;
        let (critical, value_at) = match ext.get(1, "critical")?.tag() {
            der::Tag::Boolean => (ext.get(1, "critical")?.value() != [0], 2),
            _ => (false, 1),
        };
        out.push(ExtData {
            oid: oid_name(&oid),
            critical,
            value: ext.octets(value_at, "extnValue")?.to_vec(),
        });
    }
    Ok(out)
}

/// Wraps content bytes in a SEQUENCE header.
fn sequence(body: Vec<u8>) -> Result<Vec<u8>> {
    let any = Any::new(der::Tag::Sequence, body).map_err(|e| Error::decode("SEQUENCE", e))?;
    any.to_der().map_err(|e| Error::decode("SEQUENCE", e))
}

/// A stamp: an `SES_Signature` over some data's hash, made with a seal.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Stamp {
    /// v1 or v4.
    pub version: SealVersion,
    /// The seal inside the stamp.
    pub seal: Seal,
    /// The stamping time (v4), or the text a v1 stamp carries.
    pub time: String,
    /// The stamping time, when it is a proper ASN.1 time.
    #[serde(skip)]
    pub time_parsed: Option<UnixTime>,
    /// The hash of the stamped data.
    #[serde(skip)]
    pub data_hash: Vec<u8>,
    /// What was stamped (a file name, or the path of an OFD part).
    pub property_info: String,
    /// The stamper's signature algorithm.
    pub algorithm: String,
    /// How the signature value was encoded.
    pub signature_form: Option<SignatureForm>,
    /// True if a v4 stamp carries a time-stamp token.
    pub has_timestamp: bool,
    /// What was read that the standard's DER does not write (as [`Seal::leniencies`], for
    /// the stamp's own fields).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub leniencies: Vec<String>,
    /// The time-stamp token (`timeStamp`), DER, if it can be read.
    #[serde(skip)]
    pub time_stamp: Option<Vec<u8>>,
    #[serde(skip)]
    algorithm_oid: ObjectIdentifier,
    #[serde(skip)]
    signer_cert_der: Vec<u8>,
    #[serde(skip)]
    signature: Vec<u8>,
    #[serde(skip)]
    tbs_der: Vec<u8>,
}

impl Stamp {
    /// Reads a stamp (v1 or v4).
    pub fn from_der(der: &[u8]) -> Result<Stamp> {
        let top = Seq::parse("stamp (SES_Signature)", der)?;
        let tbs = top.seq(0, "TBS_Sign")?;
        let seal_der = tbs.raw(1, "eseal")?;
        let seal = Seal::from_der(&seal_der)?;
        let version = seal.version;
        // The stamp's own version must be its seal's (GB/T 38540 §7.3: TBS_Sign.version is
        // the same as the seal's header version; ofdrw writes 5 in both for its later layout).
        let tbs_version = tbs.int(0, "TBS_Sign version")?;
        if tbs_version != seal.header_version {
            return Err(Error::InvalidInput(format!(
                "the stamp (SES_Signature) says version {tbs_version}, but its seal says version \
                 {}: a stamp and its seal must have one version",
                seal.header_version
            )));
        }
        let mut leniencies = Vec::new();
        let (time, time_parsed) = match tbs.get(2, "timeInfo")?.tag() {
            der::Tag::BitString => {
                let text = String::from_utf8_lossy(tbs.bits(2, "timeInfo")?).into_owned();
                (text, None)
            }
            _ => {
                let t = tbs.time_lenient(2, "timeInfo", &mut leniencies)?;
                (t.to_string(), Some(t))
            }
        };
        let (signer_cert_der, algorithm_oid, signature, has_timestamp) = match version {
            SealVersion::V4 => (
                top.octets(1, "cert")?.to_vec(),
                top.oid(2, "signatureAlgID")?,
                top.bits(3, "signature")?.to_vec(),
                top.len() > 4,
            ),
            SealVersion::V1 => (
                tbs.octets(5, "cert")?.to_vec(),
                tbs.oid(6, "signatureAlgorithm")?,
                top.bits(1, "signature")?.to_vec(),
                false,
            ),
        };
        // timeStamp [0] EXPLICIT BIT STRING: the token.
        let time_stamp = match (version, top.get(4, "timeStamp")) {
            (SealVersion::V4, Ok(ts))
                if ts.tag().is_context_specific() && ts.tag().number().value() == 0 =>
            {
                Seq::children("timeStamp", ts).and_then(|c| c.bits(0, "timeStamp")).ok()
            }
            _ => None,
        }
        .map(<[u8]>::to_vec);
        Ok(Stamp {
            version,
            seal,
            time_stamp,
            time,
            time_parsed,
            data_hash: tbs.bits(3, "dataHash")?.to_vec(),
            property_info: tbs.text(4, "propertyInfo")?,
            algorithm: oid_name(&algorithm_oid),
            signature_form: None,
            has_timestamp,
            leniencies,
            algorithm_oid,
            signer_cert_der,
            signature,
            tbs_der: top.raw(0, "TBS_Sign")?,
        })
    }

    /// The stamper's signature value, as carried (what a `timeStamp` token is over).
    pub fn signature_value(&self) -> &[u8] {
        &self.signature
    }

    /// The stamper's certificate.
    pub fn signer_certificate(&self) -> Result<Certificate> {
        pki::certificates_from_bytes(&self.signer_cert_der)?
            .into_iter()
            .next()
            .ok_or_else(|| Error::decode("stamp signer certificate", "empty"))
    }

    /// The stamper's certificate DER as carried.
    pub fn signer_certificate_der(&self) -> &[u8] {
        &self.signer_cert_der
    }

    /// The stamper's signature algorithm.
    pub fn signature_algorithm(&self) -> Result<Algorithm> {
        Algorithm::from_oid(self.algorithm_oid)
    }

    /// The hash of the stamp's `dataHash`: SM3 with SM2 (or an algorithm not known), SHA-256
    /// with the others. An error if that is SM3 and this build has no SM3 (the `sm2`
    /// feature).
    pub fn data_hash_alg(&self) -> Result<crate::digest::HashAlg> {
        match self.signature_algorithm() {
            Ok(alg) => data_hash_alg(alg),
            Err(_) => crate::digest::HashAlg::sm3(),
        }
    }

    /// Checks the stamper's signature over DER(TBS_Sign); returns the form of the value and
    /// what was signed. A v1 SM2 stamp signed over the bare dataHash (a vendor quirk) is
    /// recognised and reported as such.
    pub fn verify_signature(&self) -> Result<(SignatureForm, &'static str), SealSignatureError> {
        let cert = self
            .signer_certificate()
            .map_err(|e| SealSignatureError::Certificate(e.to_string()))?;
        let key = pki::certificate_key(&cert)
            .map_err(|e| SealSignatureError::Certificate(e.to_string()))?;
        let alg =
            self.signature_algorithm().map_err(|e| SealSignatureError::Algorithm(e.to_string()))?;
        let (sig, form) =
            signature_value(alg, &self.signature).map_err(|_| SealSignatureError::Bad)?;
        if key.verify(&self.tbs_der, &sig).is_ok() {
            return Ok((form, "DER(TBS_Sign)"));
        }
        if self.version == SealVersion::V1
            && self.data_hash.len() == 32
            && key.verify_sm2_prehash(&self.data_hash, &sig).is_ok()
        {
            return Ok((form, "the bare dataHash (non-standard v1 form)"));
        }
        Err(SealSignatureError::Bad)
    }
}

/// The hash of a stamp's `dataHash` when `alg` signs it: SM3 with SM2 (GB/T 38540 §6.2, as
/// national seal systems write it), SHA-256 with every other algorithm. An error if that is
/// SM3 and this build has no SM3 (the `sm2` feature).
pub fn data_hash_alg(alg: Algorithm) -> Result<crate::digest::HashAlg> {
    match alg {
        Algorithm::Sm2Sm3 => crate::digest::HashAlg::sm3(),
        _ => Ok(crate::digest::HashAlg::Sha256),
    }
}

#[cfg(all(test, feature = "sm2"))]
mod tests {
    use super::*;
    use crate::keys::{PrivateKey, Signer};

    /// `SEQUENCE { INTEGER r, INTEGER s }` with each integer's content as given.
    fn seq(r: &[u8], s: &[u8]) -> Vec<u8> {
        let int = |v: &[u8]| [&[0x02, v.len() as u8][..], v].concat();
        let body = [int(r), int(s)].concat();
        [&[0x30, body.len() as u8][..], &body].concat()
    }

    #[test]
    fn sm2_signatures_with_non_minimal_integers_are_read_and_named() {
        let key = PrivateKey::generate(Algorithm::Sm2Sm3).unwrap();
        let sig = key.sign(b"TBS_Sign").unwrap();
        let (r, s) = sig.raw().split_at(32);
        // Padded with a zero byte each (one too many when the high bit is clear), and the
        // same unpadded (negative, as strict DER reads a high bit).
        for (r2, s2) in
            [([&[0u8, 0][..], r].concat(), [&[0u8][..], s].concat()), (r.to_vec(), s.to_vec())]
        {
            let der = seq(&r2, &s2);
            let Ok((read, form)) = signature_value(Algorithm::Sm2Sm3, &der) else {
                panic!("not read: {der:02x?}");
            };
            // The strict reader may take one of them as well-formed; whichever it is, the
            // signature is the same and verifies.
            assert!(matches!(form, SignatureForm::Der | SignatureForm::NonMinimalDer));
            assert_eq!(read.raw(), sig.raw());
            key.public_key().verify(b"TBS_Sign", &read).unwrap();
        }
        // Extra zeros are never minimal: named as the leniency.
        let der = seq(&[&[0u8, 0, 0][..], r].concat(), s);
        assert_eq!(
            signature_value(Algorithm::Sm2Sm3, &der).unwrap().1,
            SignatureForm::NonMinimalDer
        );
        // Too wide, or not two integers: refused.
        assert!(signature_value(Algorithm::Sm2Sm3, &seq(&[1u8; 33], s)).is_err());
        assert!(signature_value(Algorithm::Sm2Sm3, &seq(r, &[])).is_err());
    }
}
