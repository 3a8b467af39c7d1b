//! Trust lists (which issuers a verifier accepts, for which licence types and regions) and
//! status lists (which licences an issuer has revoked), both signed COSE_Sign1 documents
//! with a sequence number and a next-update time, so that a stale or replayed list is
//! noticed.
//!
//! - A trust list is signed by a root authority; its certificate travels in the protected
//!   header (`x5chain`, RFC 9360) and must chain to the verifier's trust anchors. Several
//!   lists may be loaded at once (mutual recognition between regions).
//! - A status list is signed by the licence issuer itself (found by `kid`) and is a bit
//!   string, zlib-compressed: bit `i` set means the licence whose `status_index` is `i` is
//!   revoked.

use base64ct::{Base64, Encoding};

use super::{Licence, cbor, cose, cose_verifies, decode_cose, key_id, sign_cose};
use crate::error::{Error, Result};
use crate::keys::{Signer, hex};
use crate::pki::role::{self, Role};
use crate::pki::{self, Certificate, path};
use crate::time::UnixTime;
use crate::verify::{CheckOutcome, Indication, SignatureReport, SubIndication, Trust, push_path};

/// An issuer in a trust list, and what it may issue.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ListedIssuer {
    /// The issuer's certificate, DER in base64.
    pub certificate: String,
    /// Regions it issues for (empty: any).
    #[serde(default)]
    pub regions: Vec<String>,
    /// Licence types it may issue.
    pub licence_types: Vec<String>,
}

/// The content of a trust list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TrustListBody {
    /// The list's name, e.g. `VN national licence issuers`.
    pub name: String,
    /// Increases with every new list; a lower number than one seen before is a replay.
    pub sequence: u64,
    /// When it was issued.
    pub issued: UnixTime,
    /// After this, the list is stale.
    pub next_update: UnixTime,
    /// The issuers.
    pub issuers: Vec<ListedIssuer>,
}

/// A status list's content.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StatusListBody {
    /// Increases with every new list.
    pub sequence: u64,
    /// When it was issued.
    pub issued: UnixTime,
    /// After this, the list is stale.
    pub next_update: UnixTime,
    /// How many entries.
    pub size: u64,
    /// zlib of the bit string, base64.
    pub bits: String,
}

/// A list's content in deterministic CBOR (RFC 8949 §4.2.1).
fn to_cbor<T: serde::Serialize>(v: &T) -> Result<Vec<u8>> {
    let value = serde_json::to_value(v).map_err(|e| Error::decode("list (CBOR)", e))?;
    Ok(cbor::encode(&cbor::deterministic(cbor::from_json(&value))))
}

/// A list's content, read as strictly as a licence: one item, no key twice, shortest forms.
fn from_cbor<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    let value = cbor::to_json(&cbor::strict(bytes, "list (CBOR)")?)
        .map_err(|e| Error::decode("list (CBOR)", e))?;
    serde_json::from_value(value).map_err(|e| Error::decode("list (CBOR)", e))
}

/// Signs a trust list with the root authority's key.
pub fn sign_trust_list(
    body: &TrustListBody,
    signer: &dyn Signer,
    cert: &Certificate,
) -> Result<Vec<u8>> {
    for i in &body.issuers {
        let der = Base64::decode_vec(&i.certificate)
            .map_err(|e| Error::decode("trust list issuer", e))?;
        pki::certificates_from_bytes(&der)?;
        if i.licence_types.is_empty() {
            return Err(Error::InvalidInput(
                "every listed issuer needs at least one licence type".into(),
            ));
        }
    }
    if body.next_update <= body.issued {
        return Err(Error::InvalidInput("next_update must come after issued".into()));
    }
    sign_cose(to_cbor(body)?, signer, cert, true)
}

/// A trust list after checking: its content, the parsed issuer certificates, and how the
/// checks went.
#[derive(Debug, Clone)]
pub struct TrustList {
    /// The content.
    pub body: TrustListBody,
    /// The issuers' certificates, in the order of `body.issuers`.
    pub certificates: Vec<Certificate>,
    /// The checks of the list itself.
    pub report: SignatureReport,
}

impl TrustList {
    /// The key of this list in a replay state: its name and its signer's subject, so that
    /// a list re-signed under a renewed key keeps its floor.
    pub fn replay_key(&self) -> String {
        let signer = self.report.signer.as_ref().map_or("", |s| s.subject.as_str());
        format!("trust-list {} / {signer}", self.body.name)
    }
}

/// Opens and checks a trust list: its signature, its signer's chain to the anchors at
/// `at`, freshness, and that its sequence is not below `min_sequence`.
pub fn open_trust_list(
    cose: &[u8],
    trust: &Trust,
    at: UnixTime,
    min_sequence: u64,
) -> Result<TrustList> {
    let sign1 = decode_cose(cose)?;
    let body: TrustListBody = from_cbor(sign1.payload().unwrap_or_default())?;
    let mut report = SignatureReport::new(
        format!("trust list \"{}\" #{}", body.name, body.sequence),
        "trust list: COSE_Sign1",
    );
    report.covers = format!("{} issuers", body.issuers.len());
    let mut signer_cert: Option<Certificate> = None;
    let signer = sign1
        .protected
        .value(cose::X5CHAIN)
        .and_then(cbor::Cbor::as_bytes)
        .and_then(|der| pki::certificates_from_bytes(der).ok())
        .and_then(|mut v| v.pop());
    match signer {
        None => report.push(CheckOutcome::failed(
            "signature",
            SubIndication::FormatFailure,
            "no signer certificate (x5chain)",
        )),
        Some(cert) => {
            report.signer = Some(crate::verify::SignerIdentity::of(&cert));
            if cose_verifies(&sign1, &cert) {
                report.push(CheckOutcome::passed("signature", "the list's signature verifies"));
            } else {
                report.push(CheckOutcome::failed(
                    "signature",
                    SubIndication::SigCryptoFailure,
                    "the list's signature does not verify: it was changed",
                ));
            }
            let opts = path::Options::for_trust(path::Purpose::Any, trust);
            let p = path::validate_with(
                &cert,
                &trust.intermediates,
                &trust.anchors,
                &trust.crls,
                at,
                &opts,
            );
            push_path(&mut report, "list-signer-chain", &p);
            report.push(list_signer_role(&cert, trust));
            signer_cert = Some(cert);
        }
    }
    freshness(&mut report, body.issued, body.next_update, body.sequence, min_sequence, at);
    let mut certificates = Vec::new();
    for i in &body.issuers {
        let der = Base64::decode_vec(&i.certificate)
            .map_err(|e| Error::decode("trust list issuer", e))?;
        certificates.extend(pki::certificates_from_bytes(&der)?.into_iter().take(1));
    }
    // An issuer never vouches for itself: a list naming its own signer is refused.
    if let Some(signer) = &signer_cert {
        let key = pki::certificate_key(signer).ok();
        let own = certificates
            .iter()
            .any(|c| role::same_certificate(c, signer) || pki::certificate_key(c).ok() == key);
        if own {
            report.push(CheckOutcome::failed(
                "list-signer-role",
                SubIndication::ChainConstraintsFailure,
                "the list's signer is one of the issuers it lists: an issuer cannot vouch for \
                 itself",
            ));
        }
    }
    Ok(TrustList { body, certificates, report })
}

/// A trust list is signed by an authority the verifier names for lists: one of its trust
/// anchors, a signer it lists (`Trust::list_signers`), or a certificate carrying the
/// trust-list-signer role; never by whatever merely chains to a root.
fn list_signer_role(cert: &Certificate, trust: &Trust) -> CheckOutcome {
    let named = |list: &[Certificate]| list.iter().any(|c| role::same_certificate(c, cert));
    let who = pki::display_name(cert.tbs_certificate().subject());
    if named(&trust.anchors) {
        CheckOutcome::passed("list-signer-role", format!("signed by the trust anchor \"{who}\""))
    } else if named(&trust.list_signers) {
        CheckOutcome::passed(
            "list-signer-role",
            format!("signed by \"{who}\", a list signer the verifier names"),
        )
    } else if role::has_role(cert, Role::TrustListSigner) {
        CheckOutcome::passed(
            "list-signer-role",
            format!(
                "\"{who}\" carries the trust-list-signer role ({})",
                Role::TrustListSigner.oid()
            ),
        )
    } else {
        CheckOutcome::failed(
            "list-signer-role",
            SubIndication::ChainConstraintsFailure,
            format!(
                "\"{who}\" may not sign trust lists: it is not a trust anchor, the verifier names \
                 it as no list signer (--list-signer), and its certificate lacks the \
                 trust-list-signer role ({})",
                Role::TrustListSigner.oid()
            ),
        )
    }
}

fn freshness(
    report: &mut SignatureReport,
    issued: UnixTime,
    next_update: UnixTime,
    seq: u64,
    min_seq: u64,
    at: UnixTime,
) {
    if seq < min_seq {
        report.push(CheckOutcome::failed(
            "replay",
            SubIndication::FormatFailure,
            format!("sequence {seq} is older than {min_seq}, already seen: a replayed list"),
        ));
    }
    if at < issued {
        report.push(CheckOutcome::indeterminate(
            "freshness",
            SubIndication::TryLater,
            format!("issued in the future ({issued})"),
        ));
    } else if at > next_update {
        report.push(CheckOutcome::indeterminate(
            "freshness",
            SubIndication::TryLater,
            format!("stale: its next update was due {next_update}; fetch the current list"),
        ));
    } else {
        report.push(CheckOutcome::passed(
            "freshness",
            format!("issued {issued}, next update {next_update}"),
        ));
    }
}

/// Makes a status list: `revoked` are the status indices of revoked licences.
pub fn sign_status_list(
    revoked: &[u64],
    size: u64,
    sequence: u64,
    issued: UnixTime,
    next_update: UnixTime,
    signer: &dyn Signer,
    cert: &Certificate,
) -> Result<Vec<u8>> {
    if size > 16 * 1024 * 1024 {
        return Err(Error::InvalidInput("a status list holds at most 16,777,216 entries".into()));
    }
    let mut bits = vec![0u8; size.div_ceil(8) as usize];
    for &i in revoked {
        if i >= size {
            return Err(Error::InvalidInput(format!(
                "status index {i} is outside the list (size {size})"
            )));
        }
        bits[(i / 8) as usize] |= 0x80 >> (i % 8);
    }
    let compressed = super::zlib::deflate(&bits);
    let body = StatusListBody {
        sequence,
        issued,
        next_update,
        size,
        bits: Base64::encode_string(&compressed),
    };
    sign_cose(to_cbor(&body)?, signer, cert, false)
}

/// A status list after checking its signature (by the issuer, found by key id).
#[derive(Debug, Clone)]
pub struct StatusList {
    /// The content.
    pub body: StatusListBody,
    /// The issuer key id it is for.
    pub kid: Vec<u8>,
    /// Lists below this sequence are replays ([`super::replay::ReplayState`] raises it).
    pub min_sequence: u64,
    bits: Vec<u8>,
    signature_ok: bool,
}

/// Opens a status list; its signature is checked against `issuers` by key id.
pub fn open_status_list(cose: &[u8], issuers: &[Certificate]) -> Result<StatusList> {
    let sign1 = decode_cose(cose)?;
    let body: StatusListBody = from_cbor(sign1.payload().unwrap_or_default())?;
    let kid = sign1.key_id().to_vec();
    let signature_ok = issuers
        .iter()
        .filter(|c| key_id(c).is_ok_and(|k| k[..] == kid[..]))
        .any(|c| cose_verifies(&sign1, c));
    let compressed = Base64::decode_vec(&body.bits).map_err(|e| Error::decode("status list", e))?;
    let (bits, _) = super::zlib::inflate(&compressed, 2 << 20, "status list (zlib)")?;
    if (bits.len() as u64) < body.size.div_ceil(8) {
        return Err(Error::decode("status list", "fewer bits than its size"));
    }
    Ok(StatusList { body, kid, min_sequence: 0, bits, signature_ok })
}

impl StatusList {
    /// The key of this issuer's status lists in a replay state: its key id.
    pub fn replay_key(&self) -> String {
        format!("status-list {}", hex(&self.kid))
    }

    /// True if the list's signature verified with the issuer's key.
    pub fn signature_ok(&self) -> bool {
        self.signature_ok
    }

    /// True if entry `i` is set (revoked).
    pub fn is_revoked(&self, i: u64) -> Option<bool> {
        (i < self.body.size).then(|| self.bits[(i / 8) as usize] & (0x80 >> (i % 8)) != 0)
    }
}

/// Verifies a licence against trust lists and status lists: the checks of
/// [`super::verify`], plus that every list is sound, that the issuer is listed for the
/// licence's type (and region), and that the licence is not revoked.
pub fn verify_licence(
    cose: &[u8],
    lists: &[TrustList],
    statuses: &[StatusList],
    trust: &Trust,
    at: UnixTime,
) -> Result<(Licence, SignatureReport)> {
    let issuers: Vec<Certificate> =
        lists.iter().flat_map(|l| l.certificates.iter().cloned()).collect();
    let (licence, mut report) = super::verify(cose, &issuers, trust, at)?;
    let Some(signer) = report.signer.clone() else { return Ok((licence, report)) };
    // Which list entry names the signing certificate?
    let entry = lists.iter().find_map(|l| {
        l.certificates
            .iter()
            .zip(&l.body.issuers)
            .find(|(c, _)| {
                crate::keys::hex(c.tbs_certificate().serial_number().as_bytes()) == signer.serial
                    && pki::display_name(c.tbs_certificate().subject()) == signer.subject
            })
            .map(|(c, e)| (l, c, e))
    });
    let Some((list, cert, entry)) = entry else { return Ok((licence, report)) };
    for c in &list.report.checks {
        if c.indication != Indication::TotalPassed {
            report.push(CheckOutcome { check: "trust-list", ..c.clone() });
        }
    }
    if list.report.is_valid() {
        report.push(CheckOutcome::passed(
            "trust-list",
            format!("issuer listed in \"{}\" #{}", list.body.name, list.body.sequence),
        ));
    }
    if entry.licence_types.iter().any(|t| t == &licence.licence_type) {
        report.push(CheckOutcome::passed(
            "licence-type",
            format!("the issuer may issue {}", licence.licence_type),
        ));
    } else {
        report.push(CheckOutcome::failed(
            "licence-type",
            SubIndication::ChainConstraintsFailure,
            format!(
                "the issuer may issue {} only, not {}",
                entry.licence_types.join(", "),
                licence.licence_type
            ),
        ));
    }
    if licence.region.is_none() && !entry.regions.is_empty() {
        report.push(CheckOutcome::failed(
            "licence-type",
            SubIndication::ChainConstraintsFailure,
            format!(
                "the issuer may issue for {} only, and the licence names no region",
                entry.regions.join(", ")
            ),
        ));
    }
    if let Some(region) = &licence.region
        && !entry.regions.is_empty()
        && !entry.regions.contains(region)
    {
        report.push(CheckOutcome::failed(
            "licence-type",
            SubIndication::ChainConstraintsFailure,
            format!("the issuer may issue for {} only, not {region}", entry.regions.join(", ")),
        ));
    }
    // Revocation by status list.
    if let Some(index) = licence.status_index {
        let kid = key_id(cert)?;
        match statuses.iter().filter(|s| s.kid[..] == kid[..]).max_by_key(|s| s.body.sequence) {
            None => report.push(CheckOutcome::indeterminate(
                "revocation",
                SubIndication::TryLater,
                format!("no status list from issuer {} was supplied", hex(&kid)),
            )),
            Some(s) if !s.signature_ok => report.push(CheckOutcome::failed(
                "revocation",
                SubIndication::SigCryptoFailure,
                "the status list's signature does not verify with the issuer's key",
            )),
            Some(s) => {
                let before = report.checks.len();
                freshness(
                    &mut report,
                    s.body.issued,
                    s.body.next_update,
                    s.body.sequence,
                    s.min_sequence,
                    at,
                );
                for c in &mut report.checks[before..] {
                    c.check = "revocation";
                }
                match s.is_revoked(index) {
                    Some(true) => report.push(CheckOutcome::failed(
                        "revocation",
                        SubIndication::Revoked,
                        format!("entry {index} of status list #{} is set", s.body.sequence),
                    )),
                    Some(false) => report.push(CheckOutcome::passed(
                        "revocation",
                        format!("not revoked in status list #{}", s.body.sequence),
                    )),
                    None => report.push(CheckOutcome::failed(
                        "revocation",
                        SubIndication::FormatFailure,
                        format!("status index {index} is outside the list"),
                    )),
                }
            }
        }
    }
    Ok((licence, report))
}
