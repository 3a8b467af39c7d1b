//! Document timestamps (ETSI EN 319 142-1 §5.4.3; ISO 32000-2 §12.8.5): an RFC 3161 token
//! over the whole document in a signature dictionary of its own (`/Type /DocTimeStamp`,
//! SubFilter `ETSI.RFC3161`), in an invisible field. It proves that everything before it,
//! signatures and /DSS included, existed at its time: PAdES B-LTA, and what keeps a
//! document verifiable after the certificates of its earlier timestamps expire.

use std::collections::BTreeMap;

use super::file::{PdfFile, Source};
use super::object::{Dict, Object, Ref};
use super::sign::{add_annots, add_field, set_sig_flags, signature_widget};
use super::update::{Placeholder, Writer, first_free};
use super::{catalog, fields, pages};
use crate::digest::{HashAlg, Hasher};
use crate::error::{Error, Result};
use crate::stamp::cms;
use crate::time::UnixTime;
use crate::tsp::Timestamper;
use crate::verify::Trust;

/// An update adding an unsigned document timestamp field with room for `room` bytes of
/// token; returns the update and where its token goes.
pub(crate) fn prepare<S: Source>(pdf: &PdfFile<S>, room: usize) -> Result<(Vec<u8>, Placeholder)> {
    let (root, mut cat) = catalog(pdf)?;
    let cat_before = cat.clone();
    let pages = pages(pdf, &cat)?;
    if pages.is_empty() {
        return Err(Error::decode("PDF", "the document has no pages"));
    }
    let all = fields(pdf, &cat)?;
    let name = (1..)
        .map(|i| format!("DocTimeStamp{i}"))
        .find(|n| !all.iter().any(|f| &f.name == n))
        .unwrap_or_else(|| "DocTimeStamp".into());
    let mut next = first_free(pdf)?;
    let sig_ref = Ref::new(next);
    let widget = Ref::new(next + 1);
    next += 2;
    let mut changed: BTreeMap<Ref, Object> = BTreeMap::new();
    let invisible = Object::Array(vec![Object::Int(0); 4]);
    let d = signature_widget(&name, sig_ref, invisible, pages[0].r);
    changed.insert(widget, Object::Dict(d));
    add_annots(pdf, &pages, &mut changed, BTreeMap::from([(0, vec![widget])]))?;
    add_field(pdf, &mut cat, &mut changed, widget)?;
    set_sig_flags(pdf, &mut cat, &mut changed)?;
    if cat != cat_before {
        changed.insert(root, Object::Dict(cat));
    }
    let mut w = Writer::new(pdf)?;
    let mut sig = Dict::new();
    sig.set("Type", Object::name("DocTimeStamp"));
    sig.set("Filter", Object::name("Adobe.PPKLite"));
    sig.set("SubFilter", Object::name("ETSI.RFC3161"));
    let slot = w.signature(sig_ref, &sig, room);
    for (r, o) in &changed {
        w.object(*r, o);
    }
    Ok((w.finish(pdf, next), slot))
}

/// The document `pdf` (already fed to `hasher`) with a document timestamp from `ts` over
/// it, made with the hasher's algorithm: the update to append.
pub(crate) fn append<S: Source>(
    pdf: &PdfFile<S>,
    mut hasher: Hasher,
    ts: &dyn Timestamper,
    room: usize,
) -> Result<Vec<u8>> {
    let (mut update, slot) = prepare(pdf, room)?;
    slot.hash(&mut update, &mut hasher)?;
    let hash = hasher.alg();
    let token = ts.timestamp(hash, &hasher.finish())?;
    slot.put(&mut update, &token)?;
    Ok(update)
}

/// The room a document timestamp token from `ts` needs: a real token's size (over a dummy
/// digest), and room for what varies from one token to the next.
pub fn room(ts: &dyn Timestamper) -> Result<usize> {
    cms::timestamp_room(ts)
}

/// A document timestamp's report: the token verified over the byte range, hashed with the
/// token's own imprint algorithm; its time is proven.
pub(super) fn verify(
    token: &[u8],
    digest_of: &mut dyn FnMut(HashAlg) -> Result<Vec<u8>>,
    trust: &Trust,
    at: UnixTime,
) -> Result<crate::verify::SignatureReport> {
    let content = cms::encapsulated_content(token)?
        .ok_or_else(|| Error::decode("document timestamp", "it holds no TSTInfo"))?;
    let ts = crate::tsp::Timestamp::from_tst_info(&content)?;
    let hash = ts.hash_alg.ok_or_else(|| {
        Error::decode("document timestamp", format!("unknown imprint hash {}", ts.hash))
    })?;
    let digest = digest_of(hash)?;
    let (ts, mut r) = crate::tsp::verify_token(token, Some((hash, &digest)), trust, at)?;
    r.proven_time = Some(ts.time.to_string());
    Ok(r)
}
