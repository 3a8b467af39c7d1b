//! Remote signing on loopback: signatures per second through `seal serve` (the CSC service,
//! in process, on 127.0.0.1) by batch size (one `credentials/authorize` and one
//! `signatures/signHash` per batch, PIN checked by Argon2id each time), beside the same
//! P-256 key file signing the same digests locally, in one run.
//! `cargo bench -p seal-benches --bench csc`.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use seal_benches::StampFixture;
use seal_core::csc::server::{Service, hash_secret};
use seal_core::csc::{Client, CscUri};
use seal_core::digest::HashAlg;
use seal_core::keys::{Algorithm, Kdf, Signer};

fn remote(c: &mut Criterion) {
    let f = StampFixture::new(Algorithm::EcdsaP256Sha256);
    let dir = tempfile::tempdir().unwrap_or_else(|_| std::process::exit(2));
    let d = dir.path();
    let run = || -> seal_core::Result<(seal_core::tsp::http::Server, Client)> {
        f.key.save(&d.join("agency.key"), None, Kdf::Scrypt, false)?;
        std::fs::write(d.join("agency.pem"), seal_core::pki::certificate_to_pem(&f.cert)?)?;
        std::fs::write(d.join("password"), "bench-pass")?;
        let config = format!(
            "state_dir = \"state\"\naudit_log = \"audit.log\"\n[limits]\nmultisign = 100\n\
             requests_per_minute = 1000000\n[[accounts]]\nname = \"bench\"\npassword = \"{}\"\n\
             credentials = [\"agency\"]\n[[credentials]]\nid = \"agency\"\nkey = \"agency.key\"\n\
             certificates = \"agency.pem\"\npin = \"{}\"\n",
            hash_secret("bench-pass")?,
            hash_secret("1234")?
        );
        std::fs::write(d.join("serve.toml"), config)?;
        let server = Arc::new(Service::load(&d.join("serve.toml"))?).serve("127.0.0.1:0", 2)?;
        let uri: CscUri = format!(
            "csc+http://{}/csc/v1?credential=agency&auth=basic&user=bench&password-source=file:{}",
            server.addr(),
            d.join("password").display()
        )
        .parse()?;
        Ok((server, Client::connect(&uri)?))
    };
    let Ok((server, client)) = run() else { std::process::exit(2) };
    let sign_alg = Algorithm::EcdsaP256Sha256.signature_algorithm_identifier().oid;
    let mut group = c.benchmark_group("remote-signatures");
    group.sample_size(10);
    for batch in [1usize, 10, 100] {
        let hashes: Vec<Vec<u8>> =
            (0..batch).map(|i| HashAlg::Sha256.hash(format!("doc {i}").as_bytes())).collect();
        group.throughput(Throughput::Elements(batch as u64));
        group.bench_function(BenchmarkId::new("seal-serve-loopback", batch), |b| {
            b.iter(|| {
                let sad = client
                    .authorize("agency", &hashes, HashAlg::Sha256.oid(), Some("1234"), None)
                    .ok()?;
                client.sign_hash("agency", &sad, &hashes, HashAlg::Sha256.oid(), sign_alg).ok()
            })
        });
        group.bench_function(BenchmarkId::new("local-key-file", batch), |b| {
            b.iter(|| hashes.iter().filter_map(|h| f.key.sign_prehashed(black_box(h)).ok()).count())
        });
    }
    group.finish();
    server.stop();
}

criterion_group!(benches, remote);
criterion_main!(benches);
