//! The registration of e-invoice use (01/ĐKTĐ-HĐĐT): an admin fills it, hoadon signs it and
//! sends it as message 100; the authority answers 102 (received, or not) and 103 (accepted or
//! refused). Coded (`C`) or uncoded (`K`) invoices cannot be issued until the registration of
//! that kind is accepted — unless the tenant says it registered through another provider.
//!
//! Item: `AUTH / registration`. The 100 body is provisional (`tdiep::provisional`); the
//! contact fields are kept here, not sent, until a real schema says where they go.

use super::{ack_refusal, decision, reasons, sign_document};
use crate::error::ApiError;
use crate::invoices::authority::Applied;
use crate::invoices::{AuditEntry, ChainHead, Services, chain_op, from_item};
use crate::outbox;
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_core::api::authority::{
    AuthoritySettingsInput, RegistrationInput, RegistrationState, RegistrationView, Subject,
};
use hoadon_core::tdiep::provisional::{Common, Registration};
use hoadon_core::tdiep::{Body, MessageKind, TDiep};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct RegistrationRecord {
    state: RegistrationState,
    #[serde(default)]
    input: Option<RegistrationInput>,
    #[serde(default)]
    accepted_coded: bool,
    #[serde(default)]
    accepted_uncoded: bool,
    #[serde(default)]
    reasons: Vec<String>,
    #[serde(default)]
    registered_elsewhere: bool,
    #[serde(default)]
    outbox_id: Option<String>,
    /// The signed 01/ĐKTĐ-HĐĐT of the last message (what the outbox sends).
    #[serde(default)]
    signed: Option<String>,
    updated_at: i64,
    /// The head of the chain `AUDIT#registration` (sent, decided, registered elsewhere).
    #[serde(default)]
    audit_seq: u64,
    #[serde(default)]
    audit_head: String,
}

/// The audit entry of a change to the registration, for the same transaction.
fn audited(
    ts: &TenantStore,
    r: &mut RegistrationRecord,
    actor: &str,
    action: &str,
    detail: Option<String>,
) -> Op {
    let entry = AuditEntry {
        seq: 0,
        at: r.updated_at,
        actor: actor.to_owned(),
        action: action.to_owned(),
        status: None,
        number: None,
        detail,
        prev: String::new(),
        hash: String::new(),
    };
    let head = ChainHead {
        seq: &mut r.audit_seq,
        head: &mut r.audit_head,
    };
    chain_op(ts, "registration", head, entry)
}

impl Default for RegistrationRecord {
    fn default() -> Self {
        RegistrationRecord {
            state: RegistrationState::None,
            input: None,
            accepted_coded: false,
            accepted_uncoded: false,
            reasons: Vec::new(),
            registered_elsewhere: false,
            outbox_id: None,
            signed: None,
            updated_at: 0,
            audit_seq: 0,
            audit_head: String::new(),
        }
    }
}

async fn record(ts: &TenantStore) -> Result<(RegistrationRecord, u64), ApiError> {
    Ok(match ts.get("AUTH", "registration").await? {
        Some(item) => (from_item(&item)?, item.version),
        None => (RegistrationRecord::default(), 0),
    })
}

fn view(r: RegistrationRecord, version: u64) -> RegistrationView {
    RegistrationView {
        state: r.state,
        input: r.input,
        accepted_coded: r.accepted_coded,
        accepted_uncoded: r.accepted_uncoded,
        reasons: r.reasons,
        registered_elsewhere: r.registered_elsewhere,
        outbox_id: r.outbox_id,
        updated_at: r.updated_at,
        version,
    }
}

fn put(ts: &TenantStore, r: &RegistrationRecord, version: u64) -> Op {
    Op::Put {
        key: ts.key("AUTH", "registration"),
        data: serde_json::to_vec(r).expect("records serialize"),
        condition: if version == 0 {
            Condition::NotExists
        } else {
            Condition::Version(version)
        },
    }
}

pub async fn get(ts: &TenantStore) -> Result<RegistrationView, ApiError> {
    let (r, v) = record(ts).await?;
    Ok(view(r, v))
}

pub(super) async fn signed(ts: &TenantStore) -> Result<String, ApiError> {
    record(ts)
        .await?
        .0
        .signed
        .ok_or_else(|| ApiError::Internal("no signed registration".into()))
}

/// Whether invoices of this kind may be issued (`coded`: a `C` symbol).
pub async fn allows(svc: &Services, ts: &TenantStore, coded: bool) -> Result<(), ApiError> {
    if svc.authority(ts.tenant()).is_none() {
        return Ok(());
    }
    let (r, _) = record(ts).await?;
    if r.registered_elsewhere || (coded && r.accepted_coded) || (!coded && r.accepted_uncoded) {
        return Ok(());
    }
    let kind = if coded { "coded (C)" } else { "uncoded (K)" };
    Err(ApiError::Unprocessable(
        "registration_required",
        format!(
            "the tax authority has not accepted this company's registration (01/ĐKTĐ-HĐĐT) for \
             {kind} invoices; send it from the registration screen (Đăng ký sử dụng hóa đơn \
             điện tử) and wait for the acceptance (103), or mark it registered elsewhere"
        ),
    ))
}

fn check_input(i: &RegistrationInput) -> Result<(), ApiError> {
    let bad = |m: &str| {
        Err(ApiError::Unprocessable(
            "registration.invalid",
            m.to_owned(),
        ))
    };
    if !i.coded && !i.uncoded {
        return bad("register coded or uncoded invoices (or both)");
    }
    for (name, v, max) in [
        ("contact_name", &i.contact_name, 100),
        ("contact_email", &i.contact_email, 254),
        ("contact_phone", &i.contact_phone, 20),
    ] {
        if v.trim().is_empty() || v.chars().count() > max {
            return bad(&format!("{name}: required, at most {max} characters"));
        }
        if v.chars().any(|c| c.is_control()) {
            return bad(&format!("{name}: control characters are not allowed"));
        }
    }
    if !i.contact_email.contains('@') {
        return bad("contact_email: not an e-mail address");
    }
    if !i
        .contact_phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +-.()".contains(c))
    {
        return bad("contact_phone: digits, spaces and + - . ( ) only");
    }
    Ok(())
}

/// Signs and sends the registration (message 100) through the outbox.
pub async fn send(
    svc: &Services,
    ts: &TenantStore,
    input: RegistrationInput,
    actor: &str,
) -> Result<RegistrationView, ApiError> {
    check_input(&input)?;
    let link = svc.authority(ts.tenant()).cloned().ok_or_else(|| {
        ApiError::Unprocessable(
            "authority_not_connected",
            "this tenant is not connected to the tax authority".into(),
        )
    })?;
    let (mut r, version) = record(ts).await?;
    if matches!(
        r.state,
        RegistrationState::Sent | RegistrationState::Received
    ) {
        return Err(ApiError::Conflict(
            "registration_in_progress",
            "a registration is with the tax authority; wait for its answer".into(),
        ));
    }
    let (profile, _) = crate::profile::current(ts).await?;
    let missing = profile.check();
    if !missing.is_empty() {
        return Err(ApiError::ProfileIncomplete(missing));
    }
    let doc = Registration {
        common: Common {
            version: "2.0.0".into(),
            data_id: "DLTKhai".into(),
            form: "01/ĐKTĐ-HĐĐT".into(),
            title: "Tờ khai đăng ký/thay đổi thông tin sử dụng hóa đơn điện tử".into(),
            tax_id: profile.tax_id.clone(),
            date: svc.clock.now_vn().date,
        },
        taxpayer_name: profile.name.clone(),
        change: input.change,
        coded: input.coded,
        uncoded: input.uncoded,
    };
    let signed = sign_document(svc, ts, Registration::LAYOUT, &doc.to_xml()).await?;
    let seed = crate::ports::sha256_hex(signed.as_bytes());
    let msg = outbox::new_message(
        &link,
        100,
        &profile.tax_id,
        Subject::Registration,
        "registration",
        &seed,
        svc.clock.now_ms(),
    )?;
    r.state = RegistrationState::Sent;
    r.input = Some(input);
    r.reasons.clear();
    r.outbox_id = Some(msg.id.clone());
    r.signed = Some(signed);
    r.updated_at = svc.clock.now();
    let detail = format!("message {}", msg.message_id);
    let a = audited(ts, &mut r, actor, "registration_sent", Some(detail));
    let mut ops = vec![put(ts, &r, version), a];
    ops.extend(outbox::enqueue_ops(ts, &msg));
    match ts.transact(ops).await {
        Ok(v) => {
            outbox::wake(svc, ts, &msg).await;
            Ok(view(r, v[0]))
        }
        Err(StoreError::ConditionFailed { index: 0 }) => Err(ApiError::Conflict(
            "registration_in_progress",
            "the registration changed meanwhile; reload".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// `registered_elsewhere`: the tenant registered through another provider.
pub async fn settings(
    svc: &Services,
    ts: &TenantStore,
    input: AuthoritySettingsInput,
    actor: &str,
) -> Result<RegistrationView, ApiError> {
    for _ in 0..5 {
        let (mut r, version) = record(ts).await?;
        r.registered_elsewhere = input.registered_elsewhere;
        r.updated_at = svc.clock.now();
        let detail = format!("registered_elsewhere = {}", input.registered_elsewhere);
        let a = audited(ts, &mut r, actor, "authority_settings", Some(detail));
        match ts.transact(vec![put(ts, &r, version), a]).await {
            Ok(v) => return Ok(view(r, v[0])),
            Err(StoreError::ConditionFailed { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Unavailable(
        "the registration kept changing; retry".into(),
    ))
}

/// 999, 102, 103 for the registration.
pub async fn apply_reply(
    svc: &Services,
    ts: &TenantStore,
    msg: &TDiep,
) -> Result<(Applied, String), ApiError> {
    use RegistrationState as S;
    let (state, found, summary) = match (&msg.header.kind, &msg.body) {
        (MessageKind::TechnicalAck, _) => match ack_refusal(msg) {
            Some(r) => (S::Refused, r, "received with errors"),
            None => return Ok((Applied::Progress, "received".into())),
        },
        (MessageKind::RegistrationReceipt, Body::AuthorityNotice(n)) if n.reasons.is_empty() => {
            (S::Received, Vec::new(), "received (102)")
        }
        (MessageKind::RegistrationReceipt, Body::AuthorityNotice(n)) => {
            (S::Refused, reasons(&n.reasons), "not received (102)")
        }
        (MessageKind::RegistrationDecision, Body::AuthorityNotice(n)) => match decision(n) {
            Ok(()) => (S::Accepted, Vec::new(), "accepted (103)"),
            Err(r) => (S::Refused, r, "refused (103)"),
        },
        (k, _) => {
            let what = format!("MLTDiep {} (not expected here)", k.code());
            return Ok((Applied::Progress, what));
        }
    };
    let applied = if state == S::Received {
        Applied::Progress
    } else {
        Applied::Final
    };
    for _ in 0..5 {
        let (mut r, version) = record(ts).await?;
        if matches!(
            r.state,
            RegistrationState::Accepted | RegistrationState::Refused
        ) || (r.state == RegistrationState::Received && state == RegistrationState::Received)
        {
            break; // already decided (a repeated reply)
        }
        r.state = state;
        r.reasons = found.clone();
        if state == RegistrationState::Accepted
            && let Some(i) = &r.input
        {
            r.accepted_coded |= i.coded;
            r.accepted_uncoded |= i.uncoded;
        }
        r.updated_at = svc.clock.now();
        let a = audited(ts, &mut r, "tax-authority", summary, None);
        match ts.transact(vec![put(ts, &r, version), a]).await {
            Ok(_) => break,
            Err(StoreError::ConditionFailed { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Ok((applied, summary.into()))
}
