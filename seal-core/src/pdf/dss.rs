//! The document security store (/DSS, ETSI EN 319 142-1 §5.4.2; ISO 32000-2 §12.8.4.3):
//! the certificates, CRLs and OCSP responses that let a PDF's signatures be validated
//! later, offline, each in a stream of its own, and per signature a /VRI entry naming
//! those it needs.
//!
//! Reading takes what can be read as untrusted candidates: a certificate helps build paths,
//! a CRL or response counts only once its signature is checked. Writing appends an update
//! that keeps every existing entry and adds the new ones once.

use der::Decode;

use super::file::{PdfFile, Source};
use super::object::{Dict, Object, Ref};
use super::update::{Writer, first_free};
use crate::digest::HashAlg;
use crate::error::Result;
use crate::pki::validation_data::ValidationData;
use crate::pki::{Certificate, Crl, ocsp::OcspResponse};

/// At most this many items of each kind are read.
const MAX_ITEMS: usize = 1000;

/// The DER in the streams of the /DSS array `key` (Certs, CRLs or OCSPs), with their refs.
fn items<S: Source>(pdf: &PdfFile<S>, dss: &Dict, key: &str) -> Vec<(Option<Ref>, Vec<u8>)> {
    let Ok(Object::Array(list)) = pdf.get_key(dss, key) else { return Vec::new() };
    list.iter()
        .take(MAX_ITEMS)
        .filter_map(|item| match pdf.resolve(item).ok()? {
            Object::Stream(s) => Some((item.as_ref(), pdf.stream_data(&s, true).ok()?)),
            _ => None,
        })
        .collect()
}

/// The catalog's /DSS dictionary, if there is one.
fn store<S: Source>(pdf: &PdfFile<S>, cat: &Dict) -> Option<Dict> {
    match pdf.get_key(cat, "DSS") {
        Ok(Object::Dict(d)) => Some(d),
        _ => None,
    }
}

/// What a document's /DSS holds, read leniently: items that cannot be read are left out.
#[derive(Debug, Default)]
pub(crate) struct Stored {
    pub(crate) certs: Vec<Certificate>,
    pub(crate) crls: Vec<Crl>,
    pub(crate) ocsp: Vec<OcspResponse>,
}

impl Stored {
    pub(crate) fn read<S: Source>(pdf: &PdfFile<S>, cat: &Dict) -> Stored {
        let Some(dss) = store(pdf, cat) else { return Stored::default() };
        let der = |key| items(pdf, &dss, key).into_iter().map(|(_, d)| d);
        Stored {
            certs: der("Certs").filter_map(|d| Certificate::from_der(&d).ok()).collect(),
            crls: der("CRLs").filter_map(|d| Crl::from_der(&d).ok()).collect(),
            ocsp: der("OCSPs").filter_map(|d| OcspResponse::from_der(&d).ok()).collect(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.certs.is_empty() && self.crls.is_empty() && self.ocsp.is_empty()
    }
}

/// The /VRI key of a signature (ETSI EN 319 142-1 §5.4.2.3): the uppercase hex SHA-1 of
/// its /Contents string, zero padding included, as Adobe and pyHanko compute it.
pub(crate) fn vri_key(contents: &[u8]) -> String {
    crate::keys::hex(&HashAlg::Sha1.hash(contents)).to_uppercase()
}

/// What an update to the DSS adds.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct Added {
    /// Certificates added.
    pub certs: usize,
    /// CRLs added.
    pub crls: usize,
    /// OCSP responses added.
    pub ocsp: usize,
    /// /VRI entries written.
    pub vri: usize,
}

/// An incremental update adding `data` to the document's /DSS (creating it), and a /VRI
/// entry for each `(vri key, data)` of `vri`. Items already stored are not repeated.
pub(crate) fn update<S: Source>(
    pdf: &PdfFile<S>,
    data: &ValidationData,
    vri: &[(String, ValidationData)],
) -> Result<(Vec<u8>, Added)> {
    let (root, mut cat) = super::catalog(pdf)?;
    let old = store(pdf, &cat).unwrap_or_default();
    let mut next = first_free(pdf)?;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let mut w = Writer::new(pdf)?;
    let mut added = Added::default();
    let mut dss = old.clone();
    dss.set("Type", Object::name("DSS"));
    // Each kind: the stored items (kept as they are), then the new ones, each once.
    let kinds: [(&str, &Vec<Vec<u8>>, &mut usize); 3] = [
        ("Certs", &data.certs, &mut added.certs),
        ("CRLs", &data.crls, &mut added.crls),
        ("OCSPs", &data.ocsp, &mut added.ocsp),
    ];
    let mut refs: Vec<Vec<(Vec<u8>, Ref)>> = Vec::new();
    for (key, new, count) in kinds {
        let stored = items(pdf, &old, key);
        let mut list: Vec<Object> = match pdf.get_key(&old, key) {
            Ok(Object::Array(a)) => a,
            _ => Vec::new(),
        };
        let mut known: Vec<(Vec<u8>, Ref)> =
            stored.into_iter().filter_map(|(r, d)| Some((d, r?))).collect();
        for der in new {
            if known.iter().any(|(d, _)| d == der) {
                continue;
            }
            let r = alloc();
            w.stream(r, &Dict::new(), der);
            list.push(Object::Ref(r));
            known.push((der.clone(), r));
            *count += 1;
        }
        if !list.is_empty() {
            dss.set(key, Object::Array(list));
        }
        refs.push(known);
    }
    if !vri.is_empty() {
        let mut table = match pdf.get_key(&old, "VRI") {
            Ok(Object::Dict(d)) => d,
            _ => Dict::new(),
        };
        for (key, need) in vri {
            let mut entry = Dict::new();
            entry.set("Type", Object::name("VRI"));
            for ((name, list), known) in
                [("Cert", &need.certs), ("CRL", &need.crls), ("OCSP", &need.ocsp)]
                    .into_iter()
                    .zip(&refs)
            {
                let arr: Vec<Object> = list
                    .iter()
                    .filter_map(|der| known.iter().find(|(d, _)| d == der))
                    .map(|(_, r)| Object::Ref(*r))
                    .collect();
                if !arr.is_empty() {
                    entry.set(name, Object::Array(arr));
                }
            }
            let r = alloc();
            w.object(r, &Object::Dict(entry));
            table.set(key, Object::Ref(r));
            added.vri += 1;
        }
        dss.set("VRI", Object::Dict(table));
    }
    // An indirect /DSS is rewritten in place; a direct one (or none) becomes indirect.
    match cat.get("DSS").and_then(Object::as_ref) {
        Some(r) => w.object(r, &Object::Dict(dss)),
        None => {
            let r = alloc();
            w.object(r, &Object::Dict(dss));
            cat.set("DSS", Object::Ref(r));
            w.object(root, &Object::Dict(cat));
        }
    }
    Ok((w.finish(pdf, next), added))
}
