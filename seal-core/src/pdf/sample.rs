//! Simple text PDFs (A4, Helvetica), for demos, tests and benchmarks.

use std::fmt::Write as _;

/// Writes a PDF with one page per entry of `pages`, each showing its lines of (ASCII) text.
/// `padding` bytes of image data are attached to the first page as an unpainted image, to
/// make large documents for measuring.
pub fn text_document(pages: &[Vec<String>], padding: usize) -> Vec<u8> {
    let mut out: Vec<u8> = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets: Vec<usize> = Vec::new();
    let n = pages.len().max(1);
    // Objects: 1 catalog, 2 pages, 3 font, 4 padding image, then (page, content) pairs.
    let page_num = |i: usize| 5 + 2 * i;
    let obj = |out: &mut Vec<u8>, offsets: &mut Vec<usize>, body: &[u8]| {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    obj(&mut out, &mut offsets, b"<</Type/Catalog/Pages 2 0 R>>");
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", page_num(i))).collect();
    obj(
        &mut out,
        &mut offsets,
        format!("<</Type/Pages/Count {n}/Kids[{}]>>", kids.join(" ")).as_bytes(),
    );
    obj(&mut out, &mut offsets, b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>");
    let rows = padding.div_ceil(1024).max(1);
    let mut image = format!(
        "<</Type/XObject/Subtype/Image/Width 1024/Height {rows}/ColorSpace/DeviceGray/BitsPerComponent 8/Length {}>>\nstream\n",
        rows * 1024
    )
    .into_bytes();
    let mut x: u32 = 0x9e37_79b9;
    image.extend((0..rows * 1024).map(|_| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        (x >> 24) as u8
    }));
    image.extend_from_slice(b"\nendstream");
    obj(&mut out, &mut offsets, &image);
    for i in 0..n {
        let resources = if i == 0 {
            "<</Font<</F1 3 0 R>>/XObject<</Pad 4 0 R>>>>"
        } else {
            "<</Font<</F1 3 0 R>>>>"
        };
        obj(
            &mut out,
            &mut offsets,
            format!(
                "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources{resources}/Contents {} 0 R>>",
                page_num(i) + 1
            )
            .as_bytes(),
        );
        let mut text = String::from("BT /F1 14 Tf 72 770 Td 18 TL\n");
        for line in pages.get(i).map(Vec::as_slice).unwrap_or_default() {
            let escaped: String = line
                .chars()
                .filter(char::is_ascii)
                .map(|c| match c {
                    '(' | ')' | '\\' => format!("\\{c}"),
                    c => c.to_string(),
                })
                .collect();
            let _ = writeln!(text, "({escaped}) Tj T*");
        }
        text.push_str("ET");
        obj(
            &mut out,
            &mut offsets,
            format!("<</Length {}>>\nstream\n{text}\nendstream", text.len()).as_bytes(),
        );
    }
    let xref = out.len();
    let mut s = format!("xref\n0 {}\n0000000000 65535 f\r\n", offsets.len() + 1);
    for off in &offsets {
        let _ = write!(s, "{off:010} 00000 n\r\n");
    }
    let _ = write!(
        s,
        "trailer\n<</Size {}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n",
        offsets.len() + 1
    );
    out.extend_from_slice(s.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::file::PdfFile;

    #[test]
    fn reads_back() {
        let doc = text_document(&[vec!["Hello (world)".into()], vec!["Page 2".into()]], 5000);
        let pdf = PdfFile::from_source(&doc[..]).unwrap();
        let (_, cat) = crate::pdf::catalog(&pdf).unwrap();
        assert_eq!(crate::pdf::pages(&pdf, &cat).unwrap().len(), 2);
    }
}
