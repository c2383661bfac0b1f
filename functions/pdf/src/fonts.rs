//! The fonts: NotoSans Regular and Bold embedded in the binary (they cover every Vietnamese
//! letter), and an optional CJK font passed by the caller for the glyphs Noto lacks (Chinese
//! names of buyers). Text is split into runs by the font that has each character, then shaped
//! with rustybuzz (the version krilla itself uses), so what is measured is exactly what is drawn.

use krilla::text::{Font, GlyphId, KrillaGlyph};
use rustybuzz::{Face, UnicodeBuffer};
use std::cell::OnceCell;
use std::sync::{Arc, LazyLock};

static REGULAR_BYTES: &[u8] = include_bytes!("../fonts/NotoSans-Regular.ttf");
static BOLD_BYTES: &[u8] = include_bytes!("../fonts/NotoSans-Bold.ttf");

/// Parsed once per process: `Font::new` hashes the whole font, far too slow to do per PDF.
static REGULAR: LazyLock<Option<(Face<'static>, Font)>> = LazyLock::new(|| load(REGULAR_BYTES));
static BOLD: LazyLock<Option<(Face<'static>, Font)>> = LazyLock::new(|| load(BOLD_BYTES));

fn load(bytes: &'static [u8]) -> Option<(Face<'static>, Font)> {
    let face = Face::from_slice(bytes, 0)?;
    let font = Font::new(bytes.into(), 0)?;
    Some((face, font))
}

/// Regular or bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

/// Which font a run is drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Noto(Weight),
    Cjk,
}

/// A piece of text in one font, shaped; glyph advances are per em.
#[derive(Clone)]
pub struct Run {
    pub source: Source,
    pub text: String,
    pub glyphs: Vec<KrillaGlyph>,
    /// Sum of the advances, per em.
    pub advance: f32,
}

/// A shaped string: its runs and its width at `size`.
#[derive(Clone)]
pub struct Shaped {
    pub runs: Vec<Run>,
    pub size: f32,
    pub width: f32,
}

/// The fonts of one render: the embedded Noto and the caller's CJK font, parsed lazily (only
/// an invoice that needs it pays for hashing a multi-megabyte font).
pub struct Fonts<'a> {
    cjk_bytes: Option<&'a [u8]>,
    cjk_face: OnceCell<Option<Face<'a>>>,
    cjk_font: OnceCell<Option<Font>>,
}

impl<'a> Fonts<'a> {
    pub fn new(cjk: Option<&'a [u8]>) -> Self {
        Fonts {
            cjk_bytes: cjk,
            cjk_face: OnceCell::new(),
            cjk_font: OnceCell::new(),
        }
    }

    fn noto(weight: Weight) -> Option<&'static (Face<'static>, Font)> {
        match weight {
            Weight::Regular => REGULAR.as_ref(),
            Weight::Bold => BOLD.as_ref(),
        }
    }

    fn cjk_face(&self) -> Option<&Face<'a>> {
        self.cjk_face
            .get_or_init(|| self.cjk_bytes.and_then(|b| Face::from_slice(b, 0)))
            .as_ref()
    }

    /// The krilla font of a run (the CJK one is built on first use).
    pub fn font(&self, source: Source) -> Option<Font> {
        match source {
            Source::Noto(w) => Self::noto(w).map(|(_, f)| f.clone()),
            Source::Cjk => self
                .cjk_font
                .get_or_init(|| {
                    let bytes: Arc<Vec<u8>> = Arc::new(self.cjk_bytes?.to_vec());
                    Font::new(bytes.into(), 0)
                })
                .clone(),
        }
    }

    fn face(&self, source: Source) -> Option<&Face<'_>> {
        match source {
            Source::Noto(w) => Self::noto(w).map(|(f, _)| f),
            Source::Cjk => self.cjk_face(),
        }
    }

    /// Which font draws `c`: Noto when it has the glyph, else the CJK font, else none (the
    /// character is left out rather than drawn as a blank box).
    fn source_of(&self, c: char, weight: Weight) -> Option<Source> {
        let noto = Source::Noto(weight);
        if self.face(noto).is_some_and(|f| f.glyph_index(c).is_some()) {
            return Some(noto);
        }
        if self.cjk_face().is_some_and(|f| f.glyph_index(c).is_some()) {
            return Some(Source::Cjk);
        }
        None
    }

    /// Shapes one line of text (already NFC). Control characters become spaces; characters no
    /// font has are dropped; combining marks stay with the run of their base letter.
    pub fn shape(&self, text: &str, weight: Weight, size: f32) -> Shaped {
        let mut pieces: Vec<(Source, String)> = Vec::new();
        for c in text.chars() {
            let c = if c.is_control() { ' ' } else { c };
            let source = if is_mark(c) {
                pieces.last().map(|(s, _)| *s)
            } else if c == ' ' {
                Some(pieces.last().map_or(Source::Noto(weight), |(s, _)| *s))
            } else {
                self.source_of(c, weight)
            };
            let Some(source) = source else { continue };
            match pieces.last_mut() {
                Some((s, t)) if *s == source => t.push(c),
                _ => pieces.push((source, c.to_string())),
            }
        }
        let runs: Vec<Run> = pieces
            .into_iter()
            .filter_map(|(source, text)| self.shape_run(source, text))
            .collect();
        let width = runs.iter().map(|r| r.advance).sum::<f32>() * size;
        Shaped { runs, size, width }
    }

    fn shape_run(&self, source: Source, text: String) -> Option<Run> {
        let face = self.face(source)?;
        let upem = face.units_per_em().max(1) as f32;
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(&text);
        buffer.guess_segment_properties();
        // Left to right always: the invoice holds Vietnamese, English and Chinese.
        buffer.set_direction(rustybuzz::Direction::LeftToRight);
        let out = rustybuzz::shape(face, &[], buffer);
        let infos = out.glyph_infos();
        let positions = out.glyph_positions();
        let mut glyphs = Vec::with_capacity(infos.len());
        let mut advance = 0.0;
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let start = info.cluster as usize;
            let end = infos[i + 1..]
                .iter()
                .find(|n| n.cluster != info.cluster)
                .map_or(text.len(), |n| n.cluster as usize);
            let x_advance = pos.x_advance as f32 / upem;
            advance += x_advance;
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                x_advance,
                pos.x_offset as f32 / upem,
                pos.y_offset as f32 / upem,
                pos.y_advance as f32 / upem,
                start..end.max(start),
                None,
            ));
        }
        Some(Run {
            source,
            text,
            glyphs,
            advance,
        })
    }

    /// Width of `text` at `size`.
    pub fn width(&self, text: &str, weight: Weight, size: f32) -> f32 {
        self.shape(text, weight, size).width
    }
}

/// Combining marks (U+0300–U+036F and friends) left after NFC: kept with the base letter's run.
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}
