//! Correcting issued invoices (reference §4, §6.2): an issued invoice is final, and the law says
//! how a wrong one is fixed — a **replacement** (a new invoice with the full corrected content,
//! `TTHDLQuan/TCHDon` = 1), an **adjustment** (a new invoice of differences, `TCHDon` = 2), an
//! **error notice** 04/SS-HĐĐT (explanation), or, in the Decree 123 era, a **cancellation**.
//!
//! - [`rules`]: the dated rule table, each row keyed on the original's issue date or the
//!   correction's date;
//! - [`chain`]: the original's side (its corrections, their progress, its standing);
//! - [`confirmation`]: the buyer's agreement / the red-letter confirmation form;
//! - [`adjust`]: an adjustment's signs and the cumulative figures;
//! - [`red_letter`]: the Chinese red-letter reversal on the same confirmation entity.
//!
//! Like the rest of the core, nothing here reads a clock or a store: the API passes the dates and
//! persists what these functions decide.

pub mod adjust;
pub mod chain;
pub mod confirmation;
pub mod red_letter;
pub mod rules;

pub use chain::{Cancellation, Corrections, Link, LinkState, RuleContext, Standing};
pub use confirmation::{ConfirmationEvent, ConfirmationState, Side};

use crate::date::Date;
use serde::{Deserialize, Serialize};

/// How an issued invoice is corrected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// A new invoice with the full corrected content.
    Replacement,
    /// A new invoice of differences.
    Adjustment,
    /// Cancelled with a 04/SS (Decree 123 era).
    Cancellation,
    /// A 04/SS explaining an error that touches neither tax id nor amounts.
    Explanation,
}

impl Method {
    pub fn label_vi(self) -> &'static str {
        match self {
            Method::Replacement => "thay thế",
            Method::Adjustment => "điều chỉnh",
            Method::Cancellation => "hủy",
            Method::Explanation => "thông báo giải trình",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Method::Replacement => "replacement",
            Method::Adjustment => "adjustment",
            Method::Cancellation => "cancellation",
            Method::Explanation => "explanation",
        }
    }

    /// `TCTBao` of a 04/SS row: 1 cancel, 2 adjust, 3 replace, 4 explain.
    pub fn notice_action(self) -> u8 {
        match self {
            Method::Cancellation => 1,
            Method::Adjustment => 2,
            Method::Replacement => 3,
            Method::Explanation => 4,
        }
    }
}

/// Why an invoice of the Decree 123 era may be cancelled (reference §4.2): the seller states it,
/// and the 04/SS carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CancelGround {
    /// A coded invoice found wrong before it was sent to the buyer.
    NotSentToBuyer,
    /// A service invoiced on prepayment, then cancelled (Circular 78 Art. 7(1)).
    PrepaidServiceCancelled,
}

impl CancelGround {
    pub fn label_vi(self) -> &'static str {
        match self {
            CancelGround::NotSentToBuyer => "Hóa đơn có sai sót, chưa gửi cho người mua",
            CancelGround::PrepaidServiceCancelled => "Dịch vụ thu tiền trước đã bị hủy",
        }
    }
}

/// An adjustment's direction (`TCDChinh`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// No change in value (information only): `TCDChinh` 0.
    Information,
    /// Positive values: 1.
    Increase,
    /// Negative values: 2.
    Decrease,
}

impl Direction {
    pub fn code(self) -> u8 {
        match self {
            Direction::Information => 0,
            Direction::Increase => 1,
            Direction::Decrease => 2,
        }
    }

    pub fn from_code(c: u8) -> Option<Direction> {
        match c {
            0 => Some(Direction::Information),
            1 => Some(Direction::Increase),
            2 => Some(Direction::Decrease),
            _ => None,
        }
    }
}

/// Why a correction step is refused: a stable code and the rule, in Vietnamese and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refused {
    pub code: &'static str,
    pub message_vi: String,
    pub message_en: String,
}

/// The sentence a correction states about the invoice it corrects (Decree 70 wording, reference
/// §4.3): "Thay thế cho hóa đơn Mẫu số 1 ký hiệu C25TAA số 12 ngày 15 tháng 10 năm 2025" —
/// written into `TTHDLQuan/GChu`, before the seller's own reason.
pub fn statement(
    method: Method,
    direction: Option<Direction>,
    form: &str,
    symbol: &str,
    number: &str,
    date: Date,
) -> String {
    let head = match (method, direction) {
        (Method::Replacement, _) => "Thay thế cho",
        (_, Some(Direction::Increase)) => "Điều chỉnh tăng cho",
        (_, Some(Direction::Decrease)) => "Điều chỉnh giảm cho",
        (_, Some(Direction::Information)) => "Điều chỉnh thông tin cho",
        _ => "Điều chỉnh cho",
    };
    format!(
        "{head} hóa đơn Mẫu số {form} ký hiệu {symbol} số {number} ngày {} tháng {} năm {}",
        date.day(),
        date.month(),
        date.year()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statement_names_form_symbol_number_and_date() {
        let d: Date = "2025-10-05".parse().unwrap();
        assert_eq!(
            statement(Method::Replacement, None, "1", "C25TAA", "12", d),
            "Thay thế cho hóa đơn Mẫu số 1 ký hiệu C25TAA số 12 ngày 5 tháng 10 năm 2025"
        );
        assert!(
            statement(
                Method::Adjustment,
                Some(Direction::Decrease),
                "1",
                "C25TAA",
                "12",
                d
            )
            .starts_with("Điều chỉnh giảm cho hóa đơn")
        );
    }
}
