//! Invoice statistics for a period (the Chinese seed's 发票数据统计): counts and VND amounts by
//! platform status, series, VAT rate and customer, over every invoice in the books.

use super::{BookEntry, current_status, entries, period};
use crate::catalogs::{ExportFile, ExportFormat, csv, xlsx};
use crate::error::ApiError;
use crate::store::TenantStore;
use hoadon_core::api::books::{PlatformStatus, StatRow, Stats};
use hoadon_core::money::{Currency, round_money};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Customers listed one by one (the rest are summed as `*`).
const TOP_CUSTOMERS: usize = 20;

#[derive(Default, Clone, Copy)]
struct Sum {
    count: u64,
    net: Decimal,
    vat: Decimal,
    total: Decimal,
}

impl Sum {
    fn add(&mut self, net: Decimal, vat: Decimal, total: Decimal, count: u64) {
        self.count += count;
        self.net = self.net.saturating_add(net);
        self.vat = self.vat.saturating_add(vat);
        self.total = self.total.saturating_add(total);
    }
    fn row(&self, group: String) -> StatRow {
        StatRow {
            group,
            count: self.count,
            net: self.net,
            vat: self.vat,
            total: self.total,
        }
    }
}

/// The entry's amounts in VND (declared, else recomputed), a cancelled invoice's as zero.
fn vnd(e: &BookEntry, amount: Option<Decimal>) -> Decimal {
    let vnd: Currency = "VND".parse().expect("VND is a currency");
    let rate = if e.currency == "VND" {
        Decimal::ONE
    } else {
        e.exchange_rate.unwrap_or(Decimal::ONE)
    };
    amount
        .and_then(|a| a.checked_mul(rate))
        .map(|a| round_money(a, vnd))
        .unwrap_or_default()
}

fn status_name(s: PlatformStatus) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// `GET /api/books/stats?from&to`.
pub async fn stats(ts: &TenantStore, from: &str, to: &str) -> Result<Stats, ApiError> {
    let (from, to) = period(from, to)?;
    let mut by_status: BTreeMap<String, Sum> = BTreeMap::new();
    let mut by_series: BTreeMap<String, Sum> = BTreeMap::new();
    let mut by_rate: BTreeMap<String, Sum> = BTreeMap::new();
    let mut by_customer: BTreeMap<String, Sum> = BTreeMap::new();
    let mut total = Sum::default();
    let mut cursor: Option<String> = None;
    loop {
        let (page, next) = entries(ts, &from, &to, cursor.as_deref(), 500).await?;
        for (e, _) in &page {
            let (status, _) = current_status(ts, e).await?;
            let amounts = |f: fn(&hoadon_core::import::Amounts) -> Option<Decimal>| {
                vnd(e, f(&e.declared).or_else(|| f(&e.recomputed)))
            };
            let (net, vat, sum) = (
                amounts(|a| a.total_before_vat),
                amounts(|a| a.total_vat),
                amounts(|a| a.total),
            );
            // A replaced original counts as such by status, and its replacement carries the
            // figures: like a cancelled one, it is in no other row (no revenue counted twice).
            let replaced = super::replaced_by(ts, e).await?.is_some();
            let group = if replaced && status == PlatformStatus::Original {
                "replaced".to_owned()
            } else {
                status_name(status)
            };
            by_status.entry(group).or_default().add(net, vat, sum, 1);
            if status == PlatformStatus::Cancelled || replaced {
                continue;
            }
            total.add(net, vat, sum, 1);
            by_series
                .entry(format!("{}{}", e.key.form, e.key.symbol))
                .or_default()
                .add(net, vat, sum, 1);
            let who = e
                .buyer
                .tax_id
                .clone()
                .or_else(|| e.buyer.name.clone())
                .unwrap_or_else(|| "—".into());
            by_customer.entry(who).or_default().add(net, vat, sum, 1);
            let rates = if e.declared.rates.is_empty() {
                &e.recomputed.rates
            } else {
                &e.declared.rates
            };
            for (i, r) in rates.iter().enumerate() {
                let (n, v) = (vnd(e, r.net), vnd(e, r.vat));
                by_rate
                    .entry(if r.rate.is_empty() {
                        "—".into()
                    } else {
                        r.rate.clone()
                    })
                    .or_default()
                    .add(n, v, n.saturating_add(v), u64::from(i == 0));
            }
        }
        match next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    let rows = |m: BTreeMap<String, Sum>| m.into_iter().map(|(k, s)| s.row(k)).collect::<Vec<_>>();
    let mut customers = rows(by_customer);
    customers.sort_by(|a, b| b.total.cmp(&a.total).then(a.group.cmp(&b.group)));
    if customers.len() > TOP_CUSTOMERS {
        let mut rest = Sum::default();
        for r in customers.drain(TOP_CUSTOMERS..) {
            rest.add(r.net, r.vat, r.total, r.count);
        }
        customers.push(rest.row("*".into()));
    }
    Ok(Stats {
        from,
        to,
        by_status: rows(by_status),
        by_series: rows(by_series),
        by_rate: rows(by_rate),
        by_customer: customers,
        total: total.row("total".into()),
    })
}

/// `GET /api/books/stats/export`: the statistics as one table (dimension, group, figures).
pub async fn export(
    ts: &TenantStore,
    from: &str,
    to: &str,
    format: ExportFormat,
) -> Result<ExportFile, ApiError> {
    let s = stats(ts, from, to).await?;
    let header = [
        "dimension",
        "group",
        "count",
        "net_vnd",
        "vat_vnd",
        "total_vnd",
    ];
    let mut rows = Vec::new();
    for (dim, list) in [
        ("status", &s.by_status),
        ("series", &s.by_series),
        ("rate", &s.by_rate),
        ("customer", &s.by_customer),
        ("total", &vec![s.total.clone()]),
    ] {
        for r in list {
            rows.push(vec![
                dim.to_owned(),
                r.group.clone(),
                r.count.to_string(),
                r.net.to_string(),
                r.vat.to_string(),
                r.total.to_string(),
            ]);
        }
    }
    let name = format!("invoice-stats-{}-{}", s.from, s.to);
    Ok(match format {
        ExportFormat::Csv => ExportFile {
            content_type: "text/csv; charset=utf-8",
            file_name: format!("{name}.csv"),
            bytes: csv(&header, rows.into_iter()),
        },
        ExportFormat::Xlsx => ExportFile {
            content_type: crate::catalogs::table::XLSX_TYPE,
            file_name: format!("{name}.xlsx"),
            bytes: xlsx(
                "Thống kê",
                &header,
                rows.into_iter().map(|r| {
                    r.into_iter()
                        .enumerate()
                        .map(|(i, v)| (i >= 2, v))
                        .collect()
                }),
            )
            .map_err(|e| ApiError::Internal(e.to_string()))?,
        },
    })
}
