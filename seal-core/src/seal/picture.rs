//! Seal pictures: detecting their format, drawing agency seals (`draw`) and rendering SVG
//! pictures to PNG.

mod draw;

pub use draw::{Drawing, Shape};

/// The picture format of `data` from its first bytes: "PNG", "JPG", "GIF", "SVG" or "OFD".
pub fn detect(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("PNG")
    } else if data.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("JPG")
    } else if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        Some("GIF")
    } else if data.starts_with(b"PK\x03\x04") {
        Some("OFD")
    } else {
        let head = String::from_utf8_lossy(&data[..data.len().min(512)]).to_ascii_lowercase();
        let start = head.trim_start();
        ((start.starts_with("<?xml") || start.starts_with("<svg")) && head.contains("<svg"))
            .then_some("SVG")
    }
}

/// Draws a standard round agency seal as SVG: a red ring, a five-pointed star in the
/// middle, the agency's name along the upper arc and an optional label (the seal's purpose)
/// below the star. `size_mm` is the printed diameter. See [`Drawing`] for the oval layout.
pub fn draw_svg(name: &str, label: Option<&str>, size_mm: u32) -> String {
    Drawing::round(name, label, size_mm).svg()
}

#[cfg(feature = "picture")]
/// Renders [`draw_svg`] to PNG at `dpi` dots per inch. The name is set in the system's
/// serif (or any) font; with no font installed the picture has the ring and star only.
pub fn draw_png(name: &str, label: Option<&str>, size_mm: u32, dpi: u32) -> crate::Result<Vec<u8>> {
    Drawing::round(name, label, size_mm).png(dpi)
}

#[cfg(feature = "picture")]
/// Renders an SVG picture to PNG, `width_px` pixels wide (the height keeps the aspect).
pub fn render_svg(svg: &[u8], width_px: u32) -> crate::Result<Vec<u8>> {
    render_pixmap(svg, width_px)?
        .encode_png()
        .map_err(|e| crate::Error::InvalidInput(format!("cannot encode PNG: {e}")))
}

#[cfg(feature = "picture")]
/// Renders an SVG picture, `width_px` pixels wide, with the system's fonts.
pub(crate) fn render_pixmap(svg: &[u8], width_px: u32) -> crate::Result<resvg::tiny_skia::Pixmap> {
    use resvg::{tiny_skia, usvg};
    let opt = usvg::Options { fontdb: system_fonts(), ..Default::default() };
    let tree = usvg::Tree::from_data(svg, &opt)
        .map_err(|e| crate::Error::InvalidInput(format!("cannot render the seal picture: {e}")))?;
    let scale = width_px as f32 / tree.size().width();
    let height_px = (tree.size().height() * scale).round().clamp(1.0, 8192.0) as u32;
    let mut pixmap = tiny_skia::Pixmap::new(width_px.clamp(1, 8192), height_px)
        .ok_or_else(|| crate::Error::InvalidInput("picture size out of range".into()))?;
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    Ok(pixmap)
}

#[cfg(feature = "picture")]
/// The system's fonts, read once per process (a batch draws many pictures).
fn system_fonts() -> std::sync::Arc<resvg::usvg::fontdb::Database> {
    static FONTS: std::sync::OnceLock<std::sync::Arc<resvg::usvg::fontdb::Database>> =
        std::sync::OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = resvg::usvg::fontdb::Database::new();
            db.load_system_fonts();
            // Generic "serif" falls back to whatever face is installed.
            let any = db.faces().next().and_then(|f| f.families.first()).map(|(n, _)| n.clone());
            if let Some(family) = any {
                db.set_serif_family(family);
            }
            std::sync::Arc::new(db)
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_a_valid_looking_svg_and_detects_formats() {
        let svg = draw_svg("Licensing Office <City>", Some("Official Seal"), 40);
        assert!(svg.contains(">&lt;<") && svg.contains(">&gt;<"));
        assert!(svg.contains("width=\"40mm\""));
        assert_eq!(detect(svg.as_bytes()), Some("SVG"));
        assert_eq!(detect(b"\x89PNG\r\n\x1a\nrest"), Some("PNG"));
        assert_eq!(detect(&[0xff, 0xd8, 0xff, 0xe0]), Some("JPG"));
        assert_eq!(detect(b"hello"), None);
    }

    #[test]
    #[cfg(feature = "picture")]
    fn renders_a_red_png_of_the_printed_size() {
        let png = draw_png("Licensing Office", None, 40, 150).unwrap();
        assert_eq!(detect(&png), Some("PNG"));
        let pixmap = resvg::tiny_skia::Pixmap::decode_png(&png).unwrap();
        assert_eq!(pixmap.width(), 236); // 40 mm at 150 dpi
        let red = pixmap
            .pixels()
            .iter()
            .filter(|p| p.red() > 150 && p.green() < 80 && p.alpha() > 200)
            .count();
        assert!(red > 2000, "only {red} red pixels");
        // The middle is the star: red.
        let mid = pixmap.pixel(118, 118).unwrap();
        assert!(mid.red() > 150 && mid.alpha() > 200);
        // The name is drawn along the upper arc, inside the ring and above the star (this
        // needs a system font: CI installs fonts-dejavu-core).
        let text = (40..80)
            .flat_map(|y| (60..176).map(move |x| (x, y)))
            .filter(|&(x, y)| pixmap.pixel(x, y).is_some_and(|p| p.red() > 150 && p.alpha() > 200))
            .count();
        assert!(text > 200, "no text on the arc ({text} red pixels): is a font installed?");
    }
}
