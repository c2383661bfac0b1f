//! Series: a form + symbol whose numbers start at 1 and run gaplessly (`SERIES / <form><symbol>`).

use super::{from_item, to_json};
use crate::error::ApiError;
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_core::api::SeriesView;

/// The stored series; its wire form is [`SeriesView`].
pub type SeriesRecord = SeriesView;

pub async fn create_series(
    ts: &TenantStore,
    form: &str,
    symbol: &str,
) -> Result<SeriesRecord, ApiError> {
    let mut findings = Vec::new();
    if hoadon_core::model::FormNumber::parse(form).is_err() {
        findings.push("form: one digit from 1 to 9");
    }
    if hoadon_core::model::Symbol::parse(symbol).is_err() {
        findings.push("symbol: C or K, two digits of the year, a type letter and two characters");
    }
    if !findings.is_empty() {
        return Err(ApiError::BadRequest(findings.join("; ")));
    }
    let rec = SeriesRecord {
        form: form.to_owned(),
        symbol: symbol.to_owned(),
        last_number: 0,
        last_date: None,
        signing_mode: Default::default(),
    };
    let op = Op::Put {
        key: ts.key("SERIES", format!("{form}{symbol}")),
        data: to_json(&rec),
        condition: Condition::NotExists,
    };
    match ts.transact(vec![op]).await {
        Ok(_) => Ok(rec),
        Err(StoreError::ConditionFailed { .. }) => Err(ApiError::Exists),
        Err(e) => Err(e.into()),
    }
}

pub async fn list_series(ts: &TenantStore) -> Result<Vec<SeriesRecord>, ApiError> {
    let page = ts.query("SERIES", "", None, 1000).await?;
    page.items.iter().map(from_item).collect()
}

/// Sets how the series' invoices are signed from now on. A mode the tenant cannot sign with
/// here (no remote signing account, no cloud key) is refused now rather than at the next issue;
/// token mode needs nothing yet (the claim checks the token's certificate). Invoices already
/// issued keep the mode they were issued with.
pub async fn set_signing_mode(
    svc: &super::Services,
    ts: &TenantStore,
    series: &str,
    mode: hoadon_core::lifecycle::SigningMode,
    actor: &str,
) -> Result<SeriesRecord, ApiError> {
    if mode != hoadon_core::lifecycle::SigningMode::Token {
        svc.signer_for(ts.tenant(), mode)?;
    }
    for _attempt in 0..5 {
        let item = ts.get("SERIES", series).await?.ok_or(ApiError::NotFound)?;
        let mut rec: SeriesRecord = from_item(&item)?;
        rec.signing_mode = mode;
        let op = Op::Put {
            key: ts.key("SERIES", series),
            data: to_json(&rec),
            condition: Condition::Version(item.version),
        };
        match ts.transact(vec![op]).await {
            Ok(_) => {
                tracing::info!(event = "series.signing_mode", tenant = ts.tenant(), series, mode = ?mode, actor);
                return Ok(rec);
            }
            // Numbering moved the series meanwhile: set it on the new version.
            Err(StoreError::ConditionFailed { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable("the series is busy; retry".into()))
}
