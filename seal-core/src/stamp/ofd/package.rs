//! The OFD zip package: one name per part, every entry in the central directory, and
//! bounded inflation.
//!
//! A zip can say different things to different readers: two entries with one name (one
//! reader takes the first, another the last), an entry only its local header lists (a
//! reader that scans the file finds it, one that reads the central directory does not),
//! or one part under two spellings (`/Doc_0/…`, `Doc_0\…`, `doc_0/…`, `Doc_0/./…`) that a
//! lenient reader maps to the same file. Each of these lets a stamp cover one part while a
//! viewer shows another, so such packages are refused before anything is read.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::digest::HashAlg;
use crate::error::{Error, Result};

/// The largest package part read into memory (XML and signature files); larger parts are
/// only ever streamed through a hash.
const MAX_PART: u64 = 64 * 1024 * 1024;

/// What a package may inflate to in all (every part read or hashed, counted each time), so
/// that a package of parts sharing one huge deflate stream is refused in a moment.
const MAX_PACKAGE: u64 = 512 * 1024 * 1024;

/// The most a part may inflate per compressed byte (deflate reaches about 1:1000 only on
/// crafted or degenerate data; real OFD parts stay far below).
const MAX_RATIO: u64 = 200;

/// The most entries a package may hold.
const MAX_ENTRIES: usize = 65_536;

/// An opened, checked OFD package.
pub(super) struct Package {
    zip: zip::ZipArchive<File>,
    /// Bytes inflated so far, against [`MAX_PACKAGE`].
    inflated: u64,
    /// The names of the file entries (not directories), in central-directory order.
    files: Vec<String>,
}

fn refuse<T>(why: impl std::fmt::Display) -> Result<T> {
    Err(Error::decode("OFD package", why))
}

impl Package {
    /// Opens `path` and refuses a zip whose entries could read differently elsewhere.
    pub(super) fn open(path: &Path) -> Result<Package> {
        let file = File::open(path)?;
        let mut zip =
            zip::ZipArchive::new(file).map_err(|e| Error::decode("OFD package (zip)", e))?;
        if zip.len() > MAX_ENTRIES {
            return refuse(format!("{} entries; at most {MAX_ENTRIES} are read", zip.len()));
        }
        if zip.has_duplicate_names() {
            return refuse(
                "two zip entries have the same name: readers disagree on which one is the part",
            );
        }
        zip.validate_header_consistency().map_err(|e| {
            Error::decode(
                "OFD package",
                format!(
                    "the zip's local headers and central directory disagree (an entry outside \
                     the central directory, or entries sharing bytes): {e}"
                ),
            )
        })?;
        let mut files = Vec::new();
        let mut folded: HashMap<String, String> = HashMap::new();
        for raw in zip.file_names_raw() {
            let Ok(name) = std::str::from_utf8(raw) else {
                return refuse(format!(
                    "an entry name is not UTF-8 ({})",
                    String::from_utf8_lossy(raw)
                ));
            };
            check_name(name)?;
            let key = name.trim_end_matches('/').to_lowercase();
            if let Some(other) = folded.insert(key, name.to_owned()) {
                return refuse(format!(
                    "the entries {other} and {name} differ only in letter case: readers that \
                     ignore case take them for one part"
                ));
            }
            if !name.ends_with('/') {
                files.push(name.to_owned());
            }
        }
        Ok(Package { zip, inflated: 0, files })
    }

    /// The file entries, in central-directory order.
    pub(super) fn files(&self) -> &[String] {
        &self.files
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
        let too = |why: String| refuse(format!("{name}: {why}"));
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

    /// A part's bytes (at most [`MAX_PART`]).
    pub(super) fn read(&mut self, name: &str) -> Result<Vec<u8>> {
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
            return refuse(format!("{name} inflates to more than it declares"));
        }
        drop(f);
        self.inflated += out.len() as u64;
        Ok(out)
    }

    /// A part's text (UTF-8).
    pub(super) fn read_text(&mut self, name: &str) -> Result<String> {
        String::from_utf8(self.read(name)?)
            .map_err(|_| Error::decode("OFD package", format!("{name} is not UTF-8")))
    }

    /// A part's digest, streamed.
    pub(super) fn hash(&mut self, name: &str, alg: HashAlg) -> Result<Vec<u8>> {
        let inflated = self.inflated;
        let mut f = self.entry(name)?;
        let max = Package::budget(inflated, name, &f, MAX_PACKAGE)?;
        let (digest, n) = alg
            .hash_reader(&mut (&mut f).take(max + 1))
            .map_err(|e| Error::decode("OFD package", format!("{name}: {e}")))?;
        if n > max {
            return refuse(format!("{name} inflates to more than it declares"));
        }
        drop(f);
        self.inflated += n;
        Ok(digest)
    }
}

impl Package {
    /// Copies every entry into `w` as it is (its compressed bytes, headers and all), except
    /// those named in `replaced`, which are written anew in their place; returns the names
    /// of `replaced` the package does not hold (new parts).
    pub(super) fn copy_into<W: std::io::Write + std::io::Seek>(
        &mut self,
        w: &mut zip::ZipWriter<W>,
        replaced: &HashMap<String, Vec<u8>>,
    ) -> Result<std::collections::HashSet<String>> {
        let writing = |e: zip::result::ZipError| Error::decode("OFD package (writing)", e);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let mut left: std::collections::HashSet<String> = replaced.keys().cloned().collect();
        for i in 0..self.zip.len() {
            let entry = self.zip.by_index_raw(i).map_err(|e| Error::decode("OFD package", e))?;
            let name = entry.name().map_err(|e| Error::decode("OFD package", e))?.into_owned();
            match replaced.get(&name) {
                Some(data) => {
                    drop(entry);
                    super::stamping::put(w, &name, data, opts)?;
                    left.remove(&name);
                }
                None => w.raw_copy_file(entry).map_err(writing)?,
            }
        }
        Ok(left)
    }
}

/// An entry name must be the one spelling of its part (APPNOTE 4.4.17: relative, forward
/// slashes only): no leading `/`, no `\`, no empty, `.` or `..` segment.
fn check_name(name: &str) -> Result<()> {
    let why = if name.starts_with('/') {
        "starts with /"
    } else if name.contains('\\') {
        "contains a backslash"
    } else if name.trim_end_matches('/').split('/').any(|s| s.is_empty()) {
        "has an empty path segment"
    } else if name.split('/').any(|s| s == "." || s == "..") {
        "has a . or .. segment"
    } else if name.chars().any(|c| c.is_control()) {
        "contains a control character"
    } else {
        return Ok(());
    };
    refuse(format!(
        "the entry name {name:?} {why}: it is not the one spelling of a part (a reader may \
         take it for another)"
    ))
}

#[cfg(test)]
mod tests {
    use super::check_name;

    #[test]
    fn only_canonical_names_pass() {
        for ok in ["OFD.xml", "Doc_0/", "Doc_0/Pages/Page_0/Content.xml", "Doc_0/Res/a b.png"] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "/OFD.xml",
            "Doc_0\\Document.xml",
            "Doc_0//Document.xml",
            "./OFD.xml",
            "Doc_0/./Document.xml",
            "Doc_0/../OFD.xml",
            "",
            "Doc_0/\u{0}x",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }
}
