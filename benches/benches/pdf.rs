//! PDF hot paths: parsing a document's structure, stamping it (PAdES, visible seal) and
//! verifying it, for a small document in memory; and a batch of small PDFs on disk.
//! `cargo bench -p seal-benches --bench pdf`; `benches/pdf_compare.sh` runs pyHanko on the
//! same files in the same run.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use seal_benches::StampFixture;
use seal_core::keys::Algorithm;
use seal_core::pdf::{self, Appearance, StampOptions};
use seal_core::stamp;
use seal_core::time::UnixTime;
use seal_core::verify::Trust;

fn document() -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/pdf/gs-3pages.pdf");
    std::fs::read(path).unwrap_or_else(|_| std::process::exit(2))
}

fn in_memory(c: &mut Criterion) {
    let doc = document();
    let mut group = c.benchmark_group("pdf");
    group.bench_function("parse-structure", |b| {
        b.iter(|| {
            let f = pdf::file::PdfFile::from_source(&doc[..]);
            black_box(f.map(|f| f.sections.len()).ok())
        })
    });
    for alg in [Algorithm::EcdsaP256Sha256, Algorithm::Ed25519] {
        let f = StampFixture::new(alg);
        let app = Appearance::for_seal(&f.seal).unwrap_or_else(|_| std::process::exit(2));
        let now = UnixTime::now();
        let opts = StampOptions::default();
        group.bench_function(BenchmarkId::new("stamp", alg), |b| {
            b.iter(|| black_box(pdf::stamp_to_vec(&doc, &f.stamp_key(), &app, &opts, now).ok()))
        });
        let Ok((stamped, _)) = pdf::stamp_to_vec(&doc, &f.stamp_key(), &app, &opts, now) else {
            std::process::exit(2)
        };
        let trust = Trust::default();
        group.bench_function(BenchmarkId::new("verify", alg), |b| {
            b.iter(|| black_box(pdf::verify_bytes(&stamped, "bench.pdf", &trust, now).ok()))
        });
        // Two seals: the first one's modification analysis reads the second's revision.
        let second = StampOptions { page: Some(2), ..Default::default() };
        let Ok((twice, _)) = pdf::stamp_to_vec(&stamped, &f.stamp_key(), &app, &second, now) else {
            std::process::exit(2)
        };
        group.bench_function(BenchmarkId::new("verify-co-stamped", alg), |b| {
            b.iter(|| black_box(pdf::verify_bytes(&twice, "bench.pdf", &trust, now).ok()))
        });
    }
    group.bench_function("appearance-from-seal", |b| {
        let f = StampFixture::new(Algorithm::Ed25519);
        b.iter(|| black_box(Appearance::for_seal(&f.seal).ok()))
    });
    group.finish();
}

/// Stamping at each PAdES level, in memory, with an in-process TSA (P-256) under the same
/// root and that root's CRL for the /DSS: B-B, B-T (one token), B-LTA (one token, the
/// /DSS, a document timestamp). `benches/ltv_compare.sh` runs pyHanko at the same levels.
fn levels(c: &mut Criterion) {
    use seal_core::pdf::Level;
    use seal_core::pki::revocation::{CrlParams, build_crl};
    use seal_core::pki::validation_data::Sources;
    use seal_core::pki::{CertificateBuilder, Csr, Profile, Subject, Validity, certificate_to_pem};
    use seal_core::stamp::cms::{CheckedKey, timestamp_room};
    use seal_core::tsp::{Authority, AuthorityConfig};
    let f = StampFixture::new(Algorithm::EcdsaP256Sha256);
    let doc = document();
    let now = UnixTime::now();
    let dir = tempfile::tempdir().unwrap_or_else(|_| std::process::exit(2));
    let setup = || -> seal_core::Result<(Authority, Sources)> {
        let key = seal_core::keys::PrivateKey::generate(Algorithm::EcdsaP256Sha256)?;
        let s = Subject::new("Bench TSA", "Bench", "VN").with_organization_identifier("1");
        let validity = Validity::days_from(now, 30);
        let cert =
            CertificateBuilder::from_csr(&Csr::build(&s, &key)?, &f.root, Profile::Tsa, validity)?
                .build(&f.root_key)?;
        key.save(&dir.path().join("tsa.key"), None, seal_core::keys::Kdf::Scrypt, true)?;
        let config = AuthorityConfig { policy: "1.2.3.4.1".into(), accuracy_seconds: 1 };
        let tsa_dir = dir.path().join("tsa");
        let pem = certificate_to_pem(&cert)?;
        Authority::create(&tsa_dir, pem.as_bytes(), Some(&dir.path().join("tsa.key")), config)?;
        let key = Authority::load_key(&tsa_dir, &seal_core::secret::PassphraseSource::None)?;
        let params =
            CrlParams { number: 1, this_update: now, next_update: now.plus_days(7), revoked: &[] };
        let crl = build_crl(&f.root, &f.root_key, &params)?;
        let sources =
            Sources { certs: vec![f.root.clone()], crls: vec![crl], ..Default::default() };
        Ok((Authority::open(&tsa_dir, Box::new(key))?, sources))
    };
    let (tsa, sources) = setup().unwrap_or_else(|_| std::process::exit(2));
    let sources = std::sync::Arc::new(sources);
    let app = Appearance::for_seal(&f.seal).unwrap_or_else(|_| std::process::exit(2));
    let room = timestamp_room(&tsa).unwrap_or_else(|_| std::process::exit(2));
    let mut group = c.benchmark_group("pdf-level");
    group.throughput(Throughput::Elements(1));
    for (name, level) in [("B-B", Level::B), ("B-T", Level::T), ("B-LTA", Level::Lta)] {
        let Ok(key) = CheckedKey::new(f.stamp_key()) else { std::process::exit(2) };
        let key = if level == Level::B { key } else { key.with_timestamper(&tsa, room) };
        let opts =
            StampOptions { level, validation_sources: Some(sources.clone()), ..Default::default() };
        group.bench_function(BenchmarkId::new("stamp", name), |b| {
            b.iter(|| black_box(pdf::stamp_checked_to_vec(&doc, &key, &app, &opts, now).ok()))
        });
    }
    group.finish();
}

fn batch(c: &mut Criterion) {
    let f = StampFixture::new(Algorithm::EcdsaP256Sha256);
    let doc = document();
    let dir = tempfile::tempdir().unwrap_or_else(|_| std::process::exit(2));
    let files: Vec<_> = (0..100)
        .map(|i| {
            let p = dir.path().join(format!("doc{i:03}.pdf"));
            let _ = std::fs::write(&p, &doc);
            p
        })
        .collect();
    let out = dir.path().join("out");
    let _ = std::fs::create_dir(&out);
    let mut group = c.benchmark_group("pdf-batch");
    group.throughput(Throughput::Elements(files.len() as u64));
    group.sample_size(10);
    group.bench_function(BenchmarkId::new("small-pdfs", files.len()), |b| {
        b.iter(|| {
            let mut job = stamp::Job::new(f.stamp_key(), UnixTime::now());
            job.out_dir = Some(&out);
            job.force = true;
            stamp::stamp_many(&files, &job, &|| {})
        })
    });
    group.finish();
}

criterion_group!(benches, in_memory, levels, batch);
criterion_main!(benches);
