//! Automatic issuing: the tenant's rule (on *confirmed* or *completed*) marks an order in its
//! own transaction (`ORDAUTO / <order id>`); the invoice is then made at once in the
//! background (locally) or by the orders queue's consumer (AWS, one series at a time), and the
//! marker deleted. A process that stops in between leaves the marker to the recovery sweep
//! ([`resume`]). Only an outage keeps the marker; a failure a person must fix is recorded on
//! the order and announced (`invoicing::fail`).

use super::OrderRecord;
use super::invoicing::invoice_order;
use crate::error::ApiError;
use crate::invoices::Services;
use crate::store::{Condition, Op, TenantStore};
use hoadon_core::api::orders::{AutoIssue, InvoiceOrder, OrderSettings};

/// The marker that an order's change asks for an automatic invoice (for that change's
/// transaction), when the tenant's rule is met.
pub(super) fn auto_op(
    ts: &TenantStore,
    cfg: &OrderSettings,
    before: Option<&OrderRecord>,
    after: &OrderRecord,
) -> Option<Op> {
    let trigger = match cfg.auto_issue {
        AutoIssue::Off => return None,
        AutoIssue::Confirmed => after.order.status.invoiceable(),
        AutoIssue::Completed => {
            after.order.status == hoadon_core::api::orders::OrderStatus::Completed
        }
    };
    let already = before.is_some_and(|b| b.order.status == after.order.status);
    (trigger && !already && after.nothing_invoiced()).then(|| Op::Put {
        key: ts.key("ORDAUTO", &after.order_id),
        data: Vec::new(),
        condition: Condition::Always,
    })
}

/// Invoices an order the rules want invoiced (the `ORDAUTO` marker), then clears the marker
/// unless a passing failure (a store or signer outage) leaves it for the next sweep.
pub async fn auto(svc: &Services, ts: &TenantStore, order_id: &str) -> Result<(), ApiError> {
    let outcome = invoice_order(
        svc,
        ts,
        order_id,
        InvoiceOrder::default(),
        "orders (automatic)",
    )
    .await;
    // Only an outage keeps the marker: a made invoice (numbered ones are signed by the
    // invoice sweep) and a failure a person must fix (recorded on the order) are done here.
    let keep = matches!(
        &outcome,
        Err(ApiError::Unavailable(_) | ApiError::Upstream(..) | ApiError::Internal(_))
    );
    if !keep {
        ts.transact(vec![Op::Delete {
            key: ts.key("ORDAUTO", order_id),
            condition: Condition::Always,
        }])
        .await?;
    }
    outcome.map(|_| ())
}

/// The recovery sweep's part: every order still marked for automatic invoicing (a process
/// stopped after the order's change and before its invoice) is invoiced now.
pub async fn resume(svc: &Services, ts: &TenantStore) -> Result<usize, ApiError> {
    let mut n = 0;
    let mut cursor = None;
    loop {
        let page = ts.query("ORDAUTO", "", cursor.as_deref(), 100).await?;
        for item in &page.items {
            let id = item.key.sk.clone();
            if let Err(e) = auto(svc, ts, &id).await {
                tracing::warn!(event = "order.auto_failed", tenant = ts.tenant(), order_id = %id, error = %e);
            }
            n += 1;
        }
        match page.next {
            Some(c) => cursor = Some(c),
            None => return Ok(n),
        }
    }
}
