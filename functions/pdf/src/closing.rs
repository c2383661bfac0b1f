//! What follows the totals: the verdict on every signature, the lookup address and code with
//! their QR, the converted copy's signature block and the 01/BK-ĐCTT list.

use crate::blocks::{Text, line_h, para};
use crate::fonts::Weight;
use crate::format::{short_date, signing_time};
use crate::layout::wrap;
use crate::page::{BLACK, MARGIN, PAGE_W, Pages, RED};
use crate::sections::{Setup, WIDTH};
use crate::table::{self, Align, Col, Row};
use crate::{Conversion, ListedInvoice, qr};
use hoadon_core::dsig::SignatureReport;

const GREEN: crate::page::Rgb = (20, 120, 40);

/// Who a signature belongs to, from where it sits in `DSCKS`.
fn role(s: &Setup, location: &str) -> String {
    let last = location.rsplit('/').next().unwrap_or(location);
    match last {
        "NBan" => s.l.inline("Người bán hàng", "Seller"),
        "NMua" => s.l.inline("Người mua hàng", "Buyer"),
        "CQT" => s.l.inline("Cơ quan thuế", "Tax authority"),
        _ => s.l.inline("Chữ ký khác", "Other signature"),
    }
}

/// One box per signature, two per row: valid or not, by whom and when.
pub fn signatures(p: &mut Pages, s: &Setup, reports: &[SignatureReport]) {
    let size = 8.5;
    let lh = line_h(size);
    let gap = 12.0;
    let box_w = (WIDTH - gap) / 2.0;
    let inner = box_w - 12.0;
    if reports.is_empty() {
        para(
            p,
            MARGIN,
            WIDTH,
            &s.l.inline("Hóa đơn không có chữ ký số", "No digital signature"),
            Text::bold(size).colored(RED),
        );
        return;
    }
    for pair in reports.chunks(2) {
        let boxes: Vec<Vec<(String, Weight, crate::page::Rgb)>> = pair
            .iter()
            .map(|r| {
                let mut lines = vec![(role(s, &r.location), Weight::Bold, BLACK)];
                if r.valid {
                    lines.push((
                        "Chữ ký hợp lệ / Signature valid".to_owned(),
                        Weight::Bold,
                        GREEN,
                    ));
                } else {
                    lines.push((
                        "Chữ ký không hợp lệ / Signature not verified".to_owned(),
                        Weight::Bold,
                        RED,
                    ));
                }
                if let Some(signer) = &r.signer {
                    lines.push((format!("Ký bởi: {signer}"), Weight::Regular, BLACK));
                }
                if let Some(t) = &r.signing_time {
                    lines.push((
                        format!("Ký ngày: {}", signing_time(t)),
                        Weight::Regular,
                        BLACK,
                    ));
                }
                if !r.valid {
                    let why = r.failure.as_deref().unwrap_or("không rõ / unknown");
                    lines.push((format!("Lý do: {why}"), Weight::Regular, RED));
                }
                lines
            })
            .collect();
        let shaped: Vec<Vec<_>> = boxes
            .iter()
            .map(|lines| {
                lines
                    .iter()
                    .flat_map(|(text, weight, color)| {
                        let mut wrapped = wrap(p.fonts, text, *weight, size, inner);
                        wrapped.truncate(6);
                        wrapped.into_iter().map(move |l| (l, *color))
                    })
                    .collect()
            })
            .collect();
        let rows = shaped.iter().map(Vec::len).max().unwrap_or(1);
        let h = rows as f32 * lh + 10.0;
        p.ensure(h);
        let top = p.y;
        for (i, lines) in shaped.into_iter().enumerate() {
            // The seller's signature goes right, as on paper; a lone one too.
            let x = if pair.len() == 1 {
                MARGIN + box_w + gap
            } else {
                MARGIN + i as f32 * (box_w + gap)
            };
            let color = if pair[i].valid { GREEN } else { RED };
            for (x1, y1, x2, y2) in [
                (x, top, x + box_w, top),
                (x, top + h, x + box_w, top + h),
                (x, top, x, top + h),
                (x + box_w, top, x + box_w, top + h),
            ] {
                p.line(x1, y1, x2, y2, 0.8, color);
            }
            let mut y = top + 5.0 + size;
            for (line, color) in lines {
                p.text(x + 6.0, y, line, color);
                y += lh;
            }
        }
        p.y = top + h + 8.0;
    }
}

/// "Tra cứu tại: … Mã tra cứu: …" with the QR code beside it.
pub fn lookup(p: &mut Pages, s: &Setup, code: Option<&str>, url: Option<&str>) {
    if code.is_none() && url.is_none() {
        return;
    }
    let qr_size = 72.0;
    let payload = qr::payload(code, url);
    let qr_h: f32 = if payload.is_some() { qr_size } else { 0.0 };
    let size = 8.5;
    p.ensure(qr_h.max(2.0 * line_h(size)) + 4.0);
    let top = p.y;
    let text_w = WIDTH - qr_size - 12.0;
    if let Some(url) = url {
        let line = format!("{}{url}", s.l.field("Tra cứu tại", "Look up at"));
        para(p, MARGIN, text_w, &line, Text::plain(size));
    }
    if let Some(code) = code {
        let line = format!("{}{code}", s.l.field("Mã tra cứu", "Lookup code"));
        para(p, MARGIN, text_w, &line, Text::bold(size));
    }
    if let Some(ops) = payload
        .as_deref()
        .and_then(|data| qr::ops(data, PAGE_W - MARGIN - qr_size, top, qr_size, BLACK))
    {
        for op in ops {
            p.push(op);
        }
        p.y = p.y.max(top + qr_size);
    }
    p.y += 6.0;
}

/// The converted paper copy: who converted it, when, and where they sign.
pub fn conversion(p: &mut Pages, s: &Setup, c: &Conversion) {
    let size = 9.0;
    p.ensure(6.0 * line_h(size) + 30.0);
    let x = MARGIN + WIDTH / 2.0;
    let w = WIDTH / 2.0;
    let centred = |t: Text| t.aligned(Align::Center);
    para(
        p,
        x,
        w,
        &s.l.inline("NGƯỜI CHUYỂN ĐỔI", "CONVERTED BY"),
        centred(Text::bold(size)),
    );
    let line = format!(
        "{}{}",
        s.l.field("Người chuyển đổi", "Converter"),
        c.converter
    );
    para(p, x, w, &line, centred(Text::plain(size)));
    let line = format!(
        "{}{}",
        s.l.field("Ngày chuyển đổi", "Conversion date"),
        short_date(c.date)
    );
    para(p, x, w, &line, centred(Text::plain(size)));
    para(
        p,
        x,
        w,
        &s.l.inline("(Ký, ghi rõ họ tên)", "Signature and full name"),
        centred(Text::plain(8.0)),
    );
    p.y += 30.0;
    let y = p.y;
    p.line(x + 40.0, y, x + w - 40.0, y, 0.5, BLACK);
    p.y += 8.0;
}

/// The 01/BK-ĐCTT list of the invoices one correction covers.
pub fn list(p: &mut Pages, s: &Setup, list: &[ListedInvoice]) {
    if list.is_empty() {
        return;
    }
    p.ensure(80.0);
    p.y += 6.0;
    para(
        p,
        MARGIN,
        WIDTH,
        &s.l.inline(
            "BẢNG KÊ HÓA ĐƠN ĐIỆN TỬ ĐIỀU CHỈNH, THAY THẾ (Mẫu số 01/BK-ĐCTT)",
            "List of corrected invoices",
        ),
        Text::bold(10.0).colored(s.accent).aligned(Align::Center),
    );
    p.y += 4.0;
    let l = s.l;
    let cols = [
        ("STT", "No.", 30.0, Align::Center),
        ("Mẫu số", "Form", 60.0, Align::Center),
        ("Ký hiệu", "Serial", 80.0, Align::Center),
        ("Số hóa đơn", "Invoice no.", 80.0, Align::Center),
        ("Ngày lập", "Date", 90.0, Align::Center),
        ("Chênh lệch", "Difference", WIDTH - 340.0, Align::Right),
    ]
    .map(|(vi, en, width, align)| Col {
        title: l.stacked(vi, en),
        width,
        align,
    });
    let rows = list.iter().enumerate().map(|(i, li)| Row {
        cells: vec![
            (i + 1).to_string(),
            li.form.clone(),
            li.symbol.clone(),
            li.number.clone(),
            li.date.clone(),
            li.difference.clone(),
        ],
        bold: false,
    });
    let style = table::Style::small(s.accent, s.tint);
    table::draw(p, &cols, rows, &style);
    p.y += 6.0;
}
