//! Verifying licences: one (`verify`), a stream with the issuers fixed (`Verifier`, a
//! scanner at a border post) and a registry export on all cores (`verify_many`). Each
//! licence gets the same checks and the same answer in all three; the issuers' key ids
//! and chains are worked out once per verifier, not once per licence.
//!
//! Bulk verification checks each signature on its own. Ed25519 batch verification was
//! tried and dropped: its cofactored equation forgives torsion components that single
//! verification refuses, and refusing them first (a scalar multiplication per signature)
//! cost more than the batch saved (1,000 licences: 130 ms batched with the checks, 87 ms
//! one by one, on two cores).

use std::sync::OnceLock;

use super::cose::{Sign1, alg_name};

use super::{Licence, cose_scheme, cose_verifies, decode, key_id, number};
use crate::error::Result;
use crate::pki::path::PathReport;
use crate::pki::{self, Certificate};
use crate::time::UnixTime;
use crate::verify::{
    CheckOutcome, SignatureReport, SignerIdentity, SubIndication, Trust, push_path,
};

/// The issuer certificates with their key ids.
struct Issuers<'a> {
    certs: &'a [Certificate],
    kids: Vec<Option<[u8; 8]>>,
}

impl<'a> Issuers<'a> {
    fn new(certs: &'a [Certificate]) -> Issuers<'a> {
        Issuers { certs, kids: certs.iter().map(|c| key_id(c).ok()).collect() }
    }

    /// The issuers whose key id is `kid` (ids can collide: all are tried), with their index.
    fn with_kid(&self, kid: &[u8]) -> Vec<(usize, &'a Certificate)> {
        let certs = self.certs;
        self.kids
            .iter()
            .enumerate()
            .filter(|(_, k)| k.is_some_and(|k| k[..] == kid[..]))
            .map(|(i, _)| (i, &certs[i]))
            .collect()
    }
}

/// The issuer chain of a licence-issuer certificate.
fn chain(cert: &Certificate, trust: &Trust, at: UnixTime) -> PathReport {
    let opts = pki::path::Options::for_trust(pki::path::Purpose::LicenceIssuer, trust);
    pki::path::validate_with(cert, &trust.intermediates, &trust.anchors, &trust.crls, at, &opts)
}

/// Verifies a licence (COSE bytes) against issuer certificates (found by `kid`), the trust
/// anchors and CRLs, at `at`.
pub fn verify(
    cose: &[u8],
    issuers: &[Certificate],
    trust: &Trust,
    at: UnixTime,
) -> Result<(Licence, SignatureReport)> {
    let (sign1, licence, ordered) = decode(cose)?;
    let issuers = Issuers::new(issuers);
    let report =
        check(&sign1, &licence, ordered, &issuers, &|i| chain(&issuers.certs[i], trust, at), at);
    Ok((licence, report))
}

/// A verifier for a stream of licences (a scanner at a border post): the issuers, the
/// trust and the time are fixed, and each issuer's key id and chain are worked out once.
pub struct Verifier<'a> {
    issuers: Issuers<'a>,
    trust: &'a Trust,
    at: UnixTime,
    chains: Vec<OnceLock<PathReport>>,
}

impl<'a> Verifier<'a> {
    /// A verifier for licences from `issuers`, checked against `trust` at `at`.
    pub fn new(issuers: &'a [Certificate], trust: &'a Trust, at: UnixTime) -> Verifier<'a> {
        let chains = issuers.iter().map(|_| OnceLock::new()).collect();
        Verifier { issuers: Issuers::new(issuers), trust, at, chains }
    }

    /// Verifies one licence (COSE bytes); the same checks as [`verify`].
    pub fn verify(&self, cose: &[u8]) -> Result<(Licence, SignatureReport)> {
        let (sign1, licence, ordered) = decode(cose)?;
        let report = check(&sign1, &licence, ordered, &self.issuers, &|i| self.chain(i), self.at);
        Ok((licence, report))
    }

    fn chain(&self, i: usize) -> PathReport {
        self.chains[i].get_or_init(|| chain(&self.issuers.certs[i], self.trust, self.at)).clone()
    }
}

/// Verifies many licences (a registry export) on all cores, each with the checks of
/// [`verify`]; issuer chains are validated once per issuer.
pub fn verify_many(
    coses: &[Vec<u8>],
    issuers: &[Certificate],
    trust: &Trust,
    at: UnixTime,
) -> Vec<Result<(Licence, SignatureReport)>> {
    let verifier = Verifier::new(issuers, trust, at);
    crate::par::map_indexed(coses, |_, c| verifier.verify(c))
}

/// Every check of one licence. `ordered` says whether its claims are in deterministic
/// key order; `chains` gives the chain result of issuer `i` (cached when verifying many).
fn check(
    sign1: &Sign1,
    licence: &Licence,
    ordered: bool,
    issuers: &Issuers<'_>,
    chains: &(dyn Fn(usize) -> PathReport + Sync),
    at: UnixTime,
) -> SignatureReport {
    let mut report = SignatureReport::new(
        licence.number.clone(),
        "licence: COSE_Sign1 (RFC 9052), CWT (RFC 8392)",
    );
    report.covers = format!(
        "the {} licence {} of {}",
        licence.licence_type, licence.number, licence.holder.name
    );
    report.signing_time = Some(licence.issued.to_string());
    let kid = sign1.key_id();
    report.algorithm = match sign1.algorithm() {
        Some(a) => match cose_scheme(a) {
            Some((scheme, _)) => scheme.to_string(),
            None => format!("unsupported {}", alg_name(a)),
        },
        None => "no COSE algorithm".to_owned(),
    };
    // Every certificate carrying this kid is tried (kids can collide).
    let candidates = issuers.with_kid(kid);
    if candidates.is_empty() {
        report.push(CheckOutcome::indeterminate(
            "issuer",
            SubIndication::NoCertificateChainFound,
            format!("no known issuer has key id {}", crate::keys::hex(kid)),
        ));
        return report;
    }
    let signer = candidates.into_iter().find(|(_, cert)| cose_verifies(sign1, cert));
    let Some((index, cert)) = signer else {
        report.push(CheckOutcome::failed(
            "signature",
            SubIndication::SigCryptoFailure,
            "the signature does not verify with any issuer key of that key id: the licence was changed",
        ));
        return report;
    };
    report.signer = Some(SignerIdentity::of(cert));
    report.push(CheckOutcome::passed(
        "signature",
        format!("{} signature verifies", report.algorithm),
    ));
    report.push(CheckOutcome::passed(
        "encoding",
        if ordered {
            "deterministic CBOR (RFC 8949 §4.2.1): one item, no key twice, shortest forms, \
             sorted keys"
        } else {
            "CBOR with one meaning: one item, no key twice, shortest forms; its map keys are not \
             in deterministic order (RFC 8949 §4.2.1), which was accepted: the order carries no \
             meaning"
        },
    ));
    if let Err(e) = number::verify(&licence.number) {
        report.push(CheckOutcome::failed("number", SubIndication::FormatFailure, e.to_string()));
    }
    if at < licence.valid_from {
        report.push(CheckOutcome::failed(
            "validity",
            SubIndication::NotYetValid,
            format!("valid from {}", licence.valid_from),
        ));
    } else if at > licence.valid_until {
        report.push(CheckOutcome::failed(
            "validity",
            SubIndication::Expired,
            format!("expired on {}", licence.valid_until),
        ));
    } else {
        report.push(CheckOutcome::passed(
            "validity",
            format!("valid from {} to {}", licence.valid_from, licence.valid_until),
        ));
    }
    push_path(&mut report, "issuer-chain", &chains(index));
    report
}
