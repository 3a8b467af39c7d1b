//! QR codes of licences: writing PNG and SVG (error correction level Q, as the EU DCC), and
//! reading the text back from a photo or screenshot.

use image::Luma;
use qrcode::{EcLevel, QrCode};

use crate::error::{Error, Result};

fn code(text: &str) -> Result<QrCode> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::Q)
        .map_err(|e| Error::InvalidInput(format!("cannot make a QR code: {e}")))
}

/// A PNG of the QR code of `text`.
pub fn png(text: &str) -> Result<Vec<u8>> {
    let img = code(text)?.render::<Luma<u8>>().min_dimensions(400, 400).build();
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| Error::InvalidInput(format!("cannot encode PNG: {e}")))?;
    Ok(out.into_inner())
}

/// An SVG of the QR code of `text`.
pub fn svg(text: &str) -> Result<String> {
    Ok(code(text)?.render::<qrcode::render::svg::Color<'_>>().min_dimensions(400, 400).build())
}

/// The largest picture read (pixels), and the most QR candidates looked at: a hostile
/// picture must not take more than a moment.
const MAX_PIXELS: u64 = 40_000_000;
const MAX_GRIDS: usize = 16;

/// Reads the text of the QR code in an image (PNG or JPEG). A picture holding codes of
/// different texts is refused (which one would the holder mean?), as are pictures too
/// large, or with too many candidate codes, to read quickly.
pub fn read(image_bytes: &[u8]) -> Result<String> {
    let img = image::load_from_memory(image_bytes).map_err(|e| Error::decode("image", e))?;
    let pixels = u64::from(img.width()) * u64::from(img.height());
    if pixels > MAX_PIXELS {
        return Err(Error::InvalidInput(format!(
            "the picture has {pixels} pixels; at most {MAX_PIXELS} are read"
        )));
    }
    let mut prepared = rqrr::PreparedImage::prepare(img.to_luma8());
    let grids = prepared.detect_grids();
    if grids.is_empty() {
        return Err(Error::InvalidInput("no QR code found in the image".into()));
    }
    if grids.len() > MAX_GRIDS {
        return Err(Error::InvalidInput(format!(
            "the picture holds {} QR code candidates; at most {MAX_GRIDS} are read: photograph \
             one licence at a time",
            grids.len()
        )));
    }
    let mut texts: Vec<String> = Vec::new();
    let mut last = None;
    for g in grids {
        match g.decode() {
            Ok((_, text)) if !texts.contains(&text) => texts.push(text),
            Ok(_) => {}
            Err(e) => last = Some(e),
        }
    }
    match texts.len() {
        1 => Ok(texts.remove(0)),
        0 => Err(Error::InvalidInput(format!(
            "a QR code was found but could not be read ({}): take a sharper picture",
            last.map(|e| e.to_string()).unwrap_or_default()
        ))),
        n => Err(Error::InvalidInput(format!(
            "the picture holds {n} different QR codes: photograph one licence at a time, so \
             that it is clear which one is checked"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two licences side by side in one picture are refused; the same code twice is read.
    #[test]
    fn several_codes_in_one_picture() {
        let a = image::load_from_memory(&png("LC1:AAAA").unwrap()).unwrap().to_luma8();
        let b = image::load_from_memory(&png("LC1:BBBB").unwrap()).unwrap().to_luma8();
        let side_by_side = |x: &image::GrayImage, y: &image::GrayImage| {
            let mut out =
                image::GrayImage::from_pixel(x.width() + y.width(), x.height(), Luma([255]));
            image::imageops::overlay(&mut out, x, 0, 0);
            image::imageops::overlay(&mut out, y, i64::from(x.width()), 0);
            let mut bytes = std::io::Cursor::new(Vec::new());
            out.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
            bytes.into_inner()
        };
        let e = read(&side_by_side(&a, &b)).unwrap_err();
        assert!(e.to_string().contains("2 different QR codes"), "{e}");
        assert_eq!(read(&side_by_side(&a, &a)).unwrap(), "LC1:AAAA");
    }
}
