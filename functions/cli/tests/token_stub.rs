//! `hoadon token sign` against a misbehaving stand-in of the server (axum on loopback): what the
//! real API never does, the desktop signer must still survive. Here every claim offers the same
//! two invoices again (as the API does with invoices whose signature it refused), one of them
//! with a digest that is not its `SignedInfo`'s, and every upload is refused.
//!
//! The run must end (no loop on invoices it already tried), sign nothing whose digest it could
//! not check, list each refusal with its code, and exit 1. Without softhsm2/opensc: `SKIPPED:`.

mod softhsm;

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use hoadon_core::api::signing::{
    BUNDLE_FORMAT, ClaimRequest, ClaimedInvoice, SignatureBatch, SignatureOutcome,
    SignatureResults, SigningBundle, Skipped,
};
use hoadon_core::dsig;
use softhsm::{Key, text, token_sign};
use std::sync::{Arc, Mutex};

const KEYS: &[Key] = &[Key {
    id: "01",
    name: "Công ty TNHH Thiết bị Văn phòng An Phát",
    mst: "0109998883",
}];

#[derive(Default)]
struct Seen {
    claims: Vec<ClaimRequest>,
    uploads: Vec<SignatureBatch>,
}

type Shared = Arc<Mutex<Seen>>;

fn invoice(id: &str, number: u32, signed_info: &[u8], digest: &[u8]) -> ClaimedInvoice {
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    ClaimedInvoice {
        id: id.into(),
        series: "1C26TAA".into(),
        number,
        issue_date: "2026-01-01".into(),
        buyer: "Công ty Cổ phần Giải pháp Số Bình Minh".into(),
        total: "41800000".into(),
        currency: "VND".into(),
        signing_time: "2026-01-01T09:00:00".into(),
        signed_info_base64: dsig::b64_encode(signed_info),
        digest_sha256: hex,
    }
}

async fn claims(State(seen): State<Shared>, Json(req): Json<ClaimRequest>) -> Json<SigningBundle> {
    let probe = req.invoices.as_ref().is_some_and(Vec::is_empty);
    let certificate = req.certificate.clone();
    seen.lock().unwrap().claims.push(req);
    let good = b"<SignedInfo>one</SignedInfo>";
    let other = b"<SignedInfo>two</SignedInfo>";
    let sha = |b: &[u8]| {
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, b)
            .as_ref()
            .to_vec()
    };
    let invoices = if probe {
        Vec::new()
    } else {
        vec![
            invoice("inv-good", 1, good, &sha(good)),
            // The digest of another document: signing it would sign what nobody showed.
            invoice("inv-swapped", 2, other, &sha(good)),
        ]
    };
    Json(SigningBundle {
        format: BUNDLE_FORMAT.into(),
        tax_id: "0109998883".into(),
        certificate,
        claimed_at: 0,
        invoices,
        remaining: 2,
        skipped: Vec::new(),
    })
}

async fn signatures(
    State(seen): State<Shared>,
    Json(batch): Json<SignatureBatch>,
) -> Json<SignatureResults> {
    let results = batch
        .signatures
        .iter()
        .map(|s| {
            SignatureOutcome::Refused(Skipped {
                invoice: s.invoice.clone(),
                code: "signature.invalid".into(),
                message_vi: "Chữ ký không hợp lệ".into(),
                message_en: "the signature does not verify".into(),
            })
        })
        .collect();
    seen.lock().unwrap().uploads.push(batch);
    Json(SignatureResults { results })
}

#[test]
fn refused_invoices_offered_again_end_the_run_and_a_wrong_digest_is_never_signed() {
    let Some((t, _alone)) = softhsm::token(KEYS) else {
        return;
    };
    let seen: Shared = Arc::default();
    let app = Router::new()
        .route("/api/signing/claims", post(claims))
        .route("/api/signing/signatures", post(signatures))
        .with_state(seen.clone());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    rt.spawn(async move { axum::serve(listener, app).await });

    let o = token_sign(t, &url, &["--all"], "stub-token");
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("signed: 0 invoice(s)"), "{out}");
    assert!(out.contains("refused: 2"), "{out}");
    assert!(
        out.contains("inv-good (1C26TAA no. 1): signature.invalid: the signature does not verify"),
        "{out}"
    );
    assert!(
        out.contains("inv-swapped (1C26TAA no. 2): client.digest_mismatch"),
        "{out}"
    );
    let seen = seen.lock().unwrap();
    // The probe, the claim, and the claim that offered nothing new.
    assert_eq!(seen.claims.len(), 3, "{out}");
    assert_eq!(seen.uploads.len(), 1, "{out}");
    let posted: Vec<&str> = seen.uploads[0]
        .signatures
        .iter()
        .map(|s| s.invoice.as_str())
        .collect();
    assert_eq!(posted, ["inv-good"], "the swapped digest was not signed");
}
