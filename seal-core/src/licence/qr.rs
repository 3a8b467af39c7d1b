//! QR codes of licences: writing PNG and SVG (error correction level Q, as the EU DCC), and
//! reading the text back from a photo or screenshot.

use image::Luma;
#[cfg(feature = "qr-render")]
use qrcode::{EcLevel, QrCode};

use crate::error::{Error, Result};

#[cfg(feature = "qr-render")]
fn code(text: &str) -> Result<QrCode> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::Q)
        .map_err(|e| Error::InvalidInput(format!("cannot make a QR code: {e}")))
}

/// A PNG of the QR code of `text`.
#[cfg(feature = "qr-render")]
pub fn png(text: &str) -> Result<Vec<u8>> {
    let img = code(text)?.render::<Luma<u8>>().min_dimensions(400, 400).build();
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| Error::InvalidInput(format!("cannot encode PNG: {e}")))?;
    Ok(out.into_inner())
}

/// An SVG of the QR code of `text`.
#[cfg(feature = "qr-render")]
pub fn svg(text: &str) -> Result<String> {
    Ok(code(text)?.render::<qrcode::render::svg::Color<'_>>().min_dimensions(400, 400).build())
}

/// The largest picture read (pixels), so that reading one takes a moment and bounded
/// memory. The QR reader itself looks at no more than 32 finder patterns and 8 codes.
#[cfg(feature = "qr-read")]
const MAX_PIXELS: u64 = 40_000_000;
#[cfg(feature = "qr-read")]
const MAX_FINDERS: usize = 32;
#[cfg(feature = "qr-read")]
const MAX_CODES: usize = 8;

#[cfg(feature = "qr-read")]
/// Reads the text of the QR code in an image (PNG or JPEG). A picture holding codes of
/// different texts is refused (which one would the holder mean?), as are pictures too
/// large, or with too many candidate codes, to read quickly.
pub fn read(image_bytes: &[u8]) -> Result<String> {
    let gray = load(image_bytes)?;
    let mut quirc = quircs::Quirc::default();
    let codes: Vec<_> =
        quirc.identify(gray.width() as usize, gray.height() as usize, &gray).collect();
    // At quirc's bounds some finder patterns or codes went unseen: a second code could hide
    // among them, so the picture is not read.
    if quirc.num_capstones() >= MAX_FINDERS || codes.len() >= MAX_CODES {
        return Err(Error::InvalidInput(format!(
            "the picture holds {} or more QR finder patterns or {} or more codes; no more are \
             read: photograph one licence at a time",
            MAX_FINDERS, MAX_CODES
        )));
    }
    if codes.is_empty() {
        return Err(Error::InvalidInput("no QR code found in the image".into()));
    }
    let mut texts: Vec<String> = Vec::new();
    let mut last = None;
    for code in codes {
        match code.map_err(|e| e.to_string()).and_then(|c| c.decode().map_err(|e| e.to_string())) {
            Ok(data) => match String::from_utf8(data.payload) {
                Ok(text) if !texts.contains(&text) => texts.push(text),
                Ok(_) => {}
                Err(_) => last = Some("the code's data is not text".to_owned()),
            },
            Err(e) => last = Some(e),
        }
    }
    match texts.len() {
        1 => Ok(texts.remove(0)),
        0 => Err(Error::InvalidInput(format!(
            "a QR code was found but could not be read ({}): take a sharper picture",
            last.unwrap_or_default()
        ))),
        n => Err(Error::InvalidInput(format!(
            "the picture holds {n} different QR codes: photograph one licence at a time, so \
             that it is clear which one is checked"
        ))),
    }
}

/// The picture in grey, transparency put on white, inside a white border: a QR code needs
/// a quiet zone around it, which screenshots and generated pictures often crop.
#[cfg(feature = "qr-read")]
fn load(image_bytes: &[u8]) -> Result<image::GrayImage> {
    let reader = || {
        image::ImageReader::new(std::io::Cursor::new(image_bytes))
            .with_guessed_format()
            .map_err(|e| Error::decode("image", e))
    };
    let (w, h) = reader()?.into_dimensions().map_err(|e| Error::decode("image", e))?;
    let pixels = u64::from(w) * u64::from(h);
    if pixels > MAX_PIXELS {
        return Err(Error::InvalidInput(format!(
            "the picture has {pixels} pixels; at most {MAX_PIXELS} are read"
        )));
    }
    let mut reader = reader()?;
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4 + (64 << 20));
    reader.limits(limits);
    let img = reader.decode().map_err(|e| Error::decode("image", e))?;
    let pad = (w.max(h) / 10).max(8);
    let mut gray = image::GrayImage::from_pixel(w + 2 * pad, h + 2 * pad, Luma([255]));
    match img {
        image::DynamicImage::ImageLuma8(g) => {
            image::imageops::overlay(&mut gray, &g, pad.into(), pad.into())
        }
        other => {
            for (x, y, p) in other.to_rgba8().enumerate_pixels() {
                let [r, g, b, a] = p.0.map(u32::from);
                let luma = (r * 299 + g * 587 + b * 114) / 1000;
                let on_white = (luma * a + 255 * (255 - a)) / 255;
                gray.put_pixel(x + pad, y + pad, Luma([on_white as u8]));
            }
        }
    }
    Ok(gray)
}

#[cfg(all(test, feature = "qr-render", feature = "qr-read"))]
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

    /// A picture tiled with finder patterns (which took rqrr 44 s for a megapixel) is
    /// refused at quirc's bound; the same picture with a real code among few patterns is
    /// read.
    #[test]
    fn a_picture_tiled_with_finder_patterns_is_refused() {
        let finders = |size: u32, m: u32| {
            let tile = 9 * m;
            image::GrayImage::from_fn(size, size, |x, y| {
                let (a, b) = ((x % tile) / m, (y % tile) / m);
                let inside = (1..=7).contains(&a) && (1..=7).contains(&b);
                let (a, b) = (a.wrapping_sub(1), b.wrapping_sub(1));
                let ring = a == 0 || a == 6 || b == 0 || b == 6;
                let centre = (2..=4).contains(&a) && (2..=4).contains(&b);
                Luma([if inside && (ring || centre) { 0 } else { 255 }])
            })
        };
        let png_of = |img: &image::GrayImage| {
            let mut bytes = std::io::Cursor::new(Vec::new());
            img.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
            bytes.into_inner()
        };
        let e = read(&png_of(&finders(2000, 3))).unwrap_err().to_string();
        assert!(e.contains("32 or more QR finder patterns"), "{e}");
        // A licence code beside two stray patterns still reads.
        let code = image::load_from_memory(&png("LC1:AAAA").unwrap()).unwrap().to_luma8();
        let mut both = image::GrayImage::from_pixel(code.width() + 60, code.height(), Luma([255]));
        image::imageops::overlay(&mut both, &code, 0, 0);
        image::imageops::overlay(&mut both, &finders(54, 3), i64::from(code.width()), 0);
        assert_eq!(read(&png_of(&both)).unwrap(), "LC1:AAAA");
    }

    /// A transparent background reads as white, and a code cropped to its modules (no
    /// quiet zone) is read.
    #[test]
    fn transparent_and_cropped_pictures_are_read() {
        let code = image::load_from_memory(&png("LC1:AAAA").unwrap()).unwrap().to_luma8();
        let rgba = image::RgbaImage::from_fn(code.width(), code.height(), |x, y| {
            let dark = code.get_pixel(x, y).0[0] < 128;
            image::Rgba(if dark { [0, 0, 0, 255] } else { [0, 0, 0, 0] })
        });
        let mut bytes = std::io::Cursor::new(Vec::new());
        rgba.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
        assert_eq!(read(&bytes.into_inner()).unwrap(), "LC1:AAAA");
        // Crop the white border away.
        let (mut x0, mut y0) = (code.width(), code.height());
        let (mut x1, mut y1) = (0, 0);
        for (x, y, p) in code.enumerate_pixels() {
            if p.0[0] < 128 {
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            }
        }
        let cropped = image::imageops::crop_imm(&code, x0, y0, x1 - x0 + 1, y1 - y0 + 1).to_image();
        let mut bytes = std::io::Cursor::new(Vec::new());
        cropped.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
        assert_eq!(read(&bytes.into_inner()).unwrap(), "LC1:AAAA");
    }

    /// The picture the `qr` fuzz target found (it took the crates.io quircs 4.4 s; see
    /// vendor/README.md) is refused as unreadable. It reaches quirc exactly as the vendored
    /// reader's own test, which bounds the work, has it.
    #[test]
    fn the_fuzzers_slow_picture_is_refused() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors/fuzz/");
        let png = std::fs::read(format!("{dir}qr-quircs-slow.png")).unwrap();
        let grey = std::fs::read(format!("{dir}qr-quircs-slow.gray.png")).unwrap();
        let grey = image::load_from_memory(&grey).unwrap().to_luma8();
        assert!(load(&png).unwrap() == grey, "seal now hands quirc another picture");
        let e = read(&png).unwrap_err().to_string();
        assert!(e.contains("could not be read"), "{e}");
    }
}
