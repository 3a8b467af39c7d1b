//! Operations per second of `seal`'s API and of the raw crates, on one core, printed as
//! `name ops_per_second` lines for `benches/compare.sh`.
//!
//! Usage: `speed [SECONDS_PER_OPERATION]` (default 3).

use std::hint::black_box;
use std::time::{Duration, Instant};

use seal_benches::{Keys, MESSAGE};
use seal_core::keys::{Algorithm, PrivateKey, Signer};

fn rate(seconds: f64, mut op: impl FnMut()) -> f64 {
    // Warm up, then count whole batches until the time is up.
    for _ in 0..100 {
        op();
    }
    let limit = Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < limit {
        for _ in 0..64 {
            op();
        }
        n += 64;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let seconds: f64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(3.0);
    // RSA-2048 (AWS-LC both ways), P-384 (verifying through AWS-LC, signing through
    // RustCrypto `p384`) and SM2 (RustCrypto `sm2`): seal's API only; openssl speed is the
    // anchor.
    for (name, key) in [
        ("rsa2048", PrivateKey::generate_rsa(2048, Algorithm::RsaPkcs1Sha256)),
        ("p384", PrivateKey::generate(Algorithm::EcdsaP384Sha384)),
        ("sm2", PrivateKey::generate(Algorithm::Sm2Sm3)),
    ] {
        let Ok(key) = key else { continue };
        let Ok(sig) = key.sign(&MESSAGE) else { continue };
        let public = key.public_key().clone();
        println!(
            "seal-sign-{name} {:.0}",
            rate(seconds, || {
                let _ = black_box(key.sign(black_box(&MESSAGE)));
            })
        );
        println!(
            "seal-verify-{name} {:.0}",
            rate(seconds, || {
                let _ = black_box(public.verify(black_box(&MESSAGE), black_box(&sig)));
            })
        );
    }
    for alg in [Algorithm::EcdsaP256Sha256, Algorithm::Ed25519] {
        let keys = Keys::new(alg);
        let sig = keys.our_signature();
        let public = keys.ours.public_key().clone();
        let name = alg.name();
        println!(
            "seal-sign-{name} {:.0}",
            rate(seconds, || {
                let _ = black_box(keys.ours.sign(black_box(&MESSAGE)));
            })
        );
        println!(
            "seal-verify-{name} {:.0}",
            rate(seconds, || {
                let _ = black_box(public.verify(black_box(&MESSAGE), black_box(&sig)));
            })
        );
        if let Some(k) = &keys.raw_ed25519 {
            use ed25519_dalek::Signer as _;
            let vk = k.verifying_key();
            let Ok(s) = ed25519_dalek::Signature::from_slice(sig.raw()) else { return };
            println!(
                "raw-sign-{name} {:.0}",
                rate(seconds, || {
                    black_box(k.sign(black_box(&MESSAGE)));
                })
            );
            println!(
                "raw-verify-{name} {:.0}",
                rate(seconds, || {
                    let _ = black_box(vk.verify_strict(black_box(&MESSAGE), black_box(&s)));
                })
            );
        }
        if let Some(k) = &keys.raw_p256 {
            use p256::ecdsa::signature::{Signer as _, Verifier as _};
            let vk = *k.verifying_key();
            let Ok(s) = p256::ecdsa::Signature::from_slice(sig.raw()) else { return };
            println!(
                "raw-sign-{name} {:.0}",
                rate(seconds, || {
                    let s: p256::ecdsa::Signature = k.sign(black_box(&MESSAGE));
                    black_box(s);
                })
            );
            println!(
                "raw-verify-{name} {:.0}",
                rate(seconds, || {
                    let _ = black_box(vk.verify(black_box(&MESSAGE), black_box(&s)));
                })
            );
        }
    }
}
