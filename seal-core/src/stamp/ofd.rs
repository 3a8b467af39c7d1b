//! Verifying stamped OFD documents (GB/T 33190), the format of Chinese electronic licences.
//!
//! An OFD file is a zip package. `OFD.xml` names each document's `Signatures.xml`, which
//! lists the signatures; each `Signature.xml` names its `SignedValue` (an `SES_Signature`)
//! and lists, under `References`, every signed part of the package with its digest. A stamp
//! is intact when its signature verifies, its `dataHash` equals the hash of its
//! `Signature.xml`, and every listed digest matches the part in the package.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::digest::HashAlg;
use crate::error::{Error, Result, ResultExt};
use crate::keys::Algorithm;
use crate::seal::{Stamp, check_stamp};
use crate::time::UnixTime;
use crate::verify::{CheckOutcome, Report, SignatureReport, SubIndication, Trust};

/// The largest package part read into memory (XML and signature files); larger parts are
/// only ever streamed through a hash.
const MAX_PART: u64 = 64 * 1024 * 1024;

/// What a package may inflate to in all (every part read or hashed, counted each time), so
/// that a package of parts sharing one huge deflate stream is refused in a moment.
const MAX_PACKAGE: u64 = 512 * 1024 * 1024;

/// The most a part may inflate per compressed byte (deflate reaches about 1:1000 only on
/// crafted or degenerate data; real OFD parts stay far below).
const MAX_RATIO: u64 = 200;

/// The most signatures read from one document's signature list.
const MAX_SIGNATURES: usize = 256;

/// Verifies every signature of an OFD file.
pub fn verify(path: &Path, trust: &Trust, at: UnixTime) -> Result<Report> {
    let file = File::open(path).in_file(path)?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| Error::decode("OFD package (zip)", e))
        .in_file(path)?;
    let mut pkg = Package { zip: &mut zip, inflated: 0 };
    let ofd_xml = pkg.read_text("OFD.xml").in_file(path)?;
    let mut index_paths: Vec<String> =
        elements_text(&ofd_xml, "Signatures").into_iter().map(|p| normalize(&p, "")).collect();
    if index_paths.is_empty() {
        // Some producers omit the reference; fall back to the conventional names.
        index_paths = pkg.names().into_iter().filter(|n| n.ends_with("Signatures.xml")).collect();
    }
    let mut reports = Vec::new();
    for index in index_paths {
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
        let mut seen = std::collections::HashSet::new();
        for attrs in listed {
            if let Some((_, loc)) = attrs.iter().find(|(k, _)| k == "BaseLoc")
                && !seen.insert(normalize(loc, &base))
            {
                return Err(Error::decode(
                    "OFD package",
                    format!("{index} lists the signature {loc} more than once"),
                ))
                .in_file(path);
            }
            let id =
                attrs.iter().find(|(k, _)| k == "ID").map(|(_, v)| v.clone()).unwrap_or_default();
            let kind = attrs
                .iter()
                .find(|(k, _)| k == "Type")
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| "Seal".into());
            let Some((_, loc)) = attrs.iter().find(|(k, _)| k == "BaseLoc") else { continue };
            let sig_path = normalize(loc, &base);
            reports.push(verify_one(&mut pkg, &sig_path, &id, &kind, trust, at));
        }
    }
    Ok(Report::new(path.display().to_string(), at, reports))
}

fn verify_one(
    pkg: &mut Package<'_>,
    sig_path: &str,
    id: &str,
    kind: &str,
    trust: &Trust,
    at: UnixTime,
) -> SignatureReport {
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
            return report;
        }
    };
    let text = String::from_utf8_lossy(&sig_xml).into_owned();
    let Some(value_loc) = elements_text(&text, "SignedValue").into_iter().next() else {
        report.push(CheckOutcome::failed(
            "format",
            SubIndication::FormatFailure,
            format!("{sig_path} names no SignedValue"),
        ));
        return report;
    };
    let value_path = normalize(&value_loc, &dir);
    let stamp = match pkg.read(&value_path).and_then(|der| Stamp::from_der(&der)) {
        Ok(s) => s,
        Err(e) => {
            let sub = if kind == "Sign" {
                "a digital signature (GB/T 35275 SignedData?), not an electronic seal: not checked"
            } else {
                "not an SES_Signature"
            };
            report.push(CheckOutcome::indeterminate(
                "format",
                SubIndication::FormatFailure,
                format!("{value_path}: {sub}: {e}"),
            ));
            return report;
        }
    };
    report.format = format!("OFD signature, SES_Signature v{}", stamp.version.number());
    report.covers = format!(
        "{} of {sig_path}, which lists the digests of the signed package parts",
        hash_for(&stamp).name()
    );
    check_stamp(&stamp, trust, at, &mut report);

    // dataHash = hash(Signature.xml), and propertyInfo names it.
    let alg = hash_for(&stamp);
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

    // Every listed part's digest.
    let method = element_attrs(&text, "References")
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
        return report;
    };
    let refs = references(&text);
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
    report
}

use base64ct::Encoding as _;

/// The hash of a stamp's `dataHash`: SM3 with SM2, SHA-256 with our algorithms.
pub(crate) fn hash_for(stamp: &Stamp) -> HashAlg {
    match stamp.signature_algorithm() {
        Ok(Algorithm::Sm2Sm3) | Err(_) => HashAlg::Sm3,
        Ok(_) => HashAlg::Sha256,
    }
}

struct Package<'a> {
    zip: &'a mut zip::ZipArchive<File>,
    /// Bytes inflated so far, against [`MAX_PACKAGE`].
    inflated: u64,
}

impl Package<'_> {
    fn names(&self) -> Vec<String> {
        self.zip.file_names().filter_map(|n| n.ok().map(|n| n.into_owned())).collect()
    }

    fn entry(&mut self, name: &str) -> Result<zip::read::ZipFile<'_, File>> {
        self.zip.by_name(name).map_err(|e| Error::decode("OFD package", format!("{name}: {e}")))
    }

    /// The bytes a part may still inflate to: its own bounds and what is left of the
    /// package's (`inflated` so far).
    fn budget(
        inflated: u64,
        name: &str,
        f: &zip::read::ZipFile<'_, File>,
        part_max: u64,
    ) -> Result<u64> {
        let too = |why: String| Err(Error::decode("OFD package", format!("{name}: {why}")));
        if f.size() > part_max {
            return too(format!("inflates to {} bytes, more than {part_max}", f.size()));
        }
        if f.size() > 1 << 20 && f.size() / f.compressed_size().max(1) > MAX_RATIO {
            return too(format!(
                "inflates {} bytes to {}: a compression ratio no real document part has (a \
                 zip bomb)",
                f.compressed_size(),
                f.size()
            ));
        }
        let left = MAX_PACKAGE.saturating_sub(inflated);
        if f.size() > left {
            return too(format!("the package inflates to more than {MAX_PACKAGE} bytes in all"));
        }
        Ok(f.size().min(part_max))
    }

    fn read(&mut self, name: &str) -> Result<Vec<u8>> {
        let inflated = self.inflated;
        let mut f = self.entry(name)?;
        let max = Package::budget(inflated, name, &f, MAX_PART)?;
        let mut out = Vec::with_capacity(max as usize);
        // The declared size may lie: never read past it.
        (&mut f)
            .take(max + 1)
            .read_to_end(&mut out)
            .map_err(|e| Error::decode("OFD package", format!("{name}: {e}")))?;
        if out.len() as u64 > max {
            return Err(Error::decode(
                "OFD package",
                format!("{name} inflates to more than it declares"),
            ));
        }
        drop(f);
        self.inflated += out.len() as u64;
        Ok(out)
    }

    fn read_text(&mut self, name: &str) -> Result<String> {
        String::from_utf8(self.read(name)?)
            .map_err(|_| Error::decode("OFD package", format!("{name} is not UTF-8")))
    }

    fn hash(&mut self, name: &str, alg: HashAlg) -> Result<Vec<u8>> {
        let inflated = self.inflated;
        let mut f = self.entry(name)?;
        let max = Package::budget(inflated, name, &f, MAX_PACKAGE)?;
        let (digest, n) = alg
            .hash_reader(&mut (&mut f).take(max + 1))
            .map_err(|e| Error::decode("OFD package", format!("{name}: {e}")))?;
        if n > max {
            return Err(Error::decode(
                "OFD package",
                format!("{name} inflates to more than it declares"),
            ));
        }
        drop(f);
        self.inflated += n;
        Ok(digest)
    }
}

/// A package path without a leading slash, resolved against `base` when relative.
fn normalize(p: &str, base: &str) -> String {
    let p = p.trim();
    let joined = if let Some(abs) = p.strip_prefix('/') {
        abs.to_owned()
    } else if base.is_empty() {
        p.to_owned()
    } else {
        format!("{base}/{p}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// The text of every element with local name `name`.
fn elements_text(xml: &str, name: &str) -> Vec<String> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut inside = false;
    let mut text = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if local(e.name().as_ref()) == name => {
                inside = true;
                text.clear();
            }
            Ok(Event::Text(t)) if inside => {
                text.push_str(&t);
            }
            Ok(Event::End(e)) if inside && local(e.name().as_ref()) == name => {
                inside = false;
                out.push(std::mem::take(&mut text));
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

/// The attributes of every element with local name `name`.
fn element_attrs(xml: &str, name: &str) -> Vec<Vec<(String, String)>> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) if local(e.name().as_ref()) == name => {
                let attrs = e
                    .attributes()
                    .flatten()
                    .map(|a| {
                        let key = local(a.key.as_ref()).to_owned();
                        let value = a
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map(|v| v.into_owned())
                            .unwrap_or_default();
                        (key, value)
                    })
                    .collect();
                out.push(attrs);
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

/// (FileRef, CheckValue) of every `Reference`.
fn references(xml: &str) -> Vec<(String, String)> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    let mut in_value = false;
    let mut value = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let n = local(e.name().as_ref()).to_owned();
                if n == "Reference" {
                    current = e
                        .attributes()
                        .flatten()
                        .find(|a| local(a.key.as_ref()) == "FileRef")
                        .and_then(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .ok()
                                .map(|v| v.into_owned())
                        });
                } else if n == "CheckValue" {
                    in_value = true;
                    value.clear();
                }
            }
            Ok(Event::Text(t)) if in_value => {
                value.push_str(&t);
            }
            Ok(Event::End(e)) => {
                let n = local(e.name().as_ref()).to_owned();
                if n == "CheckValue" {
                    in_value = false;
                    if let Some(f) = &current {
                        out.push((f.clone(), std::mem::take(&mut value)));
                    }
                } else if n == "Reference" {
                    current = None;
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve() {
        assert_eq!(
            normalize("/Doc_0/Signs/Sign_0/Signature.xml", "x"),
            "Doc_0/Signs/Sign_0/Signature.xml"
        );
        assert_eq!(
            normalize("Sign_0/Signature.xml", "Doc_0/Signs"),
            "Doc_0/Signs/Sign_0/Signature.xml"
        );
        assert_eq!(normalize("../Pages/P.xml", "Doc_0/Signs"), "Doc_0/Pages/P.xml");
    }
}
