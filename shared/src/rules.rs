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
    /// Which symbol letters go with which forms (vn-einvoice §2.1, §2.2). A form without a row
    /// takes any letter in force.
    pub form_letters: &'static [FormLetters],
}

/// The symbol letters a form goes with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormLetters {
    pub form: u8,
    pub letters: &'static str,
    /// The letters belong to this form alone, so no other form may use them: N/B are the
    /// delivery notes of form 6, X the e-commerce invoices of form 7. D (public assets, national
    /// reserve) is *also* used by other forms for special invoices, so its rows are not exclusive.
    pub exclusive: bool,
}

impl RuleSet {
    /// Whether symbol letter `letter` goes with form `form` under these rules.
    pub fn letter_fits_form(&self, form: u8, letter: char) -> bool {
        self.form_letters.iter().all(|r| {
            if r.form == form {
                r.letters.contains(letter)
            } else {
                !(r.exclusive && r.letters.contains(letter))
            }
        })
    }
}

/// A period in which a dated rate applies, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatePeriod {
    pub from: Date,
    pub to: Date,
    /// The instrument that set it, for messages.
    pub basis: &'static str,
}

/// The periods of the reduced 8 % VAT rate (10 % → 8 %).
///
/// From the reference (vn-einvoice §2.4): 1/2/2022–31/12/2022, Nghị định 15/2022/NĐ-CP (value H,
/// dates K), "later extended", and (confidence L) a Decree 174/2025 "until 31/12/2026".
///
/// **Decided (owner's call, low confidence)**: the extensions are encoded with the periods the
/// decrees are generally known to set — 44/2023 (2nd half of 2023), 94/2023 (1st half of 2024),
/// 72/2024 (2nd half of 2024), 180/2024 (1st half of 2025), 174/2025 (1/7/2025–31/12/2026) — so
/// that an ordinary invoice of those periods does not carry a spurious warning. Because the dates
/// come from outside the reference, an 8 % line outside every period is only a **warning**,
/// never an error; correct a row here (with its decree) when a source says otherwise. The
/// reduction also excludes some goods (telecoms, banking, real estate, …): not modelled; the
/// seller chooses the rate per line.
pub const REDUCED_VAT_PERIODS: &[RatePeriod] = &[
    RatePeriod {
        from: d(2022, 2, 1),
        to: d(2022, 12, 31),
        basis: "Nghị định 15/2022/NĐ-CP",
    },
    RatePeriod {
        from: d(2023, 7, 1),
        to: d(2023, 12, 31),
        basis: "Nghị định 44/2023/NĐ-CP",
    },
    RatePeriod {
        from: d(2024, 1, 1),
        to: d(2024, 6, 30),
        basis: "Nghị định 94/2023/NĐ-CP",
    },
    RatePeriod {
        from: d(2024, 7, 1),
        to: d(2024, 12, 31),
        basis: "Nghị định 72/2024/NĐ-CP",
    },
    RatePeriod {
        from: d(2025, 1, 1),
        to: d(2025, 6, 30),
        basis: "Nghị định 180/2024/NĐ-CP",
    },
    RatePeriod {
        from: d(2025, 7, 1),
        to: d(2026, 12, 31),
        basis: "Nghị định 174/2025/NĐ-CP",
    },
];

/// Whether the reduced 8 % rate is in force on `date` by the known periods.
pub fn reduced_vat_in_force(date: Date) -> bool {
    REDUCED_VAT_PERIODS
        .iter()
        .any(|p| p.from <= date && date <= p.to)
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
        form_letters: TT78_FORM_LETTERS,
    },
    RuleSet {
        from: d(2025, 6, 1),
        basis: "Nghị định 70/2025/NĐ-CP, Thông tư 32/2025/TT-BTC",
        symbol_letters: "TDLMNBGHX",
        max_form: 9,
        form_letters: &[
            TT78_FORM_LETTERS[0],
            TT78_FORM_LETTERS[1],
            TT78_FORM_LETTERS[2],
            FormLetters {
                form: 7,
                letters: "X",
                exclusive: true,
            },
        ],
    },
];

/// Circular 78/2021 Art. 4: delivery notes (form 6) are N/B; public-asset and national-reserve
/// sales (forms 3 and 4) are D.
const TT78_FORM_LETTERS: &[FormLetters] = &[
    FormLetters {
        form: 6,
        letters: "NB",
        exclusive: true,
    },
    FormLetters {
        form: 3,
        letters: "D",
        exclusive: false,
    },
    FormLetters {
        form: 4,
        letters: "D",
        exclusive: false,
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
        for p in REDUCED_VAT_PERIODS {
            assert!(p.from <= p.to);
            for end in [p.from, p.to] {
                assert!(end.to_string().parse::<Date>().is_ok());
            }
        }
    }

    #[test]
    fn forms_and_letters_pair_as_the_rule_set_of_the_date_says() {
        let old = rules_at("2025-05-31".parse().unwrap());
        let new = rules_at("2025-06-01".parse().unwrap());
        for r in [old, new] {
            assert!(r.letter_fits_form(6, 'N') && r.letter_fits_form(6, 'B'));
            assert!(!r.letter_fits_form(6, 'T') && !r.letter_fits_form(1, 'N'));
            assert!(r.letter_fits_form(3, 'D') && !r.letter_fits_form(4, 'T'));
            assert!(r.letter_fits_form(1, 'D') && r.letter_fits_form(1, 'T'));
        }
        // Form 7 and letter X pair only once Decree 70/2025 is in force.
        assert!(new.letter_fits_form(7, 'X'));
        assert!(!new.letter_fits_form(7, 'T') && !new.letter_fits_form(1, 'X'));
        assert!(old.letter_fits_form(7, 'T'));
    }

    #[test]
    fn the_reduced_rate_is_in_force_in_its_known_period_only() {
        let on = |s: &str| reduced_vat_in_force(s.parse().unwrap());
        assert!(on("2022-02-01") && on("2022-12-31"));
        assert!(!on("2022-01-31") && !on("2023-01-01"));
    }
}
