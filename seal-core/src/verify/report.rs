//! Indications and sub-indications of ETSI EN 319 102-1 §5.1.3.

use std::fmt;

/// The main status of a validation (ETSI EN 319 102-1 Table 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "SCREAMING-KEBAB-CASE")]
pub enum Indication {
    /// Every check passed.
    TotalPassed,
    /// The checks could not conclude: information is missing or out of date.
    Indeterminate,
    /// A check failed: the signature or certificate must not be trusted.
    TotalFailed,
}

impl fmt::Display for Indication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Indication::TotalPassed => "TOTAL-PASSED",
            Indication::Indeterminate => "INDETERMINATE",
            Indication::TotalFailed => "TOTAL-FAILED",
        })
    }
}

/// Why a validation did not pass (ETSI EN 319 102-1 Tables 6 and 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum SubIndication {
    /// The certificate chain is broken in a way no other sub-indication names (e.g. a
    /// certificate's signature does not verify with its issuer's key).
    CertificateChainGeneralFailure,
    /// A constraint on the certificate chain failed (basicConstraints, pathLen, keyUsage,
    /// an unknown critical extension).
    ChainConstraintsFailure,
    /// An algorithm or key size is not allowed.
    CryptoConstraintsFailure,
    /// The signing certificate expired before the validation time.
    Expired,
    /// The structure could not be parsed or is not allowed by the format.
    FormatFailure,
    /// The signed data's hash does not match.
    HashFailure,
    /// No chain from the certificate to a trust anchor could be built.
    NoCertificateChainFound,
    /// The certificate is not yet valid at the validation time.
    NotYetValid,
    /// The certificate is revoked.
    Revoked,
    /// The electronic seal itself is invalid.
    SealInvalid,
    /// An attribute of the signature breaks a validation constraint (e.g. a claimed
    /// signing time after the validation time, or outside the signer's certificate).
    SigConstraintsFailure,
    /// A signature does not verify with the key it claims.
    SigCryptoFailure,
    /// Revocation information is missing or not fresh: try again with newer information.
    TryLater,
}

impl fmt::Display for SubIndication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SubIndication::CertificateChainGeneralFailure => "CERTIFICATE_CHAIN_GENERAL_FAILURE",
            SubIndication::ChainConstraintsFailure => "CHAIN_CONSTRAINTS_FAILURE",
            SubIndication::CryptoConstraintsFailure => "CRYPTO_CONSTRAINTS_FAILURE",
            SubIndication::Expired => "EXPIRED",
            SubIndication::FormatFailure => "FORMAT_FAILURE",
            SubIndication::HashFailure => "HASH_FAILURE",
            SubIndication::NoCertificateChainFound => "NO_CERTIFICATE_CHAIN_FOUND",
            SubIndication::NotYetValid => "NOT_YET_VALID",
            SubIndication::Revoked => "REVOKED",
            SubIndication::SealInvalid => "SEAL_INVALID",
            SubIndication::SigConstraintsFailure => "SIG_CONSTRAINTS_FAILURE",
            SubIndication::SigCryptoFailure => "SIG_CRYPTO_FAILURE",
            SubIndication::TryLater => "TRY_LATER",
        })
    }
}

/// The outcome of one check inside a signature's validation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CheckOutcome {
    /// What was checked, e.g. `signature`, `data-hash`, `seal-signature`, `signer-chain`.
    pub check: &'static str,
    /// The indication of this check alone.
    pub indication: Indication,
    /// Why, when not passed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_indication: Option<SubIndication>,
    /// What was found, for people.
    pub detail: String,
}

impl CheckOutcome {
    /// A passed check.
    pub fn passed(check: &'static str, detail: impl Into<String>) -> CheckOutcome {
        CheckOutcome {
            check,
            indication: Indication::TotalPassed,
            sub_indication: None,
            detail: detail.into(),
        }
    }

    /// A failed check.
    pub fn failed(
        check: &'static str,
        sub: SubIndication,
        detail: impl Into<String>,
    ) -> CheckOutcome {
        CheckOutcome::with(check, (Indication::TotalFailed, Some(sub)), detail)
    }

    /// A check that could not conclude.
    pub fn indeterminate(
        check: &'static str,
        sub: SubIndication,
        detail: impl Into<String>,
    ) -> CheckOutcome {
        CheckOutcome::with(check, (Indication::Indeterminate, Some(sub)), detail)
    }

    /// An outcome with the given indication and sub-indication.
    pub fn with(
        check: &'static str,
        level: (Indication, Option<SubIndication>),
        detail: impl Into<String>,
    ) -> CheckOutcome {
        CheckOutcome { check, indication: level.0, sub_indication: level.1, detail: detail.into() }
    }
}

/// Who signed, from the signer's certificate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SignerIdentity {
    /// Subject (RFC 4514).
    pub subject: String,
    /// Organisation identifier (2.5.4.97), if present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_identifier: Option<String>,
    /// Serial number in hex.
    pub serial: String,
    /// Issuer (RFC 4514).
    pub issuer: String,
}

impl SignerIdentity {
    /// The identity in a certificate.
    pub fn of(cert: &x509_cert::Certificate) -> SignerIdentity {
        let tbs = cert.tbs_certificate();
        SignerIdentity {
            subject: crate::pki::display_name(tbs.subject()),
            organization_identifier: crate::pki::attribute(
                tbs.subject(),
                crate::pki::OID_ORGANIZATION_IDENTIFIER,
            ),
            serial: crate::keys::hex(tbs.serial_number().as_bytes()),
            issuer: crate::pki::display_name(tbs.issuer()),
        }
    }
}

/// The electronic seal a signature was made with.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SealIdentity {
    /// The seal's name.
    pub name: String,
    /// The seal's unique id (esID).
    pub id: String,
    /// GB/T 38540 v4 or GM/T 0031 v1.
    pub version: u32,
    /// The seal system vendor id.
    pub vendor: String,
    /// Who made the seal (maker certificate subject).
    pub maker: String,
    /// Start of the seal's validity.
    pub valid_start: String,
    /// End of the seal's validity.
    pub valid_end: String,
}

/// The validation of one signature (one stamp).
#[derive(Debug, Clone, serde::Serialize)]
pub struct SignatureReport {
    /// Which signature in the document, e.g. `Doc_0/Signs/Sign_0` or the stamp file name.
    pub id: String,
    /// The format, e.g. `GB/T 38540 SES_Signature v4`, `JWS (RFC 7515)`.
    pub format: String,
    /// The overall indication: the worst of the checks.
    pub indication: Indication,
    /// Why, when not passed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_indication: Option<SubIndication>,
    /// Who signed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<SignerIdentity>,
    /// The seal used, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seal: Option<SealIdentity>,
    /// The signing time the signature claims.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_time: Option<String>,
    /// The earliest time a valid timestamp proves the signature existed at; the signer's
    /// certificate is judged at this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proven_time: Option<String>,
    /// The signature algorithm.
    pub algorithm: String,
    /// What the signature covers, e.g. "SHA-256 of invoice.pdf (52311 bytes)".
    pub covers: String,
    /// Every check made, in order.
    pub checks: Vec<CheckOutcome>,
}

impl SignatureReport {
    /// A report with no checks yet.
    pub fn new(id: impl Into<String>, format: impl Into<String>) -> SignatureReport {
        SignatureReport {
            id: id.into(),
            format: format.into(),
            indication: Indication::TotalPassed,
            sub_indication: None,
            signer: None,
            seal: None,
            signing_time: None,
            proven_time: None,
            algorithm: String::new(),
            covers: String::new(),
            checks: Vec::new(),
        }
    }

    /// Adds a check and updates the overall indication (the worst one wins; among equals,
    /// the first).
    pub fn push(&mut self, outcome: CheckOutcome) {
        if outcome.indication > self.indication {
            self.indication = outcome.indication;
            self.sub_indication = outcome.sub_indication;
        }
        self.checks.push(outcome);
    }

    /// True if every check passed.
    pub fn is_valid(&self) -> bool {
        self.indication == Indication::TotalPassed
    }
}

/// The validation of a file: every signature found in it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// The file verified.
    pub file: String,
    /// The worst indication over all signatures (INDETERMINATE if there are none).
    pub indication: Indication,
    /// The sub-indication that goes with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_indication: Option<SubIndication>,
    /// The validation time.
    pub at: crate::time::UnixTime,
    /// One entry per signature.
    pub signatures: Vec<SignatureReport>,
}

impl Report {
    /// A report for `file` from its signatures' reports.
    pub fn new(
        file: impl Into<String>,
        at: crate::time::UnixTime,
        signatures: Vec<SignatureReport>,
    ) -> Report {
        let worst = signatures.iter().max_by_key(|s| s.indication);
        let (indication, sub_indication) = match worst {
            Some(s) => (s.indication, s.sub_indication),
            None => (Indication::Indeterminate, Some(SubIndication::FormatFailure)),
        };
        Report { file: file.into(), indication, sub_indication, at, signatures }
    }

    /// True if there is at least one signature and all passed.
    pub fn is_valid(&self) -> bool {
        self.indication == Indication::TotalPassed
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.sub_indication {
            Some(sub) => writeln!(f, "{}: {} ({sub})", self.file, self.indication)?,
            None => writeln!(f, "{}: {}", self.file, self.indication)?,
        }
        if self.signatures.is_empty() {
            writeln!(f, "  no signature found")?;
        }
        for s in &self.signatures {
            match s.sub_indication {
                Some(sub) => writeln!(f, "  {} [{}]: {} ({sub})", s.id, s.format, s.indication)?,
                None => writeln!(f, "  {} [{}]: {}", s.id, s.format, s.indication)?,
            }
            if let Some(signer) = &s.signer {
                writeln!(f, "    signer:  {}", signer.subject)?;
            }
            if let Some(seal) = &s.seal {
                writeln!(
                    f,
                    "    seal:    \"{}\" (id {}, v{}, made by {})",
                    seal.name, seal.id, seal.version, seal.maker
                )?;
            }
            if let Some(t) = &s.signing_time {
                writeln!(f, "    time:    {t}")?;
            }
            if let Some(t) = &s.proven_time {
                writeln!(f, "    proven:  {t} (a timestamp proves the signature existed then)")?;
            }
            writeln!(f, "    covers:  {}", s.covers)?;
            for c in &s.checks {
                let mark = match c.indication {
                    Indication::TotalPassed => "ok  ",
                    Indication::Indeterminate => "??  ",
                    Indication::TotalFailed => "FAIL",
                };
                writeln!(f, "    {mark} {}: {}", c.check, c.detail)?;
            }
        }
        Ok(())
    }
}
