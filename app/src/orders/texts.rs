//! The words of the orders' screens (#19): the list, an order, the new order's form, the
//! settings and the mapping table, the orders' states and the server's refusals about them.
//! Looked up here first, then in [`crate::i18n::text`]: only these screens call it, so they
//! travel in the lazily loaded module, not in the first load.

use crate::i18n::{self, Lang};
use hoadon_core::api::orders::{
    AmountMismatch, AutoIssue, InvoicingScope, MappingKind, OrderStatus, UnknownCodes,
};

/// The label for `key` in `lang` (the app's own words when it is not one of these).
pub fn text(lang: Lang, key: &'static str) -> &'static str {
    i18n::text_in(lang, key, pair)
}

/// The API's name of a state or choice, which its word's key ends with (`or.st.confirmed` →
/// `confirmed`): what a select's value, a style or a test reads.
pub fn code(key: &'static str) -> &'static str {
    key.rsplit('.').next().unwrap_or(key)
}

pub fn status_key(s: OrderStatus) -> &'static str {
    match s {
        OrderStatus::Draft => "or.st.draft",
        OrderStatus::Confirmed => "or.st.confirmed",
        OrderStatus::Completed => "or.st.completed",
        OrderStatus::Cancelled => "or.st.cancelled",
        OrderStatus::Returned => "or.st.returned",
    }
}

pub fn scope_key(s: InvoicingScope) -> &'static str {
    match s {
        InvoicingScope::Order => "or.scope.order",
        InvoicingScope::Delivery => "or.scope.delivery",
        InvoicingScope::Consolidated => "or.scope.consolidated",
    }
}

pub fn auto_key(a: AutoIssue) -> &'static str {
    match a {
        AutoIssue::Off => "or.auto.off",
        AutoIssue::Confirmed => "or.auto.confirmed",
        AutoIssue::Completed => "or.auto.completed",
    }
}

pub fn unknown_key(u: UnknownCodes) -> &'static str {
    match u {
        UnknownCodes::Refuse => "or.unknown.refuse",
        UnknownCodes::Create => "or.unknown.create",
    }
}

pub fn mismatch_key(m: AmountMismatch) -> &'static str {
    match m {
        AmountMismatch::Refuse => "or.mismatch.refuse",
        AmountMismatch::Accept => "or.mismatch.accept",
    }
}

pub fn kind_key(k: MappingKind) -> &'static str {
    match k {
        MappingKind::Customer => "or.kind.customer",
        MappingKind::Product => "or.kind.product",
    }
}

/// What the screen says for a refusal the server words in English only (a conflict's code),
/// `None` for the others (their `"vi / en"` message or findings are shown).
pub fn refusal_key(code: &str) -> Option<&'static str> {
    Some(match code {
        "order.status" => "or.refused.status",
        "order.partly_invoiced" => "or.refused.partly_invoiced",
        "order.stale" => "or.refused.stale",
        "order.customer" => "or.refused.customer",
        "version_conflict" => "or.refused.version_conflict",
        "not_found" => "or.refused.not_found",
        "validation_failed" => "or.refused.validation",
        "forbidden" => "or.refused.forbidden",
        _ => return None,
    })
}

fn pair(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "or.title" => ("Đơn hàng", "Orders"),
        "or.order" => ("Đơn hàng", "Order"),
        "or.id" => ("Mã đơn hàng", "Order id"),
        "or.date" => ("Ngày đơn hàng", "Order date"),
        "or.customer" => ("Khách hàng", "Customer"),
        "or.total" => ("Tổng tiền (ERP)", "Total (ERP)"),
        "or.status" => ("Trạng thái đơn", "Order status"),
        "or.invoices" => ("Hóa đơn", "Invoices"),
        "or.search" => (
            "Tìm (mã đơn, mã hoặc tên khách hàng)",
            "Search (order id, customer code or name)",
        ),
        "or.filter.all" => ("Tất cả", "All"),
        "or.new" => ("Tạo đơn hàng", "New order"),
        "or.settings" => ("Thiết lập và ánh xạ mã", "Settings and code mapping"),
        "or.back" => ("← Về danh sách đơn hàng", "← Back to the orders"),
        "or.st.draft" => ("Nháp", "Draft"),
        "or.st.confirmed" => ("Đã xác nhận", "Confirmed"),
        "or.st.completed" => ("Hoàn thành", "Completed"),
        "or.st.cancelled" => ("Đã hủy", "Cancelled"),
        "or.st.returned" => ("Trả hàng", "Returned"),
        "or.badge.failure" => ("Lỗi lập hóa đơn", "Invoicing failed"),
        "or.badge.correction" => ("Cần điều chỉnh", "Needs a correction"),
        "or.badge.warnings" => ("Chênh lệch số tiền", "Amount differences"),
        "or.no_invoice" => ("Chưa có hóa đơn", "No invoice yet"),
        "or.draft_invoice" => ("Nháp", "Draft"),
        "or.scope.order" => ("Cả đơn hàng", "Whole order"),
        "or.scope.delivery" => ("Một lần giao hàng", "A delivery"),
        "or.scope.consolidated" => ("Gộp nhiều đơn", "Several orders"),
        "or.deliverable" => ("Có PDF và XML", "PDF and XML available"),
        "or.not_deliverable" => ("Chưa có PDF, XML", "No PDF or XML yet"),
        "or.revision" => ("Phiên bản ERP", "ERP revision"),
        "or.received" => ("Nhận lúc", "Received"),
        "or.updated" => ("Cập nhật lúc", "Updated"),
        "or.code" => ("Mã (ERP)", "Code (ERP)"),
        "or.contact" => ("Người mua hàng", "Buyer's contact"),
        "or.lines" => ("Các dòng", "Lines"),
        "or.line_id" => ("Dòng", "Line"),
        "or.product" => ("Mã hàng (ERP)", "Product code (ERP)"),
        "or.invoiced" => ("Đã lập hóa đơn", "Invoiced"),
        "or.amount" => ("Thành tiền (ERP)", "Amount (ERP)"),
        "or.vat" => ("Thuế GTGT (ERP)", "VAT (ERP)"),
        "or.catalog_value" => ("theo danh mục", "from the catalog"),
        "or.currency" => ("Loại tiền", "Currency"),
        "or.payment" => ("Hình thức thanh toán", "Payment method"),
        "or.note" => ("Ghi chú", "Note"),
        "or.warnings" => ("Chênh lệch số tiền", "Amount differences"),
        "or.warnings.hint" => (
            "Số của ERP khác số hóa đơn tính; hóa đơn dùng số do hệ thống tính.",
            "The ERP's figures differ from the invoice's; the invoice carries the computed ones.",
        ),
        "or.failure" => ("Chưa lập được hóa đơn", "Could not be invoiced"),
        "or.failure.at" => ("lúc", "at"),
        "or.failure.details" => (
            "Từng lỗi được ghi tại mục của nó, bên dưới.",
            "Each problem is shown where it applies, below.",
        ),
        "or.scope" => ("Phạm vi", "Covers"),
        "or.documents" => ("PDF, XML", "PDF, XML"),
        "or.correction" => ("Đề xuất điều chỉnh hóa đơn", "Correction proposed"),
        "or.correction.open" => (
            "Mở màn hình điều chỉnh của hóa đơn",
            "Open the invoice's corrections",
        ),
        "or.method.adjustment" => ("Điều chỉnh giảm", "A decreasing adjustment"),
        "or.method.replacement" => ("Thay thế", "A replacement"),
        "or.create" => ("Lập hóa đơn", "Create invoice"),
        "or.create.hint" => (
            "Lập hóa đơn nháp từ đơn hàng để kiểm tra rồi phát hành; bấm lại sẽ mở đúng hóa đơn đó.",
            "Makes the draft from the order to check, then issue; pressing again opens that same invoice.",
        ),
        "or.issue" => ("Phát hành ngay", "Issue now"),
        "or.working" => ("Đang gửi…", "Sending…"),
        "or.issued" => ("Đã lập hóa đơn", "Invoiced:"),
        "or.not_invoiceable" => (
            "Chỉ đơn hàng đã xác nhận hoặc hoàn thành mới lập được hóa đơn.",
            "Only confirmed or completed orders are invoiced.",
        ),
        "or.map" => ("Thêm ánh xạ cho mã này", "Map this code"),
        "or.findings" => ("Chi tiết", "Details"),
        "or.refused.status" => (
            "Đơn hàng chưa xác nhận hoặc đã hủy: chưa lập được hóa đơn.",
            "The order is not confirmed or completed: it cannot be invoiced.",
        ),
        "or.refused.partly_invoiced" => (
            "Đơn hàng đã được lập hóa đơn một phần (theo lần giao hàng): lập tiếp theo lần giao hàng.",
            "The order is already invoiced in part (deliveries): invoice the rest by delivery.",
        ),
        "or.refused.stale" => (
            "Đã có đơn hàng mang mã này với nội dung khác; hãy dùng mã khác.",
            "An order with this id exists with other content; use another id.",
        ),
        "or.refused.customer" => (
            "Các đơn hàng gộp phải cùng một khách hàng.",
            "Orders invoiced together must have one customer.",
        ),
        "or.refused.version_conflict" => (
            "Thiết lập vừa được sửa ở nơi khác; đã tải lại bản trên máy chủ.",
            "The settings were just changed elsewhere; the server's copy is shown.",
        ),
        "or.refused.not_found" => ("Không tìm thấy.", "Not found."),
        "or.refused.validation" => (
            "Dữ liệu chưa hợp lệ (xem chi tiết bên dưới).",
            "Something is not valid (see the details below).",
        ),
        "or.refused.forbidden" => (
            "Vai trò của bạn không được làm việc này.",
            "Your role may not do this.",
        ),
        // The new order's form.
        "or.new.title" => ("Tạo đơn hàng", "New order"),
        "or.new.hint" => (
            "Đơn hàng nhập trên ứng dụng, như ERP gửi: khách hàng và hàng hóa theo mã; giá và thuế suất để trống thì lấy theo danh mục.",
            "An order entered here as an ERP sends one: customer and goods by code; an empty price or rate is the catalog's.",
        ),
        "or.new.id.rule" => (
            "1–64 chữ, số, '-', '_', '.' hoặc ':'.",
            "1–64 letters, digits, '-', '_', '.' or ':'.",
        ),
        "or.new.code.rule" => (
            "Mã gồm 1–50 chữ, số, '-', '_', '.' hoặc ':'.",
            "A code is 1–50 letters, digits, '-', '_', '.' or ':'.",
        ),
        "or.new.customer" => (
            "Mã khách hàng (gõ để tìm trong danh mục)",
            "Customer code (type to search the catalog)",
        ),
        "or.new.customer_name" => ("Tên khách hàng", "Customer name"),
        "or.new.product" => (
            "Mã hàng (gõ để tìm trong danh mục)",
            "Product code (type to search the catalog)",
        ),
        "or.new.quantity.rule" => ("Số lượng lớn hơn 0.", "A quantity above 0."),
        "or.new.price.rule" => (
            "Một số không âm, hoặc để trống.",
            "A number not below 0, or empty.",
        ),
        "or.new.rate.catalog" => ("Theo danh mục", "The catalog's"),
        "or.new.save" => ("Lưu đơn hàng", "Save the order"),
        "or.new.fix" => ("Hãy sửa các ô được đánh dấu.", "Fix the marked fields."),
        // The settings.
        "or.set.title" => ("Thiết lập đơn hàng", "Order settings"),
        "or.set.readonly" => (
            "Chỉ quản trị viên sửa được thiết lập.",
            "Only an admin can change the settings.",
        ),
        "or.set.auto" => (
            "Tự động lập và phát hành hóa đơn",
            "Issue invoices automatically",
        ),
        "or.auto.off" => (
            "Không (người dùng bấm Lập hóa đơn)",
            "No (a person presses Create invoice)",
        ),
        "or.auto.confirmed" => ("Khi đơn hàng được xác nhận", "When the order is confirmed"),
        "or.auto.completed" => ("Khi đơn hàng hoàn thành", "When the order is completed"),
        "or.set.series" => (
            "Ký hiệu hóa đơn cho đơn hàng",
            "Series for invoices from orders",
        ),
        "or.set.series.none" => ("Chưa chọn", "None chosen"),
        "or.set.unknown" => (
            "Mã ERP chưa có trong danh mục",
            "ERP codes the catalogs lack",
        ),
        "or.unknown.refuse" => ("Từ chối, nêu các mã", "Refuse, naming the codes"),
        "or.unknown.create" => ("Tạo mục mới trong danh mục", "Create the catalog entry"),
        "or.set.mismatch" => ("Số tiền ERP khác số tính", "ERP amounts that differ"),
        "or.mismatch.refuse" => ("Từ chối, nêu hai số", "Refuse, with both figures"),
        "or.mismatch.accept" => (
            "Chấp nhận số tính, ghi lại chênh lệch",
            "Accept the computed figures, noting the difference",
        ),
        "or.set.save" => ("Lưu thiết lập", "Save settings"),
        "or.set.saved" => ("Đã lưu thiết lập đơn hàng.", "Order settings saved."),
        // The mapping table.
        "or.map.title" => ("Ánh xạ mã ERP sang danh mục", "ERP codes → catalog codes"),
        "or.map.hint" => (
            "Mã ERP không có trong bảng này được hiểu là mã cùng tên trong danh mục.",
            "An ERP code not listed here stands for the catalog entry with the same code.",
        ),
        "or.map.readonly" => (
            "Chỉ quản trị viên và kế toán sửa được bảng ánh xạ.",
            "Only admins and accountants can change the mapping.",
        ),
        "or.kind" => ("Loại", "Kind"),
        "or.kind.customer" => ("Khách hàng", "Customers"),
        "or.kind.product" => ("Hàng hóa, dịch vụ", "Products"),
        "or.map.erp" => ("Mã ERP", "ERP code"),
        "or.map.catalog" => ("Mã trong danh mục", "Catalog code"),
        "or.map.catalog.pick" => (
            "Mã trong danh mục (gõ để tìm)",
            "Catalog code (type to search)",
        ),
        "or.map.add" => ("Thêm ánh xạ", "Add mapping"),
        "or.map.added" => ("Đã lưu ánh xạ", "Mapping saved:"),
        "or.map.delete" => ("Xóa", "Delete"),
        "or.map.delete.sure" => ("Xóa ánh xạ này?", "Delete this mapping?"),
        "or.map.deleted" => ("Đã xóa ánh xạ", "Mapping deleted:"),
        "or.map.name" => ("Tên trong danh mục", "Name in the catalog"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_and_choice_has_words_in_both_languages_and_its_api_name() {
        let mut keys: Vec<(&'static str, String)> = Vec::new();
        for s in OrderStatus::ALL {
            keys.push((status_key(s), s.as_str().to_owned()));
        }
        for a in [AutoIssue::Off, AutoIssue::Confirmed, AutoIssue::Completed] {
            keys.push((
                auto_key(a),
                serde_json::to_value(a).unwrap().as_str().unwrap().into(),
            ));
        }
        for u in [UnknownCodes::Refuse, UnknownCodes::Create] {
            keys.push((
                unknown_key(u),
                serde_json::to_value(u).unwrap().as_str().unwrap().into(),
            ));
        }
        for m in [AmountMismatch::Refuse, AmountMismatch::Accept] {
            keys.push((
                mismatch_key(m),
                serde_json::to_value(m).unwrap().as_str().unwrap().into(),
            ));
        }
        for k in [MappingKind::Customer, MappingKind::Product] {
            keys.push((kind_key(k), k.as_str().to_owned()));
        }
        for s in [
            InvoicingScope::Order,
            InvoicingScope::Delivery,
            InvoicingScope::Consolidated,
        ] {
            keys.push((
                scope_key(s),
                serde_json::to_value(s).unwrap().as_str().unwrap().into(),
            ));
        }
        for (key, name) in keys {
            assert_eq!(code(key), name);
            let (vi, en) = (text(Lang::Vi, key), text(Lang::En, key));
            assert!(vi != key && en != key && vi != en, "{key} has no words");
        }
        for c in [
            "order.status",
            "order.partly_invoiced",
            "order.stale",
            "version_conflict",
        ] {
            let key = refusal_key(c).unwrap();
            assert_ne!(text(Lang::Vi, key), text(Lang::En, key));
        }
        assert_eq!(refusal_key("order.amount"), None);
        assert_eq!(text(Lang::En, "nav.orders"), "Orders");
    }
}
