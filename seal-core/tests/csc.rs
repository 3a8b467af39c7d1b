//! The CSC client through the library: [`CscSigner`] against certomancer-csc-dummy (an
//! independent service, PyPI) signs batches under one authorisation per `multisign` chunk,
//! and against a scripted service on 127.0.0.1 that answers wrongly on purpose: a wrong
//! PIN is asked once and never again, and garbage, a signature by another key or the wrong
//! number of signatures are refused, each naming the endpoint.
#![cfg(feature = "csc")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use base64ct::{Base64, Encoding};
use common::{Fixture, python};
use seal_core::csc::{CscSigner, CscUri};
use seal_core::digest::HashAlg;
use seal_core::keys::{Algorithm, PrivateKey, Signer};
use seal_core::secret::PassphraseSource;
use serde_json::{Value, json};

struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn batches_are_signed_under_one_authorisation_per_multisign_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("keys")).unwrap();
    for k in ["root", "agency", "agency-rsa"] {
        let out = d.join(format!("keys/{k}.key.pem"));
        let status = Command::new("openssl")
            .args(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out"])
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success());
    }
    let config =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../seal-cli/tests/interop/certomancer-csc.yml");
    std::fs::copy(config, d.join("c.yml")).unwrap();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let _server = Killed(
        Command::new(python())
            .args(["-m", "csc_dummy", "c.yml", &port.to_string(), "2"])
            .current_dir(d)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(d.join("csc.log")).unwrap())
            .spawn()
            .unwrap(),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "certomancer-csc-dummy did not start");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let uri: CscUri =
        format!("csc+http://127.0.0.1:{port}/?credential=seal-csc/agency").parse().unwrap();
    let signer = CscSigner::open(&uri, &PassphraseSource::None).unwrap();
    assert_eq!(signer.algorithm(), Algorithm::EcdsaP256Sha256);
    assert_eq!(signer.info().multisign, 10);
    assert!(signer.info().hash_pinning);
    assert_eq!(signer.certificate_chain().len(), 2);
    let messages: Vec<Vec<u8>> = (0..25).map(|i| format!("document {i}").into_bytes()).collect();
    let hashes: Vec<Vec<u8>> = messages.iter().map(|m| HashAlg::Sha256.hash(m)).collect();
    let sigs = signer.sign_hashes(&hashes).unwrap();
    assert_eq!(sigs.len(), 25);
    for (m, s) in messages.iter().zip(&sigs) {
        signer.public_key().verify(m, s).unwrap();
    }
    // One message through the Signer trait.
    let s = signer.sign(b"one more").unwrap();
    signer.public_key().verify(b"one more", &s).unwrap();
    let log = access_log(&d.join("csc.log"), 8);
    assert_eq!(log.matches("POST /csc/v1/credentials/authorize").count(), 4, "{log}");
    assert_eq!(log.matches("POST /csc/v1/signatures/signHash").count(), 4, "{log}");
}

/// The service's log once it records `n` authorisations and signings (it writes each
/// line after answering; bounded: 10 s).
fn access_log(path: &Path, n: usize) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let log = std::fs::read_to_string(path).unwrap();
        let seen = log.matches("POST /csc/v1/credentials/authorize").count()
            + log.matches("POST /csc/v1/signatures/signHash").count();
        if seen >= n || std::time::Instant::now() > deadline {
            return log;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// What the scripted service answers to `signatures/signHash`.
#[derive(Clone, Copy)]
enum SignHash {
    /// Signatures by another key.
    OtherKey,
    /// Not a signature.
    Garbage,
    /// One signature fewer than hashes.
    TooFew,
}

/// The requests a scripted service received: endpoint, JSON body (a form as a string) and
/// the Authorization header.
type Requests = Arc<Mutex<Vec<(String, Value, String)>>>;

/// A CSC service on 127.0.0.1 that answers from a script; returns its URL and the
/// requests it received (endpoint and JSON body).
fn scripted(fx: &Fixture, pin: &'static str, sign_hash: SignHash) -> (String, Requests) {
    scripted_with(fx, pin, None, sign_hash, false)
}

/// [`scripted`], asking for an OTP too when `otp` is given; with `v2`, a service that
/// announces CSC API 2.0.0.2 in `info` and answers v2 requests at `/csc/v2/` only.
fn scripted_with(
    fx: &Fixture,
    pin: &'static str,
    otp: Option<&'static str>,
    sign_hash: SignHash,
    v2: bool,
) -> (String, Requests) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("csc+http://{}/csc/v1?credential=c1", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let cert = seal_core::pki::certificate_der(&fx.agency).unwrap();
    let other = PrivateKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
            let (mut len, mut authorization) = (0, String::new());
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                if h == "\r\n" || h.is_empty() {
                    break;
                }
                if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap();
                }
                if h.to_ascii_lowercase().starts_with("authorization:") {
                    authorization = h["authorization:".len()..].trim().to_owned();
                }
            }
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            let body: Value = serde_json::from_slice(&body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
            let own = if v2 { "/csc/v2/" } else { "/csc/v1/" };
            let endpoint = match path.strip_prefix(own) {
                Some(e) => e.to_owned(),
                // A v2 service answers `info` at v1's path too, nothing else there.
                None if path == "/csc/v1/info" => "info".to_owned(),
                None => format!("unknown {path}"),
            };
            log.lock().unwrap().push((endpoint.clone(), body.clone(), authorization));
            let pin_given = if v2 {
                body["authData"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|o| o["id"] == "PIN")
                    .map(|o| o["value"].clone())
                    .unwrap_or(Value::Null)
            } else {
                body["PIN"].clone()
            };
            let hash_key = if v2 { "hashes" } else { "hash" };
            let (status, answer) = match endpoint.as_str() {
                "info" if v2 => (200, json!({"specs": "2.0.0.2", "name": "scripted v2"})),
                "credentials/info" if v2 => (
                    200,
                    json!({
                        "key": {"status": "enabled", "algo": ["1.2.840.10045.4.3.2"], "len": 256},
                        "cert": {"certificates": [Base64::encode_string(&cert)]},
                        "auth": {"mode": "explicit", "objects": [{"type": "Password", "id": "PIN"}]},
                        "SCAL": "2", "multisign": 5,
                    }),
                ),
                "credentials/info" => (
                    200,
                    json!({
                        "key": {"status": "enabled", "algo": ["1.2.840.10045.4.3.2"], "len": 256},
                        "cert": {"certificates": [Base64::encode_string(&cert)]},
                        "authMode": "explicit", "PIN": {"presence": "true"}, "SCAL": "2", "multisign": 5,
                    "OTP": {"presence": if otp.is_some() { "true" } else { "false" }},
                    }),
                ),
                "oauth2/token" => (200, json!({"access_token": "tok-1", "expires_in": 3600})),
                "credentials/authorize" if otp.is_some_and(|o| body["OTP"] != o) => (
                    400,
                    json!({"error": "invalid_otp", "error_description": "The OTP is invalid"}),
                ),
                "credentials/authorize"
                    if v2
                        && (body["hashes"].as_array().map(Vec::len)
                            != body["numSignatures"].as_u64().map(|n| n as usize)
                            || body["hashAlgorithmOID"] != "2.16.840.1.101.3.4.2.1") =>
                {
                    (400, json!({"error": "invalid_request", "error_description": "not v2"}))
                }
                "credentials/authorize" if pin_given == pin => (200, json!({"SAD": "sad-1"})),
                "credentials/authorize" => {
                    (400, json!({"error": "invalid_pin", "error_description": "The PIN is wrong"}))
                }
                "signatures/signHash" => {
                    let n = body[hash_key].as_array().map_or(0, Vec::len);
                    let sigs: Vec<String> = match sign_hash {
                        SignHash::OtherKey => (0..n)
                            .map(|_| {
                                let s = other.sign(b"something else").unwrap();
                                Base64::encode_string(&s.to_x509().unwrap())
                            })
                            .collect(),
                        SignHash::Garbage => vec!["AAAA".into(); n],
                        SignHash::TooFew => vec!["AAAA".into(); n.saturating_sub(1)],
                    };
                    (200, json!({"signatures": sigs}))
                }
                _ => (
                    404,
                    json!({"error": "invalid_request", "error_description": "no such method"}),
                ),
            };
            let text = answer.to_string();
            let reply = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    (url, seen)
}

fn count(seen: &Requests, endpoint: &str) -> usize {
    seen.lock().unwrap().iter().filter(|(e, _, _)| e == endpoint).count()
}

#[test]
fn a_wrong_pin_is_sent_once_and_never_again() {
    let fx = Fixture::new(Algorithm::EcdsaP256Sha256);
    let (url, seen) = scripted(&fx, "1234", SignHash::OtherKey);
    let pin = PassphraseSource::Value(seal_core::secret::Secret::new("9999".into()));
    let signer = CscSigner::open(&url.parse().unwrap(), &pin).unwrap();
    let e = signer.sign(b"doc 1").unwrap_err().to_string();
    assert!(e.contains("credentials/authorize: invalid_pin (HTTP 400): The PIN is wrong"), "{e}");
    let e = signer.sign(b"doc 2").unwrap_err().to_string();
    assert!(e.contains("not asking") && e.contains("lock-out"), "{e}");
    assert_eq!(count(&seen, "credentials/authorize"), 1);
    assert_eq!(count(&seen, "signatures/signHash"), 0);
    // The PIN went in the authorisation request, for exactly the hash to be signed.
    let seen = seen.lock().unwrap();
    let (_, body, _) = seen.iter().find(|(e, _, _)| e == "credentials/authorize").unwrap();
    assert_eq!(body["PIN"], "9999");
    assert_eq!(body["hash"][0], Base64::encode_string(&HashAlg::Sha256.hash(b"doc 1")));
    assert_eq!(body["numSignatures"], 1);
}

#[test]
fn a_credential_that_needs_a_pin_without_one_is_refused_before_asking() {
    let fx = Fixture::new(Algorithm::EcdsaP256Sha256);
    let (url, seen) = scripted(&fx, "1234", SignHash::OtherKey);
    let signer = CscSigner::open(&url.parse().unwrap(), &PassphraseSource::None).unwrap();
    assert!(signer.sign(b"doc").is_err());
    assert_eq!(count(&seen, "credentials/authorize"), 0);
}

#[test]
fn signatures_the_service_should_not_have_returned_are_refused() {
    let fx = Fixture::new(Algorithm::EcdsaP256Sha256);
    for (answer, why) in [
        (SignHash::OtherKey, "does not verify with the credential's certificate"),
        (SignHash::Garbage, "not a p256 signature"),
        (SignHash::TooFew, "4 signatures for 5 hashes"),
    ] {
        let (url, _) = scripted(&fx, "1234", answer);
        let pin = PassphraseSource::Value(seal_core::secret::Secret::new("1234".into()));
        let signer = CscSigner::open(&url.parse().unwrap(), &pin).unwrap();
        let hashes: Vec<Vec<u8>> = (0..5u8).map(|i| HashAlg::Sha256.hash(&[i])).collect();
        let e = signer.sign_hashes(&hashes).unwrap_err().to_string();
        assert!(
            e.contains("signatures/signHash: invalid_response") && e.to_lowercase().contains(why),
            "{e}"
        );
    }
}

#[test]
fn oauth2_client_credentials_log_in_and_the_token_goes_with_every_request() {
    let fx = Fixture::new(Algorithm::EcdsaP256Sha256);
    let (url, seen) = scripted_with(&fx, "1234", Some("654321"), SignHash::Garbage, false);
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("client.secret");
    std::fs::write(&secret, "s3cret\n").unwrap();
    let otp = dir.path().join("otp");
    std::fs::write(&otp, "654321").unwrap();
    let uri = format!(
        "{url}&auth=oauth2&client-id=batch-1&secret-source=file:{}&otp-source=file:{}",
        secret.display(),
        otp.display()
    );
    let signer = CscSigner::open(&uri.parse().unwrap(), &pin("1234")).unwrap();
    assert!(signer.info().otp);
    // The SAD is granted (PIN and OTP right); the scripted signHash answers garbage.
    let e = signer.sign(b"doc").unwrap_err().to_string();
    assert!(e.contains("signatures/signHash: invalid_response"), "{e}");
    let seen = seen.lock().unwrap();
    let (_, form, _) = seen.iter().find(|(e, _, _)| e == "oauth2/token").unwrap();
    let form = form.as_str().unwrap();
    for part in ["grant_type=client_credentials", "client_id=batch-1", "client_secret=s3cret"] {
        assert!(form.contains(part), "{form}");
    }
    for (endpoint, body, authorization) in seen.iter().filter(|(e, _, _)| e != "oauth2/token") {
        assert_eq!(authorization, "Bearer tok-1", "{endpoint}");
        if endpoint == "credentials/authorize" {
            assert_eq!(
                (body["PIN"].as_str(), body["OTP"].as_str()),
                (Some("1234"), Some("654321"))
            );
        }
    }
}

#[test]
fn a_wrong_otp_is_named_and_a_missing_one_is_asked_for() {
    let fx = Fixture::new(Algorithm::EcdsaP256Sha256);
    let (url, _) = scripted_with(&fx, "1234", Some("654321"), SignHash::Garbage, false);
    let signer = CscSigner::open(&url.parse().unwrap(), &pin("1234")).unwrap();
    let e = signer.sign(b"doc").unwrap_err().to_string();
    assert!(e.contains("needs an OTP: add otp-source=env:VAR"), "{e}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("otp"), "111111").unwrap();
    let uri = format!("{url}&otp-source=file:{}", dir.path().join("otp").display());
    let signer = CscSigner::open(&uri.parse().unwrap(), &pin("1234")).unwrap();
    let e = signer.sign(b"doc").unwrap_err().to_string();
    assert!(e.contains("invalid_otp (HTTP 400): The OTP is invalid"), "{e}");
}

fn pin(p: &str) -> PassphraseSource {
    PassphraseSource::Value(seal_core::secret::Secret::new(p.into()))
}

/// A service that announces CSC API v2 in `info` is spoken to in v2: its paths, `hashes`
/// and `hashAlgorithmOID`, the PIN in `authData`, the PIN read from `auth/objects`.
#[test]
fn a_service_that_announces_v2_is_spoken_to_in_v2() {
    let fx = Fixture::new(Algorithm::EcdsaP256Sha256);
    let (url, seen) = scripted_with(&fx, "1234", None, SignHash::OtherKey, true);
    let signer = CscSigner::open(&url.parse().unwrap(), &pin("1234")).unwrap();
    assert!(signer.info().pin);
    // The SAD is granted under v2's rules; the scripted signature is another key's.
    let e = signer.sign(b"doc").unwrap_err().to_string();
    assert!(e.contains("/csc/v2: signatures/signHash") && e.contains("does not verify"), "{e}");
    let seen = seen.lock().unwrap();
    assert!(!seen.iter().any(|(e, _, _)| e.starts_with("unknown")), "{seen:?}");
    let (_, body, _) = seen.iter().find(|(e, _, _)| e == "signatures/signHash").unwrap();
    assert!(body["hashes"].is_array() && body["hashAlgorithmOID"] == "2.16.840.1.101.3.4.2.1");
}
