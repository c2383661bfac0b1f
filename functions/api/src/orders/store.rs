//! Orders as the ERP sends them: upsert by the ERP's revision, batches, reads and views.

use super::automatic::{auto, auto_op};
use super::{OrderRecord, load, settings, valid_key_part};
use crate::error::ApiError;
use crate::invoices::{Services, from_item};
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_core::Finding;
use hoadon_core::api::orders::{
    CorrectionProposal, InvoicedQuantity, ItemError, OrderBatch, OrderBatchAnswer,
    OrderBatchResult, OrderInput, OrderInvoiceRef, OrderStatus, OrderView,
};
use hoadon_core::api::{Detail, Page};
use hoadon_core::catalog::error as finding;
use rust_decimal::Decimal;

/// What a `PUT` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Put {
    Created,
    Updated,
    /// The same revision with the same content: a replay, nothing changed.
    Unchanged,
}

/// Longest text of an order (a name, an address): what a catalog entry may hold.
const MAX_TEXT: usize = 500;

/// The order's own rules (the catalog's and the core's apply when it is invoiced): ids, line
/// ids unique, quantities positive, texts XML can carry and of a bounded length.
fn check(input: &OrderInput) -> Vec<Finding> {
    let mut out = Vec::new();
    if input.lines.is_empty() || input.lines.len() > 500 {
        out.push(finding(
            "order.lines",
            "lines".into(),
            "Đơn hàng có từ 1 đến 500 dòng.".into(),
            "An order has 1 to 500 lines.".into(),
        ));
    }
    if !valid_key_part(&input.customer.code, 50) {
        out.push(code_finding("customer.code"));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, l) in input.lines.iter().enumerate() {
        if !valid_key_part(&l.line_id, 40) {
            out.push(code_finding(&format!("lines[{i}].line_id")));
        } else if !seen.insert(l.line_id.as_str()) {
            out.push(finding(
                "order.line_id",
                format!("lines[{i}].line_id"),
                format!("Mã dòng {} bị lặp.", l.line_id),
                format!("Line id {} appears twice.", l.line_id),
            ));
        }
        if !valid_key_part(&l.product_code, 50) {
            out.push(code_finding(&format!("lines[{i}].product_code")));
        }
        if l.quantity <= Decimal::ZERO {
            out.push(finding(
                "order.quantity",
                format!("lines[{i}].quantity"),
                "Số lượng phải lớn hơn 0.".into(),
                "The quantity must be more than 0.".into(),
            ));
        }
    }
    let c = &input.customer;
    let mut texts: Vec<(String, &str)> = [
        ("customer.name", &c.name),
        ("customer.tax_id", &c.tax_id),
        ("customer.address", &c.address),
        ("customer.email", &c.email),
        ("customer.contact_name", &c.contact_name),
        ("currency", &input.currency),
        ("payment_method", &input.payment_method),
        ("note", &input.note),
        ("order_date", &input.order_date),
    ]
    .into_iter()
    .filter_map(|(p, v)| v.as_deref().map(|v| (p.to_owned(), v)))
    .collect();
    for (i, l) in input.lines.iter().enumerate() {
        for (f, v) in [
            ("name", &l.name),
            ("unit", &l.unit),
            ("tax_rate", &l.tax_rate),
        ] {
            if let Some(v) = v.as_deref() {
                texts.push((format!("lines[{i}].{f}"), v));
            }
        }
    }
    for (path, v) in texts {
        if let Err(ch) = hoadon_core::xml::xml_text_ok(v) {
            out.push(hoadon_core::validate::xml_char_finding(path, ch));
        } else if v.chars().count() > MAX_TEXT {
            out.push(finding(
                "order.text",
                path,
                format!("Tối đa {MAX_TEXT} ký tự."),
                format!("At most {MAX_TEXT} characters."),
            ));
        }
    }
    if let Some(d) = &input.order_date
        && d.parse::<hoadon_core::Date>().is_err()
    {
        out.push(finding(
            "order.date",
            "order_date".into(),
            "Ngày dạng YYYY-MM-DD.".into(),
            "A date is YYYY-MM-DD.".into(),
        ));
    }
    out
}

fn code_finding(path: &str) -> Finding {
    finding(
        "order.code",
        path.into(),
        "Mã gồm 1–50 chữ, số, '-', '_', '.' hoặc ':'.".into(),
        "A code is 1–50 letters, digits, '-', '_', '.' or ':'.".into(),
    )
}

/// `PUT /api/orders/{order_id}`: stores the ERP's order if its revision is newer (or it is new),
/// answers a replay of the same revision as unchanged, refuses an older one or the same
/// revision with other content (`409 order.stale`, with the stored order). A change that meets
/// the tenant's automatic rule is invoiced at once (and by the sweep if this process stops).
pub async fn put_order(
    svc: &Services,
    ts: &TenantStore,
    order_id: &str,
    input: OrderInput,
) -> Result<(OrderView, Put), ApiError> {
    if !valid_key_part(order_id, 64) {
        return Err(ApiError::Validation(vec![finding(
            "order.code",
            "order_id".into(),
            "Mã đơn hàng gồm 1–64 chữ, số, '-', '_', '.' hoặc ':'.".into(),
            "An order id is 1–64 letters, digits, '-', '_', '.' or ':'.".into(),
        )]));
    }
    let findings = check(&input);
    if !findings.is_empty() {
        return Err(ApiError::Validation(findings));
    }
    let cfg = settings(ts).await?;
    for _attempt in 0..5 {
        let now = svc.clock.now();
        let current = match load(ts, order_id).await {
            Ok(c) => Some(c),
            Err(ApiError::NotFound) => None,
            Err(e) => return Err(e),
        };
        let (mut rec, condition, put) = match &current {
            None => (
                OrderRecord {
                    order_id: order_id.to_owned(),
                    order: input.clone(),
                    received_at: now,
                    updated_at: now,
                    invoiced: Default::default(),
                    invoices: Vec::new(),
                    warnings: Vec::new(),
                    failure: None,
                    correction: None,
                },
                Condition::NotExists,
                Put::Created,
            ),
            Some((old, version)) => {
                if input.version == old.order.version && input == old.order {
                    return Ok((view(ts, old, *version).await?, Put::Unchanged));
                }
                if input.version <= old.order.version {
                    return Err(ApiError::Conflict(
                        "order.stale",
                        format!(
                            "the stored order is at the ERP's revision {}; send a higher version \
                             to change it",
                            old.order.version
                        ),
                    ));
                }
                let mut rec = old.clone();
                rec.order = input.clone();
                rec.updated_at = now;
                (rec, Condition::Version(*version), Put::Updated)
            }
        };
        rec.correction = correction(&rec);
        let mut ops = vec![Op::Put {
            key: ts.key("ORD", order_id),
            data: crate::invoices::to_json(&rec),
            condition,
        }];
        let auto_marker = auto_op(ts, &cfg, current.as_ref().map(|c| &c.0), &rec);
        let automatic = auto_marker.is_some();
        ops.extend(auto_marker);
        match ts.transact(ops).await {
            Ok(v) => {
                let version = v[0];
                if automatic {
                    // At once, in the background: the ERP's request is answered when the
                    // order is stored; the marker makes the sweep finish it if this stops. On
                    // AWS the wake-up goes to the orders queue (a Lambda's background task may
                    // be frozen with it); both paths are idempotent by the invoicing key.
                    let series = cfg.series.as_deref().unwrap_or("-");
                    let wake = format!("{}{series}:{order_id}", super::ORDER_WAKE);
                    if let Err(e) = svc.wake.wake(ts.tenant(), &wake, svc.clock.now()).await {
                        tracing::warn!(event = "order.wake_failed", tenant = ts.tenant(), error = %e);
                    }
                    let (svc, ts, id) = (svc.clone(), ts.clone(), order_id.to_owned());
                    tokio::spawn(async move {
                        if let Err(e) = auto(&svc, &ts, &id).await {
                            tracing::warn!(event = "order.auto_failed", tenant = ts.tenant(), order_id = %id, error = %e);
                        }
                    });
                }
                return Ok((view(ts, &rec, version).await?, put));
            }
            Err(StoreError::ConditionFailed { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable(
        "the order kept changing; retry".into(),
    ))
}

/// The correction an order needs once invoiced: cancelled or returned (or invoiced beyond what
/// it now orders) — proposed, never made: a person decides through the corrections flow.
fn correction(after: &OrderRecord) -> Option<CorrectionProposal> {
    let invoice_ids: Vec<String> = after
        .invoices
        .iter()
        .map(|i| i.invoice_id.clone())
        .collect();
    if invoice_ids.is_empty() {
        return None;
    }
    let over = after
        .order
        .lines
        .iter()
        .any(|l| after.invoiced.get(&l.line_id).copied().unwrap_or_default() > l.quantity)
        || after
            .invoiced
            .keys()
            .any(|id| !after.order.lines.iter().any(|l| &l.line_id == id));
    let status = after.order.status;
    if status.undone() || over {
        let (vi, en) = match status {
            OrderStatus::Cancelled => (
                "Đơn hàng bị hủy sau khi đã lập hóa đơn: lập hóa đơn điều chỉnh giảm (hoặc thay thế).",
                "The order was cancelled after it was invoiced: issue a decreasing adjustment (or a replacement).",
            ),
            OrderStatus::Returned => (
                "Hàng bị trả lại sau khi đã lập hóa đơn: lập hóa đơn điều chỉnh giảm cho phần trả lại.",
                "Goods were returned after the order was invoiced: issue a decreasing adjustment for what was returned.",
            ),
            _ => (
                "Đơn hàng giảm sau khi đã lập hóa đơn: lập hóa đơn điều chỉnh giảm.",
                "The order shrank after it was invoiced: issue a decreasing adjustment.",
            ),
        };
        return Some(CorrectionProposal {
            method: "adjustment".into(),
            invoice_ids,
            reason_vi: vi.into(),
            reason_en: en.into(),
        });
    }
    None
}

/// `POST /api/orders`: each order as its own `PUT`, answered separately (one's failure is its
/// own), up to 8 at a time.
pub async fn put_batch(
    svc: &Services,
    ts: &TenantStore,
    batch: OrderBatch,
) -> Result<OrderBatchAnswer, ApiError> {
    if batch.orders.is_empty() || batch.orders.len() > 1000 {
        return Err(ApiError::BadRequest("1 to 1,000 orders per request".into()));
    }
    use futures_util::StreamExt;
    let results = futures_util::stream::iter(batch.orders.into_iter().map(|item| {
        let (svc, ts) = (svc.clone(), ts.clone());
        async move {
            match put_order(&svc, &ts, &item.order_id, item.order).await {
                Ok((view, put)) => OrderBatchResult {
                    order_id: item.order_id,
                    status: if put == Put::Created { 201 } else { 200 },
                    order: Some(view),
                    error: None,
                },
                Err(e) => OrderBatchResult {
                    order_id: item.order_id,
                    status: e.status().as_u16(),
                    order: None,
                    error: Some(item_error(&e)),
                },
            }
        }
    }))
    .buffered(8)
    .collect()
    .await;
    Ok(OrderBatchAnswer { results })
}

fn item_error(e: &ApiError) -> ItemError {
    ItemError {
        code: e.code().to_owned(),
        message: e.to_string(),
        details: match e {
            ApiError::Validation(f) => f.iter().map(Detail::from).collect(),
            _ => Vec::new(),
        },
    }
}

pub async fn get(ts: &TenantStore, order_id: &str) -> Result<OrderView, ApiError> {
    let (rec, version) = load(ts, order_id).await?;
    view(ts, &rec, version).await
}

/// Orders by id, optionally in one status, of one customer code or whose id, customer code or
/// name contains `q` (case-insensitive). Each page reads at most 1,000 orders.
pub async fn list(
    ts: &TenantStore,
    status: Option<OrderStatus>,
    q: Option<&str>,
    cursor: Option<String>,
    limit: usize,
) -> Result<Page<OrderView>, ApiError> {
    const SCAN: usize = 1000;
    let q = q.map(str::to_lowercase).filter(|q| !q.is_empty());
    let mut items = Vec::new();
    let mut after = cursor;
    let mut scanned = 0;
    loop {
        let page = ts.query("ORD", "", after.as_deref(), 200).await?;
        for item in &page.items {
            scanned += 1;
            after = Some(item.key.sk.clone());
            let rec: OrderRecord = from_item(item)?;
            let matches = status.is_none_or(|s| rec.order.status == s)
                && q.as_deref().is_none_or(|q| {
                    rec.order_id.to_lowercase().contains(q)
                        || rec.order.customer.code.to_lowercase().contains(q)
                        || rec
                            .order
                            .customer
                            .name
                            .as_deref()
                            .is_some_and(|n| n.to_lowercase().contains(q))
                });
            if matches {
                items.push(view(ts, &rec, item.version).await?);
            }
            if items.len() >= limit || scanned >= SCAN {
                // More when this page has unread items or another page follows.
                let unread = page.items.last().is_some_and(|l| l.key.sk != item.key.sk);
                let more = unread || page.next.is_some();
                return Ok(Page {
                    items,
                    next: if more { after } else { None },
                });
            }
        }
        if page.next.is_none() {
            return Ok(Page { items, next: None });
        }
    }
}

/// The order with its invoices as they are now (status, number, documents).
pub async fn view(
    ts: &TenantStore,
    rec: &OrderRecord,
    version: u64,
) -> Result<OrderView, ApiError> {
    let mut invoices = Vec::new();
    for link in &rec.invoices {
        let r = match crate::invoices::load(ts, &link.invoice_id).await {
            Ok((inv, _)) => inv,
            Err(ApiError::NotFound) => continue,
            Err(e) => return Err(e),
        };
        invoices.push(OrderInvoiceRef {
            key: link.key.clone(),
            scope: link.scope,
            invoice_id: link.invoice_id.clone(),
            status: r.status,
            series: r.series.clone(),
            number: r.number,
            deliverable: crate::delivery::deliverable(&r),
        });
    }
    Ok(OrderView {
        order_id: rec.order_id.clone(),
        order: rec.order.clone(),
        stored_version: version,
        received_at: rec.received_at,
        updated_at: rec.updated_at,
        invoiced: rec
            .invoiced
            .iter()
            .map(|(line_id, q)| InvoicedQuantity {
                line_id: line_id.clone(),
                quantity: *q,
            })
            .collect(),
        invoices,
        warnings: rec.warnings.clone(),
        failure: rec.failure.clone(),
        correction: rec.correction.clone(),
    })
}
