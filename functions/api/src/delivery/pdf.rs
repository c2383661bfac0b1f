//! The invoice's PDF, drawn by `hoadon-pdf` from the exact file the buyer receives (the coded
//! one for a coded series) with the series' template version it was issued under. Rendering is
//! CPU work: it runs on the blocking pool, never on the request's executor thread.

use crate::error::ApiError;
use crate::invoices::{InvoiceRecord, Services};
use crate::store::TenantStore;
use hoadon_core::Date;
use hoadon_core::api::delivery::Template;

/// Who converted a paper copy, and when.
pub struct Converted {
    pub converter: String,
    pub date: Date,
}

/// Renders `xml` with `template` and the tenant's logo; `converted` for a converted copy.
pub async fn draw(
    svc: &Services,
    ts: &TenantStore,
    xml: Vec<u8>,
    template: Template,
    test: bool,
    list: Vec<hoadon_pdf::ListedInvoice>,
    converted: Option<Converted>,
) -> Result<Vec<u8>, ApiError> {
    let (profile, _) = crate::profile::current(ts).await?;
    let cjk = svc.cjk_font.clone();
    tokio::task::spawn_blocking(move || {
        let xml = String::from_utf8(xml)
            .map_err(|_| ApiError::Internal("a signed file is not UTF-8".into()))?;
        let opts = hoadon_pdf::Options {
            template: &template,
            logo: profile.logo.as_deref(),
            test,
            converted: converted.map(|c| hoadon_pdf::Conversion {
                converter: c.converter,
                date: c.date,
            }),
            list: &list,
            cjk_font: cjk.as_deref().map(Vec::as_slice),
        };
        hoadon_pdf::render(&xml, &opts).map_err(|e| ApiError::Internal(format!("PDF: {e}")))
    })
    .await
    .map_err(|e| ApiError::Internal(format!("PDF rendering stopped: {e}")))?
}

/// The PDF of a deliverable invoice (`409 not_deliverable` before).
pub async fn of_invoice(
    svc: &Services,
    ts: &TenantStore,
    rec: &InvoiceRecord,
    converted: Option<Converted>,
) -> Result<Vec<u8>, ApiError> {
    super::require(rec)?;
    let xml = crate::invoices::signed_xml(svc, ts, &rec.id).await?;
    of_file(svc, ts, rec, xml, converted).await
}

/// The PDF of a deliverable invoice whose file (`xml`) the caller has read already (the e-mail
/// attaches both).
pub async fn of_file(
    svc: &Services,
    ts: &TenantStore,
    rec: &InvoiceRecord,
    xml: Vec<u8>,
    converted: Option<Converted>,
) -> Result<Vec<u8>, ApiError> {
    let series = rec
        .series
        .clone()
        .unwrap_or_else(|| format!("{}{}", rec.document.form.trim(), rec.document.symbol.trim()));
    let template = super::templates::at(ts, &series, rec.template_version.unwrap_or(0))
        .await?
        .template;
    let test = rec.authority.as_ref().is_some_and(|a| a.test);
    let list = rec
        .corrects
        .as_ref()
        .map(|c| {
            c.of.list
                .iter()
                .map(|l| hoadon_pdf::ListedInvoice {
                    form: l.form.clone(),
                    symbol: l.symbol.clone(),
                    number: format!("{:08}", l.number),
                    date: l.issue_date.clone(),
                    difference: l.difference.map(|d| d.to_string()).unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    draw(svc, ts, xml, template, test, list, converted).await
}

/// A sample invoice of `series` drawn with `template` (the template editor's preview): the
/// company's seller block, an example buyer and lines, unsigned (its signature block says so).
pub async fn preview(
    svc: &Services,
    ts: &TenantStore,
    series: &str,
    template: Template,
) -> Result<Vec<u8>, ApiError> {
    super::templates::check(&template)?;
    let (form, symbol) = series.split_at(1.min(series.len()));
    let (profile, _) = crate::profile::current(ts).await?;
    let today = svc.clock.now_vn().date;
    let doc = sample(form, symbol, &profile.seller(), today, svc, ts.tenant());
    let inv = hoadon_core::check(&doc).invoice.ok_or_else(|| {
        ApiError::Unprocessable(
            "template.preview",
            "Hồ sơ công ty chưa đủ để xem trước / the company profile is not complete enough \
             for a preview"
                .into(),
        )
    })?;
    let xml = hoadon_core::xml::render(&inv).into_bytes();
    draw(svc, ts, xml, template, false, Vec::new(), None).await
}

fn sample(
    form: &str,
    symbol: &str,
    seller: &hoadon_core::model::PartyDocument,
    today: Date,
    svc: &Services,
    tenant: &str,
) -> hoadon_core::InvoiceDocument {
    use hoadon_core::model::{DraftInput, LineDocument, PartyDocument, ServerParts};
    use rust_decimal::Decimal;
    let line = |name: &str, unit: &str, qty: i64, price: i64| LineDocument {
        nature: 1,
        name: name.into(),
        unit: Some(unit.into()),
        quantity: Some(Decimal::from(qty)),
        unit_price: Some(Decimal::from(price)),
        tax_rate: Some("10%".into()),
        ..Default::default()
    };
    let input = DraftInput {
        form: form.into(),
        symbol: symbol.into(),
        issue_date: today.to_string(),
        buyer: PartyDocument {
            name: Some("Công ty TNHH Mẫu Xem Trước".into()),
            tax_id: Some("0100109106".into()),
            address: Some("Số 1 Đường Mẫu, Phường Bến Nghé, TP. Hồ Chí Minh".into()),
            ..Default::default()
        },
        lines: vec![
            line("Hàng hóa mẫu A", "Cái", 2, 150_000),
            line("Dịch vụ mẫu B", "Giờ", 3, 400_000),
        ],
        ..Default::default()
    };
    let (code, url) = super::lookup::fresh(svc, tenant);
    input.compose(ServerParts {
        seller,
        provider_tax_id: None,
        number: Some(1),
        related: None,
        negative_words: None,
        lookup: Some((&code, &url)),
    })
}
