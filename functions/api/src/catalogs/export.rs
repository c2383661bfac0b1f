//! A whole catalog as a file to open in Excel, in a form that imports back unchanged: CSV
//! (UTF-8 with a BOM, without which Excel reads UTF-8 as the ANSI code page and garbles
//! Vietnamese; `,`-separated, which every locale's Excel opens through the import wizard and
//! ours reads back) or `.xlsx`. The header is the field names, or one language's labels on
//! request (import accepts both).

use super::table::{XLSX_TYPE, number_text};
use super::{kind_spec, pk};
use crate::error::ApiError;
use crate::store::TenantStore;
use hoadon_core::catalog::{Field, FieldKind, title};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Deserialize;
use serde_json::{Map, Value};

/// The file format of an export (`?format=`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    #[default]
    Csv,
    Xlsx,
}

/// What the header row says (`?lang=`): the field names when absent, so that files compare
/// across languages and scripts read them; the labels of one language for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HeaderLang {
    Vi,
    En,
}

/// An exported file.
pub struct ExportFile {
    pub content_type: &'static str,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// Every entry of a catalog, in code order.
async fn entries(ts: &TenantStore, kind: &str) -> Result<Vec<Map<String, Value>>, ApiError> {
    let (mut out, mut cursor) = (Vec::new(), None::<String>);
    loop {
        let page = ts.query(&pk(kind), "", cursor.as_deref(), 200).await?;
        for item in &page.items {
            out.push(
                serde_json::from_slice(&item.data)
                    .map_err(|e| ApiError::Internal(e.to_string()))?,
            );
        }
        match page.next {
            Some(n) => cursor = Some(n),
            None => return Ok(out),
        }
    }
}

/// `GET /api/catalogs/{kind}/export`: the catalog as CSV or `.xlsx`.
pub async fn export(
    ts: &TenantStore,
    kind: &str,
    format: ExportFormat,
    lang: Option<HeaderLang>,
) -> Result<ExportFile, ApiError> {
    let fields = kind_spec(kind)?;
    let header: Vec<&str> = fields
        .iter()
        .map(|f| match lang {
            None => f.name,
            Some(HeaderLang::Vi) => f.label_vi,
            Some(HeaderLang::En) => f.label_en,
        })
        .collect();
    let entries = entries(ts, kind).await?;
    let text = |e: &Map<String, Value>, f: &Field| {
        e.get(f.name)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    Ok(match format {
        ExportFormat::Csv => ExportFile {
            content_type: "text/csv; charset=utf-8",
            file_name: format!("{kind}.csv"),
            bytes: csv(
                &header,
                entries
                    .iter()
                    .map(|e| fields.iter().map(|f| text(e, f)).collect()),
            ),
        },
        ExportFormat::Xlsx => {
            let sheet = match lang {
                Some(HeaderLang::En) => title(kind).1,
                _ => title(kind).0,
            };
            let rows = entries.iter().map(|e| {
                fields
                    .iter()
                    .map(|f| (matches!(f.kind, FieldKind::Decimal(_)), text(e, f)))
                    .collect()
            });
            ExportFile {
                content_type: XLSX_TYPE,
                file_name: format!("{kind}.xlsx"),
                bytes: xlsx(sheet, &header, rows).map_err(|e| ApiError::Internal(e.to_string()))?,
            }
        }
    })
}

/// CSV as Excel opens it (UTF-8 with a BOM): the catalogs' and the books' exports.
pub(crate) fn csv(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(header).expect("writing to memory");
    for r in rows {
        w.write_record(&r).expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

/// A sheet with a bold, frozen header row. Cells marked numeric (decimal fields) are number
/// cells (so Excel sums them) when the number reads back as the same text; any other value is
/// a text cell, which keeps the leading zeros of codes and tax ids.
pub(crate) fn xlsx(
    sheet_name: &str,
    header: &[&str],
    rows: impl Iterator<Item = Vec<(bool, String)>>,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name)?;
    let bold = Format::new().set_bold();
    for (c, h) in (0u16..).zip(header) {
        sheet.write_string_with_format(0, c, *h, &bold)?;
    }
    for (r, row) in (1u32..).zip(rows) {
        for (c, (numeric, v)) in (0u16..).zip(row) {
            let number = numeric
                .then(|| v.parse::<f64>().ok())
                .flatten()
                .filter(|n| number_text(*n) == v);
            match number {
                Some(n) => sheet.write_number(r, c, n)?,
                None if v.is_empty() => sheet,
                None => sheet.write_string(r, c, v)?,
            };
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
    book.save_to_buffer()
}
