//! A closed-loop load generator for the issue path, shared by the `hoadon-load` binary and the
//! crash-safety test: N clients each create a draft and issue it, as fast as answers come back,
//! over keep-alive HTTP/1.1 connections (a minimal client: axum answers with a known length).

pub mod orders;

use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// One keep-alive connection.
pub struct Client {
    addr: String,
    conn: Option<BufReader<TcpStream>>,
    pub token: Option<String>,
}

impl Client {
    pub fn new(addr: &str) -> Self {
        Client {
            addr: addr.to_owned(),
            conn: None,
            token: None,
        }
    }

    /// Sends a request; reconnects once if the connection was closed (or the server restarted).
    pub async fn call(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<(u16, Value), String> {
        match self.try_call(method, path, headers, body).await {
            Ok(r) => Ok(r),
            Err(_) => {
                self.conn = None;
                self.try_call(method, path, headers, body).await
            }
        }
    }

    async fn try_call(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<(u16, Value), String> {
        if self.conn.is_none() {
            let s = TcpStream::connect(&self.addr)
                .await
                .map_err(|e| e.to_string())?;
            s.set_nodelay(true).map_err(|e| e.to_string())?;
            self.conn = Some(BufReader::new(s));
        }
        let conn = self.conn.as_mut().expect("connected");
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nhost: {}\r\ncontent-length: {}\r\n",
            self.addr,
            body.len()
        );
        if !body.is_empty() {
            req.push_str("content-type: application/json\r\n");
        }
        if let Some(t) = &self.token {
            req.push_str(&format!("authorization: Bearer {t}\r\n"));
        }
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        req.push_str(&body);
        conn.get_mut()
            .write_all(req.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let mut line = String::new();
        if conn.read_line(&mut line).await.map_err(|e| e.to_string())? == 0 {
            return Err("connection closed".into());
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or("bad status line")?;
        let mut len = 0usize;
        loop {
            line.clear();
            conn.read_line(&mut line).await.map_err(|e| e.to_string())?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                len = v.trim().parse().map_err(|_| "bad content-length")?;
            }
        }
        let mut buf = vec![0u8; len];
        conn.read_exact(&mut buf).await.map_err(|e| e.to_string())?;
        let v = serde_json::from_slice(&buf)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&buf).into()));
        Ok((status, v))
    }

    pub async fn login(&mut self, email: &str, password: &str) -> Result<(), String> {
        let (s, v) = self
            .call(
                "POST",
                "/api/login",
                &[],
                Some(&json!({"email": email, "password": password})),
            )
            .await?;
        if s != 200 {
            return Err(format!("login: {s} {v}"));
        }
        self.token = v["token"].as_str().map(str::to_owned);
        Ok(())
    }
}

/// What a run measured.
#[derive(Debug, Clone)]
pub struct Report {
    pub clients: usize,
    pub issued: usize,
    pub errors: usize,
    pub seconds: f64,
    /// Latency of the issue call (number + sign + archive + store), milliseconds.
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub mean_ms: f64,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:>4} clients: {:>6} issued in {:>6.2} s = {:>7.1}/s; issue latency p50 {:>6.1} ms, p99 {:>6.1} ms, mean {:>6.1} ms; {} errors",
            self.clients,
            self.issued,
            self.seconds,
            self.issued as f64 / self.seconds,
            self.p50_ms,
            self.p99_ms,
            self.mean_ms,
            self.errors
        )
    }
}

/// A progress bar over a run's `total` invoices, on stderr: drawn only when stderr is a
/// terminal (indicatif hides it otherwise), so logs and tests see none of it.
pub fn progress_bar(total: usize, prefix: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template("{prefix:>12} {bar:40} {pos}/{len} {per_sec}")
            .expect("a valid template"),
    );
    bar.set_prefix(prefix.to_owned());
    bar
}

/// A run: `total` invoices of `template` (symbol and date set by the caller) issued by
/// `clients` concurrent clients. Ids are `<prefix>-<n>`; a re-run with the same prefix resumes
/// (draft creation and issuing are idempotent).
pub async fn run(
    addr: &str,
    token: &str,
    template: &Value,
    prefix: &str,
    clients: usize,
    total: usize,
) -> Report {
    let hidden = indicatif::ProgressBar::hidden();
    run_with_progress(addr, token, template, prefix, clients, total, &hidden).await
}

/// [`run`], advancing `progress` by one per invoice tried.
pub async fn run_with_progress(
    addr: &str,
    token: &str,
    template: &Value,
    prefix: &str,
    clients: usize,
    total: usize,
    progress: &indicatif::ProgressBar,
) -> Report {
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (next, errors, template, prefix, progress) = (
            next.clone(),
            errors.clone(),
            template.clone(),
            prefix.to_owned(),
            progress.clone(),
        );
        let mut c = Client::new(addr);
        c.token = Some(token.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                progress.inc(1);
                let id = format!("{prefix}-{i:07}");
                let key = format!("{id}-k");
                let body = json!({"id": id, "document": template});
                if !matches!(
                    c.call(
                        "POST",
                        "/api/invoices",
                        &[("idempotency-key", &key)],
                        Some(&body)
                    )
                    .await,
                    Ok((200 | 201, _))
                ) {
                    errors.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                let t = Instant::now();
                match c
                    .call("POST", &format!("/api/invoices/{id}/issue"), &[], None)
                    .await
                {
                    Ok((200, _)) => latencies.push(t.elapsed()),
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            latencies
        }));
    }
    let mut all: Vec<Duration> = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    let seconds = started.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let mean = if all.is_empty() {
        0.0
    } else {
        all.iter().map(Duration::as_secs_f64).sum::<f64>() * 1000.0 / all.len() as f64
    };
    Report {
        clients,
        issued: all.len(),
        errors: errors.load(Ordering::Relaxed),
        seconds,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        mean_ms: mean,
    }
}

/// Reads every invoice of a series and returns their numbers, sorted, and the ids of those
/// signed (or past signed).
pub async fn numbers_of_series(
    addr: &str,
    token: &str,
    series: &str,
) -> Result<(Vec<u64>, Vec<String>), String> {
    let mut c = Client::new(addr);
    c.token = Some(token.to_owned());
    let (mut numbers, mut signed, mut cursor) = (Vec::new(), Vec::new(), None::<String>);
    loop {
        let path = match &cursor {
            Some(k) => format!("/api/invoices?series={series}&limit=200&cursor={k}"),
            None => format!("/api/invoices?series={series}&limit=200"),
        };
        let (s, v) = c.call("GET", &path, &[], None).await?;
        if s != 200 {
            return Err(format!("list: {s} {v}"));
        }
        for i in v["items"].as_array().into_iter().flatten() {
            if let Some(n) = i["number"].as_u64() {
                numbers.push(n);
            }
            // Signed, and whatever the tax authority made of it since (sent, coded, data
            // sent or accepted): the signed file is there.
            let signed_or_later = matches!(
                i["status"].as_str(),
                Some("signed" | "sent" | "coded" | "data_sent" | "data_accepted")
            );
            if signed_or_later && let Some(id) = i["id"].as_str() {
                signed.push(id.to_owned());
            }
        }
        match v["next"].as_str() {
            Some(n) if !n.is_empty() => cursor = Some(n.to_owned()),
            _ => break,
        }
    }
    numbers.sort_unstable();
    Ok((numbers, signed))
}

/// Downloads each invoice's signed XML and verifies every signature in it with hoadon's own
/// verifier; returns how many verified.
pub async fn verify_invoices(addr: &str, token: &str, ids: &[String]) -> Result<usize, String> {
    let mut c = Client::new(addr);
    c.token = Some(token.to_owned());
    let mut ok = 0;
    for id in ids {
        let (s, v) = c
            .call("GET", &format!("/api/invoices/{id}/xml"), &[], None)
            .await?;
        let xml = v.as_str().unwrap_or_default();
        let valid = s == 200
            && hoadon_core::dsig::verify_document(xml)
                .is_ok_and(|r| !r.is_empty() && r.iter().all(|r| r.valid));
        ok += usize::from(valid);
    }
    Ok(ok)
}
