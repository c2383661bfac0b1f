//! A real SMTP server on loopback for tests (this crate's and the API's): aiosmtpd running
//! `tests/support/smtp_sink.py`, with the Python of `HOADON_SMTP_PYTHON` (`functions/dev test`
//! installs it). Without it, tests skip saying so — except under CI, where they fail.

use crate::{Security, SmtpMailer};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The Python with aiosmtpd, or `None` (the test then returns) outside CI.
pub fn python() -> Option<String> {
    match std::env::var("HOADON_SMTP_PYTHON") {
        Ok(p) if !p.is_empty() => Some(p),
        _ if std::env::var_os("CI").is_some() => {
            panic!("HOADON_SMTP_PYTHON not set: required under CI (functions/dev test sets it)")
        }
        _ => {
            println!("skipped: HOADON_SMTP_PYTHON not set");
            None
        }
    }
}

/// A running smtp_sink.py, killed on drop.
pub struct Sink {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sink {
    /// Starts the server, refusing the first `refuse_first` DATA commands with 451.
    pub fn start(python: &str, refuse_first: u32) -> Sink {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
        let mut child = Command::new(python)
            .arg(script)
            .arg(port.to_string())
            .arg(dir.path())
            .arg(refuse_first.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the SMTP sink");
        let stdout = child.stdout.take().unwrap();
        let sink = Sink { child, port, dir };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) if line.trim() == "ready" => sink,
            other => panic!("the SMTP sink did not start: {other:?}"),
        }
    }

    pub fn mailer(&self) -> SmtpMailer {
        SmtpMailer::new("127.0.0.1", self.port, Security::None, None).unwrap()
    }

    /// The messages received so far, in order: (DATA bytes, envelope recipients).
    pub fn received(&self) -> Vec<(Vec<u8>, Vec<String>)> {
        let mut names: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|eml| {
                let rcpt = std::fs::read_to_string(eml.with_extension("rcpt")).unwrap();
                (
                    std::fs::read(&eml).unwrap(),
                    rcpt.lines().map(str::to_owned).collect(),
                )
            })
            .collect()
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
