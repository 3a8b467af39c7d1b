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

/// A seal, its holder's key and certificate, for stamping benchmarks.
pub struct StampFixture {
    /// The seal.
    pub seal: seal_core::seal::Seal,
    /// The holder's key.
    pub key: PrivateKey,
    /// The holder's certificate.
    pub cert: seal_core::pki::Certificate,
    /// The root that issued the holder's and the maker's certificates.
    pub root: seal_core::pki::Certificate,
    /// Its key.
    pub root_key: PrivateKey,
}

impl StampFixture {
    /// A self-contained fixture: a root CA issues the holder's and the maker's certificates.
    pub fn new(alg: Algorithm) -> StampFixture {
        use seal_core::pki::{CertificateBuilder, Csr, Profile, Subject, Validity};
        use seal_core::seal::{Seal, SealSpec, SealType, make_seal, picture};
        use seal_core::time::UnixTime;
        let now = UnixTime::now();
        let validity = Validity::days_from(now, 30);
        let run = || -> seal_core::Result<StampFixture> {
            let root_key = PrivateKey::generate(alg)?;
            let root = CertificateBuilder::self_signed(
                &Subject::new("Bench Root", "Bench", "VN"),
                seal_core::pki::Profile::Ca { path_len: None },
                validity,
            )?
            .build(&root_key)?;
            let issue = |key: &PrivateKey,
                         cn: &str,
                         profile: Profile|
             -> seal_core::Result<seal_core::pki::Certificate> {
                let s = Subject::new(cn, "Bench", "VN").with_organization_identifier("1");
                let csr = Csr::build(&s, key)?;
                CertificateBuilder::from_csr(&csr, &root, profile, validity)?.build(&root_key)
            };
            let key = PrivateKey::generate(alg)?;
            let cert = issue(&key, "Holder", Profile::Seal)?;
            let maker_key = PrivateKey::generate(alg)?;
            let maker = issue(&maker_key, "Maker", Profile::SealMaker)?;
            let spec = SealSpec {
                id: "bench".into(),
                name: "Bench Seal".into(),
                seal_type: SealType::Organization,
                holder: cert.clone(),
                holder_chain: Vec::new(),
                picture_kind: "SVG".into(),
                picture: picture::draw_svg("Bench", None, 40).into_bytes(),
                width_mm: 40,
                height_mm: 40,
                valid_start: now,
                valid_end: now.plus_days(30),
                created: now,
            };
            let seal = Seal::from_der(&make_seal(&spec, &maker_key, &maker)?)?;
            Ok(StampFixture { seal, key, cert, root, root_key })
        };
        run().unwrap_or_else(|e| fail(e))
    }

    /// The stamping key.
    pub fn stamp_key(&self) -> seal_core::stamp::StampKey<'_> {
        seal_core::stamp::StampKey {
            seal: &self.seal,
            signer: &self.key,
            cert: &self.cert,
            chain: &[],
        }
    }
}

/// A self-signed root and a certificate it issues under `profile` for a new key, both of
/// `alg`, valid for 30 days: (root, key, certificate).
pub fn issued(
    alg: Algorithm,
    cn: &str,
    profile: seal_core::pki::Profile,
) -> seal_core::Result<(seal_core::pki::Certificate, PrivateKey, seal_core::pki::Certificate)> {
    use seal_core::pki::{CertificateBuilder, Csr, Profile, Subject, Validity};
    let validity = Validity::days_from(seal_core::time::UnixTime::now(), 30);
    let root_key = PrivateKey::generate(alg)?;
    let root = CertificateBuilder::self_signed(
        &Subject::new("Root", "Bench", "VN"),
        Profile::Ca { path_len: None },
        validity,
    )?
    .build(&root_key)?;
    let key = PrivateKey::generate(alg)?;
    let s = Subject::new(cn, "Bench", "VN").with_organization_identifier("1");
    let cert = CertificateBuilder::from_csr(&Csr::build(&s, &key)?, &root, profile, validity)?
        .build(&root_key)?;
    Ok((root, key, cert))
}
