//! `seal key new`, `seal key pub`, `seal key cert`, `seal csr`.

use seal_core::csc::CscUri;
use seal_core::error::ResultExt;
use seal_core::io::{self, WriteOptions};
use seal_core::keys::{PrivateKey, PublicKey, Signer};
use seal_core::pki::{self, Csr};
use seal_core::{Error, Result};
use serde_json::json;

use super::new_key_passphrase;
use crate::Outcome;
use crate::cli::{Alg, CsrArgs, KeyNewArgs, KeyPubArgs};

pub fn new(a: &KeyNewArgs) -> Result<Outcome> {
    if let Some(uri) = &a.pkcs11 {
        let key = seal_core::keys::pkcs11::Pkcs11Signer::generate(
            &uri.parse()?,
            &a.pass.source(),
            a.alg.into(),
        )?;
        let public_pem = key.public_key().to_pem()?;
        if let Some(p) = &a.public {
            io::write_atomic(p, public_pem.as_bytes(), WriteOptions::PUBLIC.force(a.force))?;
        }
        return Ok(Outcome::ok(
            format!("generated {} key pair on the token: {uri}\n", key.algorithm()),
            json!({"algorithm": key.algorithm().name(), "uri": uri, "public_key": a.public}),
        ));
    }
    let out = a
        .out
        .as_ref()
        .ok_or_else(|| seal_core::Error::InvalidInput("pass --out FILE or --pkcs11 URI".into()))?;
    let pass = new_key_passphrase(&a.pass)?;
    let key = match a.alg {
        Alg::Rsa | Alg::RsaPss => PrivateKey::generate_rsa(a.bits, a.alg.into())?,
        other => PrivateKey::generate(other.into())?,
    };
    key.save(out, pass.as_deref().map(String::as_str), a.kdf.into(), a.force)?;
    let public_pem = key.public_key().to_pem()?;
    if let Some(p) = &a.public {
        io::write_atomic(p, public_pem.as_bytes(), WriteOptions::PUBLIC.force(a.force))?;
    }
    let alg = key.algorithm();
    Ok(Outcome::ok(
        format!(
            "wrote {} private key to {}{}\n",
            alg,
            out.display(),
            if pass.is_some() { " (encrypted)" } else { "" }
        ),
        json!({
            "algorithm": alg.name(),
            "private_key": out,
            "public_key": a.public,
            "encrypted": pass.is_some(),
            "key_id": seal_core::keys::hex(&key.public_key().key_identifier()),
        }),
    ))
}

pub fn public(a: &KeyPubArgs) -> Result<Outcome> {
    // A token key, a certificate, a public key, or a private key.
    let is_uri = a.input.to_str().is_some_and(|s| s.starts_with("pkcs11:") || CscUri::is_csc(s));
    let data = if is_uri { Vec::new() } else { io::read(&a.input)? };
    let key = if is_uri {
        super::load_signer(&a.input, &a.pass)?.public_key().clone()
    } else if let Ok(certs) = pki::certificates_from_bytes(&data) {
        pki::certificate_key(&certs[0]).in_file(&a.input)?
    } else if let Ok(k) = PublicKey::from_bytes(&data) {
        k
    } else {
        super::load_signer(&a.input, &a.pass)?.public_key().clone()
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

pub fn certificates(a: &KeyPubArgs) -> Result<Outcome> {
    let uri = a.input.to_str().filter(|s| CscUri::is_csc(s)).ok_or_else(|| {
        Error::InvalidInput(format!(
            "{}: not a remote credential (csc+https://...): a key file or token keeps no \
             certificate",
            a.input.display()
        ))
    })?;
    let signer = super::csc_signer(uri, &a.pass)?;
    let chain = signer.certificate_chain();
    let mut pem = String::new();
    for cert in chain {
        pem.push_str(&pki::certificate_to_pem(cert)?);
    }
    let subject = pki::display_name(signer.certificate().tbs_certificate().subject());
    let json = json!({"credential": signer.info().id, "subject": subject, "certificates": chain.len(), "pem": pem});
    match &a.out {
        Some(out) => {
            io::write_atomic(out, pem.as_bytes(), WriteOptions::PUBLIC.force(a.force))?;
            let text = format!(
                "wrote {} certificates of \"{subject}\" to {}\n",
                chain.len(),
                out.display()
            );
            Ok(Outcome::ok(text, json))
        }
        None => Ok(Outcome::ok(pem, json)),
    }
}

pub fn csr(a: &CsrArgs) -> Result<Outcome> {
    let key = super::load_signer(&a.key, &a.pass)?;
    let csr = Csr::build(&a.subject.subject(), &key)?;
    io::write_atomic(&a.out, csr.to_pem()?.as_bytes(), WriteOptions::PUBLIC.force(a.force))?;
    Ok(Outcome::ok(
        format!(
            "wrote certificate request for \"{}\" to {}\n",
            pki::display_name(csr.subject()),
            a.out.display()
        ),
        json!({"csr": a.out, "subject": pki::display_name(csr.subject()), "algorithm": key.algorithm().name()}),
    ))
}

pub fn token_list(a: &crate::cli::TokenListArgs) -> Result<Outcome> {
    use std::fmt::Write;
    let tokens = seal_core::keys::pkcs11::list_tokens(&a.module)?;
    let mut t = String::new();
    for tok in &tokens {
        let _ = writeln!(
            t,
            "slot {}: token \"{}\" ({} {})",
            tok.slot, tok.label, tok.manufacturer, tok.model
        );
        for (label, id, kind) in &tok.keys {
            let _ = writeln!(t, "  key \"{label}\" id {id} ({kind})");
        }
    }
    if tokens.is_empty() {
        t.push_str("no tokens\n");
    }
    Ok(Outcome::ok(t, json!(tokens)))
}
