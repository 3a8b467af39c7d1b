//! The HTTP side of the CSC API v1.0.4.0: login, `credentials/list`, `credentials/info`,
//! `credentials/authorize` and `signatures/signHash`, each a JSON POST (CSC API §11); and
//! the same in v2 (2.0.0.x) when the service says so in `info` (`specs`), or the URI ends in
//! `/csc/v2`: `hashes` and `hashAlgorithmOID` for `hash` and `hashAlgo`, `authData` for
//! `PIN` and `OTP`, and the `auth/objects` of `credentials/info`.

use std::sync::Arc;
use std::time::Duration;

use base64ct::{Base64, Encoding};
use der::asn1::ObjectIdentifier;
use serde_json::{Value, json};

use super::uri::{Auth, CscUri};
use crate::error::{Error, Result};
use crate::pki::Certificate;
use crate::secret::Secret;

/// The largest answer read (a chain of certificates, or a batch of signatures).
const MAX_REPLY: u64 = 4 << 20;
/// How long one request may take, connection included.
const TIMEOUT: Duration = Duration::from_secs(60);

/// A logged-in session with a CSC service.
pub struct Client {
    agent: ureq::Agent,
    service: String,
    token: Option<Secret>,
    /// The API's major version, 1 or 2.
    version: u8,
}

/// What `credentials/info` says of a credential.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CredentialInfo {
    /// The credential ID.
    pub id: String,
    /// The signer's certificate (the first the service lists).
    pub certificate: Certificate,
    /// The rest of the chain the service sends.
    pub chain: Vec<Certificate>,
    /// The signature algorithms the key signs with (`key/algo`).
    pub algorithms: Vec<ObjectIdentifier>,
    /// The key is enabled (`key/status`).
    pub enabled: bool,
    /// A PIN is needed to authorise (`PIN/presence` true).
    pub pin: bool,
    /// An OTP is needed to authorise (`OTP/presence` true).
    pub otp: bool,
    /// Authorisations are bound to the hashes they are for (`SCAL` 2).
    pub hash_pinning: bool,
    /// How many hashes one authorisation may cover (`multisign`, at least 1).
    pub multisign: usize,
}

impl Client {
    /// Connects to the service `uri` names and logs in as it says.
    pub fn connect(uri: &CscUri) -> Result<Client> {
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::Rustls)
            .unversioned_rustls_crypto_provider(Arc::new(
                rustls::crypto::aws_lc_rs::default_provider(),
            ))
            .root_certs(roots(uri)?)
            .build();
        let agent = ureq::Agent::config_builder()
            .tls_config(tls)
            .http_status_as_error(false)
            .timeout_global(Some(TIMEOUT))
            .max_redirects(0)
            .user_agent(concat!("seal/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        let version = if uri.service.ends_with("/csc/v2") { 2 } else { 1 };
        let mut client = Client { agent, service: uri.service.clone(), token: None, version };
        client.token = match &uri.auth {
            Auth::None => None,
            Auth::Bearer(source) => source.read("bearer token for the signing service", false)?,
            Auth::Basic { user, password } => {
                let what = format!("password of {user} at the signing service");
                let password = password.read(&what, false)?.unwrap_or_default();
                let pair = zeroize::Zeroizing::new(format!("{user}:{}", password.as_str()));
                let basic = zeroize::Zeroizing::new(format!(
                    "Basic {}",
                    Base64::encode_string(pair.as_bytes())
                ));
                let answer = client.send("auth/login", Some(basic.as_str()), &json!({}))?;
                Some(client.access_token("auth/login", &answer)?)
            }
            Auth::OAuth2 { client_id, secret, token_url } => {
                let url =
                    token_url.clone().unwrap_or_else(|| format!("{}/oauth2/token", client.service));
                let what = format!("client secret of {client_id} at the signing service");
                let secret = secret.read(&what, false)?.unwrap_or_default();
                let form = [
                    ("grant_type", "client_credentials"),
                    ("client_id", client_id.as_str()),
                    ("client_secret", secret.as_str()),
                ];
                let reply = client.agent.post(&url).send_form(form);
                let answer = client.answer("oauth2/token", reply)?;
                Some(client.access_token("oauth2/token", &answer)?)
            }
        };
        // A v1 URL whose service speaks v2 (CSC API §11.1: `specs`) moves to v2.
        if client.version == 1
            && let Ok(info) = client.info()
            && info["specs"].as_str().is_some_and(|s| s.starts_with("2."))
        {
            client.service = format!("{}/csc/v2", client.service.trim_end_matches("/csc/v1"));
            client.version = 2;
        }
        Ok(client)
    }

    /// The API's major version the client speaks: 1, or 2 when the service announces it.
    pub fn version(&self) -> u8 {
        self.version
    }

    /// The service's base URL.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// `info`: what the service is and which methods it offers.
    pub fn info(&self) -> Result<Value> {
        self.post("info", &json!({}))
    }

    /// `credentials/list`: the account's credential IDs.
    pub fn credentials(&self) -> Result<Vec<String>> {
        let answer = self.post("credentials/list", &json!({}))?;
        let ids = answer["credentialIDs"].as_array().ok_or_else(|| {
            self.garbage("credentials/list", "no credentialIDs array in the answer")
        })?;
        Ok(ids.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
    }

    /// `credentials/info` with the whole chain.
    pub fn credential(&self, id: &str) -> Result<CredentialInfo> {
        let ep = "credentials/info";
        let body = json!({"credentialID": id, "certificates": "chain", "certInfo": false, "authInfo": true});
        let a = self.post(ep, &body)?;
        let mut certs = Vec::new();
        for c in a["cert"]["certificates"].as_array().into_iter().flatten() {
            let der = c
                .as_str()
                .and_then(|b| Base64::decode_vec(b).ok())
                .ok_or_else(|| self.garbage(ep, "a certificate is not base64"))?;
            let cert = crate::pki::certificates_from_bytes(&der)
                .ok()
                .and_then(|v| v.into_iter().next())
                .ok_or_else(|| self.garbage(ep, "a certificate does not decode"))?;
            certs.push(cert);
        }
        if certs.is_empty() {
            return Err(self.garbage(ep, &format!("credential {id:?} has no certificate")));
        }
        let certificate = certs.remove(0);
        let mut algorithms = Vec::new();
        for alg in a["key"]["algo"].as_array().into_iter().flatten() {
            if let Some(oid) = alg.as_str().and_then(|s| s.parse().ok()) {
                algorithms.push(oid);
            }
        }
        let present = |v: &Value| matches!(v.as_str(), Some("true")) || v.as_bool() == Some(true);
        // v2: `auth/objects`, each with an `id` ("PIN", "OTP") or a `type`.
        let object = |name: &str| {
            a["auth"]["objects"].as_array().into_iter().flatten().any(|o| {
                o["id"].as_str().is_some_and(|i| i.eq_ignore_ascii_case(name))
                    || (name == "PIN" && o["type"] == "Password" && o["id"] != "OTP")
            })
        };
        let scal = a["SCAL"]
            .as_str()
            .map(str::to_owned)
            .or_else(|| a["SCAL"].as_u64().map(|n| n.to_string()));
        Ok(CredentialInfo {
            id: id.to_owned(),
            certificate,
            chain: certs,
            algorithms,
            enabled: a["key"]["status"].as_str() != Some("disabled"),
            pin: present(&a["PIN"]["presence"]) || object("PIN"),
            otp: present(&a["OTP"]["presence"]) || object("OTP"),
            hash_pinning: scal.as_deref() == Some("2"),
            multisign: a["multisign"].as_u64().map_or(1, |n| n.clamp(1, 10_000) as usize),
        })
    }

    /// `credentials/authorize` for `hashes` (made with `hash_alg`): the SAD (signature
    /// activation data).
    pub fn authorize(
        &self,
        id: &str,
        hashes: &[Vec<u8>],
        hash_alg: ObjectIdentifier,
        pin: Option<&str>,
        otp: Option<&str>,
    ) -> Result<Secret> {
        let hashes: Vec<String> = hashes.iter().map(|h| Base64::encode_string(h)).collect();
        let mut body = json!({"credentialID": id, "numSignatures": hashes.len()});
        if self.version == 2 {
            body["hashes"] = json!(hashes);
            body["hashAlgorithmOID"] = json!(hash_alg.to_string());
            let mut auth = Vec::new();
            if let Some(pin) = pin {
                auth.push(json!({"id": "PIN", "value": pin}));
            }
            if let Some(otp) = otp {
                auth.push(json!({"id": "OTP", "value": otp}));
            }
            if !auth.is_empty() {
                body["authData"] = json!(auth);
            }
        } else {
            body["hash"] = json!(hashes);
            if let Some(pin) = pin {
                body["PIN"] = json!(pin);
            }
            if let Some(otp) = otp {
                body["OTP"] = json!(otp);
            }
        }
        let a = self.post("credentials/authorize", &body);
        // The request held the PIN: wipe its copy.
        zeroize_json(&mut body);
        let a = a?;
        match a["SAD"].as_str() {
            Some(sad) if !sad.is_empty() => Ok(Secret::new(sad.to_owned())),
            _ => Err(self.garbage("credentials/authorize", "no SAD in the answer")),
        }
    }

    /// `signatures/signHash`: one signature per hash, in order.
    pub fn sign_hash(
        &self,
        id: &str,
        sad: &str,
        hashes: &[Vec<u8>],
        hash_alg: ObjectIdentifier,
        sign_alg: ObjectIdentifier,
    ) -> Result<Vec<Vec<u8>>> {
        let ep = "signatures/signHash";
        let hashes: Vec<String> = hashes.iter().map(|h| Base64::encode_string(h)).collect();
        let (hash_key, alg_key) =
            if self.version == 2 { ("hashes", "hashAlgorithmOID") } else { ("hash", "hashAlgo") };
        let body = json!({
            "credentialID": id,
            "SAD": sad,
            hash_key: hashes,
            alg_key: hash_alg.to_string(),
            "signAlgo": sign_alg.to_string(),
        });
        let a = self.post(ep, &body)?;
        let sigs = a["signatures"]
            .as_array()
            .ok_or_else(|| self.garbage(ep, "no signatures array in the answer"))?;
        if sigs.len() != hashes.len() {
            return Err(
                self.garbage(ep, &format!("{} signatures for {} hashes", sigs.len(), hashes.len()))
            );
        }
        sigs.iter()
            .map(|s| {
                s.as_str()
                    .and_then(|b| Base64::decode_vec(b).ok())
                    .ok_or_else(|| self.garbage(ep, "a signature is not base64"))
            })
            .collect()
    }

    fn post(&self, endpoint: &str, body: &Value) -> Result<Value> {
        let bearer =
            self.token.as_ref().map(|t| zeroize::Zeroizing::new(format!("Bearer {}", t.as_str())));
        self.send(endpoint, bearer.as_deref().map(String::as_str), body)
    }

    fn send(&self, endpoint: &str, authorization: Option<&str>, body: &Value) -> Result<Value> {
        let url = format!("{}/{endpoint}", self.service);
        let mut req = self.agent.post(&url).content_type("application/json");
        if let Some(a) = authorization {
            req = req.header("Authorization", a);
        }
        let payload = zeroize::Zeroizing::new(body.to_string());
        self.answer(endpoint, req.send(payload.as_bytes()))
    }

    /// The JSON of a 2xx answer, or the service's CSC error.
    fn answer(
        &self,
        endpoint: &str,
        reply: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Value> {
        let mut reply = reply.map_err(|e| self.error(endpoint, None, "network", &e.to_string()))?;
        let status = reply.status().as_u16();
        let body = reply
            .body_mut()
            .with_config()
            .limit(MAX_REPLY)
            .read_to_vec()
            .map_err(|e| self.error(endpoint, Some(status), "network", &e.to_string()))?;
        let json: Option<Value> = serde_json::from_slice(&body).ok();
        if (200..300).contains(&status) {
            return json.filter(Value::is_object).ok_or_else(|| {
                self.error(
                    endpoint,
                    Some(status),
                    "invalid_response",
                    "the answer is not a JSON object",
                )
            });
        }
        // CSC API §10.1: {"error": "...", "error_description": "..."}.
        let (code, description) = match &json {
            Some(j) => (
                j["error"].as_str().unwrap_or("http_error").to_owned(),
                j["error_description"].as_str().unwrap_or("(no description)").to_owned(),
            ),
            None => ("http_error".to_owned(), printable(&body)),
        };
        Err(self.error(endpoint, Some(status), &code, &description))
    }

    fn access_token(&self, endpoint: &str, answer: &Value) -> Result<Secret> {
        match answer["access_token"].as_str() {
            Some(t) if !t.is_empty() => Ok(Secret::new(t.to_owned())),
            _ => Err(self.garbage(endpoint, "no access_token in the answer")),
        }
    }

    fn garbage(&self, endpoint: &str, what: &str) -> Error {
        self.error(endpoint, None, "invalid_response", what)
    }

    fn error(&self, endpoint: &str, status: Option<u16>, code: &str, description: &str) -> Error {
        Error::Remote {
            service: self.service.clone(),
            endpoint: endpoint.to_owned(),
            status,
            code: code.to_owned(),
            description: description.chars().take(300).collect(),
        }
    }
}

/// The first bytes of a non-JSON answer, as text a person can read.
fn printable(body: &[u8]) -> String {
    let text: String = String::from_utf8_lossy(&body[..body.len().min(200)])
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.trim().is_empty() { "(an empty answer)".into() } else { text.trim().to_owned() }
}

/// Overwrites every string in a JSON value (one that held a PIN or an OTP).
fn zeroize_json(v: &mut Value) {
    use zeroize::Zeroize;
    match v {
        Value::String(s) => s.zeroize(),
        Value::Array(a) => a.iter_mut().for_each(zeroize_json),
        Value::Object(o) => o.values_mut().for_each(zeroize_json),
        _ => {}
    }
}

/// The CA certificates TLS trusts: the URI's `ca` file, or the system's bundle.
fn roots(uri: &CscUri) -> Result<ureq::tls::RootCerts> {
    let certs: Vec<ureq::tls::Certificate<'static>> = match &uri.ca {
        Some(path) => {
            let data = crate::io::read(path)?;
            let certs: Vec<_> = ureq::tls::parse_pem(&data)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                    _ => None,
                })
                .collect();
            if certs.is_empty() {
                return Err(Error::InvalidInput(format!(
                    "{}: no PEM certificate to trust for TLS",
                    path.display()
                )));
            }
            certs
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            if found.certs.is_empty() {
                return Err(Error::InvalidInput(format!(
                    "no CA certificates found on this system for TLS ({}): name a bundle \
                     with ca=FILE in the CSC URI",
                    found.errors.first().map_or("none installed".into(), ToString::to_string)
                )));
            }
            found
                .certs
                .iter()
                .map(|c| ureq::tls::Certificate::from_der(c.as_ref()).to_owned())
                .collect()
        }
    };
    Ok(ureq::tls::RootCerts::from(certs))
}
