//! `seal serve`'s configuration: a TOML file of accounts and credentials.
//!
//! ```toml
//! state_dir = "state"            # lock-out counters, used SADs, the token key: shared by instances
//! audit_log = "audit.log"        # append-only, one JSON line per authorisation and signature
//! [limits]                       # all optional; these are the defaults
//! max_pin_attempts = 5           # wrong PINs in a row before a credential locks
//! sad_lifetime_secs = 300
//! token_lifetime_secs = 3600
//! requests_per_minute = 600      # per account, per instance
//! multisign = 100                # hashes one authorisation may cover
//! [[accounts]]
//! name = "clerk"
//! password = "$argon2id$v=19$..." # `seal serve --hash-secret`
//! credentials = ["agency-1"]
//! [[credentials]]
//! id = "agency-1"
//! key = "agency.key"             # a key file, or a pkcs11: URI
//! key_passphrase_source = "env:AGENCY_KEY_PASS"   # or the token's PIN source; optional
//! certificates = "agency-chain.pem"               # the certificate first, then its CAs
//! pin = "$argon2id$v=19$..."     # the PIN a signer must give; omit for none
//! ```
//!
//! Relative paths are read from the configuration file's directory.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct File {
    pub(super) name: Option<String>,
    pub(super) state_dir: PathBuf,
    pub(super) audit_log: PathBuf,
    #[serde(default)]
    pub(super) limits: Limits,
    #[serde(default)]
    pub(super) accounts: Vec<Account>,
    #[serde(default)]
    pub(super) credentials: Vec<Credential>,
}

/// What the service bounds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct Limits {
    pub(super) max_pin_attempts: u32,
    pub(super) sad_lifetime_secs: u64,
    pub(super) token_lifetime_secs: u64,
    pub(super) requests_per_minute: u32,
    pub(super) multisign: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_pin_attempts: 5,
            sad_lifetime_secs: 300,
            token_lifetime_secs: 3600,
            requests_per_minute: 600,
            multisign: 100,
        }
    }
}

/// An account that may log in.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Account {
    pub(super) name: String,
    /// Argon2 PHC string of the password.
    pub(super) password: String,
    pub(super) credentials: Vec<String>,
}

/// A key the service signs with.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Credential {
    pub(super) id: String,
    pub(super) key: String,
    pub(super) key_passphrase_source: Option<String>,
    pub(super) certificates: PathBuf,
    /// Argon2 PHC string of the PIN.
    pub(super) pin: Option<String>,
}

impl File {
    /// Reads and checks the file; relative paths become relative to its directory.
    pub(super) fn load(path: &Path) -> Result<File> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::from(e).in_file(path))?;
        let mut file: File =
            toml::from_str(&text).map_err(|e| Error::InvalidInput(e.to_string()).in_file(path))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let resolve = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        resolve(&mut file.state_dir);
        resolve(&mut file.audit_log);
        for c in &mut file.credentials {
            resolve(&mut c.certificates);
            if !c.key.starts_with("pkcs11:") && Path::new(&c.key).is_relative() {
                c.key = base.join(&c.key).to_string_lossy().into_owned();
            }
        }
        file.check().map_err(|e| e.in_file(path))?;
        Ok(file)
    }

    fn check(&self) -> Result<()> {
        let bad = |why: String| Err(Error::InvalidInput(why));
        let mut ids = std::collections::HashSet::new();
        for c in &self.credentials {
            if !ids.insert(c.id.as_str()) {
                return bad(format!("credential {:?} is listed twice", c.id));
            }
            if let Some(pin) = &c.pin {
                check_hash(pin, &format!("credential {:?}: pin", c.id))?;
            }
        }
        let mut names = std::collections::HashSet::new();
        for a in &self.accounts {
            if !names.insert(a.name.as_str()) {
                return bad(format!("account {:?} is listed twice", a.name));
            }
            check_hash(&a.password, &format!("account {:?}: password", a.name))?;
            if let Some(missing) = a.credentials.iter().find(|c| !ids.contains(c.as_str())) {
                return bad(format!(
                    "account {:?} names credential {missing:?}, which is not listed",
                    a.name
                ));
            }
        }
        let l = &self.limits;
        if l.max_pin_attempts == 0 || l.sad_lifetime_secs == 0 || l.multisign == 0 {
            return bad(
                "limits: max_pin_attempts, sad_lifetime_secs and multisign must be at least 1"
                    .into(),
            );
        }
        Ok(())
    }
}

/// A password or PIN must be stored as an Argon2 hash, never as itself.
fn check_hash(phc: &str, what: &str) -> Result<()> {
    if argon2::password_hash::phc::PasswordHash::new(phc).is_err() || !phc.starts_with("$argon2") {
        return Err(Error::InvalidInput(format!(
            "{what} is not an Argon2 hash (make one with `seal serve --hash-secret`): a secret \
             is never stored as itself"
        )));
    }
    Ok(())
}

/// An Argon2id hash (RFC 9106 defaults of the `argon2` crate, a random salt) of `secret`.
pub fn hash_secret(secret: &str) -> Result<String> {
    use argon2::password_hash::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(secret.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::Signing(format!("Argon2: {e}")))
}

/// True if `secret` matches the Argon2 PHC string `phc` (checked in constant time).
pub(super) fn verify_secret(secret: &str, phc: &str) -> bool {
    use argon2::password_hash::PasswordVerifier;
    argon2::password_hash::phc::PasswordHash::new(phc)
        .is_ok_and(|h| argon2::Argon2::default().verify_password(secret.as_bytes(), &h).is_ok())
}
