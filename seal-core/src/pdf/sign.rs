//! Writing a stamp into a PDF as an incremental update.

use std::collections::BTreeMap;
use std::io::{Seek, Write};
use std::path::Path;

use super::appearance::Appearance;
use super::file::{PdfFile, Source};
use super::ltv::{self, Extended, Level};
use super::object::{Dict, Object, Ref};
use super::update::{Placeholder, Writer, first_free};
use super::{DocMdp, Page, catalog, doc_mdp, fields, pages};
use crate::error::{Error, Result, ResultExt};
use crate::pki::validation_data::Sources;
use crate::stamp::StampKey;
use crate::stamp::cms::{CheckedKey, Profile};
use crate::time::UnixTime;

/// Where and how to stamp a PDF.
#[derive(Debug, Clone, Default)]
pub struct StampOptions {
    /// The page (1-based); default: the last page. Ignored with an existing `field`.
    pub page: Option<usize>,
    /// The lower-left corner of the seal in points from the page's lower-left corner;
    /// default: bottom right, 36 pt (half an inch) from the edges.
    pub at: Option<(f64, f64)>,
    /// Sign this existing empty signature field, or name the new one (default `Seal1`, ...).
    pub field: Option<String>,
    /// Why the document is stamped (`/Reason`).
    pub reason: Option<String>,
    /// Where (`/Location`).
    pub location: Option<String>,
    /// Certify the document (DocMDP): the changes allowed after this stamp.
    pub certify: Option<DocMdp>,
    /// Also put a cross-page seal: the picture split across the right edges of all pages.
    pub cross_page: bool,
    /// The PAdES baseline level. B-T and above need the key's timestamper
    /// ([`CheckedKey::with_timestamper`]); B-LTA's document timestamp is made by it too.
    pub level: Level,
    /// B-LT and B-LTA: where the validation data comes from (the signature's own
    /// certificates are used too). Every certificate below a trust anchor needs a CRL or
    /// OCSP response from its issuer here.
    pub validation_sources: Option<std::sync::Arc<Sources>>,
}

/// What stamping did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Stamped {
    /// The signature field's name.
    pub field: String,
    /// The page the seal is on (1-based).
    pub page: usize,
    /// The seal's rectangle on the page, [llx, lly, urx, ury] in points.
    pub rect: [f64; 4],
    /// The size of the stamped file.
    pub size: u64,
    /// The PAdES baseline level made.
    pub level: Level,
    /// B-LT and B-LTA: the validation data added.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub long_term: Option<Extended>,
}

const MARGIN: f64 = 36.0;

/// Stamps the PDF at `input`, writing the stamped document to `output` atomically (the
/// original bytes, then the update). `output` may be `input` (with `force`).
pub fn stamp(
    input: &Path,
    output: &Path,
    key: &StampKey<'_>,
    appearance: &Appearance,
    opts: &StampOptions,
    time: UnixTime,
    force: bool,
) -> Result<Stamped> {
    if !force && output.symlink_metadata().is_ok() {
        return Err(Error::AlreadyExists { path: output.to_path_buf() });
    }
    let key = CheckedKey::new(*key).in_file(input)?;
    stamp_checked(input, output, &key, appearance, opts, time, force)
}

/// [`stamp`] with a key already checked, and perhaps timestamping
/// ([`CheckedKey::with_timestamper`]: PAdES-B-T).
pub fn stamp_checked(
    input: &Path,
    output: &Path,
    key: &CheckedKey<'_>,
    appearance: &Appearance,
    opts: &StampOptions,
    time: UnixTime,
    force: bool,
) -> Result<Stamped> {
    let (staged, stamped) = stage_checked(input, output, key, appearance, opts, time, force)?;
    crate::io::commit_all(vec![staged]).pop().transpose()?;
    Ok(stamped)
}

/// [`stamp_checked`] up to an output written in full but not yet synced or in place, for
/// batches that commit many at once ([`crate::io::commit_all`]).
pub fn stage_checked(
    input: &Path,
    output: &Path,
    key: &CheckedKey<'_>,
    appearance: &Appearance,
    opts: &StampOptions,
    time: UnixTime,
    force: bool,
) -> Result<(crate::io::Staged, Stamped)> {
    if !force && output.symlink_metadata().is_ok() {
        return Err(Error::AlreadyExists { path: output.to_path_buf() });
    }
    let pdf = PdfFile::open(input).in_file(input)?;
    let orig_len = pdf.len();
    check_level(key, opts).in_file(input)?;
    let mut upd = prepare(&pdf, key, appearance, opts, time).in_file(input)?;
    let mut hasher = key.digest_alg().hasher();
    // Copy from the very file that was parsed (not the path again, which may have changed).
    let mut src: &std::fs::File = pdf.source();
    src.seek(std::io::SeekFrom::Start(0)).in_file(input)?;
    let opts_w = crate::io::WriteOptions::PUBLIC.force(force);
    let staged = crate::io::stage_with(output, opts_w, |out| {
        let copied = crate::digest::copy_hashing(&mut src, out, &mut hasher)?;
        if copied != orig_len {
            return Err(Error::InvalidInput(format!(
                "{} changed while it was being stamped",
                input.display()
            )));
        }
        let mut whole = hasher.clone();
        finish(&mut upd.0, hasher, key, time)?;
        out.write_all(&upd.0.bytes)?;
        whole.update(&upd.0.bytes);
        let more = long_term(pdf.source(), &upd.0.bytes, whole, key, opts, time, &mut upd.1)
            .in_file(input)?;
        out.write_all(&more)?;
        upd.1.size = orig_len + (upd.0.bytes.len() + more.len()) as u64;
        Ok(())
    })?;
    Ok((staged, upd.1))
}

/// Stamps a PDF held in memory; returns the stamped document.
pub fn stamp_to_vec(
    input: &[u8],
    key: &StampKey<'_>,
    appearance: &Appearance,
    opts: &StampOptions,
    time: UnixTime,
) -> Result<(Vec<u8>, Stamped)> {
    let key = CheckedKey::new(*key)?;
    stamp_checked_to_vec(input, &key, appearance, opts, time)
}

/// [`stamp_to_vec`] with a key already checked, and perhaps timestamping.
pub fn stamp_checked_to_vec(
    input: &[u8],
    key: &CheckedKey<'_>,
    appearance: &Appearance,
    opts: &StampOptions,
    time: UnixTime,
) -> Result<(Vec<u8>, Stamped)> {
    let pdf = PdfFile::from_source(input)?;
    check_level(key, opts)?;
    let (mut upd, mut info) = prepare(&pdf, key, appearance, opts, time)?;
    let mut hasher = key.digest_alg().hasher();
    hasher.update(input);
    let mut whole = hasher.clone();
    finish(&mut upd, hasher, key, time)?;
    whole.update(&upd.bytes);
    let more = long_term(&input, &upd.bytes, whole, key, opts, time, &mut info)?;
    let mut out = input.to_vec();
    out.extend_from_slice(&upd.bytes);
    out.extend_from_slice(&more);
    info.size = out.len() as u64;
    Ok((out, info))
}

/// Refuses a level the key cannot make: B-T and above need a timestamper.
fn check_level(key: &CheckedKey<'_>, opts: &StampOptions) -> Result<()> {
    if opts.level >= Level::T && key.timestamper().is_none() {
        return Err(Error::InvalidInput(format!(
            "PAdES {} needs a timestamp authority (--tsa URL or --tsa-dir DIR)",
            opts.level
        )));
    }
    Ok(())
}

/// B-LT and B-LTA: the /DSS update, and the document timestamp, to append after the
/// signature update `written` (`whole` has hashed the document and `written`).
fn long_term<S: Source>(
    head: &S,
    written: &[u8],
    whole: crate::digest::Hasher,
    key: &CheckedKey<'_>,
    opts: &StampOptions,
    time: UnixTime,
    info: &mut Stamped,
) -> Result<Vec<u8>> {
    info.level =
        if opts.level == Level::B && key.timestamper().is_some() { Level::T } else { opts.level };
    if opts.level < Level::Lt {
        return Ok(Vec::new());
    }
    let empty = Sources::default();
    let sources = opts.validation_sources.as_deref().unwrap_or(&empty);
    // The document timestamp's room: the signature timestamp's, from the same TSA.
    let archive = match (opts.level, key.timestamper_with_room()) {
        (Level::Lta, Some(ts)) => Some(ts),
        _ => None,
    };
    let (bytes, extended) =
        ltv::append(head, written, whole, (sources, archive), time, Some(&info.field))?;
    info.long_term = Some(extended);
    Ok(bytes)
}

/// The bytes of an update and where its signature goes.
struct Update {
    bytes: Vec<u8>,
    sig: Placeholder,
}

/// Fills in the ByteRange, hashes the update around `/Contents`, signs, and puts the CMS in.
fn finish(
    upd: &mut Update,
    mut hasher: crate::digest::Hasher,
    key: &CheckedKey<'_>,
    time: UnixTime,
) -> Result<()> {
    upd.sig.hash(&mut upd.bytes, &mut hasher)?;
    let sig = key.sign_digest(&hasher.finish(), time, Profile::Pades)?;
    upd.sig.put(&mut upd.bytes, &sig)
}

/// A PDF date, `D:YYYYMMDDHHmmSSZ`.
pub(crate) fn pdf_date(t: UnixTime) -> String {
    let s = t.to_string(); // 2026-11-22T19:11:49Z
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    format!("D:{digits}Z")
}

/// Builds the incremental update: every new and changed object, the new cross-reference
/// section and trailer, with placeholders for the ByteRange and the signature.
fn prepare<S: Source>(
    pdf: &PdfFile<S>,
    key: &CheckedKey<'_>,
    app: &Appearance,
    opts: &StampOptions,
    time: UnixTime,
) -> Result<(Update, Stamped)> {
    let (root, mut cat) = catalog(pdf)?;
    let cat_before = cat.clone();
    let pages = pages(pdf, &cat)?;
    let all_fields = fields(pdf, &cat)?;
    let signed = all_fields
        .iter()
        .filter(|f| f.ft.as_deref() == Some(b"Sig") && f.dict.get("V").is_some())
        .count();
    if let Some((_, DocMdp::NoChanges)) = doc_mdp(pdf, &cat)? {
        return Err(Error::InvalidInput(
            "the document is certified with no changes allowed (DocMDP P=1): \
             another stamp would break its certification"
                .into(),
        ));
    }
    if opts.certify.is_some() && signed > 0 {
        return Err(Error::InvalidInput(format!(
            "only the first signature of a document can certify it, and this one already has {signed}"
        )));
    }
    let next = std::cell::Cell::new(first_free(pdf)?);
    let alloc = || {
        let r = Ref::new(next.get());
        next.set(next.get() + 1);
        r
    };
    let mut changed: BTreeMap<Ref, Object> = BTreeMap::new();
    let mut streams: Vec<(Ref, Dict, Vec<u8>)> = Vec::new();
    let mut annots_add: BTreeMap<usize, Vec<Ref>> = BTreeMap::new();
    let sig_ref = alloc();

    // The image, shared by the seal and the cross-page strips.
    let image_ref = alloc();
    let mut image_dict = app.image.dict.clone();
    if let Some(mask) = &app.mask {
        let mask_ref = alloc();
        image_dict.set("SMask", Object::Ref(mask_ref));
        streams.push((mask_ref, mask.dict.clone(), mask.data.clone()));
    }
    streams.push((image_ref, image_dict, app.image.data.clone()));
    let mut form = |bbox_w: f64, bbox_h: f64, w: f64, h: f64, dx: f64, dy: f64| -> Ref {
        let r = alloc();
        let mut d = Dict::new();
        d.set("Type", Object::name("XObject"));
        d.set("Subtype", Object::name("Form"));
        d.set("BBox", nums(&[0.0, 0.0, bbox_w, bbox_h]));
        let mut xo = Dict::new();
        xo.set("Im0", Object::Ref(image_ref));
        let mut res = Dict::new();
        res.set("XObject", Object::Dict(xo));
        d.set("Resources", Object::Dict(res));
        let content = format!(
            "q {} 0 0 {} {} {} cm /Im0 Do Q",
            super::object::format_real(w),
            super::object::format_real(h),
            super::object::format_real(dx),
            super::object::format_real(dy)
        );
        streams.push((r, d, content.into_bytes()));
        r
    };

    // The signature field and its widget.
    let existing = opts.field.as_ref().and_then(|n| all_fields.iter().find(|f| &f.name == n));
    let (field_name, page_idx, rect) = match existing {
        Some(f) => {
            if f.ft.as_deref() != Some(b"Sig") {
                return Err(Error::InvalidInput(format!(
                    "field \"{}\" is not a signature field",
                    f.name
                )));
            }
            if f.dict.get("V").is_some() {
                return Err(Error::InvalidInput(format!("field \"{}\" is already signed", f.name)));
            }
            // The widget: the field itself (merged) or its first kid.
            let (wref, mut wdict) = if f.dict.get("Rect").is_some() {
                (f.r, f.dict.clone())
            } else {
                let kid = match pdf.get_key(&f.dict, "Kids")? {
                    Object::Array(a) => a.first().and_then(Object::as_ref),
                    _ => None,
                };
                let Some(kid) = kid else {
                    return Err(Error::InvalidInput(format!("field \"{}\" has no widget", f.name)));
                };
                match pdf.get(kid)? {
                    Object::Dict(d) => (kid, d),
                    _ => return Err(Error::decode("PDF", "a widget is not a dictionary")),
                }
            };
            let rect = wdict.get("Rect").and_then(super::rect).unwrap_or([0.0; 4]);
            let page_idx = widget_page(&pages, &wdict, wref).unwrap_or(pages.len() - 1);
            let (rw, rh) = (rect[2] - rect[0], rect[3] - rect[1]);
            if rw > 0.0 && rh > 0.0 {
                let scale = (rw / app.width).min(rh / app.height);
                let (w, h) = (app.width * scale, app.height * scale);
                let ap = form(rw, rh, w, h, (rw - w) / 2.0, (rh - h) / 2.0);
                let mut apd = Dict::new();
                apd.set("N", Object::Ref(ap));
                wdict.set("AP", Object::Dict(apd));
            }
            if wdict.get("P").is_none() {
                wdict.set("P", Object::Ref(pages[page_idx].r));
            }
            if wref == f.r {
                wdict.set("V", Object::Ref(sig_ref));
            } else {
                let mut fd = f.dict.clone();
                fd.set("V", Object::Ref(sig_ref));
                changed.insert(f.r, Object::Dict(fd));
            }
            if !page_has_annot(pdf, &pages[page_idx], wref)? {
                annots_add.entry(page_idx).or_default().push(wref);
            }
            changed.insert(wref, Object::Dict(wdict));
            (f.name.clone(), page_idx, rect)
        }
        None => {
            let name = match &opts.field {
                Some(n) => n.clone(),
                None => (1..)
                    .map(|i| format!("Seal{i}"))
                    .find(|n| !all_fields.iter().any(|f| &f.name == n))
                    .unwrap_or_else(|| "Seal".into()),
            };
            let page_idx = match opts.page {
                None => pages.len() - 1,
                Some(p) if p >= 1 && p <= pages.len() => p - 1,
                Some(p) => {
                    return Err(Error::InvalidInput(format!(
                        "page {p} does not exist: the document has {} page{}",
                        pages.len(),
                        if pages.len() == 1 { "" } else { "s" }
                    )));
                }
            };
            let b = pages[page_idx].bbox;
            let (x, y) = match opts.at {
                Some((x, y)) => (b[0] + x, b[1] + y),
                None => (b[2] - MARGIN - app.width, b[1] + MARGIN),
            };
            let rect = [x, y, x + app.width, y + app.height];
            let ap = form(app.width, app.height, app.width, app.height, 0.0, 0.0);
            let widget = alloc();
            let mut d = signature_widget(&name, sig_ref, nums(&rect), pages[page_idx].r);
            let mut apd = Dict::new();
            apd.set("N", Object::Ref(ap));
            d.set("AP", Object::Dict(apd));
            changed.insert(widget, Object::Dict(d));
            annots_add.entry(page_idx).or_default().push(widget);
            add_field(pdf, &mut cat, &mut changed, widget)?;
            (name, page_idx, rect)
        }
    };
    set_sig_flags(pdf, &mut cat, &mut changed)?;

    // The cross-page seal: one strip of the picture on the right edge of every page.
    if opts.cross_page {
        let n = pages.len();
        if n < 2 {
            return Err(Error::InvalidInput("a cross-page seal needs at least two pages".into()));
        }
        let strip = app.width / n as f64;
        for (i, page) in pages.iter().enumerate() {
            let b = page.bbox;
            let y = (b[1] + b[3]) / 2.0 - app.height / 2.0;
            let rect = [b[2] - strip, y, b[2], y + app.height];
            let ap = form(strip, app.height, app.width, app.height, -(i as f64) * strip, 0.0);
            let r = alloc();
            let mut d = Dict::new();
            d.set("Type", Object::name("Annot"));
            d.set("Subtype", Object::name("Stamp"));
            d.set("Rect", nums(&rect));
            d.set("P", Object::Ref(page.r));
            d.set("F", Object::Int(132));
            d.set("NM", Object::text(&format!("{field_name}-cross-page-{}", i + 1)));
            d.set(
                "Contents",
                Object::text(&format!("Cross-page seal {} ({}/{n})", key.key().seal.name, i + 1)),
            );
            let mut apd = Dict::new();
            apd.set("N", Object::Ref(ap));
            d.set("AP", Object::Dict(apd));
            changed.insert(r, Object::Dict(d));
            annots_add.entry(i).or_default().push(r);
        }
    }

    add_annots(pdf, &pages, &mut changed, annots_add)?;
    if opts.certify.is_some() {
        let mut perms = Dict::new();
        perms.set("DocMDP", Object::Ref(sig_ref));
        cat.set("Perms", Object::Dict(perms));
    }
    if cat != cat_before {
        changed.insert(root, Object::Dict(cat));
    }

    let mut w = Writer::new(pdf)?;
    let sig = write_sig_dict(&mut w, sig_ref, key, opts, time)?;
    for (r, o) in &changed {
        w.object(*r, o);
    }
    for (r, d, data) in &streams {
        w.stream(*r, d, data);
    }
    let bytes = w.finish(pdf, next.get());
    let info = Stamped {
        field: field_name,
        page: page_idx + 1,
        rect,
        size: 0,
        level: opts.level,
        long_term: None,
    };
    Ok((Update { bytes, sig }, info))
}

fn nums(v: &[f64]) -> Object {
    Object::Array(v.iter().map(|&x| Object::Real(x)).collect())
}

/// The page a widget is on: its `/P`, else the page whose `/Annots` lists it.
fn widget_page(pages: &[Page], widget: &Dict, wref: Ref) -> Option<usize> {
    if let Some(p) = widget.get("P").and_then(Object::as_ref)
        && let Some(i) = pages.iter().position(|pg| pg.r == p)
    {
        return Some(i);
    }
    pages.iter().position(|pg| match pg.dict.get("Annots") {
        Some(Object::Array(a)) => a.contains(&Object::Ref(wref)),
        _ => false,
    })
}

fn page_has_annot<S: Source>(pdf: &PdfFile<S>, page: &Page, r: Ref) -> Result<bool> {
    Ok(match pdf.get_key(&page.dict, "Annots")? {
        Object::Array(a) => a.contains(&Object::Ref(r)),
        _ => false,
    })
}

/// A signature field merged with its widget: named `name`, showing the signature `sig`,
/// at `rect` on `page`, printed and locked.
pub(super) fn signature_widget(name: &str, sig: Ref, rect: Object, page: Ref) -> Dict {
    let mut d = Dict::new();
    d.set("Type", Object::name("Annot"));
    d.set("Subtype", Object::name("Widget"));
    d.set("FT", Object::name("Sig"));
    d.set("T", Object::text(name));
    d.set("V", Object::Ref(sig));
    d.set("F", Object::Int(132)); // Print | Locked
    d.set("Rect", rect);
    d.set("P", Object::Ref(page));
    d
}

/// Adds widgets to the /Annots of their pages (`add`: page index, widgets).
pub(super) fn add_annots<S: Source>(
    pdf: &PdfFile<S>,
    pages: &[Page],
    changed: &mut BTreeMap<Ref, Object>,
    annots_add: BTreeMap<usize, Vec<Ref>>,
) -> Result<()> {
    for (idx, add) in annots_add {
        let page = &pages[idx];
        let mut pd = match changed.get(&page.r) {
            Some(Object::Dict(d)) => d.clone(),
            _ => page.dict.clone(),
        };
        match pd.get("Annots").cloned() {
            Some(Object::Ref(r)) => {
                let mut arr = match pdf.get(r)? {
                    Object::Array(a) => a,
                    _ => Vec::new(),
                };
                arr.extend(add.into_iter().map(Object::Ref));
                changed.insert(r, Object::Array(arr));
                continue;
            }
            Some(Object::Array(mut a)) => {
                a.extend(add.into_iter().map(Object::Ref));
                pd.set("Annots", Object::Array(a));
            }
            _ => pd.set("Annots", Object::Array(add.into_iter().map(Object::Ref).collect())),
        }
        changed.insert(page.r, Object::Dict(pd));
    }
    Ok(())
}

/// Adds a field to the interactive form (creating the form if there is none).
pub(super) fn add_field<S: Source>(
    pdf: &PdfFile<S>,
    cat: &mut Dict,
    changed: &mut BTreeMap<Ref, Object>,
    field: Ref,
) -> Result<()> {
    edit_acroform(pdf, cat, changed, |pdf, acro, changed| {
        match acro.get("Fields").cloned() {
            Some(Object::Ref(r)) => {
                let mut arr = match pdf.get(r)? {
                    Object::Array(a) => a,
                    _ => Vec::new(),
                };
                arr.push(Object::Ref(field));
                changed.insert(r, Object::Array(arr));
            }
            Some(Object::Array(mut a)) => {
                a.push(Object::Ref(field));
                acro.set("Fields", Object::Array(a));
            }
            _ => acro.set("Fields", Object::Array(vec![Object::Ref(field)])),
        }
        Ok(())
    })
}

/// Sets `/SigFlags 3` (signatures exist; append only).
pub(super) fn set_sig_flags<S: Source>(
    pdf: &PdfFile<S>,
    cat: &mut Dict,
    changed: &mut BTreeMap<Ref, Object>,
) -> Result<()> {
    edit_acroform(pdf, cat, changed, |_, acro, _| {
        acro.set("SigFlags", Object::Int(3));
        Ok(())
    })
}

fn edit_acroform<S: Source>(
    pdf: &PdfFile<S>,
    cat: &mut Dict,
    changed: &mut BTreeMap<Ref, Object>,
    mut edit: impl FnMut(&PdfFile<S>, &mut Dict, &mut BTreeMap<Ref, Object>) -> Result<()>,
) -> Result<()> {
    match cat.get("AcroForm").cloned() {
        Some(Object::Ref(r)) => {
            let mut acro = match changed.get(&r) {
                Some(Object::Dict(d)) => d.clone(),
                _ => match pdf.get(r)? {
                    Object::Dict(d) => d,
                    _ => Dict::new(),
                },
            };
            edit(pdf, &mut acro, changed)?;
            changed.insert(r, Object::Dict(acro));
        }
        Some(Object::Dict(mut acro)) => {
            edit(pdf, &mut acro, changed)?;
            cat.set("AcroForm", Object::Dict(acro));
        }
        _ => {
            let mut acro = Dict::new();
            edit(pdf, &mut acro, changed)?;
            cat.set("AcroForm", Object::Dict(acro));
        }
    }
    Ok(())
}

/// Writes the signature dictionary; returns where its placeholders are.
fn write_sig_dict(
    w: &mut Writer,
    r: Ref,
    key: &CheckedKey<'_>,
    opts: &StampOptions,
    time: UnixTime,
) -> Result<Placeholder> {
    let max = key.max_len(time, Profile::Pades)?;
    let mut d = Dict::new();
    d.set("Type", Object::name("Sig"));
    d.set("Filter", Object::name("Adobe.PPKLite"));
    d.set("SubFilter", Object::name("ETSI.CAdES.detached"));
    d.set("Name", Object::text(&key.key().seal.name));
    d.set("M", Object::String(pdf_date(time).into_bytes()));
    if let Some(reason) = &opts.reason {
        d.set("Reason", Object::text(reason));
    }
    if let Some(location) = &opts.location {
        d.set("Location", Object::text(location));
    }
    if let Some(mdp) = opts.certify {
        let mut params = Dict::new();
        params.set("Type", Object::name("TransformParams"));
        params.set("P", Object::Int(mdp.p()));
        params.set("V", Object::name("1.2"));
        let mut sigref = Dict::new();
        sigref.set("Type", Object::name("SigRef"));
        sigref.set("TransformMethod", Object::name("DocMDP"));
        sigref.set("TransformParams", Object::Dict(params));
        d.set("Reference", Object::Array(vec![Object::Dict(sigref)]));
    }
    Ok(w.signature(r, &d, max))
}
