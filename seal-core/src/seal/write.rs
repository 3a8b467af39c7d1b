//! Writing version 4 (GB/T 38540-2020) seals and stamps.

use der::asn1::{
    Any, BitString, GeneralizedTime, Ia5String, ObjectIdentifier, OctetString, Utf8StringRef,
};
use der::{Decode, Encode, Sequence};

use super::ses::{Seal, SealVersion};
use crate::digest::HashAlg;
use crate::error::{Error, Result};
use crate::keys::Signer;
use crate::pki::{self, Certificate};
use crate::time::UnixTime;

#[derive(Sequence)]
struct HeaderOut {
    id: Ia5String,
    version: u32,
    vid: Ia5String,
}

#[derive(Sequence)]
struct PropertyOut<'a> {
    seal_type: u32,
    name: Utf8StringRef<'a>,
    cert_list_type: u32,
    cert_list: Vec<OctetString>,
    create_date: GeneralizedTime,
    valid_start: GeneralizedTime,
    valid_end: GeneralizedTime,
}

#[derive(Sequence)]
struct PictureOut {
    kind: Ia5String,
    data: OctetString,
    width: u32,
    height: u32,
}

#[derive(Sequence)]
struct SealInfoOut<'a> {
    header: HeaderOut,
    es_id: Ia5String,
    property: PropertyOut<'a>,
    picture: PictureOut,
    #[asn1(optional = "true")]
    ext_datas: Option<Vec<ExtDataOut>>,
}

/// `ExtData ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET
/// STRING }`, always written non-critical (the default, so omitted).
#[derive(Sequence)]
struct ExtDataOut {
    extn_id: ObjectIdentifier,
    extn_value: OctetString,
}

#[derive(Sequence)]
struct SealOut<'a> {
    info: SealInfoOut<'a>,
    cert: OctetString,
    sign_alg: ObjectIdentifier,
    signed_value: BitString,
}

#[derive(Sequence)]
struct TbsSignOut {
    version: u32,
    eseal: Any,
    time_info: GeneralizedTime,
    data_hash: BitString,
    property_info: Ia5String,
}

#[derive(Sequence)]
struct StampOut {
    to_sign: TbsSignOut,
    cert: OctetString,
    sign_alg: ObjectIdentifier,
    signature: BitString,
    /// GB/T 38540 §7.3: the RFC 3161 token over the signature value.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    time_stamp: Option<BitString>,
}

/// The vendor id `seal` writes in seal headers.
pub const VENDOR_ID: &str = "seal-rs";

/// Seal type codes (GM/T 0031: 1 organisation, 2 personal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealType {
    /// An organisation's seal.
    Organization,
    /// A person's seal.
    Personal,
}

/// What a new seal holds.
#[derive(Debug, Clone)]
pub struct SealSpec {
    /// Unique seal id.
    pub id: String,
    /// Seal name.
    pub name: String,
    /// Organisation or personal.
    pub seal_type: SealType,
    /// The holder's certificate.
    pub holder: Certificate,
    /// The holder's chain, its issuer first, up to (not including) the root: carried in
    /// the seal (see `seal::chain`) and from there in every stamp made with it.
    pub holder_chain: Vec<Certificate>,
    /// The picture: format ("PNG", "JPG", "SVG"), bytes, printed size in millimetres.
    pub picture_kind: String,
    /// The picture file.
    pub picture: Vec<u8>,
    /// Printed width in millimetres.
    pub width_mm: u32,
    /// Printed height in millimetres.
    pub height_mm: u32,
    /// Validity start.
    pub valid_start: UnixTime,
    /// Validity end.
    pub valid_end: UnixTime,
    /// When the seal is made.
    pub created: UnixTime,
}

fn gtime(t: UnixTime) -> Result<GeneralizedTime> {
    GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(t.as_secs()))
        .map_err(|e| Error::InvalidInput(format!("time out of range: {e}")))
}

fn ia5(s: &str, field: &str) -> Result<Ia5String> {
    Ia5String::new(s)
        .map_err(|_| Error::InvalidInput(format!("{field} {s:?} must be ASCII (IA5String)")))
}

fn octets(b: &[u8]) -> Result<OctetString> {
    OctetString::new(b).map_err(|e| Error::decode("OCTET STRING", e))
}

/// Makes a v4 seal: the maker signs DER(SES_SealInfo) with `maker` (whose certificate is
/// `maker_cert`).
pub fn make_seal(spec: &SealSpec, maker: &dyn Signer, maker_cert: &Certificate) -> Result<Vec<u8>> {
    if &pki::certificate_key(maker_cert)? != maker.public_key() {
        return Err(Error::KeyMismatch(
            "the maker key does not belong to the maker certificate".into(),
        ));
    }
    if spec.valid_end < spec.valid_start {
        return Err(Error::InvalidInput("the seal's validity ends before it begins".into()));
    }
    if spec.width_mm == 0 || spec.height_mm == 0 || spec.width_mm > 500 || spec.height_mm > 500 {
        return Err(Error::InvalidInput("the picture's printed size must be 1 to 500 mm".into()));
    }
    let info = SealInfoOut {
        header: HeaderOut { id: ia5("ES", "header id")?, version: 4, vid: ia5(VENDOR_ID, "vid")? },
        es_id: ia5(&spec.id, "seal id")?,
        property: PropertyOut {
            seal_type: match spec.seal_type {
                SealType::Organization => 1,
                SealType::Personal => 2,
            },
            name: Utf8StringRef::new(&spec.name).map_err(|e| Error::decode("seal name", e))?,
            cert_list_type: 1,
            cert_list: vec![octets(&pki::certificate_der(&spec.holder)?)?],
            create_date: gtime(spec.created)?,
            valid_start: gtime(spec.valid_start)?,
            valid_end: gtime(spec.valid_end)?,
        },
        picture: PictureOut {
            kind: ia5(&spec.picture_kind, "picture type")?,
            data: octets(&spec.picture)?,
            width: spec.width_mm,
            height: spec.height_mm,
        },
        ext_datas: match spec.holder_chain.is_empty() {
            true => None,
            false => Some(vec![ExtDataOut {
                extn_id: super::chain::PKI_PATH,
                extn_value: octets(&super::chain::encode(&spec.holder_chain)?)?,
            }]),
        },
    };
    let info_der = info.to_der().map_err(|e| Error::decode("SES_SealInfo", e))?;
    let sig = maker.sign(&info_der)?;
    let out = SealOut {
        info,
        cert: octets(&pki::certificate_der(maker_cert)?)?,
        sign_alg: maker.algorithm().signature_algorithm_identifier().oid,
        signed_value: BitString::from_bytes(&sig.to_x509()?)
            .map_err(|e| Error::decode("signature", e))?,
    };
    out.to_der().map_err(|e| Error::decode("SESeal", e))
}

/// Makes a v4 stamp (`SES_Signature`) over `data_hash` (the stamped data's hash by
/// [`data_hash_alg`](super::data_hash_alg) of the signer's algorithm: SM3 for SM2), signed
/// by the holder `signer` whose certificate is `signer_cert`.
pub fn make_stamp(
    seal: &Seal,
    data_hash: &[u8; 32],
    property_info: &str,
    time: UnixTime,
    signer: &dyn Signer,
    signer_cert: &Certificate,
) -> Result<Vec<u8>> {
    make_stamp_timestamped(seal, data_hash, property_info, time, (signer, signer_cert), None)
}

/// [`make_stamp`], with the `timeStamp` GB/T 38540 §7.3 defines when `timestamper` is given:
/// an RFC 3161 token over the signature value (the contents of `signature`), its imprint
/// SHA-256, in a BIT STRING.
pub fn make_stamp_timestamped(
    seal: &Seal,
    data_hash: &[u8; 32],
    property_info: &str,
    time: UnixTime,
    (signer, signer_cert): (&dyn Signer, &Certificate),
    timestamper: Option<&dyn crate::tsp::Timestamper>,
) -> Result<Vec<u8>> {
    if seal.version != SealVersion::V4 {
        return Err(Error::InvalidInput("stamping needs a GB/T 38540 (v4) seal".into()));
    }
    let cert_der = pki::certificate_der(signer_cert)?;
    if &pki::certificate_key(signer_cert)? != signer.public_key() {
        return Err(Error::KeyMismatch(
            "the stamping key does not belong to the signer certificate".into(),
        ));
    }
    if !seal.binds(&cert_der) {
        return Err(Error::KeyMismatch(format!(
            "the signer certificate is not one of the holders of seal \"{}\"",
            seal.name
        )));
    }
    let tbs = TbsSignOut {
        version: 4,
        eseal: Any::from_der(seal.to_der()).map_err(|e| Error::decode("SESeal", e))?,
        time_info: gtime(time)?,
        data_hash: BitString::from_bytes(data_hash).map_err(|e| Error::decode("dataHash", e))?,
        property_info: ia5(property_info, "propertyInfo")?,
    };
    let tbs_der = tbs.to_der().map_err(|e| Error::decode("TBS_Sign", e))?;
    let sig = signer.sign(&tbs_der)?.to_x509()?;
    let time_stamp = match timestamper {
        Some(ts) => {
            let token = ts.timestamp(HashAlg::Sha256, &HashAlg::Sha256.hash(&sig))?;
            Some(BitString::from_bytes(&token).map_err(|e| Error::decode("timeStamp", e))?)
        }
        None => None,
    };
    let out = StampOut {
        to_sign: tbs,
        cert: octets(&cert_der)?,
        sign_alg: signer.algorithm().signature_algorithm_identifier().oid,
        signature: BitString::from_bytes(&sig).map_err(|e| Error::decode("signature", e))?,
        time_stamp,
    };
    out.to_der().map_err(|e| Error::decode("SES_Signature", e))
}
