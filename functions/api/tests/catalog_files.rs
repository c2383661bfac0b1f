//! Catalog files end to end over the Router: CSV in the encodings, delimiters and decimal
//! separators Excel writes, `.xlsx` imports with their per-row report and size limits, and
//! exports that import back to the same catalog.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::Value;

/// The catalog entries of a list answer without their versions (which differ per store).
async fn catalog(app: &TestApp, token: &str, kind: &str) -> Vec<Value> {
    let (_, list) = app
        .get(token, &format!("/api/catalogs/{kind}?limit=200"))
        .await;
    let mut items = list["items"].as_array().unwrap().clone();
    for e in &mut items {
        e.as_object_mut().unwrap().remove("version");
    }
    items
}

/// `(path, code)` of every finding of an error answer.
fn findings(v: &Value) -> Vec<(String, String)> {
    v["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().into(),
                f["code"].as_str().unwrap().into(),
            )
        })
        .collect()
}

/// A workbook whose first sheet holds `rows`: strings, and numbers where a cell parses as one
/// and has no leading zero (which a code or tax id keeps).
fn workbook(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in (0u32..).zip(rows) {
        for (c, cell) in (0u16..).zip(*row) {
            match cell.parse::<f64>() {
                Ok(n) if !cell.starts_with('0') || cell.len() == 1 || cell.starts_with("0.") => {
                    sheet.write_number(r, c, n)
                }
                _ => sheet.write_string(r, c, *cell),
            }
            .unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn csv_files_are_read_in_the_encodings_excel_saves() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    let name = "Công ty Đức Việt";
    let utf8 = format!("code,name\nKH-U8,{name}\n").into_bytes();
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(format!("code,name\r\nKH-BOM,{name}\r\n").as_bytes());
    // Excel's "Unicode text": UTF-16 LE with a BOM, tab-separated.
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(
        format!("code\tname\r\nKH-U16\t{name}\r\n")
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    // Vietnamese Excel's "CSV": Windows-1258 with combining tone marks, `;` in its locale.
    let cp1258 = b"code;name\r\nKH-1258;C\xf4ng ty \xd0\xfd\xecc Vi\xea\xf2t\r\n".to_vec();
    for (code, bytes) in [
        ("KH-U8", utf8),
        ("KH-BOM", bom),
        ("KH-U16", utf16),
        ("KH-1258", cp1258),
    ] {
        let (s, v) = app.upload(&t, "customers", "text/csv", bytes).await;
        assert_eq!(
            (s, v["imported"].as_u64()),
            (StatusCode::OK, Some(1)),
            "{code}: {v}"
        );
        let (_, e) = app
            .get(&t, &format!("/api/catalogs/customers/{code}"))
            .await;
        assert_eq!(e["name"], name, "{code}: the name as users type it (NFC)");
    }
    let (_, found) = app
        .get(&t, "/api/catalogs/customers?q=%C4%91%E1%BB%A9c")
        .await;
    assert_eq!(
        found["items"].as_array().unwrap().len(),
        4,
        "searchable as typed"
    );
}

#[tokio::test]
async fn semicolon_files_use_a_decimal_comma_and_ambiguous_numbers_are_findings() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    // P1's quoted name spans lines 2-3, so P2 is on line 4 (rows[2]) and P3 on line 5.
    let bad = "code;name;unit;unit_price;tax_rate\nP1;\"Giấy\nA4\";Ram;68.500,5;8%\nP2;Bút;Cái;1.5;10%\nP3;Mực;Hộp;12,5;abc\n";
    let (s, v) = app.csv(&t, "products", bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(
        findings(&v),
        [
            ("rows[2].unit_price".to_owned(), "decimal.locale".to_owned()),
            ("rows[3].tax_rate".to_owned(), "tax_rate.invalid".to_owned()),
        ]
    );
    assert!(
        catalog(&app, &t, "products").await.is_empty(),
        "nothing imported"
    );
    let good = "code;name;unit;unit_price\nP1;\"Giấy\nA4\";Ram;68.500,5\nP2;Bút;Cái;5.000\nP3;Mực;Hộp;12,25\n";
    let (s, v) = app.csv(&t, "products", good).await;
    assert_eq!(
        (s, v["imported"].as_u64()),
        (StatusCode::OK, Some(3)),
        "{v}"
    );
    let prices: Vec<(String, String)> = catalog(&app, &t, "products")
        .await
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().into(),
                e["unit_price"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        prices,
        [
            ("Giấy\nA4".to_owned(), "68500.5".to_owned()),
            ("Bút".to_owned(), "5000".to_owned()),
            ("Mực".to_owned(), "12.25".to_owned()),
        ]
    );
}

#[tokio::test]
async fn xlsx_imports_by_labels_and_reports_bad_rows_by_sheet_row() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    let header: &[&str] = &[
        "Mã hàng",
        "Tên hàng hóa, dịch vụ",
        "ĐƠN VỊ TÍNH",
        "Đơn giá",
        "tax_rate",
    ];
    // Row 4 is blank; row 5's price has more decimals than a price takes; row 6 lacks a name.
    let bad = workbook(&[
        header,
        &["SP1", "Giấy A4", "Ram", "68500", "8%"],
        &["SP2", "Bút bi", "Cái", "0.30000000000000004", "10%"],
        &[],
        &["SP3", "Mực", "Hộp", "12.1234567", "10%"],
        &["SP4", "", "Hộp", "5000", "10%"],
    ]);
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let (s, v) = app.upload(&t, "products", xlsx, bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(
        findings(&v),
        [
            (
                "rows[3].unit_price".to_owned(),
                "decimal.invalid".to_owned()
            ),
            ("rows[4].name".to_owned(), "required".to_owned()),
        ]
    );
    assert!(
        catalog(&app, &t, "products").await.is_empty(),
        "nothing imported"
    );
    let good = workbook(&[
        header,
        &["SP1", "Giấy A4", "Ram", "68500", "8%"],
        &["SP2", "Bút bi", "Cái", "0.30000000000000004", "10%"],
    ]);
    // The bytes decide, not the declared type.
    let (s, v) = app
        .upload(&t, "products", "application/octet-stream", good)
        .await;
    assert_eq!(
        (s, v["imported"].as_u64()),
        (StatusCode::OK, Some(2)),
        "{v}"
    );
    let (_, e) = app.get(&t, "/api/catalogs/products/SP2").await;
    assert_eq!(
        (e["name"].as_str(), e["unit_price"].as_str()),
        (Some("Bút bi"), Some("0.3"))
    );
    let (_, e) = app.get(&t, "/api/catalogs/products/SP1").await;
    assert_eq!(e["unit_price"], "68500");
}

#[tokio::test]
async fn oversized_workbooks_are_refused_before_they_are_read() {
    use std::io::Write;
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    // A zip bomb: a few hundred kilobytes that unpack past the 64 MiB bound.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(
        "xl/worksheets/sheet1.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..65 {
        zip.write_all(&zeros).unwrap();
    }
    let bomb = zip.finish().unwrap().into_inner();
    assert!(bomb.len() < 1 << 20);
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    // A units sheet: the header, then `(row, code)` cells.
    let units = |cells: &mut dyn Iterator<Item = (u32, String)>| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "code").unwrap();
        sheet.write_string(0, 1, "name").unwrap();
        for (r, code) in cells {
            sheet.write_string(r, 0, code).unwrap();
            sheet.write_string(r, 1, "Chiếc").unwrap();
        }
        book.save_to_buffer().unwrap()
    };
    let too_many = units(&mut (1..=50_001).map(|r| (r, format!("C{r}"))));
    for (file, message) in [(bomb, "unpacks"), (too_many, "50000 rows")] {
        let (s, v) = app.upload(&t, "units", xlsx, file).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
        );
        assert!(v["message"].as_str().unwrap().contains(message), "{v}");
    }

    // One row far down the sheet is one row, not a million.
    let far = units(&mut std::iter::once((1_000_000, "C2".to_owned())));
    let (s, v) = app.upload(&t, "units", xlsx, far).await;
    assert_eq!(
        (s, v["imported"].as_u64()),
        (StatusCode::OK, Some(1)),
        "{v}"
    );
}

#[tokio::test]
async fn exports_import_back_to_the_same_catalog() {
    let customers = "code,name,tax_id,address,email\nKH1,\"Công ty \"\"An Phát\"\", HN\",0100109106,\"12 Phố Huế,\nHà Nội\",a@anphat.vn\nKH2,Đức Việt,,,\n";
    let products = "code,name,unit,unit_price,tax_rate\nP1,Giấy A4,Ram,68500.5,8%\nP2,Bút,Cái,1007.50,10%\nP3,Mực,Hộp,0.000001,KCT\nP4,Máy,Chiếc,123456789012.123456,10%\n";
    for (format, lang, content_type) in [
        ("csv", "", "text/csv; charset=utf-8"),
        (
            "xlsx",
            "&lang=vi",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "xlsx",
            "",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ] {
        let app = spawn_app().await;
        let t = app.login("admin@anphat.vn").await;
        let other = app.login("admin@other.vn").await;
        let sales = app.login("sales@anphat.vn").await;
        for (kind, file) in [("customers", customers), ("products", products)] {
            let (s, v) = app.csv(&t, kind, file).await;
            assert_eq!(s, StatusCode::OK, "{v}");
            let uri = format!("/api/catalogs/{kind}/export?format={format}{lang}");
            let (s, (ty, disposition), bytes) = app.download(&sales, &uri).await;
            assert_eq!(s, StatusCode::OK, "sales reads catalogs");
            assert_eq!(ty, content_type);
            assert_eq!(
                disposition,
                format!("attachment; filename=\"{kind}.{format}\"")
            );
            if format == "csv" {
                assert!(bytes.starts_with("\u{feff}code,name,".as_bytes()));
            }
            let (s, v) = app.upload(&other, kind, &ty, bytes).await;
            assert_eq!(s, StatusCode::OK, "{format}{lang} {kind}: {v}");
            assert_eq!(
                catalog(&app, &other, kind).await,
                catalog(&app, &t, kind).await,
                "{format}{lang} {kind}"
            );
        }
    }
}
