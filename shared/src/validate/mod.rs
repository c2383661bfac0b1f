//! Validation: a document in, a validated [`Invoice`] or *all* the findings out.
//!
//! Each finding has a stable `code` (clients and tests match on it), the `path` of the field in
//! the JSON document (`lines[2].unit_price`), and a message in Vietnamese and English. Nothing
//! stops at the first problem: a clerk fixing a 40-line invoice sees every mistake at once.

mod checker;
mod declared;
mod labels;
mod line;
mod party;
mod related;

use crate::date::Date;
use crate::model::*;
use crate::money::Currency;
use crate::rules::rules_at;
use crate::totals::{self, Overflow};
use checker::Checker;
pub use checker::xml_char_finding;
use declared::check_declared;
use line::{LineContext, check_line};
use party::check_party;
use related::check_related;
use rust_decimal::Decimal;
use serde::Serialize;

/// How serious a finding is: only errors stop an invoice from being issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem with a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Stable machine code, e.g. `tax_id.check_digit`.
    pub code: &'static str,
    /// Path of the field in the JSON document, e.g. `lines[2].unit_price`.
    pub path: String,
    pub message_vi: String,
    pub message_en: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{sev} {} [{}]: {} / {}",
            self.path, self.code, self.message_vi, self.message_en
        )
    }
}

/// The outcome of [`check`]: the invoice when there is no error, and every finding.
#[derive(Debug, Clone)]
pub struct Checked {
    pub invoice: Option<Invoice>,
    pub findings: Vec<Finding>,
    /// The totals of every line that can be read so far (one without a name or a known nature,
    /// or with figures out of range, counts as nothing), whatever else is wrong: what an editor
    /// shows while the user is still typing, by the same calculation as the invoice's
    /// ([`totals::preview`]). `preview.lines` has one entry per document line. Equal to
    /// `invoice.totals()` whenever the invoice is valid.
    pub preview: crate::Totals,
}

impl Checked {
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
    }
    /// The invoice, or all findings when any of them is an error.
    pub fn into_result(self) -> Result<(Invoice, Vec<Finding>), Vec<Finding>> {
        match self.invoice {
            Some(inv) => Ok((inv, self.findings)),
            None => Err(self.findings),
        }
    }
}

/// Checks a document against every rule and builds the validated invoice.
pub fn check(doc: &InvoiceDocument) -> Checked {
    let mut c = Checker {
        findings: Vec::new(),
    };

    let format = match doc.format_version.as_deref() {
        None => Some(FormatVersion::V2_0_1),
        Some(v) => FormatVersion::parse(v).or_else(|| {
            c.invalid(
                "format_version.unsupported",
                "format_version",
                "hỗ trợ 2.0.0, 2.0.1 và 2.1.0",
                "supported versions are 2.0.0, 2.0.1 and 2.1.0",
            );
            None
        }),
    };

    let issue_date = match doc.issue_date.parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) if doc.issue_date.trim().is_empty() => {
            c.required("issue_date");
            None
        }
        Err(_) => {
            c.invalid(
                "date.format",
                "issue_date",
                "dạng YYYY-MM-DD",
                "use YYYY-MM-DD",
            );
            None
        }
    };

    let form = match FormNumber::parse(doc.form.trim()) {
        Ok(f) => Some(f),
        Err(_) if doc.form.trim().is_empty() => {
            c.required("form");
            None
        }
        Err(_) => {
            c.invalid(
                "form.format",
                "form",
                "một chữ số từ 1 đến 9",
                "one digit from 1 to 9",
            );
            None
        }
    };
    let symbol = match Symbol::parse(doc.symbol.trim()) {
        Ok(s) => Some(s),
        Err(_) if doc.symbol.trim().is_empty() => {
            c.required("symbol");
            None
        }
        Err(_) => {
            c.invalid(
                "symbol.format",
                "symbol",
                "dạng C/K + 2 số của năm + chữ cái loại hóa đơn + 2 ký tự, ví dụ C25TAA",
                "C or K, two digits of the year, a type letter and two characters, e.g. C25TAA",
            );
            None
        }
    };
    if let Some(date) = issue_date {
        let rules = rules_at(date);
        if let Some(f) = form
            && f.get() > rules.max_form
        {
            c.invalid(
                "form.not_in_force",
                "form",
                &format!(
                    "mẫu số {f} chưa được dùng vào ngày {date} ({})",
                    rules.basis
                ),
                &format!("form {f} is not in use on {date} ({})", rules.basis),
            );
        }
        if let Some(s) = symbol {
            if !rules.symbol_letters.contains(s.letter()) {
                c.invalid(
                    "symbol.letter_not_in_force",
                    "symbol",
                    &format!("chữ cái {} chưa được dùng vào ngày {date}", s.letter()),
                    &format!("letter {} is not in use on {date}", s.letter()),
                );
            }
            if u16::from(s.year_digits()) != date.year() % 100 {
                c.invalid(
                    "symbol.year_mismatch",
                    "symbol",
                    &format!(
                        "hai số năm {:02} khác năm lập {}",
                        s.year_digits(),
                        date.year()
                    ),
                    &format!(
                        "its year digits {:02} differ from the issue year {}",
                        s.year_digits(),
                        date.year()
                    ),
                );
            }
        }
    }
    if let (Some(f), Some(s), Some(date)) = (form, symbol, issue_date)
        && !rules_at(date).letter_fits_form(f.get(), s.letter())
    {
        let l = s.letter();
        c.invalid(
            "symbol.form_mismatch",
            "symbol",
            &format!("chữ cái {l} không dùng với mẫu số {f}"),
            &format!("letter {l} does not go with form {f}"),
        );
    }

    let number = doc.number.and_then(|n| match InvoiceNumber::new(n) {
        Ok(n) => Some(n),
        Err(_) => {
            c.invalid(
                "number.range",
                "number",
                "từ 1 đến 99.999.999",
                "from 1 to 99,999,999",
            );
            None
        }
    });

    let currency = match doc.currency.as_deref().map(str::trim) {
        None | Some("") => Some(Currency::VND),
        Some(s) => s.parse::<Currency>().ok().or_else(|| {
            c.invalid(
                "currency.format",
                "currency",
                "mã ISO 4217 gồm 3 chữ in hoa, ví dụ VND",
                "an ISO 4217 code of three capital letters, e.g. VND",
            );
            None
        }),
    };
    let exchange_rate = c.decimal("exchange_rate", doc.exchange_rate, 2);
    match (currency, exchange_rate) {
        (Some(cur), None) if !cur.is_vnd() => c.required("exchange_rate"),
        (Some(cur), Some(r)) if cur.is_vnd() && r != Decimal::ONE => c.invalid(
            "exchange_rate.vnd",
            "exchange_rate",
            "hóa đơn bằng VND có tỷ giá 1",
            "an invoice in VND has exchange rate 1",
        ),
        (_, Some(r)) if r <= Decimal::ZERO || r >= Decimal::from(100_000) => c.invalid(
            "exchange_rate.range",
            "exchange_rate",
            "lớn hơn 0 và tối đa 7 chữ số",
            "greater than 0 with at most 7 digits",
        ),
        _ => {}
    }

    let name = c
        .text("name", &doc.name, 100, false)
        .or_else(|| Some(form?.default_name(&symbol?).to_owned()));
    let payment_method = c.text("payment_method", &doc.payment_method, 50, false);
    let provider_tax_id = c.tax_id("provider_tax_id", &doc.provider_tax_id, false);

    let related = doc
        .related
        .as_ref()
        .and_then(|r| check_related(&mut c, r, issue_date));
    let adjustment = related
        .as_ref()
        .is_some_and(|r| r.kind == Correction::Adjustment);

    let seller = check_party(&mut c, "seller", &doc.seller, true);
    let buyer = check_party(&mut c, "buyer", &doc.buyer, false);

    let currency_for_lines = currency.unwrap_or(Currency::VND);
    let vat_form = form.is_some_and(FormNumber::carries_vat);
    if doc.lines.is_empty() {
        c.error(
            "lines.empty",
            "lines",
            "Hóa đơn phải có ít nhất một dòng hàng hóa, dịch vụ.".into(),
            "An invoice needs at least one line.".into(),
        );
    }
    // A correction carries the rates of the period of the invoice it corrects.
    let rate_date = match &doc.related {
        Some(r) => r.issue_date.parse::<Date>().ok(),
        None => issue_date,
    };
    let context = LineContext {
        currency: currency_for_lines,
        vat_form,
        adjustment,
        rate_date,
    };
    let lines: Vec<Option<Line>> = doc
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| check_line(&mut c, i, l, &context))
        .collect();
    let preview = totals::preview(
        currency_for_lines,
        &lines
            .iter()
            .map(|l| l.as_ref().map(Line::totals_input))
            .collect::<Vec<_>>(),
    );

    let extensions = Extensions {
        general: c.extensions("extensions.general", &doc.extensions.general),
        content: c.extensions("extensions.content", &doc.extensions.content),
        totals: c.extensions("extensions.totals", &doc.extensions.totals),
        document: c.extensions("extensions.document", &doc.extensions.document),
    };
    let data_id = c.text("data_id", &doc.data_id, usize::MAX, false);
    if let Some(id) = &data_id
        && !crate::xml::is_ncname(id)
    {
        c.invalid(
            "data_id.ncname",
            "data_id",
            "chỉ gồm chữ cái, chữ số, '_', '-', '.', bắt đầu bằng chữ cái hoặc '_' (XML NCName)",
            "letters, digits, '_', '-' and '.', starting with a letter or '_' (an XML NCName)",
        );
    }
    let qr_data = c.text("qr_data", &doc.qr_data, usize::MAX, false);
    let authority_code = c.text("authority_code", &doc.authority_code, usize::MAX, false);
    check_unknown(&mut c, &doc.unknown);

    // Totals are computed (and checked against what the sender declared) only once every line
    // is valid.
    let lines: Option<Vec<Line>> = lines.into_iter().collect();
    let totals = lines.as_ref().and_then(|lines| {
        let inputs: Vec<_> = lines.iter().map(Line::totals_input).collect();
        match totals::compute(currency_for_lines, &inputs) {
            Ok(t) => Some(t),
            Err(Overflow::Line(i)) => {
                c.out_of_range(&format!("lines[{i}].amount"));
                None
            }
            Err(Overflow::Totals) => {
                c.out_of_range("lines");
                None
            }
        }
    });
    if let (Some(t), Some(cur), Some(decl)) = (&totals, currency, &doc.declared) {
        check_declared(&mut c, t, cur, decl);
    }
    if let (Some(t), Some(r)) = (&totals, &related) {
        related::check_direction(&mut c, r, t);
    }

    let has_error = c.findings.iter().any(|f| f.severity == Severity::Error);
    let invoice = match (
        has_error, format, name, form, symbol, issue_date, currency, seller, buyer, lines, totals,
    ) {
        (
            false,
            Some(format),
            Some(name),
            Some(form),
            Some(symbol),
            Some(issue_date),
            Some(currency),
            Some(seller),
            Some(buyer),
            Some(lines),
            Some(totals),
        ) => Some(Invoice {
            format,
            name,
            form,
            symbol,
            number,
            issue_date,
            currency,
            exchange_rate,
            payment_method,
            provider_tax_id,
            related,
            seller,
            buyer,
            lines,
            extensions,
            data_id: data_id.unwrap_or_else(|| derived_data_id(form, &symbol, number)),
            qr_data,
            authority_code,
            unknown: doc.unknown.clone(),
            negative_words: doc.negative_words.unwrap_or_default(),
            totals,
        }),
        _ => None,
    };
    Checked {
        invoice,
        findings: c.findings,
        preview,
    }
}

/// Unknown elements are written back verbatim, so each must be one well-formed element that
/// XML can carry: otherwise a client could inject markup (or a second `DLHDon`) into the file.
fn check_unknown(c: &mut Checker, unknown: &[UnknownElement]) {
    for (i, u) in unknown.iter().enumerate() {
        let path = format!("unknown[{i}].xml");
        c.xml_chars(&path, &u.xml);
        if !one_element(&u.xml) {
            c.invalid(
                "unknown.malformed",
                &path,
                "phải là đúng một phần tử XML hợp lệ",
                "it must be exactly one well-formed XML element",
            );
        }
    }
}

/// Whether `xml` is exactly one well-formed element (blank text around it allowed).
#[cfg(not(target_arch = "wasm32"))]
fn one_element(xml: &str) -> bool {
    let blank = |nodes: &[crate::xml::dom::Node]| {
        nodes
            .iter()
            .all(|n| matches!(n, crate::xml::dom::Node::Text(t) if t.trim().is_empty()))
    };
    crate::xml::dom::parse(xml).is_ok_and(|d| blank(&d.before) && blank(&d.after))
        && !xml.to_ascii_lowercase().contains("<?xml")
}

/// In the browser no document carries unknown elements (the app sends `DraftInput`s, which
/// cannot, and shows the server's composed documents, which never do), and linking the XML
/// parser only to prove it would cost the first load ~11 KB brotli. So the browser refuses any
/// unknown element rather than judge it: stricter, never looser, than the server.
#[cfg(target_arch = "wasm32")]
fn one_element(_xml: &str) -> bool {
    false
}

#[cfg(test)]
mod tests;
