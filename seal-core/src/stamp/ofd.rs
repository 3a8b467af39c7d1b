//! Verifying stamped OFD documents (GB/T 33190), the format of Chinese electronic licences.
//!
//! An OFD file is a zip package. `OFD.xml` names each document's `Signatures.xml`, which
//! lists the signatures; each `Signature.xml` names its `SignedValue` (an `SES_Signature`)
//! and lists, under `References`, every signed part of the package with its digest. A stamp
//! is intact when its signature verifies, its `dataHash` equals the hash of its
//! `Signature.xml`, and every listed digest matches the part in the package; the document
//! passes only if, besides, the stamp covers what a reader shows (`coverage`). The
//! package itself must read the same in every reader (`package`).

mod coverage;
mod package;
mod stamping;
mod xml;

pub use stamping::{StampOptions, Stamped, stage};

use std::collections::HashSet;
use std::path::Path;

use base64ct::Encoding as _;

use self::package::Package;
use self::xml::{element_attrs, elements_text, normalize, references};
use crate::digest::HashAlg;
use crate::error::{Error, Result, ResultExt};
use crate::seal::{Stamp, check_stamp};
use crate::time::UnixTime;
use crate::verify::{CheckOutcome, Report, SignatureReport, SubIndication, Trust};

/// The most signatures read from one document's signature list.
const MAX_SIGNATURES: usize = 256;

/// One listed signature, once checked: its report, the parts its references name, and the
/// document body it belongs to.
struct Checked {
    report: SignatureReport,
    body: usize,
    covered: Option<HashSet<String>>,
}

/// Verifies every signature of an OFD file.
pub fn verify(path: &Path, trust: &Trust, at: UnixTime) -> Result<Report> {
    let mut pkg = Package::open(path).in_file(path)?;
    let ofd_xml = pkg.read_text("OFD.xml").in_file(path)?;
    let bodies = xml::doc_bodies(&ofd_xml);
    let mut lists: Vec<(usize, String)> = bodies
        .iter()
        .enumerate()
        .filter_map(|(i, b)| b.signatures.clone().map(|s| (i, s)))
        .collect();
    if lists.is_empty() {
        // Some producers omit the reference; fall back to the conventional names.
        lists = pkg
            .files()
            .iter()
            .filter(|n| n.ends_with("Signatures.xml"))
            .map(|n| (0, n.clone()))
            .collect();
    }
    let mut signature_parts: HashSet<String> = lists.iter().map(|(_, l)| l.clone()).collect();
    let mut checked = Vec::new();
    for (body, index) in lists {
        let xml = pkg.read_text(&index).in_file(path)?;
        let base = index.rsplit_once('/').map_or("", |(dir, _)| dir).to_owned();
        let listed = element_attrs(&xml, "Signature");
        if listed.len() > MAX_SIGNATURES {
            return Err(Error::decode(
                "OFD package",
                format!(
                    "{index} lists {} signatures; at most {MAX_SIGNATURES} are read",
                    listed.len()
                ),
            ))
            .in_file(path);
        }
        let mut seen = HashSet::new();
        for attrs in listed {
            let get = |key: &str| attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
            let Some(loc) = get("BaseLoc") else { continue };
            let sig_path = normalize(&loc, &base);
            if !seen.insert(sig_path.clone()) {
                return Err(Error::decode(
                    "OFD package",
                    format!("{index} lists the signature {loc} more than once"),
                ))
                .in_file(path);
            }
            let id = get("ID").unwrap_or_default();
            let kind = get("Type").unwrap_or_else(|| "Seal".into());
            let (report, covered) =
                verify_one(&mut pkg, &sig_path, &id, &kind, trust, at, &mut signature_parts);
            checked.push(Checked { report, body, covered });
        }
    }
    // Whether each document body has a stamp of its own covering its Document.xml.
    let body_stamped: Vec<bool> = bodies
        .iter()
        .enumerate()
        .map(|(i, b)| {
            checked.iter().any(|c| {
                c.body == i
                    && b.doc_root
                        .as_ref()
                        .is_some_and(|r| c.covered.as_ref().is_some_and(|s| s.contains(r)))
            })
        })
        .collect();
    let scope = coverage::Package {
        files: pkg.files(),
        signature_parts: &signature_parts,
        bodies: &bodies,
        body_stamped: &body_stamped,
        allow_metadata: trust.policy.allow_ofd_metadata,
    };
    let reports = checked
        .into_iter()
        .map(|mut c| {
            if let Some(covered) = &c.covered {
                c.report.push(coverage::check(&scope, c.body, covered));
            }
            c.report
        })
        .collect();
    Ok(Report::new(path.display().to_string(), at, reports))
}

/// Checks one listed signature; adds its signature parts to `signature_parts` and returns,
/// beside the report, the parts its references name (when it got that far).
fn verify_one(
    pkg: &mut Package,
    sig_path: &str,
    id: &str,
    kind: &str,
    trust: &Trust,
    at: UnixTime,
    signature_parts: &mut HashSet<String>,
) -> (SignatureReport, Option<HashSet<String>>) {
    signature_parts.insert(sig_path.to_owned());
    let dir = sig_path.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
    let mut report = SignatureReport::new(
        format!("{dir} (ID {id}, {kind})"),
        "OFD signature, GB/T 38540 SES_Signature",
    );
    let sig_xml = match pkg.read(sig_path) {
        Ok(b) => b,
        Err(e) => {
            report.push(CheckOutcome::failed(
                "format",
                SubIndication::FormatFailure,
                format!("{sig_path}: {e}"),
            ));
            return (report, None);
        }
    };
    let text = String::from_utf8_lossy(&sig_xml).into_owned();
    let Some(value_loc) = elements_text(&text, "SignedValue").into_iter().next() else {
        report.push(CheckOutcome::failed(
            "format",
            SubIndication::FormatFailure,
            format!("{sig_path} names no SignedValue"),
        ));
        return (report, None);
    };
    let value_path = normalize(&value_loc, &dir);
    signature_parts.insert(value_path.clone());
    for seal in elements_text(&text, "BaseLoc") {
        signature_parts.insert(normalize(&seal, &dir));
    }
    let value = match pkg.read(&value_path) {
        Ok(v) => v,
        Err(e) => {
            report.push(CheckOutcome::failed(
                "format",
                SubIndication::FormatFailure,
                format!("{value_path}: {e}"),
            ));
            return (report, None);
        }
    };
    let stamp = match Stamp::from_der(&value) {
        Ok(s) => s,
        Err(_) if crate::stamp::cms::is_cms(&value) => {
            return digital_signature(pkg, sig_path, &sig_xml, &value, report, trust, at);
        }
        Err(e) => {
            let sub = if kind == "Sign" {
                "a digital signature that is neither an SES_Signature nor a GB/T 35275 \
                 SignedData (a bare signature value names no signer: nothing to check it with)"
            } else {
                "not an SES_Signature"
            };
            report.push(CheckOutcome::indeterminate(
                "format",
                SubIndication::FormatFailure,
                format!("{value_path}: {sub}: {e}"),
            ));
            return (report, None);
        }
    };
    report.format = format!("OFD signature, SES_Signature v{}", stamp.version.number());
    check_stamp(&stamp, trust, at, &mut report);

    // dataHash = hash(Signature.xml), and propertyInfo names it.
    let alg = match stamp.data_hash_alg() {
        Ok(alg) => alg,
        Err(e) => {
            report.push(CheckOutcome::indeterminate(
                "data-hash",
                SubIndication::CryptoConstraintsFailure,
                e.to_string(),
            ));
            return (report, None);
        }
    };
    let actual = alg.hash(&sig_xml);
    if stamp.data_hash == actual {
        report.push(CheckOutcome::passed(
            "data-hash",
            format!("dataHash is the {} of {sig_path}", alg.name()),
        ));
    } else {
        report.push(CheckOutcome::failed(
            "data-hash",
            SubIndication::HashFailure,
            format!("dataHash does not match the {} of {sig_path}: the signature description was changed after stamping", alg.name()),
        ));
    }
    if normalize(&stamp.property_info, "") != normalize(sig_path, "") {
        report.push(CheckOutcome::failed(
            "data-hash",
            SubIndication::HashFailure,
            format!("the stamp covers \"{}\", not {sig_path}", stamp.property_info),
        ));
    }

    let how = format!("{} of", alg.name());
    let covered = check_references(pkg, &text, sig_path, &how, &mut report);
    (report, covered)
}

/// The References of a signature description: every listed part's digest, and the parts
/// they name; `how` says how the signature covers the description (for the report).
fn check_references(
    pkg: &mut Package,
    text: &str,
    sig_path: &str,
    how: &str,
    report: &mut SignatureReport,
) -> Option<HashSet<String>> {
    // Every listed part's digest.
    let method = element_attrs(text, "References")
        .into_iter()
        .next()
        .and_then(|a| a.into_iter().find(|(k, _)| k == "CheckMethod").map(|(_, v)| v))
        .unwrap_or_else(|| "SM3".into());
    let Some(ref_alg) = HashAlg::from_check_method(&method) else {
        report.push(CheckOutcome::indeterminate(
            "references",
            SubIndication::CryptoConstraintsFailure,
            format!("unknown CheckMethod {method:?}"),
        ));
        return None;
    };
    let refs = references(text);
    let covered: HashSet<String> = refs.iter().map(|(f, _)| normalize(f, "")).collect();
    let mut names: Vec<&String> = covered.iter().collect();
    names.sort();
    report.covers = format!(
        "{how} {sig_path}, which lists the {} digests of {} package parts: {}",
        ref_alg.name(),
        covered.len(),
        coverage::list(names)
    );
    if refs.is_empty() {
        report.push(CheckOutcome::failed(
            "references",
            SubIndication::FormatFailure,
            "no signed parts are listed",
        ));
    }
    let mut bad = Vec::new();
    for (file_ref, check_value) in &refs {
        let part = normalize(file_ref, "");
        let expected = base64ct::Base64::decode_vec(check_value.trim()).unwrap_or_default();
        match pkg.hash(&part, ref_alg) {
            Ok(d) if d[..] == expected[..] => {}
            Ok(_) => bad.push(format!("{part} was changed")),
            Err(e) => bad.push(format!("{part}: {e}")),
        }
    }
    if bad.is_empty() {
        report.push(CheckOutcome::passed(
            "references",
            format!("{} signed parts match their {} digests", refs.len(), ref_alg.name()),
        ));
    } else {
        report.push(CheckOutcome::failed("references", SubIndication::HashFailure, bad.join("; ")));
    }
    Some(covered)
}

/// A GB/T 35275 digital signature (`Type="Sign"`): an SM2 SignedData, detached, over the
/// signature description; then its References, as for a seal.
fn digital_signature(
    pkg: &mut Package,
    sig_path: &str,
    sig_xml: &[u8],
    value: &[u8],
    mut report: SignatureReport,
    trust: &Trust,
    at: UnixTime,
) -> (SignatureReport, Option<HashSet<String>>) {
    use crate::stamp::cms::{Detached, verify_signed_data};
    let ctx = Detached {
        id: report.id.clone(),
        format: "OFD digital signature, GB/T 35275 SignedData",
        covers: format!("{sig_path} ({} bytes)", sig_xml.len()),
        claimed_time: None,
        purpose: crate::pki::path::Purpose::Seal,
    };
    let mut digest_of = |h: HashAlg| Ok(h.hash(sig_xml));
    // Detached over the description, or (as some provincial systems write it) holding the
    // description's digest as its content, signed without attributes.
    let attached = crate::stamp::cms::encapsulated_content(value).ok().flatten();
    let verified = match &attached {
        None => verify_signed_data(value, &ctx, &mut digest_of, trust, at),
        Some(content) => {
            crate::stamp::cms::verify_attached(&ctx.id, value, trust, at).map(|(mut reports, _)| {
                let sm3 = HashAlg::sm3().map(|h| h.hash(sig_xml)).ok();
                for r in &mut reports {
                    r.format = ctx.format.to_owned();
                    if Some(content) == sm3.as_ref() {
                        r.push(CheckOutcome::passed(
                            "data-hash",
                            format!("the SignedData holds the SM3 of {sig_path} as its content"),
                        ));
                    } else if content[..] == *sig_xml {
                        r.push(CheckOutcome::passed(
                            "data-hash",
                            format!("the SignedData holds {sig_path} as its content"),
                        ));
                    } else {
                        r.push(CheckOutcome::failed(
                            "data-hash",
                            SubIndication::HashFailure,
                            format!(
                                "the SignedData's content is neither {sig_path} nor its SM3: the \
                                 description was changed after signing"
                            ),
                        ));
                    }
                }
                reports
            })
        }
    };
    match verified {
        Ok(mut inner) if inner.len() == 1 => {
            let inner = inner.remove(0);
            let (id, covers) = (report.id.clone(), report.covers.clone());
            report = inner;
            report.id = id;
            report.covers = covers;
        }
        Ok(inner) => {
            report.push(CheckOutcome::failed(
                "format",
                SubIndication::FormatFailure,
                format!("the SignedData has {} signers; a digital signature has one", inner.len()),
            ));
            return (report, None);
        }
        Err(e) => {
            report.push(CheckOutcome::failed(
                "format",
                SubIndication::FormatFailure,
                format!("{sig_path}'s signed value: {e}"),
            ));
            return (report, None);
        }
    }
    let text = String::from_utf8_lossy(sig_xml).into_owned();
    let how = match attached {
        None => "the SignedData's message-digest of",
        Some(_) => "the SignedData's content, the SM3 of",
    };
    let covered = check_references(pkg, &text, sig_path, how, &mut report);
    (report, covered)
}
