//! Pagination and painting. Sections lay out into a display list of pages first; only when
//! the number of pages is known are the pages painted with krilla, each with its footer
//! ("Trang N/M") and, on a test invoice, the TEST mark.

use crate::fonts::{Fonts, Shaped, Weight};
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size};
use krilla::image::Image;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};

/// A4 in points.
pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
pub const MARGIN: f32 = 36.0;
/// Room kept at the foot of every page for the footer.
pub const FOOTER_H: f32 = 40.0;
/// Room kept at the head of every page for the TEST mark, when there is one.
pub const TEST_MARK_H: f32 = 26.0;

/// An sRGB colour; krilla's colour constructor is not `const`.
pub type Rgb = (u8, u8, u8);
pub const BLACK: Rgb = (0, 0, 0);
pub const GREY: Rgb = (110, 110, 110);
pub const RED: Rgb = (200, 20, 20);

fn paint_of((r, g, b): Rgb) -> krilla::paint::Paint {
    rgb::Color::new(r, g, b).into()
}

/// One drawing operation; y points down, text is placed by its baseline.
#[derive(Clone)]
pub enum Op {
    Text {
        x: f32,
        y: f32,
        color: Rgb,
        shaped: Shaped,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        color: Rgb,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb,
    },
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
}

/// The pages being laid out, and the cursor.
pub struct Pages<'f, 'a> {
    pub fonts: &'f Fonts<'a>,
    pub pages: Vec<Vec<Op>>,
    /// Top of the free space on the current page.
    pub y: f32,
    top: f32,
}

impl<'f, 'a> Pages<'f, 'a> {
    pub fn new(fonts: &'f Fonts<'a>, test: bool) -> Self {
        let top = MARGIN + if test { TEST_MARK_H } else { 0.0 };
        Pages {
            fonts,
            pages: vec![Vec::new()],
            y: top,
            top,
        }
    }

    /// Lowest y content may reach.
    pub fn bottom(&self) -> f32 {
        PAGE_H - MARGIN - FOOTER_H
    }

    /// Whether `h` more points fit on the current page.
    pub fn fits(&self, h: f32) -> bool {
        self.y + h <= self.bottom()
    }

    /// Starts a new page when `h` does not fit; returns whether it did.
    pub fn ensure(&mut self, h: f32) -> bool {
        if self.fits(h) || self.y <= self.top {
            return false;
        }
        self.new_page();
        true
    }

    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.top;
    }

    pub fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Draws an already shaped line with its baseline at `y`.
    pub fn text(&mut self, x: f32, y: f32, shaped: Shaped, color: Rgb) {
        if !shaped.runs.is_empty() {
            self.push(Op::Text {
                x,
                y,
                color,
                shaped,
            });
        }
    }

    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32, color: Rgb) {
        self.push(Op::Line {
            x1,
            y1,
            x2,
            y2,
            width,
            color,
        });
    }

    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        self.push(Op::Rect { x, y, w, h, color });
    }
}

/// What every page carries besides its content.
pub struct Decoration<'t> {
    pub footer: Option<&'t str>,
    pub test: bool,
    pub accent: Rgb,
    pub page_label: &'t str,
}

/// Paints the pages into a PDF.
pub fn paint(
    pages: Vec<Vec<Op>>,
    fonts: &Fonts,
    logo: Option<Image>,
    deco: &Decoration,
) -> Result<Vec<u8>, String> {
    let total = pages.len();
    // No tagged structure and no XMP packet: hoadon's PDFs are a printed form of the signed
    // XML (the machine-readable copy), and leaving both out saves time and bytes per invoice.
    let mut document = Document::new_with(krilla::SerializeSettings {
        enable_tagging: false,
        xmp_metadata: false,
        ..Default::default()
    });
    for (index, mut ops) in pages.into_iter().enumerate() {
        decorate(&mut ops, fonts, deco, index + 1, total);
        let settings =
            PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| "page size".to_owned())?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    color,
                    shaped,
                } => {
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill {
                        paint: paint_of(color),
                        ..Default::default()
                    }));
                    let mut cx = x;
                    for run in &shaped.runs {
                        if let Some(font) = fonts.font(run.source) {
                            surface.draw_glyphs(
                                Point::from_xy(cx, y),
                                &run.glyphs,
                                font,
                                &run.text,
                                shaped.size,
                                false,
                            );
                        }
                        cx += run.advance * shaped.size;
                    }
                }
                Op::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    width,
                    color,
                } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(x1, y1);
                    pb.line_to(x2, y2);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: paint_of(color),
                            width,
                            ..Default::default()
                        }));
                        surface.draw_path(&path);
                        // Text would otherwise be stroked too.
                        surface.set_stroke(None);
                    }
                }
                Op::Rect { x, y, w, h, color } => {
                    if let Some(rect) = Rect::from_xywh(x, y, w, h) {
                        let mut pb = PathBuilder::new();
                        pb.push_rect(rect);
                        if let Some(path) = pb.finish() {
                            surface.set_stroke(None);
                            surface.set_fill(Some(Fill {
                                paint: paint_of(color),
                                ..Default::default()
                            }));
                            surface.draw_path(&path);
                        }
                    }
                }
                Op::Image { x, y, w, h } => {
                    if let (Some(image), Some(size)) = (logo.clone(), Size::from_wh(w, h)) {
                        surface.push_transform(&krilla::geom::Transform::from_translate(x, y));
                        surface.draw_image(image, size);
                        surface.pop();
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| format!("{e:?}"))
}

/// Footer note, "Trang N/M" and the TEST mark.
fn decorate(ops: &mut Vec<Op>, fonts: &Fonts, deco: &Decoration, n: usize, total: usize) {
    let foot_y = PAGE_H - MARGIN - FOOTER_H + 12.0;
    ops.push(Op::Line {
        x1: MARGIN,
        y1: foot_y - 8.0,
        x2: PAGE_W - MARGIN,
        y2: foot_y - 8.0,
        width: 0.5,
        color: deco.accent,
    });
    let page = fonts.shape(
        &format!("{} {n}/{total}", deco.page_label),
        Weight::Regular,
        8.0,
    );
    let page_x = PAGE_W - MARGIN - page.width;
    ops.push(Op::Text {
        x: page_x,
        y: foot_y + 4.0,
        color: GREY,
        shaped: page,
    });
    if let Some(footer) = deco.footer {
        let lines =
            crate::layout::wrap(fonts, footer, Weight::Regular, 7.5, page_x - MARGIN - 12.0);
        for (i, line) in lines.into_iter().take(3).enumerate() {
            ops.push(Op::Text {
                x: MARGIN,
                y: foot_y + 4.0 + i as f32 * 9.5,
                color: GREY,
                shaped: line,
            });
        }
    }
    if deco.test {
        let mark = fonts.shape(
            "TEST / HÓA ĐƠN THỬ NGHIỆM – KHÔNG CÓ GIÁ TRỊ",
            Weight::Bold,
            12.0,
        );
        let x = (PAGE_W - mark.width) / 2.0;
        ops.push(Op::Rect {
            x: x - 8.0,
            y: MARGIN - 4.0,
            w: mark.width + 16.0,
            h: 20.0,
            color: (255, 228, 228),
        });
        ops.push(Op::Text {
            x,
            y: MARGIN + 10.5,
            color: RED,
            shaped: mark,
        });
    }
}
