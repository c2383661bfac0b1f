//! Drafts: created with the client's id (so an offline draft keeps it) and an idempotency key,
//! edited with `If-Match`. The client sends a [`DraftInput`]; what is stored is the document the
//! server composes from it and the company profile — never a client's seller block.

use super::{InvoiceRecord, Services, Status, audit, load, to_json, view};
use crate::error::ApiError;
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_core::InvoiceDocument;
use hoadon_core::api::InvoiceView;
use hoadon_core::lifecycle::Event;
use hoadon_core::model::{DraftInput, ServerParts};

fn valid_id(id: &str) -> bool {
    (8..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The document a draft stands for now: the client's input, the profile's seller and reading of
/// negative amounts, for a correction the `TTHDLQuan` composed from its original, and the
/// lookup code and address once the invoice is being issued (`lookup`).
pub(crate) async fn compose(
    svc: &Services,
    ts: &TenantStore,
    input: &DraftInput,
    corrects: Option<&crate::corrections::Corrects>,
    lookup: Option<(&str, &str)>,
) -> Result<InvoiceDocument, ApiError> {
    let (profile, _) = crate::profile::current(ts).await?;
    let refused = input.server_owned_findings();
    if !refused.is_empty() {
        return Err(ApiError::Validation(refused));
    }
    Ok(input.compose(ServerParts {
        seller: &profile.seller(),
        provider_tax_id: svc.provider_tax_id.as_deref(),
        number: None,
        related: corrects.map(|c| &c.related),
        negative_words: profile.negative_words,
        lookup,
    }))
}

/// The document a stored record would be issued as now (its input, the current profile), with
/// the lookup code it already carries, if any.
pub async fn recompose(
    svc: &Services,
    ts: &TenantStore,
    rec: &InvoiceRecord,
) -> Result<InvoiceDocument, ApiError> {
    let input = DraftInput::from_document(&rec.document);
    let lookup = crate::delivery::lookup::carried(&rec.document);
    let lookup = lookup.as_ref().map(|(c, u)| (c.as_str(), u.as_str()));
    compose(svc, ts, &input, rec.corrects.as_ref(), lookup).await
}

/// A new draft record (not stored).
pub fn new_record(
    id: &str,
    document: InvoiceDocument,
    now: i64,
    actor: &str,
    idempotency_key: Option<&str>,
) -> InvoiceRecord {
    InvoiceRecord {
        id: id.to_owned(),
        status: Status::Draft,
        document,
        series: None,
        number: None,
        created_at: now,
        updated_at: now,
        created_by: actor.to_owned(),
        idempotency_key: idempotency_key.map(str::to_owned),
        archive_key: None,
        xml_sha256: None,
        signed_at: None,
        prepared_sha256: None,
        attention: None,
        signing_mode: Default::default(),
        token: None,
        authority: None,
        corrections: Default::default(),
        corrects: None,
        template_version: None,
        origin: None,
        audit_seq: 0,
        audit_head: String::new(),
    }
}

/// Whether `id` can name a record (client-chosen ids and keys).
pub(crate) fn is_valid_id(id: &str) -> bool {
    valid_id(id)
}

/// Creates a draft with the client's id. Replaying the same `Idempotency-Key` returns the
/// record created by the first request (`created = false`) and never a second one.
pub async fn create_draft(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    idempotency_key: &str,
    input: &DraftInput,
    actor: &str,
) -> Result<(InvoiceView, bool), ApiError> {
    if !valid_id(id) || !valid_id(idempotency_key) {
        return Err(ApiError::BadRequest(
            "id and Idempotency-Key are 8 to 64 letters, digits, '-' or '_'".into(),
        ));
    }
    let document = compose(svc, ts, input, None, None).await?;
    let mut rec = new_record(id, document, svc.clock.now(), actor, Some(idempotency_key));
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
        Ok(v) => {
            tracing::info!(
                event = "invoice.draft_created",
                tenant = ts.tenant(),
                invoice_id = id
            );
            Ok((view(&rec, v[1]), true))
        }
        Err(StoreError::ConditionFailed { index: 0 }) => {
            // A retry of a request that already succeeded: answer with what it created.
            let first = ts
                .get("IDEM", idempotency_key)
                .await?
                .ok_or(ApiError::NotFound)?;
            let first_id = String::from_utf8_lossy(&first.data).into_owned();
            if first_id != id {
                return Err(ApiError::IdempotencyKeyReused(first_id));
            }
            let (rec, v) = load(ts, id).await?;
            Ok((view(&rec, v), false))
        }
        Err(StoreError::ConditionFailed { .. }) => Err(ApiError::IdTaken),
        Err(e) => Err(e.into()),
    }
}

/// Replaces a draft's content if the client edited the current version.
pub async fn update_draft(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    if_match: u64,
    input: &DraftInput,
    actor: &str,
) -> Result<InvoiceView, ApiError> {
    let (mut rec, version) = load(ts, id).await?;
    rec.status = rec
        .status
        .apply(Event::Edit)
        .map_err(|r| match rec.status {
            // Frozen for a token, not issued: say how to edit it (withdraw it first).
            Status::AwaitingToken => ApiError::Conflict(r.code, r.message_en.into()),
            _ => ApiError::NotEditable,
        })?;
    if version != if_match {
        return Err(ApiError::DraftConflict(Box::new(view(&rec, version))));
    }
    rec.document = compose(svc, ts, input, rec.corrects.as_ref(), None).await?;
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
