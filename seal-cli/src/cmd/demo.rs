//! `seal demo`: the main job on built-in defaults, end to end, in one directory.
//!
//! It makes a test PKI (an Ed25519 root, a P-256 provincial CA), an agency key and CSR,
//! issues the agency's seal certificate, publishes a CRL, and verifies: the agency's chain
//! passes; a second, revoked agency fails with REVOKED. Then a seal-making authority makes
//! the agency's GB/T 38540 seal (with a drawn picture), the agency stamps a file, a JSON
//! document and a PDF contract (a visible PAdES stamp and a cross-page seal) with it, and
//! the stamps verify; a changed copy of the file does not. Last, a licence is issued as a QR
//! code and verified from the picture.

use std::fmt::Write;
use std::path::Path;

use seal_core::io::{self, WriteOptions};
use seal_core::keys::{Algorithm, Kdf, PrivateKey, hex};
use seal_core::licence;
use seal_core::pki::ca::{Ca, NewCa};
use seal_core::pki::path::{self, Purpose};
use seal_core::pki::revocation::RevocationReason;
use seal_core::pki::{Csr, Profile, Subject, Validity, certificate_to_pem, crl_to_pem};
use seal_core::seal::{self, Seal, SealSpec, SealType, picture};
use seal_core::secret::PassphraseSource;
use seal_core::stamp::{self, StampKey};
use seal_core::time::UnixTime;
use seal_core::verify::Trust;
use seal_core::{Error, Result};
use serde_json::json;

use crate::Outcome;
use crate::cli::DemoArgs;

pub fn run(a: &DemoArgs) -> Result<Outcome> {
    let dir = &a.dir;
    if dir.join("root").exists() {
        if !a.force {
            return Err(Error::AlreadyExists { path: dir.clone() });
        }
        std::fs::remove_dir_all(dir).map_err(|e| Error::Io(e).in_file(dir))?;
    }
    io::create_dir(dir)?;
    let mut log = String::new();
    let now = UnixTime::now();
    let ca_spec = |cn: &str, alg, days, path_len| NewCa {
        subject: Subject::new(cn, "National Seal Authority (demo)", "VN"),
        algorithm: alg,
        validity: Validity::days_from(now, days),
        path_len,
        key_protection: PassphraseSource::None,
        kdf: Kdf::Scrypt,
    };

    let (root, root_key) = Ca::init_root(
        &dir.join("root"),
        &ca_spec("Demo National Seal Root", Algorithm::Ed25519, 3650, Some(1)),
    )?;
    let _ = writeln!(log, "1. root CA (Ed25519):          {}", dir.join("root/ca.pem").display());
    let (prov, prov_key) = Ca::init_intermediate(
        &dir.join("province"),
        &ca_spec("Demo Provincial Seal CA", Algorithm::EcdsaP256Sha256, 1825, Some(0)),
        &root,
        &root_key,
    )?;
    let _ =
        writeln!(log, "2. provincial CA (P-256):      {}", dir.join("province/ca.pem").display());

    let mut verified = Vec::new();
    let agencies = [
        ("agency", "Demo Licensing Office", "0101234567"),
        ("revoked-agency", "Demo Former Office", "0107654321"),
    ];
    for (file, cn, org_id) in agencies {
        let key = PrivateKey::generate(Algorithm::EcdsaP256Sha256)?;
        key.save(&dir.join(format!("{file}.key")), None, Kdf::Scrypt, true)?;
        let subject = Subject::new(cn, "Demo City", "VN").with_organization_identifier(org_id);
        let csr = Csr::build(&subject, &key)?;
        write(&dir.join(format!("{file}.csr")), &csr.to_pem()?)?;
        let cert = prov.issue(&prov_key, &csr, Profile::Seal, Validity::days_from(now, 365))?;
        write(&dir.join(format!("{file}.pem")), &certificate_to_pem(&cert)?)?;
        verified.push(cert);
    }
    let _ = writeln!(log, "3. agency key, CSR, seal cert: {}", dir.join("agency.pem").display());

    let revoked_serial = hex(verified[1].tbs_certificate().serial_number().as_bytes());
    prov.revoke(&revoked_serial, RevocationReason::KeyCompromise, now)?;
    let crl = prov.crl(&prov_key, now, now.plus_days(7))?;
    write(&dir.join("province.crl"), &crl_to_pem(&crl)?)?;
    let root_crl = root.crl(&root_key, now, now.plus_days(30))?;
    write(&dir.join("root.crl"), &crl_to_pem(&root_crl)?)?;
    let _ =
        writeln!(log, "4. revoked {revoked_serial}, CRLs: {}", dir.join("province.crl").display());

    let anchors = [root.certificate().clone()];
    let inter = [prov.certificate().clone()];
    let crls = [crl, root_crl];
    let at = now.plus_secs(1);
    let good = path::validate(&verified[0], &inter, &anchors, &crls, at, Purpose::Seal);
    let bad = path::validate(&verified[1], &inter, &anchors, &crls, at, Purpose::Seal);
    let _ = writeln!(log, "5. verify agency.pem:          {}", summary(&good));
    let _ = writeln!(log, "   verify revoked-agency.pem:  {}", summary(&bad));

    // The seal: a seal-making authority binds a drawn picture to the agency's certificate.
    let maker_key = PrivateKey::generate(Algorithm::Ed25519)?;
    maker_key.save(&dir.join("seal-maker.key"), None, Kdf::Scrypt, true)?;
    let maker_subject =
        Subject::new("Demo Seal Making System", "National Seal Authority (demo)", "VN")
            .with_organization_identifier("VN-SEAL-MAKER");
    let maker_cert = prov.issue(
        &prov_key,
        &Csr::build(&maker_subject, &maker_key)?,
        Profile::SealMaker,
        Validity::days_from(now, 365),
    )?;
    write(&dir.join("seal-maker.pem"), &certificate_to_pem(&maker_cert)?)?;
    let svg = picture::draw_svg("Demo Licensing Office", Some("Official Seal"), 40);
    write(&dir.join("agency-seal.svg"), &svg)?;
    let png = picture::draw_png("Demo Licensing Office", Some("Official Seal"), 40, 300)?;
    io::write_atomic(&dir.join("agency-seal.png"), &png, WriteOptions::PUBLIC.force(true))?;
    let spec = SealSpec {
        id: "0101234567-01".into(),
        name: "Demo Licensing Office".into(),
        seal_type: SealType::Organization,
        holder: verified[0].clone(),
        holder_chain: prov.issued_chain(),
        picture_kind: "PNG".into(),
        picture: png,
        width_mm: 40,
        height_mm: 40,
        valid_start: now,
        valid_end: now.plus_days(365),
        created: now,
    };
    let seal_der = seal::make_seal(&spec, &maker_key, &maker_cert)?;
    io::write_atomic(&dir.join("agency.esl"), &seal_der, WriteOptions::PUBLIC.force(true))?;
    let _ = writeln!(log, "6. seal (GB/T 38540 v4):       {}", dir.join("agency.esl").display());

    // Stamp a file with it, verify, then change the file and verify again.
    let agency_key = PrivateKey::load(&dir.join("agency.key"), &PassphraseSource::None)?;
    let sealed = Seal::from_der(&seal_der)?;
    let notice = dir.join("notice.txt");
    write(&notice, "Notice: business licence 0101234567 is granted.\n")?;
    let sk = StampKey {
        seal: &sealed,
        signer: &agency_key,
        cert: &verified[0],
        chain: std::slice::from_ref(prov.certificate()),
    };
    let stamp_der = stamp::detached::stamp_file(&notice, &sk, now)?;
    io::write_atomic(
        &stamp::with_suffix(&notice, "ses"),
        &stamp_der,
        WriteOptions::PUBLIC.force(true),
    )?;
    let trust = Trust {
        anchors: anchors.to_vec(),
        intermediates: inter.to_vec(),
        crls: crls.to_vec(),
        ..Trust::default()
    };
    let stamped = stamp::verify(&notice, None, &trust, at)?;
    let _ = writeln!(log, "7. stamp notice.txt, verify:   {}", summary_report(&stamped));
    let changed = dir.join("notice-changed.txt");
    write(&changed, "Notice: business licence 0101234567 is revoked.\n")?;
    let tampered = stamp::verify(&changed, Some(&stamp::with_suffix(&notice, "ses")), &trust, at)?;
    let _ = writeln!(log, "   verify a changed copy:      {}", summary_report(&tampered));

    // A JSON document stamped inside (JWS over its RFC 8785 form), then reformatted.
    let doc = dir.join("licence.json");
    write(
        &doc,
        "{\"type\": \"business-licence\", \"number\": \"0101234567\", \"holder\": \"Demo Trading Co.\"}\n",
    )?;
    let stamped_json = stamp::json_stamp_bytes(&doc, &sk, now, None)?;
    let out = stamp::stamp_path(&doc, stamp::Format::Auto, None);
    io::write_atomic(&out, &stamped_json, WriteOptions::PUBLIC.force(true))?;
    let json_report = stamp::verify(&out, None, &trust, at)?;
    let _ = writeln!(
        log,
        "8. stamp licence.json, verify: {} ({})",
        summary_report(&json_report),
        out.display()
    );

    // A two-page PDF contract stamped with a visible seal (PAdES), plus a cross-page seal.
    let contract = dir.join("contract.pdf");
    let pages = [
        vec![
            "Contract No. 2026-117".to_string(),
            "Between Demo Licensing Office and Demo Trading Co., Ltd.".into(),
        ],
        vec!["Signed and sealed on behalf of Demo Licensing Office.".to_string()],
    ];
    io::write_atomic(
        &contract,
        &seal_core::pdf::sample::text_document(&pages, 0),
        WriteOptions::PUBLIC.force(true),
    )?;
    let stamped_pdf = stamp::stamp_path(&contract, stamp::Format::Auto, None);
    let opts = seal_core::pdf::StampOptions {
        reason: Some("Contract approved".into()),
        cross_page: true,
        ..Default::default()
    };
    let appearance = seal_core::pdf::Appearance::for_seal(&sealed)?;
    seal_core::pdf::stamp(&contract, &stamped_pdf, &sk, &appearance, &opts, now, true)?;
    let pdf_report = stamp::verify(&stamped_pdf, None, &trust, at)?;
    let _ = writeln!(
        log,
        "9. stamp contract.pdf, verify: {} ({})",
        summary_report(&pdf_report),
        stamped_pdf.display()
    );

    // A licence: issued by a licence-issuer certificate, read back from its QR code picture.
    let issuer_key = PrivateKey::generate(Algorithm::Ed25519)?;
    issuer_key.save(&dir.join("licence-issuer.key"), None, Kdf::Scrypt, true)?;
    let issuer_subject = Subject::new("Demo Business Registration Office", "Demo City", "VN")
        .with_organization_identifier("VN-DKKD-01");
    let issuer_cert = prov.issue(
        &prov_key,
        &Csr::build(&issuer_subject, &issuer_key)?,
        Profile::LicenceIssuer,
        Validity::days_from(now, 365),
    )?;
    write(&dir.join("licence-issuer.pem"), &certificate_to_pem(&issuer_cert)?)?;
    let data: licence::LicenceData = serde_json::from_value(json!({
        "number": "BL2026000123",
        "holder": {"name": "Demo Trading Co., Ltd.", "id": "0101234567"},
        "region": "VN-HN",
        "valid_until": now.plus_days(5 * 365).to_string(),
        "attributes": {"company_type": "LLC", "capital": 500_000_000, "activities": ["retail", "import"]}
    }))
    .map_err(|e| Error::decode("demo licence", e))?;
    let lic =
        licence::prepare(&licence::Schema::find("business-licence")?, data, &issuer_cert, now)?;
    let text = licence::to_text(&licence::sign(&lic, &issuer_key, &issuer_cert)?)?;
    write(&dir.join("licence.txt"), &format!("{text}\n"))?;
    let qr_png = licence::qr::png(&text)?;
    io::write_atomic(&dir.join("licence.png"), &qr_png, WriteOptions::PUBLIC.force(true))?;
    let scanned = licence::from_text(&licence::qr::read(&qr_png)?)?;
    let (_, licence_report) =
        licence::verify(&scanned, std::slice::from_ref(&issuer_cert), &trust, at)?;
    let _ = writeln!(
        log,
        "10. licence {} as QR, verify: {}",
        lic.number,
        match licence_report.sub_indication {
            Some(sub) => format!("{} ({sub})", licence_report.indication),
            None => licence_report.indication.to_string(),
        }
    );

    let passed = licence_report.is_valid()
        && good.is_valid()
        && !bad.is_valid()
        && stamped.is_valid()
        && !tampered.is_valid()
        && json_report.is_valid()
        && pdf_report.is_valid();
    let _ = writeln!(log, "demo {}", if passed { "passed" } else { "FAILED" });
    Ok(Outcome {
        text: log,
        json: json!({"dir": dir, "agency": good, "revoked_agency": bad, "passed": passed}),
        passed,
        error: None,
    })
}

fn summary(r: &path::PathReport) -> String {
    match (r.sub_indication, r.first_problem()) {
        (Some(sub), Some(p)) => format!("{} ({sub}): {}", r.indication, p.check),
        _ => r.indication.to_string(),
    }
}

fn summary_report(r: &seal_core::verify::Report) -> String {
    match r.sub_indication {
        Some(sub) => format!("{} ({sub})", r.indication),
        None => r.indication.to_string(),
    }
}

fn write(path: &Path, text: &str) -> Result<()> {
    io::write_atomic(path, text.as_bytes(), WriteOptions::PUBLIC.force(true))
}
