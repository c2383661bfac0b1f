//! Recording the books end to end, in-process (#18): exactly once (two clicks, concurrent
//! requests), with the reversal and adjustment vouchers the seed leaves to the user, a replaced
//! original never recording revenue of its own, the declared VAT posted; bulk; the change feed,
//! the export, statistics.

mod common;

use axum::http::StatusCode;
use common::books::*;
use common::*;
use serde_json::{Value, json};

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
    let (_, p) = app.proposal(&t, &one, "sales_voucher").await;
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
    let (_, p) = app.proposal(&t, &one, "sales_voucher").await;
    assert_eq!(p["vouchers"][0]["customer"]["code"], "KH001");
    assert_eq!(p["vouchers"][0]["kind"], "sale");
    assert_eq!(p["vouchers"][0]["receivable_account"], "131");
    assert_eq!(p["vouchers"][0]["lines"][0]["revenue_account"], "5111");
    assert_eq!(p["vouchers"][0]["lines"][0]["vat_account"], "33311");

    // An unknown customer code is refused, naming the field.
    let mut bad = p["vouchers"].clone();
    bad[0]["customer"]["code"] = json!("KH999");
    let body = json!({"action": "sales_voucher", "version": p["version"], "vouchers": bad});
    let answer = app.record(&t, &one, body.clone()).await;
    assert_finding(
        &answer,
        "vouchers[0].customer.code",
        "books.voucher.customer",
    );
    // What a voucher does is the proposal's: no second sale, no reversing another voucher.
    let mut twice = p["vouchers"].clone();
    twice.as_array_mut().unwrap().push(p["vouchers"][0].clone());
    let body = json!({"action": "sales_voucher", "version": p["version"], "vouchers": twice});
    let answer = app.record(&t, &one, body).await;
    assert_finding(&answer, "vouchers", "books.voucher.count");
    let mut sneaky = p["vouchers"].clone();
    sneaky[0]["reverses"] = json!("BH2025/000009");
    let body = json!({"action": "sales_voucher", "version": p["version"], "vouchers": sneaky});
    let answer = app.record(&t, &one, body).await;
    assert_finding(&answer, "vouchers[0].kind", "books.voucher.proposal");

    let body =
        json!({"action": "sales_voucher", "version": p["version"], "vouchers": p["vouchers"]});
    let (s, e) = app.record(&t, &one, body.clone()).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert_eq!(e["workflow"], "revenue_recorded");
    assert_eq!(e["recordings"][0]["vouchers"], json!(["BH2025/000001"]));
    // A second click, a retry: nothing recorded twice.
    let (s, again) = app.record(&t, &one, body).await;
    assert_eq!(
        (s, again["code"].as_str()),
        (StatusCode::CONFLICT, Some("books.already_recorded")),
        "{again}"
    );

    // Two users at once on the same invoice: one records.
    let (_, p5) = app.proposal(&t, &five, "sales_voucher").await;
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
    let (_, p) = app.proposal(&t, &two, "sales_voucher").await;
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
    let (s, e) = app.record_proposal(&t, &two, "sales_voucher").await;
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
        app.record_proposal(&t, &three, "sales_voucher").await.0,
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
    let (_, p) = app.proposal(&t, &three, "invoice_record").await;
    assert_eq!(p["vouchers"][0]["kind"], "reversal");
    assert_eq!(p["vouchers"][0]["date"], "2025-10-20");
    let (s, e) = app.record_proposal(&t, &three, "invoice_record").await;
    assert_eq!(
        (s, e["workflow"].as_str()),
        (StatusCode::OK, Some("invoice_created")),
        "{e}"
    );

    // The adjustment (a decrease of 3): its record is the difference, negative.
    let (_, p) = app.proposal(&t, &four, "invoice_record").await;
    assert_eq!(p["vouchers"][0]["kind"], "adjustment");
    let amount: rust_decimal::Decimal = p["vouchers"][0]["lines"][0]["amount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(amount < rust_decimal::Decimal::ZERO, "{p}");
    // Not an action the seed allows for an adjustment.
    let (s, v) = app.proposal(&t, &four, "sales_voucher").await;
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
    let (_, p) = app.proposal(&t, &r, "sales_voucher").await;
    assert_eq!(p["vouchers"].as_array().unwrap().len(), 1, "{p}");
    assert_eq!(
        app.record_proposal(&t, &r, "sales_voucher").await.0,
        StatusCode::OK
    );
    // The original: a sale is refused; its invoice is recorded without revenue.
    let (s, v) = app.proposal(&t, &o, "sales_voucher").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("books.not_allowed"))
    );
    let (_, p) = app.proposal(&t, &o, "invoice_record").await;
    assert_eq!(p["vouchers"][0]["kind"], "invoice_only");
    assert_eq!(p["vouchers"][0]["lines"], json!([]));
    let (s, e) = app.record_proposal(&t, &o, "invoice_record").await;
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
    let (_, p) = app.proposal(&t, &id, "sales_voucher").await;
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
