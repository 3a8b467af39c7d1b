//! Crafted OFD packages built from the real vendor files in vectors/gbt38540/: a stamp must
//! cover what a reader shows (OFD.xml's document, every page, resource and template), and
//! a zip that reads differently in different readers is refused with its reason.
#![cfg(feature = "ofd")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use seal_core::seal::Stamp;
use seal_core::verify::{Indication, Report, SubIndication, Trust};

fn vector(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/gbt38540").join(name)
}

/// The entries of a package, in order.
fn entries(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().unwrap().into_owned(), data)
        })
        .collect()
}

/// A zip entry to write: name, bytes, and whether the central directory lists it.
type Part = (String, Vec<u8>, bool);

/// Writes a stored (uncompressed) zip by hand, so that it may hold what zip writers refuse:
/// entries with one name, and entries (`listed == false`) only their local header names.
fn write_zip(to: &Path, parts: &[Part]) {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let mut count = 0u16;
    for (name, data, listed) in parts {
        let mut crc = flate2::Crc::new();
        crc.update(data);
        let (crc, len, offset) = (crc.sum(), data.len() as u32, out.len() as u32);
        let fixed = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend_from_slice(&sig.to_le_bytes());
            if central {
                h.extend_from_slice(&20u16.to_le_bytes());
            }
            for v in [20u16, 0, 0, 0, 0x21] {
                h.extend_from_slice(&v.to_le_bytes());
            }
            for v in [crc, len, len] {
                h.extend_from_slice(&v.to_le_bytes());
            }
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes());
            h
        };
        out.extend(fixed(0x0403_4b50, false));
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        if *listed {
            central.extend(fixed(0x0201_4b50, true));
            for v in [0u16, 0, 0, 0, 0] {
                central.extend_from_slice(&v.to_le_bytes());
            }
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
            count += 1;
        }
    }
    let (cd_at, cd_len) = (out.len() as u32, central.len() as u32);
    out.extend(central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, count, count] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&cd_len.to_le_bytes());
    out.extend_from_slice(&cd_at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    std::fs::write(to, out).unwrap();
}

/// Copies an OFD package through a zip writer, letting `edit` change each entry and adding
/// `extra` entries.
pub fn repack(
    from: &Path,
    to: &Path,
    edit: impl Fn(&str, Vec<u8>) -> Vec<u8>,
    extra: &[(&str, Vec<u8>)],
) {
    let mut out = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let deflate = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries(from) {
        out.start_file(name.clone(), deflate).unwrap();
        out.write_all(&edit(&name, data)).unwrap();
    }
    for (name, data) in extra {
        out.start_file(*name, deflate.large_file(data.len() > u32::MAX as usize)).unwrap();
        out.write_all(data).unwrap();
    }
    out.finish().unwrap();
}

/// Trusts a vendor file's own seal maker and stamper directly (their roots are not
/// published), and names the maker as a seal-making authority.
fn trust_for(ofd: &Path, allow_metadata: bool) -> Trust {
    let value = entries(ofd).into_iter().find(|(n, _)| n.ends_with("SignedValue.dat")).unwrap();
    let stamp = Stamp::from_der(&value.1).unwrap();
    let maker = stamp.seal.maker_certificate().unwrap();
    let mut trust = Trust {
        anchors: vec![maker.clone(), stamp.signer_certificate().unwrap()],
        seal_makers: vec![maker],
        ..Trust::default()
    };
    trust.policy.allow_ofd_metadata = allow_metadata;
    trust
}

fn verify(ofd: &Path, trust: &Trust, at: &str) -> Report {
    seal_core::stamp::ofd::verify(ofd, trust, at.parse().unwrap()).unwrap()
}

/// 999.ofd (a tax invoice) is stamped in August 2020; its stamp does not cover OFD.xml.
const INVOICE_AT: &str = "2020-09-01T00:00:00Z";
/// V4RideRight.ofd, whose stamp covers OFD.xml too.
const RIDE_AT: &str = "2021-06-01T00:00:00Z";

fn coverage(r: &Report) -> &seal_core::verify::CheckOutcome {
    r.signatures[0].checks.iter().find(|c| c.check == "coverage").unwrap_or_else(|| panic!("{r}"))
}

#[test]
fn genuine_files_are_covered_and_the_report_says_what() {
    let ride = vector("V4RideRight.ofd");
    let r = verify(&ride, &trust_for(&ride, false), RIDE_AT);
    assert_eq!(r.indication, Indication::TotalPassed, "{r}");
    let s = &r.signatures[0];
    assert!(s.covers.contains("9 package parts") && s.covers.contains("OFD.xml"), "{r}");
    assert!(coverage(&r).detail.contains("Sign_0/SignedValue.dat"), "{r}");
    // The invoice's stamp leaves OFD.xml out: not vouched for unless the verifier accepts
    // an unsigned DocInfo.
    let invoice = vector("999.ofd");
    let r = verify(&invoice, &trust_for(&invoice, false), INVOICE_AT);
    assert_eq!(r.indication, Indication::Indeterminate, "{r}");
    let c = coverage(&r);
    assert_eq!(c.sub_indication, Some(SubIndication::FormatFailure));
    assert!(c.detail.contains("OFD.xml") && c.detail.contains("--allow ofd-metadata"), "{r}");
    for check in ["signature", "seal-signature", "data-hash", "references", "signer-chain"] {
        let c = r.signatures[0].checks.iter().find(|c| c.check == check).unwrap();
        assert_eq!(c.indication, Indication::TotalPassed, "{check}: {r}");
    }
    let r = verify(&invoice, &trust_for(&invoice, true), INVOICE_AT);
    assert_eq!(r.indication, Indication::TotalPassed, "{r}");
    assert!(coverage(&r).detail.contains("accepted unsigned"), "{r}");
}

/// The attack from the issue: the invoice total and the seller in OFD.xml's DocInfo.
#[test]
fn changed_invoice_metadata_is_not_vouched_for() {
    let dir = tempfile::tempdir().unwrap();
    let forged = dir.path().join("forged.ofd");
    let edit = |name: &str, data: Vec<u8>| {
        if name != "OFD.xml" {
            return data;
        }
        let text = String::from_utf8(data).unwrap();
        assert!(text.contains(">10600.00<"));
        text.replace(">10600.00<", ">99600.00<")
            .replace("财天下科技有限公司", "某某贸易有限公司")
            .into_bytes()
    };
    repack(&vector("999.ofd"), &forged, edit, &[]);
    let r = verify(&forged, &trust_for(&forged, false), INVOICE_AT);
    assert_ne!(r.indication, Indication::TotalPassed, "{r}");
    assert!(coverage(&r).detail.contains("DocInfo"), "{r}");
    // Where the stamp covers OFD.xml, the same edit is a changed part.
    let ride = dir.path().join("ride.ofd");
    repack(
        &vector("V4RideRight.ofd"),
        &ride,
        |name, data| {
            if name != "OFD.xml" {
                return data;
            }
            String::from_utf8(data).unwrap().replace("OFD R&amp;W", "Tax Bureau").into_bytes()
        },
        &[],
    );
    let r = verify(&ride, &trust_for(&ride, false), RIDE_AT);
    assert_eq!(r.indication, Indication::TotalFailed, "{r}");
    let refs = r.signatures[0].checks.iter().find(|c| c.check == "references").unwrap();
    assert!(refs.detail.contains("OFD.xml was changed"), "{r}");
}

/// An unsigned copy of the document (its first page changed), under Doc_1/.
fn with_unsigned_copy(from: &Path, to: &Path, ofd_xml: impl Fn(String) -> String) {
    let copy: Vec<(String, Vec<u8>)> = entries(from)
        .into_iter()
        .filter(|(n, _)| n.starts_with("Doc_0/") && !n.contains("/Signs/") && !n.ends_with('/'))
        .map(|(n, mut d)| {
            if n.ends_with("Page_0/Content.xml") {
                d.extend_from_slice(b"<!-- the attacker's page -->");
            }
            (n.replacen("Doc_0/", "Doc_1/", 1), d)
        })
        .collect();
    let extra: Vec<(&str, Vec<u8>)> = copy.iter().map(|(n, d)| (n.as_str(), d.clone())).collect();
    repack(
        from,
        to,
        |name, data| {
            if name == "OFD.xml" {
                ofd_xml(String::from_utf8(data).unwrap()).into_bytes()
            } else {
                data
            }
        },
        &extra,
    );
}

#[test]
fn a_doc_root_pointing_at_an_unsigned_copy_fails() {
    let dir = tempfile::tempdir().unwrap();
    let invoice = vector("999.ofd");
    let forged = dir.path().join("redirected.ofd");
    with_unsigned_copy(&invoice, &forged, |x| {
        x.replace("<ofd:DocRoot>Doc_0/Document.xml", "<ofd:DocRoot>Doc_1/Document.xml")
    });
    for allow in [false, true] {
        let r = verify(&forged, &trust_for(&forged, allow), INVOICE_AT);
        assert_eq!(r.indication, Indication::TotalFailed, "{r}");
        let c = coverage(&r);
        assert!(
            c.detail.contains("shows the document Doc_1/Document.xml")
                && c.detail.contains("it covers Doc_0/Document.xml"),
            "{r}"
        );
    }
}

#[test]
fn an_unsigned_doc_body_inserted_before_the_signed_one_fails() {
    let dir = tempfile::tempdir().unwrap();
    let invoice = vector("999.ofd");
    let forged = dir.path().join("inserted.ofd");
    with_unsigned_copy(&invoice, &forged, |x| {
        x.replacen(
            "<ofd:DocBody>",
            "<ofd:DocBody><ofd:DocInfo><ofd:DocID>x</ofd:DocID></ofd:DocInfo>\
             <ofd:DocRoot>Doc_1/Document.xml</ofd:DocRoot></ofd:DocBody><ofd:DocBody>",
            1,
        )
    });
    for allow in [false, true] {
        let r = verify(&forged, &trust_for(&forged, allow), INVOICE_AT);
        assert_eq!(r.indication, Indication::TotalFailed, "{r}");
        assert!(coverage(&r).detail.contains("also holds the document Doc_1/Document.xml"), "{r}");
    }
}

#[test]
fn parts_the_stamp_leaves_out_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let ride = vector("V4RideRight.ofd");
    let forged = dir.path().join("extra.ofd");
    repack(&ride, &forged, |_, d| d, &[("Doc_0/Res/font.ttf", b"not signed".to_vec())]);
    let r = verify(&forged, &trust_for(&forged, true), RIDE_AT);
    assert_eq!(r.indication, Indication::Indeterminate, "{r}");
    let c = coverage(&r);
    assert!(c.detail.contains("1 of the package's parts") && c.detail.contains("font.ttf"), "{r}");
}

/// The genuine parts of V4RideRight.ofd, with the attacker's page in `Page_0/Content.xml`.
fn ride_parts() -> (Vec<Part>, Vec<u8>) {
    let parts: Vec<Part> =
        entries(&vector("V4RideRight.ofd")).into_iter().map(|(n, d)| (n, d, true)).collect();
    let page = parts.iter().find(|(n, ..)| n == "Doc_0/Pages/Page_0/Content.xml").unwrap();
    let mut forged = page.1.clone();
    forged.extend_from_slice(b"<!-- the attacker's page -->");
    (parts, forged)
}

fn refused(parts: &[Part], why: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crafted.ofd");
    write_zip(&path, parts);
    let trust = trust_for(&vector("V4RideRight.ofd"), true);
    let e = seal_core::stamp::ofd::verify(&path, &trust, RIDE_AT.parse().unwrap())
        .map(|r| r.to_string())
        .unwrap_err();
    let text = e.to_string();
    assert!(text.contains("crafted.ofd") && text.contains(why), "{why}: {text}");
}

#[test]
fn the_hand_written_zip_itself_verifies() {
    // The writer behind the crafted packages makes a package that passes, so each refusal
    // below is the crafted entry's doing.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.ofd");
    write_zip(&path, &ride_parts().0);
    let r = verify(&path, &trust_for(&path, false), RIDE_AT);
    assert_eq!(r.indication, Indication::TotalPassed, "{r}");
}

#[test]
fn two_entries_with_one_name_are_refused() {
    let (mut parts, page) = ride_parts();
    // The attacker's page first, the genuine one after it.
    parts.insert(0, ("Doc_0/Pages/Page_0/Content.xml".into(), page, true));
    refused(&parts, "the same name");
}

#[test]
fn an_entry_outside_the_central_directory_is_refused() {
    let (mut parts, page) = ride_parts();
    parts.insert(0, ("Doc_0/Pages/Page_9/Content.xml".into(), page.clone(), false));
    refused(&parts, "outside the central directory");
    // Or the genuine page hidden from the central directory, the forged one listed.
    let (mut parts, _) = ride_parts();
    let i = parts.iter().position(|(n, ..)| n == "Doc_0/Pages/Page_0/Content.xml").unwrap();
    parts[i].2 = false;
    parts.push(("Doc_0/Pages/Page_0/Content.xml".into(), page, true));
    refused(&parts, "outside the central directory");
}

#[test]
fn a_part_under_another_spelling_is_refused() {
    for (alias, why) in [
        ("/Doc_0/Pages/Page_0/Content.xml", "starts with /"),
        ("Doc_0\\Pages\\Page_0\\Content.xml", "backslash"),
        ("doc_0/pages/page_0/content.xml", "differ only in letter case"),
        ("Doc_0/./Pages/Page_0/Content.xml", ". or .. segment"),
        ("Doc_0/Pages/../Pages/Page_0/Content.xml", ". or .. segment"),
        ("Doc_0//Pages/Page_0/Content.xml", "empty path segment"),
    ] {
        let (mut parts, page) = ride_parts();
        parts.insert(0, (alias.into(), page, true));
        refused(&parts, why);
    }
}

/// A signature list naming one signature ten thousand times, and a package part that is a
/// deflate bomb, are refused at once, with the reason.
#[test]
fn resource_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let src = vector("V4RideRight.ofd");
    // Signatures.xml: the one signature, 10,000 times.
    let many = dir.path().join("many.ofd");
    repack(
        &src,
        &many,
        |name, data| {
            if !name.ends_with("Signatures.xml") {
                return data;
            }
            let text = String::from_utf8(data).unwrap();
            let start = text.find("<ofd:Signature ").unwrap();
            let end = text[start..].find("/>").map(|e| start + e + 2).unwrap();
            let one = &text[start..end];
            format!("{}{}{}", &text[..start], one.repeat(10_000), &text[end..]).into_bytes()
        },
        &[],
    );
    let at = RIDE_AT.parse().unwrap();
    let e = seal_core::stamp::ofd::verify(&many, &Trust::default(), at).unwrap_err();
    assert!(e.to_string().contains("10000 signatures"), "{e}");
    // A 256 MiB part of zeros (a quarter of a megabyte compressed) that the signature lists.
    let bomb = dir.path().join("bomb.ofd");
    let zeros = vec![0u8; 256 << 20];
    repack(
        &src,
        &bomb,
        |name, data| {
            if !name.ends_with("Signature.xml") {
                return data;
            }
            let text = String::from_utf8(data).unwrap();
            text.replacen("/Doc_0/Pages/Page_0/Content.xml", "/Doc_0/Res/huge.bin", 1).into_bytes()
        },
        &[("Doc_0/Res/huge.bin", zeros)],
    );
    let r = seal_core::stamp::ofd::verify(&bomb, &Trust::default(), at).unwrap();
    assert!(!r.is_valid(), "{r}");
    assert!(r.to_string().contains("zip bomb"), "{r}");
}
