//! The invoice's life as one state machine: its states, the events that move it, and the only
//! function that decides whether a move is allowed.
//!
//! The API persists and orchestrates; it never decides a transition by itself — it asks
//! [`Status::apply`], and the app asks the same function to know which buttons to show. The
//! coming features (token signing, the tax authority's code, corrections) add states and events
//! here, so every rule about *when* something may happen lives in one table.
//!
//! ```text
//!  Draft ──Edit──► Draft
//!  Draft ──Number──► Numbered ──Sign──► Signed
//! ```
//! A number is taken only by `Number` (after everything that can fail without the key was
//! tried); `Sign` completes the one signed file of that number. Nothing moves backwards: an
//! issued invoice is corrected by another invoice, never edited.

use serde::{Deserialize, Serialize};

/// Where an invoice is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Editable; no number.
    Draft,
    /// Has its number and its signing time; the signature is pending (the sweep completes it).
    Numbered,
    /// Signed by the seller: the one signed file of its number exists.
    Signed,
}

/// What can happen to an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// A new version of the draft's content.
    Edit,
    /// The series gives the invoice its number.
    Number,
    /// The seller's signature is attached.
    Sign,
}

/// Why a transition is refused: a stable code and messages in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Refusal {
    pub code: &'static str,
    pub message_vi: &'static str,
    pub message_en: &'static str,
}

const NOT_EDITABLE: Refusal = Refusal {
    code: "invoice_not_editable",
    message_vi: "Hóa đơn đã được cấp số, không sửa được nữa; hãy lập hóa đơn điều chỉnh hoặc thay thế.",
    message_en: "The invoice is issued and can no longer be edited; correct it with another invoice.",
};
const ALREADY_NUMBERED: Refusal = Refusal {
    code: "already_numbered",
    message_vi: "Hóa đơn đã có số.",
    message_en: "The invoice already has its number.",
};
const NOT_NUMBERED: Refusal = Refusal {
    code: "not_numbered",
    message_vi: "Hóa đơn chưa được cấp số nên chưa ký được.",
    message_en: "The invoice has no number yet, so it cannot be signed.",
};
const ALREADY_SIGNED: Refusal = Refusal {
    code: "already_signed",
    message_vi: "Hóa đơn đã được ký.",
    message_en: "The invoice is already signed.",
};

impl Status {
    /// The state after `event`, or why it may not happen. The one transition table.
    pub fn apply(self, event: Event) -> Result<Status, Refusal> {
        use Event as E;
        use Status as S;
        match (self, event) {
            (S::Draft, E::Edit) => Ok(S::Draft),
            (S::Draft, E::Number) => Ok(S::Numbered),
            (S::Numbered, E::Sign) => Ok(S::Signed),
            (S::Numbered | S::Signed, E::Edit) => Err(NOT_EDITABLE),
            (S::Numbered | S::Signed, E::Number) => Err(ALREADY_NUMBERED),
            (S::Draft, E::Sign) => Err(NOT_NUMBERED),
            (S::Signed, E::Sign) => Err(ALREADY_SIGNED),
        }
    }

    /// Whether `event` may happen now (what the app uses to enable a button).
    pub fn allows(self, event: Event) -> bool {
        self.apply(event).is_ok()
    }

    /// Whether the invoice carries a number (and so can never be deleted or renumbered).
    pub fn is_issued(self) -> bool {
        !matches!(self, Status::Draft)
    }

    /// Every state, for filters and counts.
    pub const ALL: [Status; 3] = [Status::Draft, Status::Numbered, Status::Signed];

    /// The wire name (`draft`, `numbered`, `signed`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Numbered => "numbered",
            Status::Signed => "signed",
        }
    }
}

/// What issuing has left to do for an invoice in `status`: the API's issue path reads this
/// instead of matching states itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueStep {
    /// Validate, then take a number.
    Number,
    /// Numbered already (a retry, or the sweep): sign it.
    Sign,
    /// Nothing: it is signed.
    Done,
}

impl Status {
    pub fn issue_step(self) -> IssueStep {
        if self.allows(Event::Number) {
            IssueStep::Number
        } else if self.allows(Event::Sign) {
            IssueStep::Sign
        } else {
            IssueStep::Done
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENTS: [Event; 3] = [Event::Edit, Event::Number, Event::Sign];

    #[test]
    fn the_only_path_is_draft_numbered_signed() {
        assert_eq!(Status::Draft.apply(Event::Number), Ok(Status::Numbered));
        assert_eq!(Status::Numbered.apply(Event::Sign), Ok(Status::Signed));
        assert_eq!(Status::Draft.apply(Event::Edit), Ok(Status::Draft));
        assert_eq!(
            Status::Signed.apply(Event::Edit).unwrap_err().code,
            "invoice_not_editable"
        );
    }

    #[test]
    fn nothing_moves_backwards_or_skips_a_step() {
        let rank = |s: Status| Status::ALL.iter().position(|x| *x == s).unwrap();
        for s in Status::ALL {
            for e in EVENTS {
                if let Ok(n) = s.apply(e) {
                    assert!(rank(n) == rank(s) || rank(n) == rank(s) + 1, "{s:?} {e:?}");
                }
            }
        }
    }

    #[test]
    fn issue_steps() {
        assert_eq!(Status::Draft.issue_step(), IssueStep::Number);
        assert_eq!(Status::Numbered.issue_step(), IssueStep::Sign);
        assert_eq!(Status::Signed.issue_step(), IssueStep::Done);
    }

    #[test]
    fn wire_names_match_serde() {
        for s in Status::ALL {
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
    }
}
