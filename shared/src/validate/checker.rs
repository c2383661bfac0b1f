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
                Some(s.to_owned())
            }
        }
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
        if d.abs() >= Decimal::from(10u64.pow(15)) {
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
