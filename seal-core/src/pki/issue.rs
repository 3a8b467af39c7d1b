//! Issuing certificates and certificate requests.
//!
//! `x509-cert` keeps the fields of its `TbsCertificate` private, so the to-be-signed
//! structure is declared here with the same ASN.1 (RFC 5280 §4.1), encoded, signed through
//! any [`Signer`] (a key file, a token, a remote service), and decoded back into an
//! `x509_cert::Certificate`, which checks our own output on the way.

use std::path::Path;

use der::asn1::{BitString, SetOfVec};
use der::referenced::OwnedToRef;
use der::{Decode, Encode, Sequence};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;
use x509_cert::certificate::Version;
use x509_cert::ext::Extensions;
use x509_cert::name::Name;
use x509_cert::request::{CertReq, CertReqInfo};
use x509_cert::serial_number::SerialNumber;

use super::profile::Profile;
use super::{Subject, key_identifier_of};
use crate::error::{CaError, Error, Result, ResultExt};
use crate::keys::{self, PublicKey, Signer};
use crate::time::UnixTime;

/// A validity period (RFC 5280 §4.1.2.5), both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Validity {
    /// The first second the certificate is valid.
    pub not_before: UnixTime,
    /// The last second the certificate is valid.
    pub not_after: UnixTime,
}

impl Validity {
    /// From `start` for `days` days.
    pub fn days_from(start: UnixTime, days: u64) -> Validity {
        Validity { not_before: start, not_after: start.plus_days(days) }
    }

    /// The validity of an existing certificate.
    pub fn of(cert: &Certificate) -> Validity {
        let v = cert.tbs_certificate().validity();
        Validity {
            not_before: UnixTime::from_x509(&v.not_before),
            not_after: UnixTime::from_x509(&v.not_after),
        }
    }

    /// True if `at` lies within this period.
    pub fn contains(&self, at: UnixTime) -> bool {
        self.not_before <= at && at <= self.not_after
    }
}

/// `TBSCertificate` (RFC 5280 §4.1), as we encode it.
///
/// ```text
/// TBSCertificate  ::=  SEQUENCE  {
///      version         [0]  EXPLICIT Version DEFAULT v1,
///      serialNumber         CertificateSerialNumber,
///      signature            AlgorithmIdentifier,
///      issuer               Name,
///      validity             Validity,
///      subject              Name,
///      subjectPublicKeyInfo SubjectPublicKeyInfo,
///      extensions      [3]  EXPLICIT Extensions OPTIONAL }
/// ```
/// Unique identifiers are left out: RFC 5280 §4.1.2.8 says CAs MUST NOT generate them.
#[derive(Sequence)]
struct TbsCertificate {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    version: Version,
    serial_number: SerialNumber,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    validity: x509_cert::time::Validity,
    subject: Name,
    subject_public_key_info: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    extensions: Option<Extensions>,
}

/// `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }`.
#[derive(Sequence)]
struct SignedCertificate {
    tbs_certificate: TbsCertificate,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
}

/// Builds one certificate: the subject, its key, the profile and the validity; the issuer
/// comes from the issuing CA's certificate (or is the subject, for a self-signed root).
///
/// ```
/// # use seal_core::keys::{Algorithm, PrivateKey};
/// # use seal_core::pki::{CertificateBuilder, Profile, Subject, Validity};
/// # use seal_core::time::UnixTime;
/// # fn main() -> seal_core::Result<()> {
/// let key = PrivateKey::generate(Algorithm::Ed25519)?;
/// let root = CertificateBuilder::self_signed(
///     &Subject::new("Root", "Seal Authority", "DE"),
///     Profile::Ca { path_len: Some(1) },
///     Validity::days_from(UnixTime::now(), 3650),
/// )?
/// .build(&key)?;
/// # Ok(()) }
/// ```
pub struct CertificateBuilder<'a> {
    subject: Name,
    subject_key: Option<PublicKey>,
    issuer: Option<&'a Certificate>,
    profile: Profile,
    validity: Validity,
    serial: Option<[u8; 16]>,
}

impl<'a> CertificateBuilder<'a> {
    /// A self-signed certificate (a root CA): the subject's key signs it.
    pub fn self_signed(
        subject: &Subject,
        profile: Profile,
        validity: Validity,
    ) -> Result<CertificateBuilder<'static>> {
        Ok(CertificateBuilder {
            subject: subject.to_name()?,
            subject_key: None,
            issuer: None,
            profile,
            validity,
            serial: None,
        })
    }

    /// A certificate for `subject_key`, issued by the CA whose certificate is `issuer`.
    pub fn new(
        subject: Name,
        subject_key: PublicKey,
        issuer: &'a Certificate,
        profile: Profile,
        validity: Validity,
    ) -> CertificateBuilder<'a> {
        CertificateBuilder {
            subject,
            subject_key: Some(subject_key),
            issuer: Some(issuer),
            profile,
            validity,
            serial: None,
        }
    }

    /// A certificate from a CSR, after checking the CSR's own signature (proof that the
    /// requester holds the private key). Extensions requested in the CSR are ignored: the
    /// profile decides them.
    pub fn from_csr(
        csr: &Csr,
        issuer: &'a Certificate,
        profile: Profile,
        validity: Validity,
    ) -> Result<CertificateBuilder<'a>> {
        csr.verify_signature().map_err(|_| Error::Ca(CaError::CsrSignatureInvalid))?;
        Ok(CertificateBuilder::new(
            csr.subject().clone(),
            csr.public_key().clone(),
            issuer,
            profile,
            validity,
        ))
    }

    /// Uses this serial number instead of a random one (the CA uses it to guarantee
    /// uniqueness). The top bit is cleared, so the number is positive.
    pub fn serial(mut self, serial: [u8; 16]) -> Self {
        self.serial = Some(serial);
        self
    }

    /// Signs the certificate with the issuer's key.
    ///
    /// Fails if the signer's key is not the issuer certificate's key, if the validity lies
    /// outside the issuer's, or if the subject lacks what the profile needs.
    pub fn build(self, signer: &dyn Signer) -> Result<Certificate> {
        self.profile.check_subject(&self.subject)?;
        if self.validity.not_after < self.validity.not_before {
            return Err(Error::InvalidInput("validity ends before it begins".into()));
        }
        let signer_key = signer.public_key();
        let (issuer_name, authority_key_id) = match self.issuer {
            None => (self.subject.clone(), signer_key.key_identifier()),
            Some(issuer) => {
                let issuer_key = PublicKey::from_spki(
                    issuer.tbs_certificate().subject_public_key_info().owned_to_ref(),
                )?;
                if &issuer_key != signer_key {
                    return Err(Error::KeyMismatch(
                        "the signing key does not belong to the issuer certificate".into(),
                    ));
                }
                let iv = Validity::of(issuer);
                if self.validity.not_before < iv.not_before
                    || self.validity.not_after > iv.not_after
                {
                    return Err(Error::Ca(CaError::ValidityOutsideIssuer));
                }
                (issuer.tbs_certificate().subject().clone(), key_identifier_of(issuer))
            }
        };
        let subject_key = self.subject_key.as_ref().unwrap_or(signer_key);
        let serial = match self.serial {
            Some(s) => s,
            None => random_serial()?,
        };
        let algorithm = signer.algorithm().signature_algorithm_identifier();
        let tbs = TbsCertificate {
            version: Version::V3,
            serial_number: serial_number(serial)?,
            signature: algorithm.clone(),
            issuer: issuer_name,
            validity: x509_cert::time::Validity::new(
                self.validity.not_before.to_x509()?,
                self.validity.not_after.to_x509()?,
            ),
            subject: self.subject,
            subject_public_key_info: subject_key.to_spki()?,
            extensions: Some(self.profile.extensions(subject_key, authority_key_id)?),
        };
        let tbs_der = keys::to_der("certificate", &tbs)?;
        let signature = signer.sign(&tbs_der)?;
        let cert = SignedCertificate {
            tbs_certificate: tbs,
            signature_algorithm: algorithm,
            signature: bit_string(&signature.to_x509()?)?,
        };
        let der = keys::to_der("certificate", &cert)?;
        Certificate::from_der(&der).map_err(|e| Error::decode("certificate", e))
    }
}

/// 16 random bytes, positive and with a non-zero first byte (RFC 5280 §4.1.2.2: positive,
/// at most 20 octets; CA/B Forum: at least 64 bits of entropy).
pub fn random_serial() -> Result<[u8; 16]> {
    use rand_core::TryRng;
    let mut serial = [0u8; 16];
    getrandom::SysRng
        .try_fill_bytes(&mut serial)
        .map_err(|e| Error::Signing(format!("random number generator: {e}")))?;
    serial[0] &= 0x7f;
    if serial[0] == 0 {
        serial[0] = 0x01;
    }
    Ok(serial)
}

fn serial_number(mut serial: [u8; 16]) -> Result<SerialNumber> {
    serial[0] &= 0x7f;
    if serial[0] == 0 {
        serial[0] = 0x01;
    }
    SerialNumber::new(&serial).map_err(|e| Error::decode("serial number", e))
}

pub(crate) fn bit_string(bytes: &[u8]) -> Result<BitString> {
    BitString::from_bytes(bytes).map_err(|e| Error::decode("signature", e))
}

/// A PKCS#10 certificate signing request (RFC 2986), with its key parsed.
#[derive(Debug, Clone)]
pub struct Csr {
    req: CertReq,
    public_key: PublicKey,
}

impl Csr {
    /// Makes a CSR for `subject`, signed with the requester's own key.
    pub fn build(subject: &Subject, signer: &dyn Signer) -> Result<Csr> {
        let info = CertReqInfo {
            version: x509_cert::request::Version::V1,
            subject: subject.to_name()?,
            public_key: signer.public_key().to_spki()?,
            attributes: SetOfVec::new(),
        };
        let info_der = keys::to_der("certificate request", &info)?;
        let signature = signer.sign(&info_der)?;
        let req = CertReq {
            info,
            algorithm: signer.algorithm().signature_algorithm_identifier(),
            signature: bit_string(&signature.to_x509()?)?,
        };
        Ok(Csr { req, public_key: signer.public_key().clone() })
    }

    /// Parses a DER CSR.
    pub fn from_der(der: &[u8]) -> Result<Csr> {
        let req = CertReq::from_der(der).map_err(|e| Error::decode("certificate request", e))?;
        let public_key = PublicKey::from_spki(req.info.public_key.owned_to_ref())?;
        Ok(Csr { req, public_key })
    }

    /// Parses a CSR from PEM (`CERTIFICATE REQUEST`) or DER.
    pub fn from_bytes(data: &[u8]) -> Result<Csr> {
        match keys::pem_block(data)? {
            Some((label, der))
                if label == "CERTIFICATE REQUEST" || label == "NEW CERTIFICATE REQUEST" =>
            {
                Csr::from_der(&der)
            }
            Some((label, _)) => Err(Error::WrongType {
                expected: "a certificate request (PEM \"CERTIFICATE REQUEST\")",
                found: format!("a PEM \"{label}\" block"),
            }),
            None => Csr::from_der(data),
        }
    }

    /// Reads a CSR file.
    pub fn load(path: &Path) -> Result<Csr> {
        Csr::from_bytes(&crate::io::read(path)?).in_file(path)
    }

    /// Checks the CSR's signature with the key it contains.
    pub fn verify_signature(&self) -> Result<(), keys::BadSignature> {
        let info = self.req.info.to_der().map_err(|_| keys::BadSignature)?;
        self.public_key.verify_x509(
            &info,
            &self.req.algorithm.owned_to_ref(),
            self.req.signature.raw_bytes(),
        )
    }

    /// The requested subject.
    pub fn subject(&self) -> &Name {
        &self.req.info.subject
    }

    /// The requester's public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// The DER encoding.
    pub fn to_der(&self) -> Result<Vec<u8>> {
        keys::to_der("certificate request", &self.req)
    }

    /// The PEM encoding (`CERTIFICATE REQUEST`).
    pub fn to_pem(&self) -> Result<String> {
        super::pem("CERTIFICATE REQUEST", &self.to_der()?)
    }
}
