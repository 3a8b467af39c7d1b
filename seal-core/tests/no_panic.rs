//! Malformed input never panics: valid keys, certificates, CSRs and CRLs (ours and
//! OpenSSL's, PEM and DER) are mutated many times and fed to every parser and to path
//! validation. Each must return an error or a report, never panic or hang.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

mod common;

use common::{Rng, mutate};
use seal_core::keys::{Algorithm, Kdf, PrivateKey, PublicKey, Signer};
use seal_core::pki::path::{self, Purpose};
use seal_core::pki::{self, CertificateBuilder, CertificateInfo, Csr, Profile, Subject, Validity};
use seal_core::time::UnixTime;

fn exercise(data: &[u8], anchors: &[pki::Certificate]) {
    let _ = PrivateKey::from_bytes(data, Some("passphrase"));
    let _ = PrivateKey::from_bytes(data, None);
    let _ = PublicKey::from_bytes(data);
    let _ = Csr::from_bytes(data).map(|c| c.verify_signature());
    let at = UnixTime::from_secs(1_800_000_000);
    if let Ok(certs) = pki::certificates_from_bytes(data) {
        for c in &certs {
            let _ = CertificateInfo::new(c);
            let _ = path::validate(c, &certs, anchors, &[], at, Purpose::Seal);
        }
    }
    if let Ok(crls) = pki::crls_from_bytes(data) {
        for a in anchors {
            let _ = path::validate(a, &[], anchors, &crls, at, Purpose::Any);
            let _ = pki::revocation::check(a, a, &crls, at);
        }
    }
}

fn corpus() -> (Vec<(String, Vec<u8>)>, Vec<pki::Certificate>) {
    let mut inputs = Vec::new();
    let mut anchors = Vec::new();
    let now = UnixTime::from_secs(1_790_000_000);
    for alg in Algorithm::ALL {
        let key = PrivateKey::generate(alg).unwrap();
        let root = CertificateBuilder::self_signed(
            &Subject::new("Root", "Org", "VN"),
            Profile::Ca { path_len: None },
            Validity::days_from(now, 3650),
        )
        .unwrap()
        .build(&key)
        .unwrap();
        let crl = pki::revocation::build_crl(
            &root,
            &key,
            &pki::revocation::CrlParams {
                number: 7,
                this_update: now,
                next_update: now.plus_days(30),
                revoked: &[pki::revocation::RevokedEntry {
                    serial: vec![0x42; 16],
                    date: now,
                    reason: pki::revocation::RevocationReason::KeyCompromise,
                }],
            },
        )
        .unwrap();
        let csr = Csr::build(&Subject::new("A", "B", "VN").with_organization_identifier("C"), &key)
            .unwrap();
        inputs.push((
            format!("{alg:?} key pem"),
            key.to_pem(None, Kdf::Scrypt).unwrap().as_bytes().to_vec(),
        ));
        inputs.push((format!("{alg:?} key der"), key.to_pkcs8_der().unwrap().to_vec()));
        inputs.push((format!("{alg:?} pub pem"), key.public_key().to_pem().unwrap().into_bytes()));
        inputs.push((format!("{alg:?} pub der"), key.public_key().to_spki_der().unwrap()));
        inputs.push((
            format!("{alg:?} cert pem"),
            pki::certificate_to_pem(&root).unwrap().into_bytes(),
        ));
        inputs.push((format!("{alg:?} cert der"), pki::certificate_der(&root).unwrap()));
        inputs.push((format!("{alg:?} crl pem"), pki::crl_to_pem(&crl).unwrap().into_bytes()));
        inputs.push((format!("{alg:?} csr der"), csr.to_der().unwrap()));
        anchors.push(root);
    }
    let vectors = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/pki/openssl/p256");
    for f in ["inter.pem", "revoked.crl", "good.csr", "good.key", "critical.pem"] {
        inputs.push((format!("openssl {f}"), std::fs::read(vectors.join(f)).unwrap()));
    }
    (inputs, anchors)
}

#[test]
fn mutated_inputs_never_panic() {
    let (inputs, anchors) = corpus();
    let iterations = 1500;
    for (i, (name, input)) in inputs.iter().enumerate() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (i as u64 + 1));
        for n in 0..iterations {
            let seed = rng.0;
            let data = mutate(&mut rng, input);
            let result = catch_unwind(AssertUnwindSafe(|| exercise(&data, &anchors)));
            assert!(
                result.is_ok(),
                "panic on mutation {n} of {name} (seed {seed:#x}): {data:02x?}"
            );
        }
    }
}

#[test]
#[cfg(feature = "encrypted-keys")]
fn encrypted_keys_survive_mutation_and_hostile_kdf_parameters() {
    let key = PrivateKey::generate(Algorithm::Ed25519).unwrap();
    let enc = key.to_pem(Some("passphrase"), Kdf::Scrypt).unwrap();
    let der = key.to_encrypted_der("passphrase", Kdf::Pbkdf2Sha256).unwrap();
    let mut rng = Rng(42);
    for (name, input) in [("pem", enc.as_bytes()), ("der", &der[..])] {
        for n in 0..60 {
            let data = mutate(&mut rng, input);
            let result = catch_unwind(AssertUnwindSafe(|| {
                let _ = PrivateKey::from_bytes(&data, Some("passphrase"));
            }));
            assert!(result.is_ok(), "panic on mutation {n} of encrypted {name}");
        }
    }
    // A key file asking for 2^32 - 1 PBKDF2 iterations is refused before any work is done.
    use der::{Decode, Encode};
    let mut info = pkcs8::EncryptedPrivateKeyInfoRef::from_der(&der).unwrap();
    let pkcs8::pkcs5::EncryptionScheme::Pbes2(params) = &mut info.encryption_algorithm else {
        panic!("we write PBES2")
    };
    let pkcs8::pkcs5::pbes2::Kdf::Pbkdf2(kdf) = &mut params.kdf else { panic!("PBKDF2 asked for") };
    kdf.iteration_count = u32::MAX;
    let hostile = info.to_der().unwrap();
    let err = PrivateKey::from_bytes(&hostile, Some("passphrase")).unwrap_err();
    assert!(err.to_string().contains("PBKDF2 iterations"), "{err}");
}
