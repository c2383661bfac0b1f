//! Invoices: drafts, gapless numbering, signing, the audit chain and the recovery sweep.
//!
//! Items (all under the tenant's prefix):
//! - `INV / <id>`: the [`InvoiceRecord`]; `IDEM / <key>`: idempotency key → id;
//! - `SERIES / <form><symbol>`: [`SeriesRecord`] with the last number and date;
//! - `NUM#<series> / <number>`: number → id, written with `NotExists` (a duplicate number cannot
//!   be stored even by a buggy caller);
//! - `PENDING / <id>`: numbered, awaiting the server's signature (what the sweep reads);
//! - `TOKEN / <queued>`: awaiting a USB token's signature (token mode, see [`token`]), in the
//!   order they were issued; never read by the sweep;
//! - `XML / <id>`: the exact signed bytes, or a pointer into the archive when they would not
//!   fit one store item (see [`signing`]); `AUDIT#<id> / <seq>`: the audit chain.
//!
//! When something may happen is decided by the core's state machine
//! ([`hoadon_core::lifecycle`]); this module only persists and orchestrates:
//! [`drafts`] (client ids, idempotency, `If-Match`), [`issue`] (everything that can fail without
//! the key, tried before a number is taken), [`numbering`] (one leader per series, batches in one
//! transaction), [`signing`] (the one signed file of a number), [`sweep`] (recovery, failures
//! recorded per invoice), [`token`] (token mode: freeze, claims, posted signatures) and
//! [`queries`] (list, home summary, audit check).

pub mod authority;
mod drafts;
mod issue;
mod numbering;
mod queries;
#[cfg(test)]
pub(crate) mod races;
mod revise;
mod series;
mod signing;
mod sweep;
pub mod token;

pub use authority::seller_signed_xml;
pub(crate) use drafts::{compose as compose_draft, is_valid_id as drafts_id_ok};
pub use drafts::{create_draft, new_record, recompose, update_draft};
pub use issue::{issue, issue_at};
pub(crate) use queries::read_chain;
pub use queries::{AuditReport, ListQuery, list, summary, verify_audit};
pub use revise::revise;
pub use series::{SeriesRecord, create_series, list_series, set_signing_mode};
pub use signing::signed_xml;
pub use sweep::{SweepReport, sweep};

use crate::error::ApiError;
use crate::ports::{Archive, Clock, Signer, sha256_hex};
use crate::store::{Condition, Item, Op, TenantStore};
use hoadon_core::InvoiceDocument;
use hoadon_core::api::{Attention, InvoiceView};
use hoadon_core::corrections::Corrections;
pub use hoadon_core::lifecycle::{SigningMode, Status};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// An invoice as stored. `document` is always server-composed (the client's [`DraftInput`]
/// plus the company profile's seller), never a client's document as sent.
///
/// [`DraftInput`]: hoadon_core::model::DraftInput
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
    /// `SigningTime`, fixed in the numbering transaction so that every attempt to sign this
    /// number (the request, a retry, the sweep) produces the very same bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<String>,
    /// SHA-256 of the document prepared for signing when the number was taken (all of the
    /// signed file but its `SignatureValue`, certificate included): the plan every attempt
    /// must match, so that a number never gets a second, different signed file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prepared_sha256: Option<String>,
    /// Why a numbered invoice could not be signed (cleared once it is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attention: Option<Attention>,
    /// How it is signed, fixed when it was issued (the series' mode then): a later change of the
    /// series' mode never gets a token-mode invoice signed with another key.
    #[serde(default, skip_serializing_if = "SigningMode::is_cloud")]
    pub signing_mode: SigningMode,
    /// Token mode: its place in the queue and the claim that numbered it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<token::TokenState>,
    /// What the tax authority said (its code, a refusal), once the invoice went to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<hoadon_core::api::authority::AuthorityStatus>,
    /// Its corrections (replacement, adjustments, cancellation) and what they make of it.
    #[serde(default, skip_serializing_if = "Corrections::is_empty")]
    pub corrections: Corrections,
    /// When it is itself a correction: what it corrects, and the `TTHDLQuan` composed from the
    /// stored original.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrects: Option<crate::corrections::Corrects>,
    /// The orders it was made from (#19): the invoicing key and the ERP's order ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<crate::orders::Origin>,
    /// The version of its series' template, fixed when it is issued (`None`: the built-in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_version: Option<u32>,
    /// Sequence number and hash of the last audit entry (the chain's head).
    pub audit_seq: u64,
    pub audit_head: String,
}

/// One link of an audit chain: `hash` = SHA-256 of `prev` and this entry's JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub seq: u64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    /// The invoice's state after the action (absent in chains of other records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    /// What changed, in a few words (e.g. the profile fields edited; a failure's reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
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

/// The head of an audit chain kept in the record it audits.
pub(crate) struct ChainHead<'a> {
    pub seq: &'a mut u64,
    pub head: &'a mut String,
}

/// Appends `entry` (its `seq`, `prev` and `hash` filled here) to the chain `AUDIT#<chain>` and
/// returns the operation that stores it, for the same transaction as the change it records.
pub(crate) fn chain_op(
    ts: &TenantStore,
    chain: &str,
    head: ChainHead<'_>,
    mut entry: AuditEntry,
) -> Op {
    entry.seq = *head.seq + 1;
    entry.prev = head.head.clone();
    entry.hash = entry.compute_hash();
    *head.seq = entry.seq;
    *head.head = entry.hash.clone();
    Op::Put {
        key: ts.key(&format!("AUDIT#{chain}"), format!("{:010}", entry.seq)),
        data: to_json(&entry),
        condition: Condition::NotExists,
    }
}

/// Appends an audit entry (at `rec.updated_at`) to `rec`'s chain.
pub(crate) fn audit(ts: &TenantStore, rec: &mut InvoiceRecord, actor: &str, action: &str) -> Op {
    audit_with(ts, rec, actor, action, None)
}

pub(crate) fn audit_with(
    ts: &TenantStore,
    rec: &mut InvoiceRecord,
    actor: &str,
    action: &str,
    detail: Option<String>,
) -> Op {
    let entry = AuditEntry {
        seq: 0,
        at: rec.updated_at,
        actor: actor.to_owned(),
        action: action.to_owned(),
        status: Some(rec.status),
        number: rec.number,
        detail,
        prev: String::new(),
        hash: String::new(),
    };
    let chain = rec.id.clone();
    chain_op(
        ts,
        &chain,
        ChainHead {
            seq: &mut rec.audit_seq,
            head: &mut rec.audit_head,
        },
        entry,
    )
}

/// An invoice waiting for its number; the queues of a process, one per series.
type Queues = Mutex<HashMap<String, numbering::Queue>>;

/// What the invoice service needs of the application. Cheap to clone: issuing runs detached
/// from the request (a dropped connection must not stop numbering or signing halfway), so the
/// work holds its own handle.
#[derive(Clone)]
pub struct Services(Arc<Inner>);

pub struct Inner {
    pub clock: Arc<dyn Clock>,
    pub archive: Arc<dyn Archive>,
    signers: HashMap<String, Arc<dyn Signer>>,
    /// Tenants' accounts at their CA's remote signing service (series in `remote` mode).
    remote_signers: HashMap<String, Arc<dyn Signer>>,
    queues: Queues,
    /// `MSTTCGP`: the operator's tax id as the invoicing-solution provider, when configured.
    provider_tax_id: Option<String>,
    /// How each tenant reaches the tax authority (none: signed invoices stop at the seller's
    /// signature, as before #14 — tests of other areas, tenants not yet connected).
    authorities: HashMap<String, crate::outbox::AuthorityLink>,
    /// Gets a worker to an outbox message when it is due.
    pub wake: Arc<dyn crate::ports::Wake>,
    /// The outbox's retry schedule.
    pub retry: crate::outbox::RetryPolicy,
    /// Where the public pages are (`https://…`, no trailing slash): the lookup address printed
    /// on invoices.
    pub public_url: String,
    /// How each tenant's e-mails leave (none: no e-mail; "Send" says it is not configured).
    mail: HashMap<String, crate::delivery::email::MailLink>,
    /// A CJK font for PDFs of invoices with Chinese text (optional: large, loaded from disk).
    pub cjk_font: Option<Arc<Vec<u8>>>,
    /// Webhooks may go over plain `http://` to loopback (the local system only, never Lambda).
    pub allow_local_webhooks: bool,
}

impl std::ops::Deref for Services {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl Services {
    pub fn new(
        clock: Arc<dyn Clock>,
        archive: Arc<dyn Archive>,
        signers: HashMap<String, Arc<dyn Signer>>,
    ) -> Self {
        Services(Arc::new(Inner {
            clock,
            archive,
            signers,
            remote_signers: HashMap::new(),
            queues: Mutex::new(HashMap::new()),
            provider_tax_id: None,
            authorities: HashMap::new(),
            wake: Arc::new(crate::ports::LocalWake::default()),
            retry: crate::outbox::RetryPolicy::default(),
            public_url: "http://127.0.0.1:8080".into(),
            mail: HashMap::new(),
            cjk_font: None,
            allow_local_webhooks: false,
        }))
    }

    /// Sets where the public pages are (composition roots only, before sharing).
    pub fn with_public_url(mut self, url: &str) -> Self {
        self.inner_mut().public_url = url.trim_end_matches('/').to_owned();
        self
    }

    /// Gives `tenant` a way to send e-mail (composition roots only, before sharing).
    pub fn with_mail(mut self, tenant: &str, link: crate::delivery::email::MailLink) -> Self {
        self.inner_mut().mail.insert(tenant.to_owned(), link);
        self
    }

    /// A CJK font for PDFs (composition roots only, before sharing).
    pub fn with_cjk_font(mut self, font: Vec<u8>) -> Self {
        self.inner_mut().cjk_font = Some(Arc::new(font));
        self
    }

    /// Lets webhooks go over plain `http://` to loopback: the local system's composition root
    /// (and tests) only, never Lambda's.
    pub fn with_local_webhooks(mut self) -> Self {
        self.inner_mut().allow_local_webhooks = true;
        self
    }

    /// How `tenant`'s e-mails leave, if they do.
    pub fn mail(&self, tenant: &str) -> Option<crate::delivery::email::MailLink> {
        self.mail.get(tenant).cloned()
    }

    fn inner_mut(&mut self) -> &mut Inner {
        Arc::get_mut(&mut self.0).expect("services are configured before they are shared")
    }

    /// Connects `tenant` to the tax authority (composition roots only, before sharing).
    pub fn with_authority(mut self, tenant: &str, link: crate::outbox::AuthorityLink) -> Self {
        self.inner_mut().authorities.insert(tenant.to_owned(), link);
        self
    }

    /// Gives `tenant` a remote signing account (composition roots only, before sharing).
    pub fn with_remote_signer(mut self, tenant: &str, signer: Arc<dyn Signer>) -> Self {
        self.inner_mut()
            .remote_signers
            .insert(tenant.to_owned(), signer);
        self
    }

    /// Replaces the outbox's wake-up (composition roots only, before sharing).
    pub fn with_wake(mut self, wake: Arc<dyn crate::ports::Wake>) -> Self {
        self.inner_mut().wake = wake;
        self
    }

    /// Replaces the outbox's retry schedule (composition roots and tests).
    pub fn with_retry(mut self, retry: crate::outbox::RetryPolicy) -> Self {
        self.inner_mut().retry = retry;
        self
    }

    /// How `tenant` reaches the tax authority, if it does.
    pub fn authority(&self, tenant: &str) -> Option<&crate::outbox::AuthorityLink> {
        self.authorities.get(tenant)
    }

    /// The tenants with a signing key, sorted.
    pub fn signing_tenants(&self) -> Vec<&str> {
        let mut t: Vec<&str> = self.signers.keys().map(String::as_str).collect();
        t.sort_unstable();
        t
    }

    /// The tenant's cloud signer (its certificate is what the seller must match).
    pub fn signer(&self, tenant: &str) -> Result<&Arc<dyn Signer>, ApiError> {
        self.signers.get(tenant).ok_or(ApiError::NoSigningKey)
    }

    /// The server-side signer of `mode`; token mode has none (the desktop signs).
    pub fn signer_for(
        &self,
        tenant: &str,
        mode: SigningMode,
    ) -> Result<&Arc<dyn Signer>, ApiError> {
        match mode {
            SigningMode::Cloud => self.signer(tenant),
            SigningMode::Remote => self.remote_signers.get(tenant).ok_or_else(|| {
                ApiError::Unprocessable(
                    "signing.remote_not_configured",
                    "Chưa cấu hình tài khoản ký số từ xa của CA / the CA's remote signing \
                     account is not configured for this company"
                        .into(),
                )
            }),
            SigningMode::Token => Err(token::server_cannot_sign()),
        }
    }
}

pub(crate) fn to_json<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).expect("records serialize")
}

pub(crate) fn from_item<T: for<'de> Deserialize<'de>>(item: &Item) -> Result<T, ApiError> {
    serde_json::from_slice(&item.data)
        .map_err(|e| ApiError::Internal(format!("corrupt item {:?}: {e}", item.key)))
}

/// A record as clients see it: the stored record plus its version (the `If-Match` value).
pub fn view(rec: &InvoiceRecord, version: u64) -> InvoiceView {
    InvoiceView {
        id: rec.id.clone(),
        status: rec.status,
        document: rec.document.clone(),
        series: rec.series.clone(),
        number: rec.number,
        created_at: rec.created_at,
        updated_at: rec.updated_at,
        created_by: rec.created_by.clone(),
        signing_time: rec.signed_at.clone(),
        xml_sha256: rec.xml_sha256.clone(),
        attention: rec.attention.clone(),
        authority: rec.authority.clone(),
        signing_mode: rec.signing_mode,
        standing: rec.corrections.standing(),
        corrects: rec.corrects.as_ref().map(|c| c.of.clone()),
        deliverable: crate::delivery::deliverable(rec),
        template_version: rec.template_version,
        version,
    }
}

pub async fn load(ts: &TenantStore, id: &str) -> Result<(InvoiceRecord, u64), ApiError> {
    let item = ts.get("INV", id).await?.ok_or(ApiError::NotFound)?;
    Ok((from_item(&item)?, item.version))
}
