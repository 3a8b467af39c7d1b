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

criterion_group!(benches, in_memory, batch);
criterion_main!(benches);
