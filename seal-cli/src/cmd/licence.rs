//! `seal licence issue|verify|types`.

use std::fmt::Write;
use std::io::Read;

use seal_core::io::{self, WriteOptions};
use seal_core::keys::PrivateKey;
use seal_core::licence::{self, LicenceData, Schema, qr};
use seal_core::pki;
use seal_core::time::UnixTime;
use seal_core::verify::Report;
use seal_core::{Error, Result};
use serde_json::json;

use crate::Outcome;
use crate::cli::{LicenceIssueArgs, LicenceVerifyArgs};

pub fn issue(a: &LicenceIssueArgs) -> Result<Outcome> {
    let schema = match &a.schema {
        Some(p) => serde_json::from_slice::<Schema>(&io::read(p)?)
            .map_err(|e| Error::decode("licence schema", e).in_file(p))?,
        None => Schema::find(&a.licence_type)?,
    };
    if schema.licence_type != a.licence_type {
        return Err(Error::InvalidInput(format!(
            "the schema is for {:?}, not {:?}",
            schema.licence_type, a.licence_type
        )));
    }
    let data: LicenceData = serde_json::from_slice(&io::read(&a.data)?)
        .map_err(|e| Error::decode("licence data", e).in_file(&a.data))?;
    let key = PrivateKey::load(&a.key, &a.pass.for_reading())?;
    let cert = pki::load_certificate(&a.cert)?;
    let lic =
        licence::prepare(&schema, data, &cert, UnixTime::now()).map_err(|e| e.in_file(&a.data))?;
    let cose = licence::sign(&lic, &key, &cert)?;
    let text = licence::to_text(&cose)?;
    let base = a.out.clone().unwrap_or_else(|| lic.number.clone().into());
    let opts = WriteOptions::PUBLIC.force(a.force);
    let with_ext = |ext: &str| {
        let mut p = base.clone().into_os_string();
        p.push(format!(".{ext}"));
        std::path::PathBuf::from(p)
    };
    if let Some(dir) = base.parent().filter(|d| !d.as_os_str().is_empty()) {
        io::create_dir(dir)?;
    }
    io::write_atomic(&with_ext("txt"), format!("{text}\n").as_bytes(), opts)?;
    io::write_atomic(&with_ext("png"), &qr::png(&text)?, opts)?;
    io::write_atomic(&with_ext("svg"), qr::svg(&text)?.as_bytes(), opts)?;
    let view = serde_json::to_vec_pretty(&lic).map_err(|e| Error::decode("licence", e))?;
    io::write_atomic(&with_ext("json"), &view, opts)?;
    Ok(Outcome::ok(
        format!(
            "issued {} {} to {} ({} characters); wrote {}.txt, .png, .svg, .json\n",
            lic.licence_type,
            lic.number,
            lic.holder.name,
            text.len(),
            base.display()
        ),
        json!({"number": lic.number, "text": text, "files": base}),
    ))
}

pub fn verify(a: &LicenceVerifyArgs) -> Result<Outcome> {
    let (trust, at) = a.trust.load()?;
    let mut issuers = Vec::new();
    for p in &a.issuers {
        issuers.extend(pki::load_certificates(p)?);
    }
    let data = if a.input.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf)?;
        buf
    } else {
        io::read(&a.input)?
    };
    let text = match seal_core::seal::picture::detect(&data) {
        Some("PNG") | Some("JPG") => qr::read(&data).map_err(|e| e.in_file(&a.input))?,
        _ => String::from_utf8(data).map_err(|_| {
            Error::InvalidInput("not text and not a PNG or JPEG image".into()).in_file(&a.input)
        })?,
    };
    let cose = licence::from_text(&text).map_err(|e| e.in_file(&a.input))?;
    let (lic, sig) =
        licence::verify(&cose, &issuers, &trust, at).map_err(|e| e.in_file(&a.input))?;
    let report = Report::new(a.input.display().to_string(), at, vec![sig]);
    let mut t = String::new();
    let _ = writeln!(t, "Licence:   {} {}", lic.licence_type, lic.number);
    let _ = writeln!(t, "Holder:    {} ({})", lic.holder.name, lic.holder.id);
    let _ = writeln!(
        t,
        "Issuer:    {}{}",
        lic.issuer,
        lic.region.as_deref().map(|r| format!(", {r}")).unwrap_or_default()
    );
    let _ = writeln!(t, "Valid:     {} to {}", lic.valid_from, lic.valid_until);
    for (k, v) in &lic.attributes {
        let _ = writeln!(t, "  {k}: {v}");
    }
    t.push_str(&report.to_string());
    Ok(Outcome {
        text: t,
        json: json!({"licence": lic, "report": report}),
        passed: report.is_valid(),
    })
}

pub fn types() -> Result<Outcome> {
    let all = Schema::builtin();
    let mut t = String::new();
    for s in &all {
        let _ = writeln!(t, "{}", s.licence_type);
        for (name, spec) in &s.attributes {
            let req = if spec.required { "required" } else { "optional" };
            let _ = writeln!(t, "  {name}: {:?}, {req}", spec.kind);
        }
    }
    Ok(Outcome::ok(t, json!(all)))
}
