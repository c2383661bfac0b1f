//! The app's words in Vietnamese and English, and vi-VN number formatting.

use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }
}

/// The label for `key`; an unknown key shows itself (a missing translation is visible).
pub fn text(lang: Lang, key: &'static str) -> &'static str {
    let (vi, en) = match key {
        "lang.switch" => ("English", "Tiếng Việt"),
        "signin.title" => ("Đăng nhập", "Sign in"),
        "signin.email" => ("Thư điện tử", "E-mail"),
        "signin.password" => ("Mật khẩu", "Password"),
        "signin.submit" => ("Đăng nhập", "Sign in"),
        "signout" => ("Đăng xuất", "Sign out"),
        "editor.title" => ("Hóa đơn mới", "New invoice"),
        "form" => ("Mẫu số", "Form"),
        "symbol" => ("Ký hiệu", "Symbol"),
        "issue_date" => ("Ngày lập", "Issue date"),
        "seller" => ("Người bán", "Seller"),
        "buyer" => ("Người mua", "Buyer"),
        "name" => ("Tên", "Name"),
        "tax_id" => ("Mã số thuế", "Tax id"),
        "address" => ("Địa chỉ", "Address"),
        "lines" => ("Hàng hóa, dịch vụ", "Goods and services"),
        "line.name" => ("Tên hàng hóa, dịch vụ", "Description"),
        "line.unit" => ("Đơn vị tính", "Unit"),
        "line.quantity" => ("Số lượng", "Quantity"),
        "line.unit_price" => ("Đơn giá", "Unit price"),
        "line.tax_rate" => ("Thuế suất", "VAT rate"),
        "line.amount" => ("Thành tiền", "Amount"),
        "line.add" => ("Thêm dòng", "Add a line"),
        "line.remove" => ("Xóa dòng", "Remove line"),
        "totals" => ("Tổng cộng", "Totals"),
        "totals.net" => ("Cộng tiền hàng", "Net"),
        "totals.vat" => ("Tiền thuế GTGT", "VAT"),
        "totals.total" => ("Tổng tiền thanh toán", "Total"),
        "totals.words" => ("Số tiền viết bằng chữ", "Amount in words"),
        "save" => ("Lưu nháp", "Save draft"),
        "issue" => ("Phát hành", "Issue"),
        "saved" => ("Đã lưu nháp", "Draft saved"),
        "issued" => ("Đã phát hành và ký số: số", "Issued and signed: number"),
        "download" => ("Tải XML đã ký", "Download the signed XML"),
        "conflict" => (
            "Bản nháp đã bị sửa ở nơi khác; tải lại để xem bản mới nhất.",
            "The draft was edited elsewhere; reload to see the latest version.",
        ),
        _ => (key, key),
    };
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// A money amount as vi-VN writes it: `.` between thousands, `,` before decimals.
pub fn money(d: Decimal) -> String {
    let s = d.abs().to_string();
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(ch);
    }
    if !frac.is_empty() {
        out.push(',');
        out.push_str(frac);
    }
    if d.is_sign_negative() && !d.is_zero() {
        out.insert(0, '-');
    }
    out
}

/// A number as the user typed it, read the way the chosen language writes numbers: Vietnamese
/// `1.234,5` (`.` groups thousands, `,` starts decimals), English `1,234.5`. `None` when empty or
/// not a number (validation then names the field).
pub fn parse_number(lang: Lang, s: &str) -> Option<Decimal> {
    let (group, point) = match lang {
        Lang::Vi => ('.', ','),
        Lang::En => (',', '.'),
    };
    let s: String = s
        .trim()
        .chars()
        .filter(|c| *c != group && !c.is_whitespace())
        .map(|c| if c == point { '.' } else { c })
        .collect();
    if s.is_empty() { None } else { s.parse().ok() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_the_chosen_language_writes_them() {
        let d = |s: &str| Some(s.parse::<Decimal>().unwrap());
        assert_eq!(parse_number(Lang::Vi, "1.234,5"), d("1234.5"));
        assert_eq!(parse_number(Lang::Vi, "18500000"), d("18500000"));
        assert_eq!(parse_number(Lang::En, "1,234.5"), d("1234.5"));
        assert_eq!(parse_number(Lang::En, "1.5"), d("1.5"));
        assert_eq!(parse_number(Lang::Vi, " "), None);
        assert_eq!(parse_number(Lang::En, "abc"), None);
    }

    #[test]
    fn amounts_are_written_the_vietnamese_way() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(money(d("39960000")), "39.960.000");
        assert_eq!(money(d("1234.5")), "1.234,5");
        assert_eq!(money(d("-100")), "-100");
        assert_eq!(money(d("0")), "0");
    }
}
