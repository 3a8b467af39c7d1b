//! `seal licence issue|verify|types`.

use std::fmt::Write;
use std::io::Read;
use std::path::Path;

use seal_core::io::{self, WriteOptions};
use seal_core::licence::replay::ReplayState;
use seal_core::licence::trust::{self, ListedIssuer, TrustListBody};
use seal_core::licence::{self, LicenceData, Schema, qr};
use seal_core::pki;
use seal_core::time::UnixTime;
use seal_core::verify::Report;
use seal_core::{Error, Result};
use serde_json::json;

use crate::Outcome;
use crate::cli::{
    LicenceIssueArgs, LicenceStatusArgs, LicenceVerifyArgs, TrustListBuildArgs, TrustListShowArgs,
    TrustListSignArgs, TrustListVerifyArgs,
};

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
    let key = super::load_signer(&a.key, &a.pass)?;
    let cert = pki::load_certificate(&a.cert)?;
    if let (Some(batch), Some(dir)) = (&a.batch, &a.out_dir) {
        return issue_batch(a, &schema, batch, dir, &key, &cert);
    }
    let data_path = a
        .data
        .as_ref()
        .ok_or_else(|| Error::InvalidInput("pass --data FILE or --batch FILE".into()))?;
    let data: LicenceData = serde_json::from_slice(&io::read(data_path)?)
        .map_err(|e| Error::decode("licence data", e).in_file(data_path))?;
    let lic = licence::prepare(&schema, data, &cert, UnixTime::now())
        .map_err(|e| e.in_file(data_path))?;
    let text = licence::to_text(&licence::sign(&lic, &key, &cert)?)?;
    let base = a.out.clone().unwrap_or_else(|| lic.number.clone().into());
    write_outputs(&base, &lic, &text, a.force)?;
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

fn issue_batch(
    a: &LicenceIssueArgs,
    schema: &Schema,
    batch: &std::path::Path,
    dir: &std::path::Path,
    key: &dyn seal_core::keys::Signer,
    cert: &pki::Certificate,
) -> Result<Outcome> {
    let records = licence::batch::read(batch, schema)?;
    io::create_dir(dir)?;
    let bar = super::progress_bar(records.len(), "issued");
    let results =
        licence::batch::issue_many(records, schema, key, cert, UnixTime::now(), &|| bar.inc(1));
    bar.finish_and_clear();
    let mut text = String::new();
    let (mut issued, mut failed) = (0, 0);
    for (line, r) in results {
        let written = r.and_then(|(lic, t)| {
            write_outputs(&dir.join(&lic.number), &lic, &t, a.force)?;
            Ok(lic.number)
        });
        match written {
            Ok(number) => {
                issued += 1;
                let _ = writeln!(text, "line {line}: issued {number}");
            }
            Err(e) => {
                failed += 1;
                eprintln!("seal: error: {}: line {line}: {e}", batch.display());
            }
        }
    }
    let _ = writeln!(text, "{issued} issued, {failed} failed");
    let json = json!({"issued": issued, "failed": failed, "dir": dir});
    if failed == 0 {
        Ok(Outcome::ok(text, json))
    } else {
        let error = Error::InvalidInput(format!(
            "{failed} of {} licences could not be issued",
            issued + failed
        ));
        Ok(Outcome::partial(text, json, error))
    }
}

/// Writes BASE.txt (the text form), BASE.png and BASE.svg (its QR code), BASE.json (a view).
fn write_outputs(
    base: &std::path::Path,
    lic: &licence::Licence,
    text: &str,
    force: bool,
) -> Result<()> {
    let opts = WriteOptions::PUBLIC.force(force);
    let with_ext = |ext: &str| {
        let mut p = base.to_path_buf().into_os_string();
        p.push(format!(".{ext}"));
        std::path::PathBuf::from(p)
    };
    if let Some(dir) = base.parent().filter(|d| !d.as_os_str().is_empty()) {
        io::create_dir(dir)?;
    }
    io::write_atomic(&with_ext("txt"), format!("{text}\n").as_bytes(), opts)?;
    io::write_atomic(&with_ext("png"), &qr::png(text)?, opts)?;
    io::write_atomic(&with_ext("svg"), qr::svg(text)?.as_bytes(), opts)?;
    let view = serde_json::to_vec_pretty(lic).map_err(|e| Error::decode("licence", e))?;
    io::write_atomic(&with_ext("json"), &view, opts)
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
    if licence::dcc::is_dcc(&text) {
        return verify_dcc(a, &text, &issuers, &trust, at);
    }
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if lines.len() > 1 && a.trust_list.is_empty() {
        return verify_bulk(a, &lines, &issuers, &trust, at);
    }
    let cose = licence::from_text(&text).map_err(|e| e.in_file(&a.input))?;
    let state_path = a.replay.path();
    let mut state = load_state(state_path.as_deref())?;
    let mut lists = Vec::new();
    for p in &a.trust_list {
        let mut list = trust::open_trust_list(&io::read(p)?, &trust, at, a.min_sequence)
            .map_err(|e| e.in_file(p))?;
        state.check_trust_list(&mut list);
        lists.push(list);
    }
    let list_issuers: Vec<_> = lists.iter().flat_map(|l| l.certificates.iter().cloned()).collect();
    let mut statuses = Vec::new();
    for p in &a.status_list {
        let all: Vec<_> = issuers.iter().chain(&list_issuers).cloned().collect();
        let mut status = trust::open_status_list(&io::read(p)?, &all).map_err(|e| e.in_file(p))?;
        state.check_status_list(&mut status);
        statuses.push(status);
    }
    save_state(&mut state, state_path.as_deref(), &lists, &statuses)?;
    let (lic, sig) = if lists.is_empty() {
        licence::verify(&cose, &issuers, &trust, at)
    } else {
        trust::verify_licence(&cose, &lists, &statuses, &trust, at)
    }
    .map_err(|e| e.in_file(&a.input))?;
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
        error: None,
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

pub fn status(a: &LicenceStatusArgs) -> Result<Outcome> {
    let key = super::load_signer(&a.key, &a.pass)?;
    let cert = pki::load_certificate(&a.cert)?;
    let now = UnixTime::now();
    let list = trust::sign_status_list(
        &a.revoked,
        a.size,
        a.sequence,
        now,
        now.plus_days(a.days),
        &key,
        &cert,
    )?;
    io::write_atomic(&a.out, &list, WriteOptions::PUBLIC.force(a.force))?;
    Ok(Outcome::ok(
        format!(
            "wrote status list #{} ({} of {} revoked) to {}\n",
            a.sequence,
            a.revoked.len(),
            a.size,
            a.out.display()
        ),
        json!({"status_list": a.out, "sequence": a.sequence, "revoked": a.revoked.len()}),
    ))
}

pub fn build_list(a: &TrustListBuildArgs) -> Result<Outcome> {
    use base64ct::{Base64, Encoding};
    let mut issuers = Vec::new();
    for spec in &a.issuers {
        let mut parts = spec.splitn(3, ':');
        let (Some(path), Some(types)) = (parts.next(), parts.next()) else {
            return Err(Error::InvalidInput(format!(
                "--issuer {spec:?}: expected CERT:TYPE[,TYPE...][:REGION,...]"
            )));
        };
        let cert = pki::load_certificate(std::path::Path::new(path))?;
        let list =
            |s: &str| s.split(',').filter(|x| !x.is_empty()).map(str::to_owned).collect::<Vec<_>>();
        issuers.push(ListedIssuer {
            certificate: Base64::encode_string(&pki::certificate_der(&cert)?),
            licence_types: list(types),
            regions: parts.next().map(list).unwrap_or_default(),
        });
    }
    let now = UnixTime::now();
    let body = TrustListBody {
        name: a.name.clone(),
        sequence: a.sequence,
        issued: now,
        next_update: now.plus_days(a.days),
        issuers,
    };
    let json = serde_json::to_vec_pretty(&body).map_err(|e| Error::decode("trust list", e))?;
    io::write_atomic(&a.out, &json, WriteOptions::PUBLIC.force(a.force))?;
    Ok(Outcome::ok(
        format!(
            "wrote trust list \"{}\" #{} with {} issuer(s) to {}\n",
            a.name,
            a.sequence,
            body.issuers.len(),
            a.out.display()
        ),
        json!(body),
    ))
}

pub fn sign_list(a: &TrustListSignArgs) -> Result<Outcome> {
    let body: TrustListBody = serde_json::from_slice(&io::read(&a.input)?)
        .map_err(|e| Error::decode("trust list", e).in_file(&a.input))?;
    let key = super::load_signer(&a.key, &a.pass)?;
    let cert = pki::load_certificate(&a.cert)?;
    let signed = trust::sign_trust_list(&body, &key, &cert)?;
    io::write_atomic(&a.out, &signed, WriteOptions::PUBLIC.force(a.force))?;
    Ok(Outcome::ok(
        format!("signed trust list \"{}\" #{} to {}\n", body.name, body.sequence, a.out.display()),
        json!({"trust_list": a.out}),
    ))
}

pub fn show_list(a: &TrustListShowArgs) -> Result<Outcome> {
    let list = trust::open_trust_list(
        &io::read(&a.input)?,
        &seal_core::verify::Trust::default(),
        UnixTime::now(),
        0,
    )
    .map_err(|e| e.in_file(&a.input))?;
    let mut t = String::new();
    let _ = writeln!(t, "Trust list:  {} #{}", list.body.name, list.body.sequence);
    let _ = writeln!(t, "Issued:      {}, next update {}", list.body.issued, list.body.next_update);
    for (c, e) in list.certificates.iter().zip(&list.body.issuers) {
        let regions =
            if e.regions.is_empty() { "any region".to_owned() } else { e.regions.join(", ") };
        let _ = writeln!(
            t,
            "Issuer:      {} ({}; {regions})",
            pki::display_name(c.tbs_certificate().subject()),
            e.licence_types.join(", ")
        );
    }
    Ok(Outcome::ok(t, json!(list.body)))
}

pub fn verify_list(a: &TrustListVerifyArgs) -> Result<Outcome> {
    let (trust, at) = a.trust.load()?;
    let state_path = a.replay.path();
    let mut state = load_state(state_path.as_deref())?;
    let mut list = trust::open_trust_list(&io::read(&a.input)?, &trust, at, a.min_sequence)
        .map_err(|e| e.in_file(&a.input))?;
    state.check_trust_list(&mut list);
    save_state(&mut state, state_path.as_deref(), std::slice::from_ref(&list), &[])?;
    let report = Report::new(a.input.display().to_string(), at, vec![list.report]);
    Ok(Outcome {
        text: report.to_string(),
        json: json!(report),
        passed: report.is_valid(),
        error: None,
    })
}

/// An EU digital COVID certificate (`HC1:`): its signature by one of the signer
/// certificates given (`--issuers` and `--trust`), its times, and its claims.
fn verify_dcc(
    a: &LicenceVerifyArgs,
    text: &str,
    issuers: &[seal_core::pki::Certificate],
    trust: &seal_core::verify::Trust,
    at: UnixTime,
) -> Result<Outcome> {
    let signers: Vec<_> = issuers.iter().chain(&trust.anchors).cloned().collect();
    let (dcc, sig) = licence::dcc::verify(text, &signers, at).map_err(|e| e.in_file(&a.input))?;
    let report = Report::new(a.input.display().to_string(), at, vec![sig]);
    let mut t = String::new();
    if let Some(d) = &dcc {
        let _ = writeln!(
            t,
            "EU digital COVID certificate, issued by {}",
            d.issuer.as_deref().unwrap_or("?")
        );
        let _ = writeln!(t, "Holder:    {}", d.certificate["nam"]);
        let _ = writeln!(t, "Born:      {}", d.certificate["dob"]);
    }
    let _ = write!(t, "{report}");
    Ok(Outcome {
        text: t,
        json: json!({"dcc": dcc, "report": report}),
        passed: report.is_valid(),
        error: None,
    })
}

/// Many licences, one per line (a registry export): verified in bulk on all cores.
fn verify_bulk(
    a: &LicenceVerifyArgs,
    lines: &[&str],
    issuers: &[seal_core::pki::Certificate],
    trust: &seal_core::verify::Trust,
    at: UnixTime,
) -> Result<Outcome> {
    let mut coses = Vec::with_capacity(lines.len());
    let mut bad_lines = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        match licence::from_text(line) {
            Ok(c) => coses.push((n + 1, c)),
            Err(e) => bad_lines.push((n + 1, e.to_string())),
        }
    }
    let only: Vec<Vec<u8>> = coses.iter().map(|(_, c)| c.clone()).collect();
    let results = licence::verify_many(&only, issuers, trust, at);
    let mut text = String::new();
    let mut rows = Vec::new();
    let mut passed = 0;
    for ((line, _), r) in coses.iter().zip(results) {
        match r {
            Ok((lic, rep)) => {
                if rep.is_valid() {
                    passed += 1;
                }
                let sub = rep.sub_indication.map(|s| format!(" ({s})")).unwrap_or_default();
                let _ = writeln!(text, "line {line}: {} {}{sub}", lic.number, rep.indication);
                rows.push(json!({"line": line, "number": lic.number, "indication": rep.indication, "sub_indication": rep.sub_indication}));
            }
            Err(e) => bad_lines.push((*line, e.to_string())),
        }
    }
    for (line, e) in &bad_lines {
        let _ = writeln!(text, "line {line}: {e}");
        rows.push(json!({"line": line, "error": e}));
    }
    let total = lines.len();
    let _ = writeln!(text, "{}: {passed} of {total} licences TOTAL-PASSED", a.input.display());
    Ok(Outcome {
        text,
        json: json!({"file": a.input, "passed": passed, "total": total, "licences": rows}),
        passed: passed == total,
        error: None,
    })
}

/// The replay state at `path` (none: an empty state, kept nowhere).
fn load_state(path: Option<&Path>) -> Result<ReplayState> {
    path.map_or_else(|| Ok(ReplayState::default()), ReplayState::load)
}

/// Records the lists that passed and writes the state back if that raised a floor.
fn save_state(
    state: &mut ReplayState,
    path: Option<&Path>,
    lists: &[trust::TrustList],
    statuses: &[trust::StatusList],
) -> Result<()> {
    match path {
        Some(p) if state.accept_lists(lists, statuses) => state.save(p),
        _ => Ok(()),
    }
}
