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

/// Reads the text of the first QR code found in an image (PNG or JPEG).
pub fn read(image_bytes: &[u8]) -> Result<String> {
    let img =
        image::load_from_memory(image_bytes).map_err(|e| Error::decode("image", e))?.to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    if grids.is_empty() {
        return Err(Error::InvalidInput("no QR code found in the image".into()));
    }
    let mut last = None;
    for g in grids {
        match g.decode() {
            Ok((_, text)) => return Ok(text),
            Err(e) => last = Some(e),
        }
    }
    Err(Error::InvalidInput(format!(
        "a QR code was found but could not be read ({}): take a sharper picture",
        last.map(|e| e.to_string()).unwrap_or_default()
    )))
}
