//! Notices of wrong invoices (04/SS-HĐĐT): the seller lists issued invoices with what it will
//! do about each (cancel, adjust, replace, explain); hoadon composes the notice from the
//! invoices as issued (form, symbol, number, date, the authority's code — never from the
//! client), signs it into `DSCKS/NNT` and sends it as message 300; the authority answers 301.
//!
//! Item: `NOTICE / <id>`.

use super::{ack_refusal, decision, sign_document};
use crate::error::ApiError;
use crate::invoices::authority::Applied;
use crate::invoices::{Services, from_item, load};
use crate::outbox;
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_core::api::Page;
use hoadon_core::api::authority::{NoticeInput, NoticeState, NoticeView, Subject};
use hoadon_core::dsig::Layout;
use hoadon_core::model::TaxId;
use hoadon_core::tdiep::{Body, ErrorNotice, ErrorRow, MessageKind, TDiep};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct NoticeRecord {
    id: String,
    state: NoticeState,
    input: NoticeInput,
    #[serde(default)]
    reasons: Vec<String>,
    outbox_id: String,
    signed: String,
    created_at: i64,
    updated_at: i64,
}

fn view(r: NoticeRecord) -> NoticeView {
    NoticeView {
        id: r.id,
        state: r.state,
        input: r.input,
        reasons: r.reasons,
        outbox_id: r.outbox_id,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

async fn record(ts: &TenantStore, id: &str) -> Result<(NoticeRecord, u64), ApiError> {
    let item = ts.get("NOTICE", id).await?.ok_or(ApiError::NotFound)?;
    Ok((from_item(&item)?, item.version))
}

pub async fn get(ts: &TenantStore, id: &str) -> Result<NoticeView, ApiError> {
    Ok(view(record(ts, id).await?.0))
}

pub(super) async fn signed(ts: &TenantStore, id: &str) -> Result<String, ApiError> {
    Ok(record(ts, id).await?.0.signed)
}

pub async fn list(ts: &TenantStore) -> Result<Page<NoticeView>, ApiError> {
    let mut items = Vec::new();
    let mut c = None;
    loop {
        let page = ts.query("NOTICE", "", c.as_deref(), 500).await?;
        for item in &page.items {
            items.push(view(from_item(item)?));
        }
        match page.next {
            Some(n) => c = Some(n),
            None => break,
        }
    }
    items.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
    Ok(Page { items, next: None })
}

/// Most rows one notice carries.
const MAX_ROWS: usize = 100;

fn text(name: &str, v: &str, max: usize) -> Result<(), ApiError> {
    if v.trim().is_empty() || v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(ApiError::Unprocessable(
            "notice.invalid",
            format!("{name}: required, at most {max} characters, no control characters"),
        ));
    }
    Ok(())
}

/// Composes, signs and sends a 04/SS.
pub async fn create(
    svc: &Services,
    ts: &TenantStore,
    input: NoticeInput,
) -> Result<NoticeView, ApiError> {
    text("tax_office_code", &input.tax_office_code, 5)?;
    text("tax_office_name", &input.tax_office_name, 100)?;
    text("place", &input.place, 50)?;
    if input.rows.is_empty() || input.rows.len() > MAX_ROWS {
        return Err(ApiError::Unprocessable(
            "notice.invalid",
            format!("rows: 1 to {MAX_ROWS} invoices"),
        ));
    }
    let link = svc.authority(ts.tenant()).cloned().ok_or_else(|| {
        ApiError::Unprocessable(
            "authority_not_connected",
            "this tenant is not connected to the tax authority".into(),
        )
    })?;
    let (profile, _) = crate::profile::current(ts).await?;
    let mut rows = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, row) in input.rows.iter().enumerate() {
        if !seen.insert(row.invoice_id.as_str()) {
            return Err(ApiError::Unprocessable(
                "notice.invalid",
                format!("rows[{i}].invoice_id: the invoice is already in an earlier row"),
            ));
        }
        if !(1..=4).contains(&row.action) {
            return Err(ApiError::Unprocessable(
                "notice.invalid",
                format!("rows[{i}].action: 1 cancel, 2 adjust, 3 replace, 4 explain"),
            ));
        }
        text(&format!("rows[{i}].reason"), &row.reason, 255)?;
        let (inv, _) = match load(ts, &row.invoice_id).await {
            Err(ApiError::NotFound) => {
                return Err(ApiError::Unprocessable(
                    "notice.invalid",
                    format!("rows[{i}].invoice_id: no such invoice"),
                ));
            }
            r => r?,
        };
        let coded = crate::invoices::authority::coded(&inv);
        // A coded invoice exists only once the authority coded it.
        let issued = if coded {
            inv.status == crate::invoices::Status::Coded
        } else {
            inv.status.allows_notice()
        };
        let (Some(number), true) = (inv.number, issued) else {
            return Err(ApiError::Unprocessable(
                "notice_not_issued",
                format!("rows[{i}]: invoice {} has not been issued", row.invoice_id),
            ));
        };
        let d = &inv.document;
        rows.push(ErrorRow {
            authority_code: inv.authority.as_ref().and_then(|a| a.code.clone()),
            form: d.form.trim().to_owned(),
            symbol: d.symbol.trim().to_owned(),
            number: number.to_string(),
            date: d
                .issue_date
                .trim()
                .parse()
                .map_err(|_| ApiError::Internal("an issued invoice's date".into()))?,
            // LADHDDT: 1 = coded under Decree 123, 2 = uncoded (the two hoadon issues).
            regime: if crate::invoices::authority::coded(&inv) {
                1
            } else {
                2
            },
            action: row.action,
            reason: row.reason.trim().to_owned(),
        });
    }
    let notice = ErrorNotice {
        version: "2.0.0".into(),
        data_id: "DLTBao".into(),
        kind: 1,
        cqt_notice_number: None,
        cqt_notice_date: None,
        tax_office_code: input.tax_office_code.trim().to_owned(),
        tax_office_name: input.tax_office_name.trim().to_owned(),
        taxpayer_name: profile.name.clone(),
        tax_id: Some(
            TaxId::parse(&profile.tax_id)
                .map_err(|_| ApiError::ProfileIncomplete(profile.check()))?,
        ),
        budget_unit: None,
        place: input.place.trim().to_owned(),
        date: svc.clock.now_vn().date,
        rows,
    };
    let signed = sign_document(svc, ts, Layout::NOTICE, &notice.to_xml()).await?;
    let seed = crate::ports::sha256_hex(signed.as_bytes());
    let id = seed[..32].to_owned();
    let msg = outbox::new_message(
        &link,
        300,
        &profile.tax_id,
        Subject::Notice,
        &id,
        &seed,
        svc.clock.now_ms(),
    )?;
    let now = svc.clock.now();
    let rec = NoticeRecord {
        id: id.clone(),
        state: NoticeState::Sent,
        input,
        reasons: Vec::new(),
        outbox_id: msg.id.clone(),
        signed,
        created_at: now,
        updated_at: now,
    };
    let mut ops = vec![Op::Put {
        key: ts.key("NOTICE", &id),
        data: serde_json::to_vec(&rec).expect("records serialize"),
        condition: Condition::NotExists,
    }];
    ops.extend(outbox::enqueue_ops(ts, &msg));
    ts.transact(ops).await?;
    outbox::wake(svc, ts, &msg).await;
    Ok(view(rec))
}

/// 999 and 301 for a notice.
pub async fn apply_reply(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    msg: &TDiep,
) -> Result<(Applied, String), ApiError> {
    use NoticeState as S;
    let (state, found, summary) = match (&msg.header.kind, &msg.body) {
        (MessageKind::TechnicalAck, _) => match ack_refusal(msg) {
            Some(r) => (S::Refused, r, "received with errors"),
            None => (S::Received, Vec::new(), "received"),
        },
        (MessageKind::ErrorNoticeResult, Body::AuthorityNotice(n)) => match decision(n) {
            Ok(()) => (S::Accepted, Vec::new(), "accepted (301)"),
            Err(r) => (S::Refused, r, "refused (301)"),
        },
        (k, _) => {
            let what = format!("MLTDiep {} (not expected here)", k.code());
            return Ok((Applied::Progress, what));
        }
    };
    let applied = if state == S::Received {
        Applied::Progress
    } else {
        Applied::Final
    };
    for _ in 0..5 {
        let (mut r, version) = record(ts, id).await?;
        if matches!(r.state, NoticeState::Accepted | NoticeState::Refused) || r.state == state {
            break;
        }
        r.state = state;
        r.reasons = found.clone();
        r.updated_at = svc.clock.now();
        let op = Op::Put {
            key: ts.key("NOTICE", id),
            data: serde_json::to_vec(&r).expect("records serialize"),
            condition: Condition::Version(version),
        };
        match ts.transact(vec![op]).await {
            Ok(_) => break,
            Err(StoreError::ConditionFailed { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok((applied, summary.into()))
}
