//! RFC 3161 timestamps through the CLI, both ways with OpenSSL: `openssl ts -verify`
//! accepts the replies of seal's TSA (to requests made by `openssl ts -query` and by seal),
//! seal accepts the tokens of `openssl ts -reply`, a changed byte in the data is caught by
//! both, and bad requests get a rejection, not an error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::*;

/// A seal CA and a TSA under it (profile tsa), set up in `d/tsa`.
fn seal_tsa(d: &Path) {
    let subject = ["--org", "Seal Authority", "--country", "VN"];
    seal_ok(d, &[&["ca", "new", "--dir", "root", "--cn", "Root"][..], &subject].concat());
    make_tsa(d, "root", "365");
    std::fs::write(d.join("doc.txt"), "the minutes of the council, 1 December 2026\n").unwrap();
    std::fs::write(d.join("changed.txt"), "the minutes of the council, 2 December 2026\n").unwrap();
}

fn openssl_verify(d: &Path, data: &str, reply: &str, ca: &str) -> bool {
    let args = ["ts", "-verify", "-data", data, "-in", reply, "-CAfile", ca];
    run(d, "openssl", &args).status.success()
}

#[test]
fn openssl_accepts_the_replies_of_seals_tsa() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    seal_tsa(d);
    // A request made by OpenSSL, answered by seal.
    let query = ["ts", "-query", "-data", "doc.txt", "-sha256", "-cert", "-out", "req.tsq"];
    ok(d, "openssl", &query);
    seal_ok(d, &["tsa", "respond", "req.tsq", "--dir", "tsa", "--out", "reply.tsr"]);
    assert!(openssl_verify(d, "doc.txt", "reply.tsr", "root/ca.pem"));
    assert!(!openssl_verify(d, "changed.txt", "reply.tsr", "root/ca.pem"));
    let shown = ok(d, "openssl", &["ts", "-reply", "-in", "reply.tsr", "-text"]);
    assert!(shown.contains("Status: Granted.") && shown.contains("Policy OID: 0.4.0.2023.1.1"));
    // A request made by seal; seal checks what it got, and so does OpenSSL.
    seal_ok(d, &["tsa", "query", "doc.txt", "--tsa-dir", "tsa", "--out", "ours.tsr"]);
    assert!(openssl_verify(d, "doc.txt", "ours.tsr", "root/ca.pem"));
    let verify = |data: &str, reply: &str| {
        seal(d, &["--json", "tsa", "verify", data, "--reply", reply, "--trust", "root/ca.pem"])
    };
    for reply in ["reply.tsr", "ours.tsr"] {
        let out = verify("doc.txt", reply);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
        let out = verify("changed.txt", reply);
        assert_eq!(out.status.code(), Some(1));
        let r = json(&out).to_string();
        assert!(r.contains("HASH_FAILURE") && r.contains("timestamps something else"), "{r}");
    }
    // Serial numbers differ.
    let serial = |reply: &str| {
        let text = ok(d, "openssl", &["ts", "-reply", "-in", reply, "-text"]);
        text.lines().find(|l| l.starts_with("Serial number:")).unwrap().to_owned()
    };
    assert_ne!(serial("reply.tsr"), serial("ours.tsr"));
}

#[test]
fn bad_requests_get_a_rejection() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    seal_tsa(d);
    std::fs::write(d.join("garbage.tsq"), b"\x30\x03\x02\x01").unwrap();
    let sha1 = ["ts", "-query", "-data", "doc.txt", "-sha1", "-out", "sha1.tsq"];
    ok(d, "openssl", &sha1);
    let policy = ["ts", "-query", "-data", "doc.txt", "-tspolicy", "1.2.3.4.5", "-out", "pol.tsq"];
    ok(d, "openssl", &policy);
    for (req, why) in [
        ("garbage.tsq", "not a TimeStampReq"),
        ("sha1.tsq", "unsupported hash algorithm"),
        ("pol.tsq", "policy is 0.4.0.2023.1.1"),
    ] {
        let reply = format!("{req}.tsr");
        let out = seal(d, &["tsa", "respond", req, "--dir", "tsa", "--out", &reply]);
        assert_eq!(out.status.code(), Some(1), "{req}");
        let shown = ok(d, "openssl", &["ts", "-reply", "-in", &reply, "-text"]);
        assert!(shown.contains("Status: Rejected.") && shown.contains(why), "{req}: {shown}");
        let out =
            seal(d, &["tsa", "verify", "doc.txt", "--reply", &reply, "--trust", "root/ca.pem"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.code() == Some(2) && err.contains("rejection"), "{req}: {err}");
    }
}

const OPENSSL_TSA: &str = "\
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = .
serial = ./tsaserial
crypto_device = builtin
signer_cert = ./otsa.pem
certs = ./otsa.pem
signer_key = ./otsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5
digests = sha256, sha384, sha512
accuracy = secs:1, millisecs:500, microsecs:100
clock_precision_digits = 3
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
[ tsa_ext ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
";

#[test]
fn seal_accepts_the_tokens_of_openssl_ts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("ts.cnf"), OPENSSL_TSA).unwrap();
    std::fs::write(d.join("tsaserial"), "01\n").unwrap();
    let root = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
    let root_out =
        ["-keyout", "oroot.key", "-subj", "/CN=OpenSSL TSA Root/O=Interop", "-out", "oroot.pem"];
    let ext = [
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    ];
    ok(d, "openssl", &[&root[..], &root_out, &ext].concat());
    openssl_issue_p256(d, "otsa", "/CN=OpenSSL TSA/O=Interop", "oroot", "ts.cnf", "tsa_ext");
    std::fs::write(d.join("doc.txt"), "a record kept for thirty years\n").unwrap();
    std::fs::write(d.join("changed.txt"), "a record kept for thirty-one years\n").unwrap();
    for hash in ["-sha256", "-sha512"] {
        let req = ["ts", "-query", "-data", "doc.txt", hash, "-cert", "-out", "req.tsq"];
        ok(d, "openssl", &req);
        let reply = ["ts", "-reply", "-config", "ts.cnf", "-queryfile", "req.tsq", "-out", "o.tsr"];
        ok(d, "openssl", &reply);
        let token = ["ts", "-reply", "-config", "ts.cnf", "-queryfile", "req.tsq", "-token_out"];
        ok(d, "openssl", &[&token[..], &["-out", "o.tst"]].concat());
        assert!(openssl_verify(d, "doc.txt", "o.tsr", "oroot.pem"));
        for file in ["o.tsr", "o.tst"] {
            let args =
                ["--json", "tsa", "verify", "doc.txt", "--reply", file, "--trust", "oroot.pem"];
            let out = seal(d, &args);
            let r = json(&out);
            assert_eq!(out.status.code(), Some(0), "{hash} {file}: {r:#}");
            // OpenSSL writes milliseconds (clock_precision_digits = 3) and its accuracy.
            assert_eq!(r["timestamp"]["policy"], "1.2.3.4.1");
            assert_eq!(r["timestamp"]["accuracy_micros"], 1_500_100);
            let args = ["tsa", "verify", "changed.txt", "--reply", file, "--trust", "oroot.pem"];
            assert_eq!(seal(d, &args).status.code(), Some(1), "{hash} {file}");
        }
    }
    // A certificate whose timeStamping purpose is not critical, or not alone, is no TSA
    // (RFC 3161 §2.3); OpenSSL would not sign with it either.
    let purpose = ["cert", "verify", "--trust", "oroot.pem", "--purpose", "tsa", "--json"];
    assert_eq!(seal(d, &[&purpose[..], &["otsa.pem"]].concat()).status.code(), Some(0));
    for (name, eku, why) in [
        ("weak", "timeStamping", "is not critical"),
        ("wide", "critical, timeStamping, codeSigning", "holds more than"),
    ] {
        let cnf =
            format!("[ ext ]\nkeyUsage = critical, digitalSignature\nextendedKeyUsage = {eku}\n");
        std::fs::write(d.join(format!("{name}.cnf")), cnf).unwrap();
        let subject = format!("/CN=OpenSSL {name}/O=Interop");
        openssl_issue_p256(d, name, &subject, "oroot", &format!("{name}.cnf"), "ext");
        let out = seal(d, &[&purpose[..], &[&format!("{name}.pem")]].concat());
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert!(json(&out).to_string().contains(why), "{name}: {}", json(&out));
    }
}

/// Sends raw bytes to the server at `url` and returns the whole answer.
fn raw(url: &str, bytes: &[u8]) -> Vec<u8> {
    use std::io::{Read, Write};
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    s.write_all(bytes).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out
}

fn post(url: &str, body: &[u8]) -> Vec<u8> {
    let head = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/timestamp-query\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let answer = raw(url, &[head.as_bytes(), body].concat());
    let at = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    answer[at + 4..].to_vec()
}

/// Many clients at once, every reply valid and every serial unique, through a kill and a
/// restart of the server mid-run; bad, oversized and half-sent requests answered with a
/// rejection (or 405), and the server still serving after them. Bounded: 8 clients of 25
/// requests, each retried at most 100 times.
#[test]
fn the_tsa_server_survives_load_bad_input_and_a_restart() {
    use seal_core::digest::HashAlg;
    use std::sync::{Arc, Mutex, atomic::AtomicUsize, atomic::Ordering};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    seal_tsa(d);
    let (first, url) = tsa_serve(d);
    let url = Arc::new(Mutex::new(url));
    let done = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..8)
        .map(|c| {
            let (url, done) = (Arc::clone(&url), Arc::clone(&done));
            std::thread::spawn(move || {
                let mut tokens = Vec::new();
                for i in 0..25 {
                    let digest =
                        HashAlg::Sha256.hash(format!("client {c} document {i}").as_bytes());
                    let mut tries = 0;
                    let token = loop {
                        let now = url.lock().unwrap().clone();
                        match seal_core::tsp::http::query(&now, HashAlg::Sha256, &digest) {
                            Ok((_, token)) => break token,
                            Err(e) => {
                                tries += 1;
                                assert!(tries < 100, "client {c}: {e}");
                                std::thread::sleep(std::time::Duration::from_millis(50));
                            }
                        }
                    };
                    tokens.push((digest, token));
                    done.fetch_add(1, Ordering::SeqCst);
                }
                tokens
            })
        })
        .collect();
    // Kill the server once a third of the requests are answered; start another.
    let mut first = first;
    let mut waited = 0;
    while done.load(Ordering::SeqCst) < 65 && waited < 600 {
        std::thread::sleep(std::time::Duration::from_millis(50));
        waited += 1;
    }
    first.0.kill().unwrap();
    first.0.wait().unwrap();
    let (second, new_url) = tsa_serve(d);
    *url.lock().unwrap() = new_url.clone();
    let mut serials = std::collections::HashSet::new();
    let trust = seal_core::verify::Trust {
        anchors: seal_core::pki::load_certificates(&d.join("root/ca.pem")).unwrap(),
        ..Default::default()
    };
    for client in clients {
        for (digest, token) in client.join().unwrap() {
            let (ts, r) = seal_core::tsp::verify_token(
                &token,
                Some((HashAlg::Sha256, &digest)),
                &trust,
                seal_core::time::UnixTime::now(),
            )
            .unwrap();
            assert!(r.is_valid(), "{r:?}");
            assert!(serials.insert(ts.serial.clone()), "serial {} twice", ts.serial);
        }
    }
    assert_eq!(serials.len(), 200);

    // Bad input: garbage, oversized, a GET, a request cut off mid-body.
    let rejected = |body: &[u8]| {
        let reply = post(&new_url, body);
        seal_core::tsp::token_from_reply(&reply).unwrap_err().to_string()
    };
    assert!(rejected(b"\x30\x03\x02\x01").contains("not a TimeStampReq"));
    assert!(rejected(&vec![0x30; 10_000]).contains("over 4096 bytes"));
    let get = raw(&new_url, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(String::from_utf8_lossy(&get).starts_with("HTTP/1.1 405"));
    // Twenty clients that send half a request and hold on: the others are still answered.
    let addr = new_url.trim_start_matches("http://").trim_end_matches('/').to_owned();
    let held: Vec<std::net::TcpStream> = (0..20)
        .map(|_| {
            use std::io::Write;
            let mut s = std::net::TcpStream::connect(&addr).unwrap();
            s.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n\x30\x82")
                .unwrap();
            s
        })
        .collect();
    let digest = HashAlg::Sha256.hash(b"while others hold on");
    seal_core::tsp::http::query(&new_url, HashAlg::Sha256, &digest).unwrap();
    drop(held);
    // OpenSSL's request, sent by hand, still gets a token OpenSSL accepts.
    ok(d, "openssl", &["ts", "-query", "-data", "doc.txt", "-sha512", "-cert", "-out", "q.tsq"]);
    let reply = post(&new_url, &std::fs::read(d.join("q.tsq")).unwrap());
    std::fs::write(d.join("q.tsr"), reply).unwrap();
    assert!(openssl_verify(d, "doc.txt", "q.tsr", "root/ca.pem"));
    // And `seal tsa query --url`.
    seal_ok(d, &["tsa", "query", "doc.txt", "--url", &new_url, "--out", "http.tsr"]);
    assert!(openssl_verify(d, "doc.txt", "http.tsr", "root/ca.pem"));
    drop(second);
}
