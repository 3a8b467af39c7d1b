//! A certificate authority whose state lives in a directory.
//!
//! ```text
//! DIR/ca.pem       the CA's certificate
//! DIR/chain.pem    the certificates above it (intermediate CAs only)
//! DIR/ca.key       its private key (PKCS#8 PEM, mode 0600, optionally encrypted)
//! DIR/state.json   issued serials, revocations, the last CRL number
//! DIR/certs/       every issued certificate, as SERIAL.pem
//! DIR/lock         the lock file
//! ```
//!
//! Every change takes an exclusive lock on `DIR/lock` (so two processes issuing at once
//! queue up instead of reusing a serial or losing a record) and replaces `state.json`
//! atomically (so a process killed mid-write leaves the previous state, never half of
//! one). An issued certificate is written before the state that records it; a crash in
//! between leaves an unrecorded certificate file, never a recorded serial without one.

use std::path::{Path, PathBuf};

use x509_cert::Certificate;
use x509_cert::name::Name;

use super::revocation::{self, CrlParams, RevocationReason, RevokedEntry};
use super::{
    CertificateBuilder, Crl, Csr, Profile, Subject, Validity, certificate_to_pem, display_name,
    load_certificate, load_certificates, random_serial,
};
use crate::error::{CaError, Error, Result, ResultExt};
use crate::io::{self, WriteOptions};
use crate::keys::{Algorithm, Kdf, PrivateKey, PublicKey, Signer, hex};
use crate::secret::PassphraseSource;
use crate::time::UnixTime;

const STATE_FORMAT: u32 = 1;

/// One certificate this CA issued.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IssuedRecord {
    /// Serial number, lower-case hex of the DER INTEGER contents.
    pub serial: String,
    /// Subject (RFC 4514).
    pub subject: String,
    /// The profile it was issued under.
    pub profile: Profile,
    /// Start of validity.
    pub not_before: UnixTime,
    /// End of validity.
    pub not_after: UnixTime,
    /// When it was issued.
    pub issued_at: UnixTime,
    /// Set once it is revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<Revocation>,
}

/// A revocation recorded in the CA state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Revocation {
    /// When.
    pub date: UnixTime,
    /// Why.
    pub reason: RevocationReason,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct State {
    format: u32,
    crl_number: u64,
    certificates: Vec<IssuedRecord>,
}

/// What a new CA looks like.
#[derive(Debug, Clone)]
pub struct NewCa {
    /// Its subject.
    pub subject: Subject,
    /// Its key algorithm.
    pub algorithm: Algorithm,
    /// Its validity.
    pub validity: Validity,
    /// Its pathLenConstraint.
    pub path_len: Option<u8>,
    /// How its private key file is protected.
    pub key_protection: PassphraseSource,
    /// The key derivation for an encrypted key file.
    pub kdf: Kdf,
}

/// A certificate authority opened from its directory.
#[derive(Debug, Clone)]
pub struct Ca {
    dir: PathBuf,
    cert: Certificate,
    chain: Vec<Certificate>,
}

impl Ca {
    /// Creates a root CA in `dir` (created if needed): a new key and a self-signed
    /// certificate. Refuses a directory that already holds a CA.
    pub fn init_root(dir: &Path, new: &NewCa) -> Result<(Ca, PrivateKey)> {
        let key = Ca::prepare(dir, new)?;
        let cert = CertificateBuilder::self_signed(
            &new.subject,
            Profile::Ca { path_len: new.path_len },
            new.validity,
        )?
        .build(&key)?;
        Ca::finish(dir, new, key, cert, Vec::new())
    }

    /// Creates a root CA in `dir` whose key lives elsewhere (a PKCS#11 token, a remote
    /// signing service): no `ca.key` is written, and every operation takes the signer.
    pub fn init_root_with_signer(dir: &Path, new: &NewCa, signer: &dyn Signer) -> Result<Ca> {
        io::create_dir(dir)?;
        for existing in ["ca.pem", "ca.key", "state.json"] {
            let p = dir.join(existing);
            if p.exists() {
                return Err(Error::AlreadyExists { path: p });
            }
        }
        let cert = CertificateBuilder::self_signed(
            &new.subject,
            Profile::Ca { path_len: new.path_len },
            new.validity,
        )?
        .build(signer)?;
        Ca::write_directory(dir, &cert, &[])?;
        Ok(Ca { dir: dir.to_path_buf(), cert, chain: Vec::new() })
    }

    /// Creates an intermediate CA in `dir`, certified by `parent` (whose key `parent_signer`
    /// holds). The issuance is recorded in the parent's state.
    pub fn init_intermediate(
        dir: &Path,
        new: &NewCa,
        parent: &Ca,
        parent_signer: &dyn Signer,
    ) -> Result<(Ca, PrivateKey)> {
        let key = Ca::prepare(dir, new)?;
        let cert = parent.issue_for_key(
            parent_signer,
            new.subject.to_name()?,
            key.public_key().clone(),
            Profile::Ca { path_len: new.path_len },
            new.validity,
        )?;
        let mut chain = vec![parent.cert.clone()];
        chain.extend(parent.chain.iter().cloned());
        Ca::finish(dir, new, key, cert, chain)
    }

    fn prepare(dir: &Path, new: &NewCa) -> Result<PrivateKey> {
        io::create_dir(dir)?;
        for existing in ["ca.pem", "ca.key", "state.json"] {
            let p = dir.join(existing);
            if p.exists() {
                return Err(Error::AlreadyExists { path: p });
            }
        }
        new.subject.to_name()?; // fail early on a bad subject
        PrivateKey::generate(new.algorithm)
    }

    fn finish(
        dir: &Path,
        new: &NewCa,
        key: PrivateKey,
        cert: Certificate,
        chain: Vec<Certificate>,
    ) -> Result<(Ca, PrivateKey)> {
        let pass = new.key_protection.read("passphrase for the new CA key", true)?;
        key.save(&dir.join("ca.key"), pass.as_deref().map(String::as_str), new.kdf, false)?;
        Ca::write_directory(dir, &cert, &chain)?;
        Ok((Ca { dir: dir.to_path_buf(), cert, chain }, key))
    }

    fn write_directory(dir: &Path, cert: &Certificate, chain: &[Certificate]) -> Result<()> {
        io::create_dir(&dir.join("certs"))?;
        if !chain.is_empty() {
            let pem: Result<String> = chain.iter().map(certificate_to_pem).collect();
            io::write_atomic(&dir.join("chain.pem"), pem?.as_bytes(), WriteOptions::PUBLIC)?;
        }
        let state = State { format: STATE_FORMAT, crl_number: 0, certificates: Vec::new() };
        write_state(dir, &state)?;
        // ca.pem last: its presence marks a complete CA directory.
        io::write_atomic(
            &dir.join("ca.pem"),
            certificate_to_pem(cert)?.as_bytes(),
            WriteOptions::PUBLIC,
        )
    }

    /// Opens the CA in `dir`.
    pub fn open(dir: &Path) -> Result<Ca> {
        let cert_path = dir.join("ca.pem");
        if !cert_path.exists() || !dir.join("state.json").exists() {
            return Err(Error::Ca(CaError::NotACa).in_file(dir));
        }
        let cert = load_certificate(&cert_path)?;
        let chain_path = dir.join("chain.pem");
        let chain = if chain_path.exists() { load_certificates(&chain_path)? } else { Vec::new() };
        read_state(dir)?; // fail now on a corrupt state
        Ok(Ca { dir: dir.to_path_buf(), cert, chain })
    }

    /// The CA's own certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    /// The certificates above this CA, nearest first (empty for a root).
    pub fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    /// What a certificate this CA issues should travel with: the CA's certificate and those
    /// above it, nearest first, without the self-signed root (verifiers bring their own).
    pub fn issued_chain(&self) -> Vec<Certificate> {
        std::iter::once(&self.cert)
            .chain(&self.chain)
            .filter(|c| c.tbs_certificate().issuer() != c.tbs_certificate().subject())
            .cloned()
            .collect()
    }

    /// The CA's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of the CA's private key file.
    pub fn key_path(&self) -> PathBuf {
        self.dir.join("ca.key")
    }

    /// Loads the CA's private key from its directory.
    pub fn load_key(&self, passphrase: &PassphraseSource) -> Result<PrivateKey> {
        if !self.key_path().exists() {
            return Err(Error::InvalidInput(
                "this CA keeps its key elsewhere (no ca.key): pass --key with the key's file or PKCS#11 URI".into(),
            )
            .in_file(&self.dir));
        }
        let key = PrivateKey::load(&self.key_path(), passphrase)?;
        if key.public_key() != &super::certificate_key(&self.cert)? {
            return Err(
                Error::KeyMismatch("ca.key does not match ca.pem".into()).in_file(&self.dir)
            );
        }
        Ok(key)
    }

    /// Issues a certificate from a CSR (whose signature is checked first).
    pub fn issue(
        &self,
        signer: &dyn Signer,
        csr: &Csr,
        profile: Profile,
        validity: Validity,
    ) -> Result<Certificate> {
        csr.verify_signature().map_err(|_| Error::Ca(CaError::CsrSignatureInvalid))?;
        self.issue_for_key(
            signer,
            csr.subject().clone(),
            csr.public_key().clone(),
            profile,
            validity,
        )
    }

    /// Issues a certificate for a public key, under the lock, with a fresh unique serial.
    pub fn issue_for_key(
        &self,
        signer: &dyn Signer,
        subject: Name,
        key: PublicKey,
        profile: Profile,
        validity: Validity,
    ) -> Result<Certificate> {
        self.locked(|state| {
            let serial = loop {
                let s = random_serial()?;
                let h = hex(&s);
                if !state.certificates.iter().any(|c| c.serial == h) {
                    break s;
                }
            };
            let cert = CertificateBuilder::new(subject, key, &self.cert, profile, validity)
                .serial(serial)
                .build(signer)?;
            let serial_hex = hex(cert.tbs_certificate().serial_number().as_bytes());
            let pem = certificate_to_pem(&cert)?;
            io::write_atomic(
                &self.dir.join("certs").join(format!("{serial_hex}.pem")),
                pem.as_bytes(),
                WriteOptions::PUBLIC,
            )?;
            state.certificates.push(IssuedRecord {
                serial: serial_hex,
                subject: display_name(cert.tbs_certificate().subject()),
                profile,
                not_before: validity.not_before,
                not_after: validity.not_after,
                issued_at: UnixTime::now(),
                revoked: None,
            });
            Ok((cert, true))
        })
    }

    /// Records the revocation of a serial (hex, as `seal cert show` prints it).
    pub fn revoke(
        &self,
        serial: &str,
        reason: RevocationReason,
        date: UnixTime,
    ) -> Result<IssuedRecord> {
        let wanted = normalize_serial(serial)?;
        self.locked(|state| {
            let record = state
                .certificates
                .iter_mut()
                .find(|c| c.serial == wanted)
                .ok_or_else(|| Error::Ca(CaError::UnknownSerial(wanted.clone())))?;
            if record.revoked.is_some() {
                return Err(Error::Ca(CaError::AlreadyRevoked(wanted.clone())));
            }
            record.revoked = Some(Revocation { date, reason });
            Ok((record.clone(), true))
        })
    }

    /// Issues the next CRL: every revoked serial, CRL number one more than the last.
    pub fn crl(
        &self,
        signer: &dyn Signer,
        this_update: UnixTime,
        next_update: UnixTime,
    ) -> Result<Crl> {
        self.locked(|state| {
            let revoked: Vec<RevokedEntry> = state
                .certificates
                .iter()
                .filter_map(|c| {
                    let r = c.revoked?;
                    Some(parse_hex(&c.serial).map(|serial| RevokedEntry {
                        serial,
                        date: r.date,
                        reason: r.reason,
                    }))
                })
                .collect::<Result<_>>()?;
            let number = state.crl_number + 1;
            let crl = revocation::build_crl(
                &self.cert,
                signer,
                &CrlParams { number, this_update, next_update, revoked: &revoked },
            )?;
            state.crl_number = number;
            Ok((crl, true))
        })
    }

    /// A signed OCSP response (RFC 6960) for one serial number, from the CA's records: good,
    /// revoked (with date and reason), or unknown if this CA never issued it. Signed with
    /// the CA's key, so no responder certificate is needed.
    pub fn ocsp(
        &self,
        signer: &dyn Signer,
        serial_hex: &str,
        this_update: UnixTime,
        next_update: UnixTime,
    ) -> Result<Vec<u8>> {
        let serial = parse_hex(serial_hex)?;
        let records = self.issued()?;
        let status = match records.iter().find(|r| parse_hex(&r.serial).is_ok_and(|s| s == serial))
        {
            None => super::ocsp::CertStatus::Unknown,
            Some(r) => match r.revoked {
                Some(rev) if rev.date <= this_update => {
                    super::ocsp::CertStatus::Revoked { date: rev.date, reason: rev.reason }
                }
                _ => super::ocsp::CertStatus::Good,
            },
        };
        super::ocsp::build_response(&self.cert, signer, &serial, status, this_update, next_update)
    }

    /// Every certificate this CA issued.
    pub fn issued(&self) -> Result<Vec<IssuedRecord>> {
        Ok(read_state(&self.dir)?.certificates)
    }

    /// Runs `f` on the state under the exclusive lock; writes the state back if `f` says
    /// it changed it.
    fn locked<T>(&self, f: impl FnOnce(&mut State) -> Result<(T, bool)>) -> Result<T> {
        let lock = io::lock_exclusive(&self.dir.join("lock"))?;
        let mut state = read_state(&self.dir)?;
        let (out, changed) = f(&mut state)?;
        if changed {
            write_state(&self.dir, &state)?;
        }
        drop(lock); // releases the lock
        Ok(out)
    }
}

fn read_state(dir: &Path) -> Result<State> {
    let path = dir.join("state.json");
    let data = io::read(&path)?;
    let state: State = serde_json::from_slice(&data)
        .map_err(|e| Error::Ca(CaError::CorruptState(e.to_string())))
        .in_file(&path)?;
    if state.format != STATE_FORMAT {
        return Err(Error::Ca(CaError::CorruptState(format!("unknown format {}", state.format)))
            .in_file(&path));
    }
    Ok(state)
}

fn write_state(dir: &Path, state: &State) -> Result<()> {
    let path = dir.join("state.json");
    let mut json = serde_json::to_vec_pretty(state)
        .map_err(|e| Error::Ca(CaError::CorruptState(e.to_string())))?;
    json.push(b'\n');
    io::write_atomic(&path, &json, WriteOptions::PUBLIC.force(true))
}

/// Lower-case hex without separators or leading zero bytes, as stored in the state.
fn normalize_serial(s: &str) -> Result<String> {
    let bytes = parse_hex(s)?;
    Ok(hex(&bytes))
}

fn parse_hex(s: &str) -> Result<Vec<u8>> {
    let clean: String = s.chars().filter(|c| !matches!(c, ':' | ' ')).collect();
    let clean = clean.strip_prefix("0x").unwrap_or(&clean);
    if clean.is_empty()
        || !clean.len().is_multiple_of(2)
        || !clean.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return Err(Error::InvalidInput(format!("serial {s:?} is not hexadecimal")));
    }
    let bytes: Vec<u8> = (0..clean.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(&clean[i..i + 2], 16).ok())
        .collect();
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len().saturating_sub(1));
    // Keep one leading zero byte if the next byte has its top bit set (DER positivity).
    let start = if first > 0 && bytes.get(first).is_some_and(|b| b & 0x80 != 0) {
        first - 1
    } else {
        first
    };
    Ok(bytes[start..].to_vec())
}
