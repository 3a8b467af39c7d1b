//! `seal key new`, `seal key pub`, `seal csr`.

use seal_core::Result;
use seal_core::error::ResultExt;
use seal_core::io::{self, WriteOptions};
use seal_core::keys::{PrivateKey, PublicKey, Signer};
use seal_core::pki::{self, Csr};
use serde_json::json;

use super::new_key_passphrase;
use crate::Outcome;
use crate::cli::{CsrArgs, KeyNewArgs, KeyPubArgs};

pub fn new(a: &KeyNewArgs) -> Result<Outcome> {
    let pass = new_key_passphrase(&a.pass)?;
    let key = PrivateKey::generate(a.alg.into())?;
    key.save(&a.out, pass.as_deref().map(String::as_str), a.kdf.into(), a.force)?;
    let public_pem = key.public_key().to_pem()?;
    if let Some(p) = &a.public {
        io::write_atomic(p, public_pem.as_bytes(), WriteOptions::PUBLIC.force(a.force))?;
    }
    let alg = key.algorithm();
    Ok(Outcome::ok(
        format!(
            "wrote {} private key to {}{}\n",
            alg,
            a.out.display(),
            if pass.is_some() { " (encrypted)" } else { "" }
        ),
        json!({
            "algorithm": alg.name(),
            "private_key": a.out,
            "public_key": a.public,
            "encrypted": pass.is_some(),
            "key_id": seal_core::keys::hex(&key.public_key().key_identifier()),
        }),
    ))
}

pub fn public(a: &KeyPubArgs) -> Result<Outcome> {
    let data = io::read(&a.input)?;
    // A certificate, a public key, or a private key.
    let key = if let Ok(certs) = pki::certificates_from_bytes(&data) {
        pki::certificate_key(&certs[0]).in_file(&a.input)?
    } else if let Ok(k) = PublicKey::from_bytes(&data) {
        k
    } else {
        PrivateKey::load(&a.input, &a.pass.for_reading())?.public_key().clone()
    };
    let pem = key.to_pem()?;
    let json = json!({"algorithm": key.algorithm().name(), "public_key_pem": pem});
    match &a.out {
        Some(out) => {
            io::write_atomic(out, pem.as_bytes(), WriteOptions::PUBLIC.force(a.force))?;
            Ok(Outcome::ok(format!("wrote public key to {}\n", out.display()), json))
        }
        None => Ok(Outcome::ok(pem, json)),
    }
}

pub fn csr(a: &CsrArgs) -> Result<Outcome> {
    let key = PrivateKey::load(&a.key, &a.pass.for_reading())?;
    let csr = Csr::build(&a.subject.subject(), &key)?;
    io::write_atomic(&a.out, csr.to_pem()?.as_bytes(), WriteOptions::PUBLIC.force(a.force))?;
    Ok(Outcome::ok(
        format!("wrote certificate request for \"{}\" to {}\n", csr.subject(), a.out.display()),
        json!({"csr": a.out, "subject": csr.subject().to_string(), "algorithm": key.algorithm().name()}),
    ))
}
