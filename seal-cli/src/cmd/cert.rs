//! `seal cert show`, `seal cert verify`.

use std::fmt::Write;

use seal_core::Result;
use seal_core::pki::path::{self, Options, Purpose, RevocationPolicy};
use seal_core::pki::{self, CertificateInfo};
use serde_json::json;

use crate::Outcome;
use crate::cli::{CertShowArgs, CertVerifyArgs, CrlCheck, PurposeArg};

pub fn show(a: &CertShowArgs) -> Result<Outcome> {
    let certs = pki::load_certificates(&a.input)?;
    let infos: Vec<CertificateInfo> =
        certs.iter().map(CertificateInfo::new).collect::<Result<_>>()?;
    let mut text = String::new();
    for (i, c) in infos.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        let _ = writeln!(text, "Subject:       {}", c.subject);
        let _ = writeln!(text, "Issuer:        {}", c.issuer);
        let _ = writeln!(text, "Serial:        {}", c.serial);
        let _ = writeln!(text, "Valid:         {} to {}", c.not_before, c.not_after);
        let _ = writeln!(text, "Key:           {}", c.key_algorithm);
        let _ = writeln!(text, "Signature:     {}", c.signature_algorithm);
        let ca = match (c.is_ca, c.path_len) {
            (true, Some(n)) => format!("yes (pathLen {n})"),
            (true, None) => "yes".to_owned(),
            (false, _) => "no".to_owned(),
        };
        let _ = writeln!(text, "CA:            {ca}");
        let _ = writeln!(text, "Key usage:     {}", c.key_usage.join(", "));
        let _ = writeln!(text, "Key id:        {}", c.subject_key_id);
        let _ = writeln!(text, "SHA-256:       {}", c.sha256_fingerprint);
        for e in &c.extensions {
            let crit = if e.critical { " (critical)" } else { "" };
            let _ = writeln!(text, "Extension:     {}{crit}", e.oid);
        }
    }
    Ok(Outcome::ok(text, json!(infos)))
}

pub fn verify(a: &CertVerifyArgs) -> Result<Outcome> {
    let mut certs = pki::load_certificates(&a.cert)?;
    let leaf = certs.remove(0);
    let (mut trust, at) = a.trust.load()?;
    trust.intermediates.extend(certs);
    let purpose = match a.purpose {
        PurposeArg::Any => Purpose::Any,
        PurposeArg::Ca => Purpose::Ca,
        PurposeArg::LicenceIssuer => Purpose::LicenceIssuer,
        PurposeArg::Seal => Purpose::Seal,
        PurposeArg::Tsa => Purpose::TimeStamping,
    };
    let mut opts = Options::for_trust(purpose, &trust);
    let (anchors, intermediates, crls) = (trust.anchors, trust.intermediates, trust.crls);
    if let Some(check) = a.crl_check {
        opts.revocation = match check {
            CrlCheck::All => RevocationPolicy::All,
            CrlCheck::Leaf => RevocationPolicy::Leaf,
            CrlCheck::None => RevocationPolicy::Off,
        };
    }
    let report = path::validate_with(&leaf, &intermediates, &anchors, &crls, at, &opts);
    let text = format!(
        "{}: {report}loaded {} trust anchor(s), {} intermediate(s), {} CRL(s)\n",
        a.cert.display(),
        anchors.len(),
        intermediates.len(),
        crls.len()
    );
    let mut json = json!(report);
    json["file"] = json!(a.cert);
    Ok(Outcome { text, json, passed: report.is_valid(), error: None })
}
