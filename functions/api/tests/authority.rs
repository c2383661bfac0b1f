//! The tax authority end to end, in-process: the API connected to the local simulator through
//! the outbox. Registration gating issue (100 → 102 → 103), a coded invoice (200 → 999 → 202
//! adopted, both signatures verified by hoadon and by xmlsec1), a refusal (204) fixed and sent
//! again under the same number, an uncoded series (203 → 204 accepted), a 04/SS round trip
//! (300 → 301) and "retry now" after the retries ran out.

mod common;

use axum::http::StatusCode;
use common::authority::*;
use common::{example, spawn_app_full};
use hoadon_api::outbox::{AuthorityLink, RetryPolicy, TrustedAuthority};
use hoadon_api::ports::SystemClock;
use hoadon_api::store::TenantStore;
use hoadon_authority::simulator::{Faults, Simulator, SimulatorConfig};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test]
async fn registration_gates_issuing_then_a_coded_invoice_gets_its_code_and_both_signatures_verify()
{
    let sim = simulator(SimulatorConfig {
        require_registration: true,
        ..SimulatorConfig::default()
    });
    let app = connected(sim.clone(), RetryPolicy::fast()).await;
    let t = app.login("admin@anphat.vn").await;
    app.series(&t, "C25TAB").await;
    app.draft(&t, "inv-auth-0001", &example()).await;
    let (s, v) = app.post(&t, "/api/invoices/inv-auth-0001/issue").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("registration_required")
        ),
        "{v}"
    );
    let (_, series) = app.get(&t, "/api/series").await;
    assert_eq!(
        series["items"][0]["last_number"], 0,
        "refused before a number was taken"
    );

    register(&app, &t).await;
    // Who sent it and what the authority decided are on the registration's audit chain.
    let ts = TenantStore::new("anphat", app.state.0.store.clone());
    let chain = ts.query("AUDIT#registration", "", None, 10).await.unwrap();
    let actions: Vec<String> = chain
        .items
        .iter()
        .map(|i| {
            serde_json::from_slice::<Value>(&i.data).unwrap()["action"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        actions.first().map(String::as_str),
        Some("registration_sent"),
        "{actions:?}"
    );
    assert_eq!(
        actions.last().map(String::as_str),
        Some("accepted (103)"),
        "{actions:?}"
    );
    let (s, v) = app.post(&t, "/api/invoices/inv-auth-0001/issue").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["authority"]["test"], true);
    let v = settle(&app, &t, "/api/invoices/inv-auth-0001", status_is("coded")).await;
    let code = v["authority"]["code"].as_str().unwrap().to_owned();
    assert!(!code.is_empty());
    assert_eq!(
        v["authority"]["test"], true,
        "the simulator's code is test data"
    );

    // The final file is the 202's HDon: the seller's bytes untouched, the code, both signatures.
    let (_, _, xml) = app.download(&t, "/api/invoices/inv-auth-0001/xml").await;
    let text = String::from_utf8(xml.clone()).unwrap();
    assert!(text.contains(&format!(">{code}</MCCQT>")), "{text}");
    let reports = hoadon_core::dsig::verify_document(&text).unwrap();
    assert_eq!(reports.len(), 2, "seller and CQT");
    assert!(reports.iter().all(|r| r.failure.is_none()), "{reports:?}");
    let seller_pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../signing/tests/data/seller.cert.pem"
    ))
    .unwrap();
    for (slot, pem) in [
        ("NBan", seller_pem.as_str()),
        ("CQT", sim.certificate_pem()),
    ] {
        let (ok, out) = xmlsec1_verifies(&xml, slot, pem);
        assert!(ok, "xmlsec1 on the {slot} signature: {out}");
    }
    let (_, outbox) = app.get(&t, "/api/outbox").await;
    let kinds: Vec<(u64, &str)> = outbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["kind"].as_u64().unwrap(), m["state"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds.len(), 2, "{outbox}");
    assert!(
        kinds.contains(&(100, "done")) && kinds.contains(&(200, "done")),
        "{kinds:?}"
    );
    assert_eq!(sim.counters().codes_granted, 1);
    let (_, home) = app.get(&t, "/api/summary").await;
    assert_eq!(home["counts"]["coded"], 1, "{home}");
}

#[tokio::test]
async fn a_refused_invoice_is_fixed_and_coded_under_the_same_number() {
    let sim = simulator(SimulatorConfig {
        registered: vec!["0109998883".into()],
        faults: Faults {
            reject: 1.0,
            reject_codes: vec!["40001".into()],
            ..Faults::none()
        },
        ..SimulatorConfig::default()
    });
    let app = connected(sim.clone(), RetryPolicy::fast()).await;
    let t = app.login("admin@anphat.vn").await;
    registered_elsewhere(&app, &t).await;
    app.series(&t, "C25TAB").await;
    app.draft(&t, "inv-auth-0002", &example()).await;
    app.post(&t, "/api/invoices/inv-auth-0002/issue").await;
    let v = settle(
        &app,
        &t,
        "/api/invoices/inv-auth-0002",
        status_is("rejected"),
    )
    .await;
    let errors = v["authority"]["errors"].as_array().unwrap();
    assert_eq!(errors[0]["code"], "authority.40001", "{v}");
    assert!(
        errors[0]["message_vi"]
            .as_str()
            .unwrap()
            .contains("Cơ quan thuế")
    );
    // Nothing else may happen to it but a revision.
    let (s, _) = app.post(&t, "/api/invoices/inv-auth-0002/issue").await;
    assert_eq!(
        s,
        StatusCode::OK,
        "issue of a refused invoice answers it as it is"
    );

    sim.set_faults(Faults::none());
    let mut fixed = example();
    fixed["buyer"]["address"] = json!("Số 1 Tràng Tiền, Hà Nội");
    let version = v["version"].as_u64().unwrap().to_string();
    let (s, r) = app
        .call(
            "POST",
            "/api/invoices/inv-auth-0002/revise",
            Some(&t),
            &[("if-match", &version)],
            Some(json!({"document": fixed})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["number"], 1);
    let v = settle(&app, &t, "/api/invoices/inv-auth-0002", status_is("coded")).await;
    assert_eq!(v["number"], 1, "the same number");
    assert_eq!(v["document"]["buyer"]["address"], "Số 1 Tràng Tiền, Hà Nội");
    let (_, series) = app.get(&t, "/api/series").await;
    assert_eq!(
        series["items"][0]["last_number"], 1,
        "no number spent on the refusal"
    );
    // The refused file is kept, superseded.
    let ts = TenantStore::new("anphat", app.state.0.store.clone());
    let old = ts
        .query("XMLOLD#inv-auth-0002", "", None, 10)
        .await
        .unwrap();
    assert_eq!(old.items.len(), 1);
    let (_, audit) = app.get(&t, "/api/invoices/inv-auth-0002/audit").await;
    assert_eq!(audit["valid"], true, "{audit}");
    // A revision of a coded invoice is refused.
    let version = v["version"].as_u64().unwrap().to_string();
    let (s, r) = app
        .call(
            "POST",
            "/api/invoices/inv-auth-0002/revise",
            Some(&t),
            &[("if-match", &version)],
            Some(json!({"document": example()})),
        )
        .await;
    assert_eq!(
        (s, r["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_rejected"))
    );
}

#[tokio::test]
async fn an_uncoded_series_sends_its_data_and_a_04ss_goes_round_trip() {
    let sim = simulator(SimulatorConfig {
        registered: vec!["0109998883".into()],
        ..SimulatorConfig::default()
    });
    let app = connected(sim.clone(), RetryPolicy::fast()).await;
    let t = app.login("admin@anphat.vn").await;
    registered_elsewhere(&app, &t).await;
    app.series(&t, "K25TAB").await;
    let mut doc = example();
    doc["symbol"] = json!("K25TAB");
    app.draft(&t, "inv-auth-0003", &doc).await;
    let (s, v) = app.post(&t, "/api/invoices/inv-auth-0003/issue").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let v = settle(
        &app,
        &t,
        "/api/invoices/inv-auth-0003",
        status_is("data_accepted"),
    )
    .await;
    assert!(v["authority"]["code"].is_null(), "uncoded: no MCCQT");

    let notice = json!({"tax_office_code": "10100", "tax_office_name": "Chi cục Thuế Quận Hoàn Kiếm",
        "place": "Hà Nội", "rows": [{"invoice_id": "inv-auth-0003", "action": 4,
        "reason": "Ghi sai địa chỉ người mua"}]});
    let (s, n) = app
        .call("POST", "/api/notices", Some(&t), &[], Some(notice))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{n}");
    let id = n["id"].as_str().unwrap();
    settle(&app, &t, &format!("/api/notices/{id}"), |v| {
        v["state"] == "accepted"
    })
    .await;
    // A notice about a draft is refused.
    app.draft(&t, "inv-auth-0004", &doc).await;
    let bad = json!({"tax_office_code": "10100", "tax_office_name": "Chi cục Thuế",
        "place": "Hà Nội", "rows": [{"invoice_id": "inv-auth-0004", "action": 1, "reason": "x"}]});
    let (s, v) = app
        .call("POST", "/api/notices", Some(&t), &[], Some(bad))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("notice_not_issued"))
    );
}

#[tokio::test]
async fn retries_run_out_then_retry_now_finishes_the_message() {
    let sim = simulator(SimulatorConfig {
        registered: vec!["0109998883".into()],
        unavailable_for: Some(Duration::from_secs(600)),
        ..SimulatorConfig::default()
    });
    let retry = RetryPolicy {
        max_attempts: 3,
        ..RetryPolicy::fast()
    };
    let app = connected(sim.clone(), retry).await;
    let t = app.login("admin@anphat.vn").await;
    registered_elsewhere(&app, &t).await;
    app.series(&t, "C25TAB").await;
    app.draft(&t, "inv-auth-0005", &example()).await;
    let (s, v) = app.post(&t, "/api/invoices/inv-auth-0005/issue").await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("signed")));
    let out = settle(&app, &t, "/api/outbox?state=needs_attention", |v| {
        v["items"].as_array().is_some_and(|a| !a.is_empty())
    })
    .await;
    let m = &out["items"][0];
    assert_eq!(m["attempts"], 3);
    assert!(
        m["last_error"]
            .as_str()
            .unwrap()
            .contains("could not be reached"),
        "{m}"
    );
    let (_, home) = app.get(&t, "/api/summary").await;
    assert_eq!(home["counts"]["outbox_attention"], 1);

    sim.unavailable_for(Duration::ZERO);
    let id = m["id"].as_str().unwrap();
    let (s, r) = app.post(&t, &format!("/api/outbox/{id}/retry")).await;
    assert_eq!(
        (s, r["state"].as_str()),
        (StatusCode::OK, Some("queued")),
        "{r}"
    );
    settle(&app, &t, "/api/invoices/inv-auth-0005", status_is("coded")).await;
    let (_, home) = app.get(&t, "/api/summary").await;
    assert_eq!(home["counts"]["outbox_attention"], 0);
    let sales = app.login("sales@anphat.vn").await;
    let (s, _) = app.post(&sales, &format!("/api/outbox/{id}/retry")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

/// A T-VAN that adds a line to the coded invoice before handing the 202 on.
struct Tampering(Arc<Simulator>);

#[async_trait::async_trait]
impl hoadon_authority::TaxAuthority for Tampering {
    async fn submit(&self, m: &[u8]) -> Result<Vec<String>, hoadon_authority::AuthorityError> {
        self.0.submit(m).await
    }
    async fn replies(&self, id: &str) -> Result<Vec<String>, hoadon_authority::AuthorityError> {
        let added = "<TTKhac><TTin><TTruong>STK</TTruong><DLieu>9999 ATTACKER BANK</DLieu></TTin></TTKhac></HDon>";
        Ok(self
            .0
            .replies(id)
            .await?
            .into_iter()
            .map(|r| r.replacen("</HDon>", added, 1))
            .collect())
    }
    fn is_test(&self) -> bool {
        true
    }
}

#[tokio::test]
async fn a_code_from_an_untrusted_key_or_with_added_content_is_never_adopted() {
    let config = || SimulatorConfig {
        registered: vec!["0109998883".into()],
        ..SimulatorConfig::default()
    };
    let trusted = simulator(config());
    let impostor = simulator(config());
    let cert = TrustedAuthority::from_pem(trusted.certificate_pem(), true).unwrap();
    let cases: [(Arc<dyn hoadon_authority::TaxAuthority>, &str); 2] = [
        (impostor, "not made with a certificate configured"),
        (
            Arc::new(Tampering(trusted.clone())),
            "differs from the sent one",
        ),
    ];
    for (authority, why) in cases {
        let cert = cert.clone();
        let app = spawn_app_full(
            |f| f,
            Arc::new(SystemClock),
            move |s| {
                s.with_authority(
                    "anphat",
                    AuthorityLink::new(authority, SENDER).trusting(cert),
                )
                .with_retry(RetryPolicy::fast())
            },
        )
        .await;
        let t = app.login("admin@anphat.vn").await;
        registered_elsewhere(&app, &t).await;
        app.series(&t, "C25TAB").await;
        app.draft(&t, "inv-auth-0009", &example()).await;
        app.post(&t, "/api/invoices/inv-auth-0009/issue").await;
        let out = settle(&app, &t, "/api/outbox?state=needs_attention", |v| {
            v["items"].as_array().is_some_and(|a| !a.is_empty())
        })
        .await;
        let error = out["items"][0]["last_error"].as_str().unwrap();
        assert!(error.contains(why), "{error}");
        let (_, v) = app.get(&t, "/api/invoices/inv-auth-0009").await;
        assert_ne!(v["status"], "coded", "{v}");
        assert!(v["authority"]["code"].is_null());
    }
}
