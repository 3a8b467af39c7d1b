//! Detached stamps of any file: a GB/T 38540 `SES_Signature` whose `dataHash` is the
//! hash of the file (SM3 for SM2 keys, SHA-256 otherwise: `seal::data_hash_alg`) and whose
//! `propertyInfo` is the file's name.
//!
//! The file is hashed in fixed-size chunks, so memory does not grow with its size.

use std::path::Path;

use crate::error::{Error, Result};
use crate::pki::Certificate;
use crate::seal::{Seal, Stamp, check_stamp, data_hash_alg, make_stamp_timestamped};
use crate::time::UnixTime;
use crate::verify::{CheckOutcome, SignatureReport, SubIndication, Trust};

use super::StampKey;

/// Stamps a file: returns the DER `SES_Signature`.
pub fn stamp_file(path: &Path, key: &StampKey<'_>, time: UnixTime) -> Result<Vec<u8>> {
    stamp_file_timestamped(path, key, time, None)
}

/// [`stamp_file`], with the stamp's `timeStamp` from `timestamper` when given.
pub fn stamp_file_timestamped(
    path: &Path,
    key: &StampKey<'_>,
    time: UnixTime,
    timestamper: Option<&dyn crate::tsp::Timestamper>,
) -> Result<Vec<u8>> {
    let alg = data_hash_alg(key.signer.algorithm())?;
    let (digest, _) = alg.hash_file(path)?;
    let digest: [u8; 32] = digest
        .try_into()
        .map_err(|_| Error::InvalidInput(format!("{} is not 32 bytes", alg.name())))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    // propertyInfo is an IA5String: keep the name if it is ASCII, else say what it is.
    let property = if name.is_ascii() && !name.is_empty() { name } else { "file".to_owned() };
    make_stamp_timestamped(key.seal, &digest, &property, time, (key.signer, key.cert), timestamper)
}

/// Verifies a detached `SES_Signature` (`sig`, DER) against the file at `path`.
pub fn verify_file(
    path: &Path,
    sig: &[u8],
    trust: &Trust,
    at: UnixTime,
) -> Result<SignatureReport> {
    let stamp = Stamp::from_der(sig)?;
    let mut report = SignatureReport::new(
        format!("stamp on {}", path.display()),
        format!("GB/T 38540 SES_Signature v{} (detached)", stamp.version.number()),
    );
    let alg = stamp.data_hash_alg()?;
    let (digest, size) = alg.hash_file(path)?;
    report.covers = format!(
        "{} of {} ({size} bytes), named \"{}\" in the stamp",
        alg.name(),
        path.display(),
        stamp.property_info
    );
    check_stamp(&stamp, trust, at, &mut report);
    if stamp.data_hash == digest {
        report.push(CheckOutcome::passed(
            "data-hash",
            format!("the file's {} matches the stamp", alg.name()),
        ));
    } else {
        report.push(CheckOutcome::failed(
            "data-hash",
            SubIndication::HashFailure,
            format!("the file's {} does not match the stamp: the file was changed, or the stamp is for another file", alg.name()),
        ));
    }
    Ok(report)
}

/// Finds the holder certificate in `seal` that belongs to `signer`'s key.
pub fn holder_for(seal: &Seal, key: &crate::keys::PublicKey) -> Result<Certificate> {
    seal.holder_certificates()
        .into_iter()
        .find(|c| crate::pki::certificate_key(c).is_ok_and(|k| &k == key))
        .ok_or_else(|| {
            Error::KeyMismatch(format!(
                "the key is not the key of any holder of seal \"{}\" (pass the holder's certificate)",
                seal.name
            ))
        })
}
