//! Orders → invoices, idempotent by construction.
//!
//! Every invoice made from orders has an **invoicing key**: `order/<id>` (everything ordered),
//! `delivery/<id>/<delivery id>` (what one delivery took) or `consolidated/<key>` (several
//! orders of one customer). Its invoice id is derived from the key, and one transaction writes
//! `ORDINV / <key>` (`NotExists`), the draft (`NotExists`) and every order's record at the
//! version read (the quantities invoiced grow, never past what was ordered): a retry, a
//! duplicate request or a racing worker finds the key taken and answers with the invoice it
//! made — then issues it if it is still a draft (issuing is idempotent too). Everything that
//! can fail (status, quantities, mapping, the ERP's amounts, the core's validation, the
//! preflight) fails before the invoice takes a number; a failure is recorded on the orders and
//! becomes the `order.invoicing_failed` event.

use super::compose::{self, Part};
use super::mapping;
use super::{InvoiceLink, OrderRecord, Origin, load, settings, valid_key_part};
use crate::error::ApiError;
use crate::invoices::{self, Services, Status};
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_core::api::Detail;
use hoadon_core::api::orders::{
    AmountMismatch, ConsolidateOrders, InvoiceOrder, InvoicingAnswer, InvoicingFailure,
    InvoicingScope, OrderSettings,
};
use hoadon_core::catalog::error as finding;
use hoadon_core::{Finding, check};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// The invoice id a key makes: the same on every retry and in every process.
pub fn invoice_id(key: &str) -> String {
    format!("ord-{}", &crate::ports::sha256_hex(key.as_bytes())[..40])
}

/// `POST /api/orders/{id}/invoice`: the whole order (what is left of it must be all of it) or
/// one delivery.
pub async fn invoice_order(
    svc: &Services,
    ts: &TenantStore,
    order_id: &str,
    req: InvoiceOrder,
    actor: &str,
) -> Result<InvoicingAnswer, ApiError> {
    let issue = req.issue.unwrap_or(true);
    // Keys are joined with '/', which no id may contain: two requests cannot share a key.
    let (key, scope, wanted) = match req.delivery {
        None => (format!("order/{order_id}"), InvoicingScope::Order, None),
        Some(d) => {
            if !valid_key_part(&d.delivery_id, 40) {
                return Err(bad_key("delivery.delivery_id"));
            }
            (
                format!("delivery/{order_id}/{}", d.delivery_id),
                InvoicingScope::Delivery,
                Some(delivered(&d.lines)?),
            )
        }
    };
    let order_ids = vec![order_id.to_owned()];
    make(svc, ts, &key, scope, &order_ids, wanted, issue, actor).await
}

/// `POST /api/order-invoices`: several orders of one customer in one invoice.
pub async fn consolidate(
    svc: &Services,
    ts: &TenantStore,
    req: ConsolidateOrders,
    actor: &str,
) -> Result<InvoicingAnswer, ApiError> {
    if !valid_key_part(&req.key, 64) {
        return Err(bad_key("key"));
    }
    let mut ids = req.order_ids.clone();
    ids.sort();
    ids.dedup();
    if ids.len() != req.order_ids.len() || ids.is_empty() {
        return Err(ApiError::Validation(vec![finding(
            "order.ids",
            "order_ids".into(),
            "Mỗi đơn hàng chỉ nêu một lần.".into(),
            "Name each order once.".into(),
        )]));
    }
    // Each order is one more item of the transaction (with the key, the draft and its audit).
    let room = ts.max_transaction_ops().saturating_sub(3);
    if ids.len() > room {
        return Err(ApiError::Unprocessable(
            "order.too_many",
            format!("at most {room} orders go into one invoice on this store"),
        ));
    }
    let key = format!("consolidated/{}", req.key);
    make(
        svc,
        ts,
        &key,
        InvoicingScope::Consolidated,
        &req.order_ids,
        None,
        req.issue.unwrap_or(true),
        actor,
    )
    .await
}

/// A delivery's quantities by line: 1 to 500 lines, each a line id and a positive quantity;
/// the same line twice is added up (checked: quantities come from the client).
fn delivered(
    lines: &[hoadon_core::api::orders::InvoicedQuantity],
) -> Result<BTreeMap<String, Decimal>, ApiError> {
    let refuse = |path: String, vi: &str, en: &str| {
        ApiError::Validation(vec![finding("order.delivery", path, vi.into(), en.into())])
    };
    if lines.is_empty() || lines.len() > 500 {
        return Err(refuse(
            "delivery.lines".into(),
            "Một lần giao có từ 1 đến 500 dòng.",
            "A delivery has 1 to 500 lines.",
        ));
    }
    let mut q = BTreeMap::new();
    for (i, l) in lines.iter().enumerate() {
        if !valid_key_part(&l.line_id, 40) {
            return Err(bad_key(&format!("delivery.lines[{i}].line_id")));
        }
        let sum = q.get(&l.line_id).copied().unwrap_or(Decimal::ZERO);
        match sum.checked_add(l.quantity) {
            Some(s) if l.quantity > Decimal::ZERO && hoadon_core::totals::in_range(s) => {
                q.insert(l.line_id.clone(), s);
            }
            _ => {
                return Err(refuse(
                    format!("delivery.lines[{i}].quantity"),
                    "Số lượng giao phải lớn hơn 0 và trong giới hạn của hóa đơn.",
                    "A delivered quantity is more than 0 and within an invoice's bounds.",
                ));
            }
        }
    }
    Ok(q)
}

fn bad_key(path: &str) -> ApiError {
    ApiError::Validation(vec![finding(
        "order.key",
        path.into(),
        "1–64 chữ, số, '-', '_', '.' hoặc ':'.".into(),
        "1–64 letters, digits, '-', '_', '.' or ':'.".into(),
    )])
}

#[allow(clippy::too_many_arguments)]
async fn make(
    svc: &Services,
    ts: &TenantStore,
    key: &str,
    scope: InvoicingScope,
    order_ids: &[String],
    wanted: Option<BTreeMap<String, Decimal>>,
    issue: bool,
    actor: &str,
) -> Result<InvoicingAnswer, ApiError> {
    let asked = Asked {
        key,
        order_ids,
        delivered: wanted.as_ref(),
    };
    for _attempt in 0..5 {
        if let Some(answer) = existing(svc, ts, &asked, issue, actor).await? {
            return Ok(answer);
        }
        let cfg = settings(ts).await?;
        let mut orders = Vec::new();
        for id in order_ids {
            orders.push(load(ts, id).await?);
        }
        let prepared = match prepare(svc, ts, &cfg, &orders, scope, wanted.as_ref()).await {
            Ok(p) => p,
            Err(e) => {
                // A racing request may have made this very invoice after the first look (the
                // orders then read as invoiced): its answer, not a refusal.
                if let Some(answer) = existing(svc, ts, &asked, issue, actor).await? {
                    return Ok(answer);
                }
                fail(svc, ts, order_ids, &e).await;
                return Err(e);
            }
        };
        let id = invoice_id(key);
        let origin = Origin {
            key: key.to_owned(),
            scope,
            order_ids: order_ids.to_vec(),
            delivered: wanted.clone(),
        };
        let warnings = prepared.warnings.clone();
        match store_draft(svc, ts, &id, key, origin, &orders, prepared, actor).await? {
            Stored::Done => {}
            Stored::Raced => continue,
        }
        tracing::info!(event = "order.invoiced", tenant = ts.tenant(), key, invoice_id = %id);
        let invoice = if issue {
            issue_for(svc, ts, &id, order_ids, actor).await?
        } else {
            let (rec, v) = invoices::load(ts, &id).await?;
            invoices::view(&rec, v)
        };
        return Ok(InvoicingAnswer {
            key: key.to_owned(),
            created: true,
            invoice,
            warnings,
        });
    }
    Err(ApiError::Unavailable(
        "the orders kept changing; retry".into(),
    ))
}

/// What the key already made, issued now if it is still a draft and `issue`.
/// What a request asks to invoice under its key.
struct Asked<'a> {
    key: &'a str,
    order_ids: &'a [String],
    delivered: Option<&'a BTreeMap<String, Decimal>>,
}

async fn existing(
    svc: &Services,
    ts: &TenantStore,
    asked: &Asked<'_>,
    issue: bool,
    actor: &str,
) -> Result<Option<InvoicingAnswer>, ApiError> {
    let key = asked.key;
    let Some(item) = ts.get("ORDINV", key).await? else {
        return Ok(None);
    };
    let id = String::from_utf8_lossy(&item.data).into_owned();
    let (rec, v) = invoices::load(ts, &id).await?;
    let origin = rec
        .origin
        .clone()
        .ok_or_else(|| ApiError::Internal(format!("invoice {id} of key {key} names no orders")))?;
    // The same key must mean the same thing: a consolidation key reused for other orders, a
    // delivery id for other quantities, is another request, not a retry.
    let mut made = origin.order_ids.clone();
    let mut now = asked.order_ids.to_vec();
    made.sort();
    now.sort();
    if made != now || origin.delivered.as_ref() != asked.delivered {
        return Err(ApiError::Conflict(
            "order.key_reused",
            format!(
                "key {key} already made invoice {id} for other orders or quantities; use a new \
                 key for another invoice"
            ),
        ));
    }
    let invoice = if issue && rec.status == Status::Draft {
        // A draft left by `issue: false` or by a failed run: its orders must still be
        // confirmed or completed (a cancelled order's draft is discarded, never issued).
        for order_id in &origin.order_ids {
            let (order, _) = load(ts, order_id).await?;
            if !order.order.status.invoiceable() {
                return Err(ApiError::Conflict(
                    "order.status",
                    format!(
                        "order {order_id} is {} since its draft {id} was made: discard the \
                         draft, it will not be issued",
                        order.order.status.as_str()
                    ),
                ));
            }
        }
        issue_for(svc, ts, &id, &origin.order_ids, actor).await?
    } else {
        invoices::view(&rec, v)
    };
    Ok(Some(InvoicingAnswer {
        key: key.to_owned(),
        created: false,
        invoice,
        warnings: Vec::new(),
    }))
}

/// Issues the invoice; a refusal a person must fix is recorded on its orders.
async fn issue_for(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    order_ids: &[String],
    actor: &str,
) -> Result<hoadon_core::api::InvoiceView, ApiError> {
    match invoices::issue(svc, ts, id, actor).await {
        Ok(v) => Ok(v),
        Err(e) => {
            fail(svc, ts, order_ids, &e).await;
            Err(e)
        }
    }
}

/// The checked draft, the ERP's accepted differences and what it takes of each order.
struct Prepared {
    document: hoadon_core::InvoiceDocument,
    warnings: Vec<Detail>,
    quantities: Vec<BTreeMap<String, Decimal>>,
}

async fn prepare(
    svc: &Services,
    ts: &TenantStore,
    cfg: &OrderSettings,
    orders: &[(OrderRecord, u64)],
    scope: InvoicingScope,
    wanted: Option<&BTreeMap<String, Decimal>>,
) -> Result<Prepared, ApiError> {
    let Some(series) = cfg.series.as_deref() else {
        return Err(ApiError::Unprocessable(
            "order.no_series",
            "choose the series invoices from orders are issued in (order settings) first".into(),
        ));
    };
    let mut parts = Vec::new();
    let mut findings = Vec::new();
    let first = &orders[0].0.order;
    for (k, (rec, _)) in orders.iter().enumerate() {
        let p = mapping::prefix(orders.len(), k);
        if !rec.order.status.invoiceable() {
            return Err(ApiError::Conflict(
                "order.status",
                format!(
                    "order {} is {}: only confirmed or completed orders are invoiced",
                    rec.order_id,
                    rec.order.status.as_str()
                ),
            ));
        }
        if rec.order.customer.code != first.customer.code {
            findings.push(finding(
                "order.customer",
                format!("{p}customer.code"),
                "Gộp hóa đơn chỉ cho các đơn hàng của cùng một khách hàng.".into(),
                "Only one customer's orders go into one invoice.".into(),
            ));
        }
        if rec.order.currency != first.currency || rec.order.exchange_rate != first.exchange_rate {
            findings.push(finding(
                "order.currency",
                format!("{p}currency"),
                "Các đơn hàng gộp phải cùng loại tiền và tỷ giá.".into(),
                "Orders in one invoice share their currency and rate.".into(),
            ));
        }
        let remaining = rec.remaining();
        let quantities = match (scope, wanted) {
            (InvoicingScope::Delivery, Some(w)) => {
                for (line_id, q) in w {
                    match remaining.get(line_id) {
                        None => findings.push(finding(
                            "order.line",
                            "delivery.lines".into(),
                            format!("Đơn hàng không có dòng {line_id}."),
                            format!("The order has no line {line_id}."),
                        )),
                        Some(left) if q > left || *q <= Decimal::ZERO => findings.push(finding(
                            "order.quantity",
                            "delivery.lines".into(),
                            format!("Dòng {line_id}: còn {left} chưa lập hóa đơn, giao {q}."),
                            format!("Line {line_id}: {left} left to invoice, {q} delivered."),
                        )),
                        Some(_) => {}
                    }
                }
                w.clone()
            }
            _ => {
                if !rec.nothing_invoiced() {
                    return Err(ApiError::Conflict(
                        "order.partly_invoiced",
                        format!(
                            "order {} is already invoiced in part (deliveries): invoice the rest \
                             as deliveries",
                            rec.order_id
                        ),
                    ));
                }
                remaining
            }
        };
        parts.push(Part { rec, quantities });
    }
    if !findings.is_empty() {
        return Err(ApiError::Validation(findings));
    }
    let resolved = mapping::resolve(
        ts,
        &orders.iter().map(|(r, _)| r.clone()).collect::<Vec<_>>(),
        cfg.unknown_codes,
    )
    .await?;
    let today = svc.clock.now_vn().date.to_string();
    let (input, sources) = compose::draft(&parts, &resolved, series, &today);
    let document = crate::invoices::compose_draft(svc, ts, &input, None, None).await?;
    let checked = check(&document);
    let Some(invoice) = checked.invoice else {
        return Err(ApiError::Validation(
            checked
                .findings
                .into_iter()
                .map(|f| at_order_path(f, &sources, orders.len()))
                .collect(),
        ));
    };
    let differences = compose::amount_differences(&parts, &sources, &invoice);
    if !differences.is_empty() && cfg.amount_mismatch == AmountMismatch::Refuse {
        return Err(ApiError::Validation(differences));
    }
    Ok(Prepared {
        document,
        warnings: differences.iter().map(Detail::from).collect(),
        quantities: parts.into_iter().map(|p| p.quantities).collect(),
    })
}

/// A finding on the draft's `lines[d]` put where the order has that line.
fn at_order_path(mut f: Finding, sources: &compose::Sources, orders: usize) -> Finding {
    if let Some(rest) = f.path.strip_prefix("lines[")
        && let Some((d, tail)) = rest.split_once(']')
        && let Ok(d) = d.parse::<usize>()
        && let Some(&(k, i, _)) = sources.get(d)
    {
        f.path = format!("{}lines[{i}]{tail}", mapping::prefix(orders, k));
    }
    f
}

enum Stored {
    Done,
    /// The key was taken meanwhile, or an order changed: look again.
    Raced,
}

#[allow(clippy::too_many_arguments)]
async fn store_draft(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    key: &str,
    origin: Origin,
    orders: &[(OrderRecord, u64)],
    prepared: Prepared,
    actor: &str,
) -> Result<Stored, ApiError> {
    let Prepared {
        document,
        warnings,
        quantities,
    } = prepared;
    let now = svc.clock.now();
    let scope = origin.scope;
    let mut rec = invoices::new_record(id, document, now, actor, None);
    rec.origin = Some(origin);
    let audit = invoices::audit_with(
        ts,
        &mut rec,
        actor,
        "draft_created",
        Some(format!("from {key}")),
    );
    let mut ops = vec![
        Op::Put {
            key: ts.key("ORDINV", key),
            data: id.as_bytes().to_vec(),
            condition: Condition::NotExists,
        },
        Op::Put {
            key: ts.key("INV", id),
            data: crate::invoices::to_json(&rec),
            condition: Condition::NotExists,
        },
        audit,
    ];
    for ((order, version), taken) in orders.iter().zip(quantities) {
        let mut order = order.clone();
        for (line_id, q) in taken {
            *order.invoiced.entry(line_id).or_insert(Decimal::ZERO) += q;
        }
        order.invoices.push(InvoiceLink {
            key: key.to_owned(),
            scope,
            invoice_id: id.to_owned(),
        });
        order.failure = None;
        order.warnings = warnings.clone();
        order.updated_at = now;
        ops.push(Op::Put {
            key: ts.key("ORD", &order.order_id),
            data: crate::invoices::to_json(&order),
            condition: Condition::Version(*version),
        });
    }
    match ts.transact(ops).await {
        Ok(_) => Ok(Stored::Done),
        Err(StoreError::ConditionFailed { .. }) => Ok(Stored::Raced),
        Err(e) => Err(e.into()),
    }
}

/// Records why invoicing `order_ids` failed (on each order, with the `order.invoicing_failed`
/// event), unless it is a passing condition a retry will get past. Best effort: the caller
/// answers with the error anyway.
async fn fail(svc: &Services, ts: &TenantStore, order_ids: &[String], e: &ApiError) {
    if !needs_a_person(e) {
        return;
    }
    let details: Vec<Detail> = match e {
        ApiError::Validation(f) | ApiError::ProfileIncomplete(f) => {
            f.iter().map(Detail::from).collect()
        }
        _ => Vec::new(),
    };
    let failure = InvoicingFailure {
        at: svc.clock.now(),
        code: match e {
            ApiError::Validation(f) => f.first().map_or("validation_failed", |f| f.code).to_owned(),
            other => other.code().to_owned(),
        },
        message: e.to_string(),
        details,
    };
    for (k, id) in order_ids.iter().enumerate() {
        for _ in 0..3 {
            let Ok((mut rec, version)) = load(ts, id).await else {
                break;
            };
            rec.failure = Some(failure.clone());
            rec.updated_at = failure.at;
            let mut ops = vec![Op::Put {
                key: ts.key("ORD", id),
                data: crate::invoices::to_json(&rec),
                condition: Condition::Version(version),
            }];
            if k == 0 {
                let what = format!("{}: {}", failure.code, failure.message);
                ops.push(crate::events::order_failed_op(
                    ts,
                    order_ids,
                    &what,
                    svc.clock.now_ms(),
                ));
            }
            match ts.transact(ops).await {
                Ok(_) => break,
                Err(StoreError::ConditionFailed { .. }) => continue,
                Err(err) => {
                    tracing::warn!(event = "order.failure_not_recorded", tenant = ts.tenant(), error = %err);
                    break;
                }
            }
        }
    }
    crate::events::wake(svc, ts).await;
    tracing::warn!(event = "order.invoicing_failed", tenant = ts.tenant(), orders = ?order_ids, code = e.code());
}

/// Whether retrying cannot help until someone changes the order, the mapping, the settings or
/// the catalog (what is recorded and announced); store and signer outages are not.
pub(super) fn needs_a_person(e: &ApiError) -> bool {
    // The request's own mistakes (a delivery's lines, a consolidation's mix) are answered to
    // the caller only: they say nothing about the order.
    const REQUEST: [&str; 6] = [
        "order.delivery",
        "order.line",
        "order.quantity",
        "order.customer",
        "order.currency",
        "order.key",
    ];
    if let ApiError::Validation(f) = e
        && f.iter()
            .all(|f| REQUEST.contains(&f.code) || f.code == "order.ids")
    {
        return false;
    }
    matches!(
        e,
        ApiError::Validation(_)
            | ApiError::ProfileIncomplete(_)
            | ApiError::UnknownSeries(_)
            | ApiError::Unprocessable(..)
            | ApiError::NoSigningKey
            | ApiError::TooLarge(_)
    ) || matches!(e, ApiError::Conflict(code, _) if *code == "order.status")
}
