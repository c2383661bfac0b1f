//! Catalogs: customers, products, units, currencies, payment methods.
//!
//! Each entry is keyed by its `code` (the code an ERP or a clerk already uses: `MKHang` for
//! customers, `MHHDVu` for products), stored at `CAT#<kind> / <code>`. Fields are declared per
//! kind in [`spec`] and checked with the core's rules (tax id check digit, VAT rate, decimals), so
//! an entry that reaches the catalog can go onto an invoice.
//!
//! Files: [`table`] reads what Excel saves (CSV in its encodings and delimiters, `.xlsx`),
//! [`import`] checks every row and writes nothing if any row is bad, [`export`] writes a
//! catalog as CSV or `.xlsx` that imports back unchanged.

mod export;
mod import;
pub mod table;

pub use export::{ExportFile, ExportFormat, HeaderLang, export};
pub(crate) use export::{csv, xlsx};
pub use import::{decimal_comma, import};
pub use table::MAX_FILE_BYTES;

use crate::error::ApiError;
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_core::Finding;
use hoadon_core::api::Page;
use hoadon_core::catalog::{Field, check_value, error as finding, fields as spec};
use serde_json::{Map, Value};

/// Checks one entry with the core's catalog rules; returns it with only known fields, trimmed,
/// or every finding.
fn check_entry(
    fields: &[Field],
    input: &Map<String, Value>,
    prefix: &str,
) -> Result<Map<String, Value>, Vec<Finding>> {
    let mut out = Map::new();
    let mut findings = Vec::new();
    for key in input.keys() {
        if !fields.iter().any(|f| f.name == key) {
            let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
            findings.push(finding(
                "unknown_field",
                format!("{prefix}{key}"),
                format!(
                    "Trường không có trong danh mục này; các trường: {}.",
                    names.join(", ")
                ),
                format!(
                    "Not a field of this catalog; its fields are {}.",
                    names.join(", ")
                ),
            ));
        }
    }
    for field in fields {
        let path = format!("{prefix}{}", field.name);
        let text = match input.get(field.name) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(_) => {
                findings.push(finding(
                    "type",
                    path,
                    "Phải là chuỗi ký tự.".into(),
                    "Must be a string.".into(),
                ));
                continue;
            }
        };
        match check_value(field, text.as_deref(), path) {
            Some(f) => findings.push(f),
            None => {
                if let Some(v) = text {
                    out.insert(field.name.to_owned(), Value::String(v));
                }
            }
        }
    }
    if findings.is_empty() {
        Ok(out)
    } else {
        Err(findings)
    }
}

fn kind_spec(kind: &str) -> Result<&'static [Field], ApiError> {
    spec(kind).ok_or(ApiError::NotFound)
}

fn pk(kind: &str) -> String {
    format!("CAT#{kind}")
}

fn entry_view(item: &crate::store::Item) -> Result<Value, ApiError> {
    let mut v: Value =
        serde_json::from_slice(&item.data).map_err(|e| ApiError::Internal(e.to_string()))?;
    v["version"] = item.version.into();
    Ok(v)
}

fn object(body: Value) -> Result<Map<String, Value>, ApiError> {
    match body {
        Value::Object(m) => Ok(m),
        _ => Err(ApiError::BadRequest(
            "a catalog entry is a JSON object".into(),
        )),
    }
}

pub async fn create(ts: &TenantStore, kind: &str, body: Value) -> Result<Value, ApiError> {
    let entry = check_entry(kind_spec(kind)?, &object(body)?, "").map_err(ApiError::Validation)?;
    let code = entry["code"].as_str().expect("required").to_owned();
    let op = Op::Put {
        key: ts.key(&pk(kind), &code),
        data: serde_json::to_vec(&entry).expect("json"),
        condition: Condition::NotExists,
    };
    match ts.transact(vec![op]).await {
        Ok(v) => {
            let mut e = entry;
            e.insert("version".into(), v[0].into());
            Ok(Value::Object(e))
        }
        Err(StoreError::ConditionFailed { .. }) => Err(ApiError::Exists),
        Err(e) => Err(e.into()),
    }
}

pub async fn get(ts: &TenantStore, kind: &str, code: &str) -> Result<Value, ApiError> {
    kind_spec(kind)?;
    entry_view(&ts.get(&pk(kind), code).await?.ok_or(ApiError::NotFound)?)
}

/// Replaces an entry at the version the client edited (`If-Match`); the code cannot change.
pub async fn update(
    ts: &TenantStore,
    kind: &str,
    code: &str,
    if_match: u64,
    body: Value,
) -> Result<Value, ApiError> {
    let mut body = object(body)?;
    body.insert("code".into(), Value::String(code.to_owned()));
    let entry = check_entry(kind_spec(kind)?, &body, "").map_err(ApiError::Validation)?;
    let op = Op::Put {
        key: ts.key(&pk(kind), code),
        data: serde_json::to_vec(&entry).expect("json"),
        condition: Condition::Version(if_match),
    };
    match ts.transact(vec![op]).await {
        Ok(v) => {
            let mut e = entry;
            e.insert("version".into(), v[0].into());
            Ok(Value::Object(e))
        }
        Err(StoreError::ConditionFailed { .. }) => match ts.get(&pk(kind), code).await? {
            Some(cur) => Err(ApiError::VersionConflict(Box::new(entry_view(&cur)?))),
            None => Err(ApiError::NotFound),
        },
        Err(e) => Err(e.into()),
    }
}

/// Entries in code order, optionally those whose code, name or tax id contains `q`
/// (case-insensitive), a page at a time.
pub async fn list(
    ts: &TenantStore,
    kind: &str,
    q: Option<&str>,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Page<Value>, ApiError> {
    kind_spec(kind)?;
    let q = q.map(str::to_lowercase).filter(|q| !q.is_empty());
    let limit = limit.clamp(1, 200);
    let (mut items, mut next, mut cursor) = (Vec::new(), None, cursor.map(str::to_owned));
    'pages: loop {
        let page = ts.query(&pk(kind), "", cursor.as_deref(), 200).await?;
        for item in &page.items {
            let v = entry_view(item)?;
            let matches = q.as_deref().is_none_or(|q| {
                ["code", "name", "tax_id"]
                    .iter()
                    .any(|f| v[f].as_str().is_some_and(|s| s.to_lowercase().contains(q)))
            });
            if matches {
                if items.len() == limit {
                    next = items
                        .last()
                        .and_then(|l: &Value| l["code"].as_str().map(str::to_owned));
                    break 'pages;
                }
                items.push(v);
            }
        }
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    Ok(Page { items, next })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entries_are_checked_with_the_invoice_rules() {
        let fields = spec("customers").unwrap();
        let bad: Map<String, Value> = serde_json::from_value(json!({
            "code": "KH1", "tax_id": "0109998887", "email": "x", "colour": "red"
        }))
        .unwrap();
        let codes: Vec<(String, &str)> = check_entry(fields, &bad, "")
            .unwrap_err()
            .into_iter()
            .map(|f| (f.path, f.code))
            .collect();
        assert_eq!(
            codes,
            [
                ("colour".to_owned(), "unknown_field"),
                ("name".to_owned(), "required"),
                ("tax_id".to_owned(), "tax_id.check_digit"),
                ("email".to_owned(), "email.format"),
            ]
        );
        let product: Map<String, Value> =
            serde_json::from_value(json!({"code": "P1", "name": "Giấy A4", "unit": "Ram", "unit_price": "68500", "tax_rate": "8%"})).unwrap();
        assert!(check_entry(spec("products").unwrap(), &product, "").is_ok());
    }
}
