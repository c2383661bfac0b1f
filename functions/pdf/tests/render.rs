//! The PDF says what the signed file says: every value checked in the text poppler extracts.

mod common;

use common::*;
use hoadon_core::api::delivery::{Columns, Labels, Template};
use hoadon_pdf::{Conversion, ListedInvoice, Options, PdfError, render};
use unicode_normalization::UnicodeNormalization;

fn options(template: &Template) -> Options<'_> {
    Options {
        template,
        logo: None,
        test: false,
        converted: None,
        list: &[],
        cjk_font: None,
    }
}

fn pdf(xml: &str, opts: &Options) -> (Vec<u8>, String) {
    let bytes = render(xml, opts).unwrap_or_else(|e| panic!("render: {e}"));
    assert!(bytes.starts_with(b"%PDF-"));
    let text = text_of(&bytes);
    (bytes, text)
}

/// Every character of `s` (but spaces) appears in the extracted text: no glyph went missing.
fn every_char_in(s: &str, text: &str) {
    for c in s.chars().filter(|c| !c.is_whitespace()) {
        assert!(text.contains(c), "{c:?} of {s:?} is missing from:\n{text}");
    }
}

#[test]
fn a_signed_invoice_prints_its_values() {
    let xml = signed(&document(3));
    let template = Template::default();
    let (bytes, text) = pdf(&xml, &options(&template));
    let flat = squashed(&text);
    for expected in [
        SELLER,
        BUYER,
        "HÓA ĐƠN GIÁ TRỊ GIA TĂNG",
        "Ngày 05 tháng 01 năm 2026",
        "C26TAB",
        "0109998883",
        "Máy tính xách tay Dell Latitude 5440",
        "18.500.000",
        "37.000.000",
        "1.250.000",
        "550.000",
        "Trang 1/1",
        "Ký bởi",
        "Ký ngày: 05/01/2026 09:30:12",
        "Chữ ký hợp lệ",
        LOOKUP_URL,
        LOOKUP_CODE,
        "Số tiền viết bằng chữ",
    ] {
        assert!(
            flat.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    // The amount in words is the signed file's.
    let words = xml
        .split("<TgTTTBChu>")
        .nth(1)
        .and_then(|s| s.split("</TgTTTBChu>").next())
        .expect("TgTTTBChu");
    assert!(flat.contains(words), "{words:?} missing from:\n{text}");
    let total = xml
        .split("<TgTTTBSo>")
        .nth(1)
        .and_then(|s| s.split("</TgTTTBSo>").next())
        .expect("TgTTTBSo");
    let total: u64 = total.parse().expect("a whole VND total");
    assert_eq!(total, 42_652_500);
    assert!(flat.contains("42.652.500"), "{text}");
    every_char_in(SELLER, &text);
    every_char_in(BUYER, &text);
    assert!(!flat.contains("TEST"), "no TEST mark on a real invoice");
    assert!(bytes.len() < 80_000, "{} bytes", bytes.len());
}

#[test]
fn a_coded_invoice_prints_the_authority_code_and_its_signature() {
    let xml = coded(&signed(&document(3)));
    let template = Template::default();
    let (_, text) = pdf(&xml, &options(&template));
    let flat = squashed(&text);
    assert!(
        flat.contains(&format!("Mã của cơ quan thuế: {MCCQT}")),
        "{text}"
    );
    assert!(flat.contains("Cơ quan thuế"), "{text}");
    assert_eq!(flat.matches("Chữ ký hợp lệ").count(), 2, "{text}");
}

#[test]
fn five_hundred_lines_continue_over_pages_with_the_heading_repeated() {
    let xml = signed(&document(500));
    let template = Template::default();
    let (bytes, text) = pdf(&xml, &options(&template));
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    let m = pages.len();
    assert!(m > 5, "{m} pages");
    for (i, page) in pages.iter().enumerate() {
        let page = squashed(page);
        assert!(
            page.contains(&format!("Trang {}/{m}", i + 1)),
            "page {i}: {page}"
        );
        if i + 1 < m {
            assert!(
                page.contains("Tên hàng hóa, dịch vụ"),
                "heading on page {i}"
            );
        }
    }
    let last = squashed(pages[m - 1]);
    let flat = squashed(&text);
    assert!(flat.contains("hàng số 500"), "the last line is printed");
    assert!(
        last.contains("Số tiền viết bằng chữ"),
        "totals after the last line"
    );
    assert!(bytes.len() < 400_000, "{} bytes", bytes.len());
}

#[test]
fn a_test_invoice_is_marked_on_every_page() {
    let xml = signed(&document(60));
    let template = Template::default();
    let opts = Options {
        test: true,
        ..options(&template)
    };
    let (_, text) = pdf(&xml, &opts);
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert!(pages.len() >= 2);
    for page in pages {
        assert!(
            squashed(page).contains("TEST / HÓA ĐƠN THỬ NGHIỆM – KHÔNG CÓ GIÁ TRỊ"),
            "{page}"
        );
    }
}

#[test]
fn a_converted_copy_names_its_converter_and_the_list_is_appended() {
    let xml = signed(&document(3));
    let template = Template {
        footer: Some("Cảm ơn Quý khách đã mua hàng".into()),
        ..Template::default()
    };
    let list = [ListedInvoice {
        form: "1".into(),
        symbol: "C25TAB".into(),
        number: "77".into(),
        date: "03/12/2025".into(),
        difference: "-1.100.000".into(),
    }];
    let opts = Options {
        converted: Some(Conversion {
            converter: "Lê Văn Bảo".into(),
            date: "2026-01-06".parse().expect("date"),
        }),
        list: &list,
        ..options(&template)
    };
    let (_, text) = pdf(&xml, &opts);
    let flat = squashed(&text);
    for expected in [
        "HÓA ĐƠN CHUYỂN ĐỔI TỪ HÓA ĐƠN ĐIỆN TỬ",
        "Người chuyển đổi: Lê Văn Bảo",
        "Ngày chuyển đổi: 06/01/2026",
        "01/BK-ĐCTT",
        "C25TAB",
        "-1.100.000",
        "Cảm ơn Quý khách đã mua hàng",
    ] {
        assert!(
            flat.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
}

#[test]
fn bilingual_labels_and_optional_columns() {
    let xml = signed(&document(3));
    let template = Template {
        labels: Labels::ViEn,
        columns: Columns {
            code: true,
            discount: true,
        },
        ..Template::default()
    };
    let (_, text) = pdf(&xml, &options(&template));
    let flat = squashed(&text);
    for expected in [
        "Mẫu số / Form",
        "Ký hiệu / Serial",
        "Đơn vị bán hàng / Seller",
        "Mã số thuế / Tax code",
        "(Description)",
        "Số tiền viết bằng chữ / Amount in words",
        "Trang / Page 1/1",
        "LAP-5440",
        "Chiết khấu",
        "Date: 05/01/2026",
    ] {
        assert!(
            flat.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
}

#[test]
fn a_tampered_file_says_its_signature_is_not_valid() {
    let xml = signed(&document(3)).replace(BUYER, "Nguyễn Thị Ánh Tuyệt");
    let template = Template::default();
    let (_, text) = pdf(&xml, &options(&template));
    let flat = squashed(&text);
    assert!(flat.contains("Chữ ký không hợp lệ"), "{text}");
    assert!(!flat.contains("Chữ ký hợp lệ"), "{text}");
}

#[test]
fn decomposed_names_are_printed_composed_and_cjk_without_a_font_is_skipped() {
    let mut doc = document(3);
    let nfd: String = BUYER.nfd().collect();
    assert_ne!(nfd, BUYER);
    doc.buyer.contact_name = Some(nfd);
    doc.buyer.name = Some("Công ty 北京华夏 Trading".into());
    let xml = signed(&doc);
    let template = Template::default();
    let (_, text) = pdf(&xml, &options(&template));
    let flat = squashed(&text);
    assert!(flat.contains(BUYER), "{text}");
    assert!(flat.contains("Công ty"), "{text}");
    assert!(flat.contains("Trading"), "{text}");
    let cjk = std::path::Path::new("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc");
    if let Ok(font) = std::fs::read(cjk) {
        let opts = Options {
            cjk_font: Some(&font),
            ..options(&template)
        };
        let (_, text) = pdf(&xml, &opts);
        assert!(squashed(&text).contains("北京华夏"), "{text}");
    }
}

/// A 1×1 PNG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

#[test]
fn a_png_logo_is_drawn_and_other_logos_are_left_out() {
    let xml = signed(&document(3));
    let template = Template::default();
    let png = format!("data:image/png;base64,{PNG}");
    let with = render(
        &xml,
        &Options {
            logo: Some(&png),
            ..options(&template)
        },
    )
    .expect("with a logo");
    assert!(String::from_utf8_lossy(&with).contains("/Subtype/Image"));
    for other in [
        "data:image/svg+xml;base64,PHN2Zy8+",
        "data:image/png;base64,not base64!",
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB",
        "https://example.com/logo.png",
    ] {
        let bytes = render(
            &xml,
            &Options {
                logo: Some(other),
                ..options(&template)
            },
        )
        .unwrap_or_else(|e| panic!("{other}: {e}"));
        assert!(
            !String::from_utf8_lossy(&bytes).contains("/Subtype/Image"),
            "{other}"
        );
    }
    // Hidden by the template.
    let hidden = Template {
        show_logo: false,
        ..Template::default()
    };
    let bytes = render(
        &xml,
        &Options {
            logo: Some(&png),
            ..options(&hidden)
        },
    )
    .expect("no logo");
    assert!(!String::from_utf8_lossy(&bytes).contains("/Subtype/Image"));
}

#[test]
fn what_is_not_an_invoice_is_refused() {
    let template = Template::default();
    assert!(matches!(
        render("<a/>", &options(&template)),
        Err(PdfError::NotAnInvoice(_))
    ));
    assert!(matches!(
        render("not xml", &options(&template)),
        Err(PdfError::NotAnInvoice(_))
    ));
}
