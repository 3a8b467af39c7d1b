//! Licence verification, text form to report: one at a time and in bulk (Ed25519 batch
//! verification, all cores), for both algorithms, and from a QR picture (a 400-pixel PNG,
//! as `seal licence issue` writes, and the same code in a 12-megapixel photo-sized frame). Compare with `verify/raw/*` in the
//! sign_verify bench: decoding and the other checks should cost less than the signature.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use seal_core::keys::Algorithm;
use seal_core::licence::{self, LicenceData, Schema};
use seal_core::pki::Profile;
use seal_core::time::UnixTime;
use seal_core::verify::Trust;

struct Setup {
    texts: Vec<String>,
    issuers: Vec<seal_core::pki::Certificate>,
    trust: Trust,
}

fn setup(alg: Algorithm, n: usize) -> seal_core::Result<Setup> {
    let now = UnixTime::now();
    let (root, key, cert) = seal_benches::issued(alg, "Issuer", Profile::LicenceIssuer)?;
    let schema = Schema::find("qualification")?;
    let mut texts = Vec::with_capacity(n);
    for i in 0..n {
        let data: LicenceData = serde_json::from_value(serde_json::json!({
            "number": format!("Q{i:08}"), "holder": {"name": "Holder", "id": format!("{i}")},
            "valid_until": now.plus_days(10).to_string(),
            "attributes": {"profession": "electrician", "level": "3", "awarded": "2026-01-01"}
        }))
        .map_err(|e| seal_core::Error::InvalidInput(e.to_string()))?;
        let lic = licence::prepare(&schema, data, &cert, now)?;
        texts.push(licence::to_text(&licence::sign(&lic, &key, &cert)?)?);
    }
    Ok(Setup {
        texts,
        issuers: vec![cert],
        trust: Trust { anchors: vec![root], ..Trust::default() },
    })
}

fn verify(c: &mut Criterion) {
    let mut group = c.benchmark_group("licence-verify");
    for alg in Algorithm::ALL {
        let Ok(s) = setup(alg, 1000) else { std::process::exit(2) };
        let at = UnixTime::now();
        group.throughput(Throughput::Elements(1));
        let verifier = licence::Verifier::new(&s.issuers, &s.trust, at);
        group.bench_function(BenchmarkId::new("stream", alg.name()), |b| {
            b.iter(|| {
                let cose = licence::from_text(black_box(&s.texts[0]))?;
                verifier.verify(&cose)
            })
        });
        group.bench_function(BenchmarkId::new("single", alg.name()), |b| {
            b.iter(|| {
                let cose = licence::from_text(black_box(&s.texts[0]))?;
                licence::verify(&cose, &s.issuers, &s.trust, at)
            })
        });
        if alg == Algorithm::Ed25519 {
            let Ok(png) = licence::qr::png(&s.texts[0]) else { std::process::exit(2) };
            let code = image_gray(&png);
            let big = frame(&code, 4000, 3000);
            for (name, picture) in [("qr-png", png), ("qr-12mp", big)] {
                group.bench_function(BenchmarkId::new(name, alg.name()), |b| {
                    b.iter(|| {
                        let text = licence::qr::read(black_box(&picture))?;
                        verifier.verify(&licence::from_text(&text)?)
                    })
                });
            }
        }
        group.throughput(Throughput::Elements(s.texts.len() as u64));
        group.sample_size(10);
        group.bench_function(BenchmarkId::new("bulk-1000", alg.name()), |b| {
            b.iter(|| {
                let coses: Vec<Vec<u8>> =
                    s.texts.iter().filter_map(|t| licence::from_text(t).ok()).collect();
                licence::verify_many(&coses, &s.issuers, &s.trust, at)
            })
        });
    }
    group.finish();
}

/// The picture's grey pixels.
fn image_gray(png: &[u8]) -> image::GrayImage {
    image::load_from_memory(png).map(|i| i.to_luma8()).unwrap_or_default()
}

/// `code` in the middle of a white `w`×`h` frame, as a PNG.
fn frame(code: &image::GrayImage, w: u32, h: u32) -> Vec<u8> {
    let mut out = image::GrayImage::from_pixel(w, h, image::Luma([255]));
    let (x, y) = ((w - code.width()) / 2, (h - code.height()) / 2);
    image::imageops::overlay(&mut out, code, x.into(), y.into());
    let mut bytes = std::io::Cursor::new(Vec::new());
    let _ = out.write_to(&mut bytes, image::ImageFormat::Png);
    bytes.into_inner()
}

criterion_group!(benches, verify);
criterion_main!(benches);
