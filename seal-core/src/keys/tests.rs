use super::*;

#[test]
fn sign_and_verify_both_algorithms() {
    for alg in Algorithm::ALL {
        let key = PrivateKey::generate(alg).unwrap();
        let sig = key.sign(b"stamp me").unwrap();
        assert_eq!(sig.algorithm(), alg);
        key.public_key().verify(b"stamp me", &sig).unwrap();
        assert!(key.public_key().verify(b"stamp me!", &sig).is_err());
        let x509 = sig.to_x509().unwrap();
        assert_eq!(Signature::from_x509(alg, &x509).unwrap(), sig);
    }
}

#[test]
fn pkcs8_roundtrip_plain_and_encrypted() {
    for alg in Algorithm::ALL {
        let key = PrivateKey::generate(alg).unwrap();
        let pem = key.to_pem(None, Kdf::Scrypt).unwrap();
        let back = PrivateKey::from_bytes(pem.as_bytes(), None).unwrap();
        assert_eq!(back.public_key(), key.public_key());
        let der = key.to_pkcs8_der().unwrap();
        assert_eq!(PrivateKey::from_bytes(&der, None).unwrap().public_key(), key.public_key());

        #[cfg(feature = "encrypted-keys")]
        for kdf in [Kdf::Scrypt, Kdf::Pbkdf2Sha256] {
            let enc = key.to_pem(Some("hunter22"), kdf).unwrap();
            assert!(is_encrypted(enc.as_bytes()));
            let enc_der = key.to_encrypted_der("hunter22", kdf).unwrap();
            assert!(is_encrypted(&enc_der), "DER told apart as pkcs8 reads it");
            assert!(!is_encrypted(&der));
            let back = PrivateKey::from_bytes(enc.as_bytes(), Some("hunter22")).unwrap();
            assert_eq!(back.public_key(), key.public_key());
            assert!(matches!(
                PrivateKey::from_bytes(enc.as_bytes(), Some("wrong")),
                Err(Error::WrongPassphrase)
            ));
            assert!(matches!(
                PrivateKey::from_bytes(enc.as_bytes(), None),
                Err(Error::PassphraseRequired)
            ));
        }
    }
}

/// An `EncryptedPrivateKeyInfo` with PBES2 parameters left empty: enough to be told
/// apart, not to be decrypted.
const FAKE_ENCRYPTED: &[u8] = &[
    0x30, 0x14, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d, 0x30,
    0x00, 0x04, 0x03, 0x01, 0x02, 0x03,
];

#[test]
fn encrypted_der_is_told_apart() {
    assert!(is_encrypted(FAKE_ENCRYPTED));
    let mut other = FAKE_ENCRYPTED.to_vec();
    other[14] = 0x0c; // 1.2.840.113549.1.5.12: PBKDF2 itself, still under PKCS#5
    assert!(is_encrypted(&other));
    other[10] = 0x0e; // outside PKCS#5
    assert!(!is_encrypted(&other));
    assert!(!is_encrypted(b"\x30\x00"));
}

#[cfg(not(feature = "encrypted-keys"))]
#[test]
fn without_the_feature_an_encrypted_key_is_named_and_refused() {
    let err = PrivateKey::from_bytes(FAKE_ENCRYPTED, Some("pass")).unwrap_err();
    assert!(matches!(err, Error::NotBuilt { feature: "encrypted-keys", .. }), "{err}");
    let key = PrivateKey::generate(Algorithm::Ed25519).unwrap();
    let err = key.to_pem(Some("pass"), Kdf::Scrypt).unwrap_err();
    assert!(err.to_string().contains("encrypted-keys"), "{err}");
}

#[test]
fn public_key_pem_roundtrip_and_key_identifier() {
    for alg in Algorithm::ALL {
        let key = PrivateKey::generate(alg).unwrap();
        let pem = key.public_key().to_pem().unwrap();
        let back = PublicKey::from_bytes(pem.as_bytes()).unwrap();
        assert_eq!(&back, key.public_key());
        assert_eq!(back.key_identifier(), key.public_key().key_identifier());
    }
}

#[test]
fn wrong_pem_label_is_a_clear_error() {
    let key = PrivateKey::generate(Algorithm::Ed25519).unwrap();
    let pub_pem = key.public_key().to_pem().unwrap();
    let err = PrivateKey::from_bytes(pub_pem.as_bytes(), None).unwrap_err();
    assert!(err.to_string().contains("found a PEM \"PUBLIC KEY\" block"), "{err}");
}

#[test]
fn signature_of_other_algorithm_does_not_verify() {
    let ed = PrivateKey::generate(Algorithm::Ed25519).unwrap();
    let ec = PrivateKey::generate(Algorithm::EcdsaP256Sha256).unwrap();
    let sig = ed.sign(b"m").unwrap();
    let forged = Signature::from_raw(Algorithm::EcdsaP256Sha256, sig.raw());
    assert!(ec.public_key().verify(b"m", &forged).is_err());
    assert!(ec.public_key().verify(b"m", &sig).is_err());
}

/// Single verification (what bulk verification uses too) refuses an R with a torsion
/// component, which a batch's cofactored equation would forgive, and R the identity.
#[test]
fn single_verification_refuses_torsioned_r() {
    use curve25519_dalek::constants::EIGHT_TORSION;
    use curve25519_dalek::edwards::CompressedEdwardsY;
    let key = PrivateKey::generate(Algorithm::Ed25519).unwrap();
    let good = key.sign(b"licence").unwrap();
    assert!(key.public_key().verify(b"licence", &good).is_ok());
    for (t, torsion) in EIGHT_TORSION.iter().enumerate().skip(1) {
        let mut raw = good.raw().to_vec();
        let r = CompressedEdwardsY(raw[..32].try_into().unwrap()).decompress().unwrap();
        raw[..32].copy_from_slice((r + torsion).compress().as_bytes());
        let mixed = Signature::from_raw(Algorithm::Ed25519, raw.clone());
        assert!(key.public_key().verify(b"licence", &mixed).is_err(), "torsion {t}");
    }
    let mut raw = good.raw().to_vec();
    raw[..32].copy_from_slice(&{
        let mut id = [0u8; 32];
        id[0] = 1;
        id
    });
    let identity = Signature::from_raw(Algorithm::Ed25519, raw.clone());
    assert!(key.public_key().verify(b"licence", &identity).is_err());
}

/// A small-order key with R the identity and S zero satisfies the cofactored equation for
/// every message; strict verification refuses the key.
#[test]
fn single_verification_refuses_small_order_keys() {
    let mut id = [0u8; 32];
    id[0] = 1;
    let weak = ed25519_dalek::VerifyingKey::from_bytes(&id).unwrap();
    assert!(weak.is_weak());
    let key = PublicKey::Ed25519(weak);
    let mut raw = vec![0u8; 64];
    raw[0] = 1; // R = identity, S = 0
    let sig = Signature::from_raw(Algorithm::Ed25519, raw);
    assert!(key.verify(b"any licence", &sig).is_err());
}

/// P-256 through AWS-LC and through `p256` give the same verdict on the same inputs: good
/// signatures, each byte of them flipped, other digests, digests of every length seal
/// verifies (SHA-1 to SHA-512), DER and fixed-width forms.
#[test]
fn p256_verdicts_agree_across_backends() {
    use p256::elliptic_curve::Generate;
    let sk = p256::ecdsa::SigningKey::try_generate_from_rng(&mut getrandom::SysRng).unwrap();
    let vk = *sk.verifying_key();
    let mut agreed = 0;
    for len in [20usize, 28, 32, 48, 64] {
        let digest: Vec<u8> = (0..len as u8).map(|i| i.wrapping_mul(37)).collect();
        // A signature over exactly this digest, from p256's prehash signer.
        use p256::ecdsa::signature::hazmat::PrehashSigner;
        let sig: p256::ecdsa::Signature = sk.sign_prehash(&digest).unwrap();
        let raw = sig.to_bytes().to_vec();
        let der = sig.to_der().as_bytes().to_vec();
        for (form, bytes) in [(false, &raw), (true, &der)] {
            let mut cases = vec![(digest.clone(), bytes.clone())];
            for i in 0..bytes.len() {
                let mut b = bytes.clone();
                b[i] ^= 0x01;
                cases.push((digest.clone(), b));
            }
            let mut other = digest.clone();
            other[0] ^= 0x80;
            cases.push((other, bytes.clone()));
            for (d, s) in &cases {
                let fast = ecdsa_p256::verify_prehash(&vk, d, s, form).is_ok();
                let rust = ecdsa_p256::verify_prehash_rust(&vk, d, s, form).is_ok();
                assert_eq!(fast, rust, "digest length {len}, der {form}");
                agreed += 1;
            }
            assert!(ecdsa_p256::verify_prehash(&vk, &digest, bytes, form).is_ok(), "{len}");
        }
    }
    assert!(agreed > 500);
}

/// Flips each of the first `n` bytes of `bytes` in turn (and the last byte), for the
/// backend-agreement tests below.
#[cfg(any(feature = "p384", feature = "aws-lc"))]
fn flipped(bytes: &[u8], n: usize) -> Vec<Vec<u8>> {
    let mut out = vec![bytes.to_vec()];
    for i in (0..bytes.len().min(n)).chain([bytes.len() - 1]) {
        let mut b = bytes.to_vec();
        b[i] ^= 0x01;
        out.push(b);
    }
    out
}

#[cfg(feature = "p384")]
#[test]
fn p384_verdicts_agree_across_backends() {
    use p384::ecdsa::signature::hazmat::PrehashSigner;
    use p384::elliptic_curve::Generate;
    let sk = p384::ecdsa::SigningKey::try_generate_from_rng(&mut getrandom::SysRng).unwrap();
    let vk = *sk.verifying_key();
    for len in [20usize, 32, 48, 64] {
        let digest: Vec<u8> = (0..len as u8).map(|i| i.wrapping_mul(53)).collect();
        let sig: p384::ecdsa::Signature = sk.sign_prehash(&digest).unwrap();
        let raw = sig.to_bytes().to_vec();
        let der = sig.to_der().as_bytes().to_vec();
        for (form, bytes) in [(false, &raw), (true, &der)] {
            let mut other = digest.clone();
            other[0] ^= 0x80;
            for (d, s) in flipped(bytes, 12).iter().map(|s| (&digest, s)).chain([(&other, bytes)]) {
                let fast = ecdsa::nist_p384::verify(&vk, d, s, form).is_ok();
                let rust = ecdsa::nist_p384::verify_prehash(&vk, d, s, form).is_ok();
                assert_eq!(fast, rust, "digest length {len}, der {form}");
            }
            assert!(ecdsa::nist_p384::verify(&vk, &digest, bytes, form).is_ok(), "{len}");
        }
    }
}

#[cfg(feature = "aws-lc")]
#[test]
fn rsa_verdicts_agree_across_backends() {
    use crate::digest::HashAlg;
    use aws_lc_rs::rsa::{KeyPair, KeySize};
    use aws_lc_rs::signature::{self as sig, KeyPair as _, RsaEncoding};
    use scheme::SchemeKind;
    let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
    let spki = {
        use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
        AsDer::<PublicKeyX509Der>::as_der(pair.public_key()).unwrap().as_ref().to_vec()
    };
    let PublicKey::Rsa(key) = PublicKey::from_spki_der(&spki).unwrap() else { panic!() };
    let msg = b"the same verdict from AWS-LC and from RustCrypto rsa";
    let cases: [(&'static dyn RsaEncoding, SchemeKind, HashAlg); 6] = [
        (&sig::RSA_PKCS1_SHA256, SchemeKind::RsaPkcs1, HashAlg::Sha256),
        (&sig::RSA_PKCS1_SHA384, SchemeKind::RsaPkcs1, HashAlg::Sha384),
        (&sig::RSA_PKCS1_SHA512, SchemeKind::RsaPkcs1, HashAlg::Sha512),
        (&sig::RSA_PSS_SHA256, SchemeKind::RsaPss { salt_len: 32 }, HashAlg::Sha256),
        (&sig::RSA_PSS_SHA384, SchemeKind::RsaPss { salt_len: 48 }, HashAlg::Sha384),
        (&sig::RSA_PSS_SHA512, SchemeKind::RsaPss { salt_len: 64 }, HashAlg::Sha512),
    ];
    let rng = aws_lc_rs::rand::SystemRandom::new();
    for (encoding, kind, hash) in cases {
        let mut s = vec![0; pair.public_modulus_len()];
        pair.sign(encoding, &rng, msg, &mut s).unwrap();
        let digest = hash.hash(msg);
        let scheme = Scheme::new(kind, hash);
        let mut other = digest.clone();
        other[3] ^= 0x10;
        // The same signature under a salt the aws-lc-rs constants do not name: `rsa` decides.
        let odd_salt = Scheme::new(SchemeKind::RsaPss { salt_len: 20 }, hash);
        for (scheme, d, s) in flipped(&s, 6)
            .iter()
            .map(|s| (&scheme, &digest, s))
            .chain([(&scheme, &other, &s), (&odd_salt, &digest, &s)])
        {
            let fast = rsa::verify_prehash(&key, scheme, d, s).is_ok();
            let rust = rsa::verify_prehash_rust(&key, scheme, d, s).is_ok();
            assert_eq!(fast, rust, "{scheme}");
        }
        assert!(rsa::verify_prehash(&key, &scheme, &digest, &s).is_ok(), "{scheme}");
    }
}
