//! What a client may send for an invoice: the draft input.
//!
//! The seller signs only what the server composed. Every client (the browser, an ERP, the CLI
//! through the API) is treated as hostile, so this type has **no** seller block (it comes from
//! the tenant's company profile), no number, no `DLHDon@Id`, no provider tax id, no raw XML and
//! no tax-authority fields (`MCCQT`, QR data). The server turns it into the signed document with
//! [`DraftInput::compose`]. What the XML reader returns from foreign files is the other contract,
//! [`InvoiceDocument`], which keeps everything a file holds.

use super::{
    DeclaredTotals, Extensions, InvoiceDocument, LineDocument, PartyDocument,
    RelatedInvoiceDocument,
};
use crate::money::decimal_serde;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A draft as a client sends it (`POST /api/invoices`, `PUT /api/invoices/{id}`).
/// Unknown fields — including `seller`, `number`, `data_id`, `authority_code`, `qr_data` and
/// `unknown` — are refused, so a client learns at once that they are not its to set.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DraftInput {
    /// `PBan`: "2.0.1" (default) or "2.1.0" (and "2.0.0").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format_version: Option<String>,
    /// `THDon`; defaults to the form's legal name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `KHMSHDon`, "1"–"9": with `symbol`, one of the tenant's registered series.
    pub form: String,
    /// `KHHDon`, e.g. "C25TAB".
    pub symbol: String,
    /// `NLap`, `YYYY-MM-DD`; not later than today in Vietnam when issued.
    pub issue_date: String,
    /// `DVTTe`, ISO 4217; defaults to VND.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// `TGia`, VND per unit of the currency.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(
        default,
        with = "decimal_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub exchange_rate: Option<Decimal>,
    /// `HTTToan`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    /// `NMua`.
    #[serde(default)]
    pub buyer: PartyDocument,
    /// `DSHHDVu/HHDVu`, in order.
    #[serde(default)]
    pub lines: Vec<LineDocument>,
    /// Totals the client computed: checked against the core's, never written as they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared: Option<DeclaredTotals>,
    /// `TTKhac` blocks (named text fields; escaped like every text).
    #[serde(default, skip_serializing_if = "Extensions::is_empty")]
    pub extensions: Extensions,
}

/// What the server owns in a signed invoice.
#[derive(Debug, Clone, Copy)]
pub struct ServerParts<'a> {
    /// `NBan`, from the tenant's company profile.
    pub seller: &'a PartyDocument,
    /// `MSTTCGP`, the invoicing-solution provider's tax id (the operator's configuration).
    pub provider_tax_id: Option<&'a str>,
    /// `SHDon`, once the series gave one.
    pub number: Option<u64>,
    /// `TTHDLQuan`, composed from the stored invoice a correction corrects (never a client's).
    pub related: Option<&'a RelatedInvoiceDocument>,
    /// The seller's reading of a negative amount in words.
    pub negative_words: Option<crate::words::vi::NegativeWords>,
    /// The lookup code and address (`TTChung/TTKhac`, [`crate::api::delivery`]), written by the
    /// server when the invoice is issued so that the signed file carries them.
    pub lookup: Option<(&'a str, &'a str)>,
}

impl DraftInput {
    /// The document the server validates, renders and signs: this input plus what the server
    /// owns. `DLHDon@Id` is left to [`crate::model::derived_data_id`] (form, symbol, number: an
    /// NCName unique per seller); tax-authority fields stay empty until the authority sends them.
    pub fn compose(&self, parts: ServerParts<'_>) -> InvoiceDocument {
        let mut d = self.clone();
        // The lookup fields are the server's: a client's are dropped (and refused on save, see
        // [`DraftInput::server_owned_findings`]).
        d.extensions.general.retain(|e| !is_lookup_field(&e.field));
        if let Some((code, url)) = parts.lookup {
            d.extensions
                .general
                .extend(crate::api::delivery::lookup_extensions(code, url));
        }
        InvoiceDocument {
            format_version: d.format_version,
            name: d.name,
            form: d.form,
            symbol: d.symbol,
            number: parts.number,
            issue_date: d.issue_date,
            currency: d.currency,
            exchange_rate: d.exchange_rate,
            payment_method: d.payment_method,
            provider_tax_id: parts.provider_tax_id.map(str::to_owned),
            related: parts.related.cloned(),
            seller: parts.seller.clone(),
            buyer: d.buyer,
            lines: d.lines,
            declared: d.declared,
            extensions: d.extensions,
            data_id: None,
            qr_data: None,
            authority_code: None,
            unknown: Vec::new(),
            negative_words: parts.negative_words,
        }
    }

    /// Findings for fields of the input that only the server writes (the lookup code and
    /// address in `TTChung/TTKhac`).
    pub fn server_owned_findings(&self) -> Vec<crate::Finding> {
        self.extensions
            .general
            .iter()
            .enumerate()
            .filter(|(_, e)| is_lookup_field(&e.field))
            .map(|(i, e)| {
                crate::catalog::error(
                    "extension.server_owned",
                    format!("extensions.general[{i}].field"),
                    format!("Trường {} do hệ thống ghi khi phát hành", e.field.trim()),
                    format!(
                        "The field {} is written by the server on issue",
                        e.field.trim()
                    ),
                )
            })
            .collect()
    }

    /// The client's part of a document (what an editor may change), dropping everything the
    /// server owns. `compose(…)` then `from_document` is the identity on a `DraftInput`.
    pub fn from_document(doc: &InvoiceDocument) -> DraftInput {
        let d = doc.clone();
        DraftInput {
            format_version: d.format_version,
            name: d.name,
            form: d.form,
            symbol: d.symbol,
            issue_date: d.issue_date,
            currency: d.currency,
            exchange_rate: d.exchange_rate,
            payment_method: d.payment_method,
            buyer: d.buyer,
            lines: d.lines,
            declared: d.declared,
            extensions: Extensions {
                general: d
                    .extensions
                    .general
                    .into_iter()
                    .filter(|e| !is_lookup_field(&e.field))
                    .collect(),
                ..d.extensions
            },
        }
    }
}

fn is_lookup_field(name: &str) -> bool {
    use crate::api::delivery::{LOOKUP_CODE_FIELD, LOOKUP_URL_FIELD};
    let n = name.trim();
    n.eq_ignore_ascii_case(LOOKUP_CODE_FIELD) || n.eq_ignore_ascii_case(LOOKUP_URL_FIELD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_owned_fields_are_refused_in_a_draft() {
        for field in [
            "seller",
            "number",
            "data_id",
            "authority_code",
            "qr_data",
            "unknown",
            "provider_tax_id",
            "related",
            "negative_words",
        ] {
            let json = format!(
                r#"{{"form":"1","symbol":"C25TAA","issue_date":"2025-01-02","lines":[],"{field}":null}}"#
            );
            let err = serde_json::from_str::<DraftInput>(&json).unwrap_err();
            assert!(err.to_string().contains("unknown field"), "{field}: {err}");
        }
    }

    #[test]
    fn compose_takes_the_seller_from_the_server_and_nothing_foreign() {
        let draft = DraftInput {
            form: "1".into(),
            symbol: "C25TAA".into(),
            issue_date: "2025-01-02".into(),
            ..Default::default()
        };
        let seller = PartyDocument {
            name: Some("Công ty A".into()),
            tax_id: Some("0109998883".into()),
            ..Default::default()
        };
        let doc = draft.compose(ServerParts {
            seller: &seller,
            provider_tax_id: None,
            number: Some(7),
            related: None,
            negative_words: None,
            lookup: Some(("ABCD-EFGH-JKMN-PQRS", "https://hd.example/lookup")),
        });
        assert_eq!(
            crate::api::delivery::lookup_of(&doc.extensions.general),
            (
                Some("ABCD-EFGH-JKMN-PQRS"),
                Some("https://hd.example/lookup")
            )
        );
        assert_eq!(doc.seller, seller);
        assert_eq!(doc.number, Some(7));
        assert!(doc.data_id.is_none() && doc.authority_code.is_none() && doc.unknown.is_empty());
        assert_eq!(DraftInput::from_document(&doc), draft);
    }
}
