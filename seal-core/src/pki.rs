//! Public key infrastructure: certificate profiles, a certificate authority, CRLs and
//! offline certification path validation (RFC 5280).
//!
//! - [`CertificateBuilder`] and [`Csr`] issue certificates and requests through any
//!   [`crate::keys::Signer`].
//! - [`ca::Ca`] keeps a CA's state in a directory, safe against concurrent issuers and
//!   crashes.
//! - [`revocation`] issues and checks v2 CRLs.
//! - [`path::validate`] builds and checks a chain to a trust anchor at a given time.

pub mod ca;
mod constraints;
mod issue;
mod name;
pub mod ocsp;
pub mod path;
mod policy;
mod profile;
pub mod revocation;
pub mod role;
pub mod validation_data;

use std::path::Path;

use der::referenced::OwnedToRef;
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
pub use x509_cert::Certificate;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, SubjectKeyIdentifier};

pub use issue::{CertificateBuilder, Csr, Validity, random_serial};
pub use name::{
    OID_COMMON_NAME, OID_COUNTRY, OID_ORGANIZATION, OID_ORGANIZATION_IDENTIFIER, Subject,
    attribute, display_name,
};
pub use profile::Profile;
pub use revocation::Crl;

use crate::error::{Error, Result, ResultExt};
use crate::keys::{self, PublicKey, hex};
use crate::time::UnixTime;

/// The public key a certificate certifies.
pub fn certificate_key(cert: &Certificate) -> Result<PublicKey> {
    PublicKey::from_spki(cert.tbs_certificate().subject_public_key_info().owned_to_ref())
}

pub(crate) use certificate_key as issuer_key;

/// The subjectKeyIdentifier extension's value, if the certificate has one.
pub fn subject_key_identifier(cert: &Certificate) -> Option<Vec<u8>> {
    match cert.tbs_certificate().get_extension::<SubjectKeyIdentifier>() {
        Ok(Some((_, ski))) => Some(ski.0.as_bytes().to_vec()),
        _ => None,
    }
}

/// The key identifier of a certificate: its subjectKeyIdentifier if present, otherwise
/// computed from its key as we compute ours (RFC 7093 method 1).
pub fn key_identifier_of(cert: &Certificate) -> [u8; 20] {
    if let Ok(Some((_, ski))) = cert.tbs_certificate().get_extension::<SubjectKeyIdentifier>()
        && let Ok(id) = <[u8; 20]>::try_from(ski.0.as_bytes())
    {
        return id;
    }
    let bits = cert.tbs_certificate().subject_public_key_info().subject_public_key.raw_bytes();
    let digest = Sha256::digest(bits);
    let mut id = [0u8; 20];
    id.copy_from_slice(&digest[..20]);
    id
}

/// The keyUsage extension of a certificate, if present and well-formed.
pub fn key_usage(cert: &Certificate) -> Option<KeyUsage> {
    cert.tbs_certificate().get_extension::<KeyUsage>().ok().flatten().map(|(_, ku)| ku)
}

/// The basicConstraints extension of a certificate, if present and well-formed.
pub fn basic_constraints(cert: &Certificate) -> Option<BasicConstraints> {
    cert.tbs_certificate().get_extension::<BasicConstraints>().ok().flatten().map(|(_, bc)| bc)
}

/// PEM-encodes DER with the given label.
pub fn pem(label: &'static str, der: &[u8]) -> Result<String> {
    der::pem::encode_string(label, der::pem::LineEnding::LF, der)
        .map_err(|e| Error::decode("PEM", e))
}

/// PEM-encodes a certificate (`CERTIFICATE`).
pub fn certificate_to_pem(cert: &Certificate) -> Result<String> {
    pem("CERTIFICATE", &keys::to_der("certificate", cert)?)
}

/// PEM-encodes a CRL (`X509 CRL`).
pub fn crl_to_pem(crl: &Crl) -> Result<String> {
    pem("X509 CRL", &keys::to_der("CRL", crl)?)
}

/// Parses one or more certificates: a PEM bundle (`CERTIFICATE` blocks) or one DER
/// certificate.
pub fn certificates_from_bytes(data: &[u8]) -> Result<Vec<Certificate>> {
    pem_or_der(data, "CERTIFICATE", "certificate", "a certificate (PEM \"CERTIFICATE\")")
}

/// Every PEM block labelled `label` decoded as `T`, or the whole input as one DER `T`.
fn pem_or_der<T: for<'a> Decode<'a>>(
    data: &[u8],
    label: &str,
    what: &'static str,
    expected: &'static str,
) -> Result<Vec<T>>
where
    for<'a> <T as Decode<'a>>::Error: std::fmt::Display,
{
    let decode = |der: &[u8]| T::from_der(der).map_err(|e| Error::decode(what, e));
    match keys::pem_block(data)? {
        None => Ok(vec![decode(data)?]),
        Some((found, _)) => {
            let ders = keys::pem_blocks(data, label)?;
            if ders.is_empty() {
                return Err(Error::WrongType {
                    expected,
                    found: format!("a PEM \"{found}\" block"),
                });
            }
            ders.iter().map(|der| decode(der)).collect()
        }
    }
}

/// Reads the certificates of a file (see [`certificates_from_bytes`]).
pub fn load_certificates(path: &Path) -> Result<Vec<Certificate>> {
    certificates_from_bytes(&crate::io::read(path)?).in_file(path)
}

/// Reads the certificates of a file, or of every file in a directory (as `openssl
/// -CApath` does; files in it that hold no certificate are skipped, and the directory must
/// hold at least one).
pub fn load_certificates_from(path: &Path) -> Result<Vec<Certificate>> {
    if !path.is_dir() {
        return load_certificates(path);
    }
    let mut entries: Vec<_> = std::fs::read_dir(path)
        .in_file(path)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    let mut out = Vec::new();
    for p in entries {
        if let Ok(certs) = load_certificates(&p) {
            out.extend(certs);
        }
    }
    if out.is_empty() {
        return Err(Error::InvalidInput("the directory holds no certificate".into()).in_file(path));
    }
    Ok(out)
}

/// Reads a certificate from a file: one certificate, or one followed by its chain (each
/// certificate issued by the next, as `seal ca issue` writes and a "fullchain" file
/// holds), of which the first is returned. Anything else (several unrelated certificates)
/// is refused, so that a wrong file is not silently half-read.
pub fn load_certificate(path: &Path) -> Result<Certificate> {
    let mut certs = load_certificates(path)?;
    let chained = certs
        .windows(2)
        .all(|w| w[0].tbs_certificate().issuer() == w[1].tbs_certificate().subject());
    if certs.is_empty() || !chained {
        return Err(Error::InvalidInput(format!(
            "expected one certificate, or one followed by its chain; found {} that do not \
             form a chain",
            certs.len()
        ))
        .in_file(path));
    }
    Ok(certs.remove(0))
}

/// Parses one or more CRLs: PEM (`X509 CRL` blocks) or one DER CRL.
pub fn crls_from_bytes(data: &[u8]) -> Result<Vec<Crl>> {
    pem_or_der(data, "X509 CRL", "CRL", "a CRL (PEM \"X509 CRL\")")
}

/// Reads the CRLs of a file (see [`crls_from_bytes`]).
pub fn load_crls(path: &Path) -> Result<Vec<Crl>> {
    crls_from_bytes(&crate::io::read(path)?).in_file(path)
}

/// A summary of a certificate for people and scripts (`seal cert show --json`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct CertificateInfo {
    /// Subject as an RFC 4514 string.
    pub subject: String,
    /// The subject's known attributes.
    pub subject_fields: Subject,
    /// Issuer as an RFC 4514 string.
    pub issuer: String,
    /// Serial number in hex.
    pub serial: String,
    /// Start of validity.
    pub not_before: String,
    /// End of validity.
    pub not_after: String,
    /// Signature algorithm.
    pub signature_algorithm: String,
    /// Key algorithm (`ed25519`, `p256`) or the OID of an unsupported one.
    pub key_algorithm: String,
    /// True if basicConstraints says cA.
    pub is_ca: bool,
    /// pathLenConstraint, if any.
    pub path_len: Option<u8>,
    /// Key usage bit names.
    pub key_usage: Vec<String>,
    /// Subject key identifier in hex.
    pub subject_key_id: String,
    /// SHA-256 fingerprint of the DER certificate, in hex.
    pub sha256_fingerprint: String,
    /// Every extension: OID and criticality.
    pub extensions: Vec<ExtensionInfo>,
}

/// One extension in a [`CertificateInfo`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExtensionInfo {
    /// The OID, with its name if known.
    pub oid: String,
    /// The critical flag.
    pub critical: bool,
}

impl CertificateInfo {
    /// Summarises a certificate.
    pub fn new(cert: &Certificate) -> Result<CertificateInfo> {
        let tbs = cert.tbs_certificate();
        let v = Validity::of(cert);
        let key_algorithm = match certificate_key(cert) {
            Ok(k) => k.algorithm().name().to_owned(),
            Err(_) => keys::oid_name(&tbs.subject_public_key_info().algorithm.oid),
        };
        let bc = basic_constraints(cert);
        let key_usage = key_usage(cert)
            .map(|ku| ku.0.into_iter().map(|flag| format!("{flag:?}")).collect())
            .unwrap_or_default();
        let der = keys::to_der("certificate", cert)?;
        Ok(CertificateInfo {
            subject: display_name(tbs.subject()),
            subject_fields: Subject::from_name(tbs.subject()),
            issuer: display_name(tbs.issuer()),
            serial: hex(tbs.serial_number().as_bytes()),
            not_before: v.not_before.to_string(),
            not_after: v.not_after.to_string(),
            signature_algorithm: keys::oid_name(&cert.signature_algorithm().oid),
            key_algorithm,
            is_ca: bc.as_ref().is_some_and(|b| b.ca),
            path_len: bc.and_then(|b| b.path_len_constraint),
            key_usage,
            subject_key_id: hex(&key_identifier_of(cert)),
            sha256_fingerprint: hex(&Sha256::digest(&der)),
            extensions: tbs
                .extensions()
                .into_iter()
                .flatten()
                .map(|e| ExtensionInfo { oid: keys::oid_name(&e.extn_id), critical: e.critical })
                .collect(),
        })
    }
}

/// True if `cert` is valid at `at` by its own validity period.
pub fn is_within_validity(cert: &Certificate, at: UnixTime) -> bool {
    Validity::of(cert).contains(at)
}

/// The DER encoding of a certificate.
pub fn certificate_der(cert: &Certificate) -> Result<Vec<u8>> {
    cert.to_der().map_err(|e| Error::decode("certificate", e))
}
