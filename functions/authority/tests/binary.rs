//! The stand-alone `hoadon-authority` binary: started on a free port with a data directory and
//! credentials, it codes an invoice through the T-VAN adapter, and after a restart it still
//! knows the message (the journal).

mod common;
use common::*;
use hoadon_authority::{TaxAuthority, TvanClient, TvanConfig};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The running binary; killed (by its own handle) when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary and returns it with its `http://…` endpoint (read from its log line).
fn start(data: &std::path::Path) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hoadon-authority"))
        .args(["--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .args(["--username", "u", "--reject-code", "X1,X2"])
        .env("HOADON_AUTHORITY_SECRET", "binary-secret")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let running = Running(child);
    let mut lines = BufReader::new(stderr).lines();
    let endpoint = loop {
        let line = lines
            .next()
            .expect("the binary ended before listening")
            .unwrap();
        if let Some(i) = line.find("http://") {
            let rest = &line[i..];
            let end = rest
                .find(|c: char| c.is_whitespace() || c == '\u{1b}')
                .unwrap_or(rest.len());
            break rest[..end].to_owned();
        }
    };
    assert!(!endpoint.is_empty());
    (running, endpoint)
}

#[tokio::test]
async fn the_binary_serves_and_keeps_its_state_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (running, endpoint) = start(dir.path());
    let mut config = TvanConfig::new(&endpoint, "u", "binary-secret", TVAN);
    config.timeout = Duration::from_secs(10);
    let tvan = TvanClient::new(config.clone()).unwrap();
    let hdon = invoice("C25TAB", 1);
    let (id, m) = for_code(&hdon);
    let ack = tvan.submit(m.as_bytes()).await.unwrap();
    let replies = tvan.replies(id.as_str()).await.unwrap();
    assert_eq!(kinds(&replies), [999, 202]);
    hoadon_core::tdiep::accept_code(std::slice::from_ref(&hdon), &replies[1]).unwrap();
    drop(running);

    let (_running, endpoint) = start(dir.path());
    config.endpoint = endpoint;
    let tvan = TvanClient::new(config).unwrap();
    assert_eq!(tvan.submit(m.as_bytes()).await.unwrap(), ack);
    assert_eq!(tvan.replies(id.as_str()).await.unwrap(), replies);
}

#[test]
fn flags_are_checked() {
    let out = Command::new(env!("CARGO_BIN_EXE_hoadon-authority"))
        .args(["--reject", "2"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("between 0 and 1"));
    let out = Command::new(env!("CARGO_BIN_EXE_hoadon-authority"))
        .args(["--rejectt", "0.5"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--reject"));
}
