//! One invoice of an imported file: read tolerantly, checked (findings as warnings), totals
//! recomputed, signatures verified under the tolerant policy.

use super::{FileRefusal, InvoiceKey, warning};
use crate::api::Detail;
use crate::dsig::c14n::{C14n, canonicalize_subtree, path_to};
use crate::dsig::{Policy, SignatureReport, verify_document_with};
use crate::model::InvoiceDocument;
use crate::xml::dom::{self, Element};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What the invoice is on its platform, from `TTHDLQuan` (a 04/SS may later mark it cancelled).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvoiceKind {
    Original,
    Replacement,
    Adjustment,
}

/// The verdict on the seller's signature, summed up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SellerSignature {
    /// Valid under strict XMLDSig.
    Valid,
    /// Valid as the authority accepts it; a warning says what strict XMLDSig does not cover.
    Tolerated,
    Invalid,
    Missing,
}

/// One signature's verdict, as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignatureVerdict {
    /// `NBan` (seller), `CQT` (tax authority), `NMua`, …
    pub role: String,
    pub valid: bool,
    /// Valid under strict XMLDSig too.
    pub strict: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// A party as the importer maps it to the catalogs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportedParty {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

/// One line as written (`HHDVu`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportedLine {
    /// `TChat`: 1 goods/services, 2 promotion, 3 trade discount, 4 note.
    pub nature: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(default, with = "crate::money::decimal_serde::option")]
    pub quantity: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(default, with = "crate::money::decimal_serde::option")]
    pub unit_price: Option<Decimal>,
    /// `ThTien` as declared, or recomputed when the file has none.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(default, with = "crate::money::decimal_serde::option")]
    pub amount: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rate: Option<String>,
}

/// Net and VAT of one rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RateAmounts {
    pub rate: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(default, with = "crate::money::decimal_serde::option")]
    pub net: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(default, with = "crate::money::decimal_serde::option")]
    pub vat: Option<Decimal>,
}

/// Totals, declared or recomputed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Amounts {
    pub rates: Vec<RateAmounts>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(default, with = "crate::money::decimal_serde::option")]
    pub total_before_vat: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(default, with = "crate::money::decimal_serde::option")]
    pub total_vat: Option<Decimal>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(default, with = "crate::money::decimal_serde::option")]
    pub total: Option<Decimal>,
}

/// The invoice a replacement or adjustment names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RelatedRef {
    /// Its key, when its number reads as one (same seller).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<InvoiceKey>,
    pub form: String,
    pub symbol: String,
    pub number: String,
    pub issue_date: String,
    /// `TCDChinh`: 1 increase, 2 decrease, 0 information only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<u8>,
}

/// What the importer understood of one invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportedInvoice {
    pub kind: InvoiceKind,
    pub key: InvoiceKey,
    pub issue_date: String,
    pub seller: ImportedParty,
    pub buyer: ImportedParty,
    /// ISO 4217; `VND` when the file names none.
    pub currency: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::money::DecimalJson>))]
    #[serde(default, with = "crate::money::decimal_serde::option")]
    pub exchange_rate: Option<Decimal>,
    pub lines: Vec<ImportedLine>,
    pub declared: Amounts,
    pub recomputed: Amounts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related: Option<RelatedRef>,
    /// `MCCQT`, for a coded invoice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority_code: Option<String>,
    pub seller_signature: SellerSignature,
    pub signatures: Vec<SignatureVerdict>,
    pub warnings: Vec<Detail>,
    /// SHA-256 (hex) of the exclusive canonical `DLHDon`: the invoice data, equal for the copy
    /// before and after coding; a second copy with another digest differs.
    pub data_digest: String,
    /// The `HDon`'s exact bytes, as signed (not in JSON: the archive keeps them).
    #[serde(skip)]
    pub xml: String,
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn party(p: &crate::model::PartyDocument) -> ImportedParty {
    ImportedParty {
        tax_id: text(&p.tax_id),
        code: text(&p.code),
        name: text(&p.name),
        address: text(&p.address),
        email: text(&p.email),
        contact: text(&p.contact_name),
    }
}

fn unidentified(what: &str) -> FileRefusal {
    FileRefusal::new(
        "import.unidentified",
        format!(
            "Hóa đơn thiếu {what}: không xác định được hóa đơn (MST người bán, mẫu số, ký hiệu, số)."
        ),
        format!(
            "The invoice has no {what}: it cannot be identified (seller tax id, form, symbol, number)."
        ),
    )
}

/// Reads the `HDon` at `hdon` of `src` (`wrapped`: an ancestor declares namespaces).
pub(super) fn read(
    src: &str,
    hdon: &Element,
    wrapped: bool,
) -> Result<ImportedInvoice, FileRefusal> {
    let xml = src[hdon.start..hdon.end].to_owned();
    let unreadable = |e: crate::xml::XmlError| {
        FileRefusal::new(
            "import.xml",
            format!("Không đọc được hóa đơn: {e}."),
            format!("The invoice could not be read: {e}."),
        )
    };
    let doc = crate::xml::read_invoice(&xml).map_err(unreadable)?;
    let parsed = dom::parse(&xml).map_err(unreadable)?;
    let reports = verify_document_with(&xml, Policy::Tolerant).map_err(|e| {
        FileRefusal::new(
            "import.signatures",
            format!("Chữ ký vượt giới hạn kiểm tra: {e}."),
            format!("The signatures exceed the verification bounds: {e}."),
        )
    })?;
    let signatures: Vec<SignatureVerdict> = reports.iter().map(verdict).collect();
    // The seller's signature is the one at `HDon/DSCKS/NBan` of this very invoice (the slice's
    // root), where the verifier's anti-wrapping rules apply; a signature elsewhere (a
    // `DSCKS/NBan` moved under another element beside a forged `DLHDon`) is nobody's.
    let at = |role: &str| format!("HDon/DSCKS/{role}");
    let sellers: Vec<&SignatureReport> = reports
        .iter()
        .filter(|r| r.location == at("NBan"))
        .collect();
    let seller_signature = match sellers[..] {
        [] if reports.is_empty() => SellerSignature::Missing,
        [] | [_, _, ..] => SellerSignature::Invalid,
        [r] if r.valid && r.strict => SellerSignature::Valid,
        [r] if r.valid => SellerSignature::Tolerated,
        [_] => SellerSignature::Invalid,
    };
    let mut warnings = Vec::new();
    if wrapped {
        warnings.push(warning(
            "import.envelope_namespaces",
            "",
            "Phong bì khai báo không gian tên; chữ ký được kiểm tra trên riêng hóa đơn.".into(),
            "The envelope declares namespaces; signatures were verified on the invoice alone."
                .into(),
        ));
    }
    signature_warnings(&signatures, seller_signature, &doc, &mut warnings);
    let mut inv = understand(doc, warnings)?;
    inv.seller_signature = seller_signature;
    inv.signatures = signatures;
    inv.data_digest = data_digest(&parsed);
    inv.xml = xml;
    Ok(inv)
}

/// An invoice issued in this hoadon, as the books record it: the same understanding as an
/// imported one, from the document the server composed and signed (`signed_xml`: its exact
/// signed bytes, for the data digest).
pub fn issued_here(
    doc: &InvoiceDocument,
    signed_xml: Option<&str>,
) -> Result<ImportedInvoice, FileRefusal> {
    let mut inv = understand(doc.clone(), Vec::new())?;
    inv.seller_signature = SellerSignature::Valid;
    if let Some(parsed) = signed_xml.and_then(|x| dom::parse(x).ok()) {
        inv.data_digest = data_digest(&parsed);
    }
    Ok(inv)
}

/// Everything that comes from the document alone: the key, parties, lines, totals declared and
/// recomputed, every finding of the core as a warning.
fn understand(
    mut doc: InvoiceDocument,
    mut warnings: Vec<Detail>,
) -> Result<ImportedInvoice, FileRefusal> {
    let seller_tax_id = text(&doc.seller.tax_id).ok_or_else(|| unidentified("NBan/MST"))?;
    let number = doc
        .number
        .filter(|n| *n > 0)
        .ok_or_else(|| unidentified("SHDon"))?;
    if doc.form.trim().is_empty() || doc.symbol.trim().is_empty() {
        return Err(unidentified("KHMSHDon / KHHDon"));
    }
    let key = InvoiceKey {
        seller_tax_id,
        form: doc.form.trim().to_owned(),
        symbol: doc.symbol.trim().to_uppercase(),
        number,
    };
    // The books file an invoice under its date: one that cannot be read as a day would be in
    // no period, so it is read in the forms seen (a date-time, `dd/mm/yyyy`) or refused.
    let written = doc.issue_date.trim().to_owned();
    let date = issue_day(&written).ok_or_else(|| unidentified("NLap (YYYY-MM-DD)"))?;
    if date != written {
        warnings.push(warning(
            "import.date_form",
            "NLap",
            format!("Ngày lập ghi \"{written}\", đọc là {date}."),
            format!("The issue date is written \"{written}\"; read as {date}."),
        ));
        doc.issue_date = date;
    }
    if let Some(written) = doc.currency.clone()
        && is_dong(&written)
    {
        // Real files write the dong as "đ", "VNĐ" or "đồng"; the amounts are VND all the same.
        warnings.push(warning(
            "import.currency.dong",
            "DVTTe",
            format!("Đơn vị tiền tệ ghi \"{written}\", đọc là VND."),
            format!("The currency is written \"{written}\"; read as VND."),
        ));
        doc.currency = Some("VND".into());
    }
    // Every rule of the core, as a warning: declared figures that differ from the recomputed
    // ones (`declared.*`) among them.
    let checked = crate::check(&doc);
    for f in &checked.findings {
        let mut d = Detail::from(f);
        d.severity = crate::Severity::Warning;
        warnings.push(d);
    }
    let recomputed = recomputed(&checked.preview);
    let declared = declared(&doc);
    let related = doc.related.as_ref().map(|r| RelatedRef {
        key: InvoiceKey::of(&key.seller_tax_id, &r.form, &r.symbol, &r.number),
        form: r.form.clone(),
        symbol: r.symbol.clone(),
        number: r.number.clone(),
        issue_date: r.issue_date.clone(),
        direction: r.direction,
    });
    let kind = match doc.related.as_ref().map(|r| r.kind) {
        Some(1) => InvoiceKind::Replacement,
        Some(2) => InvoiceKind::Adjustment,
        _ => InvoiceKind::Original,
    };
    let lines = doc
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| ImportedLine {
            nature: l.nature,
            code: text(&l.code),
            name: l.name.trim().to_owned(),
            unit: text(&l.unit),
            quantity: l.quantity,
            unit_price: l.unit_price,
            amount: l
                .amount
                .or_else(|| checked.preview.lines.get(i).and_then(|f| f.amount)),
            tax_rate: text(&l.tax_rate),
        })
        .collect();
    Ok(ImportedInvoice {
        kind,
        issue_date: doc.issue_date.trim().to_owned(),
        seller: party(&doc.seller),
        buyer: party(&doc.buyer),
        currency: text(&doc.currency)
            .unwrap_or_else(|| "VND".into())
            .to_uppercase(),
        exchange_rate: doc.exchange_rate,
        lines,
        declared,
        recomputed,
        related,
        authority_code: text(&doc.authority_code),
        seller_signature: SellerSignature::Missing,
        signatures: Vec::new(),
        warnings,
        data_digest: String::new(),
        key,
        xml: String::new(),
    })
}

/// An issue date as a day `YYYY-MM-DD`: as written, the day of a date-time, or `dd/mm/yyyy`.
fn issue_day(written: &str) -> Option<String> {
    let ok = |d: &str| d.parse::<crate::Date>().is_ok().then(|| d.to_owned());
    ok(written)
        .or_else(|| written.get(..10).and_then(ok))
        .or_else(|| {
            let mut parts = written.split('/');
            let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
            ok(&format!("{y:0>4}-{m:0>2}-{d:0>2}"))
        })
}

/// The dong as real files write it, other than `VND`.
fn is_dong(written: &str) -> bool {
    let w = written.trim().to_lowercase();
    w != "vnd"
        && matches!(
            w.as_str(),
            "đ" | "vnđ" | "đồng" | "dong" | "vn đồng" | "vnd."
        )
}

/// A signature's role: `NBan`, `CQT`, `NMua`… only where an invoice's signatures sit
/// (`HDon/DSCKS/<role>`); anywhere else its location, which is no role.
fn verdict(r: &SignatureReport) -> SignatureVerdict {
    let role = r
        .location
        .strip_prefix("HDon/DSCKS/")
        .filter(|rest| !rest.contains('/'))
        .map_or_else(|| r.location.clone(), str::to_owned);
    SignatureVerdict {
        role,
        valid: r.valid,
        strict: r.strict,
        signer: r.signer.clone(),
        tax_id: r.tax_id.clone(),
        signing_time: r.signing_time.clone(),
        failure: r.failure.clone(),
        warnings: r.warnings.clone(),
    }
}

fn signature_warnings(
    sigs: &[SignatureVerdict],
    seller: SellerSignature,
    doc: &InvoiceDocument,
    out: &mut Vec<Detail>,
) {
    match seller {
        SellerSignature::Missing => out.push(warning(
            "import.signature.missing",
            "DSCKS/NBan",
            "Hóa đơn không có chữ ký số của người bán.".into(),
            "The invoice carries no seller signature.".into(),
        )),
        SellerSignature::Invalid => {
            let why = match sigs.iter().filter(|s| s.role == "NBan").count() {
                0 => "no signature at HDon/DSCKS/NBan covers this invoice (a signature elsewhere \
                      is not the seller's: signature wrapping?)"
                    .to_owned(),
                1 => sigs
                    .iter()
                    .find(|s| s.role == "NBan")
                    .and_then(|s| s.failure.clone())
                    .unwrap_or_default(),
                n => format!("{n} seller signatures"),
            };
            out.push(warning(
                "import.signature.invalid",
                "DSCKS/NBan",
                format!("Chữ ký của người bán không hợp lệ: {why}."),
                format!("The seller signature is invalid: {why}."),
            ));
        }
        SellerSignature::Tolerated => {
            for w in sigs
                .iter()
                .filter(|s| s.role == "NBan")
                .flat_map(|s| &s.warnings)
                .filter(|w| w.contains("strict XMLDSig"))
            {
                out.push(warning(
                    "import.signature.tolerated",
                    "DSCKS/NBan",
                    format!(
                        "Chữ ký hợp lệ theo cách cơ quan thuế chấp nhận, nhưng theo XMLDSig chặt \
                         chẽ có phần không được bảo vệ: {w}."
                    ),
                    format!("Valid as the tax authority accepts it, but: {w}."),
                ));
            }
        }
        SellerSignature::Valid => {}
    }
    if doc.authority_code.is_some() {
        match sigs.iter().find(|s| s.role == "CQT") {
            Some(s) if s.valid => {}
            Some(s) => out.push(warning(
                "import.signature.authority_invalid",
                "DSCKS/CQT",
                format!(
                    "Chữ ký của cơ quan thuế không hợp lệ: {}.",
                    s.failure.clone().unwrap_or_default()
                ),
                format!(
                    "The tax authority's signature is invalid: {}.",
                    s.failure.clone().unwrap_or_default()
                ),
            )),
            None => out.push(warning(
                "import.signature.authority_missing",
                "DSCKS/CQT",
                "Có mã của cơ quan thuế (MCCQT) nhưng không có chữ ký của cơ quan thuế.".into(),
                "The invoice has an authority code (MCCQT) but no tax-authority signature.".into(),
            )),
        }
    }
}

fn declared(doc: &InvoiceDocument) -> Amounts {
    let Some(d) = &doc.declared else {
        return Amounts::default();
    };
    Amounts {
        rates: d
            .tax_groups
            .iter()
            .map(|g| RateAmounts {
                rate: g.rate.trim().to_owned(),
                net: g.net,
                vat: g.vat,
            })
            .collect(),
        total_before_vat: d.total_before_vat,
        total_vat: d.total_vat,
        total: d.total,
    }
}

fn recomputed(t: &crate::Totals) -> Amounts {
    Amounts {
        rates: t
            .groups
            .iter()
            .map(|g| RateAmounts {
                rate: g.rate.map(|r| r.to_string()).unwrap_or_default(),
                net: Some(g.net),
                vat: Some(g.vat),
            })
            .collect(),
        total_before_vat: Some(t.total_before_vat),
        total_vat: Some(t.total_vat),
        total: Some(t.total),
    }
}

fn data_digest(doc: &dom::Document) -> String {
    let Some(dl) = doc.root.child("DLHDon") else {
        return String::new();
    };
    let mut out = Vec::new();
    if let Some(path) = path_to(&doc.root, dl.start) {
        canonicalize_subtree(
            &path,
            None,
            &C14n {
                exclusive: true,
                ..C14n::inclusive()
            },
            &mut out,
        );
    }
    Sha256::digest(&out)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
