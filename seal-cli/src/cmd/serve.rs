//! `seal serve`: the CSC API service (`seal_core::csc::server`).

use std::sync::Arc;

use seal_core::csc::server::{Service, hash_secret};
use seal_core::{Error, Result};
use serde_json::json;

use crate::Outcome;
use crate::cli::ServeArgs;

pub fn run(a: &ServeArgs) -> Result<Outcome> {
    if a.hash_secret {
        let secret =
            a.pass.for_reading().read("password or PIN to hash", true)?.ok_or_else(|| {
                Error::PassphraseUnavailable(
                "give the secret with --passphrase-env, --passphrase-file or --passphrase-prompt"
                    .into(),
            )
            })?;
        let hash = hash_secret(&secret)?;
        return Ok(Outcome::ok(format!("{hash}\n"), json!({"hash": hash})));
    }
    let config = a.config.as_ref().ok_or_else(|| Error::InvalidInput("give --config".into()))?;
    if !loopback(&a.listen) {
        return Err(Error::InvalidInput(format!(
            "--listen {}: seal serve speaks plain HTTP, so it listens on a loopback address \
             only; put a TLS reverse proxy (nginx, Caddy) in front of it for other machines",
            a.listen
        )));
    }
    let service = Arc::new(Service::load(config)?);
    let server = service.serve(&a.listen, a.threads)?;
    // The address first, alone on its line, for scripts that asked for port 0.
    println!("listening on http://{}/csc/v1", server.addr());
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    server.wait();
    Ok(Outcome::ok("", json!({})))
}

fn loopback(listen: &str) -> bool {
    listen
        .parse::<std::net::SocketAddr>()
        .map(|a| a.ip().is_loopback())
        .unwrap_or_else(|_| listen.starts_with("localhost:"))
}
