//! A generator of small PDFs and of the incremental updates an attacker appends, for the
//! modification-analysis tests. Every file it writes is a plain PDF that poppler, qpdf and
//! pyHanko read.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;

use seal_core::pdf::file::PdfFile;
use seal_core::pdf::object::Object;

/// Object numbers of the base document.
pub const CATALOG: u32 = 1;
pub const PAGE1: u32 = 3;
pub const CONTENT1: u32 = 4;
pub const AMOUNT: u32 = 5;
pub const VOID: u32 = 6;
pub const FONT: u32 = 7;
pub const AMOUNT_AP: u32 = 8;
pub const VOID_OFF: u32 = 9;
pub const VOID_ON: u32 = 10;
pub const SEAL_FIELD: u32 = 11;
pub const PAGE2: u32 = 12;
pub const CONTENT2: u32 = 13;
pub const NOTE: u32 = 14;
pub const NOTE_AP: u32 = 15;
pub const APPROVAL: u32 = 16;
/// The first free object number.
pub const NEXT: u32 = 17;

/// The text a person reads on page 1.
pub const CONTRACT: &str = "Contract number 0101234567";

/// A stream object's text.
pub fn stream(dict: &str, data: &str) -> String {
    format!("<<{dict}/Length {}>>\nstream\n{data}\nendstream", data.len())
}

/// The appearance of text `s` in a 200x20 box.
pub fn text_ap(s: &str) -> String {
    stream(
        "/Type/XObject/Subtype/Form/BBox[0 0 200 20]/Resources<</Font<</Helv 7 0 R>>>>",
        &format!("/Tx BMC BT /Helv 12 Tf 2 5 Td ({s}) Tj ET EMC"),
    )
}

/// An opaque white box with `s` on it, over `rect`.
pub fn cover_ap(s: &str, w: u32, h: u32) -> String {
    stream(
        &format!("/Type/XObject/Subtype/Form/BBox[0 0 {w} {h}]/Resources<</Font<</Helv 7 0 R>>>>"),
        &format!("1 g 0 0 {w} {h} re f 0 g BT /Helv 14 Tf 2 4 Td ({s}) Tj ET"),
    )
}

/// Options of the base document.
#[derive(Default, Clone)]
pub struct Base {
    /// The empty signature field "Seal1" locks these fields (FieldMDP Include).
    pub lock: Option<Vec<&'static str>>,
    /// The amount field and the checkbox share one appearance stream.
    pub shared_ap: bool,
    /// A second definition of the page content, reading another contract number, that the
    /// table does not list (the "hide" step of a shadow attack, before signing).
    pub hidden_content: bool,
}

/// A two-page contract with a text field "amount" (100), a checkbox "void" whose "on"
/// appearance reads VOID, a hidden Square annotation, an empty signature field "Seal1"
/// for the seal and an empty one "Approval".
pub fn base(opts: &Base) -> Vec<u8> {
    let lock = match &opts.lock {
        Some(fields) => {
            let names: String = fields.iter().map(|f| format!("({f})")).collect();
            format!("/Lock<</Type/SigFieldLock/Action/Include/Fields[{names}]>>")
        }
        None => String::new(),
    };
    let void_ap = if opts.shared_ap { "8 0 R" } else { "<</Off 9 0 R/VOID 10 0 R>>" };
    let objects: Vec<(u32, String)> = vec![
        (CATALOG, "<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields[5 0 R 6 0 R 11 0 R 16 0 R]\
            /DR<</Font<</Helv 7 0 R>>>>/DA(/Helv 12 Tf 0 g)>>>>".into()),
        (2, "<</Type/Pages/Kids[3 0 R 12 0 R]/Count 2/MediaBox[0 0 595 842]>>".into()),
        (PAGE1, "<</Type/Page/Parent 2 0 R/Resources<</Font<</F1 7 0 R>>>>/Contents 4 0 R\
            /Annots[5 0 R 6 0 R 14 0 R 11 0 R 16 0 R]>>".into()),
        (CONTENT1, stream("", &format!("BT /F1 16 Tf 72 760 Td ({CONTRACT}) Tj ET\nBT /F1 12 Tf 72 706 Td (Amount:) Tj ET"))),
        (AMOUNT, "<</FT/Tx/T(amount)/V(100)/Type/Annot/Subtype/Widget/Rect[130 700 330 720]/P 3 0 R\
            /DA(/Helv 12 Tf 0 g)/AP<</N 8 0 R>>>>".into()),
        (VOID, format!("<</FT/Btn/T(void)/V/Off/AS/Off/Type/Annot/Subtype/Widget/Rect[72 600 272 620]\
            /P 3 0 R/AP<</N {void_ap}>>>>")),
        (FONT, "<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>".into()),
        (AMOUNT_AP, text_ap("100")),
        (VOID_OFF, stream("/Type/XObject/Subtype/Form/BBox[0 0 200 20]", "")),
        (VOID_ON, cover_ap("VOID - contract cancelled", 200, 20)),
        (SEAL_FIELD, format!("<</FT/Sig/T(Seal1)/Type/Annot/Subtype/Widget/F 4/Rect[350 60 500 210]\
            /P 3 0 R{lock}>>")),
        (PAGE2, "<</Type/Page/Parent 2 0 R/Resources<</Font<</F1 7 0 R>>>>/Contents 13 0 R>>".into()),
        (CONTENT2, stream("", "BT /F1 12 Tf 72 760 Td (Terms and conditions) Tj ET")),
        (NOTE, "<</Type/Annot/Subtype/Square/F 2/Rect[60 740 500 790]/C[1 1 1]/IC[1 1 1]/AP<</N 15 0 R>>>>".into()),
        (NOTE_AP, cover_ap("PAID IN FULL", 440, 50)),
        (APPROVAL, "<</FT/Sig/T(Approval)/Type/Annot/Subtype/Widget/F 4/Rect[72 60 222 120]/P 3 0 R>>".into()),
    ];
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = vec![0usize; NEXT as usize];
    for (num, body) in &objects {
        offsets[*num as usize] = out.len();
        out.extend_from_slice(format!("{num} 0 obj\n{body}\nendobj\n").as_bytes());
    }
    if opts.hidden_content {
        let body = stream("", "BT /F1 16 Tf 72 760 Td (Contract number 9999999999) Tj ET");
        out.extend_from_slice(format!("{CONTENT1} 0 obj\n{body}\nendobj\n").as_bytes());
    }
    let xref = out.len();
    let mut s = format!("xref\n0 {NEXT}\n0000000000 65535 f\r\n");
    for off in &offsets[1..] {
        let _ = write!(s, "{off:010} 00000 n\r\n");
    }
    let _ = write!(s, "trailer\n<</Size {NEXT}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n");
    out.extend_from_slice(s.as_bytes());
    out
}

/// The document's trailer /Size and startxref.
fn tail(doc: &[u8]) -> (u32, u64) {
    let pdf = PdfFile::from_source(doc).unwrap();
    (pdf.trailer().get("Size").and_then(Object::as_i64).unwrap() as u32, pdf.startxref)
}

/// Appends an update defining `objects` (number, PDF text), listed by a classic table.
pub fn update(doc: &[u8], objects: &[(u32, String)]) -> Vec<u8> {
    update_listing(doc, objects, &objects.iter().map(|(n, _)| *n).collect::<Vec<_>>())
}

/// Appends an update whose body defines `objects` but whose table lists only `listed`.
pub fn update_listing(doc: &[u8], objects: &[(u32, String)], listed: &[u32]) -> Vec<u8> {
    let (size, prev) = tail(doc);
    let mut out = doc.to_vec();
    let mut offsets = Vec::new();
    for (num, body) in objects {
        offsets.push((*num, out.len()));
        out.extend_from_slice(format!("{num} 0 obj\n{body}\nendobj\n").as_bytes());
    }
    let xref = out.len();
    let mut s = String::from("xref\n");
    for (num, off) in offsets.iter().filter(|(n, _)| listed.contains(n)) {
        let _ = write!(s, "{num} 1\n{off:010} 00000 n\r\n");
    }
    let max = objects.iter().map(|(n, _)| n + 1).max().unwrap_or(0).max(size);
    let _ =
        write!(s, "trailer\n<</Size {max}/Root 1 0 R/Prev {prev}>>\nstartxref\n{xref}\n%%EOF\n");
    out.extend_from_slice(s.as_bytes());
    out
}

/// Makes xref stream rows (object number, row bytes) from the body's (number, offset)s.
pub type Rows<'a> = dyn Fn(&[(u32, usize)]) -> Vec<(u32, Vec<u8>)> + 'a;

/// Appends an update with an xref stream. `rows` are (object number, raw row bytes) with
/// widths `w`; the body defines `objects` first.
pub fn update_xref_stream(doc: &[u8], objects: &[(u32, String)], w: &str, rows: &Rows) -> Vec<u8> {
    let (size, prev) = tail(doc);
    let mut out = doc.to_vec();
    let mut offsets = Vec::new();
    for (num, body) in objects {
        offsets.push((*num, out.len()));
        out.extend_from_slice(format!("{num} 0 obj\n{body}\nendobj\n").as_bytes());
    }
    let xref_num = size.max(objects.iter().map(|(n, _)| n + 1).max().unwrap_or(0));
    let xref = out.len();
    let rows = rows(&offsets);
    let mut index = String::new();
    let mut data = Vec::new();
    for (num, row) in &rows {
        let _ = write!(index, "{num} 1 ");
        data.extend_from_slice(row);
    }
    out.extend_from_slice(
        format!(
            "{xref_num} 0 obj\n<</Type/XRef/Size {}/Root 1 0 R/Prev {prev}/W {w}/Index[{index}]/Length {}>>\nstream\n",
            xref_num + 1,
            data.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&data);
    out.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{xref}\n%%EOF\n").as_bytes());
    out
}

/// A type-1 xref stream row for W [1 4 2].
pub fn row(kind: u8, offset: usize) -> Vec<u8> {
    let mut r = vec![kind];
    r.extend_from_slice(&(offset as u32).to_be_bytes());
    r.extend_from_slice(&[0, 0]);
    r
}

/// `doc` with its last startxref pointing `by` bytes before the table (a damaged update
/// that readers repair by scanning).
pub fn shift_startxref(doc: &[u8], by: u64) -> Vec<u8> {
    let at = doc.windows(9).rposition(|w| w == b"startxref").unwrap();
    let text = String::from_utf8_lossy(&doc[at + 9..]).into_owned();
    let value: u64 = text.split_whitespace().next().unwrap().parse().unwrap();
    let mut out = doc[..at].to_vec();
    out.extend_from_slice(format!("startxref\n{}\n%%EOF\n", value - by).as_bytes());
    out
}

/// Appends an update that redefines `num` with generation `generation`.
pub fn update_generation(doc: &[u8], num: u32, generation: u16, body: &str) -> Vec<u8> {
    let (size, prev) = tail(doc);
    let mut out = doc.to_vec();
    let at = out.len();
    out.extend_from_slice(format!("{num} {generation} obj\n{body}\nendobj\n").as_bytes());
    let xref = out.len();
    out.extend_from_slice(
        format!(
            "xref\n{num} 1\n{at:010} {generation:05} n\r\ntrailer\n<</Size {size}/Root 1 0 R/Prev {prev}>>\nstartxref\n{xref}\n%%EOF\n"
        )
        .as_bytes(),
    );
    out
}

/// Appends a hybrid update (ISO 32000-1 §7.5.8.4): a classic table listing object `num`,
/// whose trailer's /XRefStm names an xref stream that lists it too.
pub fn update_hybrid(doc: &[u8], num: u32, body: &str) -> Vec<u8> {
    let (size, prev) = tail(doc);
    let xref_num = size.max(num + 1);
    let mut out = doc.to_vec();
    let at = out.len();
    out.extend_from_slice(format!("{num} 0 obj\n{body}\nendobj\n").as_bytes());
    let stm = out.len();
    let data = row(1, at);
    out.extend_from_slice(
        format!(
            "{xref_num} 0 obj\n<</Type/XRef/Size {}/W[1 4 2]/Index[{num} 1]/Length {}>>\nstream\n",
            xref_num + 1,
            data.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    let xref = out.len();
    out.extend_from_slice(
        format!(
            "xref\n{num} 1\n{at:010} 00000 n\r\ntrailer\n<</Size {}/Root 1 0 R/Prev {prev}/XRefStm {stm}>>\nstartxref\n{xref}\n%%EOF\n",
            xref_num + 1
        )
        .as_bytes(),
    );
    out
}
