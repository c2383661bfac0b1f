//! A ruled table that continues over pages: every cell wraps within its column, a row that
//! does not fit starts a new page, and the heading row is repeated at the top of each page.

use crate::fonts::{Shaped, Weight};
use crate::layout::wrap;
use crate::page::{BLACK, MARGIN, Pages, Rgb};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

pub struct Col {
    pub title: String,
    pub width: f32,
    pub align: Align,
}

/// One row: its cells (one per column) and whether it is drawn in bold.
pub struct Row {
    pub cells: Vec<String>,
    pub bold: bool,
}

pub struct Style {
    pub size: f32,
    pub pad: f32,
    pub rule: Rgb,
    pub heading_fill: Rgb,
}

impl Style {
    /// The small tables after the lines (totals per rate, the 01/BK-ĐCTT list): 8 pt, the
    /// template's accent for rules and its tint for the heading.
    pub fn small(rule: Rgb, heading_fill: Rgb) -> Self {
        Style {
            size: 8.0,
            pad: 3.0,
            rule,
            heading_fill,
        }
    }

    fn line_h(&self) -> f32 {
        self.size * 1.3
    }
}

/// Draws the table at the cursor and leaves the cursor under it.
pub fn draw(p: &mut Pages, cols: &[Col], rows: impl IntoIterator<Item = Row>, style: &Style) {
    let heading = cols
        .iter()
        .map(|c| {
            wrap(
                p.fonts,
                &c.title,
                Weight::Bold,
                style.size,
                c.width - 2.0 * style.pad,
            )
        })
        .collect::<Vec<_>>();
    let heading_h = block_h(&heading, style);
    // No row may be taller than a page under the heading: longer cells are cut.
    let max_lines =
        (((p.bottom() - MARGIN - heading_h - 40.0) / style.line_h()).floor() as usize).max(1);
    p.ensure(heading_h + style.line_h() + 2.0 * style.pad);
    draw_heading(p, cols, &heading, heading_h, style);
    for row in rows {
        let weight = if row.bold {
            Weight::Bold
        } else {
            Weight::Regular
        };
        let cells: Vec<Vec<Shaped>> = cols
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let text = row.cells.get(i).map_or("", String::as_str);
                let mut lines = wrap(p.fonts, text, weight, style.size, c.width - 2.0 * style.pad);
                lines.truncate(max_lines);
                lines
            })
            .collect();
        let h = block_h(&cells, style);
        if p.ensure(h) {
            draw_heading(p, cols, &heading, heading_h, style);
        }
        draw_cells(p, cols, &cells, h, style);
    }
}

fn block_h(cells: &[Vec<Shaped>], style: &Style) -> f32 {
    let lines = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
    lines as f32 * style.line_h() + 2.0 * style.pad
}

fn draw_heading(p: &mut Pages, cols: &[Col], heading: &[Vec<Shaped>], h: f32, style: &Style) {
    let width: f32 = cols.iter().map(|c| c.width).sum();
    p.rect(MARGIN, p.y, width, h, style.heading_fill);
    // Headings are centred whatever the column's alignment.
    let centred: Vec<Col> = cols
        .iter()
        .map(|c| Col {
            title: String::new(),
            width: c.width,
            align: Align::Center,
        })
        .collect();
    draw_cells(p, &centred, heading, h, style);
}

fn draw_cells(p: &mut Pages, cols: &[Col], cells: &[Vec<Shaped>], h: f32, style: &Style) {
    let top = p.y;
    let width: f32 = cols.iter().map(|c| c.width).sum();
    let mut x = MARGIN;
    for (col, lines) in cols.iter().zip(cells) {
        let mut baseline = top + style.pad + style.size;
        for line in lines {
            let inner = col.width - 2.0 * style.pad;
            let dx = match col.align {
                Align::Left => 0.0,
                Align::Center => ((inner - line.width) / 2.0).max(0.0),
                Align::Right => (inner - line.width).max(0.0),
            };
            p.text(x + style.pad + dx, baseline, line.clone(), BLACK);
            baseline += style.line_h();
        }
        p.line(x, top, x, top + h, 0.5, style.rule);
        x += col.width;
    }
    p.line(x, top, x, top + h, 0.5, style.rule);
    p.line(MARGIN, top, MARGIN + width, top, 0.5, style.rule);
    p.line(MARGIN, top + h, MARGIN + width, top + h, 0.5, style.rule);
    p.y = top + h;
}
