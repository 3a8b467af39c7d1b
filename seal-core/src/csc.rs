//! Remote signing through the Cloud Signature Consortium API v1.0.4.0, the version
//! operational remote signing services (VNPT SmartCA, Viettel MySign, the EU's qualified
//! providers) and pyHanko speak: a [`CscSigner`] whose key sits behind the service.
//!
//! A credential is named by a `csc+https://` URI ([`CscUri`]), as a PKCS#11 key is by a
//! `pkcs11:` URI: the service, the credential, how to log in, and where each secret comes
//! from (`env:VAR` or a file, never the value). The certificate and its chain come from
//! the service (`credentials/info`); each signature is a `credentials/authorize` with the
//! PIN (and OTP) for the hashes about to be signed, then `signatures/signHash`, so a
//! service that pins its authorisations to hashes (SCAL 2) is served, and
//! [`CscSigner::sign_hashes`] signs many hashes under one authorisation per chunk of the
//! size the service allows (`multisign`). The PIN is asked once per signer and kept in a
//! zeroized buffer.
//!
//! Transport: HTTPS with rustls, the system's CA bundle (or the URI's `ca=FILE`); plain
//! HTTP only to a loopback address, for a service behind a local proxy and for tests. Every
//! failure is an [`Error::Remote`](crate::Error::Remote) naming the service, the endpoint
//! and the service's CSC error code (or `network` / `invalid_response`).

mod batch;
mod client;
#[cfg(feature = "csc-server")]
pub mod server;
mod signer;
mod uri;

pub use client::{Client, CredentialInfo};
pub use signer::CscSigner;
pub use uri::{Auth, CscUri};
