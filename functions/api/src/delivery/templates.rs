//! Templates per series, versioned: every save is a new immutable version
//! (`TPL / <series>#<version>`), the series' current one is `TPLCUR / <series>`. An invoice
//! records the current version when it is issued and always prints with it, so a template
//! changed later never changes how an issued invoice looks.

use crate::error::ApiError;
use crate::invoices::{Services, from_item};
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_core::api::delivery::{Template, TemplateView};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Stored {
    version: u32,
    template: Template,
    updated_at: i64,
    updated_by: String,
}

fn version_key(series: &str, version: u32) -> String {
    format!("{series}#{version:06}")
}

fn view(series: &str, s: Stored) -> TemplateView {
    TemplateView {
        series: series.to_owned(),
        version: s.version,
        template: s.template,
        updated_at: Some(s.updated_at),
        updated_by: Some(s.updated_by),
    }
}

fn builtin(series: &str) -> TemplateView {
    TemplateView {
        series: series.to_owned(),
        version: 0,
        template: Template::default(),
        updated_at: None,
        updated_by: None,
    }
}

/// `404` unless the tenant has `series` (`<form><symbol>`).
pub async fn require_series(ts: &TenantStore, series: &str) -> Result<(), ApiError> {
    match ts.get("SERIES", series).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::NotFound),
    }
}

/// The series' current template (the built-in one, version 0, until an admin saves one).
pub async fn current(ts: &TenantStore, series: &str) -> Result<TemplateView, ApiError> {
    match ts.get("TPLCUR", series).await? {
        Some(item) => Ok(view(series, from_item(&item)?)),
        None => Ok(builtin(series)),
    }
}

/// The series' current version number (0: the built-in), what an invoice being issued records.
pub async fn current_version(ts: &TenantStore, series: &str) -> Result<u32, ApiError> {
    Ok(current(ts, series).await?.version)
}

/// One version of the series' template (0: the built-in).
pub async fn at(ts: &TenantStore, series: &str, version: u32) -> Result<TemplateView, ApiError> {
    if version == 0 {
        return Ok(builtin(series));
    }
    let item = ts
        .get("TPL", &version_key(series, version))
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(view(series, from_item(&item)?))
}

/// The series' versions, newest first.
pub async fn history(ts: &TenantStore, series: &str) -> Result<Vec<TemplateView>, ApiError> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = ts
            .query("TPL", &format!("{series}#"), cursor.as_deref(), 200)
            .await?;
        for item in &page.items {
            out.push(view(series, from_item(item)?));
        }
        match page.next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    out.reverse();
    Ok(out)
}

/// The findings of a template, `422 validation_failed` naming each field.
pub fn check(t: &Template) -> Result<(), ApiError> {
    let problems = t.problems();
    if problems.is_empty() {
        return Ok(());
    }
    Err(ApiError::Validation(
        problems
            .into_iter()
            .map(|(field, vi, en)| {
                hoadon_core::catalog::error(
                    "template.invalid",
                    field.to_owned(),
                    vi.to_owned(),
                    en.to_owned(),
                )
            })
            .collect(),
    ))
}

/// Saves `template` as the series' next version (admins). `expected`: the version the admin
/// edited (`409 version_conflict` when another save came first).
pub async fn save(
    svc: &Services,
    ts: &TenantStore,
    series: &str,
    template: Template,
    expected: Option<u32>,
    actor: &str,
) -> Result<TemplateView, ApiError> {
    check(&template)?;
    require_series(ts, series).await?;
    let cur_item = ts.get("TPLCUR", series).await?;
    let cur = match &cur_item {
        Some(item) => from_item::<Stored>(item)?.version,
        None => 0,
    };
    if expected.is_some_and(|e| e != cur) {
        let now = current(ts, series).await?;
        return Err(ApiError::VersionConflict(Box::new(
            serde_json::to_value(now).unwrap_or_default(),
        )));
    }
    let stored = Stored {
        version: cur + 1,
        template,
        updated_at: svc.clock.now(),
        updated_by: actor.to_owned(),
    };
    let data = serde_json::to_vec(&stored).expect("templates serialize");
    let ops = vec![
        Op::Put {
            key: ts.key("TPLCUR", series),
            data: data.clone(),
            condition: match &cur_item {
                Some(item) => Condition::Version(item.version),
                None => Condition::NotExists,
            },
        },
        Op::Put {
            key: ts.key("TPL", version_key(series, stored.version)),
            data,
            condition: Condition::NotExists,
        },
    ];
    match ts.transact(ops).await {
        Ok(_) => {
            tracing::info!(
                event = "template.saved",
                tenant = ts.tenant(),
                series,
                version = stored.version,
                actor
            );
            Ok(view(series, stored))
        }
        Err(StoreError::ConditionFailed { .. }) => {
            let now = current(ts, series).await?;
            Err(ApiError::VersionConflict(Box::new(
                serde_json::to_value(now).unwrap_or_default(),
            )))
        }
        Err(e) => Err(e.into()),
    }
}
