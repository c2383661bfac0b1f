//! Invoices: drafts, gapless numbering, signing, the audit chain and the recovery sweep.
//!
//! Items (all under the tenant's prefix):
//! - `INV / <id>`: the [`InvoiceRecord`]; `IDEM / <key>`: idempotency key → id;
//! - `SERIES / <form><symbol>`: [`SeriesRecord`] with the last number and date;
//! - `NUM#<series> / <number>`: number → id, written with `NotExists` (a duplicate number cannot
//!   be stored even by a buggy caller);
//! - `PENDING / <id>`: numbered, awaiting signature (what the sweep reads);
//! - `XML / <id>`: the exact signed bytes; `AUDIT#<id> / <seq>`: the audit chain.
//!
//! **Numbering** happens in one transaction that moves the series counter (at its version),
//! binds each number to its invoice (at the invoice's version), claims `NUM#…/<n>`, marks it
//! pending and appends the audit entry: no gap, no duplicate, nothing half-written. Within a
//! process, requests on one series queue and a leader numbers up to 24 per transaction (issuance
//! is serial per form + symbol by law anyway; batching shares one durable commit); across
//! processes the version conditions keep numbers unique. Signing happens after the number is
//! committed, in parallel: if it fails, the invoice stays "numbered" and the sweep signs it.

use crate::error::ApiError;
use crate::ports::{Archive, Clock, Signer, sha256_hex};
use crate::store::{Condition, Item, Op, StoreError, TenantStore};
use hoadon_core::{Date, InvoiceDocument, check, dsig, xml};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    /// Has its number; signature pending (the sweep completes it).
    Numbered,
    Signed,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InvoiceRecord {
    pub id: String,
    pub status: Status,
    pub document: InvoiceDocument,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    pub created_at: i64,
    pub updated_at: i64,
    pub created_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xml_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<String>,
    /// Sequence number and hash of the last audit entry (the chain's head).
    pub audit_seq: u64,
    pub audit_head: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SeriesRecord {
    pub form: String,
    pub symbol: String,
    pub last_number: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_date: Option<String>,
}

/// One link of an invoice's audit chain: `hash` = SHA-256 of `prev` and this entry's JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    pub prev: String,
    #[serde(default)]
    pub hash: String,
}

impl AuditEntry {
    pub fn compute_hash(&self) -> String {
        let mut e = self.clone();
        e.hash = String::new();
        let json = serde_json::to_string(&e).expect("entry serializes");
        sha256_hex(format!("{}|{json}", self.prev).as_bytes())
    }
}

/// An invoice waiting for its number.
struct NumberRequest {
    rec: InvoiceRecord,
    version: u64,
    date: Date,
    actor: String,
    reply: tokio::sync::oneshot::Sender<Numbered>,
}

/// What numbering answered one request.
enum Numbered {
    Done(Box<InvoiceRecord>, u64),
    /// The invoice changed meanwhile: read it again.
    Retry,
    Failed(ApiError),
}

/// The invoices waiting on one series, and whether a leader is numbering them.
#[derive(Default)]
struct Queue {
    waiting: Vec<NumberRequest>,
    leader: bool,
}

/// Most invoices one numbering transaction takes: 1 series operation + 4 per invoice ≤ 100
/// (fewer when the store's transactions are smaller).
const BATCH: usize = 24;

/// What the invoice service needs of the application.
pub struct Services {
    pub clock: Arc<dyn Clock>,
    pub archive: Arc<dyn Archive>,
    signers: HashMap<String, Arc<dyn Signer>>,
    queues: Mutex<HashMap<String, Queue>>,
}

impl Services {
    pub fn new(
        clock: Arc<dyn Clock>,
        archive: Arc<dyn Archive>,
        signers: HashMap<String, Arc<dyn Signer>>,
    ) -> Self {
        Services {
            clock,
            archive,
            signers,
            queues: Mutex::new(HashMap::new()),
        }
    }
    fn signer(&self, tenant: &str) -> Result<&Arc<dyn Signer>, ApiError> {
        self.signers.get(tenant).ok_or_else(|| {
            ApiError::SigningFailed("no signing key is configured for this tenant".into())
        })
    }
}

fn to_json<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).expect("records serialize")
}

fn from_item<T: for<'de> Deserialize<'de>>(item: &Item) -> Result<T, ApiError> {
    serde_json::from_slice(&item.data)
        .map_err(|e| ApiError::Internal(format!("corrupt item {:?}: {e}", item.key)))
}

/// A record as clients see it: the stored record plus its version (the `If-Match` value).
pub fn view(rec: &InvoiceRecord, version: u64) -> Value {
    let mut v = serde_json::to_value(rec).expect("records serialize");
    v["version"] = version.into();
    v
}

pub async fn load(ts: &TenantStore, id: &str) -> Result<(InvoiceRecord, u64), ApiError> {
    let item = ts.get("INV", id).await?.ok_or(ApiError::NotFound)?;
    Ok((from_item(&item)?, item.version))
}

/// Appends an audit entry (at `rec.updated_at`) to `rec`'s chain and returns the operation
/// that stores it, in the same transaction as the change it records.
fn audit(ts: &TenantStore, rec: &mut InvoiceRecord, actor: &str, action: &str) -> Op {
    let mut e = AuditEntry {
        seq: rec.audit_seq + 1,
        at: rec.updated_at,
        actor: actor.to_owned(),
        action: action.to_owned(),
        status: rec.status,
        number: rec.number,
        prev: rec.audit_head.clone(),
        hash: String::new(),
    };
    e.hash = e.compute_hash();
    rec.audit_seq = e.seq;
    rec.audit_head = e.hash.clone();
    Op::Put {
        key: ts.key(&format!("AUDIT#{}", rec.id), format!("{:010}", e.seq)),
        data: to_json(&e),
        condition: Condition::NotExists,
    }
}

fn valid_id(id: &str) -> bool {
    (8..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Creates a draft with the client's id. Replaying the same `Idempotency-Key` returns the
/// record created by the first request (`created = false`) and never a second one.
pub async fn create_draft(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    idempotency_key: &str,
    document: InvoiceDocument,
    actor: &str,
) -> Result<(Value, bool), ApiError> {
    if !valid_id(id) || !valid_id(idempotency_key) {
        return Err(ApiError::BadRequest(
            "id and Idempotency-Key are 8 to 64 letters, digits, '-' or '_'".into(),
        ));
    }
    let now = svc.clock.now();
    let mut rec = InvoiceRecord {
        id: id.to_owned(),
        status: Status::Draft,
        document,
        series: None,
        number: None,
        created_at: now,
        updated_at: now,
        created_by: actor.to_owned(),
        idempotency_key: Some(idempotency_key.to_owned()),
        archive_key: None,
        xml_sha256: None,
        signed_at: None,
        audit_seq: 0,
        audit_head: String::new(),
    };
    let audit_op = audit(ts, &mut rec, actor, "draft_created");
    let ops = vec![
        Op::Put {
            key: ts.key("IDEM", idempotency_key),
            data: id.as_bytes().to_vec(),
            condition: Condition::NotExists,
        },
        Op::Put {
            key: ts.key("INV", id),
            data: to_json(&rec),
            condition: Condition::NotExists,
        },
        audit_op,
    ];
    match ts.transact(ops).await {
        Ok(v) => Ok((view(&rec, v[1]), true)),
        Err(StoreError::ConditionFailed { index: 0 }) => {
            // A retry of a request that already succeeded: answer with what it created.
            let first = ts
                .get("IDEM", idempotency_key)
                .await?
                .ok_or(ApiError::NotFound)?;
            let first_id = String::from_utf8_lossy(&first.data).into_owned();
            if first_id != id {
                return Err(ApiError::BadRequest(format!(
                    "Idempotency-Key {idempotency_key} was used for invoice {first_id}"
                )));
            }
            let (rec, v) = load(ts, id).await?;
            Ok((view(&rec, v), false))
        }
        Err(StoreError::ConditionFailed { .. }) => Err(ApiError::IdTaken),
        Err(e) => Err(e.into()),
    }
}

/// Replaces a draft's document if the client edited the current version.
pub async fn update_draft(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    if_match: u64,
    document: InvoiceDocument,
    actor: &str,
) -> Result<Value, ApiError> {
    let (mut rec, version) = load(ts, id).await?;
    if rec.status != Status::Draft {
        return Err(ApiError::NotEditable);
    }
    if version != if_match {
        return Err(ApiError::DraftConflict(Box::new(view(&rec, version))));
    }
    rec.document = document;
    rec.updated_at = svc.clock.now();
    let a = audit(ts, &mut rec, actor, "draft_updated");
    let ops = vec![
        Op::Put {
            key: ts.key("INV", id),
            data: to_json(&rec),
            condition: Condition::Version(if_match),
        },
        a,
    ];
    match ts.transact(ops).await {
        Ok(v) => Ok(view(&rec, v[0])),
        Err(StoreError::ConditionFailed { .. }) => {
            let (cur, v) = load(ts, id).await?;
            Err(ApiError::DraftConflict(Box::new(view(&cur, v))))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn create_series(
    ts: &TenantStore,
    form: &str,
    symbol: &str,
) -> Result<SeriesRecord, ApiError> {
    let mut findings = Vec::new();
    if hoadon_core::model::FormNumber::parse(form).is_err() {
        findings.push("form: one digit from 1 to 9");
    }
    if hoadon_core::model::Symbol::parse(symbol).is_err() {
        findings.push("symbol: C or K, two digits of the year, a type letter and two characters");
    }
    if !findings.is_empty() {
        return Err(ApiError::BadRequest(findings.join("; ")));
    }
    let rec = SeriesRecord {
        form: form.to_owned(),
        symbol: symbol.to_owned(),
        last_number: 0,
        last_date: None,
    };
    let op = Op::Put {
        key: ts.key("SERIES", format!("{form}{symbol}")),
        data: to_json(&rec),
        condition: Condition::NotExists,
    };
    match ts.transact(vec![op]).await {
        Ok(_) => Ok(rec),
        Err(StoreError::ConditionFailed { .. }) => Err(ApiError::Exists),
        Err(e) => Err(e.into()),
    }
}

pub async fn list_series(ts: &TenantStore) -> Result<Vec<SeriesRecord>, ApiError> {
    let page = ts.query("SERIES", "", None, 1000).await?;
    page.items.iter().map(from_item).collect()
}

/// Issues an invoice: number it, then sign and archive it. Idempotent: an issued invoice is
/// returned as it is; a numbered one is signed.
///
/// Numbering is batched per series: requests queue, and whoever finds no leader numbers the
/// queue, up to [`BATCH`] invoices per transaction, until it is empty. Everyone then signs their
/// own invoice (signing runs in parallel; numbering cannot, by law and by design).
pub async fn issue(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    actor: &str,
) -> Result<Value, ApiError> {
    for _attempt in 0..5 {
        let (rec, version) = load(ts, id).await?;
        match rec.status {
            Status::Signed => return Ok(view(&rec, version)),
            Status::Numbered => return sign_numbered(svc, ts, rec, version, actor).await,
            Status::Draft => {}
        }
        let checked = check(&rec.document);
        let Some(inv) = checked.invoice else {
            return Err(ApiError::Validation(checked.findings));
        };
        // No number is taken that could not be signed right away: a signer must exist, and
        // its certificate must be the seller's (the seller signs its own invoices).
        let signer = svc.signer(ts.tenant())?;
        let seller = inv
            .seller()
            .tax_id
            .as_ref()
            .map(|t| t.to_string())
            .unwrap_or_default();
        if let Some(mst) = &signer.certificate().tax_id
            && *mst != seller
        {
            return Err(ApiError::Validation(vec![hoadon_core::validate::Finding {
                severity: hoadon_core::validate::Severity::Error,
                code: "seller.not_key_holder",
                path: "seller.tax_id".into(),
                message_vi: format!(
                    "Mã số thuế người bán phải là của chủ chữ ký số ({mst}), không phải {seller:?}"
                ),
                message_en: format!(
                    "The seller's tax id must be the signing certificate's ({mst}), not {seller:?}"
                ),
            }]));
        }
        let series = format!("{}{}", inv.form(), inv.symbol());
        let (tx, rx) = tokio::sync::oneshot::channel();
        let request = NumberRequest {
            rec,
            version,
            date: inv.issue_date(),
            actor: actor.to_owned(),
            reply: tx,
        };
        let qkey = format!("{}/{series}", ts.tenant());
        let lead = {
            let mut queues = svc.queues.lock().expect("not poisoned");
            let q = queues.entry(qkey.clone()).or_default();
            q.waiting.push(request);
            !std::mem::replace(&mut q.leader, true)
        };
        if lead {
            lead_numbering(svc, ts, &series, &qkey).await;
        }
        match rx
            .await
            .map_err(|_| ApiError::Internal("numbering stopped".into()))?
        {
            Numbered::Done(rec, v) => return sign_numbered(svc, ts, *rec, v, actor).await,
            Numbered::Retry => continue,
            Numbered::Failed(e) => return Err(e),
        }
    }
    Err(ApiError::Unavailable(
        "the invoice kept changing; retry".into(),
    ))
}

/// Numbers the series' queue batch by batch until it is empty, then steps down.
async fn lead_numbering(svc: &Services, ts: &TenantStore, series: &str, qkey: &str) {
    loop {
        let batch: Vec<NumberRequest> = {
            let mut queues = svc.queues.lock().expect("not poisoned");
            let q = queues.get_mut(qkey).expect("queue exists while led");
            // One request per invoice per batch (a double click queues the same id twice).
            let cap = BATCH.min((ts.max_transaction_ops() - 1) / 4).max(1);
            let mut batch: Vec<NumberRequest> = Vec::new();
            let mut rest = Vec::new();
            for r in q.waiting.drain(..) {
                if batch.len() < cap && !batch.iter().any(|b| b.rec.id == r.rec.id) {
                    batch.push(r);
                } else {
                    rest.push(r);
                }
            }
            q.waiting = rest;
            if batch.is_empty() {
                q.leader = false;
                return;
            }
            batch
        };
        number_batch(svc, ts, series, batch).await;
    }
}

/// One transaction: the series counter (at its version) and, per invoice, the record (at its
/// version), the `NUM#` claim, the pending mark and the audit entry.
async fn number_batch(
    svc: &Services,
    ts: &TenantStore,
    series_key: &str,
    mut batch: Vec<NumberRequest>,
) {
    for _attempt in 0..5 {
        if batch.is_empty() {
            return;
        }
        let series_item = match ts.get("SERIES", series_key).await {
            Ok(Some(i)) => i,
            Ok(None) => return reply_all(batch, || ApiError::UnknownSeries(series_key.to_owned())),
            Err(e) => return reply_all(batch, || e.clone().into()),
        };
        let mut series: SeriesRecord = match from_item(&series_item) {
            Ok(s) => s,
            Err(e) => return reply_all(batch, || ApiError::Internal(e.to_string())),
        };
        let mut last_date = series
            .last_date
            .as_deref()
            .and_then(|d| d.parse::<Date>().ok());
        let mut accepted = Vec::new();
        let mut ops = vec![Op::Check {
            key: ts.key("SERIES", series_key),
            condition: Condition::Exists,
        }];
        let now = svc.clock.now();
        for r in std::mem::take(&mut batch) {
            if let Some(last) = last_date
                && r.date < last
            {
                let e = ApiError::IssueDateBeforeLast {
                    date: r.date.to_string(),
                    last: last.to_string(),
                };
                let _ = r.reply.send(Numbered::Failed(e));
                continue;
            }
            let number = series.last_number + 1;
            if number > hoadon_core::model::InvoiceNumber::MAX {
                let _ = r.reply.send(Numbered::Failed(ApiError::SeriesExhausted));
                continue;
            }
            series.last_number = number;
            last_date = Some(r.date);
            // Number a copy: if the transaction fails, the request goes again as it came.
            let mut rec = r.rec.clone();
            rec.status = Status::Numbered;
            rec.number = Some(number);
            rec.series = Some(series_key.to_owned());
            rec.document.number = Some(u64::from(number));
            rec.updated_at = now;
            let a = audit(ts, &mut rec, &r.actor, "numbered");
            ops.push(Op::Put {
                key: ts.key("INV", &rec.id),
                data: to_json(&rec),
                condition: Condition::Version(r.version),
            });
            ops.push(Op::Put {
                key: ts.key(&format!("NUM#{series_key}"), format!("{number:08}")),
                data: rec.id.as_bytes().to_vec(),
                condition: Condition::NotExists,
            });
            ops.push(Op::Put {
                key: ts.key("PENDING", &rec.id),
                data: Vec::new(),
                condition: Condition::NotExists,
            });
            ops.push(a);
            accepted.push((r, rec));
        }
        if accepted.is_empty() {
            return;
        }
        series.last_date = last_date.map(|d| d.to_string());
        ops[0] = Op::Put {
            key: ts.key("SERIES", series_key),
            data: to_json(&series),
            condition: Condition::Version(series_item.version),
        };
        match ts.transact(ops).await {
            Ok(versions) => {
                for (k, (r, rec)) in accepted.into_iter().enumerate() {
                    let _ = r
                        .reply
                        .send(Numbered::Done(Box::new(rec), versions[1 + 4 * k]));
                }
                return;
            }
            // The series moved (another process): number the same batch again.
            Err(StoreError::ConditionFailed { index: 0 }) => {
                batch = accepted.into_iter().map(|(r, _)| r).collect()
            }
            // One invoice changed under us: it reads itself again; the rest go again.
            Err(StoreError::ConditionFailed { index }) => {
                let mut rest: Vec<NumberRequest> = accepted.into_iter().map(|(r, _)| r).collect();
                let r = rest.remove((index - 1) / 4);
                let _ = r.reply.send(Numbered::Retry);
                batch = rest;
            }
            Err(e) => {
                return reply_all(accepted.into_iter().map(|(r, _)| r).collect(), || {
                    e.clone().into()
                });
            }
        }
    }
    reply_all(batch, || {
        ApiError::Unavailable("the series is busy; retry".into())
    });
}

fn reply_all(batch: Vec<NumberRequest>, e: impl Fn() -> ApiError) {
    for r in batch {
        let _ = r.reply.send(Numbered::Failed(e()));
    }
}

/// Signs a numbered invoice, archives the exact bytes and stores them with the record.
async fn sign_numbered(
    svc: &Services,
    ts: &TenantStore,
    mut rec: InvoiceRecord,
    version: u64,
    actor: &str,
) -> Result<Value, ApiError> {
    let inv = check(&rec.document).invoice.ok_or_else(|| {
        ApiError::Internal(format!("numbered invoice {} no longer validates", rec.id))
    })?;
    let signer = svc.signer(ts.tenant())?;
    let unsigned = xml::render(&inv);
    let signing_time = svc.clock.now_vn();
    let prepared = dsig::prepare(&unsigned, signer.certificate(), signing_time)
        .map_err(|e| ApiError::Internal(format!("prepare: {e}")))?;
    let value = signer
        .sign(prepared.signed_info().to_vec())
        .await
        .map_err(|e| ApiError::SigningFailed(e.to_string()))?;
    let signed = prepared
        .attach(&value)
        .map_err(|e| ApiError::SigningFailed(e.to_string()))?;
    let key = svc
        .archive
        .put(ts.tenant(), signed.as_bytes())
        .await
        .map_err(|e| ApiError::SigningFailed(e.to_string()))?;
    rec.status = Status::Signed;
    rec.archive_key = Some(key);
    rec.xml_sha256 = Some(sha256_hex(signed.as_bytes()));
    rec.signed_at = Some(signing_time.to_string());
    rec.updated_at = svc.clock.now();
    let a = audit(ts, &mut rec, actor, "signed");
    let ops = vec![
        Op::Put {
            key: ts.key("INV", &rec.id),
            data: to_json(&rec),
            condition: Condition::Version(version),
        },
        Op::Put {
            key: ts.key("XML", &rec.id),
            data: signed.into_bytes(),
            condition: Condition::Always,
        },
        Op::Delete {
            key: ts.key("PENDING", &rec.id),
            condition: Condition::Always,
        },
        a,
    ];
    match ts.transact(ops).await {
        Ok(v) => Ok(view(&rec, v[0])),
        Err(StoreError::ConditionFailed { .. }) => {
            // Someone else (the sweep, a retry) signed it meanwhile: theirs stands.
            let (cur, v) = load(ts, &rec.id).await?;
            Ok(view(&cur, v))
        }
        Err(e) => Err(e.into()),
    }
}

/// Signs every invoice left numbered (a crash or a signer outage between numbering and
/// signing). Run at start-up and periodically. Returns how many it signed.
pub async fn sweep(svc: &Services, ts: &TenantStore) -> Result<usize, ApiError> {
    let mut signed = 0;
    let mut cursor = None;
    loop {
        let page = ts.query("PENDING", "", cursor.as_deref(), 100).await?;
        for item in &page.items {
            let id = &item.key.sk;
            let (rec, version) = load(ts, id).await?;
            if rec.status == Status::Numbered {
                sign_numbered(svc, ts, rec, version, "recovery-sweep").await?;
                signed += 1;
            }
        }
        match page.next {
            Some(n) => cursor = Some(n),
            None => return Ok(signed),
        }
    }
}

/// Reads an invoice's audit chain and checks every link.
pub async fn verify_audit(ts: &TenantStore, id: &str) -> Result<Value, ApiError> {
    let (rec, _) = load(ts, id).await?;
    let mut entries = Vec::new();
    let mut cursor = None;
    loop {
        let page = ts
            .query(&format!("AUDIT#{id}"), "", cursor.as_deref(), 500)
            .await?;
        for item in &page.items {
            entries.push(from_item::<AuditEntry>(item)?);
        }
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    let mut prev = String::new();
    let mut broken_at = None;
    for (i, e) in entries.iter().enumerate() {
        if e.seq != i as u64 + 1 || e.prev != prev || e.hash != e.compute_hash() {
            broken_at = Some(e.seq);
            break;
        }
        prev = e.hash.clone();
    }
    if broken_at.is_none() && (prev != rec.audit_head || entries.len() as u64 != rec.audit_seq) {
        broken_at = Some(entries.len() as u64);
    }
    Ok(
        serde_json::json!({ "valid": broken_at.is_none(), "broken_at": broken_at, "entries": entries }),
    )
}

/// Filters of the invoice list.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub status: Option<Status>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub buyer: Option<String>,
    pub series: Option<String>,
    pub number: Option<u32>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
}

pub async fn list(ts: &TenantStore, q: &ListQuery) -> Result<Value, ApiError> {
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let buyer = q.buyer.as_deref().map(str::to_lowercase);
    let mut out = Vec::new();
    let mut cursor = q.cursor.clone();
    let mut next = None;
    'pages: loop {
        let page = ts.query("INV", "", cursor.as_deref(), 200).await?;
        for item in &page.items {
            let rec: InvoiceRecord = from_item(item)?;
            let d = &rec.document;
            let keep = q.status.is_none_or(|s| s == rec.status)
                && q.from.as_deref().is_none_or(|f| d.issue_date.as_str() >= f)
                && q.to.as_deref().is_none_or(|t| d.issue_date.as_str() <= t)
                && q.series.as_deref().is_none_or(|s| {
                    rec.series.as_deref() == Some(s) || format!("{}{}", d.form, d.symbol) == s
                })
                && q.number.is_none_or(|n| rec.number == Some(n))
                && buyer.as_deref().is_none_or(|b| {
                    let name = d.buyer.name.as_deref().unwrap_or("").to_lowercase();
                    let tax = d.buyer.tax_id.as_deref().unwrap_or("");
                    name.contains(b) || tax.contains(b)
                });
            if keep {
                if out.len() == limit {
                    next = Some(
                        out.last()
                            .map(|v: &Value| v["id"].as_str().unwrap_or("").to_owned())
                            .unwrap_or_default(),
                    );
                    break 'pages;
                }
                out.push(view(&rec, item.version));
            }
        }
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    Ok(serde_json::json!({ "items": out, "next": next }))
}

/// How many invoices are recent on the home screen, and how many awaiting signature are listed.
const RECENT: usize = 5;
const AWAITING: usize = 20;

/// The home screen: counts per status, the most recently changed invoices and those numbered
/// but not yet signed. One pass over the tenant's invoices (a page of 200 at a time); fine for
/// the volumes of a small business, a counter item would replace it for large tenants.
pub async fn summary(ts: &TenantStore) -> Result<Value, ApiError> {
    let mut counts: HashMap<&'static str, u64> = HashMap::new();
    let mut recent: Vec<(i64, Value)> = Vec::new();
    let mut awaiting = Vec::new();
    let mut cursor = None;
    loop {
        let page = ts.query("INV", "", cursor.as_deref(), 200).await?;
        for item in &page.items {
            let rec: InvoiceRecord = from_item(item)?;
            let key = match rec.status {
                Status::Draft => "draft",
                Status::Numbered => "numbered",
                Status::Signed => "signed",
            };
            *counts.entry(key).or_default() += 1;
            if rec.status == Status::Numbered && awaiting.len() < AWAITING {
                awaiting.push(view(&rec, item.version));
            }
            recent.push((rec.updated_at, view(&rec, item.version)));
            recent.sort_by_key(|r| std::cmp::Reverse(r.0));
            recent.truncate(RECENT);
        }
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    let count = |k| counts.get(k).copied().unwrap_or(0);
    Ok(serde_json::json!({
        "counts": { "draft": count("draft"), "numbered": count("numbered"), "signed": count("signed") },
        "recent": recent.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
        "awaiting_signature": awaiting,
    }))
}
