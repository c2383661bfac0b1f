//! `GET /api/invoices/{id}/corrections`: the chain (what it corrects, its corrections with their
//! own states), its standing, its figures with its valid adjustments, and each correction
//! method with one sentence saying why it is or is not available now.

use super::{confirmations, rule_context};
use crate::error::ApiError;
use crate::invoices::{InvoiceRecord, Services, load};
use crate::store::TenantStore;
use hoadon_core::api::corrections::{ActionView, CorrectionsView, FiguresView, LinkView};
use hoadon_core::corrections::adjust::cumulative;
use hoadon_core::corrections::{LinkState, Method};

fn totals(rec: &InvoiceRecord) -> Option<hoadon_core::Totals> {
    hoadon_core::check(&rec.document)
        .invoice
        .map(|i| i.totals())
}

/// Why each method is available, in one sentence (the refusal's own sentence when it is not).
fn allowed_sentence(m: Method) -> (&'static str, &'static str) {
    match m {
        Method::Replacement => (
            "Lập hóa đơn mới thay thế toàn bộ nội dung hóa đơn này (mỗi hóa đơn chỉ thay thế một lần).",
            "Issue a new invoice replacing this one's whole content (an invoice is replaced once).",
        ),
        Method::Adjustment => (
            "Lập hóa đơn điều chỉnh tăng, giảm hoặc điều chỉnh thông tin; có thể điều chỉnh nhiều lần.",
            "Issue an invoice of differences (increase, decrease or information); it can be adjusted several times.",
        ),
        Method::Explanation => (
            "Gửi thông báo 04/SS cho sai sót không ảnh hưởng mã số thuế và số tiền (tên, địa chỉ).",
            "Send a 04/SS for an error that touches neither tax id nor amounts (name, address).",
        ),
        Method::Cancellation => (
            "Hóa đơn lập theo Nghị định 123 (trước 01/06/2025) được hủy bằng thông báo 04/SS.",
            "An invoice issued under Decree 123 (before 1 June 2025) can be cancelled with a 04/SS.",
        ),
    }
}

fn actions(svc: &Services, ts: &TenantStore, rec: &InvoiceRecord) -> Vec<ActionView> {
    let ctx = rule_context(svc, rec);
    let connected = svc.authority(ts.tenant()).is_some();
    [
        Method::Replacement,
        Method::Adjustment,
        Method::Explanation,
        Method::Cancellation,
    ]
    .into_iter()
    .map(|m| {
        let verdict = match &ctx {
            Ok(ctx) => rec.corrections.check(m, ctx).map_err(|r| {
                (r.code.to_owned(), r.message_vi, r.message_en)
            }),
            Err(_) => Err((
                "correction.not_valid".to_owned(),
                "Chỉ hóa đơn đã có hiệu lực mới được điều chỉnh, thay thế hay hủy.".to_owned(),
                "Only a valid invoice can be corrected.".to_owned(),
            )),
        };
        let verdict = match verdict {
            Ok(()) if !connected && matches!(m, Method::Explanation | Method::Cancellation) => Err((
                "authority_not_connected".to_owned(),
                "Thông báo 04/SS gửi qua kết nối với cơ quan thuế, mà đơn vị chưa kết nối.".to_owned(),
                "A 04/SS goes through the connection to the tax authority, which this company does not have.".to_owned(),
            )),
            v => v,
        };
        match verdict {
            Ok(()) => {
                let (vi, en) = allowed_sentence(m);
                ActionView {
                    method: m,
                    allowed: true,
                    code: None,
                    why_vi: vi.into(),
                    why_en: en.into(),
                }
            }
            Err((code, vi, en)) => ActionView {
                method: m,
                allowed: false,
                code: Some(code),
                why_vi: vi,
                why_en: en,
            },
        }
    })
    .collect()
}

pub async fn view(svc: &Services, ts: &TenantStore, id: &str) -> Result<CorrectionsView, ApiError> {
    let (rec, _) = load(ts, id).await?;
    let mut links = Vec::new();
    let mut adjustments = Vec::new();
    for l in &rec.corrections.links {
        let Ok((c, _)) = load(ts, &l.id).await else {
            continue;
        };
        let listed = c.corrects.as_ref().map_or(&[][..], |k| &k.of.list[..]);
        let listed_difference = listed
            .iter()
            .find(|row| row.invoice_id == rec.id)
            .and_then(|row| row.difference);
        // A correction of several invoices counts through its list row, not its whole totals.
        if l.method == Method::Adjustment
            && l.state == LinkState::Valid
            && listed.is_empty()
            && let Some(t) = totals(&c)
        {
            adjustments.push(t);
        }
        let confirmation = match c.corrects.as_ref().and_then(|k| k.confirmation.as_deref()) {
            Some(cid) => confirmations::state(ts, cid).await?,
            None => None,
        };
        links.push(LinkView {
            id: l.id.clone(),
            method: l.method,
            direction: l.direction,
            state: l.state,
            status: c.status,
            symbol: Some(c.document.symbol.clone()),
            number: c.number,
            issue_date: c.document.issue_date.clone(),
            confirmation,
            listed_difference,
        });
    }
    let cumulative = match (adjustments.is_empty(), totals(&rec)) {
        (false, Some(o)) => cumulative(&o, &adjustments)
            .ok()
            .map(|c| FiguresView::from(&c)),
        _ => None,
    };
    Ok(CorrectionsView {
        invoice_id: rec.id.clone(),
        standing: rec.corrections.standing(),
        corrects: rec.corrects.as_ref().map(|c| c.of.clone()),
        links,
        cancelled: rec.corrections.cancelled.clone(),
        notices: rec.corrections.notices.clone(),
        cumulative,
        actions: actions(svc, ts, &rec),
    })
}
