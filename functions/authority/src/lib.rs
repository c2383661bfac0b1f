//! The tax authority, as hoadon sees it: a **port** that takes a `TDiep` message (its exact
//! bytes) and gives back the replies to it, matched by `MTDTChieu` = the message's `MTDiep`.
//!
//! hoadon never talks to the GDT directly: a licensed T-VAN carries the messages. The port is
//! the smallest thing every T-VAN offers — send one message, read the replies to a message —
//! and it is all the outbox needs, including its **look-up before resending**: after a timeout
//! hoadon asks for the replies to the same `MTDiep` and resends (the same bytes, the same
//! `MTDiep`) only if the other side has never seen it.
//!
//! Adapters: the local simulator of the authority (`simulator`, in-process or over HTTP) and
//! the T-VAN HTTP adapter (`tvan`).

pub mod simulator;
pub mod tvan;

pub use simulator::{Simulator, SimulatorConfig};
pub use tvan::{TvanClient, TvanConfig};

use async_trait::async_trait;

/// Why a call to the authority did not give an answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorityError {
    /// Not reached: nothing was delivered (connection refused, 503, DNS). Retry later.
    #[error("the tax authority (T-VAN) could not be reached: {0}")]
    Unavailable(String),
    /// Sent, but no answer came: it may or may not have been received. Look up before resending.
    #[error("no answer from the tax authority (T-VAN) in time: {0}")]
    Timeout(String),
    /// Refused as such by the transport (credentials, malformed request): sending the same
    /// bytes again will not help; a person must look.
    #[error("the T-VAN refused the request: {0}")]
    Refused(String),
}

impl AuthorityError {
    /// Whether the message may have been received (so the next attempt must look up first).
    pub fn maybe_received(&self) -> bool {
        matches!(self, AuthorityError::Timeout(_))
    }
}

/// The port.
#[async_trait]
pub trait TaxAuthority: Send + Sync {
    /// Sends one `TDiep` (its exact bytes). Returns the replies the other side gave at once
    /// (a T-VAN answers the technical acknowledgement, 999, synchronously; may be empty).
    async fn submit(&self, message: &[u8]) -> Result<Vec<String>, AuthorityError>;

    /// Every reply so far to the message whose `MTDiep` is `message_id`, oldest first.
    /// Empty means the other side has no trace of that message.
    async fn replies(&self, message_id: &str) -> Result<Vec<String>, AuthorityError>;

    /// Whether this is a test authority (the local simulator): what it codes is test data,
    /// marked so on every screen and document, and a production configuration refuses it.
    fn is_test(&self) -> bool;
}
