//! The books end to end, in-process (#18): importing a few hundred invoices issued elsewhere
//! (several rates, some coded, corrections, a 04/SS, bad files) once — a second upload
//! imports nothing; coded and differing copies; invoices issued here entering the books by
//! themselves; recording exactly once (two clicks, concurrent requests), with the reversal and
//! adjustment vouchers the seed leaves to the user; the change feed, the export, statistics;
//! pulling from another hoadon.

mod common;

use axum::http::StatusCode;
use common::books::*;
use common::*;
use serde_json::{Value, json};

const FROM: &str = "2025-01-01";
const TO: &str = "2025-12-31";
const BUYERS: [(&str, &str); 3] = [
    ("0100109106", "Công ty Cổ phần Khách Một"),
    ("0101234565", "Công ty TNHH Khách Hai"),
    ("0102030405", "Công ty Khách Ba"),
];

fn buyer(n: u64) -> (&'static str, &'static str) {
    BUYERS[(n % 3) as usize]
}

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

fn of_number(entries: &[Value], n: u64) -> &Value {
    entries.iter().find(|e| e["key"]["number"] == n).unwrap()
}

fn count(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("{key} in {v}"))
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

async fn record_proposal(app: &TestApp, t: &str, id: &str, action: &str) -> (StatusCode, Value) {
    let (s, p) = app
        .get(t, &format!("/api/books/{id}/proposal?action={action}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let body = json!({"action": action, "version": p["version"], "vouchers": p["vouchers"]});
    app.call(
        "POST",
        &format!("/api/books/{id}/record"),
        Some(t),
        &[],
        Some(body),
    )
    .await
}

fn id_of(entries: &[Value], n: u64) -> String {
    entries.iter().find(|e| e["key"]["number"] == n).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn recording_happens_once_and_the_books_come_out_right() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    let files = vec![
        (
            "1.xml".to_owned(),
            signed(&foreign(1, buyer(1)), false).into_bytes(),
        ),
        (
            "3.xml".to_owned(),
            signed(&foreign(3, buyer(1)), false).into_bytes(),
        ),
        (
            "4.xml".to_owned(),
            signed(&correction(4, 3, 2, buyer(1)), false).into_bytes(),
        ),
        (
            "5.xml".to_owned(),
            signed(&foreign(5, buyer(1)), false).into_bytes(),
        ),
    ];
    let (_, r) = app.import(&t, "few.zip", zip(&files)).await;
    assert_eq!(count(&r, "imported"), 4, "{r}");
    let entries = app.books(&t, FROM, TO).await;
    let (one, three, four, five) = (
        id_of(&entries, 1),
        id_of(&entries, 3),
        id_of(&entries, 4),
        id_of(&entries, 5),
    );

    // The customer is not in the catalog: the proposal says where, and recording it as is
    // keeps the warning; created in place, the proposal maps it.
    let (_, p) = app
        .get(
            &t,
            &format!("/api/books/{one}/proposal?action=sales_voucher"),
        )
        .await;
    assert!(
        pluck(&p, "warnings", "path").contains(&"vouchers[0].customer.code"),
        "{p}"
    );
    assert_eq!(p["vouchers"][0]["customer"]["code"], Value::Null);
    let customer = json!({"code": "KH001", "name": buyer(1).1, "tax_id": buyer(1).0});
    let (s, v) = app
        .call(
            "POST",
            "/api/catalogs/customers",
            Some(&t),
            &[],
            Some(customer),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, p) = app
        .get(
            &t,
            &format!("/api/books/{one}/proposal?action=sales_voucher"),
        )
        .await;
    assert_eq!(p["vouchers"][0]["customer"]["code"], "KH001");
    assert_eq!(p["vouchers"][0]["kind"], "sale");
    assert_eq!(p["vouchers"][0]["receivable_account"], "131");
    assert_eq!(p["vouchers"][0]["lines"][0]["revenue_account"], "5111");
    assert_eq!(p["vouchers"][0]["lines"][0]["vat_account"], "33311");

    // An unknown customer code is refused, naming the field.
    let mut bad = p["vouchers"].clone();
    bad[0]["customer"]["code"] = json!("KH999");
    let body = json!({"action": "sales_voucher", "version": p["version"], "vouchers": bad});
    let answer = app
        .call(
            "POST",
            &format!("/api/books/{one}/record"),
            Some(&t),
            &[],
            Some(body.clone()),
        )
        .await;
    assert_finding(
        &answer,
        "vouchers[0].customer.code",
        "books.voucher.customer",
    );
    // What a voucher does is the proposal's: no second sale, no reversing another voucher.
    let mut twice = p["vouchers"].clone();
    twice.as_array_mut().unwrap().push(p["vouchers"][0].clone());
    let body = json!({"action": "sales_voucher", "version": p["version"], "vouchers": twice});
    let answer = app
        .call(
            "POST",
            &format!("/api/books/{one}/record"),
            Some(&t),
            &[],
            Some(body),
        )
        .await;
    assert_finding(&answer, "vouchers", "books.voucher.count");
    let mut sneaky = p["vouchers"].clone();
    sneaky[0]["reverses"] = json!("BH2025/000009");
    let body = json!({"action": "sales_voucher", "version": p["version"], "vouchers": sneaky});
    let answer = app
        .call(
            "POST",
            &format!("/api/books/{one}/record"),
            Some(&t),
            &[],
            Some(body),
        )
        .await;
    assert_finding(&answer, "vouchers[0].kind", "books.voucher.proposal");

    let body =
        json!({"action": "sales_voucher", "version": p["version"], "vouchers": p["vouchers"]});
    let (s, e) = app
        .call(
            "POST",
            &format!("/api/books/{one}/record"),
            Some(&t),
            &[],
            Some(body.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert_eq!(e["workflow"], "revenue_recorded");
    assert_eq!(e["recordings"][0]["vouchers"], json!(["BH2025/000001"]));
    // A second click, a retry: nothing recorded twice.
    let (s, again) = app
        .call(
            "POST",
            &format!("/api/books/{one}/record"),
            Some(&t),
            &[],
            Some(body),
        )
        .await;
    assert_eq!(
        (s, again["code"].as_str()),
        (StatusCode::CONFLICT, Some("books.already_recorded")),
        "{again}"
    );

    // Two users at once on the same invoice: one records.
    let (_, p5) = app
        .get(
            &t,
            &format!("/api/books/{five}/proposal?action=sales_voucher"),
        )
        .await;
    let body =
        json!({"action": "sales_voucher", "version": p5["version"], "vouchers": p5["vouchers"]});
    let uri = format!("/api/books/{five}/record");
    let (a, b) = tokio::join!(
        app.call("POST", &uri, Some(&t), &[], Some(body.clone())),
        app.call("POST", &uri, Some(&t), &[], Some(body.clone())),
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{} {}",
        a.1,
        b.1
    );

    // The replacement of 1 arrives: its original's revenue is in the books → "invoice not
    // created"; a sales voucher for it proposes the reversal of the original's voucher.
    let replacement = signed(&correction(2, 1, 1, buyer(1)), false).into_bytes();
    let (_, r) = app.import(&t, "2.xml", replacement).await;
    assert_eq!(count(&r, "imported"), 1, "{r}");
    let entries = app.books(&t, FROM, TO).await;
    let two = id_of(&entries, 2);
    let one_view = entries.iter().find(|e| e["id"] == one.as_str()).unwrap();
    assert_eq!(one_view["replaced_by"]["number"], 2);
    assert_eq!(
        one_view["workflow"], "revenue_recorded",
        "sold before it was replaced"
    );
    let two_view = entries.iter().find(|e| e["id"] == two.as_str()).unwrap();
    assert_eq!(two_view["workflow"], "invoice_not_created");
    let (_, p) = app
        .get(
            &t,
            &format!("/api/books/{two}/proposal?action=sales_voucher"),
        )
        .await;
    let kinds: Vec<&str> = p["vouchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["sale", "reversal"], "{p}");
    assert_eq!(p["vouchers"][1]["reverses"], "BH2025/000001");
    let (_, first) = app
        .get(&t, "/api/vouchers?from=2025-01-01&to=2025-12-31")
        .await;
    let original_amount: rust_decimal::Decimal = first["items"][0]["lines"][0]["amount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let reversed: rust_decimal::Decimal = p["vouchers"][1]["lines"][0]["amount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(reversed, -original_amount);
    let (s, e) = record_proposal(&app, &t, &two, "sales_voucher").await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let (_, v) = app
        .get(&t, "/api/vouchers?from=2025-01-01&to=2025-12-31")
        .await;
    let first = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["number"] == "BH2025/000001")
        .unwrap();
    assert!(first["reversed_by"].is_string(), "{first}");

    // 3 recorded, then cancelled by a 04/SS: "invoice not created", whose record is the reversal.
    assert_eq!(
        record_proposal(&app, &t, &three, "sales_voucher").await.0,
        StatusCode::OK
    );
    let (_, r) = app
        .import(&t, "04ss.xml", cancellation(&[3]).into_bytes())
        .await;
    assert_eq!(count(&r, "notices"), 1, "{r}");
    let entries = app.books(&t, FROM, TO).await;
    let three_view = entries.iter().find(|e| e["id"] == three.as_str()).unwrap();
    assert_eq!(
        (
            three_view["status"].as_str(),
            three_view["workflow"].as_str()
        ),
        (Some("cancelled"), Some("invoice_not_created"))
    );
    let (_, p) = app
        .get(
            &t,
            &format!("/api/books/{three}/proposal?action=invoice_record"),
        )
        .await;
    assert_eq!(p["vouchers"][0]["kind"], "reversal");
    assert_eq!(p["vouchers"][0]["date"], "2025-10-20");
    let (s, e) = record_proposal(&app, &t, &three, "invoice_record").await;
    assert_eq!(
        (s, e["workflow"].as_str()),
        (StatusCode::OK, Some("invoice_created")),
        "{e}"
    );

    // The adjustment (a decrease of 3): its record is the difference, negative.
    let (_, p) = app
        .get(
            &t,
            &format!("/api/books/{four}/proposal?action=invoice_record"),
        )
        .await;
    assert_eq!(p["vouchers"][0]["kind"], "adjustment");
    let amount: rust_decimal::Decimal = p["vouchers"][0]["lines"][0]["amount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(amount < rust_decimal::Decimal::ZERO, "{p}");
    // Not an action the seed allows for an adjustment.
    let (s, v) = app
        .get(
            &t,
            &format!("/api/books/{four}/proposal?action=sales_voucher"),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("books.not_allowed"))
    );

    // The change feed: every change once, in order; polling on from the last position.
    let (_, feed) = app.get(&t, "/api/vouchers/changes?after=0").await;
    let positions: Vec<u64> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["change"].as_u64().unwrap())
        .collect();
    assert_eq!(
        positions,
        (1..=positions.len() as u64).collect::<Vec<_>>(),
        "{feed}"
    );
    // 1's sale; 5's; 2's sale, its reversal of 1's, and 1's again (reversed); 3's sale; 3's
    // reversal and 3's sale again (reversed).
    assert_eq!(positions.len(), 8, "{feed}");
    let last = feed["next"].as_str().unwrap();
    let (_, rest) = app
        .get(&t, &format!("/api/vouchers/changes?after={last}"))
        .await;
    assert_eq!(rest["items"], json!([]));

    // The export shows what reversed what.
    let (s, (ty, _), bytes) = app
        .download(
            &t,
            "/api/vouchers/export?from=2025-01-01&to=2025-12-31&format=csv",
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(ty.starts_with("text/csv"));
    let text = String::from_utf8(bytes).unwrap();
    let row = text
        .lines()
        .find(|l| l.starts_with("BH2025/000001,"))
        .unwrap();
    assert!(
        row.ends_with(",BH2025/000004"),
        "reversed by 2's reversal: {row}"
    );
    let reversal = text
        .lines()
        .find(|l| l.starts_with("BH2025/000004,"))
        .unwrap();
    assert!(
        reversal.contains(",reversal,") && reversal.ends_with(",BH2025/000001,"),
        "{reversal}"
    );
    let (s, (ty, _), _) = app
        .download(
            &t,
            "/api/vouchers/export?from=2025-01-01&to=2025-12-31&format=xlsx",
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(ty.contains("spreadsheetml"));

    // Statistics: by status, series, rate, customer.
    let (_, st) = app
        .get(&t, "/api/books/stats?from=2025-01-01&to=2025-12-31")
        .await;
    let statuses: Vec<(&str, u64)> = st["by_status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["group"].as_str().unwrap(), r["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("adjustment", 1),
            ("cancelled", 1),
            ("original", 1),
            ("replaced", 1),
            ("replacement", 1)
        ]
    );
    assert_eq!(
        st["total"]["count"], 3,
        "5, the replacement 2, the adjustment 4"
    );
    assert_eq!(st["by_series"][0]["group"], format!("1{SYMBOL}"));
    let (s, _, bytes) = app
        .download(
            &t,
            "/api/books/stats/export?from=2025-01-01&to=2025-12-31&format=csv",
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        String::from_utf8(bytes)
            .unwrap()
            .contains("status,cancelled,1")
    );
}

#[tokio::test]
async fn bulk_recording_leaves_what_needs_review_and_never_records_twice() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    // The company's own sales issued on another platform (its tax id, its certificate), and one
    // of another seller: that one is left for a person whatever maps.
    let files: Vec<_> = (1..=7)
        .map(|n| {
            let mut doc = foreign(n, buyer(n));
            if n <= 6 {
                doc.seller.tax_id = Some("0109998883".into());
            }
            (format!("{n}.xml"), signed(&doc, false).into_bytes())
        })
        .collect();
    app.import(&t, "seven.zip", zip(&files)).await;
    // Buyers 0 and 1 in the catalog, buyer 2 not; products created so lines map.
    for (i, (tax, name)) in BUYERS.iter().enumerate().take(2) {
        let c = json!({"code": format!("KH{i}"), "name": name, "tax_id": tax});
        assert_eq!(
            app.call("POST", "/api/catalogs/customers", Some(&t), &[], Some(c))
                .await
                .0,
            StatusCode::CREATED
        );
    }
    let doc = foreign(1, buyer(1));
    for (i, l) in doc.lines.iter().enumerate() {
        // The second line is a service: its product posts to 5113, the first to the default.
        let mut p = json!({"code": l.code.clone().unwrap(), "name": l.name, "unit": l.unit.clone().unwrap(), "unit_price": "1"});
        if i == 1 {
            p["revenue_account"] = json!("5113");
        }
        assert_eq!(
            app.call("POST", "/api/catalogs/products", Some(&t), &[], Some(p))
                .await
                .0,
            StatusCode::CREATED
        );
    }
    let ids: Vec<String> = app
        .books(&t, FROM, TO)
        .await
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    let body = json!({"action": "sales_voucher", "ids": ids});
    let (s, r) = app
        .call(
            "POST",
            "/api/books/record",
            Some(&t),
            &[],
            Some(body.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let outcomes: Vec<&str> = pluck(&r, "items", "outcome");
    assert_eq!(
        outcomes.iter().filter(|o| **o == "recorded").count(),
        4,
        "{r}"
    );
    assert_eq!(
        outcomes.iter().filter(|o| **o == "needs_review").count(),
        3,
        "{r}"
    );
    let (_, r) = app
        .call("POST", "/api/books/record", Some(&t), &[], Some(body))
        .await;
    assert_eq!(
        pluck(&r, "items", "outcome")
            .iter()
            .filter(|o| **o == "recorded")
            .count(),
        0,
        "{r}"
    );
    let (_, v) = app
        .get(&t, "/api/vouchers?from=2025-01-01&to=2025-12-31")
        .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 4);
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

#[tokio::test]
async fn a_replaced_original_never_records_revenue_of_its_own() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    let files = vec![
        (
            "o.xml".to_owned(),
            signed(&foreign(1, buyer(1)), false).into_bytes(),
        ),
        (
            "r.xml".to_owned(),
            signed(&correction(2, 1, 1, buyer(1)), false).into_bytes(),
        ),
    ];
    app.import(&t, "pair.zip", zip(&files)).await;
    let entries = app.books(&t, FROM, TO).await;
    let (o, r) = (id_of(&entries, 1), id_of(&entries, 2));
    // The replacement is the revenue (its original's is not in the books): sold, no reversal.
    let (_, p) = app
        .get(&t, &format!("/api/books/{r}/proposal?action=sales_voucher"))
        .await;
    assert_eq!(p["vouchers"].as_array().unwrap().len(), 1, "{p}");
    assert_eq!(
        record_proposal(&app, &t, &r, "sales_voucher").await.0,
        StatusCode::OK
    );
    // The original: a sale is refused; its invoice is recorded without revenue.
    let (s, v) = app
        .get(&t, &format!("/api/books/{o}/proposal?action=sales_voucher"))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("books.not_allowed"))
    );
    let (_, p) = app
        .get(
            &t,
            &format!("/api/books/{o}/proposal?action=invoice_record"),
        )
        .await;
    assert_eq!(p["vouchers"][0]["kind"], "invoice_only");
    assert_eq!(p["vouchers"][0]["lines"], json!([]));
    let (s, e) = record_proposal(&app, &t, &o, "invoice_record").await;
    assert_eq!(
        (s, e["workflow"].as_str()),
        (StatusCode::OK, Some("invoice_created")),
        "{e}"
    );
    // Revenue in the books once: the replacement's.
    let (_, st) = app
        .get(&t, "/api/vouchers?from=2025-01-01&to=2025-12-31")
        .await;
    let sales = st["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["kind"] == "sale")
        .count();
    assert_eq!(sales, 1);
}

#[tokio::test]
async fn the_voucher_posts_the_vat_the_invoice_declares() {
    let app = spawn_app().await;
    let t = app.login("admin@anphat.vn").await;
    // Both lines at 10 %: 38,250,000 net, 3,825,000 VAT computed; the file declares 3,824,000.
    let doc = foreign(4, buyer(4));
    let unsigned = hoadon_core::xml::render(&hoadon_core::check(&doc).invoice.unwrap());
    let declared = unsigned.replacen("<TThue>3825000</TThue>", "<TThue>3824000</TThue>", 1);
    assert_ne!(declared, unsigned);
    let xml = signer()
        .sign_invoice(&declared, "2025-10-15T09:30:12".parse().unwrap())
        .unwrap();
    let (_, r) = app.import(&t, "declared.xml", xml.into_bytes()).await;
    assert_eq!(count(&r, "imported"), 1, "{r}");
    let id = id_of(&app.books(&t, FROM, TO).await, 4);
    let (_, p) = app
        .get(
            &t,
            &format!("/api/books/{id}/proposal?action=sales_voucher"),
        )
        .await;
    let vat: rust_decimal::Decimal = p["vouchers"][0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            l["vat"]
                .as_str()
                .unwrap()
                .parse::<rust_decimal::Decimal>()
                .unwrap()
        })
        .sum();
    assert_eq!(vat, rust_decimal::Decimal::from(3_824_000), "{p}");
    assert!(
        pluck(&p, "warnings", "code").contains(&"books.vat_declared"),
        "{p}"
    );
}
