//! Personal access tokens (#15): how a program acts for a user without the user's password — the
//! desktop signer now, ERP integrations later (#19, one more [`TokenRole`]).
//!
//! **The token** is `hdp_` and 32 random bytes in base64url (256 bits). The prefix tells a
//! verifier it is not a JWT and lets secret scanners recognise a leaked one.
//!
//! **Stored only as its SHA-256.** Passwords get Argon2id because people choose guessable ones,
//! and a slow hash makes each guess expensive. A token has 256 random bits: nobody can guess it,
//! slow hash or not, so the slowness would buy nothing and cost every request (the token is
//! checked on each one, the password only at login). A plain SHA-256 also makes the hash usable
//! as a lookup key: the store finds the token by its hash, with no per-token salt.
//!
//! Items:
//! - `PAT / <sha256 hex>` (global, like `LOGIN`): [`IndexRecord`], the tenant and token id the
//!   token belongs to: a request names no tenant, the token does. Written with the record,
//!   deleted when the token is revoked.
//! - `T#<tenant>#PAT / <id>`: [`TokenRecord`] (name, role, creator, times, the hash). Revoked
//!   records stay (the list shows them).
//! - `T#<tenant>#PAT / head`: the head of the chain `AUDIT#access-tokens`, which records every
//!   creation and revocation in the same transaction.
//!
//! **Last use** is written at most once a minute per token ([`TOUCH_INTERVAL`]), as a put pinned
//! to the version read: a request does not pay a write, and a touch racing a revocation loses
//! (the revocation is never undone).

use crate::auth::{AuthError, Claims, Role, TokenVerifier};
use crate::error::ApiError;
use crate::invoices::{AuditReport, from_item};
use crate::ports::{Ids, sha256_hex};
use crate::side_chain::SideChain;
use crate::store::{Condition, Key, Op, Store, StoreError, TenantStore};
use hoadon_core::api::access_tokens::{
    AccessTokenView, CreateAccessToken, CreatedAccessToken, DEFAULT_EXPIRY_DAYS, MAX_EXPIRY_DAYS,
    MAX_NAME_CHARS, TokenRole,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What every token starts with.
pub const PREFIX: &str = "hdp_";
const PK: &str = "PAT";
/// The chain `AUDIT#access-tokens`, headed at `PAT / head`.
const CHAIN: SideChain = SideChain {
    pk: PK,
    chain: "access-tokens",
};
/// Last use is recorded to the minute: at most one write per token per minute.
pub const TOUCH_INTERVAL: i64 = 60;
const DAY: i64 = 86_400;

/// `PAT / <sha256>`: which tenant's token this hash is.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct IndexRecord {
    tenant: String,
    id: String,
}

/// `T#<tenant>#PAT / <id>`. Holds the token's hash (to delete the index on revocation), never
/// the token.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct TokenRecord {
    name: String,
    role: TokenRole,
    created_by: String,
    created_at: i64,
    expires_at: i64,
    #[serde(default)]
    last_used_at: Option<i64>,
    #[serde(default)]
    revoked_at: Option<i64>,
    #[serde(default)]
    revoked_by: Option<String>,
    hash: String,
}

/// The role a token of this kind acts with. One line per [`TokenRole`].
pub fn acting_role(role: TokenRole) -> Role {
    match role {
        TokenRole::Signer => Role::Signer,
        TokenRole::Integration => Role::Integration,
    }
}

/// Who may create a token of `role`. A signer token: admins and accountants (the people who
/// issue invoices and hold the company's USB token); not sales staff, whose work ends at the
/// counter. Tokens themselves never create tokens (checked by the caller).
pub fn may_create(creator: Role, role: TokenRole) -> bool {
    match role {
        TokenRole::Signer => matches!(creator, Role::Admin | Role::Accountant),
        // Connecting a company's ERP is an administrator's decision.
        TokenRole::Integration => creator == Role::Admin,
    }
}

/// A `422` whose message carries both languages, as the screens show either.
fn refuse(code: &'static str, vi: &str, en: &str) -> ApiError {
    ApiError::Unprocessable(code, format!("{vi} / {en}"))
}

fn view(id: &str, r: &TokenRecord) -> AccessTokenView {
    AccessTokenView {
        id: id.to_owned(),
        name: r.name.clone(),
        role: r.role,
        created_by: r.created_by.clone(),
        created_at: r.created_at,
        expires_at: r.expires_at,
        last_used_at: r.last_used_at,
        revoked_at: r.revoked_at,
    }
}

fn is_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A fresh token: `hdp_` + 32 bytes from the system's CSPRNG in base64url.
fn new_secret() -> String {
    format!("{PREFIX}{}", crate::ports::random_base64url())
}

fn index_key(hash: &str) -> Key {
    Key::new(PK, hash)
}

fn json<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).expect("records serialize")
}

fn put<T: Serialize>(key: Key, v: &T, condition: Condition) -> Op {
    Op::Put {
        key,
        data: json(v),
        condition,
    }
}

fn clean_name(name: &str) -> Result<String, ApiError> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > MAX_NAME_CHARS || n.chars().any(char::is_control) {
        return Err(refuse(
            "access_token.bad_name",
            "Tên token: 1 đến 100 ký tự, không có ký tự điều khiển",
            "name: 1 to 100 characters, no control characters",
        ));
    }
    Ok(n.to_owned())
}

fn expiry_days(days: Option<u32>) -> Result<i64, ApiError> {
    match days.unwrap_or(DEFAULT_EXPIRY_DAYS) {
        d @ 1..=MAX_EXPIRY_DAYS => Ok(i64::from(d)),
        _ => Err(refuse(
            "access_token.bad_expiry",
            "Thời hạn token: từ 1 đến 365 ngày",
            "expires_in_days: from 1 to 365",
        )),
    }
}

/// Creates a token for `creator` (already allowed by [`may_create`]); the answer is the only
/// place the token ever appears. The index, the record, the chain head and the audit entry are
/// one transaction (on the raw store: the index lies outside every tenant).
pub async fn create(
    store: &Arc<dyn Store>,
    ts: &TenantStore,
    now: i64,
    input: CreateAccessToken,
    creator: &str,
) -> Result<CreatedAccessToken, ApiError> {
    let name = clean_name(&input.name)?;
    let days = expiry_days(input.expires_in_days)?;
    let token = new_secret();
    let hash = sha256_hex(token.as_bytes());
    let id = crate::ports::RandomIds.new_id();
    let rec = TokenRecord {
        name,
        role: input.role,
        created_by: creator.to_owned(),
        created_at: now,
        expires_at: now + days * DAY,
        last_used_at: None,
        revoked_at: None,
        revoked_by: None,
        hash: hash.clone(),
    };
    let index = IndexRecord {
        tenant: ts.tenant().to_owned(),
        id: id.clone(),
    };
    for _ in 0..5 {
        let head = CHAIN.head(ts).await?;
        let [h, a] = CHAIN.append(ts, head, now, creator, "access_token_created", &id);
        let ops = vec![
            put(index_key(&hash), &index, Condition::NotExists),
            put(ts.key(PK, &id), &rec, Condition::NotExists),
            h,
            a,
        ];
        match store.transact(ops).await {
            Ok(_) => {
                tracing::info!(event = "access_token.created", tenant = ts.tenant(), id);
                let record = view(&id, &rec);
                return Ok(CreatedAccessToken { token, record });
            }
            Err(StoreError::ConditionFailed { index: 2 | 3 }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable(
        "the access tokens kept changing; retry".into(),
    ))
}

async fn load(ts: &TenantStore, id: &str) -> Result<(TokenRecord, u64), ApiError> {
    if !is_id(id) {
        return Err(ApiError::NotFound);
    }
    let item = ts.get(PK, id).await?.ok_or(ApiError::NotFound)?;
    Ok((from_item(&item)?, item.version))
}

/// One token's record.
pub async fn get(ts: &TenantStore, id: &str) -> Result<AccessTokenView, ApiError> {
    Ok(view(id, &load(ts, id).await?.0))
}

/// The tenant's tokens (`None`) or one user's (`Some(email)`), newest first; revoked and
/// expired ones included.
pub async fn list(ts: &TenantStore, of: Option<&str>) -> Result<Vec<AccessTokenView>, ApiError> {
    let items = CHAIN.items(ts).await?;
    let mut out = Vec::new();
    for item in items.iter().filter(|i| is_id(&i.key.sk)) {
        let rec: TokenRecord = from_item(item)?;
        if of.is_none_or(|who| who == rec.created_by) {
            out.push(view(&item.key.sk, &rec));
        }
    }
    out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// Revokes a token: refused from the next request on (its index item is deleted in the same
/// transaction, and the record marked). Only its creator or an admin (`admin`) may; to anyone
/// else it does not exist. Revoking it again answers it unchanged.
pub async fn revoke(
    store: &Arc<dyn Store>,
    ts: &TenantStore,
    now: i64,
    id: &str,
    actor: &str,
    admin: bool,
) -> Result<AccessTokenView, ApiError> {
    for _ in 0..5 {
        let (mut rec, version) = load(ts, id).await?;
        if !admin && rec.created_by != actor {
            return Err(ApiError::NotFound);
        }
        if rec.revoked_at.is_some() {
            return Ok(view(id, &rec));
        }
        rec.revoked_at = Some(now);
        rec.revoked_by = Some(actor.to_owned());
        let head = CHAIN.head(ts).await?;
        let [h, a] = CHAIN.append(ts, head, now, actor, "access_token_revoked", id);
        let ops = vec![
            put(ts.key(PK, id), &rec, Condition::Version(version)),
            h,
            a,
            Op::Delete {
                key: index_key(&rec.hash),
                condition: Condition::Always,
            },
        ];
        match store.transact(ops).await {
            Ok(_) => {
                tracing::info!(event = "access_token.revoked", tenant = ts.tenant(), id);
                return Ok(view(id, &rec));
            }
            Err(StoreError::ConditionFailed { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable(
        "the access tokens kept changing; retry".into(),
    ))
}

/// A verified access token: the claims it acts with, and its record.
#[derive(Debug, Clone)]
pub struct Verified {
    pub claims: Claims,
    pub id: String,
    pub record: AccessTokenView,
}

/// Checks an `hdp_…` token: known (its hash indexed), not revoked, not expired at `now`. With
/// `touch`, records its use when the last record is a minute old or more (the API function;
/// the gateway's authorizer only reads). Unknown, revoked and expired tokens are `401`; a store
/// failure is `503`, never a pass.
pub async fn verify(
    store: &Arc<dyn Store>,
    token: &str,
    now: i64,
    touch: bool,
) -> Result<Verified, ApiError> {
    let invalid = || ApiError::Unauthorized(AuthError::Invalid);
    if !token.starts_with(PREFIX) || token.len() > 64 {
        return Err(invalid());
    }
    let hash = sha256_hex(token.as_bytes());
    let item = store.get(&index_key(&hash)).await?.ok_or_else(invalid)?;
    let index: IndexRecord = from_item(&item)?;
    let ts = TenantStore::new(&index.tenant, store.clone());
    let item = ts.get(PK, &index.id).await?.ok_or_else(invalid)?;
    let mut rec: TokenRecord = from_item(&item)?;
    // The index names the record and the record names the hash: both must agree.
    if rec.hash != hash || rec.revoked_at.is_some() {
        return Err(invalid());
    }
    if rec.expires_at <= now {
        return Err(ApiError::Unauthorized(AuthError::Expired));
    }
    if touch && rec.last_used_at.is_none_or(|t| now - t >= TOUCH_INTERVAL) {
        rec.last_used_at = Some(now);
        let op = put(
            ts.key(PK, &index.id),
            &rec,
            Condition::Version(item.version),
        );
        match ts.transact(vec![op]).await {
            // Lost to another request's touch or to a revocation: either way nothing to do.
            Ok(_) | Err(StoreError::ConditionFailed { .. }) => {}
            Err(e) => {
                tracing::warn!(event = "access_token.touch_failed", tenant = ts.tenant(), error = %e)
            }
        }
    }
    let claims = Claims {
        sub: format!("{} (token {})", rec.created_by, rec.name),
        tenant: index.tenant,
        role: acting_role(rec.role),
        exp: rec.expires_at,
    };
    Ok(Verified {
        claims,
        record: view(&index.id, &rec),
        id: index.id,
    })
}

/// The one way a bearer token becomes claims, for the API function and the gateway's
/// authorizer alike: an access token is looked up in the store, anything else is a JWT for
/// `verifier`. Returns the access token's id too, when it was one.
pub async fn authenticate(
    store: &Arc<dyn Store>,
    verifier: &dyn TokenVerifier,
    token: &str,
    now: i64,
    touch: bool,
) -> Result<(Claims, Option<String>), ApiError> {
    if token.starts_with(PREFIX) {
        let v = verify(store, token, now, touch).await?;
        return Ok((v.claims, Some(v.id)));
    }
    let claims = verifier
        .verify(token, now)
        .map_err(ApiError::Unauthorized)?;
    Ok((claims, None))
}

/// The chain `AUDIT#access-tokens`, checked against its head.
pub async fn audit(ts: &TenantStore) -> Result<AuditReport, ApiError> {
    CHAIN.audit(ts).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_256_bit_base64url() {
        let t = new_secret();
        assert!(t.starts_with(PREFIX));
        assert_eq!(t.len(), PREFIX.len() + 43);
        assert!(
            t[4..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_ne!(t, new_secret());
    }

    #[test]
    fn expiry_is_required_and_bounded() {
        assert_eq!(expiry_days(None).unwrap(), 90);
        assert_eq!(expiry_days(Some(365)).unwrap(), 365);
        assert!(expiry_days(Some(0)).is_err());
        assert!(expiry_days(Some(366)).is_err());
    }

    #[test]
    fn only_admins_and_accountants_create_signer_tokens() {
        assert!(may_create(Role::Admin, TokenRole::Signer));
        assert!(may_create(Role::Accountant, TokenRole::Signer));
        assert!(!may_create(Role::Sales, TokenRole::Signer));
        assert!(!may_create(Role::Signer, TokenRole::Signer));
    }
}
