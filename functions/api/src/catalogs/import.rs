//! Importing a catalog from a CSV or `.xlsx` file ([`super::table`] reads it): the header names
//! the columns (field names, or their Vietnamese or English labels, any case), every row is
//! checked with the catalog's rules, and a file with any bad row writes nothing. Findings are
//! at `rows[i].field` where `i + 2` is the row's line in the file (its row in the sheet), the
//! convention the app uses to show the line.

use super::table::{self, CellProblem, Row, Table};
use super::{check_entry, kind_spec, pk};
use crate::error::ApiError;
use crate::store::{Condition, Op, TenantStore};
use hoadon_core::Finding;
use hoadon_core::catalog::{Field, FieldKind, error as finding};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;

/// Most findings reported for one file: past this the report would be larger than the file
/// and no more useful; the last finding says the list stops.
const MAX_FINDINGS: usize = 1000;

/// A header cell or a label compared as users type them: trimmed, NFC, any case.
fn folded(s: &str) -> String {
    s.trim().nfc().collect::<String>().to_lowercase()
}

/// The field a header cell names: its field name or either of its labels.
pub fn column_field<'a>(fields: &'a [Field], header: &str) -> Option<&'a Field> {
    let h = folded(header);
    fields.iter().find(|f| {
        [f.name, f.label_vi, f.label_en]
            .iter()
            .any(|n| folded(n) == h)
    })
}

/// A number written the way Excel writes it in a locale with a decimal comma (Vietnamese
/// among them), which is when Excel separates CSV fields with `;`: `,` is the decimal
/// separator and `.` only groups thousands, in groups of exactly three digits after a first
/// group of one to three. `68500,5`, `68.500,5` and `68.500` read as 68500.5, 68500.5 and
/// 68500; a value without `,` or `.` is returned as it is (the field's rule then judges it).
/// `None` when the value uses `.` any other way (`68500.5`, `1.5`, `1.50,5`): that is a decimal
/// point from the other convention, and reading it either way could be off by a thousand, so
/// the row gets a finding instead of a guess.
pub fn decimal_comma(value: &str) -> Option<String> {
    let v = value.trim();
    if !v.contains([',', '.']) {
        return Some(v.to_owned());
    }
    let (sign, v) = v.strip_prefix('-').map_or(("", v), |rest| ("-", rest));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (int, frac) = match v.split_once(',') {
        Some((i, f)) if digits(f) => (i, Some(f)),
        Some(_) => return None,
        None => (v, None),
    };
    let mut groups = int.split('.');
    let first = groups.next().unwrap_or_default();
    let rest: Vec<&str> = groups.collect();
    let grouped = (1..=3).contains(&first.len()) && rest.iter().all(|g| g.len() == 3);
    if !digits(first) || !rest.iter().all(|g| digits(g)) || (!rest.is_empty() && !grouped) {
        return None;
    }
    let int: String = std::iter::once(first).chain(rest).collect();
    Some(match frac {
        Some(f) => format!("{sign}{int}.{f}"),
        None => format!("{sign}{int}"),
    })
}

/// The header's columns mapped to fields, or the findings that make the header unusable
/// (a column that is no field, a field named twice). Reported once, at the column's name,
/// rather than on every row.
fn columns<'a>(fields: &'a [Field], header: &Row) -> Result<Vec<&'a Field>, Vec<Finding>> {
    let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
    let mut out = Vec::new();
    let mut findings = Vec::new();
    for cell in &header.cells {
        let text = cell.clone().unwrap_or_default();
        match column_field(fields, &text) {
            Some(f) if out.iter().any(|o: &&Field| o.name == f.name) => findings.push(finding(
                "csv.duplicate_column",
                f.name.to_owned(),
                format!("Cột {} có hai lần ở dòng tiêu đề (dòng {}).", f.name, header.line),
                format!("Column {} appears twice in the header (line {}).", f.name, header.line),
            )),
            Some(f) => out.push(f),
            None => findings.push(finding(
                "unknown_field",
                text.trim().to_owned(),
                format!(
                    "Cột «{}» ở dòng tiêu đề (dòng {}) không phải trường của danh mục này; các trường: {}.",
                    text.trim(),
                    header.line,
                    names.join(", ")
                ),
                format!(
                    "Column “{}” in the header (line {}) is not a field of this catalog; its fields are {}.",
                    text.trim(),
                    header.line,
                    names.join(", ")
                ),
            )),
        }
    }
    if findings.is_empty() {
        Ok(out)
    } else {
        Err(findings)
    }
}

/// The finding for a cell that has no usable text.
fn cell_finding(problem: &CellProblem, path: String) -> Finding {
    match problem {
        CellProblem::Date => finding(
            "xlsx.date",
            path,
            "Ô là ngày tháng; danh mục không có trường ngày.".into(),
            "The cell is a date; no catalog field is a date.".into(),
        ),
        CellProblem::Error(e) => finding(
            "xlsx.error_cell",
            path,
            format!("Ô có lỗi Excel {e}."),
            format!("The cell holds the Excel error {e}."),
        ),
    }
}

/// One data row as an entry, or its findings.
fn check_row(
    fields: &[Field],
    columns: &[&Field],
    row: &Row,
    decimal_comma_numbers: bool,
) -> Result<Map<String, Value>, Vec<Finding>> {
    let i = row.line.saturating_sub(2);
    let prefix = format!("rows[{i}].");
    if row.cells.len() != columns.len() {
        return Err(vec![finding(
            "csv.columns",
            format!("rows[{i}]"),
            format!(
                "Dòng {} có {} cột, tiêu đề có {}.",
                row.line,
                row.cells.len(),
                columns.len()
            ),
            format!(
                "Line {} has {} columns; the header has {}.",
                row.line,
                row.cells.len(),
                columns.len()
            ),
        )]);
    }
    let mut findings = Vec::new();
    let mut obj = Map::new();
    for (field, cell) in columns.iter().zip(&row.cells) {
        let path = format!("{prefix}{}", field.name);
        let text = match cell {
            Err(problem) => {
                findings.push(cell_finding(problem, path));
                continue;
            }
            Ok(t) if decimal_comma_numbers && matches!(field.kind, FieldKind::Decimal(_)) => {
                match decimal_comma(t) {
                    Some(t) => t,
                    None => {
                        findings.push(finding(
                            "decimal.locale",
                            path,
                            format!(
                                "«{}»: tệp phân cách bằng «;» dùng dấu phẩy thập phân và dấu chấm \
                                 nhóm hàng nghìn, ví dụ 68500,5 hoặc 68.500,5.",
                                t.trim()
                            ),
                            format!(
                                "“{}”: a “;”-separated file uses a decimal comma and “.” between \
                                 thousands, e.g. 68500,5 or 68.500,5.",
                                t.trim()
                            ),
                        ));
                        continue;
                    }
                }
            }
            Ok(t) => t.clone(),
        };
        obj.insert(field.name.to_owned(), Value::String(text));
    }
    match check_entry(fields, &obj, &prefix) {
        Ok(entry) if findings.is_empty() => return Ok(entry),
        Ok(_) => {}
        Err(more) => {
            // A cell already reported is not reported again as missing.
            let reported: Vec<String> = findings.iter().map(|f| f.path.clone()).collect();
            findings.extend(more.into_iter().filter(|m| !reported.contains(&m.path)));
        }
    }
    Err(findings)
}

/// An entry and its code.
type Coded = (String, Map<String, Value>);

/// Every row checked; the entries by code, or every finding (at most [`MAX_FINDINGS`]).
fn check_table(fields: &[Field], table: &Table) -> Result<Vec<Coded>, Vec<Finding>> {
    let columns = columns(fields, &table.header)?;
    let mut findings = Vec::new();
    let mut entries = Vec::new();
    let mut seen = HashMap::new();
    for row in &table.rows {
        if findings.len() >= MAX_FINDINGS {
            findings.truncate(MAX_FINDINGS);
            findings.push(finding(
                "import.too_many_findings",
                String::new(),
                format!("Chỉ liệt kê {MAX_FINDINGS} lỗi đầu tiên."),
                format!("Only the first {MAX_FINDINGS} problems are listed."),
            ));
            break;
        }
        match check_row(fields, &columns, row, table.decimal_comma) {
            Err(f) => findings.extend(f),
            Ok(entry) => {
                let code = entry["code"].as_str().expect("required").to_owned();
                if let Some(first) = seen.insert(code.clone(), row.line) {
                    findings.push(finding(
                        "csv.duplicate_code",
                        format!("rows[{}].code", row.line.saturating_sub(2)),
                        format!("Mã {code} đã có ở dòng {first}."),
                        format!("Code {code} already appears on line {first}."),
                    ));
                }
                entries.push((code, entry));
            }
        }
    }
    if findings.is_empty() {
        Ok(entries)
    } else {
        Err(findings)
    }
}

/// Imports a CSV or `.xlsx` file (`content_type` as the client declared it; the bytes decide).
/// Every row is checked first; if any is bad, every finding is returned and nothing is written.
/// Good files are written in transactions as large as the store allows (100 on DynamoDB);
/// existing codes are replaced, so re-running a file is harmless.
pub async fn import(
    ts: &TenantStore,
    kind: &str,
    content_type: Option<&str>,
    bytes: &[u8],
) -> Result<Value, ApiError> {
    let fields = kind_spec(kind)?;
    let table = table::read(bytes, content_type)?;
    let entries = check_table(fields, &table).map_err(ApiError::Validation)?;
    for chunk in entries.chunks(ts.max_transaction_ops()) {
        let ops = chunk
            .iter()
            .map(|(code, e)| Op::Put {
                key: ts.key(&pk(kind), code),
                data: serde_json::to_vec(e).expect("json"),
                condition: Condition::Always,
            })
            .collect();
        ts.transact(ops).await?;
    }
    Ok(json!({ "imported": entries.len() }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hoadon_core::catalog::{KINDS, fields};

    #[test]
    fn decimal_comma_numbers_follow_the_locale_or_are_refused() {
        for (v, read) in [
            ("68500,5", "68500.5"),
            ("68.500,5", "68500.5"),
            ("68.500", "68500"),
            ("1.234.567,25", "1234567.25"),
            ("68500", "68500"),
            ("0,5", "0.5"),
            ("-5,5", "-5.5"),
            ("abc", "abc"),
            (" 12,5 ", "12.5"),
        ] {
            assert_eq!(decimal_comma(v).as_deref(), Some(read), "{v}");
        }
        for v in [
            "68500.5", "1.5", "1.50,5", "1.5000", "68,500.5", "1,", ",5", "1,2,3", ".",
        ] {
            assert_eq!(decimal_comma(v), None, "{v}");
        }
    }

    #[test]
    fn headers_name_fields_or_their_labels_once_per_catalog() {
        let products = fields("products").unwrap();
        for h in [
            "unit_price",
            " UNIT_PRICE ",
            "Đơn giá",
            "đơn giá",
            "Unit price",
        ] {
            assert_eq!(
                column_field(products, h).map(|f| f.name),
                Some("unit_price"),
                "{h}"
            );
        }
        assert!(column_field(products, "colour").is_none());
        // No label of one field is the name or a label of another.
        for kind in KINDS {
            let fs = fields(kind).unwrap();
            for f in fs {
                for n in [f.name, f.label_vi, f.label_en] {
                    assert_eq!(
                        column_field(fs, n).map(|g| g.name),
                        Some(f.name),
                        "{kind}: {n}"
                    );
                }
            }
        }
    }
}
