//! Validation data: what a signature needs so that it can be checked years later, offline
//! (ETSI EN 319 102-1 §5.6; the /DSS of PAdES B-LT, ETSI EN 319 142-1 §5.4): every
//! certificate of its signer's chain and of its timestamps' TSAs' chains, up to a trust
//! anchor, and for each certificate below the anchor a CRL or OCSP response from its
//! issuer that says it was not revoked.
//!
//! Nothing is fetched: the CRLs and OCSP responses come from the caller ([`Sources`]), as
//! a CA publishes them (`seal ca crl`, `seal ca ocsp`). A certificate with none is an
//! error naming it, so that a B-LT document is never written without what B-LT promises.

use der::Encode;
use der::referenced::OwnedToRef;

use super::ocsp::{self, OcspResponse};
use super::revocation::{self, RevocationStatus};
use super::{Certificate, Crl, certificate_key, name::display_name};
use crate::error::{Error, Result};
use crate::time::UnixTime;

/// Where validation data is looked for.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Certificates to build chains from: issuing CAs and trust anchors.
    pub certs: Vec<Certificate>,
    /// CRLs.
    pub crls: Vec<Crl>,
    /// OCSP responses, used before CRLs.
    pub ocsp: Vec<OcspResponse>,
}

/// The validation data of one or more signatures, each item once.
#[derive(Debug, Clone, Default)]
pub struct ValidationData {
    /// Certificates, DER.
    pub certs: Vec<Vec<u8>>,
    /// CRLs, DER.
    pub crls: Vec<Vec<u8>>,
    /// OCSP responses (`OCSPResponse`), DER.
    pub ocsp: Vec<Vec<u8>>,
}

fn add(list: &mut Vec<Vec<u8>>, der: Vec<u8>) {
    if !list.contains(&der) {
        list.push(der);
    }
}

impl ValidationData {
    /// Adds everything of `other` not yet here.
    pub fn merge(&mut self, other: &ValidationData) {
        for c in &other.certs {
            add(&mut self.certs, c.clone());
        }
        for c in &other.crls {
            add(&mut self.crls, c.clone());
        }
        for o in &other.ocsp {
            add(&mut self.ocsp, o.clone());
        }
    }

    /// True if there is nothing.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty() && self.crls.is_empty() && self.ocsp.is_empty()
    }
}

/// The longest chain followed (a loop or a hostile bundle stops here).
const MAX_CHAIN: usize = 10;

/// Gathers the validation data of the chains of `leaves` (a signer's certificate, its
/// TSAs'), with `carried` (the certificates the signature carries) and `sources`, for the
/// status at `at`. Each chain ends at a self-signed certificate; every certificate below
/// it needs a CRL or OCSP response from its issuer, usable at `at`, that says it was not
/// revoked. For a signature being made.
pub fn gather(
    leaves: &[Certificate],
    carried: &[Certificate],
    sources: &Sources,
    at: UnixTime,
) -> Result<ValidationData> {
    let mut out = ValidationData::default();
    let mut done = Vec::new();
    for leaf in leaves {
        chain(leaf, carried, sources, at, true, &mut out, &mut done)?;
    }
    Ok(out)
}

/// [`gather`] for signatures made earlier, whose certificates may since have expired or
/// been revoked: what can be found is gathered (a CRL listing a revocation too), and what
/// cannot is said, one line per leaf.
pub fn gather_available(
    leaves: &[Certificate],
    carried: &[Certificate],
    sources: &Sources,
    at: UnixTime,
) -> (ValidationData, Vec<String>) {
    let mut out = ValidationData::default();
    let mut missing = Vec::new();
    let mut done = Vec::new();
    for leaf in leaves {
        if let Err(e) = chain(leaf, carried, sources, at, false, &mut out, &mut done) {
            missing.push(e.to_string());
        }
    }
    (out, missing)
}

/// Follows `leaf`'s chain up, adding what each link needs. `done` holds the DER of the
/// certificates whose chain up is already in `out` (chains share their upper links).
fn chain(
    leaf: &Certificate,
    carried: &[Certificate],
    sources: &Sources,
    at: UnixTime,
    strict: bool,
    out: &mut ValidationData,
    done: &mut Vec<Vec<u8>>,
) -> Result<()> {
    let pool: Vec<&Certificate> = carried.iter().chain(sources.certs.iter()).collect();
    let mut cert = leaf;
    for _ in 0..MAX_CHAIN {
        let der = der_of(cert)?;
        if done.contains(&der) {
            break;
        }
        add(&mut out.certs, der.clone());
        done.push(der);
        if self_signed(cert) {
            break;
        }
        let issuer = pool.iter().copied().find(|c| issued(cert, c)).ok_or_else(|| {
            Error::InvalidInput(format!(
                "the chain of \"{}\" stops at \"{}\": its issuer \"{}\" is not among the \
                 certificates given (give the CA certificates with --chain or --trust)",
                subject(leaf),
                subject(cert),
                display_name(cert.tbs_certificate().issuer())
            ))
        })?;
        revocation_of(cert, issuer, sources, at, strict, out)?;
        cert = issuer;
    }
    Ok(())
}

/// Adds the OCSP response or CRL that says `cert` was not revoked at `at`.
fn revocation_of(
    cert: &Certificate,
    issuer: &Certificate,
    sources: &Sources,
    at: UnixTime,
    strict: bool,
    out: &mut ValidationData,
) -> Result<()> {
    if let Some((response, status)) = ocsp::usable(cert, issuer, &sources.ocsp, at) {
        if strict {
            refuse_revoked(cert, &status)?;
        }
        add(&mut out.ocsp, response.to_response_der());
        for c in response.certificates() {
            add(&mut out.certs, der_of(c)?);
        }
        return Ok(());
    }
    let crl = revocation::best_crl(cert, issuer, &sources.crls, at).map_err(|why| {
        Error::InvalidInput(format!(
            "no revocation data for \"{}\": {why} (give its issuer's CRL with --crl or an OCSP \
             response with --ocsp)",
            subject(cert)
        ))
    })?;
    let status = revocation::status_in(cert, crl, at);
    if strict {
        refuse_revoked(cert, &status)?;
    }
    if let (true, RevocationStatus::Stale { next_update, .. }) = (strict, status) {
        return Err(Error::InvalidInput(format!(
            "the newest CRL from \"{}\" is out of date (nextUpdate {}): publish a new one",
            display_name(cert.tbs_certificate().issuer()),
            next_update.map_or_else(|| "none".to_string(), |t| t.to_string())
        )));
    }
    add(&mut out.crls, crl.to_der().map_err(|e| Error::decode("CRL", e))?);
    Ok(())
}

fn refuse_revoked(cert: &Certificate, status: &RevocationStatus) -> Result<()> {
    if let RevocationStatus::Revoked { date, source, .. } = status {
        return Err(Error::InvalidInput(format!(
            "\"{}\" was revoked on {date} ({source}): its signatures cannot be given long-term \
             validation data",
            subject(cert)
        )));
    }
    Ok(())
}

fn subject(cert: &Certificate) -> String {
    display_name(cert.tbs_certificate().subject())
}

fn der_of(cert: &Certificate) -> Result<Vec<u8>> {
    cert.to_der().map_err(|e| Error::decode("certificate", e))
}

/// Where a chain ends: a certificate that names itself as its issuer (names and key
/// identifiers; its own signature says nothing a verifier does not decide by trusting it).
fn self_signed(cert: &Certificate) -> bool {
    super::path::issued_by(cert, cert)
}

/// True if `issuer`'s name and key identifier match `cert`'s issuer and its key verifies
/// `cert`'s signature.
fn issued(cert: &Certificate, issuer: &Certificate) -> bool {
    if !super::path::issued_by(cert, issuer) {
        return false;
    }
    let Ok(key) = certificate_key(issuer) else { return false };
    let Ok(tbs) = cert.tbs_certificate().to_der() else { return false };
    let alg = cert.signature_algorithm().owned_to_ref();
    key.verify_x509(&tbs, &alg, cert.signature().raw_bytes()).is_ok()
}
