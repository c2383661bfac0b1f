//! ERP codes → catalog entries. The mapping table (`ORDMAP / <kind>#<erp code>`, editable)
//! says which catalog code an ERP code stands for; a code it does not list stands for the
//! catalog entry with the same code. A code that is in neither is an error naming it
//! (`order.unmapped`, at its path) — or, if the tenant chose it, the catalog entry is created
//! from the order's data (checked by the catalog's own rules, so a bad tax id is still refused).

use super::OrderRecord;
use crate::error::ApiError;
use crate::invoices::from_item;
use crate::store::{Condition, Op, TenantStore};
use hoadon_core::Finding;
use hoadon_core::api::Page;
use hoadon_core::api::orders::{Mapping, MappingBatch, MappingKind, UnknownCodes};
use hoadon_core::catalog::error as finding;
use serde_json::{Map, Value};
use std::collections::HashMap;

const PK: &str = "ORDMAP";

fn sk(kind: MappingKind, erp_code: &str) -> String {
    format!("{}#{erp_code}", kind.as_str())
}

/// The table, by kind then ERP code.
pub async fn list(
    ts: &TenantStore,
    kind: Option<MappingKind>,
    cursor: Option<String>,
    limit: usize,
) -> Result<Page<Mapping>, ApiError> {
    let prefix = kind.map(|k| format!("{}#", k.as_str())).unwrap_or_default();
    let page = ts.query(PK, &prefix, cursor.as_deref(), limit).await?;
    Ok(Page {
        items: page.items.iter().map(from_item).collect::<Result<_, _>>()?,
        next: page.next,
    })
}

/// Sets rows (each catalog code must exist: a mapping to nothing would fail every order).
pub async fn put(ts: &TenantStore, batch: MappingBatch) -> Result<Vec<Mapping>, ApiError> {
    let mut findings = Vec::new();
    if batch.mappings.is_empty() || batch.mappings.len() > 1000 {
        return Err(ApiError::Validation(vec![finding(
            "order.mappings",
            "mappings".into(),
            "Từ 1 đến 1.000 dòng mỗi lần.".into(),
            "1 to 1,000 rows at a time.".into(),
        )]));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, m) in batch.mappings.iter().enumerate() {
        if !seen.insert((m.kind, m.erp_code.as_str())) {
            findings.push(finding(
                "order.mapping_twice",
                format!("mappings[{i}].erp_code"),
                format!("Mã {} xuất hiện hai lần.", m.erp_code),
                format!("Code {} appears twice.", m.erp_code),
            ));
        }
        for (field, value) in [("erp_code", &m.erp_code), ("catalog_code", &m.catalog_code)] {
            if !super::valid_key_part(value, 50) {
                findings.push(finding(
                    "order.code",
                    format!("mappings[{i}].{field}"),
                    "Mã gồm 1–50 chữ, số, '-', '_', '.' hoặc ':'.".into(),
                    "A code is 1–50 letters, digits, '-', '_', '.' or ':'.".into(),
                ));
            }
        }
        if findings.is_empty()
            && ts
                .get(&format!("CAT#{}", m.kind.catalog()), &m.catalog_code)
                .await?
                .is_none()
        {
            findings.push(finding(
                "order.mapping_target",
                format!("mappings[{i}].catalog_code"),
                format!("Danh mục không có mã {}.", m.catalog_code),
                format!("The catalog has no entry {}.", m.catalog_code),
            ));
        }
    }
    if !findings.is_empty() {
        return Err(ApiError::Validation(findings));
    }
    let ops: Vec<Op> = batch
        .mappings
        .iter()
        .map(|m| Op::Put {
            key: ts.key(PK, sk(m.kind, &m.erp_code)),
            data: serde_json::to_vec(m).expect("mappings serialize"),
            condition: Condition::Always,
        })
        .collect();
    for chunk in ops.chunks(ts.max_transaction_ops().max(1)) {
        ts.transact(chunk.to_vec()).await?;
    }
    Ok(batch.mappings)
}

pub async fn delete(ts: &TenantStore, kind: MappingKind, erp_code: &str) -> Result<(), ApiError> {
    if ts.get(PK, &sk(kind, erp_code)).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    ts.transact(vec![Op::Delete {
        key: ts.key(PK, sk(kind, erp_code)),
        condition: Condition::Always,
    }])
    .await?;
    Ok(())
}

/// The catalog entries the orders' codes stand for.
#[derive(Debug, Default)]
pub struct Resolved {
    pub customer: Map<String, Value>,
    /// By the ERP's product code.
    pub products: HashMap<String, Map<String, Value>>,
}

/// Where an order's fields are in a request: `` for one order, `orders[k].` for several.
pub(crate) fn prefix(orders: usize, k: usize) -> String {
    if orders > 1 {
        format!("orders[{k}].")
    } else {
        String::new()
    }
}

/// Maps the customer and every product code of `orders` (one customer: the caller checked),
/// creating catalog entries when `unknown` allows it. Every problem at once, each at its path.
pub async fn resolve(
    ts: &TenantStore,
    orders: &[OrderRecord],
    unknown: UnknownCodes,
) -> Result<Resolved, ApiError> {
    let mut findings = Vec::new();
    let mut out = Resolved::default();
    let first = &orders[0].order;
    let c = &first.customer;
    let customer_data = [
        ("name", c.name.clone()),
        ("tax_id", c.tax_id.clone()),
        ("address", c.address.clone()),
        ("email", c.email.clone()),
        ("contact_name", c.contact_name.clone()),
    ];
    if let Some(e) = entry(
        ts,
        MappingKind::Customer,
        &c.code,
        unknown,
        &customer_data,
        &format!("{}customer", prefix(orders.len(), 0)),
        &mut findings,
    )
    .await?
    {
        out.customer = e;
    }
    for (k, rec) in orders.iter().enumerate() {
        for (i, line) in rec.order.lines.iter().enumerate() {
            if out.products.contains_key(&line.product_code) {
                continue;
            }
            let data = [
                ("name", line.name.clone()),
                ("unit", line.unit.clone()),
                (
                    "unit_price",
                    line.unit_price.map(|p| p.normalize().to_string()),
                ),
                ("tax_rate", line.tax_rate.clone()),
            ];
            let path = format!("{}lines[{i}]", prefix(orders.len(), k));
            if let Some(e) = entry(
                ts,
                MappingKind::Product,
                &line.product_code,
                unknown,
                &data,
                &path,
                &mut findings,
            )
            .await?
            {
                out.products.insert(line.product_code.clone(), e);
            }
        }
    }
    if findings.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::Validation(findings))
    }
}

/// One code: the mapped (or same-code) catalog entry, or a new one, or a finding at the ERP's
/// code field (`customer.code`, `lines[i].product_code`) or at what creating it lacked
/// (`customer.name`, `lines[i].unit`).
async fn entry(
    ts: &TenantStore,
    kind: MappingKind,
    erp_code: &str,
    unknown: UnknownCodes,
    data: &[(&str, Option<String>)],
    path: &str,
    findings: &mut Vec<Finding>,
) -> Result<Option<Map<String, Value>>, ApiError> {
    let code_path = match kind {
        MappingKind::Customer => format!("{path}.code"),
        MappingKind::Product => format!("{path}.product_code"),
    };
    let mapped = match ts.get(PK, &sk(kind, erp_code)).await? {
        Some(item) => from_item::<Mapping>(&item)?.catalog_code,
        None => erp_code.to_owned(),
    };
    match crate::catalogs::get(ts, kind.catalog(), &mapped).await {
        Ok(Value::Object(map)) => return Ok(Some(map)),
        Ok(_) => {
            return Err(ApiError::Internal(
                "a catalog entry is not an object".into(),
            ));
        }
        Err(ApiError::NotFound) => {}
        Err(e) => return Err(e),
    }
    if unknown == UnknownCodes::Refuse || mapped != erp_code {
        findings.push(finding(
            "order.unmapped",
            code_path,
            format!(
                "Mã {erp_code} của ERP không có trong bảng ánh xạ hay danh mục {}.",
                if kind == MappingKind::Customer {
                    "khách hàng"
                } else {
                    "hàng hóa"
                }
            ),
            format!(
                "The ERP's code {erp_code} is neither in the mapping table nor in the {} catalog.",
                kind.catalog()
            ),
        ));
        return Ok(None);
    }
    // Create it from the order's data, under the ERP's code, with the catalog's rules.
    let mut body = Map::new();
    body.insert("code".into(), Value::String(erp_code.to_owned()));
    for (field, value) in data {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            body.insert((*field).into(), Value::String(v.to_owned()));
        }
    }
    match crate::catalogs::create(ts, kind.catalog(), Value::Object(body)).await {
        Ok(Value::Object(map)) => Ok(Some(map)),
        Ok(_) => Err(ApiError::Internal(
            "a catalog entry is not an object".into(),
        )),
        // Created meanwhile by a racing order: use it.
        Err(ApiError::Exists) => match crate::catalogs::get(ts, kind.catalog(), erp_code).await? {
            Value::Object(map) => Ok(Some(map)),
            _ => Err(ApiError::Internal(
                "a catalog entry is not an object".into(),
            )),
        },
        Err(ApiError::Validation(fs)) => {
            findings.extend(fs.into_iter().map(|mut f| {
                f.path = format!("{path}.{}", f.path);
                f
            }));
            Ok(None)
        }
        Err(e) => Err(e),
    }
}
