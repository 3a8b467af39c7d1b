//! `seal serve`: a CSC API v1.0.4.0 service in front of key files and PKCS#11 tokens, for
//! an agency's staff and batch systems (and any CSC client: pyHanko, seal's own
//! [`super::CscSigner`]).
//!
//! - **Accounts** log in with HTTP Basic at `auth/login` and get a bearer token; each may
//!   use the credentials the configuration lists for it, and sees no other.
//! - **Authorisation** (`credentials/authorize`) takes the PIN and the hashes to be signed,
//!   and answers with a SAD bound to exactly those hashes, the account and the credential,
//!   valid for `sad_lifetime_secs`, usable once. After `max_pin_attempts` wrong PINs in a
//!   row the credential locks until an operator resets it (removes its file in
//!   `state_dir/attempts`).
//! - **Signing** (`signatures/signHash`) signs hashes a SAD authorises and writes one audit
//!   line per signature (who, which credential, which hash, when), made durable before the
//!   signatures are sent.
//! - **State** is the state directory and the audit log alone (see `state`), so instances
//!   that share the directory act as one service behind a load balancer.
//! - **Errors** are CSC errors (`{"error", "error_description"}`): `invalid_request` with
//!   the specification's descriptions, `invalid_pin`, `invalid_token` (HTTP 401),
//!   `too_many_requests` (HTTP 429, over `requests_per_minute` for an account on an
//!   instance), `server_error`.
//!
//! Passwords and PINs are stored as Argon2id hashes ([`hash_secret`]) and never logged.

mod config;
mod state;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use base64ct::{Base64, Encoding};
use der::asn1::ObjectIdentifier;
use serde_json::{Value, json};

pub use config::hash_secret;
use config::{Limits, verify_secret};
use state::State;

use crate::digest::HashAlg;
use crate::error::{Error, Result};
use crate::keys::{Algorithm, Signer, hex};
use crate::pki::Certificate;
use crate::server::{BodyError, Request, Response, Server};
use crate::time::UnixTime;

/// The largest request read: a signHash of `multisign` hashes is a few kilobytes.
const MAX_REQUEST: usize = 256 * 1024;
/// A credential the service signs with.
struct Credential {
    signer: Box<dyn Signer>,
    certificates: Vec<Certificate>,
    pin: Option<String>,
    sign_alg: ObjectIdentifier,
    hash: HashAlg,
}

/// A loaded service.
pub struct Service {
    name: String,
    limits: Limits,
    accounts: HashMap<String, config::Account>,
    credentials: HashMap<String, Credential>,
    state: State,
    rate: Mutex<HashMap<String, (u64, u32)>>,
    /// An Argon2 hash of a random secret, checked when an account does not exist, so that
    /// a wrong name takes as long as a wrong password.
    dummy_hash: String,
}

/// A refusal: HTTP status, CSC error code, description.
struct Refusal(u16, &'static str, String);

/// What a method answers: its JSON, or a refusal.
type Answer = std::result::Result<Value, Refusal>;

fn invalid(description: impl Into<String>) -> Refusal {
    Refusal(400, "invalid_request", description.into())
}

impl Service {
    /// Reads the configuration, opens every credential's key (checking that it matches its
    /// certificate and signs digests) and the state directory.
    pub fn load(config_path: &Path) -> Result<Service> {
        let file = config::File::load(config_path)?;
        let mut credentials = HashMap::new();
        for c in &file.credentials {
            let cred = open_credential(c).map_err(|e| {
                Error::InvalidInput(format!("credential {:?}: {e}", c.id)).in_file(config_path)
            })?;
            credentials.insert(c.id.clone(), cred);
        }
        Ok(Service {
            name: file.name.clone().unwrap_or_else(|| "seal serve".into()),
            limits: file.limits.clone(),
            accounts: file.accounts.iter().map(|a| (a.name.clone(), a.clone())).collect(),
            credentials,
            state: State::open(&file.state_dir, &file.audit_log)?,
            rate: Mutex::new(HashMap::new()),
            dummy_hash: {
                let mut b = [0u8; 16];
                getrandom::fill(&mut b).map_err(|e| Error::Signing(e.to_string()))?;
                hash_secret(&hex(&b))?
            },
        })
    }

    /// Serves on `listen` with `threads` worker threads.
    pub fn serve(self: Arc<Self>, listen: &str, threads: usize) -> Result<Server> {
        let handler: crate::server::Handler = Arc::new(move |r| self.answer(r));
        Server::start_with(listen, threads, MAX_REQUEST, handler)
    }

    fn answer(&self, request: Request) -> Response {
        let (status, body) = match self.route(&request) {
            Ok(v) => (200, v),
            Err(Refusal(status, code, description)) => {
                (status, json!({"error": code, "error_description": description}))
            }
        };
        Response::new(status, "application/json", body.to_string().into_bytes())
    }

    fn route(&self, r: &Request) -> Answer {
        if r.method != hyper::Method::POST {
            return Err(Refusal(405, "invalid_request", "CSC API methods are POSTed".into()));
        }
        let endpoint = r.path.strip_prefix("/csc/v1/").unwrap_or("");
        let body = match &r.body {
            Ok(b) if b.is_empty() => json!({}),
            Ok(b) => serde_json::from_slice::<Value>(b)
                .ok()
                .filter(Value::is_object)
                .ok_or_else(|| invalid("The request body is not a JSON object"))?,
            Err(e @ BodyError::TooLarge(_)) => {
                return Err(Refusal(413, "invalid_request", e.to_string()));
            }
            Err(e) => return Err(invalid(e.to_string())),
        };
        match endpoint {
            "info" => return Ok(self.info()),
            "auth/login" => return self.login(r),
            _ => {}
        }
        let account = self.bearer(r)?;
        self.count_request(&account.name)?;
        match endpoint {
            "credentials/list" => Ok(json!({"credentialIDs": account.credentials})),
            "credentials/info" => self.credential_info(account, &body),
            "credentials/authorize" => self.authorize(account, &body, r),
            "signatures/signHash" => self.sign_hash(account, &body, r),
            _ => Err(Refusal(404, "invalid_request", format!("Unknown method {:?}", r.path))),
        }
    }

    fn info(&self) -> Value {
        json!({
            "specs": "1.0.4.0",
            "name": self.name,
            "logo": "",
            "region": "VN",
            "lang": "en-US",
            "description": "seal serve: a CSC API service in front of an agency's keys",
            "authType": ["basic"],
            "methods": ["auth/login", "credentials/list", "credentials/info",
                        "credentials/authorize", "signatures/signHash"],
        })
    }

    fn login(&self, r: &Request) -> Answer {
        let denied = || Refusal(401, "invalid_request", "Invalid username or password".into());
        let basic = header(r, "authorization")
            .and_then(|h| h.strip_prefix("Basic ").map(str::to_owned))
            .and_then(|b| Base64::decode_vec(b.trim()).ok())
            .map(zeroize::Zeroizing::new)
            .ok_or_else(|| invalid("Malformed authorization header"))?;
        let text =
            std::str::from_utf8(&basic).map_err(|_| invalid("Malformed authorization header"))?;
        let (user, password) =
            text.split_once(':').ok_or_else(|| invalid("Malformed authorization header"))?;
        let account = self.accounts.get(user);
        let hash = account.map_or(self.dummy_hash.as_str(), |a| a.password.as_str());
        if !verify_secret(password, hash) || account.is_none() {
            return Err(denied());
        }
        let lifetime = self.limits.token_lifetime_secs;
        let token = self.state.seal_token(&json!({
            "k": "access", "a": user, "e": UnixTime::now().as_secs() + lifetime,
        }));
        Ok(json!({"access_token": token, "expires_in": lifetime}))
    }

    fn bearer(&self, r: &Request) -> std::result::Result<&config::Account, Refusal> {
        let refused = || Refusal(401, "invalid_token", "The access token is not valid".into());
        let token = header(r, "authorization")
            .and_then(|h| h.strip_prefix("Bearer ").map(str::to_owned))
            .ok_or_else(refused)?;
        let p = self.state.open_token(token.trim()).ok_or_else(refused)?;
        if p["k"] != "access" || p["e"].as_u64().is_none_or(|e| e < UnixTime::now().as_secs()) {
            return Err(refused());
        }
        p["a"].as_str().and_then(|a| self.accounts.get(a)).ok_or_else(refused)
    }

    fn count_request(&self, account: &str) -> std::result::Result<(), Refusal> {
        let minute = UnixTime::now().as_secs() / 60;
        let mut rate = self.rate.lock().map_err(|_| server_error("rate table poisoned"))?;
        let entry = rate.entry(account.to_owned()).or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        entry.1 += 1;
        if entry.1 > self.limits.requests_per_minute {
            return Err(Refusal(
                429,
                "too_many_requests",
                format!("over {} requests a minute", self.limits.requests_per_minute),
            ));
        }
        Ok(())
    }

    /// The account's credential the body names; another account's is as unknown as none.
    fn credential<'a>(
        &'a self,
        account: &config::Account,
        body: &Value,
    ) -> std::result::Result<(&'a str, &'a Credential), Refusal> {
        let id = body["credentialID"]
            .as_str()
            .ok_or_else(|| invalid("Missing (or invalid type) string parameter credentialID"))?;
        match self.credentials.get_key_value(id) {
            Some((id, c)) if account.credentials.iter().any(|mine| mine == id) => Ok((id, c)),
            _ => Err(invalid("Invalid parameter credentialID")),
        }
    }

    fn credential_info(&self, account: &config::Account, body: &Value) -> Answer {
        let (_, c) = self.credential(account, body)?;
        let certs: Vec<String> = match body["certificates"].as_str().unwrap_or("single") {
            "none" => Vec::new(),
            "single" => c.certificates.iter().take(1).map(b64_cert).collect(),
            "chain" => c.certificates.iter().map(b64_cert).collect(),
            _ => return Err(invalid("Invalid parameter certificates")),
        };
        let public = c.signer.public_key();
        let bits = match c.signer.algorithm() {
            Algorithm::EcdsaP384Sha384 => 384,
            Algorithm::RsaPkcs1Sha256 => public.rsa_modulus_bytes() * 8,
            _ => 256,
        };
        let presence = if c.pin.is_some() { "true" } else { "false" };
        Ok(json!({
            "key": {"status": "enabled", "algo": [c.sign_alg.to_string()], "len": bits},
            "cert": {"status": "valid", "certificates": certs},
            "authMode": "explicit",
            "PIN": {"presence": presence, "format": "A", "label": "PIN"},
            "OTP": {"presence": "false"},
            "SCAL": "2",
            "multisign": self.limits.multisign,
        }))
    }

    fn authorize(&self, account: &config::Account, body: &Value, r: &Request) -> Answer {
        let (id, c) = self.credential(account, body)?;
        let n = body["numSignatures"]
            .as_u64()
            .ok_or_else(|| invalid("Missing (or invalid type) integer parameter numSignatures"))?;
        if n == 0 {
            return Err(invalid("Invalid value for parameter numSignatures"));
        }
        if n > self.limits.multisign as u64 {
            return Err(invalid("Numbers of signatures is too high"));
        }
        let hashes = hashes(body, c.hash)?;
        if hashes.len() as u64 != n {
            return Err(invalid("numSignatures is not the number of hashes (SCAL 2)"));
        }
        if let Some(pin_hash) = &c.pin {
            let pin = body["PIN"]
                .as_str()
                .ok_or_else(|| invalid("Missing (or invalid type) string parameter PIN"))?;
            self.check_pin(id, pin, pin_hash, account, r)?;
        }
        let nonce = {
            let mut b = [0u8; 16];
            getrandom::fill(&mut b).map_err(|e| server_error(&e.to_string()))?;
            hex(&b)
        };
        let lifetime = self.limits.sad_lifetime_secs;
        let encoded: Vec<String> = hashes.iter().map(|h| Base64::encode_string(h)).collect();
        let sad = self.state.seal_token(&json!({
            "k": "sad", "a": account.name, "c": id, "h": encoded,
            "e": UnixTime::now().as_secs() + lifetime, "n": nonce,
        }));
        self.audit(
            vec![json!({"event": "authorize", "account": account.name, "credential": id,
                          "hashes": hashes.iter().map(|h| hex(h)).collect::<Vec<_>>(),
                          "outcome": "authorised"})],
            r,
        )?;
        Ok(json!({"SAD": sad, "expiresIn": lifetime}))
    }

    fn check_pin(
        &self,
        id: &str,
        pin: &str,
        pin_hash: &str,
        account: &config::Account,
        r: &Request,
    ) -> std::result::Result<(), Refusal> {
        let max = self.limits.max_pin_attempts;
        // Judged under the credential's lock: concurrent wrong PINs count one by one.
        let verdict = self
            .state
            .with_attempts(id, |wrong| {
                if wrong >= max {
                    (wrong, Err(None))
                } else if verify_secret(pin, pin_hash) {
                    (0, Ok(()))
                } else {
                    (wrong + 1, Err(Some(wrong + 1)))
                }
            })
            .map_err(|e| server_error(&e.to_string()))?;
        let outcome = match verdict {
            Ok(()) => return Ok(()),
            Err(None) => "refused: the credential is locked".to_owned(),
            Err(Some(n)) => format!("refused: wrong PIN ({n} of {max})"),
        };
        self.audit(
            vec![json!({"event": "authorize", "account": account.name, "credential": id,
                          "outcome": outcome})],
            r,
        )?;
        match verdict {
            Err(Some(n)) if n < max => {
                Err(Refusal(400, "invalid_pin", "The PIN is invalid".into()))
            }
            _ => Err(invalid("Credential locked")),
        }
    }

    fn sign_hash(&self, account: &config::Account, body: &Value, r: &Request) -> Answer {
        let (id, c) = self.credential(account, body)?;
        let sad = body["SAD"]
            .as_str()
            .ok_or_else(|| invalid("Missing (or invalid type) string parameter SAD"))?;
        let p = self
            .state
            .open_token(sad)
            .filter(|p| p["k"] == "sad")
            .ok_or_else(|| invalid("Invalid parameter SAD"))?;
        if p["a"] != account.name.as_str() || p["c"] != id {
            return Err(invalid("Invalid parameter SAD"));
        }
        if p["e"].as_u64().is_none_or(|e| e < UnixTime::now().as_secs()) {
            return Err(invalid("Invalid parameter SAD: it has expired"));
        }
        let hashes = hashes(body, c.hash)?;
        let allowed: Vec<&str> =
            p["h"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let mut seen = std::collections::HashSet::new();
        for h in &hashes {
            let b = Base64::encode_string(h);
            if !allowed.contains(&b.as_str()) || !seen.insert(b) {
                return Err(invalid("Hash is not authorized by the SAD"));
            }
        }
        let sign_alg = body["signAlgo"]
            .as_str()
            .ok_or_else(|| invalid("Missing (or invalid type) string parameter signAlgo"))?;
        if sign_alg != c.sign_alg.to_string() {
            return Err(invalid("Invalid parameter signAlgo"));
        }
        if let Some(h) = body["hashAlgo"].as_str()
            && h != c.hash.oid().to_string()
        {
            return Err(invalid("Invalid parameter hashAlgo"));
        }
        let nonce = p["n"].as_str().unwrap_or("");
        match self.state.use_once(nonce, self.limits.sad_lifetime_secs) {
            Ok(true) => {}
            Ok(false) => return Err(invalid("Invalid parameter SAD: it has been used")),
            Err(e) => return Err(server_error(&e.to_string())),
        }
        let (mut signatures, mut lines) = (Vec::new(), Vec::new());
        for h in &hashes {
            let line = |outcome: &str| {
                json!({"event": "sign", "account": account.name, "credential": id,
                       "hash": hex(h), "outcome": outcome})
            };
            match c.signer.sign_prehashed(h).and_then(|s| s.to_x509()) {
                Ok(sig) => {
                    lines.push(line("signed"));
                    signatures.push(Base64::encode_string(&sig));
                }
                Err(e) => {
                    lines.push(line(&format!("failed: {e}")));
                    self.audit(lines, r)?;
                    return Err(server_error("the key did not sign"));
                }
            }
        }
        // Every signature's line is durable before any signature is sent.
        self.audit(lines, r)?;
        Ok(json!({"signatures": signatures}))
    }

    fn audit(&self, mut lines: Vec<Value>, r: &Request) -> std::result::Result<(), Refusal> {
        let (time, peer) = (UnixTime::now().to_string(), r.peer.ip().to_string());
        for line in &mut lines {
            line["time"] = json!(time);
            line["peer"] = json!(peer);
        }
        // Nothing is answered that the log does not hold.
        self.state.audit(&lines).map_err(|e| server_error(&format!("audit log: {e}")))
    }
}

fn server_error(what: &str) -> Refusal {
    Refusal(500, "server_error", what.to_owned())
}

fn header(r: &Request, name: &str) -> Option<String> {
    r.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

fn b64_cert(c: &Certificate) -> String {
    crate::pki::certificate_der(c).map(|d| Base64::encode_string(&d)).unwrap_or_default()
}

/// The body's `hash` array, each a digest of `alg`'s length.
fn hashes(body: &Value, alg: HashAlg) -> std::result::Result<Vec<Vec<u8>>, Refusal> {
    let list = body["hash"]
        .as_array()
        .ok_or_else(|| invalid("Missing (or invalid type) array parameter hash"))?;
    if list.is_empty() {
        return Err(invalid("Empty hash array"));
    }
    list.iter()
        .map(|h| {
            h.as_str()
                .and_then(|s| Base64::decode_vec(s).ok())
                .filter(|d| d.len() == alg.output_len())
                .ok_or_else(|| invalid("Invalid Base64 hash string parameter"))
        })
        .collect()
}

/// Opens a credential's key and certificates, and checks that they belong together and that
/// the key signs digests.
fn open_credential(c: &config::Credential) -> Result<Credential> {
    let source =
        c.key_passphrase_source.as_deref().map(crate::uri::secret_source).unwrap_or_default();
    let signer: Box<dyn Signer> = if c.key.starts_with("pkcs11:") {
        #[cfg(feature = "pkcs11")]
        {
            Box::new(crate::keys::pkcs11::Pkcs11Signer::open(&c.key.parse()?, &source)?)
        }
        #[cfg(not(feature = "pkcs11"))]
        {
            return Err(Error::NotBuilt {
                capability: "keys on PKCS#11 tokens",
                feature: "pkcs11",
            });
        }
    } else {
        Box::new(crate::keys::PrivateKey::load(Path::new(&c.key), &source)?)
    };
    let certificates = crate::pki::load_certificates(&c.certificates)?;
    let first = certificates.first().ok_or_else(|| {
        Error::InvalidInput(format!("{}: no certificate", c.certificates.display()))
    })?;
    if &crate::pki::certificate_key(first)? != signer.public_key() {
        return Err(Error::KeyMismatch(format!(
            "the key does not match the first certificate of {}",
            c.certificates.display()
        )));
    }
    let algorithm = signer.algorithm();
    let hash = algorithm.hash();
    // Fails now, not at the first request, for a key that signs no digests.
    signer.sign_prehashed(&hash.hash(b"seal serve"))?;
    Ok(Credential {
        sign_alg: algorithm.signature_algorithm_identifier().oid,
        signer,
        certificates,
        pin: c.pin.clone(),
        hash,
    })
}
