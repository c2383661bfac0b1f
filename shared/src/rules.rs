//! Legal rules that change with time, as data with effective dates.
//!
//! The reference (vn-einvoice §2.1, §2.2, §4.3) shows the rules moving: Decree 70/2025 added
//! forms 7–9 and symbol letter `X` from 1 June 2025. New regimes are new rows here, never `if`s
//! scattered through the code. Every rule is looked up by the invoice's issue date.

use crate::date::Date;

/// The rules in force from `from` until the next row's `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleSet {
    pub from: Date,
    /// Name of the instrument that set these rules, for messages.
    pub basis: &'static str,
    /// Letters allowed in position 4 of the symbol (`KHHDon`).
    pub symbol_letters: &'static str,
    /// Highest form number (`KHMSHDon`) in use.
    pub max_form: u8,
}

const fn d(y: u16, m: u8, day: u8) -> Date {
    match Date::new_const(y, m, day) {
        Ok(x) => x,
        Err(()) => panic!("bad rule date"),
    }
}

impl Date {
    /// `const` twin of [`Date::new`] for the rule table.
    pub(crate) const fn new_const(year: u16, month: u8, day: u8) -> Result<Date, ()> {
        // Table dates are literals checked by the tests below; only the shape is checked here.
        if month == 0 || month > 12 || day == 0 || day > 31 {
            return Err(());
        }
        Ok(Date::from_parts(year, month, day))
    }
}

/// Oldest first.
pub const RULE_SETS: &[RuleSet] = &[
    RuleSet {
        from: d(1900, 1, 1),
        basis: "Nghị định 123/2020/NĐ-CP, Thông tư 78/2021/TT-BTC",
        symbol_letters: "TDLMNBGH",
        max_form: 6,
    },
    RuleSet {
        from: d(2025, 6, 1),
        basis: "Nghị định 70/2025/NĐ-CP, Thông tư 32/2025/TT-BTC",
        symbol_letters: "TDLMNBGHX",
        max_form: 9,
    },
];

/// The rules in force on `date`.
pub fn rules_at(date: Date) -> &'static RuleSet {
    RULE_SETS
        .iter()
        .rev()
        .find(|r| r.from <= date)
        .unwrap_or(&RULE_SETS[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letter_x_and_forms_7_to_9_start_on_1_june_2025() {
        let before = rules_at("2025-05-31".parse().unwrap());
        let after = rules_at("2025-06-01".parse().unwrap());
        assert!(!before.symbol_letters.contains('X'));
        assert_eq!(before.max_form, 6);
        assert!(after.symbol_letters.contains('X'));
        assert_eq!(after.max_form, 9);
    }

    #[test]
    fn table_dates_are_real_dates_in_order() {
        for w in RULE_SETS.windows(2) {
            assert!(w[0].from < w[1].from);
        }
        for r in RULE_SETS {
            assert!(r.from.to_string().parse::<Date>().is_ok());
        }
    }
}
