//! Importing invoices issued anywhere: GDT XML files or ZIPs of them, uploaded or pulled from
//! another platform ([`super::source`]).
//!
//! Each file is read by the core ([`hoadon_core::import::read_file`]); a refused file is
//! reported with its reason and the rest proceeds. An invoice is recorded once under its key:
//! the same data again is a duplicate (the coded copy of an uncoded one replaces it in place),
//! other data under the same key is flagged on the entry, never merged; one issued here is
//! recognised as such. New entries are written in batches of [`BATCH`] (one transaction each,
//! falling back to one by one when a key raced), which is what makes 50,000 invoices an import
//! of about a minute instead of fifty thousand commits.
//!
//! ZIPs are read entry by entry (bounded memory): at most [`MAX_ENTRIES`] entries, each at most
//! [`MAX_FILE_BYTES`] decompressed (read through a `take`, whatever its header claims), at most
//! [`MAX_TOTAL_BYTES`] in all; a ZIP inside a ZIP is refused, not opened.

use super::{BookEntry, entry_id, find, from_item, insert_ops, to_json};
use crate::error::ApiError;
use crate::invoices::Services;
use crate::store::{Condition, Op, StoreError, TenantStore};
use hoadon_core::api::books::{
    CopyConflict, ImportItem, ImportOutcome, ImportReport, MAX_REPORT_ITEMS, Source,
};
use hoadon_core::import::{
    FileRefusal, Found, ImportedInvoice, MAX_FILE_BYTES, NoticeAction, NoticeRow, read_file,
};
use std::io::{Read, Seek};

/// New entries per transaction (two or three items each, under the 100-operation limit).
pub const BATCH: usize = 30;
/// Most entries a ZIP may have.
pub const MAX_ENTRIES: usize = 200_000;
/// Most bytes a ZIP may decompress to, all entries together.
pub const MAX_TOTAL_BYTES: u64 = 2 << 30;
/// Largest imported `HDon` kept inline in its entry; larger ones go to the archive.
const INLINE_XML: usize = 64 << 10;

/// An import in progress: the report, the batch of new entries, what the tenant is.
pub struct Importer<'a> {
    svc: &'a Services,
    ts: &'a TenantStore,
    own_tax_id: String,
    report: ImportReport,
    listed_minor: Vec<ImportItem>,
    pending: Vec<(BookEntry, ImportItem)>,
}

impl<'a> Importer<'a> {
    pub async fn new(svc: &'a Services, ts: &'a TenantStore) -> Result<Self, ApiError> {
        let own_tax_id = crate::profile::current(ts)
            .await
            .map(|(p, _)| p.tax_id)
            .unwrap_or_default();
        Ok(Importer {
            svc,
            ts,
            own_tax_id,
            report: ImportReport::default(),
            listed_minor: Vec::new(),
            pending: Vec::new(),
        })
    }

    /// One uploaded file: a ZIP (by its signature) or an XML file.
    pub async fn file(&mut self, name: &str, bytes: &[u8]) -> Result<(), ApiError> {
        if bytes.starts_with(b"PK\x03\x04") {
            self.zip(name, std::io::Cursor::new(bytes)).await
        } else {
            self.report.files += 1;
            self.xml(name, bytes).await
        }
    }

    /// Every entry of a ZIP, one at a time.
    pub async fn zip<R: Read + Seek>(&mut self, name: &str, reader: R) -> Result<(), ApiError> {
        let mut archive = match zip::ZipArchive::new(reader) {
            Ok(a) => a,
            Err(e) => {
                self.report.files += 1;
                self.refuse(name, archive_refusal(&format!("{e}")));
                return Ok(());
            }
        };
        if archive.len() > MAX_ENTRIES {
            self.report.files += 1;
            self.refuse(
                name,
                archive_refusal(&format!("{} entries; at most {MAX_ENTRIES}", archive.len())),
            );
            return Ok(());
        }
        let mut total: u64 = 0;
        let mut buf = Vec::new();
        for i in 0..archive.len() {
            let (path, outcome) = {
                let mut entry = match archive.by_index(i) {
                    Ok(e) => e,
                    Err(e) => {
                        self.report.files += 1;
                        self.refuse(&format!("{name}/#{i}"), archive_refusal(&format!("{e}")));
                        continue;
                    }
                };
                if entry.is_dir() {
                    continue;
                }
                let inner = entry
                    .name()
                    .map(|n| n.into_owned())
                    .unwrap_or_else(|_| format!("#{i}"));
                let path = format!("{name}/{inner}");
                buf.clear();
                let read = (&mut entry)
                    .take(MAX_FILE_BYTES as u64 + 1)
                    .read_to_end(&mut buf);
                (path, read.map(|n| n as u64))
            };
            self.report.files += 1;
            match outcome {
                Err(e) => self.refuse(&path, archive_refusal(&format!("{e}"))),
                Ok(n) if n > MAX_FILE_BYTES as u64 => self.refuse(
                    &path,
                    FileRefusal::new(
                        "import.too_large",
                        format!("Tệp giải nén vượt {MAX_FILE_BYTES} byte."),
                        format!("The entry decompresses past {MAX_FILE_BYTES} bytes."),
                    ),
                ),
                Ok(n) => {
                    total += n;
                    if total > MAX_TOTAL_BYTES {
                        self.refuse(
                            &path,
                            archive_refusal(&format!(
                                "the archive decompresses past {MAX_TOTAL_BYTES} bytes; the rest \
                                 is not read"
                            )),
                        );
                        break;
                    }
                    if buf.starts_with(b"PK\x03\x04") {
                        self.refuse(&path, archive_refusal("a ZIP inside a ZIP is not opened"));
                        continue;
                    }
                    let bytes = std::mem::take(&mut buf);
                    self.xml(&path, &bytes).await?;
                    buf = bytes;
                }
            }
        }
        Ok(())
    }

    async fn xml(&mut self, name: &str, bytes: &[u8]) -> Result<(), ApiError> {
        match read_file(bytes) {
            Err(r) => self.refuse(name, r),
            Ok(found) => {
                for f in found {
                    match f {
                        Found::Invoice(inv) => self.invoice(name, inv).await?,
                        Found::Notice(row) => self.notice(name, row).await?,
                    }
                }
            }
        }
        Ok(())
    }

    fn refuse(&mut self, file: &str, refusal: FileRefusal) {
        self.report.refused += 1;
        self.list(ImportItem {
            file: file.to_owned(),
            outcome: ImportOutcome::Refused,
            key: None,
            refusal: Some(refusal),
            warnings: 0,
        });
    }

    /// Lists an item: refusals and conflicts first, then the rest up to the report's limit.
    fn list(&mut self, item: ImportItem) {
        let major = matches!(
            item.outcome,
            ImportOutcome::Refused | ImportOutcome::Conflict
        );
        if major && self.report.items.len() < MAX_REPORT_ITEMS {
            self.report.items.push(item);
        } else if !major && self.listed_minor.len() < MAX_REPORT_ITEMS {
            self.listed_minor.push(item);
        } else {
            self.report.more += 1;
        }
    }

    fn item(file: &str, inv: &ImportedInvoice, outcome: ImportOutcome) -> ImportItem {
        ImportItem {
            file: file.to_owned(),
            outcome,
            key: Some(inv.key.clone()),
            refusal: None,
            warnings: inv.warnings.len(),
        }
    }

    async fn invoice(&mut self, file: &str, inv: ImportedInvoice) -> Result<(), ApiError> {
        let id = entry_id(&inv.key);
        if self.pending.iter().any(|(e, _)| entry_id(&e.key) == id) {
            // The same invoice twice in one upload: settle the batch first.
            self.flush().await?;
        }
        if let Some(outcome) = self.existing(file, &inv).await? {
            self.count(outcome);
            self.list(Self::item(file, &inv, outcome));
            return Ok(());
        }
        let now = self.svc.clock.now();
        let mut inv = inv;
        if !self.own_tax_id.is_empty() && inv.key.seller_tax_id != self.own_tax_id {
            // Revenue is the seller's: another company's invoice (a purchase, a sister
            // company's sale) is kept, but the accountant is told before recording it.
            inv.warnings.push(hoadon_core::api::Detail {
                severity: hoadon_core::Severity::Warning,
                code: "import.other_seller".into(),
                path: "NBan/MST".into(),
                message_vi: format!(
                    "Người bán {} không phải công ty ({}): hóa đơn này không phải doanh thu của \
                     công ty.",
                    inv.key.seller_tax_id, self.own_tax_id
                ),
                message_en: format!(
                    "The seller {} is not the company ({}): this invoice is not the company's \
                     revenue.",
                    inv.key.seller_tax_id, self.own_tax_id
                ),
            });
        }
        let item = Self::item(file, &inv, ImportOutcome::Imported);
        let xml = inv.xml.clone();
        let mut entry = BookEntry::new(inv, Source::Imported, now);
        entry.file_name = Some(file.to_owned());
        if xml.len() > INLINE_XML {
            entry.archive_key = Some(
                self.svc
                    .archive
                    .put(self.ts.tenant(), xml.as_bytes())
                    .await
                    .map_err(|e| ApiError::Unavailable(e.to_string()))?,
            );
        } else {
            entry.archive_key = Some(format!("inline:{xml}"));
        }
        self.pending.push((entry, item));
        if self.pending.len() >= BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    /// What an invoice already in the books (or issued here) makes of this copy, if anything.
    async fn existing(
        &mut self,
        file: &str,
        inv: &ImportedInvoice,
    ) -> Result<Option<ImportOutcome>, ApiError> {
        let id = entry_id(&inv.key);
        if inv.key.seller_tax_id == self.own_tax_id
            && let Some(n) = self
                .ts
                .get(
                    &format!("NUM#{}{}", inv.key.form, inv.key.symbol),
                    &format!("{:08}", inv.key.number),
                )
                .await?
        {
            // Issued here: make sure it is in the books as such (issued before they existed).
            let invoice_id = String::from_utf8_lossy(&n.data).into_owned();
            if let Some(item) = self.ts.get("INV", &invoice_id).await? {
                let rec = from_item(&item)?;
                if crate::delivery::deliverable(&rec) {
                    let ops = super::entry_ops(self.ts, &rec, self.svc.clock.now()).await?;
                    if !ops.is_empty() {
                        match self.ts.transact(ops).await {
                            Ok(_) | Err(StoreError::ConditionFailed { .. }) => {}
                            Err(e) => return Err(e.into()),
                        }
                    }
                }
            }
            return Ok(Some(ImportOutcome::IssuedHere));
        }
        for _ in 0..5 {
            let Some((mut entry, version)) = find(self.ts, &id).await? else {
                return Ok(None);
            };
            if entry.source == Source::Hoadon {
                return Ok(Some(ImportOutcome::IssuedHere));
            }
            let outcome = if entry.data_digest == inv.data_digest {
                if entry.authority_code.is_some() || inv.authority_code.is_none() {
                    return Ok(Some(ImportOutcome::Duplicate));
                }
                // The coded copy of the same invoice data: keep it, with its code.
                entry.authority_code = inv.authority_code.clone();
                entry.archive_key = Some(if inv.xml.len() > INLINE_XML {
                    self.svc
                        .archive
                        .put(self.ts.tenant(), inv.xml.as_bytes())
                        .await
                        .map_err(|e| ApiError::Unavailable(e.to_string()))?
                } else {
                    format!("inline:{}", inv.xml)
                });
                entry.warnings = inv.warnings.clone();
                ImportOutcome::Coded
            } else {
                if entry
                    .conflicts
                    .iter()
                    .any(|c| c.data_digest == inv.data_digest)
                {
                    return Ok(Some(ImportOutcome::Conflict));
                }
                entry.conflicts.push(CopyConflict {
                    data_digest: inv.data_digest.clone(),
                    file_name: file.to_owned(),
                    at: self.svc.clock.now(),
                });
                ImportOutcome::Conflict
            };
            entry.updated_at = self.svc.clock.now();
            let op = Op::Put {
                key: self.ts.key("BOOK", entry.sk()),
                data: to_json(&entry),
                condition: Condition::Version(version),
            };
            match self.ts.transact(vec![op]).await {
                Ok(_) => return Ok(Some(outcome)),
                Err(StoreError::ConditionFailed { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ApiError::Unavailable(
            "the entry kept changing; retry".into(),
        ))
    }

    fn count(&mut self, outcome: ImportOutcome) {
        let r = &mut self.report;
        match outcome {
            ImportOutcome::Imported => r.imported += 1,
            ImportOutcome::Duplicate => r.duplicates += 1,
            ImportOutcome::Coded => r.coded += 1,
            ImportOutcome::Conflict => r.conflicts += 1,
            ImportOutcome::IssuedHere => r.issued_here += 1,
            ImportOutcome::NoticeApplied | ImportOutcome::NoticePending => r.notices += 1,
            ImportOutcome::Refused => r.refused += 1,
        }
    }

    /// Writes the batch of new entries: one transaction; when one of them raced (its key
    /// appeared meanwhile), each on its own.
    pub async fn flush(&mut self) -> Result<(), ApiError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.pending);
        let mut ops = Vec::with_capacity(batch.len() * 2);
        let mut applied = Vec::with_capacity(batch.len());
        for (mut entry, item) in batch {
            let notes = self.pending_notes(&mut entry).await?;
            ops.extend(insert_ops(self.ts, &entry));
            if let Some(v) = notes {
                ops.push(Op::Delete {
                    key: self.ts.key("BOOKNOTE", entry_id(&entry.key)),
                    condition: Condition::Version(v),
                });
            }
            applied.push((entry, item, notes));
        }
        let fits = ops.len() <= self.ts.max_transaction_ops();
        if fits {
            match self.ts.transact(ops).await {
                Ok(_) => {
                    for (_, item, _) in applied {
                        self.count(ImportOutcome::Imported);
                        self.list(item);
                    }
                    return Ok(());
                }
                // A key raced, or one entry is too large for the store: one by one.
                Err(StoreError::ConditionFailed { .. } | StoreError::TooLarge(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        for (mut entry, item, _) in applied {
            // Notes read again: one may have arrived since the batch read them.
            let notes = self.pending_notes(&mut entry).await?;
            let mut ops: Vec<Op> = insert_ops(self.ts, &entry);
            if let Some(v) = notes {
                ops.push(Op::Delete {
                    key: self.ts.key("BOOKNOTE", entry_id(&entry.key)),
                    condition: Condition::Version(v),
                });
            }
            match self.ts.transact(ops).await {
                Ok(_) => {
                    self.count(ImportOutcome::Imported);
                    self.list(item);
                }
                Err(StoreError::TooLarge(why)) => {
                    // One invoice past the store's item size: refused, the rest proceeds.
                    self.refuse(
                        &item.file,
                        FileRefusal::new(
                            "import.too_large",
                            format!("Hóa đơn quá lớn để lưu ({why})."),
                            format!("The invoice is too large to keep ({why})."),
                        ),
                    );
                }
                Err(StoreError::ConditionFailed { .. }) => {
                    // Another upload recorded it meanwhile: what is that copy to this one?
                    let file = item.file.clone();
                    let inv = imported_again(&entry);
                    let outcome = self
                        .existing(&file, &inv)
                        .await?
                        .unwrap_or(ImportOutcome::Duplicate);
                    self.count(outcome);
                    self.list(ImportItem { outcome, ..item });
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Applies 04/SS rows that arrived before the invoice; the notes item's version when there
    /// were any (deleted at that version with the insert, so a row added meanwhile is not lost:
    /// the insert fails and is retried).
    async fn pending_notes(&self, entry: &mut BookEntry) -> Result<Option<u64>, ApiError> {
        let Some(item) = self.ts.get("BOOKNOTE", &entry_id(&entry.key)).await? else {
            return Ok(None);
        };
        let rows: Vec<NoticeRow> = from_item(&item)?;
        for r in &rows {
            apply_notice(entry, r);
        }
        Ok(Some(item.version))
    }

    /// A 04/SS row: applied to its invoice, or kept until the invoice arrives.
    async fn notice(&mut self, file: &str, row: NoticeRow) -> Result<(), ApiError> {
        self.flush().await?;
        let id = entry_id(&row.key);
        let item = |outcome| ImportItem {
            file: file.to_owned(),
            outcome,
            key: Some(row.key.clone()),
            refusal: None,
            warnings: 0,
        };
        for _ in 0..5 {
            let (op, outcome) = match find(self.ts, &id).await? {
                Some((mut entry, version)) => {
                    if entry.source == Source::Hoadon {
                        // hoadon's own invoices are corrected in hoadon, not by a file.
                        self.count(ImportOutcome::IssuedHere);
                        self.list(item(ImportOutcome::IssuedHere));
                        return Ok(());
                    }
                    apply_notice(&mut entry, &row);
                    entry.updated_at = self.svc.clock.now();
                    (
                        Op::Put {
                            key: self.ts.key("BOOK", entry.sk()),
                            data: to_json(&entry),
                            condition: Condition::Version(version),
                        },
                        ImportOutcome::NoticeApplied,
                    )
                }
                None => {
                    let existing = self.ts.get("BOOKNOTE", &id).await?;
                    let mut rows: Vec<NoticeRow> = match &existing {
                        Some(i) => from_item(i)?,
                        None => Vec::new(),
                    };
                    if !rows.contains(&row) {
                        rows.push(row.clone());
                    }
                    (
                        Op::Put {
                            key: self.ts.key("BOOKNOTE", &id),
                            data: to_json(&rows),
                            condition: existing
                                .map_or(Condition::NotExists, |i| Condition::Version(i.version)),
                        },
                        ImportOutcome::NoticePending,
                    )
                }
            };
            // A note waits only while its invoice is not in the books: if the invoice arrives
            // meanwhile, this fails and the row is applied to it on the next round.
            let mut ops = vec![op];
            if outcome == ImportOutcome::NoticePending {
                ops.push(Op::Check {
                    key: self.ts.key("BOOKKEY", &id),
                    condition: Condition::NotExists,
                });
            }
            match self.ts.transact(ops).await {
                Ok(_) => {
                    self.count(outcome);
                    self.list(item(outcome));
                    return Ok(());
                }
                Err(StoreError::ConditionFailed { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ApiError::Unavailable(
            "the entry kept changing; retry".into(),
        ))
    }

    /// The report, once everything is written.
    pub async fn finish(mut self) -> Result<ImportReport, ApiError> {
        self.flush().await?;
        let room = MAX_REPORT_ITEMS.saturating_sub(self.report.items.len());
        let minor = std::mem::take(&mut self.listed_minor);
        self.report.more += minor.len().saturating_sub(room) as u64;
        self.report.items.extend(minor.into_iter().take(room));
        Ok(self.report)
    }
}

/// What a 04/SS row does to an imported entry: a cancellation dates it; the other actions are
/// noted as warnings (the replacement or adjustment itself arrives as an invoice).
fn apply_notice(entry: &mut BookEntry, row: &NoticeRow) {
    match row.action {
        NoticeAction::Cancel => entry.cancelled_on = Some(row.date.clone()),
        _ => {
            let what = serde_json::to_value(row.action)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let d = hoadon_core::api::Detail {
                severity: hoadon_core::Severity::Warning,
                code: format!("import.notice.{what}"),
                path: String::new(),
                message_vi: format!("Thông báo 04/SS ngày {}: {}", row.date, row.reason),
                message_en: format!("04/SS notice of {} ({what}): {}", row.date, row.reason),
            };
            if !entry.warnings.contains(&d) {
                entry.warnings.push(d);
            }
        }
    }
}

/// The parts of an entry that [`Importer::existing`] compares, as an imported copy.
fn imported_again(e: &BookEntry) -> ImportedInvoice {
    ImportedInvoice {
        kind: e.kind,
        key: e.key.clone(),
        issue_date: e.issue_date.clone(),
        seller: e.seller.clone(),
        buyer: e.buyer.clone(),
        currency: e.currency.clone(),
        exchange_rate: e.exchange_rate,
        lines: Vec::new(),
        declared: e.declared.clone(),
        recomputed: e.recomputed.clone(),
        related: e.related.clone(),
        authority_code: e.authority_code.clone(),
        seller_signature: e.seller_signature,
        signatures: Vec::new(),
        warnings: e.warnings.clone(),
        data_digest: e.data_digest.clone(),
        xml: e
            .archive_key
            .as_deref()
            .and_then(|k| k.strip_prefix("inline:"))
            .unwrap_or_default()
            .to_owned(),
    }
}

fn archive_refusal(why: &str) -> FileRefusal {
    FileRefusal::new(
        "import.archive",
        format!("Không đọc được tệp nén: {why}."),
        format!("The archive could not be read: {why}."),
    )
}
