//! The dated rules of correcting an issued invoice: one table, each row saying which date it
//! keys on and why.
//!
//! Two dates can decide a rule. **The original's issue date** decides what the regime the
//! invoice was issued under allows for it (an invoice issued under Decree 123 may still be
//! cancelled with a 04/SS; one issued from 1 June 2025 may not: reference §4.3's advice to keep
//! cancellation a legacy state of the Decree 123 era). **The correction's date** decides the
//! procedure (what must accompany the correction, whether one correction may cover several
//! invoices): a procedure is the one in force when it is carried out.
//!
//! Rows marked `L` are decisions taken where the reference is low-confidence; they are data, so
//! a source that says otherwise changes a row, not the code. Every refusal names the row's
//! instrument.

use crate::date::Date;
use serde::Serialize;

/// Which date a rule is looked up by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeysOn {
    /// The issue date of the invoice being corrected (its regime).
    OriginalIssueDate,
    /// The date of the correction (the procedure in force when it is carried out).
    CorrectionDate,
}

/// Whose law: Vietnam (GDT) or the Chinese fully-digitised invoice model (red-letter flow).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Jurisdiction {
    Vn,
    Cn,
}

/// How sure the row is (the reference's tags: H high, M medium, L low, K background knowledge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Confidence {
    H,
    M,
    L,
    K,
}

/// What a row decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// An issued invoice may be cancelled (04/SS with `TCTBao` = 1).
    Cancellation,
    /// A replacement or adjustment must be declared to the authority on a 04/SS
    /// (`TCTBao` 3 / 2) before it is issued.
    NoticeForCorrection,
    /// A replacement or adjustment of an invoice to a business buyer (one with a tax id) needs
    /// the buyer's written agreement first; an individual buyer is informed instead.
    BuyerAgreement,
    /// One replacement or adjustment may cover several invoices of the same buyer in the same
    /// month, listed on 01/BK-ĐCTT.
    SeveralInvoices,
    /// Cash-register invoices (symbol letter `M`) may only be replaced, not adjusted.
    ReplacementOnlyForCashRegister,
    /// The red-letter confirmation form (红字发票信息确认单) must be confirmed (or marked "no
    /// confirmation needed") before the negative invoice is issued.
    RedLetterConfirmation,
}

/// One row: from `from` (until the next row of the same rule and jurisdiction) the rule
/// `applies` or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleRow {
    pub rule: Rule,
    pub jurisdiction: Jurisdiction,
    pub from: Date,
    pub keys_on: KeysOn,
    pub applies: bool,
    /// The instrument, for messages.
    pub basis: &'static str,
    pub confidence: Confidence,
    /// Why the row says what it says, and why it keys on its date.
    pub why: &'static str,
}

const fn d(y: u16, m: u8, day: u8) -> Date {
    match Date::new_const(y, m, day) {
        Ok(x) => x,
        Err(()) => panic!("bad rule date"),
    }
}

const ND123: &str = "Nghị định 123/2020/NĐ-CP, Thông tư 78/2021/TT-BTC";
const ND70: &str = "Nghị định 70/2025/NĐ-CP, Thông tư 32/2025/TT-BTC";
const ERA: Date = d(1900, 1, 1);
const JUNE_2025: Date = d(2025, 6, 1);

/// The table, oldest row first per rule.
pub const CORRECTION_RULES: &[RuleRow] = &[
    RuleRow {
        rule: Rule::Cancellation,
        jurisdiction: Jurisdiction::Vn,
        from: ERA,
        keys_on: KeysOn::OriginalIssueDate,
        applies: true,
        basis: ND123,
        confidence: Confidence::M,
        why: "Decree 123 Art. 19 / Circular 78 Art. 7 let the seller cancel a wrong invoice with a \
              04/SS (TCTBao 1); keyed on the original's date because the handling belongs to the \
              regime the invoice was issued under.",
    },
    RuleRow {
        rule: Rule::Cancellation,
        jurisdiction: Jurisdiction::Vn,
        from: JUNE_2025,
        keys_on: KeysOn::OriginalIssueDate,
        applies: false,
        basis: ND70,
        confidence: Confidence::M,
        why: "Decree 70/2025 removed cancellation as a way to handle a wrong invoice: only \
              notice, adjustment or replacement (reference §4.3).",
    },
    RuleRow {
        rule: Rule::NoticeForCorrection,
        jurisdiction: Jurisdiction::Vn,
        from: ERA,
        keys_on: KeysOn::CorrectionDate,
        applies: true,
        basis: ND123,
        confidence: Confidence::L,
        why: "Decided: under Circular 78 providers declared each replacement/adjustment on a \
              04/SS (TCTBao 3/2); required here for corrections dated before 1 June 2025. \
              Keyed on the correction's date: it is part of the procedure.",
    },
    RuleRow {
        rule: Rule::NoticeForCorrection,
        jurisdiction: Jurisdiction::Vn,
        from: JUNE_2025,
        keys_on: KeysOn::CorrectionDate,
        applies: false,
        basis: ND70,
        confidence: Confidence::L,
        why: "Decided: from Decree 70 the correction invoice itself declares what it corrects \
              (TTHDLQuan, \"Thay thế/Điều chỉnh cho hóa đơn …\"); a 04/SS remains the seller's \
              choice or the answer to the authority's 01/TB-RSĐT.",
    },
    RuleRow {
        rule: Rule::BuyerAgreement,
        jurisdiction: Jurisdiction::Vn,
        from: ERA,
        keys_on: KeysOn::CorrectionDate,
        applies: true,
        basis: ND123,
        confidence: Confidence::M,
        why: "A written agreement with a business buyer comes before an adjustment or a \
              replacement (reference §4.2); an individual buyer is informed.",
    },
    RuleRow {
        rule: Rule::SeveralInvoices,
        jurisdiction: Jurisdiction::Vn,
        from: ERA,
        keys_on: KeysOn::CorrectionDate,
        applies: false,
        basis: ND123,
        confidence: Confidence::M,
        why: "Before Decree 70 one correction invoice corrected one invoice.",
    },
    RuleRow {
        rule: Rule::SeveralInvoices,
        jurisdiction: Jurisdiction::Vn,
        from: JUNE_2025,
        keys_on: KeysOn::CorrectionDate,
        applies: true,
        basis: ND70,
        confidence: Confidence::M,
        why: "One adjustment or replacement may cover several invoices of the same buyer in the \
              same month, listed on 01/BK-ĐCTT (reference §4.3). Keyed on the correction's date.",
    },
    RuleRow {
        rule: Rule::ReplacementOnlyForCashRegister,
        jurisdiction: Jurisdiction::Vn,
        from: ERA,
        keys_on: KeysOn::CorrectionDate,
        applies: false,
        basis: ND123,
        confidence: Confidence::L,
        why: "No such restriction is known before Decree 70.",
    },
    RuleRow {
        rule: Rule::ReplacementOnlyForCashRegister,
        jurisdiction: Jurisdiction::Vn,
        from: JUNE_2025,
        keys_on: KeysOn::CorrectionDate,
        applies: true,
        basis: ND70,
        confidence: Confidence::L,
        why: "Reported (reference §4.3, L): cash-register invoices (symbol letter M) can only be \
              replaced.",
    },
    RuleRow {
        rule: Rule::RedLetterConfirmation,
        jurisdiction: Jurisdiction::Cn,
        from: ERA,
        keys_on: KeysOn::CorrectionDate,
        applies: true,
        basis: "数电发票 红字发票信息确认单",
        confidence: Confidence::H,
        why: "A fully-digitised invoice is reversed only by a red (negative) invoice issued once \
              the confirmation form is confirmed or needs no confirmation (reference §6.2).",
    },
];

/// The row in force for `rule`: looked up by the original's issue date or the correction's
/// date, as the rule keys on.
pub fn rule_at(
    rule: Rule,
    jurisdiction: Jurisdiction,
    original: Date,
    correction: Date,
) -> RuleRow {
    let rows = CORRECTION_RULES
        .iter()
        .filter(|r| r.rule == rule && r.jurisdiction == jurisdiction);
    let mut found = None;
    for r in rows {
        let date = match r.keys_on {
            KeysOn::OriginalIssueDate => original,
            KeysOn::CorrectionDate => correction,
        };
        if r.from <= date {
            found = Some(*r);
        }
    }
    found.unwrap_or(RuleRow {
        rule,
        jurisdiction,
        from: ERA,
        keys_on: KeysOn::CorrectionDate,
        applies: false,
        basis: "",
        confidence: Confidence::K,
        why: "no row: the rule does not exist in this jurisdiction",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn rows_are_ordered_per_rule_and_key_on_one_date() {
        for (i, a) in CORRECTION_RULES.iter().enumerate() {
            for b in &CORRECTION_RULES[i + 1..] {
                if a.rule == b.rule && a.jurisdiction == b.jurisdiction {
                    assert!(a.from < b.from, "{:?}", a.rule);
                    assert_eq!(a.keys_on, b.keys_on, "{:?}", a.rule);
                }
            }
        }
    }

    #[test]
    fn cancellation_keys_on_the_original_and_ends_with_decree_70() {
        let late = at("2026-01-10");
        let r = |orig: &str| rule_at(Rule::Cancellation, Jurisdiction::Vn, at(orig), late);
        assert!(r("2025-05-31").applies);
        assert!(!r("2025-06-01").applies);
        assert!(r("2025-06-01").basis.contains("70/2025"));
    }

    #[test]
    fn procedure_rules_key_on_the_correction_date() {
        let orig = at("2025-01-10");
        let several = |c: &str| rule_at(Rule::SeveralInvoices, Jurisdiction::Vn, orig, at(c));
        assert!(!several("2025-05-31").applies && several("2025-06-01").applies);
        let notice = |c: &str| rule_at(Rule::NoticeForCorrection, Jurisdiction::Vn, orig, at(c));
        assert!(notice("2025-05-31").applies && !notice("2025-06-01").applies);
        let red = rule_at(Rule::RedLetterConfirmation, Jurisdiction::Cn, orig, orig);
        assert!(red.applies);
        assert!(!rule_at(Rule::RedLetterConfirmation, Jurisdiction::Vn, orig, orig).applies);
    }
}
