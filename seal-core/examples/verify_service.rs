//! A minimal HTTP verification service (axum on tokio), as a licence office or a bank would
//! run beside its own systems: it trusts the roots it was started with and checks what it is
//! sent, offline.
//!
//! ```sh
//! seal demo --dir demo
//! cargo run -p seal-core --example verify_service -- \
//!     127.0.0.1:8080 demo/root/ca.pem demo/province/ca.pem demo/licence-issuer.pem
//! curl --data-binary @demo/licence.txt http://127.0.0.1:8080/licence
//! curl --data-binary @demo/contract.stamped.pdf http://127.0.0.1:8080/document
//! ```
//!
//! - `POST /licence`: a licence's text (at most 16 KB); answers the licence and its report.
//! - `POST /document`: a PDF, OFD package, JSON document or `.p7m` with its stamps inside
//!   (at most 64 MB); answers the report.
//!
//! Both answer 200 with `"valid": true` or `false`, and 400 for input that cannot be read.
//! Verification runs on tokio's blocking threads, so that slow documents do not hold up
//! the others. Put it behind a reverse proxy (TLS, authentication, rate limits) before it
//! faces the Internet.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde_json::{Value, json};

use seal_core::verify::Trust;

const MAX_LICENCE: usize = 16 << 10;
const MAX_DOCUMENT: usize = 64 << 20;

type Answer = (StatusCode, Json<Value>);

fn refused(e: impl std::fmt::Display) -> Answer {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": e.to_string() })))
}

async fn licence(State(trust): State<Arc<Trust>>, body: Bytes) -> Answer {
    if body.len() > MAX_LICENCE {
        return refused(format!("a licence text is at most {MAX_LICENCE} bytes"));
    }
    let Ok(text) = String::from_utf8(body.to_vec()) else { return refused("not UTF-8 text") };
    let checked =
        tokio::task::spawn_blocking(move || seal_core::licence::verify_text(&text, &trust)).await;
    match checked {
        Ok(Ok((lic, report))) => (
            StatusCode::OK,
            Json(json!({ "valid": report.is_valid(), "licence": lic, "report": report })),
        ),
        Ok(Err(e)) => refused(e),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({ "error": e.to_string() }))),
    }
}

async fn document(State(trust): State<Arc<Trust>>, body: Bytes) -> Answer {
    let checked = tokio::task::spawn_blocking(move || {
        // The verifier reads files (large PDFs stream from disk): the upload goes to a
        // temporary file that is deleted afterwards.
        let mut file = tempfile::NamedTempFile::new()?;
        std::io::Write::write_all(&mut file, &body)?;
        seal_core::verify(file.path(), &trust)
    })
    .await;
    match checked {
        Ok(Ok(report)) => {
            (StatusCode::OK, Json(json!({ "valid": report.is_valid(), "report": report })))
        }
        Ok(Err(e)) => refused(e.root()),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({ "error": e.to_string() }))),
    }
}

fn app(trust: Trust) -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/licence", post(licence))
        .route("/document", post(document))
        .layer(DefaultBodyLimit::max(MAX_DOCUMENT))
        .with_state(Arc::new(trust))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [addr, root, certs @ ..] = args.as_slice() else {
        eprintln!("usage: verify_service ADDRESS:PORT ROOT.pem [CERT.pem...]");
        return std::process::ExitCode::from(2);
    };
    let trust = Trust::from_anchors(root).and_then(|mut t| {
        for c in certs {
            t.intermediates.extend(seal_core::pki::load_certificates(c.as_ref())?);
        }
        Ok(t)
    });
    let trust = match trust {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {addr}: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    eprintln!("verifying on http://{addr}");
    match axum::serve(listener, app(trust)).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(1)
        }
    }
}
