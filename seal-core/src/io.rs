//! Reading inputs and writing outputs without ever losing data.
//!
//! Every output is written to a temporary file in the destination directory, synced, and
//! renamed over the destination, so a crash leaves either the old file or the new one,
//! never half of one. Existing files are only replaced when the caller says so.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result, ResultExt};

/// How to write an output file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Replace an existing file.
    pub force: bool,
    /// Create the file with mode 0600 (owner read/write only), for private keys.
    pub private: bool,
}

impl WriteOptions {
    /// Options for a private key file: mode 0600, no overwrite.
    pub const PRIVATE: WriteOptions = WriteOptions { force: false, private: true };
    /// Options for a public output: default mode, no overwrite.
    pub const PUBLIC: WriteOptions = WriteOptions { force: false, private: false };

    /// The same options with `force` set as given.
    pub const fn force(self, force: bool) -> WriteOptions {
        WriteOptions { force, ..self }
    }
}

/// Reads a whole file; the error names the file.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).in_file(path)
}

/// Writes `data` to `path` atomically (temporary file, fsync, rename).
///
/// Fails with [`Error::AlreadyExists`] if `path` exists and `opts.force` is false. The
/// check and the rename are one step (`persist_noclobber`), so two processes cannot both
/// think they created the file.
pub fn write_atomic(path: &Path, data: &[u8], opts: WriteOptions) -> Result<()> {
    write_atomic_with(path, opts, |f| Ok(f.write_all(data)?))
}

/// Like [`write_atomic`], with the content written by `write` into the temporary file (so
/// large outputs stream). If `write` fails, the destination is left as it was.
pub fn write_atomic_with(
    path: &Path,
    opts: WriteOptions,
    write: impl FnOnce(&mut fs::File) -> Result<()>,
) -> Result<()> {
    if !opts.force && path.symlink_metadata().is_ok() {
        return Err(Error::AlreadyExists { path: path.to_path_buf() });
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".seal-tmp-");
    // Temporary files are created 0600; a public output gets the usual 0644.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(if opts.private { 0o600 } else { 0o644 }));
    }
    let mut tmp = builder.tempfile_in(dir).in_file(path)?;
    write(tmp.as_file_mut()).in_file(path)?;
    tmp.as_file().sync_all().in_file(path)?;
    if opts.force {
        tmp.persist(path).map_err(|e| Error::Io(e.error)).in_file(path)?;
    } else {
        tmp.persist_noclobber(path)
            .map_err(|e| {
                if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                    Error::AlreadyExists { path: path.to_path_buf() }
                } else {
                    Error::Io(e.error)
                }
            })
            .in_file(path)?;
    }
    sync_dir(dir);
    Ok(())
}

/// Opens (creating it if need be) the lock file at `path` and takes an exclusive lock on
/// it, waiting for other holders; the lock is released when the file is dropped.
pub fn lock_exclusive(path: &Path) -> Result<fs::File> {
    let lock =
        fs::OpenOptions::new().create(true).truncate(false).write(true).open(path).in_file(path)?;
    lock.lock().in_file(path)?;
    Ok(lock)
}

/// Creates a directory (and its parents) if it does not exist.
pub fn create_dir(path: &Path) -> Result<()> {
    fs::create_dir_all(path).in_file(path)
}

fn sync_dir(dir: &Path) {
    // Best effort: makes the rename durable on filesystems that need it.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_overwrite_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.pem");
        write_atomic(&p, b"one", WriteOptions::PUBLIC).unwrap();
        let err = write_atomic(&p, b"two", WriteOptions::PUBLIC).unwrap_err();
        assert!(matches!(err.root(), Error::AlreadyExists { .. }), "{err}");
        assert_eq!(fs::read(&p).unwrap(), b"one");
        write_atomic(&p, b"two", WriteOptions::PUBLIC.force(true)).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        // No temporary files are left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn private_files_are_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("key.pem");
        write_atomic(&p, b"secret", WriteOptions::PRIVATE).unwrap();
        assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        let public = dir.path().join("cert.pem");
        write_atomic(&public, b"public", WriteOptions::PUBLIC).unwrap();
        assert_eq!(fs::metadata(&public).unwrap().permissions().mode() & 0o777, 0o644);
    }

    #[test]
    fn missing_file_error_names_it() {
        let err = read(Path::new("/nonexistent/seal.pem")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("/nonexistent/seal.pem: "), "{msg}");
    }
}
