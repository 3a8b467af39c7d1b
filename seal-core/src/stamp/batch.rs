//! Stamping many files at once: [`stamp_many`] and the files it takes ([`collect_files`]).

use std::path::{Path, PathBuf};

#[cfg(feature = "pdf")]
use super::is_pdf;
use super::{Format, StampKey, cms, detached, is_json, stamp_path};
use crate::error::{Error, Result, ResultExt};
use crate::time::UnixTime;

/// Every file under `inputs` (directories walked, sorted), leaving out stamps themselves:
/// detached stamps (`.ses`, `.p7s`) always, and documents stamped inside (`*.stamped.pdf`,
/// `*.stamped.json`) when found in a directory, so stamping a directory twice does not
/// stamp its own outputs. Named explicitly, a stamped document is stamped again.
pub fn collect_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for input in inputs {
        walk(input, &mut out, true)?;
    }
    Ok(out)
}

fn is_stamped_output(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase());
    name.is_some_and(|n| {
        n.ends_with(".stamped.pdf") || n.ends_with(".stamped.json") || n.ends_with(".stamped.ofd")
    })
}

fn walk(path: &Path, out: &mut Vec<PathBuf>, top: bool) -> Result<()> {
    let meta = std::fs::metadata(path).in_file(path)?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .in_file(path)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for e in entries {
            walk(&e, out, false)?;
        }
    } else if path.extension().is_none_or(|e| e != "ses" && e != "p7s")
        && (top || !is_stamped_output(path))
    {
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// The result of stamping one file in a batch.
#[derive(Debug)]
pub struct BatchItem {
    /// The input file.
    pub file: PathBuf,
    /// The stamp written, or why not.
    pub result: Result<PathBuf>,
}

/// A batch of files to stamp: with what, how and where.
#[derive(Clone)]
pub struct Job<'a> {
    /// The seal, key and certificate.
    pub key: StampKey<'a>,
    /// The kind of stamp.
    pub format: Format,
    /// Write stamped files and stamps here instead of beside each file.
    pub out_dir: Option<&'a Path>,
    /// Replace existing outputs.
    pub force: bool,
    /// The signing time.
    pub time: UnixTime,
    /// Where and how PDFs are stamped (with [`Format::Auto`]).
    #[cfg(feature = "pdf")]
    pub pdf: crate::pdf::StampOptions,
    /// Where OFD documents are stamped (with [`Format::Auto`]).
    #[cfg(feature = "ofd")]
    pub ofd: super::ofd::StampOptions,
    /// A TSA to timestamp each signature with (CAdES-B-T); none: no timestamps.
    pub timestamper: Option<&'a dyn crate::tsp::Timestamper>,
}

impl<'a> Job<'a> {
    /// A job with the defaults: [`Format::Auto`], outputs beside the inputs, no overwriting,
    /// the seal at the bottom right of each PDF's last page.
    pub fn new(key: StampKey<'a>, time: UnixTime) -> Job<'a> {
        Job {
            key,
            format: Format::Auto,
            out_dir: None,
            force: false,
            time,
            #[cfg(feature = "pdf")]
            pdf: crate::pdf::StampOptions::default(),
            #[cfg(feature = "ofd")]
            ofd: super::ofd::StampOptions::default(),
            timestamper: None,
        }
    }
}

/// Stamps many files in parallel on all cores; one failure does not stop the others.
/// `progress` is called once per finished file. The seal's picture is prepared, and the key
/// checked against the seal, once for all the files.
///
/// Every output is durable and complete before this returns it, as with
/// [`crate::io::write_atomic`], but a batch does not pay two syncs per file in turn: each
/// file is stamped under a temporary name, and a [`crate::io::Committer`] thread syncs them
/// many at once, renames them into place and syncs each directory once, while the next
/// files are being stamped. A crash (even `kill -9`) at any moment leaves only complete
/// outputs under their real names, and perhaps hidden `.seal-tmp-*` files.
pub fn stamp_many(
    files: &[PathBuf],
    job: &Job<'_>,
    progress: &(dyn Fn() + Sync),
) -> Vec<BatchItem> {
    let shared = Shared::default();
    let committer = crate::io::Committer::new();
    // A remote signer signs many at once: keep a chunk's worth of files in flight (up to
    // 32, each held in memory while it waits).
    let width = job.key.signer.batch_size().clamp(1, 32).min(files.len());
    let staged: Vec<Option<Error>> = crate::par::map_indexed_wide(files, width, |i, file| {
        let r = stage_one(file, job, &shared);
        progress();
        match r {
            Ok(s) => {
                committer.submit(i, s);
                None
            }
            Err(e) => Some(e),
        }
    });
    let mut committed: Vec<Option<Result<PathBuf>>> = files.iter().map(|_| None).collect();
    for (i, r) in committer.finish() {
        committed[i] = Some(r);
    }
    files
        .iter()
        .zip(staged.into_iter().zip(committed))
        .map(|(file, (failed, committed))| {
            let result = match (failed, committed) {
                (Some(e), _) => Err(e),
                (None, Some(r)) => r,
                (None, None) => {
                    Err(Error::InvalidInput(format!("{}: output not committed", file.display())))
                }
            };
            BatchItem { file: file.clone(), result }
        })
        .collect()
}

#[cfg(feature = "pdf")]
type Once<T> = std::sync::OnceLock<std::result::Result<T, Error>>;

/// What the files of a batch share, prepared by the first file that needs it.
#[derive(Default)]
struct Shared<'a> {
    /// The seal's picture, ready for a PDF page.
    #[cfg(feature = "pdf")]
    appearance: Once<crate::pdf::Appearance>,
    /// The key checked against the seal, with the room a timestamp takes in a PDF's
    /// /Contents (from one real token of the TSA).
    #[cfg(feature = "pdf")]
    checked: Once<cms::CheckedKey<'a>>,
    #[cfg(not(feature = "pdf"))]
    _key: std::marker::PhantomData<&'a ()>,
}

/// One file of [`stamp_many`], up to its output written under a temporary name.
fn stage_one<'a>(file: &Path, job: &Job<'a>, shared: &Shared<'a>) -> Result<crate::io::Staged> {
    let out = stamp_path(file, job.format, job.out_dir);
    if !job.force && out.exists() {
        return Err(Error::AlreadyExists { path: out });
    }
    #[cfg(feature = "pdf")]
    if job.format == Format::Auto && is_pdf(file) {
        let (appearance, checked) = (&shared.appearance, &shared.checked);
        let app = match appearance.get_or_init(|| crate::pdf::Appearance::for_seal(job.key.seal)) {
            Ok(a) => a,
            Err(e) => return Err(Error::InvalidInput(e.to_string())),
        };
        let key = checked.get_or_init(|| {
            let key = cms::CheckedKey::new(job.key)?;
            Ok(match job.timestamper {
                Some(ts) => key.with_timestamper(ts, cms::timestamp_room(ts)?),
                None => key,
            })
        });
        let key = match key {
            Ok(k) => k,
            Err(e) => return Err(Error::InvalidInput(e.to_string())),
        };
        let (pdf, time, force) = (&job.pdf, job.time, job.force);
        let (staged, _) = crate::pdf::stage_checked(file, &out, key, app, pdf, time, force)?;
        return Ok(staged);
    }
    #[cfg(feature = "ofd")]
    if job.format == Format::Auto && super::is_ofd(file) {
        let (key, opts) = (&job.key, &job.ofd);
        let (staged, _) =
            super::ofd::stage(file, &out, key, opts, job.time, job.timestamper, job.force)?;
        return Ok(staged);
    }
    #[cfg(not(feature = "ofd"))]
    if job.format == Format::Auto && super::is_ofd(file) {
        return Err(Error::not_built("OFD documents", "ofd").in_file(file));
    }
    #[cfg(not(feature = "pdf"))]
    let _ = shared;
    #[cfg(feature = "pdf")]
    if job.pdf.level >= crate::pdf::Level::Lt {
        return Err(Error::InvalidInput(format!(
            "{}: levels B-LT and B-LTA are for PDF stamps (PAdES); this file gets a detached \
             stamp",
            file.display()
        )));
    }
    let (key, time) = (&job.key, job.time);
    let bytes = match job.format {
        Format::Cms => cms::stamp_file(file, key, time, job.timestamper)?,
        #[cfg(feature = "json")]
        Format::Auto if is_json(file) => super::json_stamp_bytes(file, key, time, job.timestamper)?,
        #[cfg(not(feature = "json"))]
        Format::Auto if is_json(file) => {
            return Err(Error::not_built("JSON stamps", "json").in_file(file));
        }
        _ => detached::stamp_file_timestamped(file, key, time, job.timestamper)?,
    };
    let opts = crate::io::WriteOptions::PUBLIC.force(job.force);
    crate::io::stage_with(&out, opts, |f| Ok(std::io::Write::write_all(f, &bytes)?))
}
