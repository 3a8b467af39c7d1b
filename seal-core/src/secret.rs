//! Passphrases and PINs: from an environment variable, a file, a value the program already
//! holds, or a callback the program supplies (a terminal prompt, a dialog), never argv.
//!
//! A secret given on the command line is visible to every user of the machine (`ps`) and is
//! kept in shell history, so `seal` does not accept one there. Secrets are held in
//! [`Zeroizing`] buffers and wiped when dropped. This crate does no terminal I/O: the `seal`
//! command prompts through a [`PassphraseSource::Callback`] of its own.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use zeroize::Zeroizing;

use crate::error::{Error, Result, ResultExt};

/// A secret string that is wiped from memory when dropped.
pub type Secret = Zeroizing<String>;

/// What a [`PassphraseSource::Callback`] is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Request<'a> {
    /// What the secret unlocks, for the question asked (for example `"passphrase for
    /// agency.key"` or `"PIN for token SEAL"`).
    pub what: &'a str,
    /// A new secret is being set: ask twice and compare, as `passwd` does.
    pub confirm: bool,
}

/// A program's way of obtaining a secret from its user. An error it returns (for example
/// [`Error::PassphraseUnavailable`] when no one is at the terminal) is passed on unchanged.
pub type Callback = Arc<dyn Fn(Request<'_>) -> Result<Secret> + Send + Sync>;

/// Where a passphrase (or PIN) comes from.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum PassphraseSource {
    /// The value of an environment variable.
    Env(String),
    /// The first line of a file.
    File(PathBuf),
    /// A secret the program already holds (from its own configuration or user interface).
    Value(Secret),
    /// Asks the program's callback, for example a terminal prompt without echo.
    Callback(Callback),
    /// No passphrase: the key is not encrypted.
    #[default]
    None,
}

impl fmt::Debug for PassphraseSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PassphraseSource::Env(var) => f.debug_tuple("Env").field(var).finish(),
            PassphraseSource::File(path) => f.debug_tuple("File").field(path).finish(),
            // Never the secret itself, not even in a debug log.
            PassphraseSource::Value(_) => f.write_str("Value(..)"),
            PassphraseSource::Callback(_) => f.write_str("Callback(..)"),
            PassphraseSource::None => f.write_str("None"),
        }
    }
}

impl PartialEq for PassphraseSource {
    /// Sources are equal when they name the same variable or file, hold the same value, or
    /// share one callback.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (PassphraseSource::Env(a), PassphraseSource::Env(b)) => a == b,
            (PassphraseSource::File(a), PassphraseSource::File(b)) => a == b,
            (PassphraseSource::Value(a), PassphraseSource::Value(b)) => a == b,
            (PassphraseSource::Callback(a), PassphraseSource::Callback(b)) => Arc::ptr_eq(a, b),
            (PassphraseSource::None, PassphraseSource::None) => true,
            _ => false,
        }
    }
}

impl Eq for PassphraseSource {}

impl PassphraseSource {
    /// A source that calls `f` for the secret.
    pub fn callback(f: impl Fn(Request<'_>) -> Result<Secret> + Send + Sync + 'static) -> Self {
        PassphraseSource::Callback(Arc::new(f))
    }

    /// Obtains the passphrase; `None` for [`PassphraseSource::None`].
    ///
    /// `what` names it for a callback; with `confirm`, the callback is asked for a new secret
    /// (to ask twice). An empty secret is refused, whatever its source.
    pub fn read(&self, what: &str, confirm: bool) -> Result<Option<Secret>> {
        let secret = match self {
            PassphraseSource::None => return Ok(None),
            PassphraseSource::Env(var) => match std::env::var(var) {
                Ok(v) => Zeroizing::new(v),
                Err(_) => {
                    return Err(Error::PassphraseUnavailable(format!(
                        "environment variable {var} is not set or not UTF-8"
                    )));
                }
            },
            PassphraseSource::File(path) => {
                let data = Zeroizing::new(std::fs::read(path).in_file(path)?);
                let text = std::str::from_utf8(&data)
                    .map_err(|_| Error::PassphraseUnavailable("file is not UTF-8".into()))
                    .in_file(path)?;
                let line = text.lines().next().unwrap_or("");
                Zeroizing::new(line.to_owned())
            }
            PassphraseSource::Value(v) => v.clone(),
            PassphraseSource::Callback(f) => f(Request { what, confirm })?,
        };
        if secret.is_empty() {
            return Err(Error::PassphraseUnavailable(format!("{what} is empty")));
        }
        Ok(Some(secret))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_source_takes_first_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pass");
        std::fs::write(&p, "correct horse\nignored\n").unwrap();
        let s = PassphraseSource::File(p).read("passphrase", false).unwrap().unwrap();
        assert_eq!(s.as_str(), "correct horse");
    }

    #[test]
    fn empty_and_missing_sources_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("empty");
        std::fs::write(&p, "\n").unwrap();
        assert!(PassphraseSource::File(p).read("passphrase", false).is_err());
        let err = PassphraseSource::Env("SEAL_TEST_SURELY_UNSET_VAR".into())
            .read("passphrase", false)
            .unwrap_err();
        assert!(err.to_string().contains("SEAL_TEST_SURELY_UNSET_VAR"), "{err}");
        assert!(PassphraseSource::None.read("passphrase", false).unwrap().is_none());
        let empty = PassphraseSource::Value(Zeroizing::new(String::new()));
        assert!(empty.read("passphrase", false).is_err());
    }

    #[test]
    fn value_and_callback_sources() {
        let v = PassphraseSource::Value(Zeroizing::new("held".into()));
        assert_eq!(v.read("passphrase", false).unwrap().unwrap().as_str(), "held");
        assert_eq!(format!("{v:?}"), "Value(..)", "a debug print never shows the secret");
        let asked = Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = asked.clone();
        let cb = PassphraseSource::callback(move |r| {
            log.lock().unwrap().push((r.what.to_owned(), r.confirm));
            Ok(Zeroizing::new("typed".into()))
        });
        assert_eq!(cb.read("PIN for token T", true).unwrap().unwrap().as_str(), "typed");
        assert_eq!(*asked.lock().unwrap(), vec![("PIN for token T".to_owned(), true)]);
        assert_eq!(cb, cb.clone());
        let refusing =
            PassphraseSource::callback(|_| Err(Error::PassphraseUnavailable("no terminal".into())));
        let err = refusing.read("passphrase", false).unwrap_err();
        assert!(err.to_string().contains("no terminal"), "{err}");
    }
}
