//! `seal ca new|issue|revoke|crl`.

use seal_core::Result;
use seal_core::io::{self, WriteOptions};
use seal_core::keys::{Signer, hex};
use seal_core::pki::ca::{Ca, NewCa};
use seal_core::pki::revocation::{self, RevocationReason};
use seal_core::pki::{Csr, Profile, Validity, certificate_to_pem, crl_to_pem, display_name};
use seal_core::secret::PassphraseSource;
use seal_core::time::UnixTime;
use serde_json::json;

use super::{invalid, time_arg};
use crate::Outcome;
use crate::cli::{CaCrlArgs, CaIssueArgs, CaNewArgs, CaOcspArgs, CaRevokeArgs, ProfileArg};

pub fn new(a: &CaNewArgs) -> Result<Outcome> {
    let spec = NewCa {
        subject: a.subject.subject(),
        algorithm: a.alg.into(),
        validity: Validity::days_from(UnixTime::now(), a.days),
        path_len: a.path_len,
        key_protection: a.pass.source(),
        kdf: a.kdf.into(),
    };
    let (ca, _key) = match (&a.parent, &a.key) {
        (None, Some(key)) => {
            let signer = super::load_signer(key, &a.pass)?;
            (Ca::init_root_with_signer(&a.dir, &spec, &*signer)?, None)
        }
        (None, None) => {
            let (ca, key) = Ca::init_root(&a.dir, &spec)?;
            (ca, Some(key))
        }
        (Some(parent_dir), _) => {
            let parent = Ca::open(parent_dir)?;
            let pass = match (&a.parent_passphrase_env, &a.parent_passphrase_file) {
                (Some(v), _) => PassphraseSource::Env(v.clone()),
                (None, Some(f)) => PassphraseSource::File(f.clone()),
                (None, None) => PassphraseSource::None,
            };
            let parent_key = parent.load_key(&pass)?;
            // The child may not outlive its parent.
            let parent_end = Validity::of(parent.certificate()).not_after;
            let mut spec = spec;
            if spec.validity.not_after > parent_end {
                spec.validity.not_after = parent_end;
            }
            let (ca, key) = Ca::init_intermediate(&a.dir, &spec, &parent, &parent_key)?;
            (ca, Some(key))
        }
    };
    let cert = ca.certificate();
    let serial = hex(cert.tbs_certificate().serial_number().as_bytes());
    let kind = if a.parent.is_some() { "intermediate" } else { "root" };
    Ok(Outcome::ok(
        format!(
            "created {kind} CA \"{}\" in {} (certificate {}, serial {serial})\n",
            display_name(cert.tbs_certificate().subject()),
            a.dir.display(),
            a.dir.join("ca.pem").display()
        ),
        json!({"kind": kind, "dir": a.dir, "certificate": a.dir.join("ca.pem"), "serial": serial}),
    ))
}

pub fn issue(a: &CaIssueArgs) -> Result<Outcome> {
    let ca = Ca::open(&a.dir)?;
    let csr = Csr::load(&a.csr)?;
    let profile = match a.profile {
        ProfileArg::Ca => Profile::Ca { path_len: a.path_len },
        ProfileArg::LicenceIssuer => Profile::LicenceIssuer,
        ProfileArg::Seal => Profile::Seal,
        ProfileArg::SealMaker => Profile::SealMaker,
        ProfileArg::TrustListSigner => Profile::TrustListSigner,
        ProfileArg::Tsa => Profile::Tsa,
    };
    if a.path_len.is_some() && !profile.is_ca() {
        return Err(invalid("--path-len only applies to the ca profile"));
    }
    if a.out.exists() && !a.force {
        // Check before issuing, so a refused output does not burn a serial.
        return Err(seal_core::Error::AlreadyExists { path: a.out.clone() });
    }
    let key = super::ca_signer(&ca, a.key.as_deref(), &a.pass)?;
    let cert = ca
        .issue(&key, &csr, profile, Validity::days_from(UnixTime::now(), a.days))
        .map_err(|e| e.in_file(&a.csr))?;
    let serial = hex(cert.tbs_certificate().serial_number().as_bytes());
    let chain = if a.cert_only { Vec::new() } else { ca.issued_chain() };
    let mut pem = certificate_to_pem(&cert)?;
    for c in &chain {
        pem.push_str(&certificate_to_pem(c)?);
    }
    io::write_atomic(&a.out, pem.as_bytes(), WriteOptions::PUBLIC.force(a.force))?;
    let _ = key.algorithm();
    Ok(Outcome::ok(
        format!(
            "issued {profile} certificate for \"{}\", serial {serial}, to {}\n",
            display_name(cert.tbs_certificate().subject()),
            a.out.display()
        ),
        json!({"certificate": a.out, "serial": serial, "profile": profile,
               "chain": chain.iter().map(|c| display_name(c.tbs_certificate().subject())).collect::<Vec<_>>(),
               "subject": display_name(cert.tbs_certificate().subject())}),
    ))
}

pub fn revoke(a: &CaRevokeArgs) -> Result<Outcome> {
    let ca = Ca::open(&a.dir)?;
    let reason: RevocationReason = a.reason.parse()?;
    let at = time_arg(a.at.as_deref())?;
    let record = ca.revoke(&a.serial, reason, at)?;
    Ok(Outcome::ok(
        format!(
            "revoked serial {} (\"{}\") on {at}, reason {reason}; publish a new CRL with `seal ca crl`\n",
            record.serial, record.subject
        ),
        json!({"serial": record.serial, "subject": record.subject, "date": at, "reason": reason}),
    ))
}

pub fn ocsp(a: &CaOcspArgs) -> Result<Outcome> {
    let ca = Ca::open(&a.dir)?;
    if a.out.exists() && !a.force {
        return Err(seal_core::Error::AlreadyExists { path: a.out.clone() });
    }
    let key = super::ca_signer(&ca, a.key.as_deref(), &a.pass)?;
    let now = UnixTime::now();
    let der = ca.ocsp(&key, &a.serial, now, now.plus_days(a.days))?;
    io::write_atomic(&a.out, &der, WriteOptions::PUBLIC.force(a.force))?;
    Ok(Outcome::ok(
        format!("wrote the OCSP response for serial {} to {}\n", a.serial, a.out.display()),
        json!({"ocsp": a.out, "serial": a.serial, "this_update": now,
               "next_update": now.plus_days(a.days)}),
    ))
}

pub fn crl(a: &CaCrlArgs) -> Result<Outcome> {
    let ca = Ca::open(&a.dir)?;
    if a.out.exists() && !a.force {
        return Err(seal_core::Error::AlreadyExists { path: a.out.clone() });
    }
    let key = super::ca_signer(&ca, a.key.as_deref(), &a.pass)?;
    let now = UnixTime::now();
    let crl = ca.crl(&key, now, now.plus_days(a.days))?;
    io::write_atomic(&a.out, crl_to_pem(&crl)?.as_bytes(), WriteOptions::PUBLIC.force(a.force))?;
    let number = revocation::crl_number(&crl).map(|n| hex(&n)).unwrap_or_default();
    let count = crl.tbs_cert_list.revoked_certificates.as_ref().map_or(0, Vec::len);
    Ok(Outcome::ok(
        format!(
            "wrote CRL number {number} with {count} revoked certificate(s) to {}, next update {}\n",
            a.out.display(),
            now.plus_days(a.days)
        ),
        json!({"crl": a.out, "number": number, "revoked": count,
               "this_update": now, "next_update": now.plus_days(a.days)}),
    ))
}
