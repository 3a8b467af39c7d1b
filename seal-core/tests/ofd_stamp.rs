//! Stamping OFD documents through the library (`stamp::ofd::stage`): documents made by other
//! systems (vectors/gbt38540) take an SM2 or a P-256 stamp, their earlier stamps keep their
//! verdicts, and what cannot be stamped without breaking an earlier stamp is refused.
#![cfg(feature = "ofd")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::{Fixture, now};
use seal_core::keys::Algorithm;
use seal_core::stamp::ofd::{self, StampOptions};
use seal_core::verify::{Indication, Report};

fn vector(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/gbt38540").join(name)
}

fn stamp(
    fx: &Fixture,
    input: &Path,
    out: &Path,
    opts: &StampOptions,
) -> seal_core::Result<ofd::Stamped> {
    let (staged, stamped) = ofd::stage(input, out, &fx.key(), opts, now(), None, false)?;
    for r in seal_core::io::commit_all(vec![staged]) {
        r?;
    }
    Ok(stamped)
}

fn verdicts(r: &Report) -> Vec<(String, Indication)> {
    r.signatures.iter().map(|s| (s.id.clone(), s.indication)).collect()
}

#[test]
fn vendor_documents_take_sm2_and_p256_stamps() {
    for alg in [Algorithm::Sm2Sm3, Algorithm::EcdsaP256Sha256] {
        let fx = Fixture::new(alg);
        for name in ["1.ofd", "999.ofd", "SESV4SignDoc.ofd", "signedFile.ofd"] {
            let out = fx.dir.path().join(format!("{alg:?}-{name}"));
            let stamped = stamp(&fx, &vector(name), &out, &StampOptions::default()).unwrap();
            // The last page by default: 999.ofd has five.
            assert_eq!(stamped.page, if name == "999.ofd" { 5 } else { 1 }, "{name}");
            assert_eq!((stamped.boundary.2, stamped.boundary.3), (40.0, 40.0));
            let before = ofd::verify(&vector(name), &fx.trust(), now()).unwrap();
            let after = ofd::verify(&out, &fx.trust(), now()).unwrap();
            let (b, a) = (verdicts(&before), verdicts(&after));
            assert_eq!(&a[..b.len()], &b[..], "{name}: the earlier stamps keep their verdicts");
            let ours = after.signatures.last().unwrap();
            assert!(ours.is_valid(), "{alg:?} {name}: {after}");
            assert!(
                ours.id
                    .starts_with(&stamped.signature.trim_end_matches("/Signature.xml").to_string())
            );
        }
    }
}

#[test]
fn stamping_that_would_break_an_earlier_stamp_or_miss_the_page_is_refused() {
    let fx = Fixture::new(Algorithm::Sm2Sm3);
    let out = fx.dir.path().join("k.ofd");
    let err = stamp(&fx, &vector("keyword.ofd"), &out, &StampOptions::default()).unwrap_err();
    assert!(err.to_string().contains("covers Doc_0/Signs/Signatures.xml"), "{err}");
    assert!(!out.exists());
    let mut opts = StampOptions::default();
    opts.at = Some((190.0, 10.0));
    let err = stamp(&fx, &vector("1.ofd"), &out, &opts).unwrap_err();
    assert!(err.to_string().contains("does not fit on page 1"), "{err}");
    opts.at = None;
    opts.page = Some(3);
    let err = stamp(&fx, &vector("1.ofd"), &out, &opts).unwrap_err();
    assert!(err.to_string().contains("the document has 1 page"), "{err}");
    // An existing output is kept.
    std::fs::write(&out, b"keep me").unwrap();
    assert!(stamp(&fx, &vector("1.ofd"), &out, &StampOptions::default()).is_err());
    assert_eq!(std::fs::read(&out).unwrap(), b"keep me");
}
