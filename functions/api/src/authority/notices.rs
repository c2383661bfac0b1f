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
use hoadon_core::Date;
use hoadon_core::api::Page;
use hoadon_core::api::authority::{NoticeInput, NoticeState, NoticeView, Subject};
use hoadon_core::corrections::{CancelGround, Cancellation, Method};
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

pub async fn signed(ts: &TenantStore, id: &str) -> Result<String, ApiError> {
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

/// Most rows one notice carries: each writes its invoice and an audit entry in the notice's
/// transaction (2 × 45 + the notice + the outbox's items stay within 100 operations).
const MAX_ROWS: usize = 45;

fn text(name: &str, v: &str, max: usize) -> Result<(), ApiError> {
    if v.trim().is_empty() || v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(ApiError::Unprocessable(
            "notice.invalid",
            format!("{name}: required, at most {max} characters, no control characters"),
        ));
    }
    Ok(())
}

/// `value`, or the company profile's when left empty.
fn or_profile(value: &str, profile: &Option<String>, name: &str) -> Result<String, ApiError> {
    let v = if value.trim().is_empty() {
        profile.as_deref().unwrap_or_default()
    } else {
        value
    };
    if v.trim().is_empty() {
        return Err(ApiError::Unprocessable(
            "notice.invalid",
            format!(
                "{name}: nhập vào đây hoặc vào hồ sơ đơn vị / give it here or in the company                  profile"
            ),
        ));
    }
    Ok(v.trim().to_owned())
}

/// Whether a notice naming invoice `id` with action `action` was sent (and not refused); the
/// notices that named it are kept on the invoice.
pub async fn declared(ts: &TenantStore, id: &str, action: u8) -> Result<bool, ApiError> {
    for n in load(ts, id).await?.0.corrections.notices {
        let (r, _) = record(ts, &n).await?;
        let names = r
            .input
            .rows
            .iter()
            .any(|row| row.invoice_id == id && row.action == action);
        if names && r.state != NoticeState::Refused {
            return Ok(true);
        }
    }
    Ok(false)
}

/// What a row's action is, as a correction method (`TCTBao`: 1 cancel, 2 adjust, 3 replace,
/// 4 explain).
fn method_of(action: u8) -> Option<Method> {
    match action {
        1 => Some(Method::Cancellation),
        2 => Some(Method::Adjustment),
        3 => Some(Method::Replacement),
        4 => Some(Method::Explanation),
        _ => None,
    }
}

/// Composes, signs and sends a 04/SS. Each row is checked against the invoice's corrections by
/// the core's rules: a cancellation only where the dated rules allow it (and the invoice is
/// cancelled, as of the notice's date, in the notice's own transaction), an explanation of an
/// invoice still standing, an adjustment or replacement declared for one that may be (or is
/// being) corrected that way.
pub async fn create(
    svc: &Services,
    ts: &TenantStore,
    input: NoticeInput,
) -> Result<NoticeView, ApiError> {
    create_with(svc, ts, None, input).await
}

/// [`create`]; `ground`: why the law allows the cancellations it carries (stated through
/// `POST /api/invoices/{id}/cancel`; a raw notice has none, so it cancels nothing).
pub async fn create_with(
    svc: &Services,
    ts: &TenantStore,
    ground: Option<CancelGround>,
    mut input: NoticeInput,
) -> Result<NoticeView, ApiError> {
    let (profile, _) = crate::profile::current(ts).await?;
    input.tax_office_code = or_profile(
        &input.tax_office_code,
        &profile.tax_office_code,
        "tax_office_code",
    )?;
    input.tax_office_name = or_profile(
        &input.tax_office_name,
        &profile.tax_office_name,
        "tax_office_name",
    )?;
    input.place = or_profile(&input.place, &profile.place_name, "place")?;
    text("tax_office_code", &input.tax_office_code, 5)?;
    text("tax_office_name", &input.tax_office_name, 100)?;
    text("place", &input.place, 50)?;
    let kind = input.kind.unwrap_or(1);
    let (cqt_number, cqt_date) = match kind {
        1 => (None, None),
        2 => {
            let number = input.authority_notice_number.as_deref().unwrap_or_default();
            text("authority_notice_number", number, 30)?;
            let date = input
                .authority_notice_date
                .as_deref()
                .and_then(|d| d.trim().parse::<Date>().ok())
                .ok_or_else(|| {
                    ApiError::Unprocessable(
                        "notice.invalid",
                        "authority_notice_date: the 01/TB-RSĐT's date, YYYY-MM-DD".into(),
                    )
                })?;
            (Some(number.trim().to_owned()), Some(date))
        }
        _ => {
            return Err(ApiError::Unprocessable(
                "notice.invalid",
                "kind: 1 (the seller's own notice) or 2 (an answer to 01/TB-RSĐT)".into(),
            ));
        }
    };
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
    let today = svc.clock.now_vn().date;
    let mut rows = Vec::new();
    // Every invoice named: it records the notice (both ways) in the notice's transaction.
    let mut named = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, row) in input.rows.iter().enumerate() {
        if !seen.insert(row.invoice_id.as_str()) {
            return Err(ApiError::Unprocessable(
                "notice.invalid",
                format!("rows[{i}].invoice_id: the invoice is already in an earlier row"),
            ));
        }
        let Some(method) = method_of(row.action) else {
            return Err(ApiError::Unprocessable(
                "notice.invalid",
                format!("rows[{i}].action: 1 cancel, 2 adjust, 3 replace, 4 explain"),
            ));
        };
        text(&format!("rows[{i}].reason"), &row.reason, 255)?;
        let (mut inv, version) = match load(ts, &row.invoice_id).await {
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
        let ctx = crate::corrections::rule_context(svc, &inv)?;
        let declaring = inv.corrections.links.iter().any(|l| l.method == method);
        match method {
            Method::Cancellation => {
                inv.corrections
                    .cancel(
                        Cancellation {
                            ground,
                            date: today.to_string(),
                            reason: row.reason.trim().to_owned(),
                            notice_id: String::new(),
                        },
                        &ctx,
                    )
                    .map_err(crate::corrections::refused)?;
                if ground.is_none() {
                    return Err(ApiError::Unprocessable(
                        "correction.cancel_ground",
                        format!(
                            "rows[{i}]: hủy hóa đơn qua POST /api/invoices/{{id}}/cancel, nêu căn \
                             cứ (chưa gửi người mua / dịch vụ trả trước bị hủy) / cancel through \
                             POST /api/invoices/{{id}}/cancel, which states the legal ground"
                        ),
                    ));
                }
            }
            Method::Adjustment | Method::Replacement if declaring => {}
            _ => inv
                .corrections
                .check(method, &ctx)
                .map_err(crate::corrections::refused)?,
        }
        named.push((inv.clone(), version, method));
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
            // LADHDDT 1: an e-invoice under Decree 123 (coded or not), as `LHDCLQuan`.
            regime: 1,
            action: row.action,
            reason: row.reason.trim().to_owned(),
        });
    }
    let notice = ErrorNotice {
        version: "2.0.0".into(),
        data_id: "DLTBao".into(),
        kind,
        cqt_notice_number: cqt_number,
        cqt_notice_date: cqt_date,
        tax_office_code: input.tax_office_code.trim().to_owned(),
        tax_office_name: input.tax_office_name.trim().to_owned(),
        taxpayer_name: profile.name.clone(),
        tax_id: Some(
            TaxId::parse(&profile.tax_id)
                .map_err(|_| ApiError::ProfileIncomplete(profile.check()))?,
        ),
        budget_unit: None,
        place: input.place.trim().to_owned(),
        date: today,
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
    // The invoices named record the notice, and the cancelled ones their cancellation, with the
    // notice itself or not at all.
    for (mut inv, version, method) in named {
        if let Some(c) = inv.corrections.cancelled.as_mut() {
            c.notice_id = id.clone();
        }
        inv.corrections.notices.push(id.clone());
        inv.updated_at = now;
        let action = if method == Method::Cancellation {
            "cancelled"
        } else {
            "notice_sent"
        };
        let detail = format!("04/SS {id}: {}", method.label_en());
        let a = crate::invoices::audit_with(ts, &mut inv, "seller", action, Some(detail.clone()));
        if method == Method::Cancellation {
            ops.push(crate::events::op(
                ts,
                &inv,
                "invoice.corrected",
                &inv.audit_seq.to_string(),
                Some(detail),
                now * 1000,
            ));
        }
        ops.push(Op::Put {
            key: ts.key("INV", &inv.id),
            data: crate::invoices::to_json(&inv),
            condition: Condition::Version(version),
        });
        ops.push(a);
    }
    ops.extend(outbox::enqueue_ops(ts, &msg));
    match ts.transact(ops).await {
        Ok(_) => {}
        Err(StoreError::ConditionFailed { .. }) => {
            return Err(ApiError::Conflict(
                "notice.invoice_changed",
                "an invoice of the notice changed meanwhile; send it again".into(),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    outbox::wake(svc, ts, &msg).await;
    Ok(view(rec))
}

/// The operations that take back the cancellations notice `r` made.
async fn uncancel_ops(
    svc: &Services,
    ts: &TenantStore,
    r: &NoticeRecord,
) -> Result<Vec<Op>, ApiError> {
    let mut ops = Vec::new();
    for row in r.input.rows.iter().filter(|row| row.action == 1) {
        let (mut inv, version) = load(ts, &row.invoice_id).await?;
        if inv
            .corrections
            .cancelled
            .as_ref()
            .is_none_or(|c| c.notice_id != r.id)
        {
            continue;
        }
        inv.corrections.cancelled = None;
        inv.updated_at = svc.clock.now();
        let a = crate::invoices::audit_with(
            ts,
            &mut inv,
            "tax-authority",
            "cancellation_refused",
            Some(format!("04/SS {} refused", r.id)),
        );
        ops.push(Op::Put {
            key: ts.key("INV", &inv.id),
            data: crate::invoices::to_json(&inv),
            condition: Condition::Version(version),
        });
        ops.push(a);
    }
    Ok(ops)
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
        let mut ops = vec![Op::Put {
            key: ts.key("NOTICE", id),
            data: serde_json::to_vec(&r).expect("records serialize"),
            condition: Condition::Version(version),
        }];
        // A refused cancellation did not happen: the invoices it cancelled stand again, in the
        // same transaction (never cancelled on one side and not the other).
        if state == S::Refused {
            ops.extend(uncancel_ops(svc, ts, &r).await?);
        }
        match ts.transact(ops).await {
            Ok(_) => break,
            Err(StoreError::ConditionFailed { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok((applied, summary.into()))
}
