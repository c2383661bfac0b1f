//! Peak season (#19): completed orders from concurrent ERP clients against a running hoadon,
//! invoiced automatically, with a webhook receiver on loopback that fails a tenth of first
//! attempts. Measures throughput and the latency from "order accepted" (its `PUT` answered)
//! to "invoice signed" (the first `invoice.signed` delivery for it reaching the receiver: an
//! upper bound, it includes the outbox's hop), then checks every order was invoiced exactly
//! once, the series' numbers are gapless, every signature verifies and every webhook was
//! delivered (each `webhook-id` answered 2xx once its retries are done).

use super::{Client, numbers_of_series, verify_invoices};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the receiver saw.
#[derive(Default)]
struct Seen {
    /// First arrival of `invoice.signed` per order id.
    signed_at: HashMap<String, Instant>,
    /// Attempts per `webhook-id`, and whether one was answered 2xx.
    attempts: HashMap<String, (u32, bool)>,
    bad_signatures: usize,
}

/// Whether the receiver refuses this first attempt: 1 in 10, chosen by the id.
fn unlucky(id: &str) -> bool {
    let h = crate::ports::sha256_hex(id.as_bytes());
    u32::from_str_radix(&h[..6], 16).is_ok_and(|n| n % 10 == 0)
}

/// The receiver on loopback: checks each delivery's signature, refuses 1 in 10 first attempts
/// with a 500, records the rest. Returns its port.
async fn receiver(secret: Arc<Mutex<String>>, seen: Arc<Mutex<Seen>>) -> Result<u16, String> {
    use axum::http::{HeaderMap, StatusCode};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let handler = move |headers: HeaderMap, body: axum::body::Bytes| {
        let (secret, seen) = (secret.clone(), seen.clone());
        async move {
            let h = |k: &str| headers.get(k).and_then(|v| v.to_str().ok()).unwrap_or("");
            let id = h("webhook-id").to_owned();
            let secret = secret.lock().expect("not poisoned").clone();
            let expected = h("webhook-timestamp")
                .parse()
                .ok()
                .and_then(|ts| crate::webhooks::send::sign(&secret, &id, ts, &body).ok());
            let mut seen = seen.lock().expect("not poisoned");
            if expected.is_none_or(|e| !h("webhook-signature").split(' ').any(|s| s == e)) {
                seen.bad_signatures += 1;
                return StatusCode::BAD_REQUEST;
            }
            let payload: Value = serde_json::from_slice(&body).unwrap_or_default();
            if payload["type"] == "invoice.signed"
                && let Some(order) = payload["data"]["order_ids"][0].as_str()
            {
                seen.signed_at
                    .entry(order.to_owned())
                    .or_insert_with(Instant::now);
            }
            let entry = seen.attempts.entry(id.clone()).or_default();
            entry.0 += 1;
            if entry.0 == 1 && unlucky(&id) {
                return StatusCode::INTERNAL_SERVER_ERROR;
            }
            entry.1 = true;
            StatusCode::NO_CONTENT
        }
    };
    let app = axum::Router::new().route("/hook", axum::routing::post(handler));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(port)
}

/// One order as an ERP sends it (two lines, two rates; fifty customers, two products, all
/// created in the catalogs from the first orders that name them).
fn order(i: usize) -> Value {
    let qty = 1 + i % 7;
    json!({
        "version": 1,
        "status": "completed",
        "customer": {"code": format!("KH{:03}", i % 50), "name": format!("Khách hàng số {}", i % 50)},
        "lines": [
            {"line_id": "1", "product_code": "P-A4", "name": "Giấy A4", "unit": "Ram",
             "quantity": qty.to_string(), "unit_price": "68500", "tax_rate": "10%"},
            {"line_id": "2", "product_code": "P-PEN", "name": "Bút bi", "unit": "Hộp",
             "quantity": "2", "unit_price": "35000", "tax_rate": "8%"}
        ]
    })
}

async fn ok(
    c: &mut Client,
    method: &str,
    path: &str,
    body: &Value,
    want: &[u16],
) -> Result<Value, String> {
    let (s, v) = c.call(method, path, &[], Some(body)).await?;
    if want.contains(&s) {
        Ok(v)
    } else {
        Err(format!("{method} {path}: {s} {v}"))
    }
}

/// The run: a fresh series, the order settings, a webhook, `total` completed orders from
/// `clients` clients, then the checks. Returns the report's lines; `Err` if a check failed.
pub async fn run(
    addrs: &[String],
    admin: &mut Client,
    clients: usize,
    total: usize,
) -> Result<String, String> {
    let addr = addrs.first().map(String::as_str).ok_or("no address")?;
    // Issue dates are today's in Vietnam: the symbol's year must be this year's.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs() as i64;
    let year = hoadon_core::DateTime::from_unix(now, 7 * 3600)
        .map_err(|e| e.to_string())?
        .date
        .year()
        % 100;
    let tag = (std::process::id() % 1296) as usize;
    let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let symbol = format!(
        "K{year:02}T{}{}",
        alphabet[tag / 36] as char,
        alphabet[tag % 36] as char
    );
    ok(
        admin,
        "POST",
        "/api/series",
        &json!({"form": "1", "symbol": symbol}),
        &[201],
    )
    .await?;
    ok(
        admin,
        "PUT",
        "/api/authority/settings",
        &json!({"registered_elsewhere": true}),
        &[200],
    )
    .await?;
    let (_, mut cfg) = admin.call("GET", "/api/order-settings", &[], None).await?;
    cfg["series"] = json!(format!("1{symbol}"));
    cfg["auto_issue"] = json!("completed");
    cfg["unknown_codes"] = json!("create");
    cfg["amount_mismatch"] = json!("accept");
    ok(admin, "PUT", "/api/order-settings", &cfg, &[200]).await?;
    let seen = Arc::new(Mutex::new(Seen::default()));
    let secret = Arc::new(Mutex::new(String::new()));
    let port = receiver(secret.clone(), seen.clone()).await?;
    let hook = json!({"url": format!("http://127.0.0.1:{port}/hook"), "events": ["invoice.signed"], "description": "load"});
    let created = ok(admin, "POST", "/api/webhooks", &hook, &[201]).await?;
    *secret.lock().expect("not poisoned") =
        created["secret"].as_str().unwrap_or_default().to_owned();

    // The orders, each with its own PUT, from `clients` keep-alive connections.
    let token = admin.token.clone().ok_or("not signed in")?;
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let accepted: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for k in 0..clients {
        let (next, errors, accepted, token) = (
            next.clone(),
            errors.clone(),
            accepted.clone(),
            token.clone(),
        );
        let mut c = Client::new(&addrs[k % addrs.len()]);
        c.token = Some(token);
        let run = tag;
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let id = format!("L{run}-{i:07}");
                match c
                    .call("PUT", &format!("/api/orders/{id}"), &[], Some(&order(i)))
                    .await
                {
                    Ok((201 | 200, _)) => {
                        accepted
                            .lock()
                            .expect("not poisoned")
                            .insert(id, Instant::now());
                    }
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    for t in tasks {
        t.await.map_err(|e| e.to_string())?;
    }
    let sent_in = started.elapsed().as_secs_f64();
    // Until every accepted order's invoice was announced signed (or nothing moves for 60 s).
    let expected = accepted.lock().expect("not poisoned").len();
    let mut last = (0, Instant::now());
    loop {
        let n = seen.lock().expect("not poisoned").signed_at.len();
        if n >= expected {
            break;
        }
        if n != last.0 {
            last = (n, Instant::now());
        } else if last.1.elapsed() > Duration::from_secs(60) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let all_in = started.elapsed().as_secs_f64();
    let mut latencies: Vec<f64> = {
        let seen = seen.lock().expect("not poisoned");
        let accepted = accepted.lock().expect("not poisoned");
        accepted
            .iter()
            .filter_map(|(id, at)| {
                seen.signed_at
                    .get(id)
                    .map(|s| s.saturating_duration_since(*at).as_secs_f64() * 1000.0)
            })
            .collect()
    };
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
    };

    // Checks: one invoice per order, gapless, signatures, every webhook delivered.
    let (numbers, signed) = numbers_of_series(addr, &token, &format!("1{symbol}")).await?;
    let gapless = numbers == (1..=numbers.len() as u64).collect::<Vec<_>>();
    let verified = verify_invoices(addr, &token, &signed).await?;
    // Retries of the refused first attempts: wait until each id has a 2xx (backoff ≤ a minute).
    let deadline = Instant::now() + Duration::from_secs(120);
    let (deliveries, undelivered, retried, bad) = loop {
        let (d, u, r, b) = {
            let seen = seen.lock().expect("not poisoned");
            let u = seen.attempts.values().filter(|(_, ok)| !ok).count();
            let r = seen.attempts.values().filter(|(n, _)| *n > 1).count();
            (seen.attempts.len(), u, r, seen.bad_signatures)
        };
        if u == 0 || Instant::now() > deadline {
            break (d, u, r, b);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let errors = errors.load(Ordering::Relaxed);
    let report = format!(
        "{total} orders from {clients} clients: accepted in {sent_in:.2} s ({:.1}/s), all invoices signed and announced after {all_in:.2} s ({:.1} invoices/s); \
         accepted → signed webhook: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; errors {errors}\n\
         series 1{symbol}: {} invoices, gapless and unique: {gapless}, signed {}, signatures verified {verified}\n\
         webhooks: {deliveries} deliveries, {retried} retried after a refused first attempt, {undelivered} undelivered, {bad} bad signatures",
        expected as f64 / sent_in,
        latencies.len() as f64 / all_in,
        pct(0.5),
        pct(0.99),
        latencies.last().copied().unwrap_or(0.0),
        numbers.len(),
        signed.len(),
    );
    let fine = errors == 0
        && gapless
        && numbers.len() == total
        && signed.len() == total
        && verified == total
        && deliveries == total
        && undelivered == 0
        && bad == 0;
    if fine { Ok(report) } else { Err(report) }
}
