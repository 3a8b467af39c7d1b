//! PDF stamping (PAdES baseline B-B, ETSI EN 319 142-1) with a visible seal, and PDF
//! verification that catches tampering.
//!
//! Stamping appends an incremental update (ISO 32000-1 §7.5.6): the original bytes are
//! copied unchanged, and a signature field, its widget (the seal's picture at its printed
//! size), the signature dictionary and a new cross-reference section are added. The CMS
//! signature (SubFilter `ETSI.CAdES.detached`, see [`crate::stamp::cms`]) covers every byte
//! except its own `/Contents` slot, whose size is computed, not guessed.
//!
//! The file is read object by object through its cross-reference chain ([`mod@file`]), and
//! copied and hashed in one pass, so memory stays flat whatever the document's size.
//!
//! Verification ([`verify`]) reports every signature with the shared report type, checks
//! that each `/ByteRange` covers a whole revision and exactly leaves out its own
//! `/Contents`, and compares each later revision with the signed one to tell later
//! signatures, form filling and annotations from content changes.
//!
//! ```no_run
//! use std::path::Path;
//! use seal_core::keys::PrivateKey;
//! use seal_core::pdf::{self, Appearance, StampOptions};
//! use seal_core::pki::load_certificate;
//! use seal_core::seal::Seal;
//! use seal_core::secret::PassphraseSource;
//! use seal_core::stamp::StampKey;
//! use seal_core::time::UnixTime;
//! use seal_core::verify::Trust;
//!
//! # fn main() -> seal_core::Result<()> {
//! let seal = Seal::from_der(&std::fs::read("agency.esl")?)?;
//! let key = PrivateKey::load(Path::new("agency.key"), &PassphraseSource::Env("PASS".into()))?;
//! let cert = load_certificate(Path::new("agency.pem"))?;
//! let stamp_key = StampKey { seal: &seal, signer: &key, cert: &cert, chain: &[] };
//! // Prepare the picture once, then stamp as many documents as needed.
//! let picture = Appearance::for_seal(&seal)?;
//! let opts = StampOptions { reason: Some("Approved".into()), ..Default::default() };
//! let now = UnixTime::now();
//! pdf::stamp(Path::new("contract.pdf"), Path::new("contract.stamped.pdf"), &stamp_key,
//!            &picture, &opts, now, false)?;
//!
//! let trust = Trust {
//!     anchors: vec![load_certificate(Path::new("root.pem"))?],
//!     intermediates: vec![],
//!     ..Trust::default()
//! };
//! let report = pdf::verify(Path::new("contract.stamped.pdf"), &trust, now)?;
//! println!("{report}");
//! # Ok(())
//! # }
//! ```
pub mod appearance;
mod diff;
mod dss;
pub use dss::Added;
pub mod file;
mod ltv;
pub mod object;
pub mod sample;
mod sign;
mod timestamp;
mod update;
mod verify;

use std::collections::HashSet;

pub use appearance::Appearance;
pub use ltv::{Extended, Level, LongTerm, extend};
pub use sign::{
    StampOptions, Stamped, stage_checked, stamp, stamp_checked, stamp_checked_to_vec, stamp_to_vec,
};
pub use timestamp::room as document_timestamp_room;
pub use verify::{verify, verify_bytes};

use crate::error::{Error, Result};
use file::{PdfFile, Source};
use object::{Dict, Object, Ref};

/// Certification (DocMDP, ISO 32000-1 §12.8.2.2): which changes the certifying signature
/// allows after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum DocMdp {
    /// P=1: no changes at all.
    NoChanges,
    /// P=2: filling in forms and signing.
    FormFilling,
    /// P=3: form filling, signing and annotations.
    Annotations,
}

impl DocMdp {
    /// The `/P` value.
    pub fn p(self) -> i64 {
        match self {
            DocMdp::NoChanges => 1,
            DocMdp::FormFilling => 2,
            DocMdp::Annotations => 3,
        }
    }

    /// From a `/P` value (missing or out of range means 2, as the spec says).
    pub fn from_p(p: Option<i64>) -> DocMdp {
        match p {
            Some(1) => DocMdp::NoChanges,
            Some(3) => DocMdp::Annotations,
            _ => DocMdp::FormFilling,
        }
    }
}

/// One page: its object, dictionary and (inherited) boxes.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    pub r: Ref,
    pub dict: Dict,
    /// The visible area: CropBox, else MediaBox, as [llx, lly, urx, ury].
    pub bbox: [f64; 4],
}

/// A field of the interactive form.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub r: Ref,
    pub dict: Dict,
    /// The fully qualified name.
    pub name: String,
    /// The field type, inherited.
    pub ft: Option<Vec<u8>>,
}

fn invalid(detail: impl std::fmt::Display) -> Error {
    Error::decode("PDF", detail)
}

/// The document's catalog, as its newest revision has it.
pub(crate) fn catalog<S: Source>(pdf: &PdfFile<S>) -> Result<(Ref, Dict)> {
    let trailer = pdf.trailer();
    if trailer.get("Encrypt").is_some() {
        return Err(Error::InvalidInput(
            "the PDF is encrypted; seal cannot stamp or check encrypted PDFs \
             (decrypt it first, e.g. qpdf --decrypt)"
                .into(),
        ));
    }
    let Some(root) = trailer.get("Root").and_then(Object::as_ref) else {
        return Err(invalid("the trailer has no /Root"));
    };
    match pdf.get(root)? {
        Object::Dict(d) => Ok((root, d)),
        other => Err(invalid(format!("the catalog is a {}, not a dictionary", other.kind()))),
    }
}

/// Every page, in order, walking the page tree (with its inherited boxes).
pub(crate) fn pages<S: Source>(pdf: &PdfFile<S>, catalog: &Dict) -> Result<Vec<Page>> {
    let Some(root) = catalog.get("Pages").and_then(Object::as_ref) else {
        return Err(invalid("the catalog has no /Pages"));
    };
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    walk_pages(pdf, root, None, None, &mut seen, &mut out, 0)?;
    if out.is_empty() {
        return Err(invalid("the document has no pages"));
    }
    Ok(out)
}

fn rect(o: &Object) -> Option<[f64; 4]> {
    match o {
        Object::Array(a) if a.len() == 4 => {
            let v: Vec<f64> = a.iter().filter_map(Object::as_f64).collect();
            (v.len() == 4).then(|| [v[0].min(v[2]), v[1].min(v[3]), v[0].max(v[2]), v[1].max(v[3])])
        }
        _ => None,
    }
}

fn walk_pages<S: Source>(
    pdf: &PdfFile<S>,
    node: Ref,
    media: Option<[f64; 4]>,
    crop: Option<[f64; 4]>,
    seen: &mut HashSet<Ref>,
    out: &mut Vec<Page>,
    depth: usize,
) -> Result<()> {
    if depth > 64 || !seen.insert(node) {
        return Err(invalid("the page tree loops"));
    }
    let Object::Dict(d) = pdf.get(node)? else {
        return Err(invalid(format!("page tree node {} is not a dictionary", node.num)));
    };
    let media = pdf
        .resolve(d.get("MediaBox").unwrap_or(&Object::Null))
        .ok()
        .and_then(|o| rect(&o))
        .or(media);
    let crop =
        pdf.resolve(d.get("CropBox").unwrap_or(&Object::Null)).ok().and_then(|o| rect(&o)).or(crop);
    if d.is("Type", "Pages") || (d.get("Kids").is_some() && !d.is("Type", "Page")) {
        let Object::Array(kids) = pdf.get_key(&d, "Kids")? else {
            return Err(invalid(format!("page tree node {} has no /Kids", node.num)));
        };
        for k in kids {
            let Some(k) = k.as_ref() else { continue };
            walk_pages(pdf, k, media, crop, seen, out, depth + 1)?;
        }
    } else {
        let bbox = crop.or(media).unwrap_or([0.0, 0.0, 612.0, 792.0]);
        out.push(Page { r: node, dict: d, bbox });
    }
    Ok(())
}

/// The fields of the interactive form (terminal fields, with inherited type and full name).
pub(crate) fn fields<S: Source>(pdf: &PdfFile<S>, catalog: &Dict) -> Result<Vec<Field>> {
    let acro = pdf.get_key(catalog, "AcroForm")?;
    let Some(acro) = acro.as_dict() else { return Ok(Vec::new()) };
    let Object::Array(top) = pdf.get_key(acro, "Fields")? else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for f in top {
        if let Some(r) = f.as_ref() {
            walk_fields(pdf, r, "", None, &mut seen, &mut out, 0)?;
        }
    }
    Ok(out)
}

fn walk_fields<S: Source>(
    pdf: &PdfFile<S>,
    r: Ref,
    prefix: &str,
    ft: Option<Vec<u8>>,
    seen: &mut HashSet<Ref>,
    out: &mut Vec<Field>,
    depth: usize,
) -> Result<()> {
    if depth > 32 || !seen.insert(r) {
        return Ok(());
    }
    let Object::Dict(d) = pdf.get(r)? else { return Ok(()) };
    let own = match d.get("T") {
        Some(Object::String(t)) => object::decode_text(t),
        _ => String::new(),
    };
    let name = match (prefix.is_empty(), own.is_empty()) {
        (_, true) => prefix.to_string(),
        (true, false) => own,
        (false, false) => format!("{prefix}.{own}"),
    };
    let ft = d.get("FT").and_then(Object::as_name).map(<[u8]>::to_vec).or(ft);
    // Kids that are fields (they have /T) make this a non-terminal field.
    let kids: Vec<Ref> = match pdf.get_key(&d, "Kids")? {
        Object::Array(a) => a.iter().filter_map(Object::as_ref).collect(),
        _ => Vec::new(),
    };
    let mut field_kids = Vec::new();
    for k in &kids {
        if let Ok(Object::Dict(kd)) = pdf.get(*k)
            && kd.get("T").is_some()
        {
            field_kids.push(*k);
        }
    }
    if field_kids.is_empty() {
        out.push(Field { r, dict: d, name, ft });
    } else {
        for k in field_kids {
            walk_fields(pdf, k, &name, ft.clone(), seen, out, depth + 1)?;
        }
    }
    Ok(())
}

/// The DocMDP permission a certified document carries (catalog `/Perms /DocMDP`).
pub(crate) fn doc_mdp<S: Source>(
    pdf: &PdfFile<S>,
    catalog: &Dict,
) -> Result<Option<(Ref, DocMdp)>> {
    let perms = pdf.get_key(catalog, "Perms")?;
    let Some(sig_ref) = perms.as_dict().and_then(|p| p.get("DocMDP")).and_then(Object::as_ref)
    else {
        return Ok(None);
    };
    let sig = pdf.get(sig_ref)?;
    let p = sig.as_dict().map(|d| transform_p(pdf, d)).transpose()?.flatten();
    Ok(Some((sig_ref, DocMdp::from_p(p))))
}

/// The `/P` of a signature dictionary's DocMDP reference, if it has one.
pub(crate) fn transform_p<S: Source>(pdf: &PdfFile<S>, sig: &Dict) -> Result<Option<i64>> {
    let Object::Array(refs) = pdf.get_key(sig, "Reference")? else { return Ok(None) };
    for r in refs {
        let r = pdf.resolve(&r)?;
        let Some(r) = r.as_dict() else { continue };
        if r.is("TransformMethod", "DocMDP") {
            let params = pdf.get_key(r, "TransformParams")?;
            return Ok(Some(
                params.as_dict().and_then(|p| p.get("P")).and_then(Object::as_i64).unwrap_or(2),
            ));
        }
    }
    Ok(None)
}
