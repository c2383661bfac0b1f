//! hoadon's real API (the local system: embedded store, no tax authority), served in this test
//! process on a loopback port with its own data directory, and a small synchronous client for
//! the calls a test makes itself (issuing drafts, claiming by hand, reading the XML).
#![allow(dead_code)]

use hoadon_api::load::Client;
use hoadon_api::local::{AuthorityChoice, LocalConfig, SellerSettings};
use serde_json::{Value, json};
use std::path::PathBuf;

pub struct Server {
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// The admin's sign-in token (a bearer token `hoadon token sign` accepts).
    pub admin: String,
    /// The series (`<form><symbol>`) put in token mode.
    pub series: String,
    symbol: String,
    rt: tokio::runtime::Runtime,
    client: std::sync::Mutex<Client>,
}

impl Server {
    /// Starts the API on a fresh data directory named after `name`, signs in as the first
    /// start's admin and puts the tenant's first series in token mode.
    pub fn start(name: &str) -> Server {
        let data = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("server-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        let cfg = LocalConfig {
            data_dir: data,
            tenant: "demo".into(),
            seller: SellerSettings::default(),
            authority: AuthorityChoice::Off,
            retry: hoadon_api::outbox::RetryPolicy::fast(),
            wake: Default::default(),
            signer: Default::default(),
            delivery: Default::default(),
        };
        let (tx, rx) = std::sync::mpsc::channel();
        // The server runs on its own runtime and thread for the whole test process.
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let (state, first) = hoadon_api::local::open(&cfg).await.unwrap();
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap().to_string();
                let first = first.expect("a fresh data directory is a first start");
                tx.send((addr, first.email, first.password)).unwrap();
                axum::serve(listener, hoadon_api::http::router(state))
                    .await
                    .unwrap();
            });
        });
        let (addr, email, password) = rx.recv().unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let mut client = Client::new(&addr);
        rt.block_on(client.login(&email, &password)).unwrap();
        let admin = client.token.clone().unwrap();
        let mut s = Server {
            addr,
            admin,
            series: String::new(),
            symbol: String::new(),
            rt,
            client: std::sync::Mutex::new(client),
        };
        let (status, list) = s.call("GET", "/api/series", None);
        assert_eq!(status, 200, "{list}");
        let symbol = list["items"][0]["symbol"].as_str().unwrap().to_owned();
        let form = list["items"][0]["form"].as_str().unwrap_or("1").to_owned();
        s.series = format!("{form}{symbol}");
        s.symbol = symbol;
        let path = format!("/api/series/{}/signing", s.series);
        let (status, v) = s.call("PUT", &path, Some(json!({"mode": "token"})));
        assert_eq!(status, 200, "{v}");
        s
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A request as the admin.
    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.call_with(method, path, &[], body)
    }

    pub fn call_with(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut c = self.client.lock().unwrap();
        self.rt
            .block_on(c.call(method, path, headers, body.as_ref()))
            .unwrap()
    }

    /// Drafts and issues `n` invoices (the example draft, dated 1 January of the series' year):
    /// each ends `awaiting_token` without a number. Their ids, in issue order.
    pub fn issue(&self, prefix: &str, n: usize) -> Vec<String> {
        let yy: u16 = self.symbol[1..3].parse().unwrap();
        let mut doc: Value =
            serde_json::from_str(include_str!("../../../../shared/examples/draft.json")).unwrap();
        doc["symbol"] = json!(self.symbol);
        doc["issue_date"] = json!(format!("20{yy:02}-01-01"));
        (0..n)
            .map(|i| {
                let id = format!("{prefix}-{i:04}");
                let key = format!("key-{id}");
                let (s, v) = self.call_with(
                    "POST",
                    "/api/invoices",
                    &[("idempotency-key", &key)],
                    Some(json!({"id": id, "document": doc})),
                );
                assert_eq!(s, 201, "{v}");
                let (s, v) = self.call("POST", &format!("/api/invoices/{id}/issue"), None);
                assert_eq!(s, 200, "{v}");
                assert_eq!(v["status"], "awaiting_token", "{v}");
                id
            })
            .collect()
    }

    /// The invoice as the API shows it.
    pub fn invoice(&self, id: &str) -> Value {
        let (s, v) = self.call("GET", &format!("/api/invoices/{id}"), None);
        assert_eq!(s, 200, "{v}");
        v
    }

    /// The invoice's signed XML.
    pub fn xml(&self, id: &str) -> String {
        let (s, v) = self.call("GET", &format!("/api/invoices/{id}/xml"), None);
        assert_eq!(s, 200, "{v}");
        v.as_str().expect("XML text").to_owned()
    }

    /// Registers a certificate (PEM) as the admin; its id.
    pub fn register(&self, pem: &str) -> String {
        let (s, v) = self.call("POST", "/api/certificates", Some(json!({"pem": pem})));
        assert!(s == 200 || s == 201, "{v}");
        v["id"].as_str().unwrap().to_owned()
    }
}
