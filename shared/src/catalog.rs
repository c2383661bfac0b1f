//! The catalogs' fields and their rules, shared by the server (which refuses a bad entry) and the
//! browser (which shows the same finding while the clerk types): customers, products, units,
//! currencies and payment methods.
//!
//! An entry is a flat map of text values keyed by field name; `code` is always first and
//! required. Values are checked with the invoice's own rules (tax id check digit, VAT rates,
//! decimals, ISO 4217), so an entry that reaches a catalog can go onto an invoice.

use crate::model::{IdError, TaxId, TaxRate};
use crate::money::{Currency, parse_decimal};
use crate::validate::{Finding, Severity, xml_char_finding};

/// How a field's value is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Free text of at most this many characters.
    Text(usize),
    TaxId,
    Email,
    /// A non-negative decimal (`.` before decimals) with at most this many decimals.
    Decimal(u32),
    TaxRate,
    Currency,
}

/// One field of a catalog, with its label in both languages (the app renders forms from this).
#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub kind: FieldKind,
    pub required: bool,
    pub label_vi: &'static str,
    pub label_en: &'static str,
}

/// A field (a `const` constructor for the tables here and in `profile`).
pub(crate) const fn f(
    name: &'static str,
    kind: FieldKind,
    required: bool,
    label_vi: &'static str,
    label_en: &'static str,
) -> Field {
    Field {
        name,
        kind,
        required,
        label_vi,
        label_en,
    }
}

/// The catalogs, in the order screens list them.
pub const KINDS: [&str; 5] = [
    "customers",
    "products",
    "units",
    "currencies",
    "payment_methods",
];

/// The fields of a catalog (`None` for an unknown one). `code` is always first and required.
pub fn fields(kind: &str) -> Option<&'static [Field]> {
    use FieldKind::*;
    const CUSTOMERS: &[Field] = &[
        f("code", Text(50), true, "Mã khách hàng", "Customer code"),
        f("name", Text(400), true, "Tên", "Name"),
        f("tax_id", TaxId, false, "Mã số thuế", "Tax id"),
        f("address", Text(400), false, "Địa chỉ", "Address"),
        f("email", Email, false, "Thư điện tử", "E-mail"),
        f("phone", Text(20), false, "Điện thoại", "Phone"),
        f("contact_name", Text(100), false, "Người liên hệ", "Contact"),
        f(
            "bank_account",
            Text(30),
            false,
            "Số tài khoản",
            "Bank account",
        ),
        f("bank_name", Text(400), false, "Ngân hàng", "Bank"),
    ];
    const PRODUCTS: &[Field] = &[
        f("code", Text(50), true, "Mã hàng", "Product code"),
        f("name", Text(500), true, "Tên hàng hóa, dịch vụ", "Name"),
        f("unit", Text(50), true, "Đơn vị tính", "Unit"),
        f("unit_price", Decimal(6), true, "Đơn giá", "Unit price"),
        f("tax_rate", TaxRate, false, "Thuế suất", "VAT rate"),
        // The books post this product's revenue here (e.g. 5113 for a service) instead of the
        // tenant's default (#18); its digits are checked where a voucher is recorded.
        f(
            "revenue_account",
            Text(10),
            false,
            "Tài khoản doanh thu",
            "Revenue account",
        ),
    ];
    const UNITS: &[Field] = &[
        f("code", Text(50), true, "Mã", "Code"),
        f("name", Text(50), true, "Tên", "Name"),
    ];
    const CURRENCIES: &[Field] = &[
        f("code", Currency, true, "Mã tiền tệ", "Currency code"),
        f("name", Text(100), true, "Tên", "Name"),
        f(
            "exchange_rate",
            Decimal(2),
            false,
            "Tỷ giá",
            "Exchange rate",
        ),
    ];
    const PAYMENT_METHODS: &[Field] = &[
        f("code", Text(20), true, "Mã", "Code"),
        f("name", Text(50), true, "Tên", "Name"),
    ];
    Some(match kind {
        "customers" => CUSTOMERS,
        "products" => PRODUCTS,
        "units" => UNITS,
        "currencies" => CURRENCIES,
        "payment_methods" => PAYMENT_METHODS,
        _ => return None,
    })
}

/// A catalog's name in both languages.
pub fn title(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "customers" => ("Khách hàng", "Customers"),
        "products" => ("Hàng hóa, dịch vụ", "Products"),
        "units" => ("Đơn vị tính", "Units"),
        "currencies" => ("Tiền tệ", "Currencies"),
        "payment_methods" => ("Hình thức thanh toán", "Payment methods"),
        _ => ("?", "?"),
    }
}

/// An error finding at `path`.
pub fn error(code: &'static str, path: String, vi: String, en: String) -> Finding {
    Finding {
        severity: Severity::Error,
        code,
        path,
        message_vi: vi,
        message_en: en,
    }
}

/// Checks one value (already trimmed; `None` when empty) of `field`, reporting at `path`.
pub fn check_value(field: &Field, value: Option<&str>, path: String) -> Option<Finding> {
    let Some(v) = value else {
        return field.required.then(|| {
            error(
                "required",
                path,
                "Bắt buộc nhập.".into(),
                "This field is required.".into(),
            )
        });
    };
    // An entry's text goes onto invoices: refuse what their XML could not carry.
    if let Err(ch) = crate::xml::xml_text_ok(v) {
        return Some(xml_char_finding(path, ch));
    }
    let fixed = |code, vi: &str, en: &str| Some((code, vi.to_owned(), en.to_owned()));
    let problem: Option<(&'static str, String, String)> = match field.kind {
        FieldKind::Text(max) if v.chars().count() > max => Some((
            "too_long",
            format!("Tối đa {max} ký tự."),
            format!("At most {max} characters."),
        )),
        FieldKind::Text(_) => None,
        FieldKind::TaxId => match TaxId::parse(v) {
            Ok(_) => None,
            Err(IdError::CheckDigit) => fixed(
                "tax_id.check_digit",
                "Chữ số kiểm tra của mã số thuế không đúng.",
                "The tax id's check digit is wrong.",
            ),
            Err(_) => fixed(
                "tax_id.format",
                "Mã số thuế gồm 10 chữ số, 10 chữ số kèm -NNN, hoặc 12 chữ số.",
                "A tax id is 10 digits, 10 digits with -NNN, or 12 digits.",
            ),
        },
        FieldKind::Email => (!v
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.')))
        .then(|| {
            fixed(
                "email.format",
                "Địa chỉ thư điện tử không đúng dạng.",
                "Not an e-mail address.",
            )
        })
        .flatten(),
        FieldKind::Decimal(scale) => match parse_decimal(v) {
            Some(d) if !d.is_sign_negative() && d.normalize().scale() <= scale => None,
            _ => fixed(
                "decimal.invalid",
                "Phải là số không âm, dấu chấm thập phân.",
                "Must be a non-negative number with a decimal point.",
            ),
        },
        FieldKind::TaxRate => TaxRate::parse(v)
            .is_err()
            .then(|| {
                fixed(
                    "tax_rate.invalid",
                    "Thuế suất là 0%, 5%, 8%, 10%, KCT, KKKNT hoặc KHAC:x%.",
                    "A VAT rate is 0%, 5%, 8%, 10%, KCT, KKKNT or KHAC:x%.",
                )
            })
            .flatten(),
        FieldKind::Currency => v
            .parse::<Currency>()
            .is_err()
            .then(|| {
                fixed(
                    "currency.format",
                    "Mã tiền tệ ISO 4217 gồm 3 chữ in hoa.",
                    "An ISO 4217 code of three capital letters.",
                )
            })
            .flatten(),
    };
    problem.map(|(code, vi, en)| error(code, path, vi, en))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(kind: &str, name: &str) -> &'static Field {
        fields(kind)
            .unwrap()
            .iter()
            .find(|f| f.name == name)
            .unwrap()
    }

    #[test]
    fn every_catalog_starts_with_a_required_code() {
        for kind in KINDS {
            let first = &fields(kind).unwrap()[0];
            assert_eq!((first.name, first.required), ("code", true), "{kind}");
        }
        assert!(fields("colours").is_none());
    }

    #[test]
    fn values_are_checked_with_the_invoice_rules() {
        let code = |kind, name, v| check_value(field(kind, name), v, name.into()).map(|f| f.code);
        assert_eq!(code("customers", "name", None), Some("required"));
        assert_eq!(code("customers", "tax_id", None), None);
        assert_eq!(
            code("customers", "tax_id", Some("0109998887")),
            Some("tax_id.check_digit")
        );
        assert_eq!(
            code("customers", "tax_id", Some("123")),
            Some("tax_id.format")
        );
        assert_eq!(code("customers", "email", Some("x")), Some("email.format"));
        assert_eq!(code("customers", "email", Some("a@b.vn")), None);
        assert_eq!(code("products", "unit_price", Some("68500")), None);
        assert_eq!(
            code("products", "unit_price", Some("-1")),
            Some("decimal.invalid")
        );
        assert_eq!(code("products", "tax_rate", Some("8%")), None);
        assert_eq!(
            code("products", "tax_rate", Some("7%")),
            Some("tax_rate.invalid")
        );
        assert_eq!(
            code("currencies", "code", Some("usd")),
            Some("currency.format")
        );
        assert_eq!(
            code("units", "name", Some(&"x".repeat(51))),
            Some("too_long")
        );
        for kind in KINDS {
            for f in fields(kind).unwrap() {
                let found = check_value(f, Some("A\u{1}B"), f.name.into()).unwrap();
                assert_eq!(found.code, "text.xml_char", "{kind}.{}", f.name);
                assert!(found.message_en.contains("U+0001") && found.message_vi.contains("U+0001"));
            }
        }
    }
}
