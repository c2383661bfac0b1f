//! The books' imports end to end, in-process (#18): a few hundred invoices issued elsewhere
//! (several rates, some coded, corrections, a 04/SS, bad files) imported once — a second
//! upload imports nothing; coded and differing copies; invoices issued here entering the books
//! by themselves; pulling from another hoadon and from a fake platform.

mod common;

use axum::http::StatusCode;
use common::books::*;
use common::*;
use serde_json::json;

/// 280 originals (every seventh coded), 10 replacements of 1–10, 10 adjustments of 11–20, a
/// 04/SS cancelling 21 and 22, an invoice altered after signing, and four bad files.
fn year_of_files() -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for n in 1..=280 {
        files.push((
            format!("hd/{n}.xml"),
            signed(&foreign(n, buyer(n)), n % 7 == 0).into_bytes(),
        ));
    }
    for n in 281..=290 {
        files.push((
            format!("hd/{n}.xml"),
            signed(&correction(n, n - 280, 1, buyer(n - 280)), false).into_bytes(),
        ));
    }
    for n in 291..=300 {
        files.push((
            format!("hd/{n}.xml"),
            signed(&correction(n, n - 280, 2, buyer(n - 280)), false).into_bytes(),
        ));
    }
    files.push(("tb/04ss.xml".into(), cancellation(&[21, 22]).into_bytes()));
    let tampered = signed(&foreign(301, buyer(1)), false).replacen("<SLuong>", "<SLuong>9", 1);
    files.push(("hd/301.xml".into(), tampered.into_bytes()));
    files.push((
        "bad/doctype.xml".into(),
        b"<!DOCTYPE HDon [<!ENTITY x \"y\">]><HDon/>".to_vec(),
    ));
    files.push(("bad/notes.txt".into(), b"not an invoice".to_vec()));
    files.push((
        "bad/cut.xml".into(),
        signed(&foreign(302, buyer(2)), false).as_bytes()[..900].to_vec(),
    ));
    files.push((
        "bad/inner.zip".into(),
        zip(&[("x.xml".into(), b"<a/>".to_vec())]),
    ));
    files
}

#[tokio::test]
async fn a_year_of_invoices_imports_once_and_the_second_upload_imports_nothing() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    let archive = zip(&year_of_files());
    let (s, r) = app.import(&t, "nam-2025.zip", archive.clone()).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(count(&r, "files"), 306, "{r}");
    assert_eq!(count(&r, "imported"), 301, "{r}");
    assert_eq!(count(&r, "refused"), 4, "{r}");
    assert_eq!(count(&r, "notices"), 2, "{r}");
    // Each refusal names its file and why.
    let refused: Vec<(&str, &str)> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["outcome"] == "refused")
        .map(|i| {
            (
                i["file"].as_str().unwrap(),
                i["refusal"]["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        refused.contains(&("nam-2025.zip/bad/doctype.xml", "import.xml")),
        "{refused:?}"
    );
    assert!(
        refused.contains(&("nam-2025.zip/bad/notes.txt", "import.xml")),
        "{refused:?}"
    );
    assert!(
        refused.contains(&("nam-2025.zip/bad/cut.xml", "import.xml")),
        "{refused:?}"
    );
    assert!(
        refused.contains(&("nam-2025.zip/bad/inner.zip", "import.archive")),
        "{refused:?}"
    );

    // Never twice: the same upload again records nothing.
    let (s, again) = app.import(&t, "nam-2025.zip", archive).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(count(&again, "imported"), 0, "{again}");
    assert_eq!(count(&again, "duplicates"), 301, "{again}");

    let entries = app.books(&t, FROM, TO).await;
    assert_eq!(entries.len(), 301);
    let with = |status: &str| entries.iter().filter(|e| e["status"] == status).count();
    assert_eq!(
        (with("replacement"), with("adjustment"), with("cancelled")),
        (10, 10, 2)
    );
    let coded = entries
        .iter()
        .filter(|e| e["authority_code"].is_string())
        .count();
    assert_eq!(coded, 40);
    // The altered one is in the books, its signature said to be invalid.
    let altered = entries.iter().find(|e| e["key"]["number"] == 301).unwrap();
    assert_eq!(altered["seller_signature"], "invalid");
    assert!(pluck(altered, "warnings", "code").contains(&"import.signature.invalid"));
    // Another seller's invoices are not the company's revenue: said on each.
    assert!(pluck(of_number(&entries, 1), "warnings", "code").contains(&"import.other_seller"));
    // Workflow as the seed has it.
    let of = |n: u64| entries.iter().find(|e| e["key"]["number"] == n).unwrap();
    assert_eq!(of(30)["workflow"], "revenue_not_recorded");
    assert_eq!(of(30)["actions"], json!(["sales_voucher"]));
    // 1 is replaced by 281: its own revenue is never recorded, only its invoice.
    assert_eq!(of(1)["replaced_by"]["number"], 281);
    assert_eq!(of(1)["workflow"], "invoice_not_created");
    assert_eq!(of(1)["actions"], json!(["invoice_record"]));
    assert_eq!(
        of(281)["workflow"],
        "revenue_not_recorded",
        "its original is not in the books"
    );
    assert_eq!(
        of(281)["actions"],
        json!(["sales_voucher", "invoice_record"])
    );
    assert_eq!(of(291)["workflow"], "invoice_not_created");
    assert_eq!(of(21)["workflow"], "invoice_not_created");
    assert_eq!(of(21)["cancelled_on"], "2025-10-20");
}

#[tokio::test]
async fn the_coded_copy_is_the_same_invoice_and_a_differing_copy_is_flagged() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    let doc = foreign(7, buyer(7));
    let (_, r) = app
        .import(&t, "a.xml", signed(&doc, false).into_bytes())
        .await;
    assert_eq!(count(&r, "imported"), 1, "{r}");
    let (_, r) = app
        .import(&t, "a-coded.xml", signed(&doc, true).into_bytes())
        .await;
    assert_eq!((count(&r, "imported"), count(&r, "coded")), (0, 1), "{r}");
    let (_, r) = app
        .import(&t, "a-coded.xml", signed(&doc, true).into_bytes())
        .await;
    assert_eq!(count(&r, "duplicates"), 1, "{r}");
    // Same number, other data: flagged, not merged.
    let mut other = doc.clone();
    other.lines[0].quantity = Some(rust_decimal::Decimal::from(3));
    let (_, r) = app
        .import(&t, "a-other.xml", signed(&other, false).into_bytes())
        .await;
    assert_eq!(count(&r, "conflicts"), 1, "{r}");
    let entries = app.books(&t, FROM, TO).await;
    assert_eq!(entries.len(), 1);
    assert!(entries[0]["authority_code"].is_string());
    assert_eq!(entries[0]["conflicts"][0]["file_name"], "a-other.xml");
    assert_eq!(entries[0]["file_name"], "a.xml");
}

#[tokio::test]
async fn invoices_issued_here_enter_the_books_and_their_file_is_recognised() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    app.series(&t, "K25TAB").await;
    let mut doc = example();
    doc["symbol"] = json!("K25TAB");
    let (s, v) = app.draft_and_issue(&t, "books-here-01", &doc).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let entries = app.books(&t, FROM, TO).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (
            entries[0]["source"].as_str(),
            entries[0]["invoice_id"].as_str()
        ),
        (Some("hoadon"), Some("books-here-01"))
    );
    assert_eq!(entries[0]["workflow"], "revenue_not_recorded");
    // Its signed file uploaded is recognised, not recorded again.
    let xml = app.download(&t, "/api/invoices/books-here-01/xml").await.2;
    let (_, r) = app.import(&t, "ours.xml", xml).await;
    assert_eq!(
        (count(&r, "imported"), count(&r, "issued_here")),
        (0, 1),
        "{r}"
    );
    assert_eq!(app.books(&t, FROM, TO).await.len(), 1);
    // The backfill finds nothing missing; the other tenant's books are empty.
    let (_, added) = app.post(&t, "/api/books/sync").await;
    assert_eq!(added, 0);
    let other = app.login("admin@other.vn").await;
    assert!(app.books(&other, FROM, TO).await.is_empty());
    // Sales staff do not keep the books.
    let sales = app.login("sales@anphat.vn").await;
    let (s, _) = app
        .get(&sales, "/api/books?from=2025-01-01&to=2025-12-31")
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_period_is_pulled_from_another_hoadon_once() {
    // The source: another hoadon on loopback, with invoices in its books.
    let source = spawn_app().await;
    let ts = source.login("admin@anphat.vn").await;
    let files: Vec<_> = (1..=12)
        .map(|n| {
            (
                format!("{n}.xml"),
                signed(&foreign(n, buyer(n)), n == 3).into_bytes(),
            )
        })
        .collect();
    source.import(&ts, "src.zip", zip(&files)).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = hoadon_api::http::router(source.state.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    let body = json!({"url": format!("http://127.0.0.1:{}", addr.port()), "token": ts, "from": FROM, "to": TO});
    let (s, r) = app
        .call(
            "POST",
            "/api/imports/pull",
            Some(&t),
            &[],
            Some(body.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(count(&r, "imported"), 12, "{r}");
    let (_, r) = app
        .call("POST", "/api/imports/pull", Some(&t), &[], Some(body))
        .await;
    assert_eq!(
        (count(&r, "imported"), count(&r, "duplicates")),
        (0, 12),
        "{r}"
    );
    // A wrong token is the source refusing the credentials, not a crash.
    let body = json!({"url": format!("http://127.0.0.1:{}", addr.port()), "token": "nope", "from": FROM, "to": TO});
    let (s, v) = app
        .call("POST", "/api/imports/pull", Some(&t), &[], Some(body))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("books.source_credentials")
        ),
        "{v}"
    );
}

/// A platform that hands out pages of files (the `InvoiceSource` port's fake), and fails on
/// demand.
struct FakeSource {
    pages: Vec<Vec<(String, String)>>,
    fail_at: Option<usize>,
}

#[async_trait::async_trait]
impl hoadon_api::books::source::InvoiceSource for FakeSource {
    async fn page(
        &self,
        _from: &str,
        _to: &str,
        cursor: Option<&str>,
    ) -> Result<hoadon_api::books::source::SourcePage, hoadon_api::books::source::SourceError> {
        let i: usize = cursor.map_or(0, |c| c.parse().unwrap());
        if self.fail_at == Some(i) {
            return Err(hoadon_api::books::source::SourceError::Unavailable(
                "the platform is down".into(),
            ));
        }
        Ok(hoadon_api::books::source::SourcePage {
            files: self.pages[i]
                .iter()
                .map(|(name, xml)| hoadon_core::api::books::BookFile {
                    name: name.clone(),
                    xml: xml.clone(),
                })
                .collect(),
            next: (i + 1 < self.pages.len()).then(|| (i + 1).to_string()),
        })
    }
}

#[tokio::test]
async fn a_source_is_read_page_by_page_and_its_failure_is_reported() {
    let app = spawn_app().await;
    let svc = &app.state.0.services;
    let ts = hoadon_api::store::TenantStore::new("anphat", app.state.0.store.clone());
    let file = |n: u64| (format!("{n}.xml"), signed(&foreign(n, buyer(n)), false));
    let source = FakeSource {
        pages: vec![
            vec![file(1), file(2)],
            vec![file(2), ("junk.xml".into(), "<x/>".into())],
            vec![file(3)],
        ],
        fail_at: None,
    };
    let r = hoadon_api::books::source::pull(svc, &ts, &source, FROM, TO)
        .await
        .unwrap();
    assert_eq!((r.imported, r.duplicates, r.refused), (3, 1, 1), "{r:?}");
    let down = FakeSource {
        fail_at: Some(1),
        ..source
    };
    let e = hoadon_api::books::source::pull(svc, &ts, &down, FROM, TO)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "books.source", "{e}");
}
