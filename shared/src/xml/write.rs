//! Renders a validated invoice as unsigned GDT XML.
//!
//! Element order follows the reference tables (vn-einvoice §1.3–§1.8); optional elements are
//! omitted when empty; no whitespace is added (a signed file must never be re-indented, so it is
//! never indented in the first place). Unknown elements kept by the reader go back at the end of
//! their parent.

use super::{escape_attr, escape_text};
use crate::model::{Extension, FormatVersion, Invoice, Party};
use crate::totals::Totals;
use crate::words::vi::{ViOptions, amount_in_words};
use rust_decimal::Decimal;

/// The element writer every GDT document shares (invoices here, `tdiep` messages too).
pub(crate) struct W {
    pub(crate) s: String,
}

impl W {
    pub(crate) fn open(&mut self, name: &str) {
        self.s.push('<');
        self.s.push_str(name);
        self.s.push('>');
    }
    pub(crate) fn open_attr(&mut self, name: &str, attr: &str, value: &str) {
        self.s.push('<');
        self.s.push_str(name);
        self.s.push(' ');
        self.s.push_str(attr);
        self.s.push_str("=\"");
        escape_attr(value, &mut self.s);
        self.s.push_str("\">");
    }
    pub(crate) fn close(&mut self, name: &str) {
        self.s.push_str("</");
        self.s.push_str(name);
        self.s.push('>');
    }
    pub(crate) fn leaf(&mut self, name: &str, text: &str) {
        self.open(name);
        escape_text(text, &mut self.s);
        self.close(name);
    }
    pub(crate) fn opt(&mut self, name: &str, text: Option<&str>) {
        if let Some(t) = text {
            self.leaf(name, t);
        }
    }
    pub(crate) fn num(&mut self, name: &str, v: Decimal) {
        self.leaf(name, &v.normalize().to_string());
    }
    pub(crate) fn opt_num(&mut self, name: &str, v: Option<Decimal>) {
        if let Some(v) = v {
            self.num(name, v);
        }
    }
    fn extensions(&mut self, ext: &[Extension]) {
        if ext.is_empty() {
            return;
        }
        self.open("TTKhac");
        for e in ext {
            self.open("TTin");
            self.leaf("TTruong", &e.field);
            self.leaf("KDLieu", &e.data_type);
            self.leaf("DLieu", &e.value);
            self.close("TTin");
        }
        self.close("TTKhac");
    }
    fn unknown(&mut self, inv: &Invoice, parent: &str) {
        for u in inv.unknown.iter().filter(|u| u.parent == parent) {
            self.s.push_str(&u.xml);
        }
    }
}

/// The unsigned `HDon` document, with its XML declaration.
pub fn render(inv: &Invoice) -> String {
    let totals = inv.totals();
    let mut w = W {
        s: String::with_capacity(2048 + 400 * inv.lines.len()),
    };
    w.s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    w.open("HDon");
    w.open_attr("DLHDon", "Id", &inv.data_id);
    general(&mut w, inv);
    w.open("NDHDon");
    party(&mut w, "NBan", &inv.seller, true);
    w.unknown(inv, "NBan");
    w.close("NBan");
    party(&mut w, "NMua", &inv.buyer, false);
    w.unknown(inv, "NMua");
    w.close("NMua");
    lines(&mut w, inv, &totals);
    totals_block(&mut w, inv, &totals);
    w.extensions(&inv.extensions.content);
    w.unknown(inv, "NDHDon");
    w.close("NDHDon");
    w.extensions(&inv.extensions.document);
    w.unknown(inv, "DLHDon");
    w.close("DLHDon");
    w.opt("DLQRCode", inv.qr_data.as_deref());
    w.opt("MCCQT", inv.authority_code.as_deref());
    // Start and end tags (not `<NBan/>`), so that signing only ever inserts bytes.
    w.s.push_str("<DSCKS><NBan></NBan><NMua></NMua><CCKSKhac></CCKSKhac></DSCKS>");
    w.unknown(inv, "HDon");
    w.close("HDon");
    w.s
}

fn general(w: &mut W, inv: &Invoice) {
    w.open("TTChung");
    w.leaf("PBan", inv.format.as_str());
    w.leaf("THDon", &inv.name);
    w.leaf("KHMSHDon", &inv.form.to_string());
    w.leaf("KHHDon", inv.symbol.as_str());
    if let Some(n) = inv.number {
        w.leaf("SHDon", &n.to_string());
    }
    w.leaf("NLap", &inv.issue_date.to_string());
    if inv.format == FormatVersion::V2_1_0 {
        // Always 0 in every 2.1.0 file seen (vn-einvoice §1.3, confidence L).
        w.leaf("HDCTTChinh", "0");
    }
    w.leaf("DVTTe", inv.currency.code());
    w.opt_num("TGia", inv.exchange_rate);
    w.opt("HTTToan", inv.payment_method.as_deref());
    w.opt("MSTTCGP", inv.provider_tax_id.as_ref().map(|t| t.as_str()));
    if let Some(r) = &inv.related {
        w.open("TTHDLQuan");
        w.leaf("TCHDon", &(r.kind as u8).to_string());
        w.leaf("LHDCLQuan", &r.regime.to_string());
        w.leaf("KHMSHDCLQuan", &r.form);
        w.leaf("KHHDCLQuan", &r.symbol);
        w.leaf("SHDCLQuan", &r.number);
        w.leaf("NLHDCLQuan", &r.issue_date.to_string());
        w.opt("GChu", r.note.as_deref());
        // `TCDChinh` is a 2.1.0 element (reference §1.4, L): a 2.0.1 file states the direction
        // in `GChu` only ("Điều chỉnh giảm cho …").
        if let (Some(d), FormatVersion::V2_1_0) = (r.direction, inv.format) {
            w.leaf("TCDChinh", &d.to_string());
        }
        w.close("TTHDLQuan");
    }
    w.extensions(&inv.extensions.general);
    w.unknown(inv, "TTChung");
    w.close("TTChung");
}

/// Writes a party up to (not including) its closing tag, so unknown children can follow.
fn party(w: &mut W, tag: &str, p: &Party, seller: bool) {
    w.open(tag);
    w.opt("Ten", p.name.as_deref());
    w.opt("MST", p.tax_id.as_ref().map(|t| t.as_str()));
    w.opt("DChi", p.address.as_deref());
    if !seller {
        w.opt("MKHang", p.code.as_deref());
    }
    w.opt("SDThoai", p.phone.as_deref());
    w.opt("DCTDTu", p.email.as_deref());
    if !seller {
        w.opt("HVTNMHang", p.contact_name.as_deref());
    }
    w.opt("STKNHang", p.bank_account.as_deref());
    w.opt("TNHang", p.bank_name.as_deref());
    if seller {
        w.opt("Fax", p.fax.as_deref());
        w.opt("Website", p.website.as_deref());
    } else {
        w.opt("CCCDan", p.citizen_id.as_deref());
    }
    w.extensions(&p.extensions);
}

fn lines(w: &mut W, inv: &Invoice, totals: &Totals) {
    w.open("DSHHDVu");
    for (i, (l, f)) in inv.lines.iter().zip(&totals.lines).enumerate() {
        w.open("HHDVu");
        w.leaf("TChat", &l.nature.code().to_string());
        w.leaf("STT", &(i + 1).to_string());
        w.opt("MHHDVu", l.code.as_deref());
        w.leaf("THHDVu", &l.name);
        w.opt("DVTinh", l.unit.as_deref());
        w.opt_num("SLuong", l.quantity);
        w.opt_num("DGia", l.unit_price);
        w.opt_num("TLCKhau", l.discount_rate);
        w.opt_num("STCKhau", f.discount);
        w.opt_num("ThTien", f.amount);
        w.opt("TSuat", l.tax_rate.map(|r| r.to_string()).as_deref());
        w.extensions(&l.extensions);
        w.unknown(inv, &format!("HHDVu[{i}]"));
        w.close("HHDVu");
    }
    w.close("DSHHDVu");
}

fn totals_block(w: &mut W, inv: &Invoice, t: &Totals) {
    w.open("TToan");
    let rated: Vec<_> = t.groups.iter().filter(|g| g.rate.is_some()).collect();
    if !rated.is_empty() {
        w.open("THTTLTSuat");
        for g in rated {
            w.open("LTSuat");
            w.leaf("TSuat", &g.rate.map(|r| r.to_string()).unwrap_or_default());
            w.num("ThTien", g.net);
            w.num("TThue", g.vat);
            w.close("LTSuat");
        }
        w.close("THTTLTSuat");
    }
    w.num("TgTCThue", t.total_before_vat);
    w.num("TgTThue", t.total_vat);
    w.num("TTCKTMai", t.trade_discount);
    w.num("TgTTTBSo", t.total);
    w.leaf(
        "TgTTTBChu",
        &amount_in_words(
            t.total,
            inv.currency,
            &ViOptions {
                negative: inv.negative_words,
                ..ViOptions::default()
            },
        ),
    );
    w.extensions(&inv.extensions.totals);
    w.unknown(inv, "TToan");
    w.close("TToan");
}
