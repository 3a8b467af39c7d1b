//! A test PKI shared by the integration tests: a root, a provincial CA, an agency with a
//! seal certificate, a seal maker and the agency's seal, for one algorithm.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[cfg(feature = "pdf")]
pub mod pdfgen;

use seal_core::keys::{Algorithm, Kdf, PrivateKey};
use seal_core::pki::ca::{Ca, NewCa};
use seal_core::pki::{Certificate, Csr, Profile, Subject, Validity};
use seal_core::seal::{self, Seal, SealSpec, SealType};
use seal_core::secret::PassphraseSource;
use seal_core::stamp::StampKey;
use seal_core::time::UnixTime;
use seal_core::verify::Trust;

pub fn now() -> UnixTime {
    "2026-06-01T00:00:00Z".parse().unwrap()
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub root: Ca,
    pub root_key: PrivateKey,
    pub prov: Ca,
    pub prov_key: PrivateKey,
    pub agency_key: PrivateKey,
    pub agency: Certificate,
    pub maker_key: PrivateKey,
    pub maker: Certificate,
    pub seal: Seal,
}

impl Fixture {
    pub fn new(alg: Algorithm) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let spec = |cn: &str, days| NewCa {
            subject: Subject::new(cn, "Seal Authority", "VN"),
            algorithm: alg,
            validity: Validity::days_from(UnixTime::from_secs(now().as_secs() - 86_400), days),
            path_len: None,
            key_protection: PassphraseSource::None,
            kdf: Kdf::Scrypt,
        };
        let (root, root_key) =
            Ca::init_root(&dir.path().join("root"), &spec("Root", 3650)).unwrap();
        let (prov, prov_key) = Ca::init_intermediate(
            &dir.path().join("prov"),
            &spec("Province", 1825),
            &root,
            &root_key,
        )
        .unwrap();
        let issue = |cn: &str, key: &PrivateKey, profile: Profile| {
            let s = Subject::new(cn, "City", "VN").with_organization_identifier("0101234567");
            prov.issue(
                &prov_key,
                &Csr::build(&s, key).unwrap(),
                profile,
                Validity::days_from(now(), 365),
            )
            .unwrap()
        };
        let agency_key = PrivateKey::generate(alg).unwrap();
        let agency = issue("Licensing Office", &agency_key, Profile::Seal);
        let maker_key = PrivateKey::generate(alg).unwrap();
        let maker = issue("Seal Maker", &maker_key, Profile::SealMaker);
        let seal = Fixture::make_seal(&agency, &maker_key, &maker, now(), now().plus_days(365));
        Fixture { dir, root, root_key, prov, prov_key, agency_key, agency, maker_key, maker, seal }
    }

    pub fn make_seal(
        holder: &Certificate,
        maker_key: &PrivateKey,
        maker: &Certificate,
        start: UnixTime,
        end: UnixTime,
    ) -> Seal {
        let spec = spec(holder, start, end);
        Seal::from_der(&seal::make_seal(&spec, maker_key, maker).unwrap()).unwrap()
    }

    /// A new P-256 key and a certificate for it, issued by the provincial CA under
    /// `profile` (organisation "City", identifier 0101234567).
    pub fn issue(&self, cn: &str, profile: Profile) -> (PrivateKey, Certificate) {
        let key = PrivateKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
        let s = Subject::new(cn, "City", "VN").with_organization_identifier("0101234567");
        let csr = Csr::build(&s, &key).unwrap();
        let cert = self
            .prov
            .issue(&self.prov_key, &csr, profile, Validity::days_from(now(), 365))
            .unwrap();
        (key, cert)
    }

    pub fn key(&self) -> StampKey<'_> {
        StampKey {
            seal: &self.seal,
            signer: &self.agency_key,
            cert: &self.agency,
            chain: std::slice::from_ref(self.prov.certificate()),
        }
    }

    pub fn trust(&self) -> Trust {
        Trust {
            anchors: vec![self.root.certificate().clone()],
            intermediates: vec![self.prov.certificate().clone()],
            crls: Vec::new(),
            ..Trust::default()
        }
    }
}

/// The Python of the venv that scripts/test sets up (jwcrypto, rfc8785, pycose, cbor2, base45).
pub fn python() -> std::path::PathBuf {
    if let Ok(p) = std::env::var("SEAL_PYTHON") {
        return std::path::PathBuf::from(p);
    }
    let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python");
    assert!(
        venv.exists(),
        "the interop tests need {} (run scripts/test, or set SEAL_PYTHON)",
        venv.display()
    );
    venv
}

/// A small deterministic PRNG (xorshift64*), so a failure names a reproducible seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Flips, replaces, drops, copies and inserts bytes (one to four edits).
pub fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..=rng.below(3) {
        let len = v.len();
        match rng.below(6) {
            0 if len > 0 => {
                let i = rng.below(len);
                v[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                v[i] = rng.next() as u8;
            }
            2 => v.truncate(rng.below(len + 1)),
            3 if len > 1 => {
                let a = rng.below(len);
                let b = (a + rng.below(16)).min(len);
                v.drain(a..b);
            }
            4 if len > 1 => {
                let a = rng.below(len);
                let b = (a + rng.below(32)).min(len);
                let chunk = v[a..b].to_vec();
                let at = rng.below(len);
                v.splice(at..at, chunk);
            }
            _ => {
                let at = rng.below(len + 1);
                let byte = [0x00, 0x30, 0x80, 0x81, 0x82, 0xff, b'-', b'\n'][rng.below(8)];
                v.insert(at, byte);
            }
        }
    }
    v
}

/// The agency's seal as the fixture makes it (no chain inside).
pub fn spec(holder: &Certificate, start: UnixTime, end: UnixTime) -> SealSpec {
    SealSpec {
        id: "0101234567-01".into(),
        name: "Licensing Office".into(),
        seal_type: SealType::Organization,
        holder: holder.clone(),
        holder_chain: Vec::new(),
        picture_kind: "SVG".into(),
        picture: seal::picture::draw_svg("Licensing Office", None, 40).into_bytes(),
        width_mm: 40,
        height_mm: 40,
        valid_start: start,
        valid_end: end,
        created: start,
    }
}
