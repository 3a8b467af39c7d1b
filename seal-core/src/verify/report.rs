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
            SubIndication::SigCryptoFailure => "SIG_CRYPTO_FAILURE",
            SubIndication::TryLater => "TRY_LATER",
        })
    }
}
