//! Paragraphs and "label: value" fields, placed at the cursor and broken over pages line by
//! line.

use crate::fonts::Weight;
use crate::layout::wrap;
use crate::page::{BLACK, Pages, Rgb};
use crate::table::Align;

/// Line height for a font size.
pub fn line_h(size: f32) -> f32 {
    size * 1.35
}

/// Text style of a paragraph.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    pub size: f32,
    pub weight: Weight,
    pub color: Rgb,
    pub align: Align,
}

impl Text {
    pub const fn plain(size: f32) -> Self {
        Text {
            size,
            weight: Weight::Regular,
            color: BLACK,
            align: Align::Left,
        }
    }
    pub const fn bold(size: f32) -> Self {
        Text {
            size,
            weight: Weight::Bold,
            color: BLACK,
            align: Align::Left,
        }
    }
    pub const fn colored(self, color: Rgb) -> Self {
        Text { color, ..self }
    }
    pub const fn aligned(self, align: Align) -> Self {
        Text { align, ..self }
    }
}

/// A wrapped paragraph within `[x, x + width]`.
pub fn para(p: &mut Pages, x: f32, width: f32, text: &str, style: Text) {
    let lh = line_h(style.size);
    for line in wrap(p.fonts, text, style.weight, style.size, width) {
        p.ensure(lh);
        let dx = match style.align {
            Align::Left => 0.0,
            Align::Center => ((width - line.width) / 2.0).max(0.0),
            Align::Right => (width - line.width).max(0.0),
        };
        let baseline = p.y + style.size;
        p.text(x + dx, baseline, line, style.color);
        p.y += lh;
    }
}

/// "label: value": the value wraps under itself (a hanging indent), or, after a label
/// longer than half the width, starts on the next line.
pub fn field(p: &mut Pages, x: f32, width: f32, label: &str, value: &str, size: f32, bold: bool) {
    let lh = line_h(size);
    let label = p
        .fonts
        .shape(&crate::layout::nfc(label), Weight::Regular, size);
    let weight = if bold { Weight::Bold } else { Weight::Regular };
    let (indent, same_line) = if label.width > width / 2.0 {
        (12.0, false)
    } else {
        (label.width, true)
    };
    let lines = wrap(p.fonts, value, weight, size, width - indent);
    p.ensure(lh);
    p.text(x, p.y + size, label, BLACK);
    if !same_line {
        p.y += lh;
    }
    if lines.is_empty() && same_line {
        p.y += lh;
    }
    for line in lines {
        p.ensure(lh);
        p.text(x + indent, p.y + size, line, BLACK);
        p.y += lh;
    }
}
