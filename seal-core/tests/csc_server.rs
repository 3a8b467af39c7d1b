//! `csc::server` (what `seal serve` runs) through the library, on 127.0.0.1: seal's CSC
//! client signs through it, and every way of asking for what was not authorised is refused
//! with its CSC error and signs nothing: a wrong password or token, a wrong PIN (and the
//! lock-out after the limit, even for the right PIN), a SAD replayed, used for another hash,
//! expired, forged or of another account's credential, and oversized or malformed requests.
//! The audit log holds one line per signature and nothing else signs.
#![cfg(feature = "csc-server")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write};
use std::sync::Arc;

use base64ct::{Base64, Encoding};
use common::Fixture;
use seal_core::csc::server::{Service, hash_secret};
use seal_core::csc::{Client, CscSigner, CscUri};
use seal_core::digest::HashAlg;
use seal_core::keys::{Algorithm, Signer};
use seal_core::secret::{PassphraseSource, Secret};
use serde_json::Value;

struct Running {
    server: Option<seal_core::tsp::http::Server>,
    url: String,
    dir: std::path::PathBuf,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            s.stop();
        }
    }
}

/// A service with two accounts, each with its own credential (P-256 key files issued by
/// the fixture's CA), PINs 1234 and 5678, 3 PIN attempts, SADs living `sad_secs`.
fn service(fx: &Fixture, sad_secs: u64) -> Running {
    service_limited(fx, sad_secs, 600)
}

/// [`service`] allowing `per_minute` requests a minute to each account.
fn service_limited(fx: &Fixture, sad_secs: u64, per_minute: u32) -> Running {
    let d = fx.dir.path().join(format!("serve-{sad_secs}-{per_minute}"));
    std::fs::create_dir_all(&d).unwrap();
    let mut credentials = String::new();
    for (id, key, cert) in
        [("agency-1", &fx.agency_key, &fx.agency), ("maker-1", &fx.maker_key, &fx.maker)]
    {
        key.save(&d.join(format!("{id}.key")), None, seal_core::keys::Kdf::Scrypt, false).unwrap();
        let pem = seal_core::pki::certificate_to_pem(cert).unwrap()
            + &seal_core::pki::certificate_to_pem(fx.prov.certificate()).unwrap();
        std::fs::write(d.join(format!("{id}.pem")), pem).unwrap();
        let pin = if id == "agency-1" { "1234" } else { "5678" };
        credentials += &format!(
            "[[credentials]]\nid = \"{id}\"\nkey = \"{id}.key\"\ncertificates = \"{id}.pem\"\npin = \"{}\"\n",
            hash_secret(pin).unwrap()
        );
    }
    let config = format!(
        "state_dir = \"state\"\naudit_log = \"audit.log\"\n[limits]\nmax_pin_attempts = 3\nsad_lifetime_secs = {sad_secs}\nmultisign = 10\nrequests_per_minute = {per_minute}\n\
         [[accounts]]\nname = \"clerk\"\npassword = \"{}\"\ncredentials = [\"agency-1\"]\n\
         [[accounts]]\nname = \"maker\"\npassword = \"{}\"\ncredentials = [\"maker-1\"]\n{credentials}",
        hash_secret("clerk-pass").unwrap(),
        hash_secret("maker-pass").unwrap(),
    );
    std::fs::write(d.join("serve.toml"), config).unwrap();
    for (user, password) in
        [("clerk", "clerk-pass"), ("maker", "maker-pass"), ("nobody", "clerk-pass")]
    {
        std::fs::write(d.join(format!("{user}.password")), password).unwrap();
    }
    let service = Arc::new(Service::load(&d.join("serve.toml")).unwrap());
    let server = service.serve("127.0.0.1:0", 2).unwrap();
    let url = format!("http://{}/csc/v1", server.addr());
    Running { server: Some(server), url, dir: d }
}

/// The account's password is in `USER.password` in the service's directory.
fn uri(r: &Running, user: &str, credential: &str) -> CscUri {
    let file = r.dir.join(format!("{user}.password"));
    format!(
        "csc+{}?credential={credential}&auth=basic&user={user}&password-source=file:{}",
        r.url,
        file.display()
    )
    .parse()
    .unwrap()
}

fn signs(r: &Running) -> usize {
    let log = std::fs::read_to_string(r.dir.join("audit.log")).unwrap_or_default();
    log.lines().filter(|l| l.contains("\"event\":\"sign\"") && l.contains("\"signed\"")).count()
}

fn pin(p: &str) -> PassphraseSource {
    PassphraseSource::Value(Secret::new(p.into()))
}

fn refusal(e: seal_core::Error) -> (Option<u16>, String, String) {
    match e {
        seal_core::Error::Remote { status, code, description, .. } => (status, code, description),
        other => panic!("not a refusal: {other}"),
    }
}

#[test]
fn seals_client_signs_through_the_service_and_each_signature_is_audited() {
    let fx = Fixture::new(Algorithm::EcdsaP256Sha256);
    let r = service(&fx, 300);
    let signer = CscSigner::open(&uri(&r, "clerk", "agency-1"), &pin("1234")).unwrap();
    assert_eq!(signer.certificate(), &fx.agency);
    assert!(signer.info().pin && signer.info().hash_pinning);
    let messages: Vec<Vec<u8>> = (0..23).map(|i| format!("licence {i}").into_bytes()).collect();
    let hashes: Vec<Vec<u8>> = messages.iter().map(|m| HashAlg::Sha256.hash(m)).collect();
    let sigs = signer.sign_hashes(&hashes).unwrap();
    for (m, s) in messages.iter().zip(&sigs) {
        fx.agency_key.public_key().verify(m, s).unwrap();
    }
    assert_eq!(signs(&r), 23);
    // One authorisation per chunk of 10.
    let log = std::fs::read_to_string(r.dir.join("audit.log")).unwrap();
    assert_eq!(log.matches("\"outcome\":\"authorised\"").count(), 3);
    // A stamp through the remote key verifies like one made with the key file.
    let digest: [u8; 32] = HashAlg::Sha256.hash(b"decision 19").try_into().unwrap();
    let stamp = seal_core::seal::make_stamp(
        &fx.seal,
        &digest,
        "decision.txt",
        common::now(),
        &signer,
        &fx.agency,
    )
    .unwrap();
    let stamp = seal_core::seal::Stamp::from_der(&stamp).unwrap();
    assert!(stamp.verify_signature().is_ok());
    // The account sees its own credential only.
    let client = Client::connect(&uri(&r, "clerk", "agency-1")).unwrap();
    assert_eq!(client.credentials().unwrap(), ["agency-1"]);
}

#[test]
fn wrong_passwords_tokens_and_pins_are_refused_and_the_credential_locks() {
    let fx = Fixture::new(Algorithm::EcdsaP256Sha256);
    let r = service(&fx, 300);
    // A name the service does not know, and a wrong password.
    let e = Client::connect(&uri(&r, "nobody", "agency-1")).err().unwrap();
    assert_eq!(
        refusal(e),
        (Some(401), "invalid_request".into(), "Invalid username or password".into())
    );
    let bad: CscUri = format!(
        "csc+{}?credential=agency-1&auth=basic&user=clerk&password-source=file:{}",
        r.url,
        r.dir.join("maker.password").display()
    )
    .parse()
    .unwrap();
    assert_eq!(refusal(Client::connect(&bad).err().unwrap()).1, "invalid_request");
    // No token, and a forged one.
    let none: CscUri = format!("csc+{}?credential=agency-1", r.url).parse().unwrap();
    let e = CscSigner::open(&none, &pin("1234")).err().unwrap();
    assert_eq!(refusal(e).0, Some(401));
    let (status, body) = raw(&r, "credentials/list", "Bearer eyJrIjoiYWNjZXNzIn0.AAAA", "{}");
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_token")));

    let h = vec![HashAlg::Sha256.hash(b"x")];
    let client = Client::connect(&uri(&r, "clerk", "agency-1")).unwrap();
    for attempt in 1..=2 {
        let e = client
            .authorize("agency-1", &h, HashAlg::Sha256.oid(), Some("0000"), None)
            .err()
            .unwrap();
        assert_eq!(
            refusal(e),
            (Some(400), "invalid_pin".into(), "The PIN is invalid".into()),
            "{attempt}"
        );
    }
    // The third wrong PIN locks the credential; then even the right PIN is refused.
    let e =
        client.authorize("agency-1", &h, HashAlg::Sha256.oid(), Some("0000"), None).err().unwrap();
    assert_eq!(refusal(e).2, "Credential locked");
    let e =
        client.authorize("agency-1", &h, HashAlg::Sha256.oid(), Some("1234"), None).err().unwrap();
    assert_eq!(refusal(e).2, "Credential locked");
    // Another credential is not locked by it.
    let maker = Client::connect(&uri(&r, "maker", "maker-1")).unwrap();
    assert!(maker.authorize("maker-1", &h, HashAlg::Sha256.oid(), Some("5678"), None).is_ok());
    assert_eq!(signs(&r), 0);
    let log = std::fs::read_to_string(r.dir.join("audit.log")).unwrap();
    assert!(!log.contains("0000") && !log.contains("1234") && !log.contains("clerk-pass"), "{log}");
    // An operator unlocks it by removing its counter; the lock-out is shared through it.
    for f in std::fs::read_dir(r.dir.join("state/attempts")).unwrap() {
        std::fs::remove_file(f.unwrap().path()).unwrap();
    }
    assert!(client.authorize("agency-1", &h, HashAlg::Sha256.oid(), Some("1234"), None).is_ok());
}

#[test]
fn a_sad_signs_once_its_own_hashes_for_its_own_account_and_not_after_it_expires() {
    let fx = Fixture::new(Algorithm::EcdsaP256Sha256);
    let r = service(&fx, 300);
    let clerk = Client::connect(&uri(&r, "clerk", "agency-1")).unwrap();
    let maker = Client::connect(&uri(&r, "maker", "maker-1")).unwrap();
    let (h1, h2) = (vec![HashAlg::Sha256.hash(b"one")], vec![HashAlg::Sha256.hash(b"two")]);
    let sha256 = HashAlg::Sha256.oid();
    let ecdsa = Algorithm::EcdsaP256Sha256.signature_algorithm_identifier().oid;
    let sad = clerk.authorize("agency-1", &h1, HashAlg::Sha256.oid(), Some("1234"), None).unwrap();
    // Another hash than it was issued for.
    let e = clerk.sign_hash("agency-1", &sad, &h2, sha256, ecdsa).err().unwrap();
    assert_eq!(refusal(e).2, "Hash is not authorized by the SAD");
    // Another account presenting it, or asking for another account's credential.
    let e = maker.sign_hash("agency-1", &sad, &h1, sha256, ecdsa).err().unwrap();
    assert_eq!(refusal(e).2, "Invalid parameter credentialID");
    let e =
        clerk.authorize("maker-1", &h1, HashAlg::Sha256.oid(), Some("5678"), None).err().unwrap();
    assert_eq!(refusal(e).2, "Invalid parameter credentialID");
    // A forged one: the same payload, another MAC.
    let forged = format!("{}.{}", sad.split('.').next().unwrap(), "A".repeat(43));
    let e = clerk.sign_hash("agency-1", &forged, &h1, sha256, ecdsa).err().unwrap();
    assert_eq!(refusal(e).2, "Invalid parameter SAD");
    assert_eq!(signs(&r), 0);
    // Once, then never again.
    assert_eq!(clerk.sign_hash("agency-1", &sad, &h1, sha256, ecdsa).unwrap().len(), 1);
    let e = clerk.sign_hash("agency-1", &sad, &h1, sha256, ecdsa).err().unwrap();
    assert_eq!(refusal(e).2, "Invalid parameter SAD: it has been used");
    assert_eq!(signs(&r), 1);

    // Expired: a service whose SADs live one second.
    let short = service(&fx, 1);
    let client = Client::connect(&uri(&short, "clerk", "agency-1")).unwrap();
    let sad = client.authorize("agency-1", &h1, HashAlg::Sha256.oid(), Some("1234"), None).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let e = client.sign_hash("agency-1", &sad, &h1, sha256, ecdsa).err().unwrap();
    assert_eq!(refusal(e).2, "Invalid parameter SAD: it has expired");
    assert_eq!(signs(&short), 0);
}

/// A request written by hand: (status, JSON answer).
fn raw(r: &Running, endpoint: &str, authorization: &str, body: &str) -> (u16, Value) {
    let addr = r.url.trim_start_matches("http://").split('/').next().unwrap().to_owned();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    let req = format!(
        "POST /csc/v1/{endpoint} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {authorization}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = s.write_all(req.as_bytes());
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    let status = answer.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let json = answer
        .split("\r\n\r\n")
        .nth(1)
        .and_then(|b| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null);
    (status, json)
}

#[test]
fn malformed_and_oversized_requests_get_csc_errors_and_the_service_goes_on() {
    let fx = Fixture::new(Algorithm::EcdsaP256Sha256);
    let r = service(&fx, 300);
    let client = Client::connect(&uri(&r, "clerk", "agency-1")).unwrap();
    let token = {
        let basic = Base64::encode_string(b"clerk:clerk-pass");
        let (status, body) = raw(&r, "auth/login", &format!("Basic {basic}"), "{}");
        assert_eq!(status, 200);
        format!("Bearer {}", body["access_token"].as_str().unwrap())
    };
    let big = format!("{{\"credentialID\": \"{}\"}}", "x".repeat(300 * 1024));
    for (endpoint, body, status, description) in [
        ("credentials/info", "{not json", 400, "The request body is not a JSON object"),
        ("credentials/info", "[1, 2]", 400, "The request body is not a JSON object"),
        ("credentials/info", big.as_str(), 413, "request over 262144 bytes"),
        ("credentials/info", "{}", 400, "Missing (or invalid type) string parameter credentialID"),
        (
            "credentials/authorize",
            r#"{"credentialID": "agency-1", "numSignatures": 0}"#,
            400,
            "Invalid value for parameter numSignatures",
        ),
        (
            "credentials/authorize",
            r#"{"credentialID": "agency-1", "numSignatures": 11}"#,
            400,
            "Numbers of signatures is too high",
        ),
        (
            "credentials/authorize",
            r#"{"credentialID": "agency-1", "numSignatures": 1, "hash": ["AAAA"]}"#,
            400,
            "Invalid Base64 hash string parameter",
        ),
        (
            "credentials/authorize",
            r#"{"credentialID": "agency-1", "numSignatures": 1}"#,
            400,
            "Missing (or invalid type) array parameter hash",
        ),
        (
            "signatures/signHash",
            r#"{"credentialID": "agency-1", "SAD": 7}"#,
            400,
            "Missing (or invalid type) string parameter SAD",
        ),
        ("signatures/nothing", "{}", 404, "Unknown method \"/csc/v1/signatures/nothing\""),
    ] {
        let (got, answer) = raw(&r, endpoint, &token, body);
        assert_eq!(
            (got, answer["error_description"].as_str()),
            (status, Some(description)),
            "{endpoint} {}",
            &body[..body.len().min(60)]
        );
    }
    // Half a request, then nothing: the service answers the others meanwhile.
    let addr = r.url.trim_start_matches("http://").split('/').next().unwrap().to_owned();
    let mut stalled = std::net::TcpStream::connect(&addr).unwrap();
    stalled.write_all(b"POST /csc/v1/info HTTP/1.1\r\nContent-Length: 100\r\n\r\n{").unwrap();
    assert_eq!(client.credentials().unwrap(), ["agency-1"]);
    assert_eq!(signs(&r), 0);
}

#[test]
fn a_key_that_signs_no_digests_is_refused_when_the_service_loads() {
    let fx = Fixture::new(Algorithm::Ed25519);
    let d = fx.dir.path();
    fx.agency_key.save(&d.join("ed.key"), None, seal_core::keys::Kdf::Scrypt, false).unwrap();
    std::fs::write(d.join("ed.pem"), seal_core::pki::certificate_to_pem(&fx.agency).unwrap())
        .unwrap();
    let config = "state_dir = \"state\"\naudit_log = \"audit.log\"\n[[credentials]]\nid = \"ed\"\nkey = \"ed.key\"\ncertificates = \"ed.pem\"\n";
    std::fs::write(d.join("serve.toml"), config).unwrap();
    let e = Service::load(&d.join("serve.toml")).err().unwrap().to_string();
    assert!(
        e.contains("serve.toml")
            && e.contains("credential \"ed\"")
            && e.contains("signs messages, not digests"),
        "{e}"
    );
    // A certificate of another key.
    std::fs::write(d.join("ed.pem"), seal_core::pki::certificate_to_pem(&fx.maker).unwrap())
        .unwrap();
    let e = Service::load(&d.join("serve.toml")).err().unwrap().to_string();
    assert!(e.contains("does not match the first certificate"), "{e}");
}

#[test]
fn an_account_over_its_rate_is_refused_and_others_are_not() {
    let fx = Fixture::new(Algorithm::EcdsaP256Sha256);
    let r = service_limited(&fx, 300, 5);
    let clerk = Client::connect(&uri(&r, "clerk", "agency-1")).unwrap();
    // The 6th request of a minute is refused (the 11th at most, should the minute turn
    // between the requests).
    let refused = (0..11).find_map(|_| clerk.credentials().err()).expect("a refusal");
    assert_eq!(
        refusal(refused),
        (Some(429), "too_many_requests".into(), "over 5 requests a minute".into())
    );
    let maker = Client::connect(&uri(&r, "maker", "maker-1")).unwrap();
    assert_eq!(maker.credentials().unwrap(), ["maker-1"]);
}

#[test]
fn secrets_named_prompt_are_asked_through_the_programs_prompt() {
    let fx = Fixture::new(Algorithm::EcdsaP256Sha256);
    let r = service(&fx, 300);
    let text = format!(
        "csc+{}?credential=agency-1&auth=basic&user=clerk&password-source=prompt&pin-source=prompt",
        r.url
    );
    let mut uri: CscUri = text.parse().unwrap();
    // Without a prompt the program says so.
    let e = Client::connect(&uri).err().unwrap().to_string();
    assert!(e.contains("says prompt, and this program has no prompt"), "{e}");
    let asked = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = asked.clone();
    uri.prompt_with(&PassphraseSource::callback(move |r| {
        log.lock().unwrap().push(r.what.to_owned());
        Ok(Secret::new(if r.what.starts_with("PIN") { "1234" } else { "clerk-pass" }.into()))
    }));
    let signer = CscSigner::open(&uri, &PassphraseSource::None).unwrap();
    let sig = signer.sign(b"asked once").unwrap();
    fx.agency_key.public_key().verify(b"asked once", &sig).unwrap();
    signer.sign(b"and not again").unwrap();
    let asked = asked.lock().unwrap();
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert!(
        asked[0].contains("password of clerk")
            && asked[1].starts_with("PIN of credential agency-1"),
        "{asked:?}"
    );
}

/// Two instances with one state directory (as behind a load balancer): a SAD issued by one
/// signs on the other, once in all; the token of one is good on the other; wrong PINs
/// count across both.
#[test]
fn instances_sharing_the_state_directory_act_as_one_service() {
    let fx = Fixture::new(Algorithm::EcdsaP256Sha256);
    let a = service(&fx, 300);
    let second = Arc::new(Service::load(&a.dir.join("serve.toml")).unwrap())
        .serve("127.0.0.1:0", 2)
        .unwrap();
    let b = Running {
        url: format!("http://{}/csc/v1", second.addr()),
        server: Some(second),
        dir: a.dir.clone(),
    };
    let on_a = Client::connect(&uri(&a, "clerk", "agency-1")).unwrap();
    let on_b = Client::connect(&uri(&b, "clerk", "agency-1")).unwrap();
    let h = vec![HashAlg::Sha256.hash(b"shared")];
    let (sha256, ecdsa) =
        (HashAlg::Sha256.oid(), Algorithm::EcdsaP256Sha256.signature_algorithm_identifier().oid);
    let sad = on_a.authorize("agency-1", &h, sha256, Some("1234"), None).unwrap();
    assert_eq!(on_b.sign_hash("agency-1", &sad, &h, sha256, ecdsa).unwrap().len(), 1);
    let e = on_a.sign_hash("agency-1", &sad, &h, sha256, ecdsa).err().unwrap();
    assert_eq!(refusal(e).2, "Invalid parameter SAD: it has been used");
    // Wrong PINs: two on one, one on the other, and the credential is locked on both.
    for client in [&on_a, &on_b, &on_a] {
        assert!(client.authorize("agency-1", &h, sha256, Some("0000"), None).is_err());
    }
    for client in [&on_a, &on_b] {
        let e = client.authorize("agency-1", &h, sha256, Some("1234"), None).err().unwrap();
        assert_eq!(refusal(e).2, "Credential locked");
    }
    // An access token from one is good on the other.
    let basic = format!("Basic {}", Base64::encode_string(b"clerk:clerk-pass"));
    let (_, login) = raw(&a, "auth/login", &basic, "{}");
    let bearer = format!("Bearer {}", login["access_token"].as_str().unwrap());
    let (status, list) = raw(&b, "credentials/list", &bearer, "{}");
    assert_eq!((status, list["credentialIDs"][0].as_str()), (200, Some("agency-1")));
    assert_eq!(signs(&a), 1);
}
