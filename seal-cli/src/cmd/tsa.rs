//! `seal tsa new|respond|query|verify`.

use std::path::Path;

use seal_core::Result;
use seal_core::digest::HashAlg;
use seal_core::io::{self, WriteOptions};
use seal_core::tsp::{self, Authority, AuthorityConfig};
use seal_core::verify::Report;
use serde_json::json;

use crate::Outcome;
use crate::cli::{
    TsaArgs, TsaKeyArgs, TsaNewArgs, TsaQueryArgs, TsaRespondArgs, TsaServeArgs, TsaVerifyArgs,
};

pub fn new(a: &TsaNewArgs) -> Result<Outcome> {
    let certs = io::read(&a.cert)?;
    let config = AuthorityConfig { policy: a.policy.clone(), accuracy_seconds: a.accuracy };
    Authority::create(&a.dir, &certs, a.key.as_deref(), config).map_err(|e| e.in_file(&a.dir))?;
    Ok(Outcome::ok(
        format!(
            "TSA set up in {} (policy {}, accuracy {} s)\n",
            a.dir.display(),
            a.policy,
            a.accuracy
        ),
        json!({"dir": a.dir, "policy": a.policy, "accuracy_seconds": a.accuracy}),
    ))
}

/// The TSA in `dir`, signing with `--tsa-key` or DIR/tsa.key.
fn open(dir: &Path, key: &TsaKeyArgs) -> Result<Authority> {
    let own = dir.join("tsa.key");
    let signer = super::load_signer(key.tsa_key.as_deref().unwrap_or(&own), &key.pass)?;
    Authority::open(dir, signer)
}

/// The timestamper `--tsa URL` or `--tsa-dir DIR` names, if any.
pub fn timestamper(a: &TsaArgs) -> Result<Option<Box<dyn tsp::Timestamper>>> {
    Ok(match (&a.tsa, &a.tsa_dir) {
        (Some(url), _) => Some(Box::new(tsp::http::Client { url: url.clone() })),
        (None, Some(dir)) => {
            let key = Authority::load_key(dir, &seal_core::secret::PassphraseSource::None)?;
            Some(Box::new(Authority::open(dir, Box::new(key))?))
        }
        (None, None) => None,
    })
}

pub fn respond(a: &TsaRespondArgs) -> Result<Outcome> {
    let tsa = open(&a.dir, &a.key)?;
    let request = io::read(&a.request)?;
    let reply = tsa.respond(&request);
    io::write_atomic(&a.out, &reply, WriteOptions::PUBLIC.force(a.force))?;
    let granted = tsp::token_from_reply(&reply);
    let text = match &granted {
        Ok(_) => format!("timestamp granted: {}\n", a.out.display()),
        Err(e) => format!("request refused ({e}); the rejection is in {}\n", a.out.display()),
    };
    Ok(Outcome {
        text,
        json: json!({"reply": a.out, "granted": granted.is_ok()}),
        passed: granted.is_ok(),
        error: None,
    })
}

pub fn serve(a: &TsaServeArgs) -> Result<Outcome> {
    let tsa = std::sync::Arc::new(open(&a.dir, &a.key)?);
    let server = tsp::http::Server::start(tsa, &a.listen, a.threads)?;
    // The address first, alone on its line, for scripts that asked for port 0.
    println!("listening on http://{}/", server.addr());
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    server.wait();
    Ok(Outcome::ok("", json!({})))
}

pub fn query(a: &TsaQueryArgs) -> Result<Outcome> {
    let (digest, _) = HashAlg::Sha256.hash_file(&a.input)?;
    let (reply, token) = match (&a.url, &a.tsa_dir) {
        (Some(url), _) => tsp::http::query(url, HashAlg::Sha256, &digest)?,
        (None, Some(dir)) => {
            let tsa = open(dir, &a.key)?;
            let (request, _) = tsp::request(HashAlg::Sha256, &digest)?;
            let reply = tsa.respond(&request);
            let token =
                tsp::token_for_request(&reply, &request).map_err(|e| e.in_file(&a.input))?;
            (reply, token)
        }
        (None, None) => {
            return Err(seal_core::Error::InvalidInput("give --url or --tsa-dir".into()));
        }
    };
    let (ts, _) =
        tsp::verify_token(&token, None, &Default::default(), seal_core::time::UnixTime::now())?;
    let out = a.out.clone().unwrap_or_else(|| {
        let mut p = a.input.clone().into_os_string();
        p.push(".tsr");
        p.into()
    });
    io::write_atomic(&out, &reply, WriteOptions::PUBLIC.force(a.force))?;
    Ok(Outcome::ok(
        format!(
            "timestamped {} at {} (serial {}): {}\n",
            a.input.display(),
            ts.time,
            ts.serial,
            out.display()
        ),
        json!({"reply": out, "timestamp": ts}),
    ))
}

pub fn verify(a: &TsaVerifyArgs) -> Result<Outcome> {
    let (trust, at) = a.trust.load()?;
    let token = tsp::token_from_reply(&io::read(&a.reply)?).map_err(|e| e.in_file(&a.reply))?;
    let (ts, report) = {
        // The imprint's algorithm decides how the file is hashed.
        let (ts, _) = tsp::verify_token(&token, None, &Default::default(), at)
            .map_err(|e| e.in_file(&a.reply))?;
        let hash = ts.hash_alg.ok_or_else(|| {
            seal_core::Error::InvalidInput(format!("unknown imprint hash {}", ts.hash))
                .in_file(&a.reply)
        })?;
        let (digest, _) = hash.hash_file(&a.input)?;
        tsp::verify_token(&token, Some((hash, &digest)), &trust, at)
            .map_err(|e| e.in_file(&a.reply))?
    };
    let report = Report::new(a.reply.display().to_string(), at, vec![report]);
    let text =
        format!("{report}Time:    {} (serial {}, policy {})\n", ts.time, ts.serial, ts.policy);
    Ok(Outcome {
        text,
        json: json!({"report": report, "timestamp": ts}),
        passed: report.is_valid(),
        error: None,
    })
}
