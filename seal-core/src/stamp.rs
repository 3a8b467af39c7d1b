//! Stamping documents with an electronic seal, and verifying stamped documents.
//!
//! - [`detached`]: any file, with a GB/T 38540 `SES_Signature` beside it.
//! - [`ofd`]: verifying stamped OFD documents.

pub mod detached;
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
}

use std::path::{Path, PathBuf};

use crate::error::{Error, Result, ResultExt};
use crate::time::UnixTime;
use crate::verify::{Report, Trust};

/// Verifies a stamped file, detecting its format: an OFD package (stamps inside), or any
/// file with a detached `SES_Signature` (`sig`, or `FILE.ses` beside it).
pub fn verify(file: &Path, sig: Option<&Path>, trust: &Trust, at: UnixTime) -> Result<Report> {
    if sig.is_none() && is_ofd(file)? {
        return ofd::verify(file, trust, at);
    }
    let sig_path = match sig {
        Some(p) => p.to_path_buf(),
        None => {
            let beside = with_suffix(file, "ses");
            if !beside.exists() {
                return Err(Error::InvalidInput(format!(
                    "no stamp found: {} is not an OFD package and {} does not exist (pass --sig)",
                    file.display(),
                    beside.display()
                )));
            }
            beside
        }
    };
    let der = crate::io::read(&sig_path)?;
    let report = detached::verify_file(file, &der, trust, at).in_file(&sig_path)?;
    Ok(Report::new(file.display().to_string(), at, vec![report]))
}

fn is_ofd(file: &Path) -> Result<bool> {
    use std::io::Read;
    let mut magic = [0u8; 4];
    let mut f = std::fs::File::open(file).in_file(file)?;
    let n = f.read(&mut magic).in_file(file)?;
    Ok(n == 4 && &magic == b"PK\x03\x04")
}

/// `file` with `.suffix` appended to its whole name (`a.pdf` → `a.pdf.ses`).
pub fn with_suffix(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// Where a stamp for `file` goes: beside it, or in `out_dir` under the same name.
pub fn stamp_path(file: &Path, out_dir: Option<&Path>) -> PathBuf {
    let beside = with_suffix(file, "ses");
    match (out_dir, beside.file_name()) {
        (Some(dir), Some(name)) => dir.join(name),
        _ => beside,
    }
}

/// Every file under `inputs` (directories walked, sorted), leaving out stamps themselves.
pub fn collect_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for input in inputs {
        walk(input, &mut out)?;
    }
    Ok(out)
}

fn walk(path: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let meta = std::fs::metadata(path).in_file(path)?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .in_file(path)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for e in entries {
            walk(&e, out)?;
        }
    } else if path.extension().is_none_or(|e| e != "ses") {
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

/// Stamps many files in parallel on all cores; one failure does not stop the others.
/// `progress` is called once per finished file. Every stamp is written atomically.
pub fn stamp_many(
    files: &[PathBuf],
    key: &StampKey<'_>,
    out_dir: Option<&Path>,
    force: bool,
    time: UnixTime,
    progress: &(dyn Fn() + Sync),
) -> Vec<BatchItem> {
    use rayon::prelude::*;
    files
        .par_iter()
        .map(|file| {
            let result = (|| {
                let out = stamp_path(file, out_dir);
                if !force && out.exists() {
                    return Err(Error::AlreadyExists { path: out });
                }
                let der = detached::stamp_file(file, key, time)?;
                crate::io::write_atomic(&out, &der, crate::io::WriteOptions::PUBLIC.force(force))?;
                Ok(out)
            })();
            progress();
            BatchItem { file: file.clone(), result }
        })
        .collect()
}
