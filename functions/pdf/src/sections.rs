//! The invoice's own content: header, seller and buyer, the related invoice, the lines and the
//! totals. Everything comes from the validated invoice read from the signed file.

use crate::blocks::{Text, field, line_h, para};
use crate::fonts::Weight;
use crate::format::{amount, long_date, number, short_date};
use crate::labels::L;
use crate::page::{MARGIN, Op, PAGE_W, Pages, Rgb};
use crate::table::{self, Align, Col, Row};
use hoadon_core::Invoice;
use hoadon_core::model::{Correction, LineNature, TaxRate};
use hoadon_core::words::vi::{ViOptions, amount_in_words};

/// Width between the margins.
pub const WIDTH: f32 = PAGE_W - 2.0 * MARGIN;

/// What every section needs besides the invoice.
pub struct Setup<'o> {
    pub l: L,
    pub accent: Rgb,
    /// A light tint of the accent, for table headings.
    pub tint: Rgb,
    pub columns: hoadon_core::api::delivery::Columns,
    /// The logo's size in pixels, when one is drawn.
    pub logo: Option<(u32, u32)>,
    pub converted: bool,
    /// `TgTTTBChu` as the signed file writes it.
    pub words: Option<&'o str>,
}

/// Logo, title, form, symbol, number, date and the authority's code.
pub fn header(p: &mut Pages, s: &Setup, inv: &Invoice) {
    let top = p.y;
    let mut bottom = top;
    let side = 150.0;
    if let Some((w, h)) = s.logo {
        let (bw, bh) = (side - 40.0, 60.0);
        let scale = (bw / w.max(1) as f32).min(bh / h.max(1) as f32);
        let (dw, dh) = (w as f32 * scale, h as f32 * scale);
        p.push(Op::Image {
            x: MARGIN,
            y: top,
            w: dw,
            h: dh,
        });
        bottom = bottom.max(top + dh);
    }
    // The form, symbol and number at the right.
    let right_x = PAGE_W - MARGIN - side;
    for (vi, en, value) in [
        ("Mẫu số", "Form", inv.form().to_string()),
        ("Ký hiệu", "Serial", inv.symbol().to_string()),
        (
            "Số",
            "No.",
            inv.number().map_or_else(String::new, |n| n.to_string()),
        ),
    ] {
        field(p, right_x, side, &s.l.field(vi, en), &value, 9.0, true);
    }
    bottom = bottom.max(p.y);
    // The title and date in the middle.
    p.y = top;
    let mid_x = MARGIN + side;
    let mid_w = WIDTH - 2.0 * side;
    let centred = |t: Text| t.aligned(Align::Center);
    para(
        p,
        mid_x,
        mid_w,
        &inv.name().to_uppercase(),
        centred(Text::bold(14.0).colored(s.accent)),
    );
    if s.l.0 == hoadon_core::api::delivery::Labels::ViEn {
        para(p, mid_x, mid_w, "(INVOICE)", centred(Text::plain(9.0)));
    }
    let mut date = long_date(inv.issue_date());
    if s.l.0 == hoadon_core::api::delivery::Labels::ViEn {
        date = format!("{date} / Date: {}", short_date(inv.issue_date()));
    }
    para(p, mid_x, mid_w, &date, centred(Text::plain(9.0)));
    if let Some(code) = inv.authority_code() {
        let line = format!(
            "{}{code}",
            s.l.field("Mã của cơ quan thuế", "Tax authority code")
        );
        para(p, mid_x, mid_w, &line, centred(Text::plain(8.5)));
    }
    bottom = bottom.max(p.y);
    p.y = bottom + 4.0;
    if s.converted {
        // Full width: the title column is too narrow for it on one line.
        para(
            p,
            MARGIN,
            WIDTH,
            "HÓA ĐƠN CHUYỂN ĐỔI TỪ HÓA ĐƠN ĐIỆN TỬ",
            centred(Text::bold(11.0)),
        );
    }
    p.y += 2.0;
    rule(p, s.accent, 1.0);
}

/// A full-width rule under the cursor.
pub fn rule(p: &mut Pages, color: Rgb, width: f32) {
    let y = p.y;
    p.line(MARGIN, y, PAGE_W - MARGIN, y, width, color);
    p.y += 6.0;
}

/// "Thay thế cho hóa đơn …" / "Điều chỉnh cho hóa đơn …".
pub fn related(p: &mut Pages, s: &Setup, inv: &Invoice) {
    let Some(r) = inv.related() else { return };
    let (vi, en) = match r.kind {
        Correction::Replacement => ("Thay thế cho hóa đơn", "Replacing invoice"),
        Correction::Adjustment => ("Điều chỉnh cho hóa đơn", "Adjusting invoice"),
    };
    let date = short_date(r.issue_date);
    let text = format!(
        "{vi} Mẫu số {} Ký hiệu {} Số {} ngày {date}",
        r.form, r.symbol, r.number
    );
    para(p, MARGIN, WIDTH, &text, Text::bold(9.0));
    if s.l.0 == hoadon_core::api::delivery::Labels::ViEn {
        let text = format!(
            "({en} form {}, serial {}, no. {}, dated {date})",
            r.form, r.symbol, r.number
        );
        para(p, MARGIN, WIDTH, &text, Text::plain(8.0));
    }
    if let Some(note) = r.note.as_deref().filter(|n| !n.trim().is_empty()) {
        para(p, MARGIN, WIDTH, note, Text::plain(8.5));
    }
    p.y += 4.0;
}

/// The seller's and the buyer's blocks.
pub fn parties(p: &mut Pages, s: &Setup, inv: &Invoice) {
    let l = s.l;
    let size = 9.0;
    let seller = inv.seller();
    let f = |p: &mut Pages, vi: &str, en: &str, v: Option<&str>, bold: bool| {
        if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
            field(p, MARGIN, WIDTH, &l.field(vi, en), v, size, bold);
        }
    };
    let tax_id = seller.tax_id.as_ref().map(|t| t.to_string());
    f(p, "Đơn vị bán hàng", "Seller", seller.name.as_deref(), true);
    f(p, "Mã số thuế", "Tax code", tax_id.as_deref(), false);
    f(p, "Địa chỉ", "Address", seller.address.as_deref(), false);
    f(p, "Điện thoại", "Tel", seller.phone.as_deref(), false);
    f(p, "Email", "Email", seller.email.as_deref(), false);
    f(
        p,
        "Số tài khoản",
        "Bank account",
        bank(seller).as_deref(),
        false,
    );
    p.y += 2.0;
    rule(p, s.tint, 0.5);
    let buyer = inv.buyer();
    let tax_id = buyer.tax_id.as_ref().map(|t| t.to_string());
    f(
        p,
        "Họ tên người mua hàng",
        "Buyer",
        buyer.contact_name.as_deref(),
        false,
    );
    f(p, "Tên đơn vị", "Company", buyer.name.as_deref(), true);
    f(p, "Mã số thuế", "Tax code", tax_id.as_deref(), false);
    f(p, "Địa chỉ", "Address", buyer.address.as_deref(), false);
    f(
        p,
        "Số CCCD",
        "Citizen ID",
        buyer.citizen_id.as_deref(),
        false,
    );
    f(
        p,
        "Số tài khoản",
        "Bank account",
        bank(buyer).as_deref(),
        false,
    );
    f(
        p,
        "Hình thức thanh toán",
        "Payment method",
        inv.payment_method(),
        false,
    );
    if !inv.currency().is_vnd() {
        let mut text = inv.currency().code().to_owned();
        if let Some(rate) = inv.exchange_rate() {
            text = format!(
                "{text} – {}{}",
                l.field("Tỷ giá", "Exchange rate"),
                number(rate)
            );
        }
        f(p, "Đồng tiền thanh toán", "Currency", Some(&text), false);
    }
    p.y += 4.0;
}

fn bank(party: &hoadon_core::model::Party) -> Option<String> {
    match (party.bank_account.as_deref(), party.bank_name.as_deref()) {
        (Some(a), Some(n)) => Some(format!("{a} – {n}")),
        (Some(a), None) => Some(a.to_owned()),
        (None, Some(n)) => Some(n.to_owned()),
        (None, None) => None,
    }
}

/// How a rate is printed: "10%", "KCT", "KKKNT", "5,26%".
fn rate_text(rate: Option<TaxRate>) -> String {
    match rate {
        None => String::new(),
        Some(TaxRate::Other(d)) => format!("{}%", number(d)),
        Some(r) => r.to_string(),
    }
}

/// The lines table: STT, (Mã), name, unit, quantity, unit price, (discount), rate, amount.
pub fn lines(p: &mut Pages, s: &Setup, inv: &Invoice) {
    let l = s.l;
    let cur = inv.currency();
    let totals = inv.totals();
    let mut cols = vec![Col {
        title: l.stacked("STT", "No."),
        width: 24.0,
        align: Align::Center,
    }];
    if s.columns.code {
        cols.push(Col {
            title: l.stacked("Mã", "Code"),
            width: 48.0,
            align: Align::Left,
        });
    }
    let name_at = cols.len();
    cols.push(Col {
        title: l.stacked("Tên hàng hóa, dịch vụ", "Description"),
        width: 0.0,
        align: Align::Left,
    });
    let numeric = |vi: &str, en: &str, width: f32| Col {
        title: l.stacked(vi, en),
        width,
        align: Align::Right,
    };
    cols.push(Col {
        title: l.stacked("ĐVT", "Unit"),
        width: 38.0,
        align: Align::Center,
    });
    cols.push(numeric("Số lượng", "Quantity", 46.0));
    cols.push(numeric("Đơn giá", "Unit price", 64.0));
    if s.columns.discount {
        cols.push(numeric("Chiết khấu", "Discount", 58.0));
    }
    cols.push(Col {
        title: l.stacked("Thuế suất", "VAT rate"),
        width: 38.0,
        align: Align::Center,
    });
    cols.push(numeric("Thành tiền", "Amount", 78.0));
    let used: f32 = cols.iter().map(|c| c.width).sum();
    cols[name_at].width = (WIDTH - used).max(60.0);

    let mut stt = 0;
    let rows = inv.lines().iter().enumerate().map(|(i, line)| {
        let figures = totals.lines.get(i).copied();
        let mut cells = Vec::with_capacity(cols.len());
        let note = line.nature == LineNature::Note;
        if note {
            cells.push(String::new());
        } else {
            stt += 1;
            cells.push(stt.to_string());
        }
        if s.columns.code {
            cells.push(line.code.clone().unwrap_or_default());
        }
        let name = match line.nature {
            LineNature::Promotion => format!("{} (Hàng khuyến mại)", line.name),
            LineNature::TradeDiscount if !line.name.to_lowercase().contains("chiết khấu") => {
                format!("{} (Chiết khấu thương mại)", line.name)
            }
            _ => line.name.clone(),
        };
        cells.push(name);
        cells.push(line.unit.clone().unwrap_or_default());
        cells.push(line.quantity.map(number).unwrap_or_default());
        cells.push(line.unit_price.map(number).unwrap_or_default());
        if s.columns.discount {
            let discount = figures.and_then(|f| f.discount).or(line.discount_amount);
            let text = match (line.discount_rate.filter(|r| !r.is_zero()), discount) {
                (Some(r), Some(d)) => format!("{}%\n{}", number(r), amount(d, cur)),
                (None, Some(d)) if !d.is_zero() => amount(d, cur),
                (Some(r), None) => format!("{}%", number(r)),
                _ => String::new(),
            };
            cells.push(text);
        }
        cells.push(rate_text(line.tax_rate));
        let value = figures.and_then(|f| f.amount).or(line.amount);
        let value = match (line.nature, value) {
            // A trade discount reduces the total: printed as the negative it counts as.
            (LineNature::TradeDiscount, Some(v)) if v.is_sign_positive() && !v.is_zero() => {
                amount(-v, cur)
            }
            (_, Some(v)) => amount(v, cur),
            (_, None) => String::new(),
        };
        cells.push(value);
        Row { cells, bold: false }
    });
    let style = table::Style::small(s.accent, s.tint);
    table::draw(p, &cols, rows, &style);
    p.y += 6.0;
}

/// Totals per VAT rate, the grand total and the amount in words.
pub fn totals(p: &mut Pages, s: &Setup, inv: &Invoice) {
    let l = s.l;
    let cur = inv.currency();
    let t = inv.totals();
    let rated: Vec<_> = t.groups.iter().filter(|g| g.rate.is_some()).collect();
    if !rated.is_empty() {
        let w = 110.0;
        let cols = [
            ("Thuế suất", "VAT rate", WIDTH - 3.0 * w, Align::Left),
            ("Cộng tiền hàng", "Net amount", w, Align::Right),
            ("Tiền thuế GTGT", "VAT amount", w, Align::Right),
            ("Cộng", "Total", w, Align::Right),
        ]
        .map(|(vi, en, width, align)| Col {
            title: l.inline(vi, en),
            width,
            align,
        });
        let rows = rated.iter().map(|g| Row {
            cells: vec![
                rate_text(g.rate),
                amount(g.net, cur),
                amount(g.vat, cur),
                amount(g.net + g.vat, cur),
            ],
            bold: false,
        });
        let style = table::Style::small(s.accent, s.tint);
        table::draw(p, &cols, rows, &style);
        p.y += 6.0;
    }
    let mut rows = vec![(
        l.field("Tổng tiền chưa thuế", "Total before VAT"),
        amount(t.total_before_vat, cur),
        false,
    )];
    if !rated.is_empty() {
        rows.push((
            l.field("Tổng tiền thuế GTGT", "Total VAT"),
            amount(t.total_vat, cur),
            false,
        ));
    }
    if !t.trade_discount.is_zero() {
        rows.push((
            l.field("Tổng tiền chiết khấu thương mại", "Trade discount"),
            amount(t.trade_discount, cur),
            false,
        ));
    }
    rows.push((
        l.field("Tổng tiền thanh toán", "Total payment"),
        format!("{} {}", amount(t.total, cur), cur.code()),
        true,
    ));
    let size = 9.0;
    for (label, value, bold) in rows {
        p.ensure(line_h(size));
        let weight = if bold { Weight::Bold } else { Weight::Regular };
        let label = p.fonts.shape(&label, weight, size);
        let value = p.fonts.shape(&value, weight, size);
        let y = p.y + size;
        p.text(
            PAGE_W - MARGIN - 150.0 - label.width - 8.0,
            y,
            label,
            crate::page::BLACK,
        );
        p.text(PAGE_W - MARGIN - value.width, y, value, crate::page::BLACK);
        p.y += line_h(size);
    }
    let words = match s.words.filter(|w| !w.trim().is_empty()) {
        Some(w) => w.to_owned(),
        None => amount_in_words(
            t.total,
            cur,
            &ViOptions {
                negative: inv.negative_words(),
                ..ViOptions::default()
            },
        ),
    };
    p.y += 2.0;
    field(
        p,
        MARGIN,
        WIDTH,
        &l.field("Số tiền viết bằng chữ", "Amount in words"),
        &words,
        size,
        true,
    );
    p.y += 6.0;
}
