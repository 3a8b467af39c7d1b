//! Real GB/T 38540 / GM/T 0031 seals and stamps made by other systems (ofdrw and the vendor
//! systems behind it), from ../shared/vectors-external/gbt38540/.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use seal_core::seal::{Seal, SealVersion, SignatureForm, Stamp};

fn external() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors-external/gbt38540")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(external().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn seals_parse_and_verify() {
    for (file, version, verifies) in [
        ("UserV1.esl", SealVersion::V1, true),
        ("UserV4.esl", SealVersion::V4, true),
        ("UserV5.esl", SealVersion::V4, true),
        ("UserV5_ts.esl", SealVersion::V4, true),
        ("SESealData.DER", SealVersion::V4, false),
    ] {
        let seal = Seal::from_der(&read(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(seal.version, version, "{file}");
        assert!(!seal.picture.data.is_empty(), "{file}");
        assert!(seal.maker_certificate().is_ok(), "{file}");
        let result = seal.verify_maker_signature();
        assert_eq!(result.is_ok(), verifies, "{file}: {result:?}");
        println!("{file}: {} {:?} {:?}", seal.name, seal.picture.kind, result);
    }
}

#[test]
fn stamps_parse_and_verify() {
    for file in ["SignedValueV4.dat", "SignedValueV5.dat"] {
        let stamp = Stamp::from_der(&read(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(stamp.version, SealVersion::V4);
        assert_eq!(stamp.property_info, "/Doc_0/Signs/Sign_0/Signature.xml");
        let (form, what) = stamp.verify_signature().unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(form, SignatureForm::Der);
        assert_eq!(what, "DER(TBS_Sign)");
        stamp.seal.verify_maker_signature().unwrap();
    }
}
