//! The HTTP/1.1 server the services share (`tsa serve`, `seal serve`): hyper on tokio,
//! bounded in what a client may hold. A request's headers and its body are read within
//! 10 s each and its body up to the service's limit; a connection lives at most a minute,
//! and at most 512 are open at once. Handlers are plain functions run off the connection
//! tasks' threads (signing is CPU-bound), so whatever a client sends, it gets an answer
//! and the server goes on.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Result};

/// How long a client may take to send its headers, and then its body.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections open at once; more wait in the listen queue.
const MAX_CONNECTIONS: usize = 512;
/// How long a connection may live, whatever the client does.
const CONNECTION_LIFETIME: Duration = Duration::from_secs(60);

/// A request as a handler sees it: the body read whole, or why it could not be.
// The TSA reads the method and the body only; the CSC service reads the rest.
#[cfg_attr(not(feature = "csc-server"), allow(dead_code))]
pub(crate) struct Request {
    pub(crate) method: hyper::Method,
    pub(crate) path: String,
    pub(crate) headers: hyper::HeaderMap,
    pub(crate) peer: SocketAddr,
    pub(crate) body: std::result::Result<Vec<u8>, BodyError>,
}

/// Why a request's body was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BodyError {
    /// Over the service's limit.
    TooLarge(usize),
    /// Not sent within the time allowed.
    TooSlow,
    /// The connection broke, or the body was not valid HTTP.
    Unreadable(String),
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyError::TooLarge(n) => write!(f, "request over {n} bytes"),
            BodyError::TooSlow => f.write_str("the request was not sent in time"),
            BodyError::Unreadable(e) => write!(f, "the request could not be read: {e}"),
        }
    }
}

/// A handler's answer.
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) content_type: &'static str,
    pub(crate) body: Vec<u8>,
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Response {
    pub(crate) fn new(status: u16, content_type: &'static str, body: Vec<u8>) -> Response {
        Response { status, content_type, body, headers: Vec::new() }
    }
}

/// What answers each request.
pub(crate) type Handler = Arc<dyn Fn(Request) -> Response + Send + Sync>;

/// A running server.
pub struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts serving on `listen` (e.g. `127.0.0.1:8080`; port 0 picks a free port) with
    /// `threads` worker threads; bodies over `max_body` bytes are not read.
    pub(crate) fn start_with(
        listen: &str,
        threads: usize,
        max_body: usize,
        handler: Handler,
    ) -> Result<Server> {
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
            runtime.block_on(accept(listener, handler, max_body, stopped));
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
    handler: Handler,
    max_body: usize,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else { return };
        let (stream, peer) = tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(_) => continue,
            },
        };
        let handler = Arc::clone(&handler);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let handler = Arc::clone(&handler);
                async move {
                    Ok::<_, std::convert::Infallible>(
                        handle(&handler, request, peer, max_body).await,
                    )
                }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(READ_TIMEOUT)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            let _ = tokio::time::timeout(CONNECTION_LIFETIME, connection).await;
            drop(slot);
        });
    }
}

type Body = http_body_util::Full<hyper::body::Bytes>;

async fn handle(
    handler: &Handler,
    request: hyper::Request<hyper::body::Incoming>,
    peer: SocketAddr,
    max_body: usize,
) -> hyper::Response<Body> {
    use http_body_util::BodyExt;
    let (parts, body) = request.into_parts();
    let limited = http_body_util::Limited::new(body, max_body);
    let body = match tokio::time::timeout(READ_TIMEOUT, limited.collect()).await {
        Err(_) => Err(BodyError::TooSlow),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            Err(BodyError::TooLarge(max_body))
        }
        Ok(Err(e)) => Err(BodyError::Unreadable(e.to_string())),
        Ok(Ok(body)) => Ok(body.to_bytes().to_vec()),
    };
    let request = Request {
        method: parts.method,
        path: parts.uri.path().to_owned(),
        headers: parts.headers,
        peer,
        body,
    };
    let answer = tokio::task::block_in_place(|| handler(request));
    let mut r = hyper::Response::new(Body::new(answer.body.into()));
    *r.status_mut() = hyper::StatusCode::from_u16(answer.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = r.headers_mut();
    let all =
        std::iter::once(("content-type", answer.content_type.to_owned())).chain(answer.headers);
    for (name, value) in all {
        if let Ok(v) = hyper::header::HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
    r
}
