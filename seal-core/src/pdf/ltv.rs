//! PAdES baseline B-LT and B-LTA (ETSI EN 319 142-1 §6.3): validation data for every
//! signature and timestamp of a document in its /DSS, then (B-LTA) a document timestamp
//! over all of it. [`extend`] does both for a document stamped earlier, so that an archive
//! can renew its documents before the newest timestamp's certificate expires.

use std::io::{Seek, Write};
use std::path::Path;
use std::str::FromStr;

use super::dss::{self, Added, Stored};
use super::file::{PdfFile, Source};
use super::object::Object;
use super::update::Appended;
use super::{catalog, fields};
use crate::digest::{HashAlg, Hasher};
use crate::error::{Error, Result, ResultExt};
use crate::pki::validation_data::{self, Sources, ValidationData};
use crate::time::UnixTime;
use crate::tsp::Timestamper;

/// A PAdES baseline level (ETSI EN 319 142-1 §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
pub enum Level {
    /// B-B: the signature.
    #[default]
    #[serde(rename = "B-B")]
    B,
    /// B-T: and a signature timestamp.
    #[serde(rename = "B-T")]
    T,
    /// B-LT: and the validation data of the signature and its timestamp in the /DSS.
    #[serde(rename = "B-LT")]
    Lt,
    /// B-LTA: and a document timestamp over all of it.
    #[serde(rename = "B-LTA")]
    Lta,
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Level::B => "B-B",
            Level::T => "B-T",
            Level::Lt => "B-LT",
            Level::Lta => "B-LTA",
        })
    }
}

impl FromStr for Level {
    type Err = Error;
    fn from_str(s: &str) -> Result<Level> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "b-b" | "b" => Level::B,
            "b-t" | "t" => Level::T,
            "b-lt" | "lt" => Level::Lt,
            "b-lta" | "lta" => Level::Lta,
            _ => {
                return Err(Error::InvalidInput(format!(
                    "unknown level \"{s}\": b-b, b-t, b-lt or b-lta"
                )));
            }
        })
    }
}

/// What long-term validation data is made from.
pub struct LongTerm<'a> {
    /// Where the certificates, CRLs and OCSP responses come from (what the document's
    /// /DSS and signatures already hold is used too).
    pub sources: &'a Sources,
    /// The TSA of the document timestamp (B-LTA); `None` for validation data only.
    pub archive: Option<&'a dyn Timestamper>,
}

/// What adding long-term data did.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Extended {
    /// What the /DSS update added.
    pub added: Added,
    /// The signatures and document timestamps validation data was gathered for.
    pub signatures: usize,
    /// Whether a document timestamp was added.
    pub document_timestamp: bool,
    /// What could not be gathered for signatures made earlier (their certificates since
    /// expired, or no CRL given for them): one line each.
    pub notes: Vec<String>,
    /// The size of the document written.
    pub size: u64,
}

/// The validation data of every signature and document timestamp of `pdf` at `at`, in
/// total and per /VRI key. The signature in field `strict` (one just made) must get all of
/// its data; for the others what can be found is taken, and what cannot goes to `notes`.
fn gather<S: Source>(
    pdf: &PdfFile<S>,
    sources: &Sources,
    at: UnixTime,
    strict: Option<&str>,
    notes: &mut Vec<String>,
) -> Result<(ValidationData, Vec<(String, ValidationData)>)> {
    let (_, cat) = catalog(pdf)?;
    let stored = Stored::read(pdf, &cat);
    let mut sources = sources.clone();
    sources.certs.extend(stored.certs);
    sources.crls.extend(stored.crls);
    sources.ocsp.extend(stored.ocsp);
    let mut all = ValidationData::default();
    let mut vri = Vec::new();
    for f in fields(pdf, &cat)? {
        if f.ft.as_deref() != Some(b"Sig") {
            continue;
        }
        let Some(Object::Ref(v)) = f.dict.get("V") else { continue };
        let Ok(Object::Dict(sig)) = pdf.get(*v) else { continue };
        let Some(Object::String(contents)) = sig.get("Contents") else { continue };
        let Ok(der) = super::verify::cms_der(contents) else { continue };
        let carried = crate::stamp::cms::carried(&der);
        let data = match carried {
            Ok(c) if strict == Some(f.name.as_str()) => {
                validation_data::gather(&c.signers, &c.certs, &sources, at)
                    .map_err(|e| Error::InvalidInput(format!("field \"{}\": {e}", f.name)))?
            }
            Ok(c) => {
                let (data, missing) =
                    validation_data::gather_available(&c.signers, &c.certs, &sources, at);
                notes.extend(missing.into_iter().map(|m| format!("field \"{}\": {m}", f.name)));
                data
            }
            Err(e) => {
                notes.push(format!("field \"{}\": its signature cannot be read: {e}", f.name));
                continue;
            }
        };
        all.merge(&data);
        vri.push((dss::vri_key(contents), data));
    }
    Ok((all, vri))
}

/// The updates that take the document `head` followed by `written` (not yet on disk) to
/// B-LT, or with an archive TSA (and the room its tokens take) to B-LTA; `whole` has
/// hashed `head` and `written`.
pub(crate) fn append<S: Source>(
    head: &S,
    written: &[u8],
    whole: Hasher,
    (sources, archive): (&Sources, Option<(&dyn Timestamper, usize)>),
    at: UnixTime,
    strict: Option<&str>,
) -> Result<(Vec<u8>, Extended)> {
    let mut out = Extended::default();
    let pdf = PdfFile::from_source(Appended { head, tail: written })?;
    let (data, vri) = gather(&pdf, sources, at, strict, &mut out.notes)?;
    out.signatures = vri.len();
    if vri.is_empty() {
        return Err(Error::InvalidInput("the document has no signature to extend".into()));
    }
    let (mut bytes, added) = dss::update(&pdf, &data, &vri)?;
    out.added = added;
    if let Some((ts, room)) = archive {
        let mut hasher = whole;
        hasher.update(&bytes);
        let so_far = [written, &bytes[..]].concat();
        let pdf = PdfFile::from_source(Appended { head, tail: &so_far })?;
        bytes.extend(super::timestamp::append(&pdf, hasher, ts, room)?);
        out.document_timestamp = true;
    }
    Ok((bytes, out))
}

/// Adds to the stamped PDF at `input` the validation data of its signatures and document
/// timestamps (a /DSS update), and with `lt.archive` a document timestamp over all of it,
/// writing the result to `output` atomically (`output` may be `input`, with `force`).
/// Validation data is gathered for the status at `at` (now).
pub fn extend(
    input: &Path,
    output: &Path,
    lt: &LongTerm<'_>,
    at: UnixTime,
    force: bool,
) -> Result<Extended> {
    if !force && output.symlink_metadata().is_ok() {
        return Err(Error::AlreadyExists { path: output.to_path_buf() });
    }
    let pdf = PdfFile::open(input).in_file(input)?;
    let len = pdf.len();
    let mut info = Extended::default();
    let opts = crate::io::WriteOptions::PUBLIC.force(force);
    crate::io::write_atomic_with(output, opts, |out| {
        let mut src: &std::fs::File = pdf.source();
        src.seek(std::io::SeekFrom::Start(0))?;
        let mut hasher = HashAlg::Sha256.hasher();
        let copied = crate::digest::copy_hashing(&mut src, out, &mut hasher)?;
        if copied != len {
            return Err(Error::InvalidInput(format!(
                "{} changed while it was being extended",
                input.display()
            )));
        }
        let archive = match lt.archive {
            Some(ts) => Some((ts, super::timestamp::room(ts)?)),
            None => None,
        };
        let (bytes, extended) =
            append(pdf.source(), &[], hasher, (lt.sources, archive), at, None).in_file(input)?;
        out.write_all(&bytes)?;
        info = extended;
        info.size = len + bytes.len() as u64;
        Ok(())
    })?;
    Ok(info)
}
