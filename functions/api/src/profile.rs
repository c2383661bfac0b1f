//! The company profile (`PROFILE / current`): the tenant's own details, the source of every
//! invoice's seller block. Edited by admins (`PUT /api/profile` with `If-Match`), every change
//! audited in the chain `AUDIT#profile` with the fields it changed.

use crate::error::ApiError;
use crate::invoices::{AuditEntry, AuditReport, ChainHead, chain_op, from_item};
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_core::api::ProfileView;
use hoadon_core::profile::{CompanyProfile, FIELDS};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct ProfileRecord {
    profile: CompanyProfile,
    audit_seq: u64,
    audit_head: String,
}

const PK: &str = "PROFILE";
const SK: &str = "current";

async fn record(ts: &TenantStore) -> Result<(ProfileRecord, u64), ApiError> {
    match ts.get(PK, SK).await? {
        Some(item) => Ok((from_item(&item)?, item.version)),
        None => Ok((ProfileRecord::default(), 0)),
    }
}

/// The profile and its version (0 and an empty profile before the first save).
pub async fn current(ts: &TenantStore) -> Result<(CompanyProfile, u64), ApiError> {
    let (r, v) = record(ts).await?;
    Ok((r.profile, v))
}

pub fn view(profile: CompanyProfile, version: u64) -> ProfileView {
    let complete = profile.is_complete();
    ProfileView {
        profile,
        version,
        complete,
    }
}

/// Replaces the profile if `if_match` is its current version (0: none saved yet). Every
/// finding refuses it (422); a stale version gets `409 version_conflict` with the current one.
pub async fn update(
    ts: &TenantStore,
    now: i64,
    if_match: u64,
    mut profile: CompanyProfile,
    actor: &str,
) -> Result<ProfileView, ApiError> {
    let findings = profile.check();
    if !findings.is_empty() {
        return Err(ApiError::Validation(findings));
    }
    for f in FIELDS.iter().map(|f| f.name).chain(["logo"]) {
        let v = profile.get(f).map(str::to_owned);
        profile.set(f, v);
    }
    let (mut rec, version) = record(ts).await?;
    if version != if_match {
        return Err(conflict(rec.profile, version));
    }
    let changed: Vec<&str> = FIELDS
        .iter()
        .map(|f| f.name)
        .chain(["logo"])
        .filter(|f| rec.profile.get(f) != profile.get(f))
        .collect();
    let fields = changed.join(",");
    let entry = AuditEntry {
        seq: 0,
        at: now,
        actor: actor.to_owned(),
        action: "profile_updated".into(),
        status: None,
        number: None,
        detail: Some(fields.clone()),
        prev: String::new(),
        hash: String::new(),
    };
    let a = chain_op(
        ts,
        "profile",
        ChainHead {
            seq: &mut rec.audit_seq,
            head: &mut rec.audit_head,
        },
        entry,
    );
    rec.profile = profile;
    let condition = match if_match {
        0 => Condition::NotExists,
        v => Condition::Version(v),
    };
    let ops = vec![
        Op::Put {
            key: ts.key(PK, SK),
            data: serde_json::to_vec(&rec).expect("records serialize"),
            condition,
        },
        a,
    ];
    match ts.transact(ops).await {
        Ok(v) => {
            // The names of the fields changed, never their values.
            tracing::info!(event = "profile.updated", tenant = ts.tenant(), fields);
            Ok(view(rec.profile, v[0]))
        }
        Err(StoreError::ConditionFailed { .. }) => {
            let (cur, v) = record(ts).await?;
            Err(conflict(cur.profile, v))
        }
        Err(e) => Err(e.into()),
    }
}

fn conflict(profile: CompanyProfile, version: u64) -> ApiError {
    ApiError::VersionConflict(Box::new(
        serde_json::to_value(view(profile, version)).expect("views serialize"),
    ))
}

/// The profile's audit chain, checked.
pub async fn audit(ts: &TenantStore) -> Result<AuditReport, ApiError> {
    let (r, _) = record(ts).await?;
    crate::invoices::read_chain(ts, "profile", (r.audit_seq, &r.audit_head)).await
}
