//! Verification results shared by every format.
//!
//! Results follow ETSI EN 319 102-1 §5.1.3: a main [`Indication`] (TOTAL-PASSED,
//! TOTAL-FAILED, INDETERMINATE) and a [`SubIndication`] saying why.

pub mod report;

pub use report::{
    CheckOutcome, Indication, Report, SealIdentity, SignatureReport, SignerIdentity, SubIndication,
};
