//! The T-VAN adapter against the simulator's HTTP mode (on 127.0.0.1:0): a code end to end, a
//! timeout after acceptance then the look-up, an outage, bad credentials, and secrets that never
//! show in `Debug`.

mod common;
use common::*;
use hoadon_authority::simulator::http::{HttpOptions, HttpServer};
use hoadon_authority::simulator::{Faults, SimulatorConfig};
use hoadon_authority::{AuthorityError, TaxAuthority, TvanClient, TvanConfig};
use hoadon_core::tdiep::accept_code;
use std::sync::Arc;
use std::time::Duration;

const USER: &str = "tenant-anphat";
const SECRET: &str = "s3cr3t-Tvan-Pa55";

async fn start(
    config: SimulatorConfig,
    hold: Duration,
) -> (Arc<hoadon_authority::Simulator>, HttpServer) {
    let sim = Arc::new(simulator(config));
    let server = HttpServer::start(
        sim.clone(),
        HttpOptions {
            credentials: Some((USER.into(), SECRET.into())),
            timeout_hold: hold,
        },
        "127.0.0.1:0",
    )
    .await
    .unwrap();
    (sim, server)
}

fn client(endpoint: &str, secret: &str, timeout: Duration) -> TvanClient {
    let mut c = TvanConfig::new(endpoint, USER, secret, TVAN);
    c.timeout = timeout;
    c.connect_timeout = Duration::from_secs(2);
    TvanClient::new(c).unwrap()
}

#[tokio::test]
async fn a_code_through_the_tvan_adapter() {
    let (_sim, server) = start(SimulatorConfig::default(), Duration::from_secs(5)).await;
    let tvan = client(&server.endpoint(), SECRET, Duration::from_secs(10));
    assert!(
        !tvan.is_test(),
        "a T-VAN is production unless configured as a test one"
    );
    let mut test_config = tvan.config().clone();
    test_config.test = true;
    assert!(TvanClient::new(test_config).unwrap().is_test());
    let hdon = invoice("C25TAB", 1);
    let (id, m) = for_code(&hdon);
    let acks = tvan.submit(m.as_bytes()).await.unwrap();
    assert_eq!(kinds(&acks), [999]);
    let replies = tvan.replies(id.as_str()).await.unwrap();
    assert_eq!(replies[0], acks[0]);
    assert_eq!(kinds(&replies), [999, 202]);
    accept_code(&[hdon], &replies[1]).unwrap();
    // Unknown message: empty, not an error.
    let unknown = new_id();
    assert!(tvan.replies(unknown.as_str()).await.unwrap().is_empty());
    // Garbage is refused as such (400), and an id that is not one never leaves the client.
    let e = tvan
        .submit(format!("<MNGui>{TVAN}</MNGui> not a message").as_bytes())
        .await
        .unwrap_err();
    assert!(
        matches!(e, AuthorityError::Refused(ref s) if s.contains("400")),
        "{e}"
    );
    // Another T-VAN's message is not sent at all.
    let other = m.replace(
        &format!("<MNGui>{TVAN}</MNGui>"),
        "<MNGui>V0101234565</MNGui>",
    );
    let e = tvan.submit(other.as_bytes()).await.unwrap_err();
    assert!(
        matches!(e, AuthorityError::Refused(ref s) if s.contains("MNGui")),
        "{e}"
    );
    let e = tvan.replies("../admin").await.unwrap_err();
    assert!(matches!(e, AuthorityError::Refused(_)), "{e}");
    // The counters, for measurements.
    let counters = http_get(&server, "/counters").await;
    let c: hoadon_authority::simulator::Counters =
        serde_json::from_str(&counters[counters.find("\r\n\r\n").unwrap() + 4..]).unwrap();
    assert_eq!((c.accepted, c.codes_granted), (1, 1));
    assert!(http_get(&server, "/health").await.ends_with("ok"));
}

/// A plain HTTP/1.1 GET with the test credentials: the whole answer, headers included.
async fn http_get(server: &HttpServer, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let auth = hoadon_core::dsig::b64_encode(format!("{USER}:{SECRET}").as_bytes());
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {auth}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}

#[tokio::test]
async fn a_timeout_after_acceptance_then_the_look_up_finds_the_answer() {
    let (sim, server) = start(
        SimulatorConfig {
            faults: Faults {
                timeout_after_accept: 1.0,
                ..Faults::none()
            },
            ..SimulatorConfig::default()
        },
        Duration::from_secs(5),
    )
    .await;
    let tvan = client(&server.endpoint(), SECRET, Duration::from_millis(400));
    let hdon = invoice("C25TAB", 2);
    let (id, m) = for_code(&hdon);
    let started = std::time::Instant::now();
    let e = tvan.submit(m.as_bytes()).await.unwrap_err();
    assert!(matches!(e, AuthorityError::Timeout(_)), "{e}");
    assert!(started.elapsed() < Duration::from_secs(3));
    let found = tvan.replies(id.as_str()).await.unwrap();
    assert_eq!(kinds(&found), [999, 202]);
    accept_code(&[hdon], &found[1]).unwrap();
    // Resending the same bytes is idempotent: the same 999 at once, one code in all.
    sim.set_faults(Faults::none());
    assert_eq!(tvan.submit(m.as_bytes()).await.unwrap(), [found[0].clone()]);
    assert_eq!(sim.counters().codes_granted, 1);
    // A 504 from the other side (held only briefly) is a timeout too.
    let quick = {
        let (_s2, server2) = start(
            SimulatorConfig {
                faults: Faults {
                    timeout_after_accept: 1.0,
                    ..Faults::none()
                },
                ..SimulatorConfig::default()
            },
            Duration::from_millis(10),
        )
        .await;
        let c = client(&server2.endpoint(), SECRET, Duration::from_secs(10));
        let (_, m) = for_code(&invoice("C25TAB", 3));
        c.submit(m.as_bytes()).await.unwrap_err()
    };
    assert!(
        matches!(quick, AuthorityError::Timeout(ref m) if m.contains("504")),
        "{quick}"
    );
}

#[tokio::test]
async fn an_outage_is_unavailable() {
    let (sim, server) = start(SimulatorConfig::default(), Duration::from_secs(5)).await;
    let tvan = client(&server.endpoint(), SECRET, Duration::from_secs(10));
    let (id, m) = for_code(&invoice("C25TAB", 4));
    sim.unavailable_for(Duration::from_secs(3600));
    let e = tvan.submit(m.as_bytes()).await.unwrap_err();
    assert!(
        matches!(e, AuthorityError::Unavailable(ref s) if s.contains("503")),
        "{e}"
    );
    assert!(!e.maybe_received());
    let e = tvan.replies(id.as_str()).await.unwrap_err();
    assert!(matches!(e, AuthorityError::Unavailable(_)), "{e}");
    sim.unavailable_for(Duration::ZERO);
    tvan.submit(m.as_bytes()).await.unwrap();
    // Nobody listening: connection refused.
    let endpoint = server.endpoint();
    drop(server);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let e = client(&endpoint, SECRET, Duration::from_secs(10))
        .submit(m.as_bytes())
        .await
        .unwrap_err();
    assert!(matches!(e, AuthorityError::Unavailable(_)), "{e}");
}

#[tokio::test]
async fn bad_credentials_are_refused() {
    let (sim, server) = start(SimulatorConfig::default(), Duration::from_secs(5)).await;
    let tvan = client(&server.endpoint(), "wrong", Duration::from_secs(10));
    let (id, m) = for_code(&invoice("C25TAB", 5));
    let e = tvan.submit(m.as_bytes()).await.unwrap_err();
    assert!(
        matches!(e, AuthorityError::Refused(ref s) if s.contains("401")),
        "{e}"
    );
    let e = tvan.replies(id.as_str()).await.unwrap_err();
    assert!(matches!(e, AuthorityError::Refused(_)), "{e}");
    assert_eq!(sim.counters().submissions, 0);
    assert!(!e.to_string().contains("wrong"));
}

#[test]
fn secrets_never_show_and_bad_configurations_are_refused() {
    let c = TvanConfig::new("https://tvan.example/api/", USER, SECRET, TVAN);
    assert_eq!(c.endpoint, "https://tvan.example/api");
    let shown = format!("{c:?}");
    assert!(!shown.contains(SECRET) && shown.contains(USER), "{shown}");
    let opts = HttpOptions {
        credentials: Some((USER.into(), SECRET.into())),
        ..HttpOptions::default()
    };
    assert!(!format!("{opts:?}").contains(SECRET));
    for (endpoint, code) in [
        ("ftp://x", TVAN),
        ("http://x", "0309478306"),
        ("http://x", "V03x"),
    ] {
        let e = TvanClient::new(TvanConfig::new(endpoint, USER, SECRET, code)).unwrap_err();
        assert!(matches!(e, AuthorityError::Refused(_)), "{e}");
    }
    let key = fixed_key();
    assert!(!format!("{key:?}").contains("PRIVATE"));
}

/// Many senders at once over HTTP, every invoice sent twice under two ids: one code each, the
/// second answer the same coded invoice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_senders_get_one_code_per_invoice() {
    let (sim, server) = start(SimulatorConfig::default(), Duration::from_secs(5)).await;
    let tvan = client(&server.endpoint(), SECRET, Duration::from_secs(20));
    let mut tasks = Vec::new();
    for n in 1..=10u64 {
        let hdon = invoice("C25TAB", n);
        for _ in 0..2 {
            let (id, m) = for_code(&hdon);
            let tvan = tvan.clone();
            let hdon = hdon.clone();
            tasks.push(tokio::spawn(async move {
                tvan.submit(m.as_bytes()).await.unwrap();
                let r = tvan.replies(id.as_str()).await.unwrap();
                accept_code(&[hdon], &r[1]).unwrap().remove(0).code
            }));
        }
    }
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.unwrap());
    }
    for pair in codes.chunks(2) {
        assert_eq!(pair[0], pair[1]);
    }
    let c = sim.counters();
    assert_eq!((c.codes_granted, c.codes_repeated), (10, 10));
}
