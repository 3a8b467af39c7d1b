//! Stamping: many small files (parallel batch), small OFD documents with an SM2 seal (each
//! package rewritten with a new signature inside), and one large file (streamed hash).
//! `cargo bench -p seal-benches --bench stamp`; `benches/hash_compare.sh` puts the large-file
//! rate next to `sha256sum` in one run.

use std::hint::black_box;
use std::io::Write;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use seal_benches::StampFixture;
use seal_core::digest::HashAlg;
use seal_core::keys::Algorithm;
use seal_core::stamp::{self, detached};
use seal_core::time::UnixTime;

fn small_files(c: &mut Criterion) {
    let f = StampFixture::new(Algorithm::Ed25519);
    let dir = tempfile::tempdir().unwrap_or_else(|_| std::process::exit(2));
    let files: Vec<_> = (0..200)
        .map(|i| {
            let p = dir.path().join(format!("doc{i:03}.txt"));
            let _ = std::fs::write(&p, vec![b'x'; 4096]);
            p
        })
        .collect();
    let mut group = c.benchmark_group("stamp-batch");
    group.throughput(Throughput::Elements(files.len() as u64));
    group.sample_size(10);
    group.bench_function(BenchmarkId::new("4KiB-files", files.len()), |b| {
        b.iter(|| {
            let mut job = stamp::Job::new(f.stamp_key(), UnixTime::now());
            job.format = stamp::Format::Ses;
            job.force = true;
            stamp::stamp_many(&files, &job, &|| {})
        })
    });
    group.finish();
}

fn ofd_documents(c: &mut Criterion) {
    let f = StampFixture::new(Algorithm::Sm2Sm3);
    let dir = tempfile::tempdir().unwrap_or_else(|_| std::process::exit(2));
    // A one-page document from another system, already stamped once (ofdrw, 4 KiB).
    let doc = concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/gbt38540/SESV4SignDoc.ofd");
    let files: Vec<_> = (0..200)
        .map(|i| {
            let p = dir.path().join(format!("doc{i:03}.ofd"));
            let _ = std::fs::copy(doc, &p);
            p
        })
        .collect();
    let mut group = c.benchmark_group("stamp-batch");
    group.throughput(Throughput::Elements(files.len() as u64));
    group.sample_size(10);
    group.bench_function(BenchmarkId::new("ofd-sm2", files.len()), |b| {
        b.iter(|| {
            let mut job = stamp::Job::new(f.stamp_key(), UnixTime::now());
            job.force = true;
            stamp::stamp_many(&files, &job, &|| {})
        })
    });
    group.finish();
}

fn large_file(c: &mut Criterion) {
    let f = StampFixture::new(Algorithm::EcdsaP256Sha256);
    let mut file = tempfile::NamedTempFile::new().unwrap_or_else(|_| std::process::exit(2));
    let size = 64 * 1024 * 1024;
    let chunk = vec![0x5au8; 1024 * 1024];
    for _ in 0..size / chunk.len() {
        let _ = file.write_all(&chunk);
    }
    let _ = file.flush();
    let mut group = c.benchmark_group("large-file");
    group.throughput(Throughput::Bytes(size as u64));
    group.sample_size(10);
    group.bench_function(BenchmarkId::new("sha256", "64MiB"), |b| {
        b.iter(|| HashAlg::Sha256.hash_file(black_box(file.path())))
    });
    group.bench_function(BenchmarkId::new("stamp", "64MiB"), |b| {
        b.iter(|| detached::stamp_file(black_box(file.path()), &f.stamp_key(), UnixTime::now()))
    });
    group.finish();
}

criterion_group!(benches, small_files, ofd_documents, large_file);
criterion_main!(benches);
