//! Sign and verify, through `seal`'s API and through the raw crates, for Ed25519 and P-256;
//! SM2 with SM3 through `seal`'s API (benches/compare.sh sets it beside `openssl speed sm2`).
//! Our API must stay within 5% of the raw crates: `cargo bench -p seal-benches`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use seal_benches::{Keys, MESSAGE};
use seal_core::keys::{Algorithm, Signer};
use std::hint::black_box;

fn sign(c: &mut Criterion) {
    let mut group = c.benchmark_group("sign");
    group.throughput(Throughput::Elements(1));
    for alg in Algorithm::ALL.into_iter().chain([Algorithm::Sm2Sm3]) {
        let keys = Keys::new(alg);
        group.bench_function(BenchmarkId::new("seal", alg.name()), |b| {
            b.iter(|| keys.ours.sign(black_box(&MESSAGE)))
        });
        if let Some(k) = &keys.raw_ed25519 {
            group.bench_function(BenchmarkId::new("raw", alg.name()), |b| {
                use ed25519_dalek::Signer as _;
                b.iter(|| k.sign(black_box(&MESSAGE)))
            });
        }
        if let Some(k) = &keys.raw_p256 {
            group.bench_function(BenchmarkId::new("raw", alg.name()), |b| {
                use p256::ecdsa::signature::Signer as _;
                b.iter(|| -> p256::ecdsa::Signature { k.sign(black_box(&MESSAGE)) })
            });
        }
    }
    group.finish();
}

fn verify(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Elements(1));
    for alg in Algorithm::ALL.into_iter().chain([Algorithm::Sm2Sm3]) {
        let keys = Keys::new(alg);
        let sig = keys.our_signature();
        let public = keys.ours.public_key().clone();
        group.bench_function(BenchmarkId::new("seal", alg.name()), |b| {
            b.iter(|| public.verify(black_box(&MESSAGE), black_box(&sig)))
        });
        if let Some(k) = &keys.raw_ed25519 {
            let vk = k.verifying_key();
            let Ok(s) = ed25519_dalek::Signature::from_slice(sig.raw()) else { return };
            group.bench_function(BenchmarkId::new("raw", alg.name()), |b| {
                b.iter(|| vk.verify_strict(black_box(&MESSAGE), black_box(&s)))
            });
        }
        if let Some(k) = &keys.raw_p256 {
            use p256::ecdsa::signature::Verifier as _;
            let vk = *k.verifying_key();
            let s = p256::ecdsa::Signature::from_slice(sig.raw())
                .unwrap_or_else(|_| std::process::exit(2));
            group.bench_function(BenchmarkId::new("raw", alg.name()), |b| {
                b.iter(|| vk.verify(black_box(&MESSAGE), black_box(&s)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, sign, verify);
criterion_main!(benches);
