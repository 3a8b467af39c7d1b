//! Every character of a name is drawn, whole, inside the ring, and apart from the others:
//! each is rendered alone where the seal puts it and again in the middle of an empty
//! picture, with the same size and turn; the two must have the same ink (a character cut
//! off by the edge or hidden would have less), the ink must be the font's glyph (not its
//! missing-glyph box), and no two characters, nor a character and the star or ring, share a
//! pixel. CI installs the fonts (scripts/system-deps: fonts-dejavu-core, fonts-wqy-zenhei).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use resvg::tiny_skia::Pixmap;

use super::*;
use crate::seal::picture::render_pixmap;

const PX: u32 = 450;

fn render(d: &Drawing, frame: bool, texts: &[String]) -> Pixmap {
    render_pixmap(d.svg_of(frame, texts).as_bytes(), PX).unwrap()
}

fn ink(p: &Pixmap) -> Vec<bool> {
    p.pixels().iter().map(|c| c.alpha() > 96).collect()
}

fn count(ink: &[bool]) -> usize {
    ink.iter().filter(|&&i| i).count()
}

fn names() -> Vec<String> {
    const CJK: &str = "北京市海淀区市场监督管理局行政审批服务中";
    let mut names: Vec<String> =
        [4, 6, 8, 10, 12, 14, 16, 18, 20].iter().map(|&n| CJK.chars().take(n).collect()).collect();
    names.push("北京市市场监督管理局".into());
    names.push("ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI".into());
    names.push("АДМИНИСТРАЦИЯ ГОРОДА НОВОСИБИРСКА".into());
    names.push("City of Example Licensing Office".into());
    names
}

fn check(d: &Drawing) {
    let (w, h) = d.view();
    let frame = ink(&render(d, true, &[]));
    let px_h = (PX as f64 * h / w).round() as usize;
    let px = PX as usize;
    let scale = PX as f64 / w;
    let (ia, ib) = d.inner();
    let inside = |i: usize| {
        let (x, y) = ((i % px) as f64 + 0.5, (i / px) as f64 + 0.5);
        let (dx, dy) = (x / scale - w / 2.0, y / scale - h / 2.0);
        (dx / ia).powi(2) + (dy / ib).powi(2) < 1.0
    };
    let glyphs = d.glyphs();
    assert_eq!(
        glyphs.len(),
        d.name.chars().count() + d.label.as_ref().map_or(0, |l| l.chars().count()),
        "{}: every character is placed",
        d.name
    );
    let mut taken = frame.clone();
    for g in glyphs.iter().filter(|g| !g.ch.is_whitespace()) {
        let solo = ink(&render(d, false, &[g.svg(g.x, g.y)]));
        let centred = ink(&render(d, false, &[g.svg(w / 2.0, h / 2.0)]));
        let missing = Glyph { ch: '\u{10FFFD}', ..g.clone() };
        let notdef = ink(&render(d, false, &[missing.svg(w / 2.0, h / 2.0)]));
        let (n_solo, n_centred) = (count(&solo), count(&centred));
        let what = format!("{:?} of {:?} ({:?})", g.ch, d.name, d.shape);
        assert!(n_centred > 0, "{what}: no ink: is a font installed?");
        assert_ne!(centred, notdef, "{what}: drawn as the missing-glyph box: no font has it");
        let ratio = n_solo as f64 / n_centred as f64;
        assert!((0.85..=1.15).contains(&ratio), "{what}: cut off ({n_solo} of {n_centred} pixels)");
        for (i, _) in solo.iter().enumerate().filter(|(_, s)| **s) {
            assert!(inside(i), "{what}: ink at pixel {i} on or outside the ring");
            assert!(!taken[i], "{what}: touches another character or the star at pixel {i}");
        }
        for (t, s) in taken.iter_mut().zip(&solo) {
            *t |= *s;
        }
    }
    // Nothing but the picture's own margin is at the edge.
    let full = ink(&render(d, true, &glyphs.iter().map(|g| g.svg(g.x, g.y)).collect::<Vec<_>>()));
    assert_eq!(full.len(), px * px_h);
    for (i, _) in full.iter().enumerate().filter(|(_, f)| **f) {
        let (x, y) = (i % px, i / px);
        assert!(
            x > 2 && y > 2 && x + 3 < px && y + 3 < px_h,
            "{}: ink at the picture's edge ({x},{y})",
            d.name
        );
    }
}

#[test]
fn round_seals_fit_every_name_from_4_to_20_characters() {
    for (i, name) in names().iter().enumerate() {
        let label = [None, Some("行政审批专用章"), Some("Official Seal")][i % 3];
        check(&Drawing::new(name, label, Shape::Round, 40));
    }
}

#[test]
fn oval_seals_fit_every_name() {
    for (i, name) in names().iter().enumerate() {
        let label = [Some("发票专用章"), None, Some("Special Seal")][i % 3];
        check(&Drawing::new(name, label, Shape::Oval, 45));
    }
}

#[test]
fn long_names_are_narrowed_before_they_are_set_smaller() {
    let short = Drawing::round("北京市市场监督管理局", None, 42).glyphs();
    let long = Drawing::round("北京市海淀区市场监督管理局行政审批服务中", None, 42).glyphs();
    assert_eq!(short.len(), 10);
    assert_eq!(long.len(), 20);
    assert!(long[0].narrowing < short[0].narrowing);
    assert!(long[0].narrowing >= MIN_NARROWING);
    // Symmetric about the top, and in reading order from the left.
    let (first, last) = (&long[0], &long[19]);
    assert!((first.degrees + last.degrees).abs() < 0.01);
    assert!(first.x < last.x && first.degrees < 0.0);
    assert_eq!(Drawing::new("x", None, Shape::Oval, 45).height_mm(), 30);
}
