//! The exact bytes of an outbox message, rebuilt for every attempt from what the store keeps:
//! the envelope from the record (its fixed `MTDiep`), the body from the subject's signed
//! document. Rebuilding gives the same bytes each time (the signed document of an open message
//! cannot change: a revision needs a final refusal first), so nothing is stored twice.

use super::{AuthorityLink, OutboxRecord};
use crate::error::ApiError;
use crate::invoices::{Services, seller_signed_xml};
use crate::store::TenantStore;
use hoadon_core::api::authority::Subject;
use hoadon_core::model::TaxId;
use hoadon_core::tdiep::{Body, Header, MessageId, MessageKind, SignedHDon, TDiep};

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}

/// The envelope of `rec`.
pub(crate) fn header(link: &AuthorityLink, rec: &OutboxRecord) -> Result<Header, ApiError> {
    let id = MessageId::parse("MTDiep", &rec.message_id).map_err(internal)?;
    Ok(Header {
        version: link.version.clone(),
        // The sender the MTDiep was made with: a T-VAN code changed since does not turn an
        // open message into another.
        sender: id.sender().to_owned(),
        receiver: link.receiver.clone(),
        kind: MessageKind::from_code(rec.kind),
        id,
        reference: None,
        tax_id: Some(TaxId::parse(&rec.tax_id).map_err(internal)?),
        count: None,
    })
}

/// A document without its XML declaration (what goes inside `DLieu`).
fn without_declaration(doc: &str) -> &str {
    match doc.strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>").map_or(doc, |(_, r)| r),
        None => doc,
    }
}

pub(crate) async fn bytes(
    svc: &Services,
    ts: &TenantStore,
    link: &AuthorityLink,
    rec: &OutboxRecord,
) -> Result<Vec<u8>, ApiError> {
    let body = match rec.subject {
        Subject::Invoice => {
            let xml = seller_signed_xml(svc, ts, &rec.subject_id).await?;
            let xml = String::from_utf8(xml).map_err(internal)?;
            Body::Invoices(vec![SignedHDon::from_document(&xml).map_err(internal)?])
        }
        Subject::Registration | Subject::Notice => {
            let doc = crate::authority::signed_document(ts, rec.subject, &rec.subject_id).await?;
            Body::Raw(without_declaration(&doc).to_owned())
        }
    };
    let msg = TDiep::new(header(link, rec)?, body).map_err(internal)?;
    Ok(msg.to_xml().into_bytes())
}
