//! RFC 3161 over HTTP (§3.4): a TSA server and a client.
//!
//! The server answers `POST` with a body of `application/timestamp-query` by
//! `application/timestamp-reply`. Whatever the body (not DER, too large, a hash it does
//! not take, sent too slowly), the answer is a TimeStampResp, a rejection naming the
//! failure: a client always gets a reply it can read, and nothing a client sends stops the
//! server. A request is read up to 4 KiB, its headers and its body within 10 s each; a
//! connection lives at most a minute, and at most 512 are open at once.

use std::sync::Arc;
use std::time::Duration;

use super::Authority;
use super::asn1::FailInfo;
use super::authority::{MAX_REQUEST, rejection};
use super::{CONTENT_TYPE_QUERY, CONTENT_TYPE_REPLY};
use crate::digest::HashAlg;
use crate::error::{Error, Result};

/// The largest reply a client reads (a token with a chain of a few certificates is a few
/// kilobytes).
const MAX_REPLY: u64 = 1 << 20;

pub use crate::server::Server;

impl Server {
    /// Starts serving `authority` on `listen` (e.g. `127.0.0.1:8080`; port 0 picks a free
    /// port) with `threads` worker threads.
    pub fn start(authority: Arc<Authority>, listen: &str, threads: usize) -> Result<Server> {
        let handler: crate::server::Handler = Arc::new(move |r| respond(&authority, r));
        Server::start_with(listen, threads, MAX_REQUEST, handler)
    }
}

/// Every POST gets a TimeStampResp: a token, or a rejection naming the failure.
fn respond(authority: &Authority, request: crate::server::Request) -> crate::server::Response {
    use crate::server::Response;
    if request.method != hyper::Method::POST {
        let mut r =
            Response::new(405, "text/plain", b"POST an RFC 3161 timestamp query\n".to_vec());
        r.headers.push(("allow", "POST".into()));
        return r;
    }
    let reply = match request.body {
        Ok(body) => authority.respond(&body),
        Err(e) => rejection(FailInfo::BadDataFormat, &e.to_string()),
    };
    Response::new(200, CONTENT_TYPE_REPLY, reply)
}

/// A TSA reached over HTTP, as a [`super::Timestamper`].
#[derive(Debug, Clone)]
pub struct Client {
    /// Its URL.
    pub url: String,
}

impl super::Timestamper for Client {
    fn timestamp(&self, hash: HashAlg, digest: &[u8]) -> Result<Vec<u8>> {
        query(&self.url, hash, digest).map(|(_, token)| token)
    }
}

/// Asks the TSA at `url` for a token over `digest` (made with `hash`): sends a request
/// with a fresh nonce, and returns the reply and its token once it answers that request.
pub fn query(url: &str, hash: HashAlg, digest: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    let (request, _) = super::request(hash, digest)?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .build()
        .into();
    let fail = |e: &dyn std::fmt::Display| Error::InvalidInput(format!("TSA {url}: {e}"));
    let mut response = agent
        .post(url)
        .header("Content-Type", CONTENT_TYPE_QUERY)
        .send(&request[..])
        .map_err(|e| fail(&e))?;
    let status = response.status();
    if status != 200 {
        return Err(fail(&format!("HTTP status {status}")));
    }
    let reply =
        response.body_mut().with_config().limit(MAX_REPLY).read_to_vec().map_err(|e| fail(&e))?;
    let token = super::token_for_request(&reply, &request).map_err(|e| fail(&e))?;
    Ok((reply, token))
}
