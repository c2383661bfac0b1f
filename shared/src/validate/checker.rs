//! The finding collector and the checks of single values shared by every part of a document.

use super::labels::{capitalise, label};
use super::{Finding, Severity};
use crate::model::*;
use rust_decimal::Decimal;

pub(super) struct Checker {
    pub(super) findings: Vec<Finding>,
}

impl Checker {
    pub(super) fn push(
        &mut self,
        severity: Severity,
        code: &'static str,
        path: &str,
        vi: String,
        en: String,
    ) {
        self.findings.push(Finding {
            severity,
            code,
            path: path.to_owned(),
            message_vi: vi,
            message_en: en,
        });
    }
    pub(super) fn error(&mut self, code: &'static str, path: &str, vi: String, en: String) {
        self.push(Severity::Error, code, path, vi, en);
    }
    pub(super) fn required(&mut self, path: &str) {
        let (vi, en) = label(path);
        self.error(
            "required",
            path,
            format!("Thiếu {vi}."),
            format!("{} is required.", capitalise(en)),
        );
    }
    pub(super) fn invalid(&mut self, code: &'static str, path: &str, vi_rule: &str, en_rule: &str) {
        let (vi, en) = label(path);
        self.error(
            code,
            path,
            format!("{} không hợp lệ: {vi_rule}.", capitalise(vi)),
            format!("Invalid {en}: {en_rule}."),
        );
    }
    /// A required text: present, not blank, at most `max` characters.
    pub(super) fn text(
        &mut self,
        path: &str,
        v: &Option<String>,
        max: usize,
        required: bool,
    ) -> Option<String> {
        match v.as_deref().map(str::trim) {
            None | Some("") => {
                if required {
                    self.required(path);
                }
                None
            }
            Some(s) => {
                self.length(path, s, max);
                self.xml_chars(path, s);
                Some(s.to_owned())
            }
        }
    }
    /// Text XML 1.0 cannot carry (see [`crate::xml::xml_text_ok`]).
    pub(super) fn xml_chars(&mut self, path: &str, s: &str) {
        if let Err(ch) = crate::xml::xml_text_ok(s) {
            self.findings.push(xml_char_finding(path.to_owned(), ch));
        }
    }
    /// `TTKhac/TTin` entries with their names trimmed; every text checked at its path.
    pub(super) fn extensions(&mut self, path: &str, ext: &[Extension]) -> Vec<Extension> {
        ext.iter()
            .enumerate()
            .map(|(i, e)| {
                for (f, v) in [
                    ("field", &e.field),
                    ("data_type", &e.data_type),
                    ("value", &e.value),
                ] {
                    self.xml_chars(&format!("{path}[{i}].{f}"), v);
                }
                Extension {
                    field: e.field.trim().to_owned(),
                    ..e.clone()
                }
            })
            .collect()
    }
    pub(super) fn warning(&mut self, code: &'static str, path: &str, vi: String, en: String) {
        self.push(Severity::Warning, code, path, vi, en);
    }
    /// A figure past what the GDT format (`decimal(21,6)`) can carry.
    pub(super) fn out_of_range(&mut self, path: &str) {
        let (vi, en) = label(path);
        self.error(
            "amount.out_of_range",
            path,
            format!(
                "{} vượt quá 15 chữ số phần nguyên mà định dạng hóa đơn cho phép.",
                capitalise(vi)
            ),
            format!(
                "{} exceeds the 15 integer digits the invoice format allows.",
                capitalise(en)
            ),
        );
    }
    pub(super) fn length(&mut self, path: &str, s: &str, max: usize) {
        let n = s.chars().count();
        if n > max {
            let (vi, en) = label(path);
            self.error(
                "too_long",
                path,
                format!("{} dài {n} ký tự, tối đa {max}.", capitalise(vi)),
                format!(
                    "{} is {n} characters long; the maximum is {max}.",
                    capitalise(en)
                ),
            );
        }
    }
    pub(super) fn tax_id(
        &mut self,
        path: &str,
        v: &Option<String>,
        required: bool,
    ) -> Option<TaxId> {
        let s = self.text(path, v, 14, required)?;
        match TaxId::parse(&s) {
            Ok(t) => Some(t),
            Err(IdError::CheckDigit) => {
                self.invalid(
                    "tax_id.check_digit",
                    path,
                    "chữ số kiểm tra (chữ số thứ 10) không đúng",
                    "the check digit (10th digit) is wrong",
                );
                None
            }
            Err(_) => {
                self.invalid(
                    "tax_id.format",
                    path,
                    "phải gồm 10 chữ số, 10 chữ số kèm -NNN, hoặc 12 chữ số",
                    "it must be 10 digits, 10 digits with -NNN, or 12 digits",
                );
                None
            }
        }
    }
    /// A decimal with at most `scale` places and 21 significant digits (`decimal(21,6)`).
    pub(super) fn decimal(
        &mut self,
        path: &str,
        v: Option<Decimal>,
        scale: u32,
    ) -> Option<Decimal> {
        let d = v?.normalize();
        if d.scale() > scale {
            self.invalid(
                "decimal.too_precise",
                path,
                &format!("tối đa {scale} chữ số thập phân"),
                &format!("at most {scale} decimal places"),
            );
        }
        if !crate::totals::in_range(d) {
            self.invalid(
                "decimal.too_large",
                path,
                "giá trị quá lớn",
                "the value is too large",
            );
        }
        Some(d)
    }
    pub(super) fn mismatch(&mut self, path: &str, declared: &str, computed: &str) {
        let (vi, en) = label(path);
        self.error(
            "totals.mismatch",
            path,
            format!(
                "{} ghi {declared} nhưng tính ra {computed}.",
                capitalise(vi)
            ),
            format!(
                "{} says {declared} but the lines give {computed}.",
                capitalise(en)
            ),
        );
    }
}

/// The finding for text XML cannot carry, naming the character (`U+0001`): the validator's and
/// the catalogs' one wording.
pub fn xml_char_finding(path: String, ch: char) -> Finding {
    let u = format!("U+{:04X}", u32::from(ch));
    Finding {
        severity: Severity::Error,
        code: "text.xml_char",
        path,
        message_vi: format!(
            "Có ký tự {u} mà tệp hóa đơn điện tử (XML) không chứa được; hãy xóa ký tự này."
        ),
        message_en: format!(
            "Contains the character {u}, which an e-invoice file (XML) cannot carry; remove it."
        ),
    }
}
