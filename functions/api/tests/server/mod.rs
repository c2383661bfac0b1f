//! The real `hoadon-server` binary, started on a data directory for tests that need a process
//! (a SIGKILL, its logs): its stdout and stderr are collected while it runs.
#![allow(dead_code)]

use hoadon_api::load::Client;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

pub struct Server {
    pub child: Child,
    /// The first start's admin password (parsed from its stdout line).
    pub password: Option<String>,
    stdout: Arc<Mutex<String>>,
    drains: Vec<JoinHandle<()>>,
    stderr: Arc<Mutex<String>>,
}

/// Starts the server on `127.0.0.1:port` with extra environment variables and returns once it
/// listens.
pub fn start(data: &std::path::Path, port: u16, env: &[(&str, &str)]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hoadon-server"))
        .args([
            "--data",
            data.to_str().unwrap(),
            "--port",
            &port.to_string(),
        ])
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    let stdout = Arc::new(Mutex::new(String::new()));
    let stderr = Arc::new(Mutex::new(String::new()));
    let mut password = None;
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        stdout.lock().unwrap().push_str(&format!("{line}\n"));
        if let Some(rest) = line.split("with password ").nth(1) {
            password = Some(rest.trim().to_owned());
        }
        if line.contains("listening on") {
            break;
        }
    }
    // Keep draining both pipes so the server never blocks on a full one.
    let out = stdout.clone();
    let out_drain = std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            out.lock().unwrap().push_str(&format!("{line}\n"));
        }
    });
    let mut err_pipe = child.stderr.take().unwrap();
    let err = stderr.clone();
    let err_drain = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n @ 1..) = err_pipe.read(&mut buf) {
            err.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    Server {
        child,
        password,
        stdout,
        stderr,
        drains: vec![out_drain, err_drain],
    }
}

impl Server {
    /// Kills the server and returns everything it wrote: (stdout, stderr).
    pub fn stop(mut self) -> (String, String) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        for d in self.drains.drain(..) {
            d.join().unwrap();
        }
        let out = self.stdout.lock().unwrap().clone();
        let err = self.stderr.lock().unwrap().clone();
        (out, err)
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The example draft in the tenant's first series (this year's symbol), dated 1 January (never
/// later than today): a document the server issues.
pub async fn issuable_draft(c: &mut Client) -> Value {
    let (_, series) = c.call("GET", "/api/series", &[], None).await.unwrap();
    let symbol = series["items"][0]["symbol"].as_str().unwrap().to_owned();
    let yy: u16 = symbol[1..3].parse().unwrap();
    let mut doc: Value =
        serde_json::from_str(include_str!("../../../../shared/examples/draft.json")).unwrap();
    let o = doc.as_object_mut().unwrap();
    o.insert("symbol".into(), json!(symbol));
    o.insert("issue_date".into(), json!(format!("20{yy:02}-01-01")));
    doc
}
