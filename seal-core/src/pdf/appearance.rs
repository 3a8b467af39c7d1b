//! The seal's picture as a PDF image: decoded once, compressed once, and written into every
//! document a batch stamps.

use std::io::Write;

use super::object::{Dict, Object};
use crate::error::{Error, Result};
use crate::seal::Seal;

/// Millimetres to PDF points.
pub const PT_PER_MM: f64 = 72.0 / 25.4;

/// The printed size used when a seal's picture does not say (a common round seal).
const DEFAULT_MM: f64 = 40.0;

/// Dots per inch for rendering an SVG picture.
#[cfg(feature = "picture")]
const SVG_DPI: f64 = 300.0;

/// A seal's picture ready to be written into PDFs.
#[derive(Debug, Clone)]
pub struct Appearance {
    /// Printed width in points.
    pub width: f64,
    /// Printed height in points.
    pub height: f64,
    pub(crate) image: ImageObject,
    pub(crate) mask: Option<ImageObject>,
}

/// An image XObject: its dictionary (without `/Length`) and compressed data.
#[derive(Debug, Clone)]
pub(crate) struct ImageObject {
    pub dict: Dict,
    pub data: Vec<u8>,
}

impl Appearance {
    /// Prepares the picture of `seal` (PNG, JPEG or SVG) at its printed size.
    pub fn for_seal(seal: &Seal) -> Result<Appearance> {
        Appearance::for_seal_picture(&seal.picture)
    }

    /// Prepares a seal picture (PNG, JPEG or SVG) at its printed size (40 mm if it has none).
    pub fn for_seal_picture(p: &crate::seal::Picture) -> Result<Appearance> {
        let (mut w_mm, mut h_mm) = (p.width_mm as f64, p.height_mm as f64);
        if w_mm <= 0.0 || h_mm <= 0.0 || w_mm > 1000.0 || h_mm > 1000.0 {
            (w_mm, h_mm) = (DEFAULT_MM, DEFAULT_MM);
        }
        let kind = crate::seal::picture::detect(&p.data).unwrap_or("unknown");
        let rgba = match kind {
            "PNG" | "JPG" => image::load_from_memory(&p.data)
                .map_err(|e| {
                    Error::InvalidInput(format!("the seal's {kind} picture cannot be decoded: {e}"))
                })?
                .to_rgba8(),
            #[cfg(not(feature = "picture"))]
            "SVG" => return Err(Error::not_built("SVG seal pictures on PDF pages", "picture")),
            #[cfg(feature = "picture")]
            "SVG" => {
                let px = (w_mm / 25.4 * SVG_DPI).round().clamp(16.0, 4096.0) as u32;
                let png = crate::seal::picture::render_svg(&p.data, px)?;
                image::load_from_memory(&png)
                    .map_err(|e| {
                        Error::InvalidInput(format!("cannot decode the rendered picture: {e}"))
                    })?
                    .to_rgba8()
            }
            other => {
                return Err(Error::InvalidInput(format!(
                    "a seal picture in {other} format cannot be placed on a PDF page; \
                     make the seal with a PNG, JPEG or SVG picture"
                )));
            }
        };
        Appearance::from_rgba(&rgba, w_mm * PT_PER_MM, h_mm * PT_PER_MM)
    }

    /// An appearance from RGBA pixels printed at `width` x `height` points.
    pub fn from_rgba(rgba: &image::RgbaImage, width: f64, height: f64) -> Result<Appearance> {
        let (w, h) = rgba.dimensions();
        let mut rgb = Vec::with_capacity((w * h * 3) as usize);
        let mut alpha = Vec::with_capacity((w * h) as usize);
        for px in rgba.pixels() {
            rgb.extend_from_slice(&px.0[..3]);
            alpha.push(px.0[3]);
        }
        let image_dict = |cs: &str| {
            let mut d = Dict::new();
            d.set("Type", Object::name("XObject"));
            d.set("Subtype", Object::name("Image"));
            d.set("Width", Object::Int(i64::from(w)));
            d.set("Height", Object::Int(i64::from(h)));
            d.set("ColorSpace", Object::name(cs));
            d.set("BitsPerComponent", Object::Int(8));
            d.set("Filter", Object::name("FlateDecode"));
            d
        };
        let mask = if alpha.iter().all(|&a| a == 255) {
            None
        } else {
            Some(ImageObject { dict: image_dict("DeviceGray"), data: deflate(&alpha)? })
        };
        Ok(Appearance {
            width,
            height,
            image: ImageObject { dict: image_dict("DeviceRGB"), data: deflate(&rgb)? },
            mask,
        })
    }
}

fn deflate(data: &[u8]) -> Result<Vec<u8>> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(data)?;
    Ok(z.finish()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(img: image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    fn picture(data: Vec<u8>, kind: &str, w: i64, h: i64) -> crate::seal::Picture {
        crate::seal::Picture {
            kind: kind.into(),
            size: data.len(),
            data,
            width_mm: w,
            height_mm: h,
        }
    }

    #[test]
    fn png_with_transparency_gets_a_soft_mask_and_jpeg_does_not() {
        let mut img = image::RgbaImage::new(8, 4);
        img.put_pixel(1, 1, image::Rgba([215, 20, 26, 255]));
        let png = encode(image::DynamicImage::ImageRgba8(img.clone()), image::ImageFormat::Png);
        let a = Appearance::for_seal_picture(&picture(png, "PNG", 42, 21)).unwrap();
        assert!(a.mask.is_some());
        assert!(
            (a.width - 42.0 * 72.0 / 25.4).abs() < 1e-9 && (a.height - a.width / 2.0).abs() < 1e-9
        );
        assert_eq!(a.image.dict.get("Width"), Some(&Object::Int(8)));
        // The RGB data inflates back to width x height x 3.
        let mut raw = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::ZlibDecoder::new(&a.image.data[..]),
            &mut raw,
        )
        .unwrap();
        assert_eq!(raw.len(), 8 * 4 * 3);
        assert_eq!(&raw[(8 + 1) * 3..(8 + 1) * 3 + 3], &[215, 20, 26]);
        let rgb = image::DynamicImage::ImageRgba8(img).to_rgb8();
        let jpeg = encode(image::DynamicImage::ImageRgb8(rgb), image::ImageFormat::Jpeg);
        let a = Appearance::for_seal_picture(&picture(jpeg, "JPG", 40, 40)).unwrap();
        assert!(a.mask.is_none(), "JPEG has no transparency");
    }

    #[test]
    fn unsupported_pictures_are_refused_clearly() {
        let gif = picture(b"GIF89a....".to_vec(), "GIF", 40, 40);
        let seal_err = Appearance::for_seal_picture(&gif).unwrap_err().to_string();
        assert!(seal_err.contains("GIF") && seal_err.contains("PNG, JPEG or SVG"), "{seal_err}");
        let broken = picture(b"\x89PNG\r\n\x1a\nbroken".to_vec(), "PNG", 40, 40);
        let err = Appearance::for_seal_picture(&broken).unwrap_err().to_string();
        assert!(err.contains("cannot be decoded"), "{err}");
        // No size in the seal: a 40 mm seal.
        let mut img = image::RgbaImage::new(2, 2);
        img.put_pixel(0, 0, image::Rgba([1, 2, 3, 255]));
        let png = encode(image::DynamicImage::ImageRgba8(img), image::ImageFormat::Png);
        let a = Appearance::for_seal_picture(&picture(png, "PNG", 0, 0)).unwrap();
        assert!((a.width - 40.0 * PT_PER_MM).abs() < 1e-9);
    }
}
