//! Certificate authority and path validation, through the library, under both algorithms.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

use seal_core::keys::{Algorithm, Kdf, PrivateKey, Signer};
use seal_core::pki::ca::{Ca, NewCa};
use seal_core::pki::path::{self, Check, Options, Purpose, RevocationPolicy};
use seal_core::pki::revocation::RevocationReason;
use seal_core::pki::{
    CertificateBuilder, Csr, Profile, Subject, Validity, certificate_to_pem, crl_to_pem,
};
use seal_core::secret::PassphraseSource;
use seal_core::time::UnixTime;
use seal_core::verify::{Indication, SubIndication};

fn now() -> UnixTime {
    "2026-06-01T00:00:00Z".parse().unwrap()
}

struct Pki {
    _dir: tempfile::TempDir,
    root: Ca,
    root_key: PrivateKey,
    inter: Ca,
    inter_key: PrivateKey,
    leaf_key: PrivateKey,
    leaf: seal_core::pki::Certificate,
}

fn new_ca(name: &str, alg: Algorithm, days: u64, path_len: Option<u8>) -> NewCa {
    NewCa {
        subject: Subject::new(name, "National Seal Authority", "VN"),
        algorithm: alg,
        validity: Validity::days_from(now().plus_days(0), days),
        path_len,
        key_protection: PassphraseSource::None,
        kdf: Kdf::Scrypt,
    }
}

fn pki(alg: Algorithm) -> Pki {
    let dir = tempfile::tempdir().unwrap();
    let mut root_spec = new_ca("Root CA", alg, 3650, Some(1));
    root_spec.validity = Validity::days_from(UnixTime::from_secs(now().as_secs() - 86400), 3650);
    let (root, root_key) = Ca::init_root(&dir.path().join("root"), &root_spec).unwrap();
    let (inter, inter_key) = Ca::init_intermediate(
        &dir.path().join("inter"),
        &new_ca("Provincial CA", alg, 1825, Some(0)),
        &root,
        &root_key,
    )
    .unwrap();
    let leaf_key = PrivateKey::generate(alg).unwrap();
    let subject = Subject::new("Licensing Office", "City of Example", "VN")
        .with_organization_identifier("0101234567");
    let csr = Csr::build(&subject, &leaf_key).unwrap();
    let leaf =
        inter.issue(&inter_key, &csr, Profile::Seal, Validity::days_from(now(), 365)).unwrap();
    Pki { _dir: dir, root, root_key, inter, inter_key, leaf_key, leaf }
}

fn anchors(p: &Pki) -> Vec<seal_core::pki::Certificate> {
    vec![p.root.certificate().clone()]
}

#[test]
fn chain_we_issue_validates() {
    for alg in Algorithm::ALL {
        let p = pki(alg);
        let report = path::validate(
            &p.leaf,
            &[p.inter.certificate().clone()],
            &anchors(&p),
            &[],
            now(),
            Purpose::Seal,
        );
        assert!(report.is_valid(), "{alg:?}: {report}");
        assert_eq!(report.chain.len(), 3);
        assert!(report.chain[2].trust_anchor);
    }
}

#[test]
fn missing_intermediate_is_no_chain_found() {
    let p = pki(Algorithm::Ed25519);
    let report = path::validate(&p.leaf, &[], &anchors(&p), &[], now(), Purpose::Seal);
    assert_eq!(report.indication, Indication::Indeterminate);
    assert_eq!(report.sub_indication, Some(SubIndication::NoCertificateChainFound));
}

#[test]
fn expired_and_not_yet_valid() {
    let p = pki(Algorithm::EcdsaP256Sha256);
    let inter = [p.inter.certificate().clone()];
    let later = now().plus_days(400);
    let r = path::validate(&p.leaf, &inter, &anchors(&p), &[], later, Purpose::Seal);
    assert_eq!(r.sub_indication, Some(SubIndication::Expired), "{r}");
    assert!(r.has(|c| matches!(c, Check::Expired { .. })));
    let earlier = UnixTime::from_secs(now().as_secs() - 10);
    let r = path::validate(&p.leaf, &inter, &anchors(&p), &[], earlier, Purpose::Seal);
    assert_eq!(r.sub_indication, Some(SubIndication::NotYetValid), "{r}");
}

#[test]
fn wrong_purpose_is_a_key_usage_failure() {
    let p = pki(Algorithm::Ed25519);
    let r = path::validate(
        &p.leaf,
        &[p.inter.certificate().clone()],
        &anchors(&p),
        &[],
        now(),
        Purpose::Ca,
    );
    assert_eq!(r.sub_indication, Some(SubIndication::ChainConstraintsFailure));
    assert!(r.has(|c| matches!(c, Check::KeyUsage { .. })), "{r}");
}

#[test]
fn path_len_exceeded() {
    // The intermediate has pathLen 0; a second intermediate under it breaks that.
    let p = pki(Algorithm::Ed25519);
    let dir = tempfile::tempdir().unwrap();
    let (sub, sub_key) = Ca::init_intermediate(
        &dir.path().join("sub"),
        &new_ca("Sub CA", Algorithm::Ed25519, 300, None),
        &p.inter,
        &p.inter_key,
    )
    .unwrap();
    let k = PrivateKey::generate(Algorithm::Ed25519).unwrap();
    let csr =
        Csr::build(&Subject::new("Office", "Org", "VN").with_organization_identifier("1"), &k)
            .unwrap();
    let leaf = sub.issue(&sub_key, &csr, Profile::Seal, Validity::days_from(now(), 30)).unwrap();
    let inters = [p.inter.certificate().clone(), sub.certificate().clone()];
    let r = path::validate(&leaf, &inters, &anchors(&p), &[], now(), Purpose::Seal);
    assert!(
        r.has(|c| matches!(c, Check::PathLenExceeded { path_len: 0, intermediates: 1 })),
        "{r}"
    );
}

#[test]
fn a_leaf_cannot_issue() {
    // A seal certificate (cA false) used as an issuer.
    let p = pki(Algorithm::EcdsaP256Sha256);
    let k = PrivateKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let name =
        Subject::new("Fake", "Org", "VN").with_organization_identifier("2").to_name().unwrap();
    let fake = CertificateBuilder::new(
        name,
        k.public_key().clone(),
        &p.leaf,
        Profile::Seal,
        Validity::days_from(now(), 10),
    )
    .build(&p.leaf_key)
    .unwrap();
    let inters = [p.inter.certificate().clone(), p.leaf.clone()];
    let r = path::validate(&fake, &inters, &anchors(&p), &[], now(), Purpose::Seal);
    assert!(r.has(|c| matches!(c, Check::NotACa)), "{r}");
    assert!(!r.is_valid());
}

#[test]
fn tampered_certificate_signature_fails() {
    let p = pki(Algorithm::Ed25519);
    let mut der = seal_core::pki::certificate_der(&p.leaf).unwrap();
    let n = der.len();
    der[n - 5] ^= 0x01; // inside the signature
    let bad = seal_core::pki::certificates_from_bytes(&der).unwrap().remove(0);
    let r = path::validate(
        &bad,
        &[p.inter.certificate().clone()],
        &anchors(&p),
        &[],
        now(),
        Purpose::Seal,
    );
    assert!(r.has(|c| matches!(c, Check::BadSignature)), "{r}");
}

#[test]
fn revocation_with_crls() {
    for alg in Algorithm::ALL {
        let p = pki(alg);
        let inter = [p.inter.certificate().clone()];
        let serial = seal_core::keys::hex(p.leaf.tbs_certificate().serial_number().as_bytes());

        // A fresh CRL without the leaf: good.
        let crl = p.inter.crl(&p.inter_key, now(), now().plus_days(7)).unwrap();
        let r = path::validate(
            &p.leaf,
            &inter,
            &anchors(&p),
            std::slice::from_ref(&crl),
            now().plus_secs(60),
            Purpose::Seal,
        );
        assert!(r.is_valid(), "{r}");

        // Revoke, new CRL: revoked.
        p.inter.revoke(&serial, RevocationReason::KeyCompromise, now()).unwrap();
        let crl2 = p.inter.crl(&p.inter_key, now().plus_secs(10), now().plus_days(7)).unwrap();
        assert_eq!(seal_core::pki::revocation::crl_number(&crl2), Some(vec![2]));
        let crls = [crl.clone(), crl2.clone()];
        let r = path::validate(
            &p.leaf,
            &inter,
            &anchors(&p),
            &crls,
            now().plus_secs(60),
            Purpose::Seal,
        );
        assert_eq!(r.indication, Indication::TotalFailed, "{r}");
        assert_eq!(r.sub_indication, Some(SubIndication::Revoked));

        // Past nextUpdate: indeterminate, never valid.
        let r = path::validate(
            &p.leaf,
            &inter,
            &anchors(&p),
            std::slice::from_ref(&crl),
            now().plus_days(8),
            Purpose::Seal,
        );
        assert_eq!(r.indication, Indication::Indeterminate, "{r}");
        assert_eq!(r.sub_indication, Some(SubIndication::TryLater));

        // Required for all: the root's CRL for the intermediate is missing.
        let opts =
            Options { revocation: RevocationPolicy::All, ..Options::new(Purpose::Seal, true) };
        let r = path::validate_with(
            &p.leaf,
            &inter,
            &anchors(&p),
            std::slice::from_ref(&crl),
            now().plus_secs(60),
            &opts,
        );
        assert!(r.has(|c| matches!(c, Check::RevocationMissing { .. })), "{r}");
        let root_crl = p.root.crl(&p.root_key, now(), now().plus_days(30)).unwrap();
        let r = path::validate_with(
            &p.leaf,
            &inter,
            &anchors(&p),
            &[crl, root_crl],
            now().plus_secs(60),
            &opts,
        );
        assert!(r.is_valid(), "{r}");

        // Revoking twice, or an unknown serial, is refused.
        assert!(p.inter.revoke(&serial, RevocationReason::Superseded, now()).is_err());
        assert!(p.inter.revoke("01", RevocationReason::Superseded, now()).is_err());
    }
}

#[test]
fn ca_refuses_bad_csr_and_foreign_key() {
    let p = pki(Algorithm::Ed25519);
    let k = PrivateKey::generate(Algorithm::Ed25519).unwrap();
    let csr =
        Csr::build(&Subject::new("X", "Org", "VN").with_organization_identifier("3"), &k).unwrap();
    let mut der = csr.to_der().unwrap();
    let n = der.len();
    der[n - 1] ^= 0xff;
    let bad = Csr::from_der(&der).unwrap();
    let err = p
        .inter
        .issue(&p.inter_key, &bad, Profile::Seal, Validity::days_from(now(), 10))
        .unwrap_err();
    assert!(err.to_string().contains("CSR's signature does not verify"), "{err}");
    // Signing with the root key through the intermediate is a key mismatch.
    let err = p
        .inter
        .issue(&p.root_key, &csr, Profile::Seal, Validity::days_from(now(), 10))
        .unwrap_err();
    assert!(err.to_string().contains("does not belong"), "{err}");
    // A seal certificate needs an organisation identifier.
    let csr = Csr::build(&Subject::new("X", "Org", "VN"), &k).unwrap();
    let err = p
        .inter
        .issue(&p.inter_key, &csr, Profile::Seal, Validity::days_from(now(), 10))
        .unwrap_err();
    assert!(err.to_string().contains("organisation identifier"), "{err}");
}

#[test]
fn concurrent_issuers_never_collide_or_lose_records() {
    let p = pki(Algorithm::Ed25519);
    let dir = p.inter.dir().to_path_buf();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let ca = Ca::open(&dir).unwrap();
                let key = ca.load_key(&PassphraseSource::None).unwrap();
                for i in 0..10 {
                    let k = PrivateKey::generate(Algorithm::Ed25519).unwrap();
                    let s = Subject::new(format!("Office {t}-{i}"), "Org", "VN")
                        .with_organization_identifier("4");
                    let csr = Csr::build(&s, &k).unwrap();
                    ca.issue(&key, &csr, Profile::Seal, Validity::days_from(now(), 10)).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let issued = Ca::open(&dir).unwrap().issued().unwrap();
    assert_eq!(issued.len(), 41); // 40 + the leaf of the fixture
    let mut serials: Vec<_> = issued.iter().map(|r| r.serial.clone()).collect();
    serials.sort();
    serials.dedup();
    assert_eq!(serials.len(), 41);
    for s in &serials {
        assert!(dir.join("certs").join(format!("{s}.pem")).exists());
    }
}

#[test]
#[cfg(feature = "encrypted-keys")]
fn encrypted_ca_key() {
    let dir = tempfile::tempdir().unwrap();
    let pass_file = dir.path().join("pass");
    std::fs::write(&pass_file, "ca secret\n").unwrap();
    let mut spec = new_ca("Root", Algorithm::EcdsaP256Sha256, 100, None);
    spec.key_protection = PassphraseSource::File(pass_file.clone());
    let (ca, _) = Ca::init_root(&dir.path().join("root"), &spec).unwrap();
    let key_pem = std::fs::read(ca.key_path()).unwrap();
    assert!(seal_core::keys::is_encrypted(&key_pem));
    assert!(ca.load_key(&PassphraseSource::File(pass_file)).is_ok());
    let err = ca.load_key(&PassphraseSource::None).unwrap_err();
    assert!(err.to_string().contains("ca.key"), "{err}");
}

// ---- OpenSSL accepts what we make ----

fn openssl(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is installed (CI installs it)")
}

#[test]
fn openssl_verifies_our_chains_csrs_and_crls() {
    for alg in Algorithm::ALL {
        let p = pki(alg);
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("root.pem"), certificate_to_pem(p.root.certificate()).unwrap())
            .unwrap();
        std::fs::write(d.join("inter.pem"), certificate_to_pem(p.inter.certificate()).unwrap())
            .unwrap();
        std::fs::write(d.join("leaf.pem"), certificate_to_pem(&p.leaf).unwrap()).unwrap();
        let out = openssl(
            &[
                "verify",
                "-attime",
                &now().plus_secs(3600).as_secs().to_string(),
                "-CAfile",
                "root.pem",
                "-untrusted",
                "inter.pem",
                "leaf.pem",
            ],
            d,
        );
        assert!(
            out.status.success(),
            "{alg:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );

        let k = PrivateKey::generate(alg).unwrap();
        let csr =
            Csr::build(&Subject::new("Req", "Org", "VN").with_organization_identifier("5"), &k)
                .unwrap();
        std::fs::write(d.join("req.pem"), csr.to_pem().unwrap()).unwrap();
        let out = openssl(&["req", "-verify", "-noout", "-in", "req.pem"], d);
        assert!(out.status.success(), "{alg:?}: {}", String::from_utf8_lossy(&out.stderr));

        let crl = p.inter.crl(&p.inter_key, now(), now().plus_days(7)).unwrap();
        std::fs::write(d.join("crl.pem"), crl_to_pem(&crl).unwrap()).unwrap();
        let out =
            openssl(&["crl", "-verify", "-noout", "-in", "crl.pem", "-CAfile", "inter.pem"], d);
        assert!(out.status.success(), "{alg:?}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(
            &openssl(&["crl", "-text", "-noout", "-in", "crl.pem"], d).stdout,
        )
        .to_string();
        assert!(
            text.contains("Version 2")
                && text.contains("X509v3 CRL Number")
                && text.contains("Authority Key Identifier"),
            "{text}"
        );

        let t = (now().plus_secs(3600)).as_secs().to_string();
        let base = [
            "verify",
            "-attime",
            &t,
            "-crl_check",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "inter.pem",
            "-CRLfile",
            "crl.pem",
            "leaf.pem",
        ];
        let out = openssl(&base, d);
        assert!(out.status.success(), "{alg:?}: {}", String::from_utf8_lossy(&out.stderr));
        let serial = seal_core::keys::hex(p.leaf.tbs_certificate().serial_number().as_bytes());
        p.inter.revoke(&serial, RevocationReason::KeyCompromise, now()).unwrap();
        let crl = p.inter.crl(&p.inter_key, now().plus_secs(1), now().plus_days(7)).unwrap();
        std::fs::write(d.join("crl.pem"), crl_to_pem(&crl).unwrap()).unwrap();
        let out = openssl(&base, d);
        assert!(!out.status.success(), "openssl accepted a revoked leaf");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("revoked")
                || String::from_utf8_lossy(&out.stderr).contains("revoked")
        );

        // The text form shows the profile's extensions.
        let text = String::from_utf8_lossy(
            &openssl(&["x509", "-text", "-noout", "-in", "leaf.pem"], d).stdout,
        )
        .to_string();
        assert!(text.contains("X509v3 Key Usage: critical"), "{text}");
        assert!(text.contains("Digital Signature, Non Repudiation"), "{text}");
        assert!(text.contains("X509v3 Basic Constraints: critical"), "{text}");
        assert!(text.contains("organizationIdentifier") || text.contains("2.5.4.97"), "{text}");
    }
}
