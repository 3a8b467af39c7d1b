//! Stamping documents with an electronic seal, and verifying stamped documents.
//!
//! - [`detached`]: any file, with a GB/T 38540 `SES_Signature` beside it.
//! - [`ofd`]: verifying stamped OFD documents.
//! - PDFs are stamped inside, with a visible seal (PAdES): see [`crate::pdf`].

pub mod cms;
pub mod detached;
pub mod json;
pub mod ofd;

use crate::keys::Signer;
use crate::pki::Certificate;
use crate::seal::Seal;

/// What stamping needs: the seal, the holder's signing key and the holder's certificate.
#[derive(Clone, Copy)]
pub struct StampKey<'a> {
    /// The seal (its holders must include `cert`).
    pub seal: &'a Seal,
    /// The holder's key: a key file, a token, a remote service.
    pub signer: &'a dyn Signer,
    /// The holder's certificate.
    pub cert: &'a Certificate,
    /// Certificates from the holder's issuer up to (not including) the trust anchor,
    /// carried in the stamp so that verifiers who trust only the root can build the path.
    /// When empty, the chain the seal carries for the certificate is used (see
    /// [`Seal::holder_chain`]).
    pub chain: &'a [Certificate],
}

impl StampKey<'_> {
    /// The chain's certificates as DER: [`StampKey::chain`], or else the seal's chain for
    /// the certificate.
    pub fn chain_der(&self) -> Result<Vec<Vec<u8>>> {
        let chain = match self.chain.is_empty() {
            true => crate::seal::chain_for(self.cert, self.seal.holder_chain()),
            false => self.chain.to_vec(),
        };
        chain.iter().map(crate::pki::certificate_der).collect()
    }

    /// Checks that the certificate is one of the seal's holders and that the key is the
    /// certificate's; returns the certificate's DER.
    pub fn check(&self) -> Result<Vec<u8>> {
        let cert_der = crate::pki::certificate_der(self.cert)?;
        if !self.seal.binds(&cert_der) {
            return Err(Error::KeyMismatch(format!(
                "the signer certificate is not one of the holders of seal \"{}\"",
                self.seal.name
            )));
        }
        if &crate::pki::certificate_key(self.cert)? != self.signer.public_key() {
            return Err(Error::KeyMismatch(
                "the stamping key does not belong to the signer certificate".into(),
            ));
        }
        Ok(cert_der)
    }
}

use std::path::{Path, PathBuf};

use crate::error::{Error, Result, ResultExt};
use crate::time::UnixTime;
use crate::verify::{Report, Trust};

/// Verifies a stamped file, detecting its format: an OFD package (stamps inside), or any
/// file with a detached `SES_Signature` (`sig`, or `FILE.ses` beside it).
pub fn verify(file: &Path, sig: Option<&Path>, trust: &Trust, at: UnixTime) -> Result<Report> {
    if sig.is_none() {
        match sniff(file)? {
            Sniffed::Ofd => return ofd::verify(file, trust, at),
            Sniffed::Pdf => return crate::pdf::verify(file, trust, at),
            Sniffed::Json => {
                let data = crate::io::read(file)?;
                let doc = json::parse_document(&data).in_file(file)?;
                let reports = json::verify(&doc, trust, at).in_file(file)?;
                // A JSON file without stamps inside may have a detached stamp beside it.
                let beside = [with_suffix(file, "ses"), with_suffix(file, "p7s")];
                if !reports.is_empty() || !beside.iter().any(|p| p.exists()) {
                    return Ok(Report::new(file.display().to_string(), at, reports));
                }
            }
            Sniffed::Other => {
                if let Some((report, _)) = verify_enveloping(file, trust, at)? {
                    return Ok(report);
                }
            }
        }
    }
    let sig_path = match sig {
        Some(p) => p.to_path_buf(),
        None => {
            let candidates = [with_suffix(file, "ses"), with_suffix(file, "p7s")];
            match candidates.iter().find(|p| p.exists()) {
                Some(p) => p.clone(),
                None => {
                    return Err(Error::InvalidInput(format!(
                        "no stamp found: {} is not an OFD package or a JSON document, and neither \
                         {} nor {} exists (pass --sig)",
                        file.display(),
                        candidates[0].display(),
                        candidates[1].display()
                    )));
                }
            }
        }
    };
    let data = crate::io::read(&sig_path)?;
    let reports = if cms::is_cms(&data) {
        cms::verify_file(file, &data, trust, at).in_file(&sig_path)?
    } else {
        vec![detached::verify_file(file, &data, trust, at).in_file(&sig_path)?]
    };
    Ok(Report::new(file.display().to_string(), at, reports))
}

/// The most an enveloping CMS file (`.p7m`) may hold: it is read whole.
const MAX_ENVELOPING: u64 = 256 << 20;

/// Verifies an enveloping (attached) CMS signature, a `.p7m`: the signed content is inside.
/// Returns the report and the content, or `None` if the file is not an attached CMS
/// SignedData.
pub fn verify_enveloping(
    file: &Path,
    trust: &Trust,
    at: UnixTime,
) -> Result<Option<(Report, Vec<u8>)>> {
    let size = std::fs::metadata(file).in_file(file)?.len();
    if size > MAX_ENVELOPING {
        return Ok(None);
    }
    let data = crate::io::read(file)?;
    if !cms::is_cms(&data) || cms::encapsulated_content(&data).ok().flatten().is_none() {
        return Ok(None);
    }
    let (reports, content) =
        cms::verify_attached(&file.display().to_string(), &data, trust, at).in_file(file)?;
    Ok(Some((Report::new(file.display().to_string(), at, reports), content)))
}

enum Sniffed {
    Json,
    Pdf,
    Ofd,
    Other,
}

fn sniff(file: &Path) -> Result<Sniffed> {
    use std::io::Read;
    let mut head = [0u8; 64];
    let mut f = std::fs::File::open(file).in_file(file)?;
    let n = f.read(&mut head).in_file(file)?;
    let head = &head[..n];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Ok(Sniffed::Pdf);
    }
    if head.starts_with(b"PK\x03\x04") {
        return Ok(Sniffed::Ofd);
    }
    let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    if text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        return Ok(Sniffed::Json);
    }
    Ok(Sniffed::Other)
}

/// True if the file is stamped inside itself as JSON (by its extension).
pub fn is_json(file: &Path) -> bool {
    file.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// True if the file is stamped inside itself as a PDF (by its extension).
pub fn is_pdf(file: &Path) -> bool {
    file.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
}

/// `file` with `.suffix` appended to its whole name (`a.pdf` → `a.pdf.ses`).
pub fn with_suffix(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// How to stamp a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// JSON documents inside (JWS), other files with a GB/T 38540 stamp.
    Auto,
    /// A detached CMS signature, CAdES-B (`FILE.p7s`).
    Cms,
    /// A detached GB/T 38540 `SES_Signature` (`FILE.ses`).
    Ses,
}

/// Where a stamp for `file` goes: beside it, or in `out_dir` under the same name. JSON
/// documents and PDFs are stamped inside: `doc.json` becomes `doc.stamped.json` and
/// `doc.pdf` becomes `doc.stamped.pdf` (a document already named `*.stamped.*` keeps its
/// name, for co-stamping with `force`).
pub fn stamp_path(file: &Path, format: Format, out_dir: Option<&Path>) -> PathBuf {
    let beside = if format == Format::Cms {
        with_suffix(file, "p7s")
    } else if format == Format::Auto && (is_json(file) || is_pdf(file)) {
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let (stem, ext) = match name.rsplit_once('.') {
            Some((stem, ext)) => (stem.to_string(), ext.to_string()),
            None => (name.clone(), String::new()),
        };
        let out =
            if stem.ends_with(".stamped") { name.clone() } else { format!("{stem}.stamped.{ext}") };
        file.with_file_name(out)
    } else {
        with_suffix(file, "ses")
    };
    match (out_dir, beside.file_name()) {
        (Some(dir), Some(name)) => dir.join(name),
        _ => beside,
    }
}

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
    name.is_some_and(|n| n.ends_with(".stamped.pdf") || n.ends_with(".stamped.json"))
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
    pub pdf: crate::pdf::StampOptions,
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
            pdf: crate::pdf::StampOptions::default(),
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
    use rayon::prelude::*;
    let appearance = std::sync::OnceLock::new();
    // With the room a timestamp takes in a PDF's /Contents (from one real token of the TSA).
    let checked = std::sync::OnceLock::new();
    let committer = crate::io::Committer::new();
    let staged: Vec<Option<Error>> = files
        .par_iter()
        .enumerate()
        .map(|(i, file)| {
            let r = stage_one(file, job, &appearance, &checked);
            progress();
            match r {
                Ok(s) => {
                    committer.submit(i, s);
                    None
                }
                Err(e) => Some(e),
            }
        })
        .collect();
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

type Once<T> = std::sync::OnceLock<std::result::Result<T, Error>>;

/// One file of [`stamp_many`], up to its output written under a temporary name.
fn stage_one<'a>(
    file: &Path,
    job: &Job<'a>,
    appearance: &Once<crate::pdf::Appearance>,
    checked: &Once<cms::CheckedKey<'a>>,
) -> Result<crate::io::Staged> {
    let out = stamp_path(file, job.format, job.out_dir);
    if !job.force && out.exists() {
        return Err(Error::AlreadyExists { path: out });
    }
    if job.format == Format::Auto && is_pdf(file) {
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
        Format::Auto if is_json(file) => json_stamp_bytes(file, key, time, job.timestamper)?,
        _ => detached::stamp_file_timestamped(file, key, time, job.timestamper)?,
    };
    let opts = crate::io::WriteOptions::PUBLIC.force(job.force);
    crate::io::stage_with(&out, opts, |f| Ok(std::io::Write::write_all(f, &bytes)?))
}

/// Reads a JSON document, adds a stamp (timestamped by `timestamper`, if any), and returns
/// the stamped document (pretty-printed).
pub fn json_stamp_bytes(
    file: &Path,
    key: &StampKey<'_>,
    time: UnixTime,
    timestamper: Option<&dyn crate::tsp::Timestamper>,
) -> Result<Vec<u8>> {
    let data = crate::io::read(file)?;
    let mut doc = json::parse_document(&data).in_file(file)?;
    json::stamp_timestamped(&mut doc, key, time, timestamper).in_file(file)?;
    let mut out = serde_json::to_vec_pretty(&doc).map_err(|e| Error::decode("JSON document", e))?;
    out.push(b'\n');
    Ok(out)
}
