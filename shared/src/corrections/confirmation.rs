//! The counterparty's confirmation of a correction: Vietnam's written buyer agreement and
//! China's red-letter confirmation form (红字发票信息确认单) are one entity with one state
//! machine; what differs (who may enter it, whether it is needed) is a rule row.
//!
//! ```text
//!  entered by the seller ──► AwaitingBuyer ──buyer confirms (link) / seller records the signed document──► Confirmed
//!  entered by the buyer  ──► AwaitingSeller ──seller confirms──► Confirmed
//!  not needed (rule row, e.g. an individual buyer) ──► NotNeeded
//!  AwaitingBuyer | AwaitingSeller | Confirmed ──the side that entered it revokes──► Revoked
//! ```
//! The correction (the negative red invoice, the Vietnamese adjustment or replacement) issues
//! only from `Confirmed` or `NotNeeded`. The red-letter form's partial scope lists the original's
//! lines in the original's order.

use super::Refused;
use serde::{Deserialize, Serialize};

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Seller,
    Buyer,
}

/// Where a confirmation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConfirmationState {
    /// Entered by the seller; the buyer has not confirmed (红字确认单 02).
    AwaitingBuyer,
    /// Entered by the buyer; the seller has not confirmed (03).
    AwaitingSeller,
    /// Both sides agree (04), or the seller recorded the buyer's signed agreement.
    Confirmed,
    /// The rules need no confirmation (01).
    NotNeeded,
    /// Withdrawn by the side that entered it.
    Revoked,
}

/// What can happen to a confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmationEvent {
    /// The side confirms (the buyer through the link; the seller in the app).
    Confirm(Side),
    /// The seller records the buyer's signed agreement (an uploaded document).
    RecordDocument,
    /// The side withdraws it.
    Revoke(Side),
}

fn refused(code: &'static str, vi: &str, en: &str) -> Refused {
    Refused {
        code,
        message_vi: vi.into(),
        message_en: en.into(),
    }
}

impl ConfirmationState {
    /// The state a confirmation starts in, entered by `by`; `needed` comes from the rule row.
    pub fn entered(by: Side, needed: bool) -> Self {
        match (needed, by) {
            (false, _) => ConfirmationState::NotNeeded,
            (true, Side::Seller) => ConfirmationState::AwaitingBuyer,
            (true, Side::Buyer) => ConfirmationState::AwaitingSeller,
        }
    }

    /// The state after `event` on a confirmation entered by `entered_by`, or why not.
    pub fn apply(
        self,
        event: ConfirmationEvent,
        entered_by: Side,
    ) -> Result<ConfirmationState, Refused> {
        use ConfirmationEvent as E;
        use ConfirmationState as S;
        match (self, event) {
            (S::AwaitingBuyer, E::Confirm(Side::Buyer) | E::RecordDocument) => Ok(S::Confirmed),
            (S::AwaitingSeller, E::Confirm(Side::Seller)) => Ok(S::Confirmed),
            (S::AwaitingBuyer | S::AwaitingSeller, E::Confirm(_) | E::RecordDocument) => {
                Err(refused(
                    "confirmation.wrong_side",
                    "Bên đã lập đề nghị không tự xác nhận thay bên kia được.",
                    "The side that entered the request cannot confirm it for the other side.",
                ))
            }
            (S::AwaitingBuyer | S::AwaitingSeller | S::Confirmed, E::Revoke(side)) => {
                if side == entered_by {
                    Ok(S::Revoked)
                } else {
                    Err(refused(
                        "confirmation.not_initiator",
                        "Chỉ bên đã lập đề nghị mới thu hồi được.",
                        "Only the side that entered it can revoke it.",
                    ))
                }
            }
            (S::Confirmed, _) => Err(refused(
                "confirmation.confirmed",
                "Đã được xác nhận.",
                "It is confirmed already.",
            )),
            (S::NotNeeded, _) => Err(refused(
                "confirmation.not_needed",
                "Không cần xác nhận.",
                "No confirmation is needed.",
            )),
            (S::Revoked, _) => Err(refused(
                "confirmation.revoked",
                "Đề nghị đã bị thu hồi; hãy lập đề nghị mới.",
                "It was revoked; enter a new one.",
            )),
        }
    }

    /// Whether the correction may be issued.
    pub fn allows_issue(self) -> bool {
        matches!(
            self,
            ConfirmationState::Confirmed | ConfirmationState::NotNeeded
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ConfirmationState::AwaitingBuyer => "awaiting_buyer",
            ConfirmationState::AwaitingSeller => "awaiting_seller",
            ConfirmationState::Confirmed => "confirmed",
            ConfirmationState::NotNeeded => "not_needed",
            ConfirmationState::Revoked => "revoked",
        }
    }
}

/// A partial red-letter reversal names the original's lines (0-based) in the original's order,
/// each once.
pub fn check_partial_lines(lines: &[u32], original_lines: usize) -> Result<(), Refused> {
    if lines.is_empty() {
        return Err(refused(
            "confirmation.lines",
            "Xác nhận một phần phải nêu ít nhất một dòng.",
            "A partial confirmation names at least one line.",
        ));
    }
    let in_order = lines.windows(2).all(|w| w[0] < w[1]);
    let in_range = lines.iter().all(|&l| (l as usize) < original_lines);
    if !in_order || !in_range {
        return Err(refused(
            "confirmation.lines",
            "Các dòng phải là dòng của hóa đơn gốc, theo đúng thứ tự trên hóa đơn gốc, mỗi dòng một lần.",
            "Lines must be the original's, in the original's order, each once.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConfirmationEvent as E;
    use ConfirmationState as S;

    #[test]
    fn either_side_enters_and_the_other_confirms() {
        let s = S::entered(Side::Seller, true);
        assert_eq!(s, S::AwaitingBuyer);
        assert!(!s.allows_issue());
        assert_eq!(
            s.apply(E::Confirm(Side::Seller), Side::Seller)
                .unwrap_err()
                .code,
            "confirmation.wrong_side"
        );
        assert_eq!(
            s.apply(E::Confirm(Side::Buyer), Side::Seller),
            Ok(S::Confirmed)
        );
        assert_eq!(s.apply(E::RecordDocument, Side::Seller), Ok(S::Confirmed));
        let b = S::entered(Side::Buyer, true);
        assert_eq!(b, S::AwaitingSeller);
        assert_eq!(
            b.apply(E::Confirm(Side::Seller), Side::Buyer),
            Ok(S::Confirmed)
        );
        assert!(S::Confirmed.allows_issue() && S::NotNeeded.allows_issue());
        assert_eq!(S::entered(Side::Seller, false), S::NotNeeded);
    }

    #[test]
    fn only_the_initiator_revokes_and_revoked_is_final() {
        let s = S::AwaitingBuyer;
        assert_eq!(
            s.apply(E::Revoke(Side::Buyer), Side::Seller)
                .unwrap_err()
                .code,
            "confirmation.not_initiator"
        );
        assert_eq!(
            s.apply(E::Revoke(Side::Seller), Side::Seller),
            Ok(S::Revoked)
        );
        assert_eq!(
            S::Confirmed.apply(E::Revoke(Side::Seller), Side::Seller),
            Ok(S::Revoked)
        );
        assert!(!S::Revoked.allows_issue());
        assert_eq!(
            S::Revoked
                .apply(E::Confirm(Side::Buyer), Side::Seller)
                .unwrap_err()
                .code,
            "confirmation.revoked"
        );
    }

    #[test]
    fn partial_lines_follow_the_original_order() {
        assert!(check_partial_lines(&[0, 2], 3).is_ok());
        assert!(check_partial_lines(&[2, 0], 3).is_err());
        assert!(check_partial_lines(&[1, 1], 3).is_err());
        assert!(check_partial_lines(&[3], 3).is_err());
        assert!(check_partial_lines(&[], 3).is_err());
    }
}
