//! The words of the books, vouchers and reports screens (#18), and the words of the books'
//! states and actions. Looked up here first, then in [`crate::i18n::text`]: only these screens
//! call it, so they travel in the lazily loaded module, not in the first load.

use crate::i18n::{self, Lang};
use hoadon_core::api::books::{BookAction, ImportOutcome, PlatformStatus, VoucherKind, Workflow};
use hoadon_core::import::SellerSignature;

/// The label for `key` in `lang` (the app's own words when it is not one of these).
pub fn text(lang: Lang, key: &'static str) -> &'static str {
    i18n::text_in(lang, key, pair)
}

/// The API's name of a state or action, which its word's key ends with (`bk.wf.invoice_created`
/// → `invoice_created`): what a query, a test or a style reads.
pub fn code(key: &'static str) -> &'static str {
    key.rsplit('.').next().unwrap_or(key)
}

pub fn platform_key(s: PlatformStatus) -> &'static str {
    match s {
        PlatformStatus::Original => "bk.ps.original",
        PlatformStatus::Replacement => "bk.ps.replacement",
        PlatformStatus::Adjustment => "bk.ps.adjustment",
        PlatformStatus::Cancelled => "bk.ps.cancelled",
    }
}

pub fn workflow_key(w: Workflow) -> &'static str {
    match w {
        Workflow::RevenueNotRecorded => "bk.wf.revenue_not_recorded",
        Workflow::InvoiceNotCreated => "bk.wf.invoice_not_created",
        Workflow::InvoiceCreated => "bk.wf.invoice_created",
        Workflow::RevenueRecorded => "bk.wf.revenue_recorded",
    }
}

pub fn action_key(a: BookAction) -> &'static str {
    match a {
        BookAction::SalesVoucher => "bk.act.sales_voucher",
        BookAction::InvoiceRecord => "bk.act.invoice_record",
    }
}

pub fn signature_key(s: SellerSignature) -> &'static str {
    match s {
        SellerSignature::Valid => "bk.sig.valid",
        SellerSignature::Tolerated => "bk.sig.tolerated",
        SellerSignature::Invalid => "bk.sig.invalid",
        SellerSignature::Missing => "bk.sig.missing",
    }
}

pub fn voucher_kind_key(k: VoucherKind) -> &'static str {
    match k {
        VoucherKind::Sale => "bk.kind.sale",
        VoucherKind::InvoiceOnly => "bk.kind.invoice_only",
        VoucherKind::Adjustment => "bk.kind.adjustment",
        VoucherKind::Reversal => "bk.kind.reversal",
    }
}

pub fn outcome_key(o: ImportOutcome) -> &'static str {
    match o {
        ImportOutcome::Imported => "bk.out.imported",
        ImportOutcome::Duplicate => "bk.out.duplicate",
        ImportOutcome::Coded => "bk.out.coded",
        ImportOutcome::Conflict => "bk.out.conflict",
        ImportOutcome::IssuedHere => "bk.out.issued_here",
        ImportOutcome::NoticeApplied => "bk.out.notice_applied",
        ImportOutcome::NoticePending => "bk.out.notice_pending",
        ImportOutcome::Refused => "bk.out.refused",
    }
}

/// The word of a bulk action's outcome on one entry (`BulkItem.outcome`).
pub fn bulk_key(outcome: &str) -> &'static str {
    match outcome {
        "recorded" => "bk.bulk.recorded",
        "needs_review" => "bk.bulk.needs_review",
        "not_allowed" => "bk.bulk.not_allowed",
        "not_found" => "bk.bulk.not_found",
        "already_recorded" => "bk.bulk.already_recorded",
        _ => "bk.bulk.other",
    }
}

fn pair(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "bk.title" => ("Sổ sách", "Books"),
        "bk.period" => ("Kỳ", "Period"),
        "bk.from" => ("Từ ngày", "From"),
        "bk.to" => ("Đến ngày", "To"),
        "bk.get" => ("Lấy dữ liệu", "Get data"),
        "bk.period.wrong" => (
            "Chọn ngày bắt đầu và ngày kết thúc (không trước ngày bắt đầu).",
            "Pick a start and an end date (not before the start).",
        ),
        "bk.more" => (
            "Kỳ này có quá nhiều mục; chỉ hiện phần đầu. Hãy chọn kỳ ngắn hơn.",
            "This period has too many entries; only the first are shown. Pick a shorter period.",
        ),
        "bk.filter" => ("Trạng thái", "Status"),
        "bk.filter.all" => ("Tất cả", "All"),
        "bk.pick.all" => ("Chọn tất cả", "Pick all"),
        "bk.platform" => ("Trạng thái hóa đơn", "Invoice status"),
        "bk.workflow" => ("Trạng thái ghi sổ", "Bookkeeping status"),
        "bk.warnings" => ("Cảnh báo", "Warnings"),
        "bk.warnings.n" => ("cảnh báo", "warnings"),
        "bk.conflict" => ("Bản sao khác dữ liệu", "Conflicting copy"),
        "bk.outcome" => ("Kết quả", "Outcome"),
        "bk.ps.original" => ("Gốc", "Original"),
        "bk.ps.replacement" => ("Thay thế", "Replacement"),
        "bk.ps.adjustment" => ("Điều chỉnh", "Adjustment"),
        "bk.ps.cancelled" => ("Đã hủy", "Cancelled"),
        "bk.wf.revenue_not_recorded" => ("Chưa ghi doanh thu", "Revenue not recorded"),
        "bk.wf.invoice_not_created" => ("Chưa lập hóa đơn", "Invoice not created"),
        "bk.wf.invoice_created" => ("Đã lập hóa đơn", "Invoice created"),
        "bk.wf.revenue_recorded" => ("Đã ghi doanh thu", "Revenue recorded"),
        "bk.act.sales_voucher" => (
            "Lập chứng từ bán hàng kèm hóa đơn",
            "Create sales voucher with invoice",
        ),
        "bk.act.invoice_record" => ("Lập hóa đơn", "Create invoice record"),
        "bk.sig.valid" => ("Chữ ký hợp lệ", "Signature valid"),
        "bk.sig.tolerated" => ("Chữ ký hợp lệ (chấp nhận)", "Signature accepted"),
        "bk.sig.invalid" => ("Chữ ký KHÔNG hợp lệ", "Signature NOT valid"),
        "bk.sig.missing" => ("Không có chữ ký", "No signature"),
        "bk.bulk.recorded" => ("Đã ghi sổ", "Recorded"),
        "bk.bulk.needs_review" => ("Cần xem lại", "Needs review"),
        "bk.bulk.not_allowed" => ("Không áp dụng", "Not allowed"),
        "bk.bulk.not_found" => ("Không tìm thấy", "Not found"),
        "bk.bulk.already_recorded" => ("Đã ghi sổ từ trước", "Already recorded"),
        "bk.bulk.other" => ("Khác", "Other"),
        "bk.back" => ("← Về danh sách", "← Back to the list"),
        "bk.gone" => (
            "Mục này không còn trong danh sách của kỳ.",
            "This entry is no longer in the period's list.",
        ),
        "bk.amounts" => ("Tiền hàng + thuế GTGT = tổng", "Net + VAT = total"),
        "bk.rate" => ("Tỷ giá", "Exchange rate"),
        "bk.related" => ("cho hóa đơn", "of invoice"),
        "bk.cancelled_on" => ("hủy ngày", "cancelled on"),
        "bk.in_books" => ("(doanh thu đang ghi trong sổ)", "(revenue in the books)"),
        "bk.not_in_books" => (
            "(doanh thu chưa ghi trong sổ)",
            "(revenue not in the books)",
        ),
        "bk.vouchers" => ("Chứng từ", "Vouchers"),
        "bk.code" => ("Mã của cơ quan thuế", "Authority code"),
        "bk.source" => ("Nguồn", "Source"),
        "bk.source.hoadon" => ("Phát hành trên hoadon", "Issued in hoadon"),
        "bk.source.imported" => ("Nhập từ tệp", "Imported from"),
        "bk.conflicts" => ("Bản sao khác dữ liệu", "Conflicting copies"),
        "bk.conflicts.hint" => (
            "Các tệp này mang cùng số hóa đơn nhưng dữ liệu khác; sổ giữ bản đầu tiên.",
            "These files carry the same invoice number with other data; the books keep the first.",
        ),
        "bk.recordings" => ("Đã ghi sổ", "Recorded"),
        "bk.nothing" => (
            "Không còn việc gì cho trạng thái hiện tại của hóa đơn.",
            "Nothing is left to do for the invoice's current status.",
        ),
        "bk.recorded" => ("Đã ghi sổ, chứng từ:", "Recorded, vouchers:"),
        "bk.already" => (
            "Hóa đơn đã được ghi sổ từ trước; không ghi thêm gì.",
            "This invoice was already recorded; nothing more was recorded.",
        ),
        "bk.changed" => (
            "Mục này vừa thay đổi; đề xuất đã được lập lại theo bản mới.",
            "This entry just changed; the proposal was made again from the new copy.",
        ),
        "bk.proposal" => ("Đề xuất", "Proposal"),
        "bk.no_vouchers" => (
            "Không cần chứng từ nào: ghi sổ chỉ lưu lại hóa đơn.",
            "No voucher is needed: recording only notes the invoice.",
        ),
        "bk.voucher" => ("Chứng từ", "Voucher"),
        "bk.reverses" => ("đảo chứng từ", "reverses"),
        "bk.kind" => ("Loại", "Kind"),
        "bk.kind.sale" => ("Bán hàng", "Sale"),
        "bk.kind.invoice_only" => ("Chỉ ghi hóa đơn", "Invoice only"),
        "bk.kind.adjustment" => ("Điều chỉnh", "Adjustment"),
        "bk.kind.reversal" => ("Đảo bút toán", "Reversal"),
        "bk.date" => ("Ngày chứng từ", "Voucher date"),
        "bk.description" => ("Diễn giải", "Description"),
        "bk.receivable" => ("TK phải thu", "Receivable account"),
        "bk.customer" => ("Mã khách hàng", "Customer code"),
        "bk.product" => ("Mã hàng", "Product code"),
        "bk.rate_vat" => ("thuế suất", "VAT rate"),
        "bk.amount" => ("Tiền hàng", "Amount"),
        "bk.vat" => ("Tiền thuế GTGT", "VAT"),
        "bk.revenue_account" => ("TK doanh thu", "Revenue account"),
        "bk.vat_account" => ("TK thuế GTGT", "VAT account"),
        "bk.sums" => ("Cộng", "Total"),
        "bk.unreadable" => (
            "Giá trị không hợp lệ (số tiền, ngày, hoặc tài khoản 3–10 chữ số).",
            "Not a valid value (an amount, a date, or an account of 3–10 digits).",
        ),
        "bk.record" => ("Ghi sổ", "Record"),
        "bk.create.customer" => (
            "Tạo khách hàng từ người mua trên hóa đơn",
            "Create the customer from the invoice's buyer",
        ),
        "bk.create.product" => (
            "Tạo hàng hóa từ dòng hóa đơn",
            "Create the product from the invoice line",
        ),
        "bk.imp.title" => ("Nhập hóa đơn từ tệp", "Import invoice files"),
        "bk.imp.hint" => (
            "Tệp XML hóa đơn hoặc thông báo 04/SS, hay tệp ZIP chứa chúng, từ bất kỳ nhà cung cấp nào. Mỗi hóa đơn chỉ vào sổ một lần.",
            "Invoice or 04/SS notice XML files, or ZIPs of them, from any provider. Each invoice enters the books once.",
        ),
        "bk.imp.file" => ("Tệp XML hoặc ZIP", "XML or ZIP files"),
        "bk.imp.sending" => ("Đang gửi tệp…", "Sending the files…"),
        "bk.imp.files" => ("Tệp", "Files"),
        "bk.imp.imported" => ("Nhập mới", "Imported"),
        "bk.imp.duplicates" => ("Đã có", "Already in"),
        "bk.imp.coded" => ("Thêm mã CQT", "Now coded"),
        "bk.imp.conflicts" => ("Khác dữ liệu", "Conflicts"),
        "bk.imp.issued_here" => ("Phát hành trên hoadon", "Issued here"),
        "bk.imp.notices" => ("Thông báo 04/SS", "04/SS notices"),
        "bk.imp.refused" => ("Bị từ chối", "Refused"),
        "bk.imp.item" => ("Tệp", "File"),
        "bk.imp.reason" => ("Lý do / ghi chú", "Reason / note"),
        "bk.imp.more" => ("mục nữa không liệt kê.", "more items not listed."),
        "bk.out.imported" => ("Nhập mới", "Imported"),
        "bk.out.duplicate" => ("Đã có trong sổ", "Already in the books"),
        "bk.out.coded" => ("Đã có, nay có mã CQT", "Already in, now coded"),
        "bk.out.conflict" => (
            "Khác dữ liệu bản đã có",
            "Differs from the copy in the books",
        ),
        "bk.out.issued_here" => ("Phát hành trên hoadon", "Issued in hoadon"),
        "bk.out.notice_applied" => ("Đã áp dụng thông báo", "Notice applied"),
        "bk.out.notice_pending" => ("Thông báo chờ hóa đơn", "Notice awaits its invoice"),
        "bk.out.refused" => ("Bị từ chối", "Refused"),
        "bk.number" => ("Số chứng từ", "Voucher number"),
        "bk.vouchers.title" => ("Chứng từ đã ghi sổ", "Recorded vouchers"),
        "bk.amount_vnd" => ("Tiền hàng (VND)", "Net (VND)"),
        "bk.vat_vnd" => ("Thuế GTGT (VND)", "VAT (VND)"),
        "bk.total_vnd" => ("Tổng (VND)", "Total (VND)"),
        "bk.reversed_by" => ("Bị đảo bởi", "Reversed by"),
        "bk.set.title" => ("Thiết lập sổ sách", "Books settings"),
        "bk.set.hint" => (
            "Dùng cho các đề xuất chứng từ từ nay; chứng từ đã ghi không đổi.",
            "Used by the proposals from now on; recorded vouchers do not change.",
        ),
        "bk.set.regime" => ("Chế độ kế toán", "Accounting regime"),
        "bk.set.tt200" => ("Thông tư 200", "Circular 200"),
        "bk.set.tt133" => ("Thông tư 133", "Circular 133"),
        "bk.set.receivable" => ("TK phải thu khách hàng", "Receivable account"),
        "bk.set.revenue_goods" => ("TK doanh thu bán hàng", "Revenue from goods"),
        "bk.set.revenue_services" => ("TK doanh thu dịch vụ", "Revenue from services"),
        "bk.set.output_vat" => ("TK thuế GTGT đầu ra", "Output VAT account"),
        "bk.set.prefix" => ("Tiền tố số chứng từ", "Voucher number prefix"),
        "bk.set.account.rule" => (
            "Số tài khoản: 3 đến 10 chữ số.",
            "An account: 3 to 10 digits.",
        ),
        "bk.set.prefix.rule" => (
            "1 đến 6 chữ cái in hoa, ví dụ BH.",
            "1 to 6 capital letters, e.g. BH.",
        ),
        "bk.set.save" => ("Lưu thiết lập", "Save settings"),
        "bk.set.saved" => ("Đã lưu thiết lập sổ sách.", "Books settings saved."),
        "bk.stats.title" => ("Thống kê hóa đơn", "Invoice statistics"),
        "bk.stats.total" => ("Cả kỳ", "The period"),
        "bk.stats.invoices" => ("hóa đơn", "invoices"),
        "bk.stats.by_status" => ("Theo trạng thái", "By status"),
        "bk.stats.by_series" => ("Theo ký hiệu", "By series"),
        "bk.stats.by_rate" => ("Theo thuế suất", "By VAT rate"),
        "bk.stats.by_customer" => ("Theo khách hàng", "By customer"),
        "bk.stats.group" => ("Nhóm", "Group"),
        "bk.stats.count" => ("Số hóa đơn", "Invoices"),
        "bk.stats.others" => ("Các khách hàng khác", "Others"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_and_action_has_words_in_both_languages_and_its_api_name() {
        let keys = [
            (platform_key(PlatformStatus::Cancelled), "cancelled"),
            (
                workflow_key(Workflow::RevenueNotRecorded),
                "revenue_not_recorded",
            ),
            (
                workflow_key(Workflow::InvoiceNotCreated),
                "invoice_not_created",
            ),
            (workflow_key(Workflow::InvoiceCreated), "invoice_created"),
            (workflow_key(Workflow::RevenueRecorded), "revenue_recorded"),
            (action_key(BookAction::SalesVoucher), "sales_voucher"),
            (action_key(BookAction::InvoiceRecord), "invoice_record"),
            (signature_key(SellerSignature::Tolerated), "tolerated"),
            (voucher_kind_key(VoucherKind::InvoiceOnly), "invoice_only"),
            (outcome_key(ImportOutcome::NoticePending), "notice_pending"),
            (bulk_key("needs_review"), "needs_review"),
            (bulk_key("already_recorded"), "already_recorded"),
            ("bk.set.tt133", "tt133"),
        ];
        for (key, name) in keys {
            assert_eq!(code(key), name);
            let (vi, en) = (text(Lang::Vi, key), text(Lang::En, key));
            assert!(vi != key && en != key && vi != en, "{key} has no words");
        }
        // The API's names, as serde writes them.
        assert_eq!(
            serde_json::to_value(Workflow::RevenueRecorded).unwrap(),
            code(workflow_key(Workflow::RevenueRecorded))
        );
        assert_eq!(
            serde_json::to_value(BookAction::SalesVoucher).unwrap(),
            code(action_key(BookAction::SalesVoucher))
        );
        assert_eq!(text(Lang::En, "nav.books"), "Books");
    }
}
