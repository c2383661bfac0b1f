//! Reads GDT invoice XML into an [`InvoiceDocument`], tolerantly.
//!
//! Real files differ (vn-einvoice §1): siblings after `DLHDon` in any order, `LTSuat` children in
//! either order, `TTKhac` in different places, stray `xmlns:inv`/`xmlns:ds` on `HDon`, prefixes,
//! a `TDiep` wrapper around the `HDon`. Elements are therefore found by local name, never by
//! position, and anything not recognised is kept in `unknown`. Values are read as written;
//! judging them is validation's job.

use super::dom::{self, Element, Limits, XmlError};
use crate::model::*;
use crate::money::parse_decimal;
use rust_decimal::Decimal;

/// Reads the first `HDon` (with a `DLHDon`) in the document, under default limits.
pub fn read_invoice(xml: &str) -> Result<InvoiceDocument, XmlError> {
    read_invoice_with(xml, Limits::default())
}

pub fn read_invoice_with(xml: &str, limits: Limits) -> Result<InvoiceDocument, XmlError> {
    let doc = dom::parse_with(xml, limits)?;
    let hdon = doc
        .root
        .find(&|e| e.local_name() == "HDon" && e.child("DLHDon").is_some())
        .ok_or_else(|| XmlError::Content("no HDon element with a DLHDon".into()))?;
    invoice(hdon)
}

fn content(msg: String) -> XmlError {
    XmlError::Content(msg)
}

struct Reader {
    unknown: Vec<UnknownElement>,
}

impl Reader {
    /// Records the children of `e` that are not in `known`.
    fn keep_unknown(&mut self, e: &Element, parent: &str, known: &[&str]) {
        for c in e.elements() {
            if !known.contains(&c.local_name()) {
                self.unknown.push(UnknownElement {
                    parent: parent.to_owned(),
                    xml: c.to_xml(),
                });
            }
        }
    }
}

fn decimal(e: &Element, name: &str, what: &str) -> Result<Option<Decimal>, XmlError> {
    match e.child_text(name) {
        None => Ok(None),
        Some(t) => parse_decimal(&t)
            .map(Some)
            .ok_or_else(|| content(format!("{what}/{name} is not a number: {t:?}"))),
    }
}

fn small(e: &Element, name: &str, what: &str) -> Result<Option<u8>, XmlError> {
    match e.child_text(name) {
        None => Ok(None),
        Some(t) => t
            .parse()
            .map(Some)
            .map_err(|_| content(format!("{what}/{name} is not a small number: {t:?}"))),
    }
}

fn extensions(e: &Element) -> Vec<Extension> {
    let Some(ttkhac) = e.child("TTKhac") else {
        return Vec::new();
    };
    ttkhac
        .elements()
        .filter(|t| t.local_name() == "TTin")
        .map(|t| Extension {
            field: t.child_text("TTruong").unwrap_or_default(),
            data_type: t.child_text("KDLieu").unwrap_or_else(|| "string".into()),
            value: t.child("DLieu").map(|d| d.text()).unwrap_or_default(),
        })
        .collect()
}

fn invoice(hdon: &Element) -> Result<InvoiceDocument, XmlError> {
    let mut r = Reader {
        unknown: Vec::new(),
    };
    r.keep_unknown(hdon, "HDon", &["DLHDon", "DLQRCode", "MCCQT", "DSCKS"]);
    let dl = hdon
        .child("DLHDon")
        .ok_or_else(|| content("no DLHDon".into()))?;
    r.keep_unknown(dl, "DLHDon", &["TTChung", "NDHDon", "TTKhac"]);
    let tt = dl
        .child("TTChung")
        .ok_or_else(|| content("no DLHDon/TTChung".into()))?;
    r.keep_unknown(
        tt,
        "TTChung",
        &[
            "PBan",
            "THDon",
            "KHMSHDon",
            "KHHDon",
            "SHDon",
            "NLap",
            "HDCTTChinh",
            "DVTTe",
            "TGia",
            "HTTToan",
            "MSTTCGP",
            "TTHDLQuan",
            "TTKhac",
        ],
    );
    let nd = dl
        .child("NDHDon")
        .ok_or_else(|| content("no DLHDon/NDHDon".into()))?;
    r.keep_unknown(
        nd,
        "NDHDon",
        &["NBan", "NMua", "DSHHDVu", "TToan", "TTKhac"],
    );

    let number = match tt.child_text("SHDon") {
        None => None,
        Some(s) => Some(
            s.parse::<u64>()
                .map_err(|_| content(format!("TTChung/SHDon is not a number: {s:?}")))?,
        ),
    };
    let related = tt.child("TTHDLQuan").map(related).transpose()?;
    let seller = match nd.child("NBan") {
        Some(e) => party(&mut r, e, "NBan")?,
        None => PartyDocument::default(),
    };
    let buyer = match nd.child("NMua") {
        Some(e) => party(&mut r, e, "NMua")?,
        None => PartyDocument::default(),
    };
    let mut lines = Vec::new();
    if let Some(ds) = nd.child("DSHHDVu") {
        for (i, h) in ds
            .elements()
            .filter(|e| e.local_name() == "HHDVu")
            .enumerate()
        {
            lines.push(line(&mut r, h, i)?);
        }
    }
    let (declared, totals_ext) = match nd.child("TToan") {
        Some(t) => {
            let (d, x) = totals(&mut r, t)?;
            (Some(d), x)
        }
        None => (None, Vec::new()),
    };
    // The file's reading of a negative total, kept so that rendering it again says the same.
    let negative_words = declared
        .as_ref()
        .and_then(|d| d.total_in_words.as_deref())
        .and_then(crate::words::vi::negative_style);
    Ok(InvoiceDocument {
        format_version: tt.child_text("PBan"),
        name: tt.child_text("THDon"),
        form: tt.child_text("KHMSHDon").unwrap_or_default(),
        symbol: tt.child_text("KHHDon").unwrap_or_default(),
        number,
        // `TDLap` (a date-time) is where the pre-2022 draft format (PBan 1.0.0) puts it.
        issue_date: tt
            .child_text("NLap")
            .or_else(|| {
                tt.child_text("TDLap")
                    .map(|t| t.trim().chars().take(10).collect())
            })
            .unwrap_or_default(),
        currency: tt.child_text("DVTTe"),
        exchange_rate: decimal(tt, "TGia", "TTChung")?,
        payment_method: tt.child_text("HTTToan"),
        provider_tax_id: tt.child_text("MSTTCGP"),
        related,
        seller,
        buyer,
        lines,
        declared,
        extensions: Extensions {
            general: extensions(tt),
            content: extensions(nd),
            totals: totals_ext,
            document: extensions(dl),
        },
        data_id: dl.attr("Id").or_else(|| dl.attr("id")).map(str::to_owned),
        qr_data: hdon.child_text("DLQRCode"),
        authority_code: hdon.child_text("MCCQT"),
        unknown: r.unknown,
        negative_words,
    })
}

fn related(e: &Element) -> Result<RelatedInvoiceDocument, XmlError> {
    let w = "TTHDLQuan";
    let kind = small(e, "TCHDon", w)?.unwrap_or(0);
    let note = e.child_text("GChu");
    // Format 2.0.1 has no `TCDChinh`: an adjustment states its direction in `GChu`
    // ("Điều chỉnh tăng/giảm/thông tin cho hóa đơn …", as hoadon and providers write it).
    let stated = |n: &str| {
        let n = n.trim().to_lowercase();
        [
            ("điều chỉnh thông tin", 0),
            ("điều chỉnh tăng", 1),
            ("điều chỉnh giảm", 2),
        ]
        .into_iter()
        .find(|(p, _)| n.starts_with(p))
        .map(|(_, d)| d)
    };
    let direction = match small(e, "TCDChinh", w)? {
        Some(d) => Some(d),
        None if kind == 2 => note.as_deref().and_then(stated),
        None => None,
    };
    Ok(RelatedInvoiceDocument {
        kind,
        regime: small(e, "LHDCLQuan", w)?.unwrap_or(1),
        form: e.child_text("KHMSHDCLQuan").unwrap_or_default(),
        symbol: e.child_text("KHHDCLQuan").unwrap_or_default(),
        number: e.child_text("SHDCLQuan").unwrap_or_default(),
        issue_date: e.child_text("NLHDCLQuan").unwrap_or_default(),
        note,
        direction,
    })
}

fn party(r: &mut Reader, e: &Element, tag: &str) -> Result<PartyDocument, XmlError> {
    r.keep_unknown(
        e,
        tag,
        &[
            "Ten",
            "MST",
            "DChi",
            "MKHang",
            "SDThoai",
            "DCTDTu",
            "HVTNMHang",
            "STKNHang",
            "TNHang",
            "Fax",
            "Website",
            "CCCDan",
            "TTKhac",
        ],
    );
    Ok(PartyDocument {
        name: e.child_text("Ten"),
        tax_id: e.child_text("MST"),
        address: e.child_text("DChi"),
        code: e.child_text("MKHang"),
        phone: e.child_text("SDThoai"),
        email: e.child_text("DCTDTu"),
        contact_name: e.child_text("HVTNMHang"),
        bank_account: e.child_text("STKNHang"),
        bank_name: e.child_text("TNHang"),
        fax: e.child_text("Fax"),
        website: e.child_text("Website"),
        citizen_id: e.child_text("CCCDan"),
        extensions: extensions(e),
    })
}

fn line(r: &mut Reader, e: &Element, i: usize) -> Result<LineDocument, XmlError> {
    let what = format!("HHDVu[{i}]");
    r.keep_unknown(
        e,
        &what,
        &[
            "TChat", "STT", "MHHDVu", "THHDVu", "DVTinh", "SLuong", "DGia", "TLCKhau", "STCKhau",
            "ThTien", "TSuat", "TTKhac",
        ],
    );
    Ok(LineDocument {
        nature: small(e, "TChat", &what)?.unwrap_or(1),
        code: e.child_text("MHHDVu"),
        name: e.child_text("THHDVu").unwrap_or_default(),
        unit: e.child_text("DVTinh"),
        quantity: decimal(e, "SLuong", &what)?,
        unit_price: decimal(e, "DGia", &what)?,
        discount_rate: decimal(e, "TLCKhau", &what)?,
        discount_amount: decimal(e, "STCKhau", &what)?,
        amount: decimal(e, "ThTien", &what)?,
        tax_rate: e.child_text("TSuat"),
        extensions: extensions(e),
    })
}

fn totals(r: &mut Reader, e: &Element) -> Result<(DeclaredTotals, Vec<Extension>), XmlError> {
    r.keep_unknown(
        e,
        "TToan",
        &[
            "THTTLTSuat",
            "TgTCThue",
            "TgTThue",
            "TTCKTMai",
            "TgTTTBSo",
            "TgTTTBChu",
            "TTKhac",
        ],
    );
    let mut tax_groups = Vec::new();
    if let Some(s) = e.child("THTTLTSuat") {
        for g in s.elements().filter(|g| g.local_name() == "LTSuat") {
            tax_groups.push(DeclaredTaxGroup {
                rate: g.child_text("TSuat").unwrap_or_default(),
                net: decimal(g, "ThTien", "LTSuat")?,
                vat: decimal(g, "TThue", "LTSuat")?,
            });
        }
    }
    let d = DeclaredTotals {
        tax_groups,
        total_before_vat: decimal(e, "TgTCThue", "TToan")?,
        total_vat: decimal(e, "TgTThue", "TToan")?,
        trade_discount: decimal(e, "TTCKTMai", "TToan")?,
        total: decimal(e, "TgTTTBSo", "TToan")?,
        total_in_words: e.child_text("TgTTTBChu"),
    };
    Ok((d, extensions(e)))
}
