//! Corrections of issued invoices: replacement and adjustment drafts composed from the stored
//! original, the original's chain moved in the same transaction as each step of its correction
//! (drafted, numbered, valid, rejected, revised), dated cancellation with its 04/SS, and the
//! view of the chain with what is available and why. What is *allowed* is decided by the core
//! ([`hoadon_core::corrections`]); this module persists and orchestrates.
//!
//! The related invoice (`TTHDLQuan`) is never a client's: it is composed here from the stored
//! original (form, symbol, number, date) when the correction draft is created and kept on the
//! draft's record ([`Corrects`]), so a client can neither invent an invoice to "replace" nor
//! point a correction elsewhere later.

mod confirmations;
mod list;
mod view;

pub use confirmations::{
    confirm_public, create_confirmation, get_confirmation, public_confirmation, record_document,
    revoke_confirmation,
};
pub use view::view;

use crate::error::ApiError;
use crate::invoices::{self, InvoiceRecord, Services, audit_with, load, to_json};
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_core::Date;
use hoadon_core::api::InvoiceView;
use hoadon_core::api::corrections::{CorrectionOf, CorrectionRequest};
use hoadon_core::corrections::{Direction, LinkState, Method, Refused, RuleContext, statement};
use hoadon_core::model::{DraftInput, RelatedInvoiceDocument};
use serde::{Deserialize, Serialize};

/// What a correction draft corrects (stored on its record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Corrects {
    pub of: CorrectionOf,
    /// `TTHDLQuan`, composed from the original when the draft was created.
    pub related: RelatedInvoiceDocument,
    /// The buyer's confirmation, once requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<String>,
    /// Its state, kept with the record by every confirmation step (what the list filters on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation_state: Option<hoadon_core::corrections::ConfirmationState>,
}

/// A refusal of the core's correction rules as the API's typed error: `409` when the invoice's
/// state refuses it, `422` when a rule does.
pub fn refused(r: Refused) -> ApiError {
    let conflict = matches!(
        r.code,
        "correction.already_replaced"
            | "correction.method_fixed"
            | "correction.cancelled"
            | "correction.state"
            | "correction.numbered"
    );
    let message = format!("{} / {}", r.message_vi, r.message_en);
    if conflict {
        ApiError::Conflict(r.code, message)
    } else {
        ApiError::Unprocessable(r.code, message)
    }
}

/// What the rules must know of `original` today. An invoice that is not issued (a draft, or one
/// not yet valid) is only ever refused as `correction.not_valid`, whatever its draft date says.
pub(crate) fn rule_context(
    svc: &Services,
    original: &InvoiceRecord,
) -> Result<RuleContext, ApiError> {
    let d = &original.document;
    let today = svc.clock.now_vn().date;
    let coded = invoices::authority::coded(original);
    let valid = original.number.is_some() && original.status.deliverable(coded);
    let original_date = match d.issue_date.trim().parse::<Date>() {
        Ok(date) => date,
        Err(_) if !valid => today,
        Err(_) => return Err(ApiError::Internal("an issued invoice's date".into())),
    };
    Ok(RuleContext {
        original_date,
        today,
        original_valid: valid,
        symbol_letter: d.symbol.trim().chars().nth(3).unwrap_or(' '),
        is_correction: original.corrects.is_some(),
    })
}

/// The date rules keyed on "the correction's date" read: the correction's own issue date (what
/// it will be issued as), today while it has none that parses.
pub(crate) fn correction_date(svc: &Services, rec: &InvoiceRecord) -> Date {
    rec.document
        .issue_date
        .trim()
        .parse()
        .unwrap_or_else(|_| svc.clock.now_vn().date)
}

/// [`rule_context`] of `original` for the correction `rec`: its procedure rules on the
/// correction's own date.
pub(crate) fn context_for(
    svc: &Services,
    original: &InvoiceRecord,
    rec: &InvoiceRecord,
) -> Result<RuleContext, ApiError> {
    let mut ctx = rule_context(svc, original)?;
    ctx.today = correction_date(svc, rec);
    Ok(ctx)
}

fn check_reason(reason: &str, max: usize) -> Result<String, ApiError> {
    let r = reason.trim();
    if r.is_empty() || r.chars().count() > max || r.chars().any(char::is_control) {
        return Err(ApiError::Unprocessable(
            "correction.reason",
            format!(
                "Lý do: bắt buộc, tối đa {max} ký tự / reason: required, at most {max} characters"
            ),
        ));
    }
    Ok(r.to_owned())
}

/// `TTHDLQuan` for a correction of `original`.
fn related_of(
    original: &InvoiceRecord,
    method: Method,
    direction: Option<Direction>,
    reason: &str,
) -> Result<RelatedInvoiceDocument, ApiError> {
    let d = &original.document;
    let number = original
        .number
        .ok_or_else(|| ApiError::Internal("an issued invoice without a number".into()))?
        .to_string();
    let date: Date = d
        .issue_date
        .trim()
        .parse()
        .map_err(|_| ApiError::Internal("an issued invoice's date".into()))?;
    let said = statement(
        method,
        direction,
        d.form.trim(),
        d.symbol.trim(),
        &number,
        date,
    );
    let note: String = format!("{said}. {reason}").chars().take(255).collect();
    Ok(RelatedInvoiceDocument {
        kind: if method == Method::Replacement { 1 } else { 2 },
        // LHDCLQuan 1: an e-invoice under Decree 123 (hoadon issues nothing else).
        regime: 1,
        form: d.form.trim().to_owned(),
        symbol: d.symbol.trim().to_owned(),
        number,
        issue_date: date.to_string(),
        note: Some(note),
        direction: direction.map(Direction::code),
    })
}

/// The new draft's content: a replacement starts as the original (full content, dated today),
/// an adjustment with the original's header and buyer and no lines (the differences are typed).
fn draft_of(original: &InvoiceRecord, method: Method, today: Date) -> DraftInput {
    let mut input = DraftInput::from_document(&original.document);
    input.issue_date = today.to_string();
    input.declared = None;
    if method == Method::Adjustment {
        input.lines.clear();
        input.extensions = Default::default();
    }
    input
}

/// The correction's series: the original's symbol carries its year (`C25TAB`), so a correction
/// made in a later year goes to the same symbol of this year (`C26TAB`) when the seller has that
/// series; otherwise the original's symbol stays and the editor's validation names the problem
/// (the user picks any series of the seller).
async fn this_years_symbol(
    ts: &TenantStore,
    form: &str,
    symbol: &str,
    today: Date,
) -> Result<String, ApiError> {
    let yy = format!("{:02}", today.year() % 100);
    let (Some(head), Some(tail)) = (symbol.get(..1), symbol.get(3..)) else {
        return Ok(symbol.to_owned());
    };
    let current = format!("{head}{yy}{tail}");
    if current == symbol
        || ts
            .get("SERIES", &format!("{form}{current}"))
            .await?
            .is_none()
    {
        return Ok(symbol.to_owned());
    }
    Ok(current)
}

/// `POST /api/invoices/{id}/corrections`: creates the correction draft and records it on the
/// original in one transaction. The client's id makes it idempotent (the same request again
/// answers the same draft, `created = false`); a second replacement, or a correction the rules
/// refuse, is a typed refusal naming the rule.
pub async fn create(
    svc: &Services,
    ts: &TenantStore,
    original_id: &str,
    req: &CorrectionRequest,
    actor: &str,
) -> Result<(InvoiceView, bool), ApiError> {
    if !invoices::drafts_id_ok(&req.id) {
        return Err(ApiError::BadRequest(
            "id: 8 to 64 letters, digits, '-' or '_'".into(),
        ));
    }
    let reason = check_reason(&req.reason, 150)?;
    let direction = match (req.method, req.direction) {
        (Method::Replacement, None) => None,
        (Method::Adjustment, Some(d)) => Some(d),
        (Method::Adjustment, None) => {
            return Err(ApiError::Unprocessable(
                "correction.direction",
                "Hóa đơn điều chỉnh phải chọn tăng, giảm hay điều chỉnh thông tin / an \
                 adjustment needs its direction (increase, decrease or information)"
                    .into(),
            ));
        }
        (Method::Replacement, Some(_)) => {
            return Err(ApiError::Unprocessable(
                "correction.direction",
                "Hóa đơn thay thế không có hướng điều chỉnh / a replacement has no direction"
                    .into(),
            ));
        }
        _ => {
            return Err(refused(Refused {
                code: "correction.method",
                message_vi: "Chỉ thay thế hoặc điều chỉnh tạo hóa đơn mới; hủy và thông báo sai sót có thao tác riêng.".into(),
                message_en: "Only a replacement or an adjustment makes a new invoice; cancel and notify have their own actions.".into(),
            }));
        }
    };
    for _ in 0..5 {
        let (mut original, version) = load(ts, original_id).await?;
        // The same request again (a retry, a double click): its draft.
        if let Ok((existing, v)) = load(ts, &req.id).await {
            return match &existing.corrects {
                Some(c) if c.of.invoice_id == original_id && c.of.method == req.method => {
                    Ok((invoices::view(&existing, v), false))
                }
                _ => Err(ApiError::IdTaken),
            };
        }
        let ctx = rule_context(svc, &original)?;
        original
            .corrections
            .begin(&req.id, req.method, direction, &ctx)
            .map_err(refused)?;
        let others = list::covered(
            svc, ts, &original, &req.also, &req.id, req.method, direction,
        )
        .await?;
        let mut related = related_of(&original, req.method, direction, &reason)?;
        let mut listed = Vec::new();
        if !others.is_empty() {
            listed.push(list::listed(&original, req.difference));
            listed.extend(others.iter().map(|(.., l)| l.clone()));
            let with = format!(
                "{} (kèm bảng kê 01/BK-ĐCTT: {} hóa đơn)",
                related.note.as_deref().unwrap_or_default(),
                listed.len()
            );
            related.note = Some(with.chars().take(255).collect());
        }
        let corrects = Corrects {
            of: CorrectionOf {
                invoice_id: original_id.to_owned(),
                method: req.method,
                direction,
                reason: reason.clone(),
                list: listed,
            },
            related,
            confirmation: None,
            confirmation_state: None,
        };
        let mut input = draft_of(&original, req.method, ctx.today);
        input.symbol = this_years_symbol(ts, &input.form, &input.symbol, ctx.today).await?;
        let document = invoices::compose_draft(svc, ts, &input, Some(&corrects), None).await?;
        let now = svc.clock.now();
        let mut draft = invoices::new_record(&req.id, document, now, actor, None);
        draft.corrects = Some(corrects);
        let a_draft = audit_with(
            ts,
            &mut draft,
            actor,
            "draft_created",
            Some(format!("{} of {original_id}", req.method.label_en())),
        );
        let mut ops = vec![
            Op::Put {
                key: ts.key("INV", &req.id),
                data: to_json(&draft),
                condition: Condition::NotExists,
            },
            a_draft,
        ];
        // Every invoice it corrects records it, at the version read.
        let mut originals = vec![(original, version)];
        originals.extend(others.into_iter().map(|(r, v, _)| (r, v)));
        for (mut o, v) in originals {
            o.updated_at = now;
            let a = audit_with(
                ts,
                &mut o,
                actor,
                "correction_drafted",
                Some(format!("{} {}", req.method.label_en(), req.id)),
            );
            ops.push(Op::Put {
                key: ts.key("INV", &o.id),
                data: to_json(&o),
                condition: Condition::Version(v),
            });
            ops.push(a);
        }
        match ts.transact(ops).await {
            Ok(v) => {
                tracing::info!(event = "invoice.correction_drafted", tenant = ts.tenant(), invoice_id = %req.id, original = %original_id);
                return Ok((invoices::view(&draft, v[0]), true));
            }
            // The id was taken meanwhile, or the original moved (another correction): look again.
            Err(StoreError::ConditionFailed { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable(
        "the invoice kept changing; retry".into(),
    ))
}

/// The operations that move the original of correction `rec` to `to`, for the same transaction
/// as the correction's own step (none when `rec` corrects nothing, or the original is there
/// already). Numbering (`Pending` from a draft) checks the rules again: the original may have
/// been corrected another way since the draft was made.
pub(crate) async fn original_ops(
    svc: &Services,
    ts: &TenantStore,
    rec: &InvoiceRecord,
    to: LinkState,
    actor: &str,
) -> Result<Vec<Op>, ApiError> {
    let Some(c) = &rec.corrects else {
        return Ok(Vec::new());
    };
    let mut ops = Vec::new();
    for id in c.of.originals() {
        let (mut original, version) = load(ts, id).await?;
        let before = original.corrections.clone();
        if to == LinkState::Pending {
            let ctx = context_for(svc, &original, rec)?;
            original
                .corrections
                .number(&rec.id, &ctx)
                .map_err(refused)?;
        } else {
            original.corrections.advance(&rec.id, to).map_err(refused)?;
        }
        if original.corrections == before {
            continue;
        }
        original.updated_at = svc.clock.now();
        let action = match to {
            LinkState::Pending => "correction_numbered",
            LinkState::Valid => "correction_valid",
            LinkState::Rejected => "correction_rejected",
            LinkState::Draft => "correction_drafted",
        };
        let standing = original.corrections.standing().as_str();
        let a = audit_with(
            ts,
            &mut original,
            actor,
            action,
            Some(format!(
                "{} {} → {standing}",
                c.of.method.label_en(),
                rec.id
            )),
        );
        if to == LinkState::Valid {
            ops.push(crate::events::op(
                ts,
                &original,
                "invoice.corrected",
                &original.audit_seq.to_string(),
                Some(format!("{} {}", c.of.method.label_en(), rec.id)),
                svc.clock.now_ms(),
            ));
        }
        ops.push(Op::Put {
            key: ts.key("INV", id),
            data: to_json(&original),
            condition: Condition::Version(version),
        });
        ops.push(a);
    }
    Ok(ops)
}

/// How many invoices `rec` corrects (what its transactions also write).
pub(crate) fn originals_count(rec: &InvoiceRecord) -> usize {
    rec.corrects.as_ref().map_or(0, |c| c.of.originals().len())
}

/// Whether a correction invoice is valid once in `status` (signed for an uncoded series, coded
/// for a coded one) — when its original moves to replaced / adjusted.
pub(crate) fn becomes_valid(rec: &InvoiceRecord) -> bool {
    rec.corrects.is_some() && rec.status.deliverable(invoices::authority::coded(rec))
}

/// `POST /api/invoices/{id}/cancel`: where the dated rules allow it (an invoice of the Decree
/// 123 era), a 04/SS with `TCTBao` = 1 is signed and sent and the invoice is cancelled as of
/// its date, in the notice's transaction. Elsewhere the core's refusal names the rule.
pub async fn cancel(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    reason: &str,
    ground: hoadon_core::corrections::CancelGround,
) -> Result<hoadon_core::api::corrections::CorrectionsView, ApiError> {
    let reason = check_reason(reason, 200)?;
    let (rec, _) = load(ts, id).await?;
    let ctx = rule_context(svc, &rec)?;
    // Refused here with the rule's own words before anything is signed.
    rec.corrections
        .check(Method::Cancellation, &ctx)
        .map_err(refused)?;
    crate::authority::notices::create_with(
        svc,
        ts,
        Some(ground),
        hoadon_core::api::authority::NoticeInput {
            tax_office_code: String::new(),
            tax_office_name: String::new(),
            place: String::new(),
            kind: None,
            authority_notice_number: None,
            authority_notice_date: None,
            rows: vec![hoadon_core::api::authority::NoticeRowInput {
                invoice_id: id.to_owned(),
                action: Method::Cancellation.notice_action(),
                reason: format!("{}: {reason}", ground.label_vi()),
            }],
        },
    )
    .await?;
    view(svc, ts, id).await
}

/// `POST /api/invoices/{id}/discard`: a correction draft is given up (deleted) and its original
/// forgets it, in one transaction — so a replacement drafted by mistake no longer reserves the
/// invoice. Numbered corrections are never discarded (the series stays gapless).
pub async fn discard(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    actor: &str,
) -> Result<(), ApiError> {
    for _ in 0..5 {
        let (rec, version) = load(ts, id).await?;
        let Some(c) = rec.corrects.clone() else {
            return Err(ApiError::Conflict(
                "correction.not_a_correction",
                "only a correction draft is discarded".into(),
            ));
        };
        if rec.status != invoices::Status::Draft {
            return Err(ApiError::Conflict(
                "correction.numbered",
                "the correction is issued (or frozen for signing) and cannot be discarded".into(),
            ));
        }
        let mut ops = vec![Op::Delete {
            key: ts.key("INV", id),
            condition: Condition::Version(version),
        }];
        // Its confirmation and the buyer's link go with it.
        if let Some(cid) = c.confirmation.as_deref() {
            ops.extend(confirmations::delete_ops(ts, cid).await?);
        }
        for oid in c.of.originals() {
            let (mut original, ov) = load(ts, oid).await?;
            original.corrections.discard(id).map_err(refused)?;
            original.updated_at = svc.clock.now();
            let a = audit_with(
                ts,
                &mut original,
                actor,
                "correction_discarded",
                Some(format!("{} {id}", c.of.method.label_en())),
            );
            ops.push(Op::Put {
                key: ts.key("INV", oid),
                data: to_json(&original),
                condition: Condition::Version(ov),
            });
            ops.push(a);
        }
        match ts.transact(ops).await {
            Ok(_) => return Ok(()),
            Err(StoreError::ConditionFailed { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable(
        "the invoice kept changing; retry".into(),
    ))
}

/// What issuing a correction must find first (the preflight): its buyer's agreement where the
/// rules need it (for the content now), the 04/SS declaring it where the dated rules ask for one,
/// each original still open to this method (checked again, atomically, when the number is
/// taken), and a 01/BK-ĐCTT list allowed on the correction's date whose differences add up. The
/// procedure rules read the correction's own issue date.
pub(crate) async fn preflight(
    svc: &Services,
    ts: &TenantStore,
    rec: &InvoiceRecord,
) -> Result<(), ApiError> {
    let Some(c) = &rec.corrects else {
        return Ok(());
    };
    confirmations::allows_issue(svc, ts, rec).await?;
    for id in c.of.originals() {
        let (o, _) = load(ts, id).await?;
        let mut trial = o.corrections.clone();
        if trial
            .links
            .iter()
            .any(|l| l.id == rec.id && l.state == LinkState::Draft)
        {
            trial
                .number(&rec.id, &context_for(svc, &o, rec)?)
                .map_err(refused)?;
        }
    }
    let (original, _) = load(ts, &c.of.invoice_id).await?;
    let ctx = context_for(svc, &original, rec)?;
    if !c.of.list.is_empty() {
        list::allowed_at(&ctx)?;
        list::differences_add_up(rec, &c.of.list)?;
    }
    use hoadon_core::corrections::rules::{Jurisdiction, Rule, rule_at};
    let row = rule_at(
        Rule::NoticeForCorrection,
        Jurisdiction::Vn,
        ctx.original_date,
        ctx.today,
    );
    let action = c.of.method.notice_action();
    if row.applies && !crate::authority::notices::declared(ts, &c.of.invoice_id, action).await? {
        return Err(ApiError::Unprocessable(
            "correction.notice_required",
            format!(
                "Theo {} (sửa sai trước 01/06/2025): gửi thông báo 04/SS nêu hóa đơn gốc với \
                 cách xử lý {} ({action}) trước khi lập / under {} (corrections before 1 June \
                 2025) a 04/SS naming the original with action {action} comes first",
                row.basis,
                c.of.method.label_vi(),
                row.basis
            ),
        ));
    }
    Ok(())
}
