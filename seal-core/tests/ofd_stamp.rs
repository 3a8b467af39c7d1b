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

/// A DER element's tag and, for a constructed one, its children's.
#[derive(Debug, PartialEq)]
struct Node {
    tag: String,
    children: Vec<Node>,
}

fn tree(der: &[u8]) -> Vec<Node> {
    use der::{Decode, Reader, Tagged};
    let mut reader = der::SliceReader::new(der).unwrap();
    let mut nodes = Vec::new();
    while !reader.is_finished() {
        let any = der::asn1::AnyRef::decode(&mut reader).unwrap();
        let children = if any.tag().is_constructed() { tree(any.value()) } else { Vec::new() };
        nodes.push(Node { tag: any.tag().to_string(), children });
    }
    nodes
}

/// Element names in document order, each with its attribute names, and the number of
/// References collapsed to one.
fn xml_outline(xml: &[u8]) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut out: Vec<String> = Vec::new();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).unwrap() {
            Event::Start(e) | Event::Empty(e) => {
                let mut attrs: Vec<String> = e
                    .attributes()
                    .map(|a| a.unwrap().key.into_inner().to_string())
                    .filter(|k| !k.starts_with("xmlns"))
                    .collect();
                attrs.sort();
                let line = format!("{} {attrs:?}", e.name().into_inner());
                let repeated = line.starts_with("ofd:Reference ") || line == "ofd:CheckValue []";
                if !(repeated && out.iter().rev().take(2).any(|l| *l == line)) {
                    out.push(line);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

fn part(ofd: &Path, name: &str) -> Vec<u8> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(ofd).unwrap()).unwrap();
    let mut data = Vec::new();
    zip.by_name(name).unwrap().read_to_end(&mut data).unwrap();
    data
}

/// GB/T 38540 leaves room in the layout (optional fields, the order of References); our
/// SM2 stamp is laid out as the tax bureau's seal system (vid GOMAIN, 1.ofd) lays its own:
/// the same DER tree in SignedValue.dat but for the seal's optional extDatas, which GOMAIN
/// fills and ours leaves out without a holder chain; the same elements and attributes in
/// Signature.xml and Signatures.xml but for the Signature's Type (GB/T 33190 §18.1: Seal is
/// the default, which GOMAIN leaves implicit).
#[test]
fn an_sm2_stamp_is_laid_out_as_the_tax_bureaus_own() {
    let fx = Fixture::new(Algorithm::Sm2Sm3);
    let ours = fx.dir.path().join("ours.ofd");
    stamp(&fx, &vector("csfapiao1.ofd"), &ours, &StampOptions::default()).unwrap();
    let theirs = vector("1.ofd");
    let sign = "Doc_0/Signs/Sign_0/";

    let our_tree = tree(&part(&ours, &format!("{sign}SignedValue.dat")));
    let mut their_tree = tree(&part(&theirs, &format!("{sign}SignedValue.dat")));
    // SES_Signature / TBS_Sign / SESeal / SES_SealInfo: header, esID, property, picture,
    // extDatas.
    let seal_info = &mut their_tree[0].children[0].children[1].children[0];
    assert_eq!(seal_info.children.len(), 5);
    seal_info.children.pop();
    assert_eq!(our_tree, their_tree);

    for name in ["Signature.xml", "../Signatures.xml"] {
        let path = format!("{sign}{name}").replace("Sign_0/../", "");
        let ours = xml_outline(&part(&ours, &path));
        let theirs = xml_outline(&part(&theirs, &path));
        let ours: Vec<String> = ours.iter().map(|l| l.replace(", \"Type\"", "")).collect();
        assert!(theirs.len() >= 3, "{theirs:?}");
        assert_eq!(ours, theirs, "{path}");
    }
}
