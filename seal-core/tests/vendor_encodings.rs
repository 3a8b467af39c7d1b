//! Seals and stamps with the encodings other Chinese seal systems write where GB/T 38540's
//! DER says otherwise (vectors/gbt38540/quirks, made and signed by OpenSSL through gen.py
//! there): each verifies over its bytes as written, the report says what was read
//! leniently, and the leniency never lets a changed byte or an unreadable holder list pass.
#![cfg(feature = "sm2")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use seal_core::seal::{CertList, Seal, Stamp};
use seal_core::stamp;
use seal_core::time::UnixTime;
use seal_core::verify::{Indication, Report, SignatureReport, Trust};

fn quirks() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/gbt38540/quirks")
}

fn utc(s: &str) -> UnixTime {
    s.parse().unwrap()
}

fn trust() -> Trust {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/sm2/root.pem");
    let mut trust = Trust::from_anchors(&root).unwrap();
    trust.seal_makers = trust.anchors.clone();
    trust
}

fn verify_sig(sig: &Path) -> Report {
    stamp::verify(&quirks().join("message.txt"), Some(sig), &trust(), utc("2027-06-01T00:00:00Z"))
        .unwrap()
}

fn verify(name: &str) -> Report {
    verify_sig(&quirks().join(name))
}

fn check<'a>(r: &'a SignatureReport, name: &str) -> &'a seal_core::verify::CheckOutcome {
    r.checks.iter().find(|c| c.check == name).unwrap_or_else(|| panic!("no {name} check"))
}

#[test]
fn dates_without_a_time_zone_read_as_china_standard_time_and_say_so() {
    let seal = Seal::from_der(&std::fs::read(quirks().join("no-zone.esl")).unwrap()).unwrap();
    // "20261203000000" in Beijing is 16:00 UTC the day before.
    assert_eq!(seal.valid_start, utc("2026-12-02T16:00:00Z"));
    assert_eq!(seal.valid_end, utc("2031-12-02T16:00:00Z"));
    assert_eq!(seal.leniencies.len(), 3, "{:?}", seal.leniencies);
    for (note, field) in seal.leniencies.iter().zip(["createDate", "validStart", "validEnd"]) {
        assert!(note.starts_with(field) && note.contains("China Standard Time"), "{note}");
    }

    let r = verify("no-zone.ses");
    assert_eq!(r.indication, Indication::TotalPassed, "{r:#?}");
    let s = &r.signatures[0];
    assert_eq!(s.signing_time.as_deref(), Some("2026-12-03T02:00:00Z"));
    assert!(check(s, "seal-encoding").detail.contains("validEnd \"20311203000000\""));
    assert!(check(s, "stamp-encoding").detail.contains("timeInfo \"20261203100000\""));
}

#[test]
fn utc_offsets_and_fractional_seconds_read_as_the_same_instants() {
    let r = verify("offset.ses");
    assert_eq!(r.indication, Indication::TotalPassed, "{r:#?}");
    let s = &r.signatures[0];
    assert_eq!(s.signing_time.as_deref(), Some("2026-12-03T02:00:00Z"));
    let stamp_note = &check(s, "stamp-encoding").detail;
    assert!(stamp_note.contains("fractional seconds") && stamp_note.contains("+0800"));
    let seal = s.seal.as_ref().unwrap();
    assert_eq!(seal.valid_start, "2026-12-02T16:00:00Z");
}

#[test]
fn an_undefined_cert_list_type_over_certificates_binds_its_holders() {
    let seal = Seal::from_der(&std::fs::read(quirks().join("certlist3.esl")).unwrap()).unwrap();
    assert!(matches!(seal.cert_list, CertList::Certificates { count: 1, .. }));
    assert_eq!(seal.holder_certificates().len(), 1);
    let r = verify("certlist3.ses");
    assert_eq!(r.indication, Indication::TotalPassed, "{r:#?}");
    let s = &r.signatures[0];
    assert!(check(s, "seal-encoding").detail.contains("certListType 3"));
    assert_eq!(check(s, "seal-holder").indication, Indication::TotalPassed);
    // Written as the standard says, a stamp's report has no encoding notes.
    let strict = Stamp::from_der(&std::fs::read(quirks().join("certlist3.ses")).unwrap()).unwrap();
    assert!(strict.leniencies.is_empty());
}

#[test]
fn an_undefined_cert_list_type_over_anything_else_binds_no_one() {
    let r = verify("certlist3-junk.ses");
    assert_eq!(r.indication, Indication::TotalFailed);
    let holder = check(&r.signatures[0], "seal-holder");
    assert_eq!(holder.indication, Indication::TotalFailed);
    assert!(holder.detail.contains("unknown certListType 3"), "{}", holder.detail);
}

#[test]
fn a_changed_date_breaks_the_signatures_read_leniently_or_not() {
    let der = std::fs::read(quirks().join("no-zone.ses")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // validEnd 2031 -> 2041 (inside the seal), then the stamp's time 10:00 -> 11:00.
    for (from, to, failing) in [
        (&b"20311203000000"[..], &b"20411203000000"[..], "seal-signature"),
        (&b"20261203100000"[..], &b"20261203110000"[..], "signature"),
    ] {
        let at = der.windows(from.len()).position(|w| w == from).unwrap();
        let mut changed = der.clone();
        changed[at..at + to.len()].copy_from_slice(to);
        let path = dir.path().join("changed.ses");
        std::fs::write(&path, &changed).unwrap();
        let r = verify_sig(&path);
        assert_eq!(r.indication, Indication::TotalFailed, "{r:#?}");
        assert_eq!(check(&r.signatures[0], failing).indication, Indication::TotalFailed);
    }
}
