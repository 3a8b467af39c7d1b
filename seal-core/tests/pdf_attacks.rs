//! Crafted attacks on stamped PDFs: every change that makes a person see something other
//! than what was signed must fail, with its reason named; the benign changes (a later
//! seal, filling a field where allowed) still pass. The files come from
//! `common::pdfgen`; where the point is what a person sees, `pdftotext` shows it.
#![cfg(feature = "pdf")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Command;

use common::Fixture;
use common::pdfgen::*;
use seal_core::keys::Algorithm;
use seal_core::pdf::{self, Appearance, DocMdp, StampOptions};
use seal_core::time::UnixTime;
use seal_core::verify::{Indication, Report};

fn t() -> UnixTime {
    "2026-06-01T00:00:00Z".parse().unwrap()
}

/// The base document with Seal1 signed by the fixture's agency, certified at `level`.
fn stamped(f: &Fixture, base_opts: &Base, level: Option<DocMdp>) -> Vec<u8> {
    let app = Appearance::for_seal(&f.seal).unwrap();
    let opts = StampOptions { field: Some("Seal1".into()), certify: level, ..Default::default() };
    pdf::stamp_to_vec(&base(base_opts), &f.key(), &app, &opts, t()).unwrap().0
}

fn verify(f: &Fixture, doc: &[u8], allow_annotations: bool) -> Report {
    let mut trust = f.trust();
    trust.policy.allow_annotations = allow_annotations;
    pdf::verify_bytes(doc, "attack.pdf", &trust, t()).unwrap()
}

/// The seal's modification check: failed, naming `words`.
fn assert_caught(f: &Fixture, doc: &[u8], words: &str) {
    let r = verify(f, doc, false);
    assert_ne!(r.indication, Indication::TotalPassed, "{r}");
    let m = r.signatures[0].checks.iter().find(|c| c.check == "modifications").unwrap();
    assert_eq!(m.indication, Indication::TotalFailed, "{r}");
    assert!(m.detail.contains(words), "expected \"{words}\": {r}");
}

fn assert_passes(f: &Fixture, doc: &[u8], allow_annotations: bool, words: &str) {
    let r = verify(f, doc, allow_annotations);
    assert!(r.is_valid(), "{r}");
    let m = r.signatures[0].checks.iter().find(|c| c.check == "modifications").unwrap();
    assert!(m.detail.contains(words), "expected \"{words}\": {r}");
}

/// What poppler shows on page `page` of `doc`.
fn shown(f: &Fixture, doc: &[u8], page: u32) -> String {
    let file = f.dir.path().join("shown.pdf");
    std::fs::write(&file, doc).unwrap();
    let p = page.to_string();
    let out = Command::new("pdftotext")
        .args(["-q", "-f", &p, "-l", &p])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (apt-get install poppler-utils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const LEVELS: [Option<DocMdp>; 4] =
    [None, Some(DocMdp::NoChanges), Some(DocMdp::FormFilling), Some(DocMdp::Annotations)];

fn new_content() -> String {
    stream("", "BT /F1 16 Tf 72 760 Td (Contract number 9999999999) Tj ET")
}

#[test]
fn cross_reference_rows_seal_cannot_decode_fail_closed() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    for level in LEVELS {
        let doc = stamped(&f, &Base::default(), level);
        let next = free(&doc);
        assert!(shown(&f, &doc, 1).contains("0101234567"));
        // A row of a type no PDF version defines, for the page's content, whose new
        // definition sits in the update's body.
        for kind in [3u8, 255] {
            let attacked =
                update_xref_stream(&doc, &[(CONTENT1, new_content())], "[1 4 2]", &|o| {
                    vec![(CONTENT1, row(kind, o[0].1))]
                });
            // poppler rebuilds the table and shows the new content.
            assert!(shown(&f, &attacked, 1).contains("9999999999"));
            let err = pdf::verify_bytes(&attacked, "a.pdf", &f.trust(), t()).unwrap_err();
            assert!(err.to_string().contains(&format!("type {kind}")), "{err}");
        }
        // A /W seal cannot hold.
        let attacked =
            update_xref_stream(&doc, &[(CONTENT1, new_content())], "[1 4294967295 2]", &|o| {
                vec![(CONTENT1, row(1, o[0].1))]
            });
        assert!(shown(&f, &attacked, 1).contains("9999999999"));
        let err = pdf::verify_bytes(&attacked, "a.pdf", &f.trust(), t()).unwrap_err();
        assert!(err.to_string().contains("/W"), "{err}");
        // A new definition the update's table does not list (a repairing reader shows
        // it), beside one harmless listed object.
        let attacked = update_listing(
            &doc,
            &[(CONTENT1, new_content()), (next + 40, "<<>>".into())],
            &[next + 40],
        );
        assert_caught(&f, &attacked, "hidden object");
    }
}

#[test]
fn annots_are_an_ordered_list_without_duplicates() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let page = |annots: &str| {
        format!(
            "<</Type/Page/Parent 2 0 R/Resources<</Font<</F1 7 0 R>>>>/Contents 4 0 R/Annots[{annots}]>>"
        )
    };
    for level in [None, Some(DocMdp::NoChanges), Some(DocMdp::Annotations)] {
        let doc = stamped(&f, &Base::default(), level);
        // The stamp keeps Seal1's widget (11) on page 1.
        let reordered = update(&doc, &[(PAGE1, page("6 0 R 5 0 R 14 0 R 11 0 R 16 0 R"))]);
        assert_caught(&f, &reordered, "reordered");
        let twice = update(&doc, &[(PAGE1, page("5 0 R 6 0 R 14 0 R 11 0 R 16 0 R 11 0 R"))]);
        assert_caught(&f, &twice, "twice");
        // The signed seal's widget shown on page 2 as well.
        let page2 = "<</Type/Page/Parent 2 0 R/Resources<</Font<</F1 7 0 R>>>>/Contents 13 0 R/Annots[11 0 R]>>";
        let second_page = update(&doc, &[(PAGE2, page2.into())]);
        assert_caught(&f, &second_page, "existed before");
    }
}

#[test]
fn signature_fields_that_are_not_signatures() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    for level in [None, Some(DocMdp::FormFilling)] {
        let doc = stamped(&f, &Base::default(), level);
        let next = free(&doc);
        let sig_dict = seal_core::pdf::file::PdfFile::from_source(&doc[..])
            .unwrap()
            .get(seal_core::pdf::object::Ref::new(SEAL_FIELD))
            .unwrap();
        let v = sig_dict.as_dict().unwrap().get("V").unwrap().as_ref().unwrap();
        // A new field showing "APPROVED - fee waived" that points at the seal's signature.
        let fake = format!(
            "<</FT/Sig/T(Approved)/V {v}/Type/Annot/Subtype/Widget/Rect[72 300 400 340]/P 3 0 R\
             /AP<</N {} 0 R>>>>",
            next + 1
        );
        let catalog = format!(
            "<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields[5 0 R 6 0 R 11 0 R 16 0 R {next} 0 R]\
             /DR<</Font<</Helv 7 0 R>>>>/DA(/Helv 12 Tf 0 g)/SigFlags 3>>{}>>",
            perms(&doc)
        );
        let page = format!(
            "<</Type/Page/Parent 2 0 R/Resources<</Font<</F1 7 0 R>>>>/Contents 4 0 R\
             /Annots[5 0 R 6 0 R 14 0 R 11 0 R 16 0 R {next} 0 R]>>"
        );
        let attacked = update(
            &doc,
            &[
                (CATALOG, catalog),
                (PAGE1, page),
                (next, fake),
                (next + 1, cover_ap("APPROVED - fee waived", 328, 40)),
            ],
        );
        assert_caught(&f, &attacked, "not one made in this update");
        let r = verify(&f, &attacked, false);
        assert!(r.signatures.iter().all(|s| !s.is_valid()), "no second valid seal: {r}");
        let fake = r.signatures.iter().find(|s| s.id.contains("Approved")).unwrap();
        assert!(fake.checks.iter().any(|c| c.detail.contains("cannot seal two fields")), "{r}");
        // The empty signature field "Approval" given an opaque appearance, unsigned.
        let drawn = update(
            &doc,
            &[
                (
                    APPROVAL,
                    format!(
                        "<</FT/Sig/T(Approval)/Type/Annot/Subtype/Widget/F 4/Rect[72 60 222 120]\
                         /P 3 0 R/AP<</N {next} 0 R>>>>"
                    ),
                ),
                (next, cover_ap("APPROVED", 150, 60)),
            ],
        );
        assert_caught(&f, &drawn, "unsigned");
    }
}

/// The first object number the stamped document does not use.
fn free(doc: &[u8]) -> u32 {
    let pdf = seal_core::pdf::file::PdfFile::from_source(doc).unwrap();
    pdf.trailer().get("Size").and_then(seal_core::pdf::object::Object::as_i64).unwrap() as u32
}

/// The catalog's /Perms of a certified document, to keep it in rewritten catalogs.
fn perms(doc: &[u8]) -> String {
    let pdf = seal_core::pdf::file::PdfFile::from_source(doc).unwrap();
    let root = pdf.trailer().get("Root").unwrap().as_ref().unwrap();
    match pdf.get(root).unwrap().as_dict().unwrap().get("Perms") {
        Some(p) => {
            let mut v = Vec::new();
            seal_core::pdf::object::write_object(&mut v, p);
            format!("/Perms {}", String::from_utf8(v).unwrap())
        }
        None => String::new(),
    }
}

fn catalog_with(doc: &[u8], fields_extra: &str, acro_extra: &str) -> String {
    format!(
        "<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields[5 0 R 6 0 R 11 0 R 16 0 R{fields_extra}]\
         /DR<</Font<</Helv 7 0 R>>>>/DA(/Helv 12 Tf 0 g)/SigFlags 3{acro_extra}>>{}>>",
        perms(doc)
    )
}

#[test]
fn form_filling_allows_filling_existing_fields_and_nothing_else() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let doc = stamped(&f, &Base::default(), Some(DocMdp::FormFilling));
    let next = free(&doc);
    let amount = |ap: &str| {
        format!(
            "<</FT/Tx/T(amount)/V(900)/Type/Annot/Subtype/Widget/Rect[130 700 330 720]/P 3 0 R\
             /DA(/Helv 12 Tf 0 g){ap}>>"
        )
    };
    // Benign: the amount filled in with a new appearance.
    let filled =
        update(&doc, &[(AMOUNT, amount(&format!("/AP<</N {next} 0 R>>"))), (next, text_ap("900"))]);
    assert_passes(&f, &filled, false, "field \"amount\" filled in: now \"900\"");
    // The field's appearance deleted, so that viewers draw the value themselves.
    let no_ap = update(&doc, &[(AMOUNT, amount(""))]);
    assert_caught(&f, &no_ap, "lost its appearance");
    // A brand-new text field covering the contract number.
    let cover = format!(
        "<</FT/Tx/T(cover)/V(9999999999)/Type/Annot/Subtype/Widget/Rect[60 750 500 785]/P 3 0 R\
         /AP<</N {} 0 R>>>>",
        next + 1
    );
    let page = format!(
        "<</Type/Page/Parent 2 0 R/Resources<</Font<</F1 7 0 R>>>>/Contents 4 0 R\
         /Annots[5 0 R 6 0 R 14 0 R 11 0 R 16 0 R {next} 0 R]>>"
    );
    let covered = update(
        &doc,
        &[
            (CATALOG, catalog_with(&doc, &format!(" {next} 0 R"), "")),
            (PAGE1, page),
            (next, cover),
            (next + 1, cover_ap("Contract number 9999999999", 440, 35)),
        ],
    );
    assert_caught(&f, &covered, "new form field \"cover\"");
}

#[test]
fn annotations_fail_unless_allowed() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    for level in LEVELS {
        let doc = stamped(&f, &Base::default(), level);
        let next = free(&doc);
        let freetext = format!(
            "<</Type/Annot/Subtype/FreeText/Rect[60 750 500 785]/DA(/Helv 14 Tf 0 g)\
             /Contents(Contract number 9999999999)/AP<</N {} 0 R>>>>",
            next + 1
        );
        let page = format!(
            "<</Type/Page/Parent 2 0 R/Resources<</Font<</F1 7 0 R>>>>/Contents 4 0 R\
             /Annots[5 0 R 6 0 R 14 0 R 11 0 R 16 0 R {next} 0 R]>>"
        );
        let note = |extra: &str| {
            format!("<</Type/Annot/Subtype/Square{extra}/C[1 1 1]/IC[1 1 1]/AP<</N 15 0 R>>>>")
        };
        let over = update(
            &doc,
            &[
                (PAGE1, page.clone()),
                (next, freetext.clone()),
                (next + 1, cover_ap("Contract number 9999999999", 440, 35)),
            ],
        );
        let unhidden = update(&doc, &[(NOTE, note("/F 4/Rect[60 740 500 790]"))]);
        let moved = update(&doc, &[(NOTE, note("/F 2/Rect[60 40 500 90]"))]);
        for (attack, words) in [
            (&over, "FreeText annotation was added"),
            (&unhidden, "Square annotation"),
            (&moved, "Square annotation"),
        ] {
            match level {
                None => {
                    assert_caught(&f, attack, words);
                    assert_caught(&f, attack, "--allow annotations");
                    assert_passes(&f, attack, true, words);
                }
                Some(DocMdp::Annotations) => assert_passes(&f, attack, false, words),
                Some(_) => assert_caught(&f, attack, words),
            }
        }
    }
}

#[test]
fn field_locks_and_shared_appearances() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let doc = stamped(&f, &Base { lock: Some(vec!["amount"]), ..Default::default() }, None);
    let next = free(&doc);
    let amount = format!(
        "<</FT/Tx/T(amount)/V(900)/Type/Annot/Subtype/Widget/Rect[130 700 330 720]/P 3 0 R\
         /DA(/Helv 12 Tf 0 g)/AP<</N {next} 0 R>>>>"
    );
    let locked = update(&doc, &[(AMOUNT, amount), (next, text_ap("900"))]);
    assert_caught(&f, &locked, "locked by this signature (FieldMDP)");
    // The checkbox is not locked: switching it passes, and the report says what it shows.
    let void = "<</FT/Btn/T(void)/V/VOID/AS/VOID/Type/Annot/Subtype/Widget/Rect[72 600 272 620]\
                /P 3 0 R/AP<</N <</Off 9 0 R/VOID 10 0 R>>>>>>";
    let switched = update(&doc, &[(VOID, void.into())]);
    assert_passes(&f, &switched, false, "switched to /VOID");
    // A widget on the page that no form field owns.
    let dangling = format!(
        "<</Type/Annot/Subtype/Widget/Rect[60 750 500 785]/P 3 0 R/AP<</N {} 0 R>>>>",
        next + 1
    );
    let page = format!(
        "<</Type/Page/Parent 2 0 R/Resources<</Font<</F1 7 0 R>>>>/Contents 4 0 R\
         /Annots[5 0 R 6 0 R 14 0 R 11 0 R 16 0 R {next} 0 R]>>"
    );
    let attacked = update(
        &doc,
        &[(PAGE1, page), (next, dangling), (next + 1, cover_ap("9999999999", 440, 35))],
    );
    assert_caught(&f, &attacked, "outside the form");
    // One appearance stream shared by two fields, overwritten while filling one of them.
    let doc =
        stamped(&f, &Base { shared_ap: true, ..Default::default() }, Some(DocMdp::FormFilling));
    let overwritten = update(&doc, &[(AMOUNT_AP, text_ap("900"))]);
    assert_caught(&f, &overwritten, "shared by fields");
}

#[test]
fn changes_that_redraw_fields_are_content_changes() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    for level in [None, Some(DocMdp::FormFilling), Some(DocMdp::Annotations)] {
        let doc = stamped(&f, &Base::default(), level);
        let next = free(&doc);
        let regenerate =
            update(&doc, &[(CATALOG, catalog_with(&doc, "", "/NeedAppearances true"))]);
        assert_caught(&f, &regenerate, "NeedAppearances");
        // The form font replaced by one that draws other digits.
        let font =
            "<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding<</Differences[48/five/six]>>>>";
        let catalog = format!(
            "<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields[5 0 R 6 0 R 11 0 R 16 0 R]\
             /DR<</Font<</Helv {next} 0 R>>>>/DA(/Helv 12 Tf 0 g)/SigFlags 3>>{}>>",
            perms(&doc)
        );
        let refont = update(&doc, &[(CATALOG, catalog), (next, font.into())]);
        assert_caught(&f, &refont, "default resources");
        let font_object = update(&doc, &[(FONT, font.into())]);
        assert_caught(&f, &font_object, "object 7");
    }
}

#[test]
fn later_seals_and_validation_data_still_pass() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    let app = Appearance::for_seal(&f.seal).unwrap();
    for level in [None, Some(DocMdp::FormFilling), Some(DocMdp::Annotations)] {
        let doc = stamped(&f, &Base::default(), level);
        let opts = StampOptions { field: Some("Approval".into()), ..Default::default() };
        let twice = pdf::stamp_to_vec(&doc, &f.key(), &app, &opts, t()).unwrap().0;
        let r = verify(&f, &twice, false);
        assert!(r.is_valid(), "{r}");
        assert!(shown(&f, &twice, 1).contains("0101234567"));
        let m = r.signatures[0].checks.iter().find(|c| c.check == "modifications").unwrap();
        assert!(m.detail.contains("signature field \"Approval\" signed"), "{r}");
    }
    // A hybrid update (a table whose /XRefStm names an xref stream) hides nothing.
    let doc = stamped(&f, &Base::default(), None);
    let hybrid = update_hybrid(&doc, free(&doc), "<</Note(unused)>>");
    let r = verify(&f, &hybrid, false);
    assert!(r.is_valid(), "{r}");
    // Under "no changes", validation data may still be added.
    let doc = stamped(&f, &Base::default(), Some(DocMdp::NoChanges));
    let next = free(&doc);
    let dss = format!(
        "<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields[5 0 R 6 0 R 11 0 R 16 0 R]/DR<</Font<</Helv 7 0 R>>>>/DA(/Helv 12 Tf 0 g)/SigFlags 3>>{}/DSS {next} 0 R>>",
        perms(&doc)
    );
    let with_dss = update(&doc, &[(CATALOG, dss), (next, "<</Certs[]>>".into())]);
    assert_passes(&f, &with_dss, false, "validation data");
}

#[test]
fn shadow_attacks_hide_then_reveal() {
    let f = Fixture::new(Algorithm::EcdsaP256Sha256);
    // Hidden before signing, revealed by an update that makes readers rebuild the table.
    let doc = stamped(&f, &Base { hidden_content: true, ..Default::default() }, None);
    assert!(verify(&f, &doc, false).is_valid(), "the signed document itself is the signer's");
    let info = "<</Producer(a harmless update)>>".to_string();
    let next = free(&doc);
    let revealed = shift_startxref(&update(&doc, &[(next, info)]), 3);
    assert!(shown(&f, &doc, 1).contains("0101234567"));
    assert!(shown(&f, &revealed, 1).contains("9999999999"), "poppler shows the hidden page");
    assert_caught(&f, &revealed, "shadow attack");
    // The page content given another generation: every "4 0 R" now finds nothing.
    let doc = stamped(&f, &Base::default(), Some(DocMdp::FormFilling));
    let body = stream("", &format!("BT /F1 16 Tf 72 760 Td ({CONTRACT}) Tj ET"));
    let regenerated = update_generation(&doc, CONTENT1, 1, &body);
    assert!(!shown(&f, &regenerated, 1).contains("0101234567"), "poppler shows an empty page");
    assert_caught(&f, &regenerated, "generation");
}

/// A type-2 xref stream row (W [1 4 2]): object in object stream `stm`, at `index`.
fn in_stream(stm: u32, index: u16) -> Vec<u8> {
    let mut r = vec![2];
    r.extend_from_slice(&stm.to_be_bytes());
    r.extend_from_slice(&index.to_be_bytes());
    r
}

/// Object streams that need themselves to be read (an object stream said to be inside
/// itself; an object stream whose /Length is inside it) are errors, not an endless descent
/// (pdf_stamp fuzz target: the stack overflowed). PDF 2.0 §7.5.7 allows neither.
#[test]
fn object_streams_that_need_themselves_are_refused() {
    let f = Fixture::new(Algorithm::Ed25519);
    let app = Appearance::for_seal(&f.seal).unwrap();
    let doc = base(&Base::default());
    let next = free(&doc);
    // The catalog is in object stream `next`, and so is `next` itself.
    let inside_itself = update_xref_stream(&doc, &[], "[1 4 2]", &|_| {
        vec![(CATALOG, in_stream(next, 0)), (next, in_stream(next, 1))]
    });
    // The catalog is in object stream `next`, whose /Length `next + 1` is in it too.
    let objstm = format!(
        "<</Type/ObjStm/N 1/First 4/Length {} 0 R>>\nstream\n1 0 <<>>\nendstream",
        next + 1
    );
    let length_inside = update_xref_stream(&doc, &[(next, objstm)], "[1 4 2]", &|o| {
        vec![(CATALOG, in_stream(next, 0)), (next, row(1, o[0].1)), (next + 1, in_stream(next, 1))]
    });
    // 200 object streams S0..S199, the /Length of each an object inside the next.
    let stream = |i: u32| next + 10 + i;
    let length = |i: u32| next + 1000 + i;
    let chain: Vec<(u32, String)> = (0..200)
        .map(|i| {
            let body = "<</Type/ObjStm/N 1/First 4";
            (stream(i), format!("{body}/Length {} 0 R>>\nstream\n1 0 <<>>\nendstream", length(i)))
        })
        .collect();
    let chained = update_xref_stream(&doc, &chain, "[1 4 2]", &|o| {
        let mut rows = vec![(CATALOG, in_stream(stream(0), 0))];
        for (i, (n, at)) in (0u32..).zip(o) {
            rows.push((*n, row(1, *at)));
            rows.push((length(i), in_stream(stream(i + 1), 0)));
        }
        rows
    });
    let cases = [
        ("inside itself", inside_itself, "not an uncompressed object"),
        ("its /Length inside", length_inside, "needed to read itself"),
        ("chained", chained, "4 deep"),
    ];
    for (name, doc, words) in cases {
        let err = pdf::stamp_to_vec(&doc, &f.key(), &app, &StampOptions::default(), t())
            .err()
            .unwrap_or_else(|| panic!("{name}: stamped"));
        assert!(err.to_string().contains(words), "{name}: {err}");
        match pdf::verify_bytes(&doc, "loop.pdf", &f.trust(), t()) {
            Err(e) => assert!(e.to_string().contains(words), "{name}: {e}"),
            Ok(r) => assert_ne!(r.indication, Indication::TotalPassed, "{name}: {r}"),
        }
    }
}
