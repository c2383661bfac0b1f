//! 04/SS rows of an imported notice: what each says about one invoice.

use super::{FileRefusal, InvoiceKey};
use crate::tdiep::ErrorNotice;
use crate::xml::dom::Element;
use serde::{Deserialize, Serialize};

/// What a 04/SS row declares (`TCTBao`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoticeAction {
    /// 1: the invoice is cancelled.
    Cancel,
    /// 2: it is (to be) adjusted.
    Adjust,
    /// 3: it is (to be) replaced.
    Replace,
    /// 4: an explanation.
    Explain,
    /// Another code, kept.
    Other,
}

/// One row of a 04/SS notice, with the key of the invoice it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeRow {
    /// The invoice the row names, under the notice's taxpayer.
    pub key: InvoiceKey,
    pub action: NoticeAction,
    /// The notice's date (`NTBao`): a cancellation takes effect from it.
    pub date: String,
    pub reason: String,
    /// `MCQTCap` / `MCCQT`, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority_code: Option<String>,
}

/// The rows of the 04/SS `TBao` at `tbao`.
pub(super) fn read(tbao: &Element) -> Result<Vec<NoticeRow>, FileRefusal> {
    let n = ErrorNotice::read(tbao).map_err(|e| {
        FileRefusal::new(
            "import.notice",
            format!("Không đọc được thông báo 04/SS: {e}."),
            format!("The 04/SS notice could not be read: {e}."),
        )
    })?;
    let tax_id = n.tax_id.as_ref().map(|t| t.to_string()).ok_or_else(|| {
        FileRefusal::new(
            "import.notice",
            "Thông báo 04/SS không có MST người nộp thuế.",
            "The 04/SS notice names no taxpayer tax id (MST).",
        )
    })?;
    n.rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let key = InvoiceKey::of(&tax_id, &r.form, &r.symbol, &r.number).ok_or_else(|| {
                FileRefusal::new(
                    "import.notice",
                    format!(
                        "Dòng {} của 04/SS: số hóa đơn {:?} không hợp lệ.",
                        i + 1,
                        r.number
                    ),
                    format!(
                        "04/SS row {}: invoice number {:?} is not a number.",
                        i + 1,
                        r.number
                    ),
                )
            })?;
            Ok(NoticeRow {
                key,
                action: match r.action {
                    1 => NoticeAction::Cancel,
                    2 => NoticeAction::Adjust,
                    3 => NoticeAction::Replace,
                    4 => NoticeAction::Explain,
                    _ => NoticeAction::Other,
                },
                date: n.date.to_string(),
                reason: r.reason.clone(),
                authority_code: r.authority_code.clone(),
            })
        })
        .collect()
}
