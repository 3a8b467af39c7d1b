//! What `seal serve` keeps between requests, all of it in the state directory, so that
//! several instances sharing the directory (one file system) act as one service:
//!
//! - `token.key`: 32 random bytes, made by the first instance, that authenticate access
//!   tokens and SADs (HMAC-SHA256, AWS-LC): any instance can check what another issued;
//! - `sad/<nonce>`: one file per SAD used, made with `O_CREAT|O_EXCL`, so a SAD signs once
//!   on whichever instance it is presented to; files older than the SAD lifetime are
//!   removed;
//! - `attempts/<credential>`: the count of wrong PINs in a row, updated under an exclusive
//!   file lock.
//!
//! The audit log is opened for appending; each line is written and `fdatasync`ed before the
//! answer it records is sent.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use base64ct::{Base64UrlUnpadded, Encoding};
use serde_json::Value;

use crate::error::{Error, Result};

/// The state directory.
pub(super) struct State {
    dir: PathBuf,
    key: aws_lc_rs::hmac::Key,
    audit: Mutex<File>,
    audit_path: PathBuf,
}

impl State {
    pub(super) fn open(dir: &Path, audit_log: &Path) -> Result<State> {
        for sub in ["", "sad", "attempts"] {
            std::fs::create_dir_all(dir.join(sub)).map_err(|e| Error::from(e).in_file(dir))?;
        }
        let key = token_key(&dir.join("token.key"))?;
        let audit = OpenOptions::new()
            .create(true)
            .append(true)
            .open(audit_log)
            .map_err(|e| Error::from(e).in_file(audit_log))?;
        Ok(State {
            dir: dir.to_path_buf(),
            key: aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &key),
            audit: Mutex::new(audit),
            audit_path: audit_log.to_path_buf(),
        })
    }

    /// A token: the payload, authenticated. `base64url(json) "." base64url(mac)`.
    pub(super) fn seal_token(&self, payload: &Value) -> String {
        let body = Base64UrlUnpadded::encode_string(payload.to_string().as_bytes());
        let mac = aws_lc_rs::hmac::sign(&self.key, body.as_bytes());
        format!("{body}.{}", Base64UrlUnpadded::encode_string(mac.as_ref()))
    }

    /// The payload of a token this service (any instance) issued, if it is one.
    pub(super) fn open_token(&self, token: &str) -> Option<Value> {
        let (body, mac) = token.split_once('.')?;
        let mac = Base64UrlUnpadded::decode_vec(mac).ok()?;
        aws_lc_rs::hmac::verify(&self.key, body.as_bytes(), &mac).ok()?;
        serde_json::from_slice(&Base64UrlUnpadded::decode_vec(body).ok()?).ok()
    }

    /// Marks a SAD's nonce used; false if it was already.
    pub(super) fn use_once(&self, nonce: &str, lifetime_secs: u64) -> Result<bool> {
        if nonce.is_empty() || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(false);
        }
        let marks = self.dir.join("sad");
        let fresh = match OpenOptions::new().write(true).create_new(true).open(marks.join(nonce)) {
            Ok(f) => {
                f.sync_all()?;
                true
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => false,
            Err(e) => return Err(Error::from(e).in_file(&marks)),
        };
        // Marks of SADs that have expired can go: such a SAD is refused for its age.
        if fresh && rand_byte() == 0 {
            sweep(&marks, lifetime_secs * 2);
        }
        Ok(fresh)
    }

    /// Runs `judge` on the count of wrong PINs in a row for `credential`, under an exclusive
    /// file lock held until the new count it returns is written.
    pub(super) fn with_attempts<R>(
        &self,
        credential: &str,
        judge: impl FnOnce(u32) -> (u32, R),
    ) -> Result<R> {
        let path = self.dir.join("attempts").join(crate::keys::hex(credential.as_bytes()));
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::from(e).in_file(&path))?;
        file.lock()?;
        let mut text = String::new();
        file.read_to_string(&mut text)?;
        let before = text.trim().parse().unwrap_or(0);
        let (after, verdict) = judge(before);
        if after != before {
            file.set_len(0)?;
            file.rewind()?;
            file.write_all(after.to_string().as_bytes())?;
            file.sync_data()?;
        }
        file.unlock()?;
        Ok(verdict)
    }

    /// Appends lines to the audit log and makes them durable (one `fdatasync` for all).
    pub(super) fn audit(&self, lines: &[Value]) -> Result<()> {
        let mut file =
            self.audit.lock().map_err(|_| Error::Signing("audit log poisoned".into()))?;
        let mut text = String::new();
        for line in lines {
            text.push_str(&line.to_string());
            text.push('\n');
        }
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_data())
            .map_err(|e| Error::from(e).in_file(&self.audit_path))
    }
}

/// The token key: read, or made once (by whichever instance comes first).
fn token_key(path: &Path) -> Result<Vec<u8>> {
    let mut key = vec![0u8; 32];
    getrandom::fill(&mut key)
        .map_err(|e| Error::Signing(format!("random number generator: {e}")))?;
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut f) => {
            f.write_all(&key)?;
            f.sync_all()?;
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            // Another instance may be writing it: wait for all 32 bytes (bounded).
            for _ in 0..50 {
                let data = std::fs::read(path).map_err(|e| Error::from(e).in_file(path))?;
                if data.len() == 32 {
                    return Ok(data);
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(Error::InvalidInput(format!("{}: not a 32-byte token key", path.display())))
        }
        Err(e) => Err(Error::from(e).in_file(path)),
    }
}

fn sweep(dir: &Path, older_than_secs: u64) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let limit = std::time::Duration::from_secs(older_than_secs);
    for e in entries.flatten() {
        let old = e.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
        if old.is_some_and(|age| age > limit) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

fn rand_byte() -> u8 {
    let mut b = [0u8; 1];
    let _ = getrandom::fill(&mut b);
    b[0] % 64
}
