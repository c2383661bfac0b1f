//! Delivery: how an issued invoice reaches people — its printed form (PDF) drawn with a
//! series' template, the e-mail to the buyer, and the public lookup by code.
//!
//! The lookup code and address are part of the **signed** document (`TTChung/TTKhac`, fields
//! [`LOOKUP_CODE_FIELD`] and [`LOOKUP_URL_FIELD`], as providers write `MaTraCuu`), so the PDF,
//! drawn from the signed file alone, can print them; the server writes them, never a client
//! (a draft naming either field is refused by validation).

use crate::model::Extension;
use serde::{Deserialize, Serialize};

/// `TTruong` of the lookup code in `TTChung/TTKhac`.
pub const LOOKUP_CODE_FIELD: &str = "MaTraCuu";
/// `TTruong` of the lookup address in `TTChung/TTKhac`.
pub const LOOKUP_URL_FIELD: &str = "DChiTraCuu";

/// Crockford's base-32 alphabet: no I, L, O or U, so a code read from paper is typed back
/// without confusing `0`/`O` or `1`/`I`/`L`.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters of a lookup code (5 bits each: 80 bits of randomness).
pub const LOOKUP_CODE_LEN: usize = 16;

/// A lookup code from 10 random bytes: 16 characters in groups of four, `7K3M-9QXA-…`.
pub fn lookup_code(random: [u8; 10]) -> String {
    let mut bits: u128 = 0;
    for b in random {
        bits = (bits << 8) | u128::from(b);
    }
    let mut out = String::with_capacity(LOOKUP_CODE_LEN + 3);
    for i in 0..LOOKUP_CODE_LEN {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        let shift = 5 * (LOOKUP_CODE_LEN - 1 - i);
        out.push(ALPHABET[((bits >> shift) & 31) as usize] as char);
    }
    out
}

/// The canonical form of a typed code (upper case, no separators, `O`→`0`, `I`/`L`→`1`), or
/// `None` when it cannot be a code. Both sides compare canonical forms.
pub fn normalize_lookup_code(typed: &str) -> Option<String> {
    let mut out = String::with_capacity(LOOKUP_CODE_LEN);
    for c in typed.chars() {
        let c = match c.to_ascii_uppercase() {
            ' ' | '-' | '.' | '\t' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) || out.len() >= LOOKUP_CODE_LEN {
            return None;
        }
        out.push(c);
    }
    (out.len() == LOOKUP_CODE_LEN).then_some(out)
}

/// The lookup extension fields the server writes into `TTChung/TTKhac`.
pub fn lookup_extensions(code: &str, url: &str) -> [Extension; 2] {
    [
        Extension {
            field: LOOKUP_CODE_FIELD.into(),
            data_type: "string".into(),
            value: code.into(),
        },
        Extension {
            field: LOOKUP_URL_FIELD.into(),
            data_type: "string".into(),
            value: url.into(),
        },
    ]
}

/// The lookup code and address an invoice carries (`TTChung/TTKhac`), if any.
pub fn lookup_of(general: &[Extension]) -> (Option<&str>, Option<&str>) {
    let get = |name: &str| {
        general
            .iter()
            .find(|e| e.field == name)
            .map(|e| e.value.as_str())
    };
    (get(LOOKUP_CODE_FIELD), get(LOOKUP_URL_FIELD))
}

/// Which labels a template prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Labels {
    /// Vietnamese only.
    #[default]
    Vi,
    /// Vietnamese with the English below ("Ngày / Date").
    ViEn,
}

/// Optional columns of the lines table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Columns {
    /// The product code (`MHHDVu`).
    #[serde(default)]
    pub code: bool,
    /// The discount rate and amount (`TLCKhau`, `STCKhau`).
    #[serde(default)]
    pub discount: bool,
}

/// How a series' invoices are printed. Versioned per series: an invoice renders with the
/// version it was issued under, whatever the admin changes later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Print the company profile's logo (PNG or JPEG) in the header.
    #[serde(default = "yes")]
    pub show_logo: bool,
    /// Accent colour of headings and rules, `#rrggbb`.
    #[serde(default = "default_accent")]
    pub accent: String,
    #[serde(default)]
    pub labels: Labels,
    #[serde(default)]
    pub columns: Columns,
    /// A note printed at the foot of every page (at most [`MAX_FOOTER`] characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footer: Option<String>,
}

fn yes() -> bool {
    true
}

fn default_accent() -> String {
    "#1f4e79".into()
}

/// Longest footer note (characters).
pub const MAX_FOOTER: usize = 400;

impl Default for Template {
    fn default() -> Self {
        Template {
            show_logo: true,
            accent: default_accent(),
            labels: Labels::Vi,
            columns: Columns::default(),
            footer: None,
        }
    }
}

impl Template {
    /// The accent as RGB, or `None` when it is not `#rrggbb`.
    pub fn accent_rgb(&self) -> Option<(u8, u8, u8)> {
        let h = self.accent.strip_prefix('#')?;
        if h.len() != 6 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let p = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
        Some((p(0)?, p(2)?, p(4)?))
    }

    /// What is wrong with this template, `(field, vi, en)` each.
    pub fn problems(&self) -> Vec<(&'static str, &'static str, &'static str)> {
        let mut out = Vec::new();
        if self.accent_rgb().is_none() {
            out.push((
                "accent",
                "Màu phải có dạng #rrggbb",
                "The colour must be #rrggbb",
            ));
        }
        if let Some(f) = &self.footer {
            if f.chars().count() > MAX_FOOTER {
                out.push((
                    "footer",
                    "Ghi chú chân trang tối đa 400 ký tự",
                    "The footer note has at most 400 characters",
                ));
            }
            if f.chars().any(|c| c.is_control() && c != '\n') {
                out.push((
                    "footer",
                    "Ghi chú chân trang có ký tự điều khiển",
                    "The footer note has control characters",
                ));
            }
        }
        out
    }
}

/// A series' template at one version (`GET/PUT /api/series/{series}/template`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateView {
    /// `<form><symbol>`.
    pub series: String,
    /// 0 = the built-in default (never saved); saved versions count from 1.
    pub version: u32,
    pub template: Template,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
}

/// `POST /api/invoices/{id}/converted`: a converted paper copy (hóa đơn chuyển đổi).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConvertRequest {
    /// Who converts (printed under the signature line), 1–100 characters.
    pub converter: String,
}

/// State of one e-mail delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Persisted, waiting for (another) attempt.
    Queued,
    /// The mail server accepted it.
    Sent,
    /// Attempts ran out: someone must look (Resend).
    NeedsAttention,
}

/// One e-mail of an invoice to one or more addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryView {
    pub id: String,
    pub invoice_id: String,
    pub to: Vec<String>,
    /// `vi` or `en`.
    pub lang: String,
    /// The `Message-ID` every attempt carries.
    pub message_id: String,
    pub state: DeliveryState,
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<i64>,
    /// `auto` (the invoice became deliverable) or the user who asked.
    pub requested_by: String,
    pub created_at: i64,
}

/// `POST /api/invoices/{id}/deliveries`: send (again) by e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SendRequest {
    /// 1–10 addresses; the buyer's e-mail when empty.
    #[serde(default)]
    pub to: Vec<String>,
    /// `vi` or `en`; Vietnamese by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

/// `POST /api/public/lookup`: an invoice by its lookup code (no sign-in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LookupRequest {
    /// The seller's tenant id (from the lookup address printed on the invoice, `/lookup/<tenant>`).
    pub tenant: String,
    /// As typed: separators and case do not matter.
    pub code: String,
}

/// What the lookup page shows: the signed file (the page reads and verifies it with the core)
/// and where its PDF is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LookupView {
    /// The invoice's file as delivered (the coded one for a coded series).
    pub xml: String,
    /// Coded by the local test simulator: test data.
    pub test: bool,
    /// Superseded by a replacement or cancelled (`replaced`, `cancelled`), if so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standing: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_grouped_and_read_back_whatever_the_typing() {
        let code = lookup_code([0xff, 0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0]);
        assert_eq!(code.len(), 19);
        assert_eq!(code.matches('-').count(), 3);
        let canon = normalize_lookup_code(&code).unwrap();
        assert_eq!(canon, code.replace('-', ""));
        assert_eq!(
            normalize_lookup_code(&code.to_lowercase().replace('-', " ")),
            Some(canon.clone())
        );
        assert_eq!(normalize_lookup_code("0000-0000-0000-000"), None);
        assert_eq!(normalize_lookup_code("0000-0000-0000-0000-0"), None);
        assert_eq!(normalize_lookup_code("UUUU-0000-0000-0000"), None);
        assert_eq!(
            normalize_lookup_code("oOiI-lL00-0000-0000").as_deref(),
            Some("0011110000000000")
        );
    }

    #[test]
    fn distinct_randomness_gives_distinct_codes() {
        let a = lookup_code([1; 10]);
        let b = lookup_code([2; 10]);
        assert_ne!(a, b);
        // 80 bits: the first and the last byte both show.
        let mut r = [0u8; 10];
        r[9] = 1;
        assert_ne!(lookup_code(r), lookup_code([0; 10]));
        r = [0; 10];
        r[0] = 0x80;
        assert_ne!(lookup_code(r), lookup_code([0; 10]));
    }

    #[test]
    fn templates_check_their_colour_and_footer() {
        let mut t = Template::default();
        assert!(t.problems().is_empty());
        assert_eq!(t.accent_rgb(), Some((0x1f, 0x4e, 0x79)));
        t.accent = "blue".into();
        t.footer = Some("x".repeat(401));
        let fields: Vec<_> = t.problems().iter().map(|p| p.0).collect();
        assert_eq!(fields, ["accent", "footer"]);
    }
}
