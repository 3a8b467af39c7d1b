//! Drawing agency seals as national seal systems lay them out: the round official seal (a
//! ring, a five-pointed star in the middle, the agency's name along the upper arc and the
//! seal's purpose, e.g. 行政审批专用章, below the star) and the oval special-purpose seal
//! (the name along the upper arc, the purpose below the middle).
//!
//! Each character of the name is placed on its own, upright towards the rim: a long name is
//! compressed across the arc, as seal engravers narrow the characters of a long name, and set
//! smaller only when narrowing alone would go below half width; no character is left out and
//! none crosses the ring. The layout works from estimated advance widths (a CJK character is
//! one em wide; Latin and Cyrillic letters are narrower), so it needs no font to compute; the
//! font only draws the glyphs (see `render_svg`).

use std::f64::consts::PI;
use std::fmt::Write;

/// The outline of a seal picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Shape {
    /// A circle with a star: the official seal of an agency (公章).
    #[default]
    Round,
    /// An ellipse, 3:2, without a star: special-purpose seals (e.g. 发票专用章).
    Oval,
}

/// A seal picture to draw: the name along the upper arc, an optional purpose below.
#[derive(Debug, Clone)]
pub struct Drawing {
    name: String,
    label: Option<String>,
    shape: Shape,
    width_mm: u32,
}

const RED: &str = "#d7141a";
/// Serif for Latin, Vietnamese and Cyrillic; for CJK the Song-style serif when installed,
/// else WenQuanYi Zen Hei (Debian's fonts-noto-cjk and fonts-wqy-zenhei).
const FONTS: &str = "DejaVu Serif, Noto Serif CJK SC, Noto Sans CJK SC, WenQuanYi Zen Hei, serif";
/// Half of the ring's stroke width, in picture units.
const HALF_STROKE: f64 = 3.0;
/// The clear band inside the ring that no character enters.
const MARGIN: f64 = 5.0;
/// The widest angle the name spans (from the top, each way), and the widest a short name
/// is spread to.
const MAX_HALF_SPAN: f64 = 110.0 * PI / 180.0;
const SPREAD_HALF_SPAN: f64 = 75.0 * PI / 180.0;
/// Characters are narrowed to no less than this before they are set smaller.
const MIN_NARROWING: f64 = 0.45;

/// One character placed on the picture.
#[derive(Debug, Clone)]
pub(crate) struct Glyph {
    pub(crate) ch: char,
    /// Where its centre sits and how it turns: `translate(x,y) rotate(deg)`.
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) degrees: f64,
    /// Horizontal narrowing (1 = none) and font size.
    pub(crate) narrowing: f64,
    pub(crate) size: f64,
}

impl Glyph {
    pub(crate) fn svg(&self, x: f64, y: f64) -> String {
        let mut ch = [0u8; 4];
        format!(
            r#"<text transform="translate({x:.2},{y:.2}) rotate({:.2}) scale({:.3},1)" font-size="{:.2}" text-anchor="middle" dominant-baseline="central">{}</text>"#,
            self.degrees,
            self.narrowing,
            self.size,
            escape(self.ch.encode_utf8(&mut ch)),
        )
    }
}

impl Drawing {
    /// A seal of `shape`, `width_mm` wide when printed.
    pub fn new(name: &str, label: Option<&str>, shape: Shape, width_mm: u32) -> Drawing {
        let label = label.map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned);
        Drawing { name: name.trim().to_owned(), label, shape, width_mm }
    }

    /// The round official seal, `size_mm` across.
    pub fn round(name: &str, label: Option<&str>, size_mm: u32) -> Drawing {
        Drawing::new(name, label, Shape::Round, size_mm)
    }

    /// The printed width in millimetres.
    pub fn width_mm(&self) -> u32 {
        self.width_mm
    }

    /// The printed height in millimetres: the width for a round seal, two thirds of it for
    /// an oval one.
    pub fn height_mm(&self) -> u32 {
        match self.shape {
            Shape::Round => self.width_mm,
            Shape::Oval => (self.width_mm * 2).div_ceil(3),
        }
    }

    /// The picture's size in SVG units (its viewBox).
    pub(crate) fn view(&self) -> (f64, f64) {
        match self.shape {
            Shape::Round => (200.0, 200.0),
            Shape::Oval => (300.0, 200.0),
        }
    }

    /// The ring's centre line: its semi-axes.
    fn ring(&self) -> (f64, f64) {
        match self.shape {
            Shape::Round => (90.0, 90.0),
            Shape::Oval => (140.0, 90.0),
        }
    }

    /// The inside edge of the ring: nothing but the ring may reach it.
    pub(crate) fn inner(&self) -> (f64, f64) {
        let (a, b) = self.ring();
        (a - HALF_STROKE, b - HALF_STROKE)
    }

    /// The SVG picture.
    pub fn svg(&self) -> String {
        let glyphs: Vec<Glyph> = self.glyphs();
        self.svg_of(true, &glyphs.iter().map(|g| g.svg(g.x, g.y)).collect::<Vec<_>>())
    }

    /// The SVG with the ring and star (`frame`) or not, and the given characters.
    pub(crate) fn svg_of(&self, frame: bool, texts: &[String]) -> String {
        let (w, h) = self.view();
        let (cx, cy) = (w / 2.0, h / 2.0);
        let (a, b) = self.ring();
        let mut svg = String::new();
        let _ = write!(
            svg,
            r#"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{}mm" height="{}mm" viewBox="0 0 {w} {h}">
"#,
            self.width_mm,
            self.height_mm()
        );
        if frame {
            let _ = writeln!(
                svg,
                r#"  <ellipse cx="{cx}" cy="{cy}" rx="{a}" ry="{b}" fill="none" stroke="{RED}" stroke-width="{}"/>"#,
                2.0 * HALF_STROKE
            );
            if self.shape == Shape::Round {
                let _ = writeln!(
                    svg,
                    r#"  <polygon fill="{RED}" points="{}"/>"#,
                    star_points(cx, cy, 28.0, 11.0)
                );
            }
        }
        let _ = writeln!(svg, r#"  <g fill="{RED}" font-family="{FONTS}" font-weight="bold">"#);
        for t in texts {
            let _ = writeln!(svg, "    {t}");
        }
        svg.push_str("  </g>\n</svg>\n");
        svg
    }

    /// Every character of the name and the label, placed.
    pub(crate) fn glyphs(&self) -> Vec<Glyph> {
        let mut out = self.name_glyphs();
        out.extend(self.label_glyphs());
        out
    }

    /// The name along the upper arc, from the left end to the right end.
    fn name_glyphs(&self) -> Vec<Glyph> {
        let chars: Vec<char> = self.name.chars().collect();
        if chars.is_empty() {
            return Vec::new();
        }
        let widths: Vec<f64> = chars.iter().map(|&c| advance(c)).collect();
        let ems: f64 = widths.iter().sum::<f64>() * 1.06;
        let (ia, ib) = self.inner();
        let (cx, cy) = (self.view().0 / 2.0, self.view().1 / 2.0);
        let largest = match self.shape {
            Shape::Round => 30.0,
            Shape::Oval => 28.0,
        };
        // The largest size at which the name fits the arc narrowed to at most half width.
        let mut size = largest;
        let (mut arc, mut narrowing) = (Arc::new(0.0, 0.0), 1.0);
        while size >= 10.0 {
            // The characters' centres run on an arc half a character inside the margin.
            let inset = MARGIN + size / 2.0 + 1.0;
            arc = Arc::new(ia - inset, ib - inset);
            narrowing = (arc.span(MAX_HALF_SPAN) / (ems * size * crowding(&arc, size))).min(1.0);
            if narrowing >= MIN_NARROWING {
                break;
            }
            size -= 1.0;
        }
        // A short name is spread (up to 1.6 times its natural spacing), not bunched at the top.
        let natural = ems * size * narrowing * crowding(&arc, size);
        let spread = arc.span(SPREAD_HALF_SPAN).min(natural * 1.6).max(natural);
        let total = spread.min(arc.span(MAX_HALF_SPAN));
        let start = -total / 2.0;
        let mut along = 0.0;
        let scale = total / widths.iter().sum::<f64>();
        chars
            .iter()
            .zip(&widths)
            .map(|(&ch, &w)| {
                let mid = start + along + w * scale / 2.0;
                along += w * scale;
                let (x, y, degrees) = arc.at(mid);
                Glyph { ch, x: cx + x, y: cy + y, degrees, narrowing, size }
            })
            .collect()
    }

    /// The label on one line below the star (or below the middle of an oval), narrowed and
    /// then set smaller until it fits inside the ring.
    fn label_glyphs(&self) -> Vec<Glyph> {
        let Some(label) = &self.label else { return Vec::new() };
        let chars: Vec<char> = label.chars().collect();
        let widths: Vec<f64> = chars.iter().map(|&c| advance(c)).collect();
        let ems: f64 = widths.iter().sum::<f64>() * 1.02;
        let (w, h) = self.view();
        let (cx, cy) = (w / 2.0, h / 2.0);
        let (ia, ib) = self.inner();
        let (ia, ib) = (ia - MARGIN, ib - MARGIN);
        let centre = cy + 48.0;
        let mut size = 20.0;
        let mut narrowing = 1.0;
        while size >= 8.0 {
            // The widest the line may be: where its lower edge meets the inner ring.
            let dy = (centre - cy + size / 2.0) / ib;
            let half = ia * (1.0 - dy * dy).max(0.0).sqrt();
            narrowing = (2.0 * half / (ems * size)).min(1.0);
            if narrowing >= MIN_NARROWING {
                break;
            }
            size -= 1.0;
        }
        let total = ems * size * narrowing;
        let mut x = cx - total / 2.0;
        chars
            .iter()
            .zip(&widths)
            .map(|(&ch, &w)| {
                let step = w * 1.02 * size * narrowing;
                let g = Glyph { ch, x: x + step / 2.0, y: centre, degrees: 0.0, narrowing, size };
                x += step;
                g
            })
            .collect()
    }
}

/// An elliptical arc over the top, its centre at the origin; positions along it are arc
/// lengths from the top, negative to the left.
struct Arc {
    a: f64,
    b: f64,
    /// Arc length from the top at each step of the angle.
    table: Vec<(f64, f64)>,
}

impl Arc {
    const STEPS: usize = 720;

    fn new(a: f64, b: f64) -> Arc {
        let mut table = Vec::with_capacity(Arc::STEPS + 1);
        let (mut len, mut last) = (0.0, (0.0, -b));
        for i in 0..=Arc::STEPS {
            let phi = PI * i as f64 / Arc::STEPS as f64;
            let p = (a * phi.sin(), -b * phi.cos());
            len += ((p.0 - last.0).powi(2) + (p.1 - last.1).powi(2)).sqrt();
            last = p;
            table.push((phi, len));
        }
        Arc { a, b, table }
    }

    /// The length of the arc from `half_span` (an angle from the top) left of the top to as
    /// far right of it.
    fn span(&self, half_span: f64) -> f64 {
        let i = ((half_span / PI) * Arc::STEPS as f64).round() as usize;
        2.0 * self.table[i.min(Arc::STEPS)].1
    }

    /// The point `s` along the arc and the turn (degrees) that sets a character upright
    /// there, its top towards the rim.
    fn at(&self, s: f64) -> (f64, f64, f64) {
        let i = self.table.partition_point(|&(_, len)| len < s.abs()).clamp(1, Arc::STEPS);
        let ((p0, l0), (p1, l1)) = (self.table[i - 1], self.table[i]);
        let t = if l1 > l0 { ((s.abs() - l0) / (l1 - l0)).clamp(0.0, 1.0) } else { 0.0 };
        let phi = (p0 + t * (p1 - p0)).copysign(s);
        let (x, y) = (self.a * phi.sin(), -self.b * phi.cos());
        // The outward normal of the ellipse there.
        let (nx, ny) = (phi.sin() / self.a.max(1e-9), -phi.cos() / self.b.max(1e-9));
        (x, y, nx.atan2(-ny).to_degrees())
    }
}

/// How much wider the spacing on the arc of the characters' centres must be than the
/// characters themselves, so that they stay apart at their inner edge, where the arc is
/// shorter.
fn crowding(arc: &Arc, size: f64) -> f64 {
    let r = arc.a.min(arc.b);
    r / (r - size / 2.0).max(1.0)
}

/// A character's advance in ems, estimated on the wide side (bold serif faces): CJK one em,
/// Latin and Cyrillic capitals 0.8 (M, Ж, Ш and the like one em), small letters 0.62,
/// narrow marks less.
fn advance(c: char) -> f64 {
    let cp = u32::from(c);
    let wide = matches!(cp, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
    if wide {
        1.0
    } else if c.is_whitespace() {
        0.32
    } else if "iIl.,:;'!|()-".contains(c) {
        0.34
    } else if "MWmwМЖШЩЮФЫмшщжюфы".contains(c) {
        1.0
    } else if c.is_uppercase() || c.is_ascii_digit() {
        0.8
    } else {
        0.62
    }
}

/// The corners of a five-pointed star, alternating outer and inner radius.
pub(crate) fn star_points(cx: f64, cy: f64, outer: f64, inner: f64) -> String {
    (0..10)
        .map(|i| {
            let r = if i % 2 == 0 { outer } else { inner };
            let a = PI * (f64::from(i) / 5.0) - std::f64::consts::FRAC_PI_2;
            format!("{:.2},{:.2}", cx + r * a.cos(), cy + r * a.sin())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(feature = "picture")]
impl Drawing {
    /// The picture rendered to PNG at `dpi` dots per inch.
    pub fn png(&self, dpi: u32) -> crate::Result<Vec<u8>> {
        let px = (f64::from(self.width_mm) / 25.4 * f64::from(dpi)).round().clamp(16.0, 8192.0);
        super::render_svg(self.svg().as_bytes(), px as u32)
    }
}

#[cfg(all(test, feature = "picture"))]
mod tests;
