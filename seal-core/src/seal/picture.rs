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
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{size_mm}mm" height="{size_mm}mm" viewBox="0 0 200 200">
  <defs><path id="arc" d="M 37 100 A 63 63 0 1 1 163 100"/></defs>
  <circle cx="100" cy="100" r="92" fill="none" stroke="{RED}" stroke-width="7"/>
  <polygon fill="{RED}" points="{star}"/>
  <text fill="{RED}" font-family="serif" font-weight="bold" font-size="{font}" text-anchor="middle">
    <textPath href="#arc" startOffset="50%">{name}</textPath>
  </text>
"##,
        star = star_points(100.0, 100.0, 30.0, 12.0),
        font = arc_font_size(name),
        name = escape(name),
    );
    if let Some(label) = label {
        let _ = writeln!(
            svg,
            r#"  <text x="100" y="158" fill="{RED}" font-family="serif" font-size="16" text-anchor="middle">{}</text>"#,
            escape(label)
        );
    }
    svg.push_str("</svg>\n");
    svg
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
}
