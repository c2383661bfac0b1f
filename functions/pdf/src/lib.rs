//! # hoadon-pdf
//!
//! The invoice's human-readable copy (*bản thể hiện*) as a PDF, drawn from the **signed XML
//! alone**, so the PDF can say nothing the signed file does not: the file is read and
//! validated by the core ([`hoadon_core::xml::read_invoice`], [`hoadon_core::check`]), and every
//! signature is verified ([`hoadon_core::dsig::verify_document`]) and its verdict printed.
//!
//! ## Why krilla
//!
//! Measured on the same A4 invoice page (toolchain notes, release, one core): krilla 0.8.2
//! 6.7 ms and 35 KB per PDF (500 rows 45 ms / 71 KB) with subset fonts; printpdf 0.12.8
//! 6.8 ms / 33 KB but 533 KB without its default features (no subsetting); typst 0.15.1 as a
//! library 15.8 ms / 49 KB, a 520 s cold build and a 46 MB binary; headless Chromium 1.4 s per
//! PDF. krilla is as fast and small as anything measured and light to build; what it lacks,
//! layout and pagination, is the small part written here.
//!
//! ## How
//!
//! Text is normalised to NFC, split into runs by the font that has each character (NotoSans,
//! embedded, for Vietnamese; the caller's CJK font for Chinese names) and shaped with
//! rustybuzz ([`fonts`]); [`layout`] wraps it; the sections ([`sections`], [`closing`]) lay the
//! invoice out into a display list of pages ([`page`]), and only then, with the number of pages
//! known, are the pages painted with their footers ("Trang N/M") and the TEST mark.

#![forbid(unsafe_code)]

mod blocks;
mod closing;
mod fonts;
mod format;
mod labels;
mod layout;
mod logo;
mod page;
mod qr;
mod sections;
mod table;

use hoadon_core::api::delivery::{Template, lookup_of};
use hoadon_core::{Date, Finding, Severity};

/// How to draw one invoice.
pub struct Options<'a> {
    /// The series' template the invoice was issued under.
    pub template: &'a Template,
    /// The company profile's logo as a data URL (`data:image/png;base64,…`); PNG and JPEG are
    /// drawn, anything else is left out.
    pub logo: Option<&'a str>,
    /// Coded by the local test simulator: every page says it has no legal value.
    pub test: bool,
    /// A converted paper copy, and by whom.
    pub converted: Option<Conversion>,
    /// The 01/BK-ĐCTT list of a correction covering several invoices, usually empty.
    pub list: &'a [ListedInvoice],
    /// A CJK font (TTF or the first face of a TTC) for the characters NotoSans lacks.
    pub cjk_font: Option<&'a [u8]>,
}

/// Who converted the e-invoice to paper, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    pub converter: String,
    pub date: Date,
}

/// One invoice of the 01/BK-ĐCTT list, as the correction names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedInvoice {
    pub form: String,
    pub symbol: String,
    pub number: String,
    pub date: String,
    pub difference: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// Not XML, or no `HDon` with a `DLHDon`.
    #[error("not an invoice: {0}")]
    NotAnInvoice(String),
    /// The invoice breaks the rules: it is not printed.
    #[error("the invoice is not valid: {}", summary(.0))]
    Invalid(Vec<Finding>),
    /// The PDF could not be produced (a bug, reported rather than panicking).
    #[error("the PDF could not be produced: {0}")]
    Internal(String),
}

fn summary(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The PDF of a signed invoice (the seller-signed `HDon`, or the file the tax authority coded).
pub fn render(signed_xml: &str, opts: &Options) -> Result<Vec<u8>, PdfError> {
    let doc = hoadon_core::xml::read_invoice(signed_xml)
        .map_err(|e| PdfError::NotAnInvoice(e.to_string()))?;
    let (invoice, _) = hoadon_core::check(&doc).into_result().map_err(|findings| {
        PdfError::Invalid(
            findings
                .into_iter()
                .filter(|f| f.severity == Severity::Error)
                .collect(),
        )
    })?;
    let reports = hoadon_core::dsig::verify_document(signed_xml)
        .map_err(|e| PdfError::NotAnInvoice(e.to_string()))?;
    let words = doc
        .declared
        .as_ref()
        .and_then(|d| d.total_in_words.as_deref());
    // Layout is plain arithmetic on validated data and must not panic; should a dependency do
    // so anyway, the caller gets an error instead of a dead worker.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        draw(&invoice, &reports, words, opts)
    }))
    .unwrap_or_else(|_| Err(PdfError::Internal("a panic while drawing".into())))
}

fn draw(
    inv: &hoadon_core::Invoice,
    reports: &[hoadon_core::dsig::SignatureReport],
    words: Option<&str>,
    opts: &Options,
) -> Result<Vec<u8>, PdfError> {
    let template = opts.template;
    let fonts = fonts::Fonts::new(opts.cjk_font);
    let logo = opts
        .logo
        .filter(|_| template.show_logo)
        .and_then(logo::decode);
    let accent = parse_accent(&template.accent);
    let setup = sections::Setup {
        l: labels::L(template.labels),
        accent,
        tint: tint(accent),
        columns: template.columns,
        logo: logo.as_ref().map(|i| i.size()),
        converted: opts.converted.is_some(),
        words,
    };
    let mut p = page::Pages::new(&fonts, opts.test);
    sections::header(&mut p, &setup, inv);
    sections::related(&mut p, &setup, inv);
    sections::parties(&mut p, &setup, inv);
    sections::lines(&mut p, &setup, inv);
    sections::totals(&mut p, &setup, inv);
    closing::signatures(&mut p, &setup, reports);
    let (code, url) = lookup_of(&inv.extensions().general);
    closing::lookup(&mut p, &setup, code, url);
    if let Some(c) = &opts.converted {
        closing::conversion(&mut p, &setup, c);
    }
    closing::list(&mut p, &setup, opts.list);

    let footer = template
        .footer
        .as_deref()
        .map(layout::nfc)
        .filter(|f| !f.trim().is_empty());
    let page_label = setup.l.inline("Trang", "Page");
    let deco = page::Decoration {
        footer: footer.as_deref(),
        test: opts.test,
        accent,
        page_label: &page_label,
    };
    let pages = p.pages;
    if logo.is_some() {
        // krilla decodes images only when writing: a logo whose header reads but whose data is
        // broken fails there, and the invoice is then printed without it.
        if let Ok(pdf) = page::paint(pages.clone(), &fonts, logo, &deco) {
            return Ok(pdf);
        }
    }
    page::paint(pages, &fonts, None, &deco).map_err(PdfError::Internal)
}

/// `#rrggbb`, or the default dark blue.
fn parse_accent(s: &str) -> page::Rgb {
    let hex = s.trim().trim_start_matches('#');
    let byte = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
    };
    match (hex.len(), byte(0), byte(2), byte(4)) {
        (6, Some(r), Some(g), Some(b)) => (r, g, b),
        _ => (0x1f, 0x4e, 0x79),
    }
}

/// The accent mixed with 85 % white.
fn tint((r, g, b): page::Rgb) -> page::Rgb {
    let mix = |c: u8| (f32::from(c) * 0.15 + 255.0 * 0.85) as u8;
    (mix(r), mix(g), mix(b))
}
