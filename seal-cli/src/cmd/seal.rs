//! `seal seal new|show|verify|draw`, `seal stamp`, `seal verify`.

use std::fmt::Write;

use seal_core::io::{self, WriteOptions};
use seal_core::keys::PrivateKey;
use seal_core::pdf::Level;
use seal_core::pki::{self, certificate_to_pem};
use seal_core::seal::{self, Seal, SealSpec, SealType, picture};
use seal_core::stamp::{self, StampKey, detached};
use seal_core::time::UnixTime;
use seal_core::verify::{Report, SignatureReport};
use seal_core::{Error, Result};
use serde_json::json;

use super::invalid;
use crate::Outcome;
use crate::cli::{
    CertifyArg, FormatArg, LevelArg, PdfArgs, SealDrawArgs, SealNewArgs, SealShowArgs, SealTypeArg,
    SealVerifyArgs, ShapeArg, StampArgs, VerifyArgs,
};

pub fn new(a: &SealNewArgs) -> Result<Outcome> {
    let maker = PrivateKey::load(&a.maker_key, &a.pass.for_reading())?;
    let maker_cert = pki::load_certificate(&a.maker_cert)?;
    // A bundle is the holder's certificate followed by its chain (as `seal ca issue`
    // writes it); --holder-chain adds to it.
    let mut holder_certs = pki::load_certificates(&a.holder_cert)?.into_iter();
    let holder =
        holder_certs.next().ok_or_else(|| invalid("no certificate").in_file(&a.holder_cert))?;
    let mut holder_chain: Vec<_> = holder_certs.collect();
    for p in &a.holder_chain {
        holder_chain.extend(pki::load_certificates(p)?);
    }
    let (kind, data) = match (&a.picture, a.draw) {
        (Some(p), _) => {
            let data = io::read(p)?;
            let kind = picture::detect(&data).ok_or_else(|| {
                invalid("unknown picture format (expected PNG, JPEG, GIF or SVG)").in_file(p)
            })?;
            (kind.to_owned(), data)
        }
        (None, true) => {
            ("PNG".to_owned(), drawing(&a.name, a.label.as_deref(), a.shape, a.width_mm).png(300)?)
        }
        (None, false) => return Err(invalid("pass --picture FILE or --draw")),
    };
    let height_mm = a.height_mm.unwrap_or(match (a.draw, a.shape) {
        (true, ShapeArg::Oval) => drawing(&a.name, None, a.shape, a.width_mm).height_mm(),
        _ => a.width_mm,
    });
    let now = UnixTime::now();
    let start = super::time_arg(a.valid_from.as_deref())?;
    let spec = SealSpec {
        id: a.id.clone(),
        name: a.name.clone(),
        seal_type: match a.r#type {
            SealTypeArg::Organization => SealType::Organization,
            SealTypeArg::Personal => SealType::Personal,
        },
        holder,
        holder_chain,
        picture_kind: kind.clone(),
        picture: data,
        width_mm: a.width_mm,
        height_mm,
        valid_start: start,
        valid_end: start.plus_days(a.days),
        created: now,
    };
    let der = seal::make_seal(&spec, &maker, &maker_cert)?;
    io::write_atomic(&a.out, &der, WriteOptions::PUBLIC.force(a.force))?;
    Ok(Outcome::ok(
        format!(
            "made seal \"{}\" (id {}, {kind} picture {}x{} mm, valid to {}) in {}\n",
            a.name,
            a.id,
            a.width_mm,
            height_mm,
            spec.valid_end,
            a.out.display()
        ),
        json!({"seal": a.out, "name": a.name, "id": a.id, "picture": kind, "valid_end": spec.valid_end}),
    ))
}

pub fn show(a: &SealShowArgs) -> Result<Outcome> {
    let data = io::read(&a.seal)?;
    // A seal, or a stamp (SES_Signature) whose seal is shown.
    let (seal, stamp) = match Seal::from_der(&data) {
        Ok(s) => (s, None),
        Err(e) => match seal::Stamp::from_der(&data) {
            Ok(st) => (st.seal.clone(), Some(st)),
            Err(_) => return Err(e.in_file(&a.seal)),
        },
    };
    if let Some(out) = &a.picture {
        io::write_atomic(out, &seal.picture.data, WriteOptions::PUBLIC.force(a.force))?;
    }
    let maker = seal.maker_certificate().ok();
    let holders = seal.holder_certificates();
    let mut t = String::new();
    if let Some(st) = &stamp {
        let _ = writeln!(
            t,
            "Stamp:       v{} over \"{}\" at {}",
            st.version.number(),
            st.property_info,
            st.time
        );
        let _ = writeln!(t, "Stamp alg:   {}", st.algorithm);
        if let Ok(c) = st.signer_certificate() {
            let _ =
                writeln!(t, "Stamped by:  {}", pki::display_name(c.tbs_certificate().subject()));
        }
    }
    let _ = writeln!(t, "Seal:        {} (id {})", seal.name, seal.id);
    let _ = writeln!(
        t,
        "Version:     {} (header version {}, vendor {})",
        seal.version.number(),
        seal.header_version,
        seal.vendor
    );
    let _ = writeln!(t, "Type:        {}", seal.seal_type);
    let _ = writeln!(
        t,
        "Valid:       {} to {} (made {})",
        seal.valid_start, seal.valid_end, seal.create_date
    );
    let _ = writeln!(
        t,
        "Picture:     {} ({} bytes), {}x{} mm",
        seal.picture.kind, seal.picture.size, seal.picture.width_mm, seal.picture.height_mm
    );
    if let Some(m) = &maker {
        let _ = writeln!(t, "Maker:       {}", pki::display_name(m.tbs_certificate().subject()));
    }
    let _ = writeln!(t, "Maker alg:   {}", seal.algorithm);
    for h in &holders {
        let _ = writeln!(t, "Holder:      {}", pki::display_name(h.tbs_certificate().subject()));
    }
    for e in &seal.extensions {
        let _ =
            writeln!(t, "Extension:   {}{}", e.oid, if e.critical { " (critical)" } else { "" });
    }
    if let Some(out) = &a.picture {
        let _ = writeln!(t, "wrote picture to {}", out.display());
    }
    let mut j = json!(seal);
    if let Some(st) = &stamp {
        j["stamp"] = json!(st);
    }
    j["maker"] = json!(maker.as_ref().map(|m| pki::display_name(m.tbs_certificate().subject())));
    j["holders"] = json!(
        holders
            .iter()
            .map(|h| pki::display_name(h.tbs_certificate().subject()))
            .collect::<Vec<_>>()
    );
    j["maker_certificate_pem"] = json!(maker.as_ref().and_then(|m| certificate_to_pem(m).ok()));
    Ok(Outcome::ok(t, j))
}

pub fn verify_seal(a: &SealVerifyArgs) -> Result<Outcome> {
    let (trust, at) = a.trust.load()?;
    let data = io::read(&a.seal)?;
    let s = Seal::from_der(&data).map_err(|e| e.in_file(&a.seal))?;
    let mut report = SignatureReport::new(
        a.seal.display().to_string(),
        format!("GB/T 38540 seal v{}", s.version.number()),
    );
    report.algorithm = s.algorithm.clone();
    report.covers = "DER(SES_SealInfo): the seal's properties, picture and holders".into();
    seal::check_seal_and_holders(&s, &trust, at, &mut report);
    let r = Report::new(a.seal.display().to_string(), at, vec![report]);
    Ok(Outcome { text: r.to_string(), json: json!(r), passed: r.is_valid(), error: None })
}

pub fn draw(a: &SealDrawArgs) -> Result<Outcome> {
    let png = a.out.extension().is_some_and(|e| e.eq_ignore_ascii_case("png"));
    let d = drawing(&a.name, a.label.as_deref(), a.shape, a.size_mm);
    let data = if png { d.png(a.dpi)? } else { d.svg().into_bytes() };
    io::write_atomic(&a.out, &data, WriteOptions::PUBLIC.force(a.force))?;
    Ok(Outcome::ok(format!("wrote {}\n", a.out.display()), json!({"picture": a.out})))
}

pub fn stamp(a: &StampArgs) -> Result<Outcome> {
    let seal_der = io::read(&a.seal)?;
    let s = Seal::from_der(&seal_der).map_err(|e| e.in_file(&a.seal))?;
    let key = super::load_signer_as(
        &a.key,
        &a.pass,
        a.rsa_pss.then_some(seal_core::keys::Algorithm::RsaPssSha256),
    )?;
    let mut chain = Vec::new();
    let cert = match &a.cert {
        Some(p) => {
            let mut certs = pki::load_certificates(p)?.into_iter();
            let first = certs.next().ok_or_else(|| invalid("no certificate").in_file(p))?;
            chain.extend(certs);
            first
        }
        // A remote service sends the certificate with the key.
        None => match seal_core::keys::Signer::certificate_chain(&key).split_first() {
            Some((first, rest)) => {
                chain.extend(rest.iter().cloned());
                first.clone()
            }
            None => detached::holder_for(&s, seal_core::keys::Signer::public_key(&key))
                .map_err(|e| e.in_file(&a.key))?,
        },
    };
    for p in &a.chain {
        chain.extend(pki::load_certificates(p)?);
    }
    if let Some(dir) = &a.out_dir {
        io::create_dir(dir)?;
    }
    let files = stamp::collect_files(&a.inputs)?;
    if files.is_empty() {
        return Err(invalid("no files to stamp"));
    }
    let bar = super::progress_bar(files.len(), "stamped");
    let sk = StampKey { seal: &s, signer: &key, cert: &cert, chain: &chain };
    let format = match a.format {
        FormatArg::Auto => stamp::Format::Auto,
        FormatArg::Cms => stamp::Format::Cms,
        FormatArg::Ses => stamp::Format::Ses,
    };
    let timestamper = super::tsa::timestamper(&a.tsa)?;
    let mut pdf = pdf_options(&a.pdf)?;
    if pdf.level >= Level::Lt {
        pdf.validation_sources = Some(std::sync::Arc::new(a.long_term.sources(&chain)?));
    }
    let job = stamp::Job {
        key: sk,
        format,
        out_dir: a.out_dir.as_deref(),
        force: a.force,
        time: UnixTime::now(),
        ofd: ofd_options(&pdf),
        pdf,
        timestamper: timestamper.as_deref(),
    };
    let items = stamp::stamp_many(&files, &job, &|| bar.inc(1));
    bar.finish_and_clear();
    let failed: Vec<_> = items.iter().filter(|i| i.result.is_err()).collect();
    if items.len() == 1 && failed.len() == 1 {
        // A single file: its error is the command's error, printed once by main.
        return Err(items
            .into_iter()
            .next()
            .and_then(|i| i.result.err())
            .unwrap_or_else(|| invalid("stamping failed")));
    }
    let mut text = String::new();
    for i in &items {
        match &i.result {
            Ok(out) => {
                let _ = writeln!(text, "stamped {} -> {}", i.file.display(), out.display());
            }
            Err(e) => eprintln!("seal: error: {e}"),
        }
    }
    let _ = writeln!(text, "{} stamped, {} failed", items.len() - failed.len(), failed.len());
    let json = json!({
        "stamped": items.iter().filter_map(|i| i.result.as_ref().ok().map(|o| json!({"file": i.file, "stamp": o}))).collect::<Vec<_>>(),
        "failed": failed.iter().map(|i| json!({"file": i.file, "error": i.result.as_ref().err().map(ToString::to_string)})).collect::<Vec<_>>(),
    });
    if failed.is_empty() {
        Ok(Outcome::ok(text, json))
    } else {
        let error = Error::InvalidInput(format!(
            "{} of {} files could not be stamped",
            failed.len(),
            items.len()
        ));
        Ok(Outcome::partial(text, json, error))
    }
}

/// `--page` and `--at` for OFD documents (`--at` read as millimetres there).
fn ofd_options(pdf: &seal_core::pdf::StampOptions) -> stamp::ofd::StampOptions {
    let mut o = stamp::ofd::StampOptions::default();
    o.page = pdf.page;
    o.at = pdf.at;
    o
}

fn pdf_options(a: &PdfArgs) -> Result<seal_core::pdf::StampOptions> {
    let at = match &a.at {
        None => None,
        Some(text) => {
            let parsed = text.split_once(',').and_then(|(x, y)| {
                Some((x.trim().parse::<f64>().ok()?, y.trim().parse::<f64>().ok()?))
            });
            match parsed {
                Some((x, y)) if x.is_finite() && y.is_finite() => Some((x, y)),
                _ => {
                    return Err(invalid(format!(
                        "--at {text:?}: expected X,Y (points for a PDF, millimetres for an OFD document), e.g. 400,72"
                    )));
                }
            }
        }
    };
    Ok(seal_core::pdf::StampOptions {
        page: a.page,
        at,
        field: a.field.clone(),
        reason: a.reason.clone(),
        location: a.location.clone(),
        certify: a.certify.map(|c| match c {
            CertifyArg::NoChanges => seal_core::pdf::DocMdp::NoChanges,
            CertifyArg::FormFilling => seal_core::pdf::DocMdp::FormFilling,
            CertifyArg::Annotations => seal_core::pdf::DocMdp::Annotations,
        }),
        cross_page: a.cross_page,
        level: match a.level {
            None | Some(LevelArg::BB) => Level::B,
            Some(LevelArg::BT) => Level::T,
            Some(LevelArg::BLt) => Level::Lt,
            Some(LevelArg::BLta) => Level::Lta,
        },
        validation_sources: None,
    })
}

pub fn verify(a: &VerifyArgs) -> Result<Outcome> {
    let (trust, at) = a.trust.load()?;
    if let Some(out) = &a.extract_content {
        let Some((report, content)) = stamp::verify_enveloping(&a.file, &trust, at)? else {
            return Err(invalid(format!(
                "{}: --extract-content needs an enveloping CMS signature (.p7m) holding its \
                 content",
                a.file.display()
            )));
        };
        io::write_atomic(out, &content, WriteOptions::PUBLIC.force(a.force))?;
        let mut text = report.to_string();
        let _ = writeln!(text, "content ({} bytes) written to {}", content.len(), out.display());
        return Ok(Outcome { text, json: json!(report), passed: report.is_valid(), error: None });
    }
    let report = stamp::verify(&a.file, a.sig.as_deref(), &trust, at)?;
    Ok(Outcome {
        text: report.to_string(),
        json: json!(report),
        passed: report.is_valid(),
        error: None,
    })
}

fn drawing(name: &str, label: Option<&str>, shape: ShapeArg, width_mm: u32) -> picture::Drawing {
    let shape = match shape {
        ShapeArg::Round => picture::Shape::Round,
        ShapeArg::Oval => picture::Shape::Oval,
    };
    picture::Drawing::new(name, label, shape, width_mm)
}
