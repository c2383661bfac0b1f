//! E-mail to the buyer, through the outbox (`channel = "email"`).
//!
//! A delivery is an outbox message persisted before its first attempt — the automatic one in the
//! very transaction that makes the invoice deliverable, a "Send"/"Resend" in its own — and
//! worked like the tax-authority messages: leased, retried with backoff, bounded, then *needs
//! attention* (the home screen's count; "Resend" or "retry now").
//!
//! **At least once.** Neither SMTP nor SES can say "you have this message already", so a worker
//! that dies after the server accepted a message and before the outbox recorded it sends it
//! again. Every attempt of one delivery carries the same `Message-ID` (`<delivery id@domain>`),
//! so a recipient's client can recognise the duplicate.
//!
//! The attachments are made at each attempt from what is archived: the signed (or coded) file
//! byte for byte, and its PDF drawn with the invoice's template version.

use crate::error::ApiError;
use crate::invoices::{InvoiceRecord, Services};
use crate::outbox::OutboxRecord;
use crate::ports::sha256_hex;
use crate::store::TenantStore;
use hoadon_core::api::authority::{OutboxState, Subject};
use hoadon_core::api::delivery::{DeliveryState, DeliveryView, SendRequest};
use hoadon_mail::{Mailer, invoice::InvoiceMail};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The outbox channel of e-mails.
pub const CHANNEL: &str = "email";
/// Most addresses one delivery goes to.
pub const MAX_TO: usize = 10;

/// How a tenant's e-mails leave: the adapter and the sender's address.
#[derive(Clone)]
pub struct MailLink {
    pub mailer: Arc<dyn Mailer>,
    /// `From`, e.g. `hoadon <hoadon@example.vn>`.
    pub from: String,
}

/// What an e-mail message of the outbox carries besides the common fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailDelivery {
    pub to: Vec<String>,
    /// `vi` or `en`.
    pub lang: String,
    /// `auto` or the user who asked.
    pub requested_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<i64>,
}

/// The buyer's language: English for a buyer without a Vietnamese tax id invoiced in a foreign
/// currency, Vietnamese otherwise (a person sending by hand chooses).
fn buyer_lang(rec: &InvoiceRecord) -> &'static str {
    let d = &rec.document;
    let foreign_currency = d
        .currency
        .as_deref()
        .is_some_and(|c| !c.trim().eq_ignore_ascii_case("VND"));
    let vn_tax_id = d
        .buyer
        .tax_id
        .as_deref()
        .is_some_and(|t| !t.trim().is_empty());
    if foreign_currency && !vn_tax_id {
        "en"
    } else {
        "vi"
    }
}

fn new_record(
    svc: &Services,
    ts: &TenantStore,
    rec: &InvoiceRecord,
    id: String,
    delivery: EmailDelivery,
    domain: &str,
) -> OutboxRecord {
    let now_ms = svc.clock.now_ms();
    let mut m = crate::outbox::blank(id.clone(), CHANNEL, Subject::Invoice, &rec.id, now_ms);
    m.message_id = format!("<{id}.{}@{domain}>", ts.tenant());
    m.test = rec.authority.as_ref().is_some_and(|a| a.test);
    m.email = Some(delivery);
    m
}

fn domain_of(from: &str) -> String {
    from.rsplit('@')
        .next()
        .map(|d| d.trim_end_matches('>').trim().to_owned())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "hoadon.invalid".into())
}

/// The e-mail queued when `rec` becomes deliverable: to the buyer's address, when the buyer has
/// one and the tenant has a mailer. Its id is derived from the invoice, so two attempts to make
/// the same invoice deliverable build the same message (one transaction stores it).
pub async fn automatic(
    svc: &Services,
    ts: &TenantStore,
    rec: &InvoiceRecord,
) -> Result<Option<OutboxRecord>, ApiError> {
    let Some(link) = svc.mail(ts.tenant()) else {
        return Ok(None);
    };
    let Some(to) = rec.document.buyer.email.as_deref().map(str::trim) else {
        return Ok(None);
    };
    if !hoadon_mail::is_address(to) {
        return Ok(None);
    }
    let id = sha256_hex(format!("mail|auto|{}", rec.id).as_bytes())[..32].to_owned();
    let delivery = EmailDelivery {
        to: vec![to.to_owned()],
        lang: buyer_lang(rec).into(),
        requested_by: "auto".into(),
        sent_at: None,
    };
    Ok(Some(new_record(
        svc,
        ts,
        rec,
        id,
        delivery,
        &domain_of(&link.from),
    )))
}

/// "Send" / "Resend": a new delivery of a deliverable invoice to `req.to` (the buyer's address
/// when empty), persisted before its first attempt.
pub async fn send(
    svc: &Services,
    ts: &TenantStore,
    id: &str,
    req: &SendRequest,
    actor: &str,
) -> Result<DeliveryView, ApiError> {
    let link = svc.mail(ts.tenant()).ok_or_else(|| {
        ApiError::Unprocessable(
            "mail.not_configured",
            "Chưa cấu hình gửi thư điện tử / e-mail is not configured for this company".into(),
        )
    })?;
    let (rec, _) = crate::invoices::load(ts, id).await?;
    super::require(&rec)?;
    let to: Vec<String> = if req.to.is_empty() {
        rec.document.buyer.email.iter().cloned().collect()
    } else {
        req.to.clone()
    };
    let to: Vec<String> = to.iter().map(|t| t.trim().to_owned()).collect();
    if to.is_empty() || to.len() > MAX_TO || !to.iter().all(|t| hoadon_mail::is_address(t)) {
        return Err(ApiError::Unprocessable(
            "mail.recipients",
            "Cần 1 đến 10 địa chỉ thư hợp lệ / one to ten valid e-mail addresses are needed".into(),
        ));
    }
    let lang = match req.lang.as_deref() {
        None => buyer_lang(&rec).to_owned(),
        Some(l @ ("vi" | "en")) => l.to_owned(),
        Some(_) => {
            return Err(ApiError::Unprocessable(
                "mail.lang",
                "Ngôn ngữ là vi hoặc en / the language is vi or en".into(),
            ));
        }
    };
    let delivery = EmailDelivery {
        to,
        lang,
        requested_by: actor.to_owned(),
        sent_at: None,
    };
    let m = new_record(
        svc,
        ts,
        &rec,
        crate::ports::Ids::new_id(&crate::ports::RandomIds),
        delivery,
        &domain_of(&link.from),
    );
    ts.transact(crate::outbox::enqueue_ops(ts, &m)).await?;
    crate::outbox::wake(svc, ts, &m).await;
    tracing::info!(event = "delivery.queued", tenant = ts.tenant(), invoice_id = %id, delivery_id = %m.id, actor);
    Ok(view(&m))
}

/// An e-mail message as the invoice screen shows it.
pub fn view(m: &OutboxRecord) -> DeliveryView {
    let e = m.email.clone().unwrap_or(EmailDelivery {
        to: Vec::new(),
        lang: "vi".into(),
        requested_by: String::new(),
        sent_at: None,
    });
    DeliveryView {
        id: m.id.clone(),
        invoice_id: m.subject_id.clone(),
        to: e.to,
        lang: e.lang,
        message_id: m.message_id.clone(),
        state: match m.state {
            OutboxState::Done => DeliveryState::Sent,
            OutboxState::NeedsAttention => DeliveryState::NeedsAttention,
            _ => DeliveryState::Queued,
        },
        attempts: m.attempts,
        next_at: matches!(m.state, OutboxState::Queued).then_some(m.next_at_ms.div_euclid(1000)),
        last_error: m.last_error.clone(),
        sent_at: e.sent_at,
        requested_by: e.requested_by,
        created_at: m.created_at,
    }
}

/// The invoice's e-mails, newest first.
pub async fn list(ts: &TenantStore, invoice_id: &str) -> Result<Vec<DeliveryView>, ApiError> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = ts
            .query("MAILOF", &format!("{invoice_id}#"), cursor.as_deref(), 200)
            .await?;
        for item in &page.items {
            let id = item.key.sk.rsplit('#').next().unwrap_or_default();
            if let Ok((m, _)) = crate::outbox::load(ts, id).await {
                out.push(view(&m));
            }
        }
        match page.next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    Ok(out)
}

/// One attempt at sending `m`: `Ok(())` when the server accepted it, otherwise why and whether
/// retrying can help.
pub(crate) async fn attempt(
    svc: &Services,
    ts: &TenantStore,
    m: &OutboxRecord,
) -> Result<(), (String, bool)> {
    let link = svc
        .mail(ts.tenant())
        .ok_or(("e-mail is not configured for this company".to_owned(), true))?;
    let e = m
        .email
        .as_ref()
        .ok_or(("not an e-mail message".to_owned(), true))?;
    let email = compose(svc, ts, m, e, &link)
        .await
        .map_err(|err| (format!("the e-mail cannot be built: {err}"), false))?;
    match link.mailer.send(&email).await {
        Ok(()) => Ok(()),
        Err(hoadon_mail::MailError::Refused { permanent, detail }) => {
            Err((format!("the mail server refused: {detail}"), permanent))
        }
        Err(other) => Err((other.to_string(), false)),
    }
}

async fn compose(
    svc: &Services,
    ts: &TenantStore,
    m: &OutboxRecord,
    e: &EmailDelivery,
    link: &MailLink,
) -> Result<hoadon_mail::Email, ApiError> {
    let (rec, _) = crate::invoices::load(ts, &m.subject_id).await?;
    super::require(&rec)?;
    let xml = crate::invoices::signed_xml(svc, ts, &rec.id).await?;
    let pdf = super::pdf::of_file(svc, ts, &rec, xml.clone(), None).await?;
    let inv = hoadon_core::check(&rec.document)
        .invoice
        .ok_or_else(|| ApiError::Internal("an issued invoice no longer validates".into()))?;
    let number = inv.number().map(|n| n.to_string()).unwrap_or_default();
    let total = format!(
        "{} {}",
        hoadon_core::money::format_vi(inv.totals().total),
        inv.currency()
    );
    let series = format!("{}{}", inv.form(), inv.symbol());
    let date = inv.issue_date();
    let date = format!("{:02}/{:02}/{}", date.day(), date.month(), date.year());
    let (code, url) = match super::lookup::carried(&rec.document) {
        Some((c, u)) => (Some(c), Some(u)),
        None => (None, None),
    };
    let seller = rec.document.seller.name.clone().unwrap_or_default();
    let mail = InvoiceMail {
        lang: if e.lang == "en" {
            hoadon_mail::invoice::Lang::En
        } else {
            hoadon_mail::invoice::Lang::Vi
        },
        seller_name: &seller,
        buyer_name: rec.document.buyer.name.as_deref(),
        form_symbol: &series,
        number: &number,
        date: &date,
        total: &total,
        lookup_url: url.as_deref(),
        lookup_code: code.as_deref(),
        test: m.test,
    };
    let stem = format!("{series}_{number}");
    let mut email = hoadon_mail::invoice::compose(
        &mail,
        &link.from,
        e.to.clone(),
        &m.message_id,
        pdf,
        xml,
        &stem,
    );
    // A buyer's reply goes to the seller (the company profile's address), not to the shared
    // sending address.
    let (profile, _) = crate::profile::current(ts).await?;
    email.reply_to = profile.email.filter(|a| hoadon_mail::is_address(a));
    Ok(email)
}
