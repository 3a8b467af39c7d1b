//! Certificate profiles: which extensions a certificate gets, per RFC 5280 §4.2.

use std::fmt;
use std::str::FromStr;

use der::Encode;
use der::asn1::{ObjectIdentifier, OctetString};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::name::Name;

use super::name::{OID_COUNTRY, OID_ORGANIZATION, OID_ORGANIZATION_IDENTIFIER, attribute};
use crate::error::{Error, Result};
use crate::keys::PublicKey;

/// `id-ce-subjectKeyIdentifier`.
pub const OID_SUBJECT_KEY_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
/// `id-ce-keyUsage`.
pub const OID_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
/// `id-ce-subjectAltName`.
pub const OID_SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
/// `id-ce-basicConstraints`.
pub const OID_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
/// `id-ce-cRLNumber`.
pub const OID_CRL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.20");
/// `id-ce-cRLReasons`.
pub const OID_CRL_REASON: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.21");
/// `id-ce-certificatePolicies`.
pub const OID_CERTIFICATE_POLICIES: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.32");
/// `id-ce-authorityKeyIdentifier`.
pub const OID_AUTHORITY_KEY_IDENTIFIER: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.5.29.35");
/// `id-ce-extKeyUsage`.
pub const OID_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");

/// What a certificate is for. Each profile conforms to RFC 5280.
///
/// | profile | basicConstraints (critical) | keyUsage (critical) |
/// |---|---|---|
/// | `Ca` | cA, optional pathLen | keyCertSign, cRLSign |
/// | `Seal` | not a CA | digitalSignature, nonRepudiation |
/// | `LicenceIssuer` | not a CA | digitalSignature |
///
/// Every profile adds subject and authority key identifiers (RFC 7093 method 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Profile {
    /// A certificate authority, root or intermediate.
    Ca {
        /// How many intermediate CAs may follow this one (`None`: no limit).
        path_len: Option<u8>,
    },
    /// An agency that issues electronic licences.
    LicenceIssuer,
    /// An electronic seal: stamps documents on behalf of an organisation.
    Seal,
    /// A seal-making authority: makes GB/T 38540 seals (extendedKeyUsage
    /// [`super::role::Role::SealMaker`]).
    SealMaker,
    /// Signs trust lists of licence issuers (extendedKeyUsage
    /// [`super::role::Role::TrustListSigner`]).
    TrustListSigner,
    /// A time-stamping authority (RFC 3161 §2.3): extendedKeyUsage id-kp-timeStamping
    /// alone, critical.
    Tsa,
}

impl Profile {
    /// True for CA profiles.
    pub fn is_ca(self) -> bool {
        matches!(self, Profile::Ca { .. })
    }

    /// The key usage bits of this profile.
    pub fn key_usage(self) -> KeyUsage {
        KeyUsage(match self {
            Profile::Ca { .. } => KeyUsages::KeyCertSign | KeyUsages::CRLSign,
            Profile::LicenceIssuer => KeyUsages::DigitalSignature.into(),
            Profile::Seal | Profile::SealMaker => {
                KeyUsages::DigitalSignature | KeyUsages::NonRepudiation
            }
            Profile::TrustListSigner => KeyUsages::DigitalSignature.into(),
            Profile::Tsa => KeyUsages::DigitalSignature | KeyUsages::NonRepudiation,
        })
    }

    /// Checks that a subject name carries what the profile needs: organisation and
    /// country always, the organisation identifier for seals and licence issuers.
    pub fn check_subject(self, name: &Name) -> Result<()> {
        let need = |oid, what: &str| {
            if attribute(name, oid).is_none_or(|v| v.trim().is_empty()) {
                Err(Error::InvalidInput(format!(
                    "the {self} profile needs a subject with {what}; subject is \"{name}\""
                )))
            } else {
                Ok(())
            }
        };
        need(OID_ORGANIZATION, "an organisation name (O)")?;
        need(OID_COUNTRY, "a country (C)")?;
        if !self.is_ca() {
            need(OID_ORGANIZATION_IDENTIFIER, "an organisation identifier (2.5.4.97)")?;
        }
        Ok(())
    }

    /// The extensions of a certificate of this profile.
    pub(crate) fn extensions(
        self,
        subject_key: &PublicKey,
        authority_key_id: [u8; 20],
    ) -> Result<Vec<Extension>> {
        let bc = match self {
            Profile::Ca { path_len } => {
                BasicConstraints { ca: true, path_len_constraint: path_len }
            }
            _ => BasicConstraints { ca: false, path_len_constraint: None },
        };
        let ski = SubjectKeyIdentifier(octets(&subject_key.key_identifier())?);
        let aki = AuthorityKeyIdentifier {
            key_identifier: Some(octets(&authority_key_id)?),
            authority_cert_issuer: None,
            authority_cert_serial_number: None,
        };
        let mut out = vec![
            extension(OID_BASIC_CONSTRAINTS, true, &bc)?,
            extension(OID_KEY_USAGE, true, &self.key_usage())?,
            extension(OID_SUBJECT_KEY_IDENTIFIER, false, &ski)?,
            extension(OID_AUTHORITY_KEY_IDENTIFIER, false, &aki)?,
        ];
        match self {
            Profile::SealMaker => out.push(super::role::Role::SealMaker.extension()?),
            Profile::TrustListSigner => out.push(super::role::Role::TrustListSigner.extension()?),
            Profile::Tsa => out.push(super::role::Role::TimeStamping.extension()?),
            _ => {}
        }
        Ok(out)
    }
}

fn octets(bytes: &[u8]) -> Result<OctetString> {
    OctetString::new(bytes).map_err(|e| Error::decode("extension", e))
}

/// An extension with the DER of `value` as its contents.
pub(crate) fn extension<T: Encode>(
    oid: ObjectIdentifier,
    critical: bool,
    value: &T,
) -> Result<Extension> {
    let der = value.to_der().map_err(|e| Error::decode("extension", e))?;
    Ok(Extension { extn_id: oid, critical, extn_value: octets(&der)? })
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Profile::Ca { path_len: Some(n) } => write!(f, "ca (pathLen {n})"),
            Profile::Ca { path_len: None } => f.write_str("ca"),
            Profile::LicenceIssuer => f.write_str("licence-issuer"),
            Profile::Seal => f.write_str("seal"),
            Profile::SealMaker => f.write_str("seal-maker"),
            Profile::TrustListSigner => f.write_str("trust-list-signer"),
            Profile::Tsa => f.write_str("tsa"),
        }
    }
}

impl FromStr for Profile {
    type Err = Error;

    fn from_str(s: &str) -> Result<Profile> {
        match s {
            "ca" => Ok(Profile::Ca { path_len: None }),
            "seal" => Ok(Profile::Seal),
            "seal-maker" => Ok(Profile::SealMaker),
            "trust-list-signer" => Ok(Profile::TrustListSigner),
            "tsa" => Ok(Profile::Tsa),
            "licence-issuer" | "license-issuer" => Ok(Profile::LicenceIssuer),
            other => Err(Error::InvalidInput(format!(
                "unknown profile {other:?} (expected seal, seal-maker, licence-issuer, trust-list-signer, tsa or ca)"
            ))),
        }
    }
}
