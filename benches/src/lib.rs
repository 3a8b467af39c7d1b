//! Shared set-up for the benchmarks: the same keys and message for `seal`'s API and for
//! the raw crates underneath, so the two are measured on equal terms.

use seal_core::keys::{Algorithm, PrivateKey, Signer};

/// The message every benchmark signs: 64 bytes, about a SHA-512 digest or a small TBS.
pub const MESSAGE: [u8; 64] = [0x5a; 64];

/// A key through `seal`'s API and the same key in the raw crate's type.
pub struct Keys {
    /// The key behind `seal_core::keys::Signer`.
    pub ours: PrivateKey,
    /// The same Ed25519 key as `ed25519_dalek::SigningKey`, when the algorithm is Ed25519.
    pub raw_ed25519: Option<ed25519_dalek::SigningKey>,
    /// The same P-256 key as `p256::ecdsa::SigningKey`, when the algorithm is P-256.
    pub raw_p256: Option<p256::ecdsa::SigningKey>,
}

impl Keys {
    /// A fresh key of `alg`, in both forms.
    pub fn new(alg: Algorithm) -> Keys {
        let ours = PrivateKey::generate(alg).unwrap_or_else(|e| fail(e));
        let der = ours.to_pkcs8_der().unwrap_or_else(|e| fail(e));
        let mut keys = Keys { ours, raw_ed25519: None, raw_p256: None };
        match alg {
            Algorithm::Ed25519 => {
                use ed25519_dalek::pkcs8::DecodePrivateKey;
                keys.raw_ed25519 = ed25519_dalek::SigningKey::from_pkcs8_der(&der).ok();
            }
            _ => {
                use p256::pkcs8::DecodePrivateKey;
                keys.raw_p256 = p256::ecdsa::SigningKey::from_pkcs8_der(&der).ok();
            }
        }
        keys
    }

    /// A signature over [`MESSAGE`] made through our API.
    pub fn our_signature(&self) -> seal_core::keys::Signature {
        self.ours.sign(&MESSAGE).unwrap_or_else(|e| fail(e))
    }
}

fn fail(e: impl std::fmt::Display) -> ! {
    eprintln!("benchmark set-up failed: {e}");
    std::process::exit(2)
}
