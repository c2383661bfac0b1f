//! The recovery sweep: signs every invoice left numbered (a crash or a signer outage between
//! numbering and signing). Run at start-up and periodically (locally every 30 s; on AWS at cold
//! start and on an EventBridge schedule). One invoice that cannot be signed does not stop the
//! others: its failure is recorded on it (`attention`, shown on the home screen) and the sweep
//! goes on.

use super::{Services, Status, load, signing};
use crate::error::ApiError;
use crate::store::TenantStore;

/// What one pass did (also logged as the `sweep.pass` event).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub signed: usize,
    /// Left numbered, each with its reason recorded.
    pub failed: usize,
    /// Numbered invoices still unsigned after the pass (the backlog the stack alarms on).
    pub pending: usize,
}

impl std::fmt::Display for SweepReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "signed {} invoice(s) left numbered; {} still failing (recorded on each)",
            self.signed, self.failed
        )
    }
}

const ACTOR: &str = "recovery-sweep";

pub async fn sweep(svc: &Services, ts: &TenantStore) -> Result<SweepReport, ApiError> {
    let mut report = SweepReport::default();
    let mut cursor = None;
    loop {
        let page = ts.query("PENDING", "", cursor.as_deref(), 100).await?;
        for item in &page.items {
            let id = &item.key.sk;
            let (rec, version) = match load(ts, id).await {
                Ok(r) => r,
                Err(ApiError::NotFound) => continue,
                // One unreadable invoice does not stop the pass for the others.
                Err(e) => {
                    report.failed += 1;
                    tracing::warn!(event = "sweep.error", tenant = ts.tenant(), invoice_id = %id, error = %e);
                    continue;
                }
            };
            if rec.status != Status::Numbered {
                continue;
            }
            match signing::sign_or_flag(svc, ts, rec, version, ACTOR).await {
                Ok(_) => report.signed += 1,
                // Logged (`invoice.signing_failed`) and recorded on the invoice by
                // `sign_or_flag`.
                Err(_) => report.failed += 1,
            }
        }
        match page.next {
            Some(n) => cursor = Some(n),
            None => {
                report.pending = report.failed;
                // Orders whose automatic invoice a stopped process left unmade (#19).
                if let Err(e) = crate::orders::resume(svc, ts).await {
                    tracing::warn!(event = "sweep.orders_error", tenant = ts.tenant(), error = %e);
                }
                crate::telemetry::sweep_pass(
                    ts.tenant(),
                    report.signed,
                    report.failed,
                    report.pending,
                );
                return Ok(report);
            }
        }
    }
}
