//! Validation: a document in, a validated [`Invoice`] or *all* the findings out.
//!
//! Each finding has a stable `code` (clients and tests match on it), the `path` of the field in
//! the JSON document (`lines[2].unit_price`), and a message in Vietnamese and English. Nothing
//! stops at the first problem: a clerk fixing a 40-line invoice sees every mistake at once.

use crate::date::Date;
use crate::model::*;
use crate::money::Currency;
use crate::rules::rules_at;
use crate::totals::{self, LineInput};
use crate::words;
use rust_decimal::Decimal;
use serde::Serialize;

/// How serious a finding is: only errors stop an invoice from being issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
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
    /// The totals of every line that can be read so far (one without a name or a known nature
    /// counts as nothing), whatever else is wrong: what an editor shows while the user is still
    /// typing, by the same calculation as the invoice's. Equal to `invoice.totals()` whenever
    /// the invoice is valid.
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

/// Vietnamese and English names of the fields messages talk about, by the last path segment.
fn label(path: &str) -> (&'static str, &'static str) {
    let last = path.rsplit('.').next().unwrap_or(path);
    let last = last.split('[').next().unwrap_or(last);
    match last {
        "format_version" => ("phiên bản định dạng", "format version"),
        "name" => ("tên", "name"),
        "form" => ("mẫu số hóa đơn", "form number"),
        "symbol" => ("ký hiệu hóa đơn", "invoice symbol"),
        "number" => ("số hóa đơn", "invoice number"),
        "issue_date" => ("ngày lập", "issue date"),
        "currency" => ("đơn vị tiền tệ", "currency"),
        "exchange_rate" => ("tỷ giá", "exchange rate"),
        "payment_method" => ("hình thức thanh toán", "payment method"),
        "provider_tax_id" | "tax_id" => ("mã số thuế", "tax id"),
        "address" => ("địa chỉ", "address"),
        "code" => ("mã", "code"),
        "phone" => ("số điện thoại", "phone number"),
        "email" => ("thư điện tử", "e-mail address"),
        "contact_name" => ("họ tên người mua hàng", "buyer's contact name"),
        "bank_account" => ("số tài khoản ngân hàng", "bank account"),
        "bank_name" => ("tên ngân hàng", "bank name"),
        "fax" => ("số fax", "fax number"),
        "website" => ("website", "website"),
        "citizen_id" => ("số căn cước công dân", "citizen id number"),
        "lines" => ("danh sách hàng hóa, dịch vụ", "list of lines"),
        "nature" => ("tính chất", "line nature"),
        "unit" => ("đơn vị tính", "unit"),
        "quantity" => ("số lượng", "quantity"),
        "unit_price" => ("đơn giá", "unit price"),
        "discount_rate" => ("tỷ lệ chiết khấu", "discount rate"),
        "discount_amount" => ("số tiền chiết khấu", "discount amount"),
        "amount" => ("thành tiền", "amount"),
        "tax_rate" => ("thuế suất", "VAT rate"),
        "kind" => ("tính chất hóa đơn liên quan", "correction kind"),
        "regime" => ("loại hóa đơn liên quan", "regime of the related invoice"),
        "note" => ("ghi chú", "note"),
        "direction" => ("tính chất điều chỉnh", "adjustment direction"),
        "total_before_vat" => ("tổng tiền chưa thuế", "total before VAT"),
        "total_vat" => ("tổng tiền thuế", "total VAT"),
        "trade_discount" => ("tổng tiền chiết khấu thương mại", "total trade discount"),
        "total" => ("tổng tiền thanh toán", "total payable"),
        "total_in_words" => ("số tiền bằng chữ", "amount in words"),
        "net" => (
            "thành tiền chưa thuế của nhóm thuế suất",
            "net of the rate group",
        ),
        "vat" => ("tiền thuế của nhóm thuế suất", "VAT of the rate group"),
        "tax_groups" => ("tổng hợp theo thuế suất", "VAT summary"),
        _ => ("trường", "field"),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

struct Checker {
    findings: Vec<Finding>,
}

impl Checker {
    fn push(&mut self, severity: Severity, code: &'static str, path: &str, vi: String, en: String) {
        self.findings.push(Finding {
            severity,
            code,
            path: path.to_owned(),
            message_vi: vi,
            message_en: en,
        });
    }
    fn error(&mut self, code: &'static str, path: &str, vi: String, en: String) {
        self.push(Severity::Error, code, path, vi, en);
    }
    fn required(&mut self, path: &str) {
        let (vi, en) = label(path);
        self.error(
            "required",
            path,
            format!("Thiếu {vi}."),
            format!("{} is required.", capitalise(en)),
        );
    }
    fn invalid(&mut self, code: &'static str, path: &str, vi_rule: &str, en_rule: &str) {
        let (vi, en) = label(path);
        self.error(
            code,
            path,
            format!("{} không hợp lệ: {vi_rule}.", capitalise(vi)),
            format!("Invalid {en}: {en_rule}."),
        );
    }
    /// A required text: present, not blank, at most `max` characters.
    fn text(
        &mut self,
        path: &str,
        v: &Option<String>,
        max: usize,
        required: bool,
    ) -> Option<String> {
        match v.as_deref().map(str::trim) {
            None | Some("") => {
                if required {
                    self.required(path);
                }
                None
            }
            Some(s) => {
                self.length(path, s, max);
                Some(s.to_owned())
            }
        }
    }
    fn length(&mut self, path: &str, s: &str, max: usize) {
        let n = s.chars().count();
        if n > max {
            let (vi, en) = label(path);
            self.error(
                "too_long",
                path,
                format!("{} dài {n} ký tự, tối đa {max}.", capitalise(vi)),
                format!(
                    "{} is {n} characters long; the maximum is {max}.",
                    capitalise(en)
                ),
            );
        }
    }
    fn tax_id(&mut self, path: &str, v: &Option<String>, required: bool) -> Option<TaxId> {
        let s = self.text(path, v, 14, required)?;
        match TaxId::parse(&s) {
            Ok(t) => Some(t),
            Err(IdError::CheckDigit) => {
                self.invalid(
                    "tax_id.check_digit",
                    path,
                    "chữ số kiểm tra (chữ số thứ 10) không đúng",
                    "the check digit (10th digit) is wrong",
                );
                None
            }
            Err(_) => {
                self.invalid(
                    "tax_id.format",
                    path,
                    "phải gồm 10 chữ số, 10 chữ số kèm -NNN, hoặc 12 chữ số",
                    "it must be 10 digits, 10 digits with -NNN, or 12 digits",
                );
                None
            }
        }
    }
    /// A decimal with at most `scale` places and 21 significant digits (`decimal(21,6)`).
    fn decimal(&mut self, path: &str, v: Option<Decimal>, scale: u32) -> Option<Decimal> {
        let d = v?.normalize();
        if d.scale() > scale {
            self.invalid(
                "decimal.too_precise",
                path,
                &format!("tối đa {scale} chữ số thập phân"),
                &format!("at most {scale} decimal places"),
            );
        }
        if d.abs() >= Decimal::from(10u64.pow(15)) {
            self.invalid(
                "decimal.too_large",
                path,
                "giá trị quá lớn",
                "the value is too large",
            );
        }
        Some(d)
    }
    fn mismatch(&mut self, path: &str, declared: &str, computed: &str) {
        let (vi, en) = label(path);
        self.error(
            "totals.mismatch",
            path,
            format!(
                "{} ghi {declared} nhưng tính ra {computed}.",
                capitalise(vi)
            ),
            format!(
                "{} says {declared} but the lines give {computed}.",
                capitalise(en)
            ),
        );
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
    if let (Some(f), Some(s)) = (form, symbol) {
        let l = s.letter();
        let consistent = match (f.get(), l) {
            (6, 'N' | 'B') => true,
            (6, _) | (_, 'N' | 'B') => false,
            (7, 'X') => true,
            (7, _) | (_, 'X') => false,
            (3 | 4, l) => l == 'D',
            _ => true,
        };
        if !consistent {
            c.invalid(
                "symbol.form_mismatch",
                "symbol",
                &format!("chữ cái {l} không dùng với mẫu số {f}"),
                &format!("letter {l} does not go with form {f}"),
            );
        }
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
    let lines: Vec<Option<Line>> = doc
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| check_line(&mut c, i, l, currency_for_lines, vat_form, adjustment))
        .collect();
    let preview = totals::compute(
        currency_for_lines,
        &lines
            .iter()
            .flatten()
            .map(Line::totals_input)
            .collect::<Vec<_>>(),
    );

    let mut extensions = doc.extensions.clone();
    for e in extensions
        .general
        .iter_mut()
        .chain(extensions.content.iter_mut())
        .chain(extensions.totals.iter_mut())
        .chain(extensions.document.iter_mut())
    {
        e.field = e.field.trim().to_owned();
    }

    // Totals are checked against what the sender declared only once every line is valid.
    let lines: Option<Vec<Line>> = lines.into_iter().collect();
    if let (Some(lines), Some(cur), Some(decl)) = (&lines, currency, &doc.declared) {
        check_declared(&mut c, lines, cur, decl);
    }

    let has_error = c.findings.iter().any(|f| f.severity == Severity::Error);
    let invoice = match (
        has_error, format, name, form, symbol, issue_date, currency, seller, buyer, lines,
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
            data_id: clean(&doc.data_id).unwrap_or_else(|| derived_data_id(form, &symbol, number)),
            qr_data: clean(&doc.qr_data),
            authority_code: clean(&doc.authority_code),
            unknown: doc.unknown.clone(),
        }),
        _ => None,
    };
    Checked {
        invoice,
        findings: c.findings,
        preview,
    }
}

fn clean(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn check_related(
    c: &mut Checker,
    r: &RelatedInvoiceDocument,
    issue_date: Option<Date>,
) -> Option<RelatedInvoice> {
    let kind = match r.kind {
        1 => Some(Correction::Replacement),
        2 => Some(Correction::Adjustment),
        _ => {
            c.invalid(
                "related.kind",
                "related.kind",
                "1 = thay thế, 2 = điều chỉnh",
                "1 = replacement, 2 = adjustment",
            );
            None
        }
    };
    if !(1..=4).contains(&r.regime) {
        c.invalid(
            "related.regime",
            "related.regime",
            "từ 1 đến 4",
            "from 1 to 4",
        );
    }
    if let Some(d) = r.direction
        && d > 2
    {
        c.invalid(
            "related.direction",
            "related.direction",
            "0 = thông tin, 1 = tăng, 2 = giảm",
            "0 = information, 1 = increase, 2 = decrease",
        );
    }
    let form = c.text("related.form", &Some(r.form.clone()), 11, true);
    let symbol = c.text("related.symbol", &Some(r.symbol.clone()), 8, true);
    let number = c.text("related.number", &Some(r.number.clone()), 8, true);
    let note = c.text("related.note", &r.note, 255, false);
    let date = match r.issue_date.parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            c.invalid(
                "date.format",
                "related.issue_date",
                "dạng YYYY-MM-DD",
                "use YYYY-MM-DD",
            );
            None
        }
    };
    if let (Some(d), Some(issue)) = (date, issue_date)
        && d > issue
    {
        c.invalid(
            "related.date_after_issue",
            "related.issue_date",
            "hóa đơn bị thay thế/điều chỉnh phải lập trước hóa đơn này",
            "the corrected invoice must be older than this one",
        );
    }
    Some(RelatedInvoice {
        kind: kind?,
        regime: r.regime,
        form: form?,
        symbol: symbol?,
        number: number?,
        issue_date: date?,
        note,
        direction: r.direction,
    })
}

fn check_party(c: &mut Checker, who: &str, p: &PartyDocument, seller: bool) -> Option<Party> {
    let path = |f: &str| format!("{who}.{f}");
    let tax_id = c.tax_id(&path("tax_id"), &p.tax_id, seller);
    // A business buyer (one with a tax id) must be named with its address (Decree 123 Art. 10(5)).
    let business = seller || p.tax_id.as_deref().is_some_and(|t| !t.trim().is_empty());
    let name = c.text(&path("name"), &p.name, 400, business);
    let address = c.text(&path("address"), &p.address, 400, business);
    let email = c.text(&path("email"), &p.email, 50, false);
    if let Some(e) = &email
        && !e.split([';', ',']).all(|a| {
            a.trim()
                .split_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
        })
    {
        c.invalid(
            "email.format",
            &path("email"),
            "địa chỉ thư điện tử không đúng dạng",
            "not an e-mail address",
        );
    }
    let party = Party {
        name,
        tax_id,
        address,
        code: c.text(&path("code"), &p.code, 50, false),
        phone: c.text(&path("phone"), &p.phone, 20, false),
        email,
        contact_name: c.text(&path("contact_name"), &p.contact_name, 100, false),
        bank_account: c.text(&path("bank_account"), &p.bank_account, 30, false),
        bank_name: c.text(&path("bank_name"), &p.bank_name, 400, false),
        fax: c.text(&path("fax"), &p.fax, 20, false),
        website: c.text(&path("website"), &p.website, 100, false),
        citizen_id: c.text(&path("citizen_id"), &p.citizen_id, 12, false),
        extensions: p.extensions.clone(),
    };
    Some(party)
}

fn check_line(
    c: &mut Checker,
    i: usize,
    l: &LineDocument,
    currency: Currency,
    vat_form: bool,
    adjustment: bool,
) -> Option<Line> {
    let path = |f: &str| format!("lines[{i}].{f}");
    let nature = LineNature::from_code(l.nature);
    if nature.is_none() {
        c.invalid(
            "line.nature",
            &path("nature"),
            "1 hàng hóa/dịch vụ, 2 khuyến mại, 3 chiết khấu thương mại, 4 ghi chú",
            "1 goods/service, 2 promotion, 3 trade discount, 4 note",
        );
    }
    let name = c.text(&path("name"), &Some(l.name.clone()), 500, true);
    let code = c.text(&path("code"), &l.code, 50, false);
    let quantity = c.decimal(&path("quantity"), l.quantity, 6);
    let unit_price = c.decimal(&path("unit_price"), l.unit_price, 6);
    let discount_rate = c.decimal(&path("discount_rate"), l.discount_rate, 4);
    let discount_amount = c.decimal(&path("discount_amount"), l.discount_amount, 6);
    let declared_amount = c.decimal(&path("amount"), l.amount, 6);
    // A service billed as one amount (rent, management fees: Decree 123 Art. 10(6) exceptions,
    // and real accepted invoices such as sample 13) has neither quantity nor unit price.
    let amount_only = quantity.is_none() && unit_price.is_none() && declared_amount.is_some();
    let goods = nature == Some(LineNature::Goods) && !amount_only;
    let unit = c.text(&path("unit"), &l.unit, 50, goods);
    let tax_rate = l
        .tax_rate
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let tax_rate = tax_rate.and_then(|s| match TaxRate::parse(s) {
        Ok(r) => Some(r),
        Err(_) => {
            c.invalid(
                "tax_rate.invalid",
                &path("tax_rate"),
                "một trong 0%, 5%, 8%, 10%, KCT, KKKNT, KHAC:x%",
                "one of 0%, 5%, 8%, 10%, KCT, KKKNT, KHAC:x%",
            );
            None
        }
    });

    let amount_bearing = matches!(nature, Some(LineNature::Goods | LineNature::TradeDiscount));
    if vat_form && amount_bearing && l.tax_rate.is_none() {
        c.required(&path("tax_rate"));
    }
    match nature {
        Some(LineNature::Goods) if !amount_only => {
            if quantity.is_none() {
                c.required(&path("quantity"));
            }
            if unit_price.is_none() {
                c.required(&path("unit_price"));
            }
        }
        Some(LineNature::TradeDiscount)
            if (quantity.is_none() || unit_price.is_none()) && declared_amount.is_none() =>
        {
            c.required(&path("amount"));
        }
        Some(LineNature::Note) => {
            for (f, v) in [
                ("quantity", quantity),
                ("unit_price", unit_price),
                ("amount", declared_amount),
            ] {
                if v.is_some_and(|v| !v.is_zero()) {
                    c.invalid(
                        "line.note_has_amount",
                        &path(f),
                        "dòng ghi chú không có số lượng, đơn giá hay thành tiền",
                        "a note line carries no quantity, price or amount",
                    );
                }
            }
        }
        _ => {}
    }
    // Negative figures belong to adjustment invoices only (a decrease is written negative).
    for (f, v) in [
        ("quantity", quantity),
        ("unit_price", unit_price),
        ("amount", declared_amount),
    ] {
        if !adjustment && v.is_some_and(|v| v.is_sign_negative() && !v.is_zero()) {
            c.invalid(
                "line.negative",
                &path(f),
                "chỉ hóa đơn điều chỉnh giảm mới có giá trị âm",
                "only an adjustment invoice may carry negative values",
            );
        }
    }
    if let Some(r) = discount_rate
        && (r.is_sign_negative() || r > Decimal::ONE_HUNDRED)
    {
        c.invalid(
            "discount.range",
            &path("discount_rate"),
            "từ 0 đến 100",
            "from 0 to 100",
        );
    }

    let input = LineInput {
        nature: nature.unwrap_or(LineNature::Goods),
        quantity,
        unit_price,
        discount_rate,
        discount_amount,
        amount: declared_amount,
        tax_rate,
    };
    let figures = totals::line_figures(&input, currency);
    if let (Some(q), Some(p), Some(d)) = (quantity, unit_price, figures.discount)
        && d.abs() > (q * p).abs()
    {
        c.invalid(
            "discount.exceeds_amount",
            &path("discount_amount"),
            "chiết khấu lớn hơn số lượng × đơn giá",
            "the discount exceeds quantity × unit price",
        );
    }
    if let (Some(decl), Some(computed)) = (declared_amount, figures.amount)
        && decl != computed
        && quantity.is_some()
        && unit_price.is_some()
    {
        c.mismatch(&path("amount"), &decl.to_string(), &computed.to_string());
    }

    Some(Line {
        nature: nature?,
        code,
        name: name?,
        unit,
        quantity,
        unit_price,
        discount_rate,
        discount_amount: figures.discount,
        amount: figures.amount,
        tax_rate,
        extensions: l.extensions.clone(),
    })
}

/// Compares declared `TToan` figures with the computed ones.
fn check_declared(c: &mut Checker, lines: &[Line], currency: Currency, d: &DeclaredTotals) {
    let inputs: Vec<LineInput> = lines.iter().map(Line::totals_input).collect();
    let t = totals::compute(currency, &inputs);
    let pairs = [
        (
            "declared.total_before_vat",
            d.total_before_vat,
            t.total_before_vat,
        ),
        ("declared.total_vat", d.total_vat, t.total_vat),
        (
            "declared.trade_discount",
            d.trade_discount,
            t.trade_discount,
        ),
        ("declared.total", d.total, t.total),
    ];
    for (path, declared, computed) in pairs {
        if let Some(v) = declared
            && v.normalize() != computed
        {
            c.mismatch(path, &v.normalize().to_string(), &computed.to_string());
        }
    }
    for (i, g) in d.tax_groups.iter().enumerate() {
        let rate = TaxRate::parse(&g.rate).ok();
        let path = format!("declared.tax_groups[{i}]");
        match t.groups.iter().find(|x| x.rate == rate) {
            None => c.error(
                "totals.unknown_rate_group",
                &path,
                format!("Không có dòng nào có thuế suất {}.", g.rate),
                format!("No line has the VAT rate {}.", g.rate),
            ),
            Some(x) => {
                for (f, declared, computed) in [("net", g.net, x.net), ("vat", g.vat, x.vat)] {
                    if let Some(v) = declared
                        && v.normalize() != computed
                    {
                        c.mismatch(
                            &format!("{path}.{f}"),
                            &v.normalize().to_string(),
                            &computed.to_string(),
                        );
                    }
                }
            }
        }
    }
    if let Some(w) = &d.total_in_words
        && !words::vi::matches(w, t.total, currency)
    {
        let expected = words::vi::amount_in_words(t.total, currency, &Default::default());
        c.error(
            "totals.words_mismatch",
            "declared.total_in_words",
            format!(
                "Số tiền bằng chữ \"{w}\" không khớp với {}: \"{expected}\".",
                t.total
            ),
            format!(
                "The amount in words \"{w}\" does not read {}: \"{expected}\".",
                t.total
            ),
        );
    }
}
