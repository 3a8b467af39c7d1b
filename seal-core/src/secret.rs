//! Passphrases and PINs: from an environment variable, a file or a prompt, never argv.
//!
//! A secret given on the command line is visible to every user of the machine (`ps`) and is
//! kept in shell history, so `seal` does not accept one there. Secrets are held in
//! [`Zeroizing`] buffers and wiped when dropped.

use std::path::PathBuf;

use zeroize::Zeroizing;

use crate::error::{Error, Result, ResultExt};

/// A secret string that is wiped from memory when dropped.
pub type Secret = Zeroizing<String>;

/// Where a passphrase (or PIN) comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PassphraseSource {
    /// The value of an environment variable.
    Env(String),
    /// The first line of a file.
    File(PathBuf),
    /// No passphrase: the key is not encrypted.
    #[default]
    None,
    /// Ask on the terminal, without echo.
    Prompt,
}

impl PassphraseSource {
    /// Obtains the passphrase; `None` for [`PassphraseSource::None`].
    ///
    /// With `confirm`, a prompt asks twice and fails if the answers differ (for new keys).
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
            PassphraseSource::Prompt => {
                let first = Zeroizing::new(
                    rpassword::prompt_password(format!("{what}: "))
                        .map_err(|e| Error::PassphraseUnavailable(format!("no terminal: {e}")))?,
                );
                if confirm {
                    let second = Zeroizing::new(
                        rpassword::prompt_password(format!("{what} (again): ")).map_err(|e| {
                            Error::PassphraseUnavailable(format!("no terminal: {e}"))
                        })?,
                    );
                    if *first != *second {
                        return Err(Error::PassphraseUnavailable("the two entries differ".into()));
                    }
                }
                first
            }
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
    }
}
