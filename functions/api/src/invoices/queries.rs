//! Reading invoices: the filtered list, the home summary and the audit chain check.

use super::{AuditEntry, InvoiceRecord, Status, from_item, load, view};
use crate::error::ApiError;
use crate::store::TenantStore;
use hoadon_core::api::{Counts, InvoiceView, Page, Summary};
use serde::{Deserialize, Serialize};

/// An invoice's audit chain and whether every link holds.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditReport {
    pub valid: bool,
    /// The first entry whose link does not hold.
    pub broken_at: Option<u64>,
    pub entries: Vec<AuditEntry>,
}

/// Reads the chain `AUDIT#<chain>` and checks every link against the head `(seq, hash)`.
pub(crate) async fn read_chain(
    ts: &TenantStore,
    chain: &str,
    head: (u64, &str),
) -> Result<AuditReport, ApiError> {
    let mut entries = Vec::new();
    let mut cursor = None;
    loop {
        let page = ts
            .query(&format!("AUDIT#{chain}"), "", cursor.as_deref(), 500)
            .await?;
        for item in &page.items {
            entries.push(from_item::<AuditEntry>(item)?);
        }
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    let mut prev = String::new();
    let mut broken_at = None;
    for (i, e) in entries.iter().enumerate() {
        if e.seq != i as u64 + 1 || e.prev != prev || e.hash != e.compute_hash() {
            broken_at = Some(e.seq);
            break;
        }
        prev = e.hash.clone();
    }
    if broken_at.is_none() && (prev != head.1 || entries.len() as u64 != head.0) {
        broken_at = Some(entries.len() as u64);
    }
    Ok(AuditReport {
        valid: broken_at.is_none(),
        broken_at,
        entries,
    })
}

/// Reads an invoice's audit chain and checks every link.
pub async fn verify_audit(ts: &TenantStore, id: &str) -> Result<AuditReport, ApiError> {
    let (rec, _) = load(ts, id).await?;
    read_chain(ts, id, (rec.audit_seq, &rec.audit_head)).await
}

/// Filters of the invoice list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub status: Option<Status>,
    /// Issued on or after this date (`YYYY-MM-DD`, compared as text).
    pub from: Option<String>,
    /// Issued on or before this date (`YYYY-MM-DD`, compared as text).
    pub to: Option<String>,
    /// Part of the buyer's name or tax id.
    pub buyer: Option<String>,
    /// `<form><symbol>`, e.g. `1C25TAA`.
    pub series: Option<String>,
    /// The invoice number (`SHDon`, up to 99,999,999 in practice; any `u32` is read).
    #[param(value_type = Option<u64>, maximum = 4294967295_u64)]
    pub number: Option<u32>,
    /// Only invoices whose signing failed and need a person.
    pub attention: Option<bool>,
    /// What corrections made of it: `issued`, `replacement_pending`, `replaced`, `adjusted`,
    /// `cancelled`.
    pub standing: Option<hoadon_core::corrections::Standing>,
    /// Only correction drafts waiting for the buyer's (or the seller's) confirmation.
    pub awaiting_confirmation: Option<bool>,
    /// The `next` of the previous page (opaque; nothing else is accepted; empty: the first).
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
    /// Page size, 1–200 (other values are clamped).
    #[param(maximum = 18446744073709551615_u64)]
    pub limit: Option<usize>,
}

fn keep(q: &ListQuery, buyer: Option<&str>, rec: &InvoiceRecord) -> bool {
    let d = &rec.document;
    let awaiting = rec
        .corrects
        .as_ref()
        .and_then(|c| c.confirmation_state)
        .is_some_and(|s| {
            use hoadon_core::corrections::ConfirmationState as C;
            matches!(s, C::AwaitingBuyer | C::AwaitingSeller)
        });
    q.status.is_none_or(|s| s == rec.status)
        && q.standing
            .is_none_or(|s| rec.status.is_issued() && s == rec.corrections.standing())
        && q.awaiting_confirmation.is_none_or(|a| a == awaiting)
        && q.from.as_deref().is_none_or(|f| d.issue_date.as_str() >= f)
        && q.to.as_deref().is_none_or(|t| d.issue_date.as_str() <= t)
        && q.series.as_deref().is_none_or(|s| {
            rec.series.as_deref() == Some(s) || format!("{}{}", d.form, d.symbol) == s
        })
        && q.number.is_none_or(|n| rec.number == Some(n))
        && q.attention.is_none_or(|a| a == rec.attention.is_some())
        && buyer.is_none_or(|b| {
            let name = d.buyer.name.as_deref().unwrap_or("").to_lowercase();
            let tax = d.buyer.tax_id.as_deref().unwrap_or("");
            name.contains(b) || tax.contains(b)
        })
}

pub async fn list(ts: &TenantStore, q: &ListQuery) -> Result<Page<InvoiceView>, ApiError> {
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let buyer = q.buyer.as_deref().map(str::to_lowercase);
    let mut items: Vec<InvoiceView> = Vec::new();
    let mut cursor = q.cursor.clone();
    let mut next = None;
    'pages: loop {
        let page = ts.query("INV", "", cursor.as_deref(), 200).await?;
        for item in &page.items {
            let rec: InvoiceRecord = from_item(item)?;
            if keep(q, buyer.as_deref(), &rec) {
                if items.len() == limit {
                    next = items.last().map(|v| v.id.clone());
                    break 'pages;
                }
                items.push(view(&rec, item.version));
            }
        }
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    Ok(Page { items, next })
}

/// How many invoices are recent on the home screen, and how many of each waiting list.
const RECENT: usize = 5;
const LISTED: usize = 20;

/// The home screen: counts per status, the most recently changed invoices, those numbered but
/// not yet signed, and those whose signing failed (with the reason). One pass over the tenant's
/// invoices (a page of 200 at a time); fine for a small business, a counter item would replace
/// it for large tenants.
pub async fn summary(ts: &TenantStore) -> Result<Summary, ApiError> {
    let mut s = Summary::default();
    let mut recent: Vec<InvoiceView> = Vec::new();
    let mut cursor = None;
    loop {
        let page = ts.query("INV", "", cursor.as_deref(), 200).await?;
        for item in &page.items {
            let rec: InvoiceRecord = from_item(item)?;
            let c: &mut Counts = &mut s.counts;
            match rec.status {
                Status::Draft => c.draft += 1,
                Status::AwaitingToken => c.awaiting_token += 1,
                Status::Numbered => c.numbered += 1,
                Status::Signed => c.signed += 1,
                Status::Sent => c.sent += 1,
                Status::Coded => c.coded += 1,
                Status::Rejected => c.rejected += 1,
                Status::DataSent => c.data_sent += 1,
                Status::DataAccepted => c.data_accepted += 1,
            }
            let v = view(&rec, item.version);
            if rec.attention.is_some() {
                c.needs_attention += 1;
                if s.needs_attention.len() < LISTED {
                    s.needs_attention.push(v.clone());
                }
            } else if rec.signing_mode == super::SigningMode::Token
                && matches!(rec.status, Status::AwaitingToken | Status::Numbered)
            {
                if s.awaiting_token.len() < LISTED {
                    s.awaiting_token.push(v.clone());
                }
            } else if rec.status == Status::Numbered && s.awaiting_signature.len() < LISTED {
                s.awaiting_signature.push(v.clone());
            }
            recent.push(v);
            recent.sort_by_key(|r| std::cmp::Reverse(r.updated_at));
            recent.truncate(RECENT);
        }
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    s.recent = recent;
    s.counts.outbox_attention = crate::outbox::attention_count(ts).await?;
    Ok(s)
}
