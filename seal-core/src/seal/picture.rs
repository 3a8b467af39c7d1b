//! Seal pictures: detecting their format, and drawing a standard round agency seal.

use std::fmt::Write;

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
/// middle, the agency's name along the upper arc and an optional label below the star.
/// `size_mm` is the printed diameter.
pub fn draw_svg(name: &str, label: Option<&str>, size_mm: u32) -> String {
    const RED: &str = "#d7141a";
    const FONTS: &str = "DejaVu Serif, Noto Serif CJK SC, Noto Sans CJK SC, serif";
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{size_mm}mm" height="{size_mm}mm" viewBox="0 0 200 200">
  <defs><path id="arc" d="M 37 100 A 63 63 0 1 1 163 100"/></defs>
  <circle cx="100" cy="100" r="92" fill="none" stroke="{RED}" stroke-width="7"/>
  <polygon fill="{RED}" points="{star}"/>
  <text fill="{RED}" font-family="{FONTS}" font-weight="bold" font-size="{font}" text-anchor="middle">
    <textPath xlink:href="#arc" startOffset="50%">{name}</textPath>
  </text>
"##,
        star = star_points(100.0, 100.0, 30.0, 12.0),
        font = arc_font_size(name),
        name = escape(name),
    );
    if let Some(label) = label {
        let _ = writeln!(
            svg,
            r#"  <text x="100" y="158" fill="{RED}" font-family="{FONTS}" font-size="16" text-anchor="middle">{}</text>"#,
            escape(label)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(feature = "picture")]
/// Renders [`draw_svg`] to PNG at `dpi` dots per inch. The name is set in the system's
/// serif (or any) font; with no font installed the picture has the ring and star only.
pub fn draw_png(name: &str, label: Option<&str>, size_mm: u32, dpi: u32) -> crate::Result<Vec<u8>> {
    let svg = draw_svg(name, label, size_mm);
    let px = (f64::from(size_mm) / 25.4 * f64::from(dpi)).round().clamp(16.0, 8192.0) as u32;
    render_svg(svg.as_bytes(), px)
}

#[cfg(feature = "picture")]
/// Renders an SVG picture to PNG, `width_px` pixels wide (the height keeps the aspect).
pub fn render_svg(svg: &[u8], width_px: u32) -> crate::Result<Vec<u8>> {
    use resvg::{tiny_skia, usvg};
    let mut opt = usvg::Options::default();
    let db = opt.fontdb_mut();
    db.load_system_fonts();
    // Generic "serif" falls back to whatever face is installed.
    let any = db.faces().next().and_then(|f| f.families.first()).map(|(n, _)| n.clone());
    if let Some(family) = any {
        db.set_serif_family(family);
    }
    let tree = usvg::Tree::from_data(svg, &opt)
        .map_err(|e| crate::Error::InvalidInput(format!("cannot render the seal picture: {e}")))?;
    let scale = width_px as f32 / tree.size().width();
    let height_px = (tree.size().height() * scale).round().clamp(1.0, 8192.0) as u32;
    let mut pixmap = tiny_skia::Pixmap::new(width_px.clamp(1, 8192), height_px)
        .ok_or_else(|| crate::Error::InvalidInput("picture size out of range".into()))?;
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| crate::Error::InvalidInput(format!("cannot encode PNG: {e}")))
}

/// The corners of a five-pointed star, alternating outer and inner radius.
pub(crate) fn star_points(cx: f64, cy: f64, outer: f64, inner: f64) -> String {
    (0..10)
        .map(|i| {
            let r = if i % 2 == 0 { outer } else { inner };
            let a = std::f64::consts::PI * (f64::from(i) / 5.0) - std::f64::consts::FRAC_PI_2;
            format!("{:.2},{:.2}", cx + r * a.cos(), cy + r * a.sin())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn arc_font_size(name: &str) -> u32 {
    // The arc is about 300 units long; shrink the text to fit long names.
    let n = name.chars().count().max(1) as u32;
    (300 / n).clamp(10, 26)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_a_valid_looking_svg_and_detects_formats() {
        let svg = draw_svg("Licensing Office <City>", Some("Official Seal"), 40);
        assert!(svg.contains("Licensing Office &lt;City&gt;"));
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
