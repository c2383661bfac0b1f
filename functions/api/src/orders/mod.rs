//! Sales orders → invoices (#19): what an ERP (or the app) sends, kept under the ERP's own id,
//! and turned into invoices under **invoicing keys** so that nothing is invoiced twice.
//!
//! Items (tenant-scoped):
//! - `ORD / <order id>`: the [`OrderRecord`] — the ERP's order as last received (its own
//!   revision in `order.version`), the quantities invoiced per line and the invoices made;
//! - `ORDINV / <invoicing key>`: the invoice id a key made, written `NotExists` in the same
//!   transaction as the draft and the orders' records — **the one place "not twice" is
//!   decided** (`order/<id>`, `delivery/<id>/<delivery id>`, `consolidated/<key>`);
//! - `ORDAUTO / <order id>`: an order the tenant's rules want invoiced without a person,
//!   written with the order's change that triggers it and deleted once it is invoiced or has
//!   failed for a reason a person must fix — what the recovery sweep resumes after a crash;
//! - `ORDMAP / <kind>#<erp code>`: the mapping table ([`mapping`]); `ORDSET / current`: the
//!   settings ([`OrderSettings`]).
//!
//! By concern: [`mapping`] (ERP codes → catalog entries, or new entries when allowed),
//! [`compose`] (orders → the draft the server composes; the ERP's amounts checked against the
//! core's), [`invoicing`] (keys, the transaction, issuing, automatic issuing, failures and
//! corrections proposed), [`store`] (upsert by the ERP's revision, list, views).

pub mod automatic;
pub mod compose;
pub mod invoicing;
pub mod mapping;
pub mod store;

pub use automatic::resume;
pub use invoicing::{consolidate, invoice_order};

/// The wake-up id that asks a worker to invoice an order (`@order:<series>:<order id>`): on AWS
/// it goes to the orders FIFO queue grouped by series (`sqs::SqsWake`), so one consumer at a
/// time numbers a series; locally the server invoices it at once in the background.
pub const ORDER_WAKE: &str = "@order:";
pub use store::{get, list, put_batch, put_order};

use crate::error::ApiError;
use crate::invoices::from_item;
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_core::api::Detail;
use hoadon_core::api::orders::{
    CorrectionProposal, InvoicingFailure, InvoicingScope, OrderInput, OrderSettings,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What an invoice made from orders keeps of them (in `InvoiceRecord::origin`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    pub key: String,
    pub scope: InvoicingScope,
    pub order_ids: Vec<String>,
    /// A delivery's quantities per line, as asked: a later request under the same key must
    /// ask the same (or it is another thing, `409 order.key_reused`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered: Option<BTreeMap<String, Decimal>>,
}

/// An invoice made from the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLink {
    pub key: String,
    pub scope: InvoicingScope,
    pub invoice_id: String,
}

/// An order as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderRecord {
    pub order_id: String,
    pub order: OrderInput,
    pub received_at: i64,
    pub updated_at: i64,
    /// Quantities invoiced per `line_id` (deliveries and whole-order invoices alike).
    #[serde(default)]
    pub invoiced: BTreeMap<String, Decimal>,
    #[serde(default)]
    pub invoices: Vec<InvoiceLink>,
    #[serde(default)]
    pub warnings: Vec<Detail>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<InvoicingFailure>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correction: Option<CorrectionProposal>,
}

impl OrderRecord {
    /// What is left to invoice of each line (ordered − invoiced, never below zero).
    pub fn remaining(&self) -> BTreeMap<String, Decimal> {
        self.order
            .lines
            .iter()
            .map(|l| {
                let done = self.invoiced.get(&l.line_id).copied().unwrap_or_default();
                (l.line_id.clone(), (l.quantity - done).max(Decimal::ZERO))
            })
            .collect()
    }

    pub fn nothing_invoiced(&self) -> bool {
        self.invoiced.values().all(|q| q.is_zero())
    }

    pub fn fully_invoiced(&self) -> bool {
        self.remaining().values().all(|q| q.is_zero())
    }
}

pub(crate) async fn load(ts: &TenantStore, order_id: &str) -> Result<(OrderRecord, u64), ApiError> {
    let item = ts.get("ORD", order_id).await?.ok_or(ApiError::NotFound)?;
    Ok((from_item(&item)?, item.version))
}

/// An ERP's order id, delivery id or consolidation key: short, and safe in a store key and a
/// URL path.
pub(crate) fn valid_key_part(s: &str, max: usize) -> bool {
    (1..=max).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// The tenant's settings (defaults before the first save).
pub async fn settings(ts: &TenantStore) -> Result<OrderSettings, ApiError> {
    Ok(match ts.get("ORDSET", "current").await? {
        Some(item) => {
            let mut s: OrderSettings = from_item(&item)?;
            s.version = item.version;
            s
        }
        None => OrderSettings::default(),
    })
}

/// Saves the settings at the version the admin read (`409 version_conflict` otherwise). The
/// series must exist: an automatic run must not discover a typo at 2 a.m.
pub async fn put_settings(
    ts: &TenantStore,
    mut body: OrderSettings,
) -> Result<OrderSettings, ApiError> {
    if let Some(series) = body.series.as_mut() {
        *series = series.trim().to_owned();
        if ts.get("SERIES", series).await?.is_none() {
            return Err(ApiError::Validation(vec![hoadon_core::catalog::error(
                "order.series",
                "series".into(),
                format!("Ký hiệu {series} chưa được tạo (mẫu số + ký hiệu, ví dụ 1C26TSO)."),
                format!("Series {series} does not exist (form + symbol, e.g. 1C26TSO)."),
            )]));
        }
    }
    let expected = body.version;
    let condition = if expected == 0 {
        Condition::NotExists
    } else {
        Condition::Version(expected)
    };
    body.version = 0;
    let op = Op::Put {
        key: ts.key("ORDSET", "current"),
        data: serde_json::to_vec(&body).expect("settings serialize"),
        condition,
    };
    match ts.transact(vec![op]).await {
        Ok(v) => {
            body.version = v[0];
            Ok(body)
        }
        Err(StoreError::ConditionFailed { .. }) => {
            let current = settings(ts).await?;
            Err(ApiError::VersionConflict(Box::new(
                serde_json::to_value(current).unwrap_or_default(),
            )))
        }
        Err(e) => Err(e.into()),
    }
}
