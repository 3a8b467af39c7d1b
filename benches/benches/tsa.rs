//! Timestamps per second from seal's TSA, answering DER requests in-process (what `seal tsa
//! serve` does per request, without the HTTP), for P-256 and Ed25519 TSA keys.
//! `benches/tsa_compare.sh` sets this beside `openssl ts -reply` run once per request.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use seal_core::digest::HashAlg;
use seal_core::keys::{Algorithm, Kdf};
use seal_core::pki::{Profile, certificate_to_pem};
use seal_core::tsp::{self, Authority, AuthorityConfig};

fn authority(alg: Algorithm, dir: &std::path::Path) -> seal_core::Result<Authority> {
    let (_, key, cert) = seal_benches::issued(alg, "TSA", Profile::Tsa)?;
    key.save(&dir.join("tsa.key"), None, Kdf::Scrypt, true)?;
    let pem = certificate_to_pem(&cert)?;
    let config = AuthorityConfig { policy: "1.2.3.4.1".into(), accuracy_seconds: 1 };
    let tsa = dir.join(alg.name());
    Authority::create(&tsa, pem.as_bytes(), Some(&dir.join("tsa.key")), config)?;
    let key = Authority::load_key(&tsa, &seal_core::secret::PassphraseSource::None)?;
    Authority::open(&tsa, Box::new(key))
}

fn respond(c: &mut Criterion) {
    let Ok(dir) = tempfile::tempdir() else { std::process::exit(2) };
    let mut group = c.benchmark_group("tsa-respond");
    group.throughput(Throughput::Elements(1));
    for alg in [Algorithm::EcdsaP256Sha256, Algorithm::Ed25519] {
        let Ok(tsa) = authority(alg, dir.path()) else { std::process::exit(2) };
        let digest = HashAlg::Sha256.hash(b"a document");
        let Ok((request, _)) = tsp::request(HashAlg::Sha256, &digest) else {
            std::process::exit(2)
        };
        group.bench_function(BenchmarkId::new("in-process", alg.name()), |b| {
            b.iter(|| tsa.respond(black_box(&request)))
        });
    }
    group.finish();
}

criterion_group!(benches, respond);
criterion_main!(benches);
