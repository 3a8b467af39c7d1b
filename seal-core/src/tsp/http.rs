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
/// How long a client may take to send its headers, and then its body.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections open at once; more wait in the listen queue.
const MAX_CONNECTIONS: usize = 512;

/// A running TSA server.
pub struct Server {
    addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts serving `authority` on `listen` (e.g. `127.0.0.1:8080`; port 0 picks a free
    /// port) with `threads` worker threads.
    pub fn start(authority: Arc<Authority>, listen: &str, threads: usize) -> Result<Server> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads.max(1))
            .enable_all()
            .build()?;
        let listener = std::net::TcpListener::bind(listen)
            .map_err(|e| Error::InvalidInput(format!("cannot listen on {listen}: {e}")))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let thread = std::thread::spawn(move || {
            runtime.block_on(accept(listener, authority, stopped));
            runtime.shutdown_timeout(Duration::from_secs(5));
        });
        Ok(Server { addr, stop: Some(stop), thread: Some(thread) })
    }

    /// The address it listens on (the port chosen, if 0 was asked).
    pub fn addr(&self) -> String {
        self.addr.to_string()
    }

    /// Serves until the process ends.
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Stops accepting connections and waits (at most a few seconds) for open ones.
    pub fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        self.wait();
    }
}

async fn accept(
    listener: tokio::net::TcpListener,
    authority: Arc<Authority>,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else { return };
        let stream = tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
        };
        let authority = Arc::clone(&authority);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let authority = Arc::clone(&authority);
                async move { Ok::<_, std::convert::Infallible>(handle(&authority, request).await) }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(READ_TIMEOUT)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            // A connection lives at most a minute, whatever the client does.
            let _ = tokio::time::timeout(Duration::from_secs(60), connection).await;
            drop(slot);
        });
    }
}

type Body = http_body_util::Full<hyper::body::Bytes>;

fn response(status: u16, content_type: &str, body: Vec<u8>) -> hyper::Response<Body> {
    let mut r = hyper::Response::new(Body::new(body.into()));
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::OK);
    if let Ok(v) = hyper::header::HeaderValue::from_str(content_type) {
        r.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    r
}

async fn handle(
    authority: &Authority,
    request: hyper::Request<hyper::body::Incoming>,
) -> hyper::Response<Body> {
    use http_body_util::BodyExt;
    if request.method() != hyper::Method::POST {
        let mut r = response(405, "text/plain", b"POST an RFC 3161 timestamp query\n".to_vec());
        r.headers_mut()
            .insert(hyper::header::ALLOW, hyper::header::HeaderValue::from_static("POST"));
        return r;
    }
    let limited = http_body_util::Limited::new(request.into_body(), MAX_REQUEST);
    let reply = match tokio::time::timeout(READ_TIMEOUT, limited.collect()).await {
        Err(_) => rejection(FailInfo::BadDataFormat, "the request was not sent in time"),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            rejection(FailInfo::BadDataFormat, &format!("request over {MAX_REQUEST} bytes"))
        }
        Ok(Err(e)) => {
            rejection(FailInfo::BadDataFormat, &format!("the request could not be read: {e}"))
        }
        Ok(Ok(body)) => {
            let body = body.to_bytes();
            // Signing is quick but CPU-bound: off the connection tasks' threads.
            tokio::task::block_in_place(|| authority.respond(&body))
        }
    };
    response(200, CONTENT_TYPE_REPLY, reply)
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
