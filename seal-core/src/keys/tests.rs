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

        for kdf in [Kdf::Scrypt, Kdf::Pbkdf2Sha256] {
            let enc = key.to_pem(Some("hunter22"), kdf).unwrap();
            assert!(is_encrypted(enc.as_bytes()));
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
