//! Logs: `tracing` events everywhere, one subscriber per process, set up here.
//!
//! - On Lambda ([`Format::Json`]) every line is one JSON object — the event's fields at the top
//!   level (`event`, `invoice_id`, …) and the enclosing spans in `spans` (the runtime's
//!   `Lambda runtime invoke` span with `requestId`, the API's `request` span with `request_id`,
//!   `method`, `route`, `tenant`) — so CloudWatch Logs metric filters can match on `$.event`
//!   and read numbers such as `$.pending` (see `infra/tenant.yaml`, whose patterns are tested
//!   against lines this module writes: `infra/tests/log-samples.jsonl`).
//! - Locally ([`Format::Pretty`]) readable lines on stderr; stdout stays the server's console
//!   (the address, the first start's credentials) that people and tests read.
//!
//! The filter is `HOADON_LOG`, else `RUST_LOG`, else `info` (same syntax: `debug`,
//! `hoadon_api=debug,info`, …).
//!
//! **What is never logged**: tokens, passwords, PINs, keys, request or response bodies,
//! documents. Events carry ids and counts; the request line carries the matched route
//! template, never the URI (ids and query strings stay out). `tests/secrets.rs` runs the real
//! server at `debug` and greps its output for every secret it used.
//!
//! The events the stack's alarms depend on are emitted by the functions below, so the field
//! names the metric filters match on are written in one place.

use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line (Lambda → CloudWatch Logs).
    Json,
    /// Human-readable lines (the local server).
    Pretty,
}

/// The log filter: `HOADON_LOG`, else `RUST_LOG`, else `info`. An unreadable filter falls back
/// to `info` rather than silencing the process.
pub fn filter(get: impl Fn(&str) -> Option<String>) -> EnvFilter {
    let set = |k: &str| get(k).filter(|s| !s.trim().is_empty());
    let spec = set("HOADON_LOG")
        .or_else(|| set("RUST_LOG"))
        .unwrap_or_else(|| "info".into());
    EnvFilter::try_new(&spec).unwrap_or_else(|_| EnvFilter::new("info"))
}

/// Installs the process's subscriber (writing to stderr). Call once, first thing in `main`; a
/// second call is a no-op.
pub fn init(format: Format) {
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter(|k| std::env::var(k).ok()))
        .with_writer(std::io::stderr);
    let _ = match format {
        Format::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(true)
            .try_init(),
        Format::Pretty => {
            use std::io::IsTerminal;
            builder
                .with_ansi(std::io::stderr().is_terminal())
                .try_init()
        }
    };
}

/// Event names the stack's metric filters match on (`$.event`).
pub mod event {
    pub const SIGNING_FAILED: &str = "invoice.signing_failed";
    pub const SWEEP_PASS: &str = "sweep.pass";
    pub const OUTBOX_NEEDS_ATTENTION: &str = "outbox.needs_attention";
}

/// An outbox message ran out of retries (or was refused for good): it waits for a person's
/// "retry now". Counted by `OutboxNeedsAttention` (the queue's own alarms cannot see it: the
/// message is no longer in the queue).
pub fn outbox_needs_attention(tenant: &str, outbox_id: &str, kind: u16, reason: &str) {
    tracing::warn!(
        event = event::OUTBOX_NEEDS_ATTENTION,
        tenant,
        outbox_id,
        kind,
        reason,
        "an outbox message needs attention"
    );
}

/// A numbered invoice could not be signed (the signer or the archive failed); it stays
/// numbered, flagged for attention, and the sweep tries again. Counted by `SigningFailures`.
pub fn signing_failed(tenant: &str, invoice_id: &str, reason: &str) {
    tracing::warn!(
        event = event::SIGNING_FAILED,
        tenant,
        invoice_id,
        reason,
        "invoice could not be signed; it stays numbered and the sweep will retry"
    );
}

/// One recovery sweep pass over a tenant. `pending` (numbered invoices still unsigned after the
/// pass) is the `SweepBacklog` metric. A pass that found nothing is logged at `debug` (the local
/// server sweeps every 30 s).
pub fn sweep_pass(tenant: &str, signed: usize, failed: usize, pending: usize) {
    if signed + failed + pending == 0 {
        tracing::debug!(event = event::SWEEP_PASS, tenant, signed, failed, pending);
    } else {
        tracing::info!(
            event = event::SWEEP_PASS,
            tenant,
            signed,
            failed,
            pending,
            "recovery sweep"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// Everything written, for the JSON layout's check.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The JSON lines the alarm events produce, as the Lambda functions write them (without
    /// the timestamp), inside a request span like the API's.
    fn json_lines() -> Vec<serde_json::Value> {
        let buf = Buffer::default();
        let writer = buf.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(EnvFilter::new("info"))
            .with_writer(move || writer.clone())
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(true)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!(
                "request",
                request_id = "c0ffee00-0000-4000-8000-000000000001",
                method = "POST",
                route = "/api/invoices/{id}/issue",
                tenant = "acme"
            );
            span.in_scope(|| signing_failed("acme", "inv-0001", "signer: timed out"));
            sweep_pass("acme", 2, 1, 1);
            sweep_pass("acme", 0, 0, 0); // debug: filtered out
            outbox_needs_attention("acme", "0f", 200, "the T-VAN refused the request: 401");
        });
        String::from_utf8(buf.0.lock().unwrap().clone())
            .unwrap()
            .lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v.as_object_mut().unwrap().remove("timestamp").unwrap();
                v
            })
            .collect()
    }

    /// `infra/tests/log-samples.jsonl` is what the template's metric filters are tested
    /// against: it must be exactly what this code writes. `HOADON_BLESS=1` rewrites it.
    #[test]
    fn the_alarm_events_are_written_as_the_infra_fixture_says() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../infra/tests/log-samples.jsonl");
        let lines = json_lines();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0]["event"], event::SIGNING_FAILED);
        assert_eq!(lines[1]["pending"], 1);
        assert_eq!(lines[2]["event"], event::OUTBOX_NEEDS_ATTENTION);
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        if std::env::var("HOADON_BLESS").as_deref() == Ok("1") {
            std::fs::write(&path, &text).unwrap();
        }
        let fixture = std::fs::read_to_string(&path).unwrap();
        let fixture: Vec<serde_json::Value> = fixture
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            fixture, lines,
            "run with HOADON_BLESS=1 to rewrite the fixture"
        );
    }

    #[test]
    fn the_filter_prefers_hoadon_log_then_rust_log_then_info() {
        let vars = |h: Option<&str>, r: Option<&str>| {
            let (h, r) = (h.map(str::to_owned), r.map(str::to_owned));
            filter(move |k| {
                if k == "HOADON_LOG" {
                    h.clone()
                } else {
                    r.clone()
                }
            })
            .to_string()
        };
        assert_eq!(vars(Some("debug"), Some("warn")), "debug");
        assert_eq!(vars(None, Some("warn")), "warn");
        assert_eq!(vars(Some(""), Some("warn")), "warn");
        assert_eq!(vars(None, None), "info");
        assert_eq!(vars(Some("[[["), None), "info");
    }
}
