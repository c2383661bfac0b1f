//! The tax authority's screens: the outbox (every message to the authority and its replies,
//! "retry now"), the 01/ĐKTĐ-HĐĐT registration and the 04/SS notices. Rarely opened, by admins
//! and accountants; what an invoice shows of the authority is on its detail screen
//! ([`crate::invoices::authority`]).
//!
//! They are in the module of rarely opened screens, loaded on first use ([`crate::lazy`]).

mod notices;
mod outbox;
mod registration;
pub mod texts;

pub use notices::NoticesScreen;
pub use outbox::OutboxScreen;
pub use registration::RegistrationScreen;

use hoadon_core::api::authority::OutboxState;

/// The label key of a message kind (`MLTDiep`): what is sent and what comes back.
pub fn kind_key(kind: u16) -> &'static str {
    match kind {
        100 => "kind.100",
        102 => "kind.102",
        103 => "kind.103",
        200 => "kind.200",
        202 => "kind.202",
        203 => "kind.203",
        204 => "kind.204",
        300 => "kind.300",
        301 => "kind.301",
        999 => "kind.999",
        _ => "kind.other",
    }
}

pub fn outbox_state_key(s: OutboxState) -> &'static str {
    match s {
        OutboxState::Queued => "outbox.state.queued",
        OutboxState::AwaitingReply => "outbox.state.awaiting_reply",
        OutboxState::Done => "outbox.state.done",
        OutboxState::NeedsAttention => "outbox.state.needs_attention",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use texts::text;

    #[test]
    fn every_kind_and_state_has_words_in_both_languages() {
        let kinds = [100, 102, 103, 200, 202, 203, 204, 300, 301, 999, 1];
        let keys = kinds
            .map(kind_key)
            .into_iter()
            .chain(OutboxState::ALL.map(outbox_state_key));
        for k in keys {
            for lang in [Lang::Vi, Lang::En] {
                assert_ne!(text(lang, k), k, "{k} has no words");
            }
        }
    }
}
