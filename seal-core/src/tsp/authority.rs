//! A time-stamping authority whose state lives in a directory, like the CA's.
//!
//! ```text
//! DIR/tsa.json   policy, accuracy, and the next serial number not yet handed out
//! DIR/tsa.pem    the TSA's certificate (profile tsa), then its CA chain
//! DIR/tsa.key    its private key (PKCS#8 PEM, mode 0600, optionally encrypted), unless the
//!                key is on a token
//! DIR/lock       the lock file
//! ```
//!
//! Serial numbers are handed out from blocks reserved under an exclusive lock on
//! `DIR/lock`, each reservation written atomically to `tsa.json` before any serial in it is
//! used: two processes never hand out one serial, and a process killed mid-run leaves
//! unused serials behind, never a reused one.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use der::Decode;
use der::asn1::ObjectIdentifier;
use der::{Encode, asn1::Int};

use super::asn1::{FailInfo, PkiStatusInfo, TimeStampReq, TimeStampResp};
use super::token::{self, TokenParams};
use crate::digest::HashAlg;
use crate::error::{Error, Result, ResultExt};
use crate::io::{self, WriteOptions};
use crate::keys::{PrivateKey, Signer};
use crate::pki::{self, Certificate};
use crate::secret::PassphraseSource;
use crate::time::UnixTime;

const FORMAT: u32 = 1;
/// Serials reserved per write of `tsa.json`.
const BLOCK: u64 = 256;
/// The largest request read (a request is under 200 bytes; a SHA-512 one with a policy and
/// a nonce about 150).
pub const MAX_REQUEST: usize = 4096;

/// What `seal tsa new` sets.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuthorityConfig {
    /// The TSA's policy OID (RFC 3161 §2.4.2 `policy`).
    pub policy: String,
    /// How far its clock may be off, in seconds (`accuracy`; 0: not said).
    pub accuracy_seconds: u32,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct State {
    format: u32,
    #[serde(flatten)]
    config: AuthorityConfig,
    /// The lowest serial not yet reserved.
    next_serial: u64,
}

/// A TSA, opened with its signing key.
pub struct Authority {
    dir: PathBuf,
    config: AuthorityConfig,
    policy: ObjectIdentifier,
    signer: Box<dyn Signer>,
    cert_der: Vec<u8>,
    chain_der: Vec<Vec<u8>>,
    issuer_and_serial: Vec<u8>,
    /// The serials reserved and not yet handed out: [next, end).
    serials: Mutex<(u64, u64)>,
}

impl Authority {
    /// Creates a TSA in `dir` (which must not hold one) from its certificate bundle (the
    /// TSA's certificate first, profile tsa) and, unless the key is on a token, its key
    /// file, copied into the directory as it is (encrypted or not).
    pub fn create(
        dir: &Path,
        certs_pem: &[u8],
        key_file: Option<&Path>,
        config: AuthorityConfig,
    ) -> Result<()> {
        let certs = pki::certificates_from_bytes(certs_pem)?;
        let cert = certs.first().ok_or_else(|| Error::InvalidInput("no certificate".into()))?;
        if let Err(why) = pki::role::check_tsa(cert) {
            return Err(Error::InvalidInput(format!(
                "{why}: issue it with `seal ca issue --profile tsa`"
            )));
        }
        config
            .policy
            .parse::<ObjectIdentifier>()
            .map_err(|e| Error::InvalidInput(format!("policy {:?}: {e}", config.policy)))?;
        if dir.join("tsa.json").exists() {
            return Err(Error::AlreadyExists { path: dir.join("tsa.json") });
        }
        io::create_dir(dir)?;
        if let Some(key) = key_file {
            let bytes = io::read(key)?;
            io::write_atomic(&dir.join("tsa.key"), &bytes, WriteOptions::PRIVATE)?;
        }
        io::write_atomic(&dir.join("tsa.pem"), certs_pem, WriteOptions::PUBLIC)?;
        let state = State { format: FORMAT, config, next_serial: 1 };
        write_state(dir, &state, false)
    }

    /// The TSA's own key file in `dir`, decrypted with `passphrase` if it is encrypted.
    pub fn load_key(dir: &Path, passphrase: &PassphraseSource) -> Result<PrivateKey> {
        PrivateKey::load(&dir.join("tsa.key"), passphrase)
    }

    /// Opens the TSA in `dir`, signing with `signer` (its key file's or a token's), which
    /// must hold the key of the TSA's certificate.
    pub fn open(dir: &Path, signer: Box<dyn Signer>) -> Result<Authority> {
        let state = read_state(dir)?;
        let policy = state
            .config
            .policy
            .parse::<ObjectIdentifier>()
            .map_err(|e| Error::Ca(crate::error::CaError::CorruptState(e.to_string())))
            .in_file(dir.join("tsa.json"))?;
        let pem = io::read(&dir.join("tsa.pem"))?;
        let certs = pki::certificates_from_bytes(&pem).in_file(dir.join("tsa.pem"))?;
        let cert: &Certificate = certs
            .first()
            .ok_or_else(|| Error::InvalidInput("no certificate".into()))
            .in_file(dir.join("tsa.pem"))?;
        if &pki::certificate_key(cert)? != signer.public_key() {
            return Err(Error::KeyMismatch(
                "the key does not belong to the TSA's certificate".into(),
            ));
        }
        let tbs = cert.tbs_certificate();
        let issuer_and_serial = crate::tlv::encode(
            0x30,
            &[
                tbs.issuer().to_der().map_err(|e| Error::decode("issuer", e))?,
                tbs.serial_number().to_der().map_err(|e| Error::decode("serial", e))?,
            ]
            .concat(),
        );
        let mut chain_der = Vec::new();
        for c in &certs {
            chain_der.push(pki::certificate_der(c)?);
        }
        Ok(Authority {
            dir: dir.to_path_buf(),
            config: state.config,
            policy,
            signer,
            cert_der: chain_der[0].clone(),
            chain_der,
            issuer_and_serial,
            serials: Mutex::new((0, 0)),
        })
    }

    /// The TSA's settings.
    pub fn config(&self) -> &AuthorityConfig {
        &self.config
    }

    /// The TSA's certificate (DER) and its chain.
    pub fn certificates_der(&self) -> &[Vec<u8>] {
        &self.chain_der
    }

    /// A serial number never handed out before by this TSA.
    fn next_serial(&self) -> Result<u64> {
        let mut block =
            self.serials.lock().map_err(|_| Error::InvalidInput("serial lock poisoned".into()))?;
        if block.0 >= block.1 {
            *block = reserve(&self.dir, BLOCK)?;
        }
        let serial = block.0;
        block.0 += 1;
        Ok(serial)
    }

    /// A token for the `digest` (made with `hash`) of some data, at the current time,
    /// carrying the TSA's certificate and chain.
    pub fn timestamp(&self, hash: HashAlg, digest: &[u8]) -> Result<Vec<u8>> {
        self.token(token::imprint(hash, digest)?, None, true, UnixTime::now())
    }

    fn token(
        &self,
        imprint: super::asn1::MessageImprint,
        nonce: Option<Int>,
        with_certs: bool,
        time: UnixTime,
    ) -> Result<Vec<u8>> {
        let none = [];
        let params = TokenParams {
            policy: self.policy,
            imprint,
            serial: self.next_serial()?,
            time,
            accuracy_seconds: self.config.accuracy_seconds,
            nonce,
            cert_der: &self.cert_der,
            certs: if with_certs { &self.chain_der } else { &none },
            issuer_and_serial: self.issuer_and_serial.clone(),
        };
        token::sign(&params, self.signer.as_ref())
    }

    /// Answers a DER `TimeStampReq` with a DER `TimeStampResp`: a token, or a rejection
    /// naming the failure (never an error: whatever the request, the reply is a reply).
    pub fn respond(&self, request: &[u8]) -> Vec<u8> {
        match self.grant(request) {
            Ok(token) => token,
            Err((fail, text)) => rejection(fail, &text),
        }
    }

    fn grant(&self, request: &[u8]) -> std::result::Result<Vec<u8>, (FailInfo, String)> {
        if request.len() > MAX_REQUEST {
            return Err((FailInfo::BadDataFormat, format!("request over {MAX_REQUEST} bytes")));
        }
        let req = TimeStampReq::from_der(request)
            .map_err(|e| (FailInfo::BadDataFormat, format!("not a TimeStampReq: {e}")))?;
        let hash = HashAlg::from_oid(req.message_imprint.hash_algorithm.oid)
            .filter(|h| !matches!(h, HashAlg::Sha1))
            .ok_or((FailInfo::BadAlg, "unsupported hash algorithm".to_owned()))?;
        if req.message_imprint.hashed_message.as_bytes().len() != hash.output_len() {
            return Err((FailInfo::BadDataFormat, format!("not a {} hash", hash.name())));
        }
        if req.req_policy.is_some_and(|p| p != self.policy) {
            return Err((
                FailInfo::UnacceptedPolicy,
                format!("this TSA's policy is {}", self.policy),
            ));
        }
        if req.extensions.is_some() {
            return Err((FailInfo::UnacceptedExtension, "no extensions are supported".into()));
        }
        if req.nonce.as_ref().is_some_and(|n| n.as_bytes().len() > 32) {
            return Err((FailInfo::BadDataFormat, "nonce over 32 bytes".into()));
        }
        let token = self
            .token(req.message_imprint, req.nonce, req.cert_req, UnixTime::now())
            .map_err(|e| (FailInfo::SystemFailure, e.to_string()))?;
        let token = der::asn1::Any::from_der(&token)
            .map_err(|e| (FailInfo::SystemFailure, e.to_string()))?;
        let resp = TimeStampResp {
            status: PkiStatusInfo { status: 0, status_string: None, fail_info: None },
            time_stamp_token: Some(token),
        };
        resp.to_der().map_err(|e| (FailInfo::SystemFailure, e.to_string()))
    }
}

/// A rejection (status 2) with `fail` and `text`.
pub(crate) fn rejection(fail: FailInfo, text: &str) -> Vec<u8> {
    let text = der::asn1::Utf8StringRef::new(text).ok();
    let resp = TimeStampResp {
        status: PkiStatusInfo {
            status: 2,
            status_string: text.map(|t| vec![t]),
            fail_info: fail.bits().ok(),
        },
        time_stamp_token: None,
    };
    // A rejection of a few fixed parts always encodes; the fallback is its minimal form.
    resp.to_der().unwrap_or_else(|_| vec![0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x02])
}

fn read_state(dir: &Path) -> Result<State> {
    let path = dir.join("tsa.json");
    let bytes = io::read(&path)?;
    let state: State = serde_json::from_slice(&bytes)
        .map_err(|e| Error::Ca(crate::error::CaError::CorruptState(e.to_string())))
        .in_file(&path)?;
    if state.format != FORMAT {
        return Err(Error::Ca(crate::error::CaError::CorruptState(format!(
            "unknown format {}",
            state.format
        ))))
        .in_file(&path);
    }
    Ok(state)
}

fn write_state(dir: &Path, state: &State, force: bool) -> Result<()> {
    let json = serde_json::to_vec_pretty(state).map_err(|e| Error::decode("TSA state", e))?;
    io::write_atomic(&dir.join("tsa.json"), &json, WriteOptions { force, private: false })
}

/// Reserves `n` serials under the lock: returns [first, first + n).
fn reserve(dir: &Path, n: u64) -> Result<(u64, u64)> {
    let lock = io::lock_exclusive(&dir.join("lock"))?;
    let mut state = read_state(dir)?;
    let first = state.next_serial;
    state.next_serial = first.checked_add(n).ok_or_else(|| {
        Error::Ca(crate::error::CaError::CorruptState("serials exhausted".into()))
    })?;
    write_state(dir, &state, true)?;
    drop(lock);
    Ok((first, first + n))
}
