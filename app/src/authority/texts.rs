//! The words of the tax authority's screens (outbox, registration, 04/SS notices). They are
//! looked up here first, then in [`crate::i18n::text`]: only these screens call this, so the
//! words travel with them in the lazily loaded module, not in the first load.

use crate::i18n::{self, Lang};

/// The label for `key` in `lang` (the app's own words when it is not one of these).
pub fn text(lang: Lang, key: &'static str) -> &'static str {
    i18n::text_in(lang, key, pair)
}

fn pair(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "outbox.title" => (
            "Thông điệp gửi cơ quan thuế",
            "Messages to the tax authority",
        ),
        "outbox.kind" => ("Loại", "Kind"),
        "outbox.subject" => ("Về", "About"),
        "outbox.state" => ("Trạng thái", "State"),
        "outbox.attempts" => ("Lần thử lỗi", "Failed attempts"),
        "outbox.next" => ("Lần gửi tới", "Next attempt"),
        "outbox.error" => ("Lỗi gần nhất", "Last error"),
        "outbox.replies" => ("Trả lời", "Replies"),
        "outbox.retry" => ("Gửi lại ngay", "Retry now"),
        "outbox.retried" => ("Đã xếp lịch gửi lại ngay.", "Queued to be retried now."),
        "outbox.refresh" => ("Làm mới", "Refresh"),
        "outbox.test" => ("THỬ NGHIỆM", "TEST"),
        "outbox.state.queued" => ("Chờ gửi", "Queued"),
        "outbox.state.awaiting_reply" => ("Chờ trả lời", "Awaiting reply"),
        "outbox.state.done" => ("Xong", "Done"),
        "outbox.state.needs_attention" => ("Cần xử lý", "Needs attention"),
        "subject.invoice" => ("Hóa đơn", "Invoice"),
        "subject.registration" => ("Đăng ký", "Registration"),
        "subject.notice" => ("Thông báo 04/SS", "04/SS notice"),
        "kind.100" => ("Đăng ký sử dụng HĐĐT", "Registration"),
        "kind.200" => ("Hóa đơn đề nghị cấp mã", "Invoice for a code"),
        "kind.203" => ("Dữ liệu hóa đơn", "Invoice data"),
        "kind.300" => ("Thông báo 04/SS", "04/SS notice"),
        "kind.999" => ("Tiếp nhận kỹ thuật", "Technical acknowledgement"),
        "kind.202" => ("Mã của cơ quan thuế", "The authority's code"),
        "kind.204" => ("Kết quả kiểm tra dữ liệu", "Check result"),
        "kind.102" => ("Tiếp nhận đăng ký", "Registration received"),
        "kind.103" => ("Kết quả đăng ký", "Registration decision"),
        "kind.301" => ("Trả lời thông báo 04/SS", "Answer to the 04/SS"),
        "kind.other" => ("Thông điệp", "Message"),
        "registration.title" => (
            "Đăng ký sử dụng hóa đơn điện tử (01/ĐKTĐ-HĐĐT)",
            "E-invoice registration (01/ĐKTĐ-HĐĐT)",
        ),
        "registration.readonly" => (
            "Chỉ quản trị viên gửi được đăng ký.",
            "Only an admin can send the registration.",
        ),
        "registration.change" => (
            "Thay đổi thông tin đã đăng ký",
            "A change to the accepted registration",
        ),
        "registration.coded" => (
            "Hóa đơn có mã của cơ quan thuế (ký hiệu C)",
            "Invoices with the authority's code (C series)",
        ),
        "registration.uncoded" => (
            "Hóa đơn không có mã (ký hiệu K)",
            "Invoices without the code (K series)",
        ),
        "registration.kinds" => (
            "Chọn ít nhất một loại hóa đơn.",
            "Choose at least one kind of invoice.",
        ),
        "registration.contact_name" => ("Người liên hệ", "Contact person"),
        "registration.contact_email" => ("Thư điện tử liên hệ", "Contact e-mail"),
        "registration.contact_phone" => ("Điện thoại liên hệ", "Contact phone"),
        "registration.phone.format" => (
            "Số điện thoại chỉ gồm chữ số, dấu cách, +, -, (, ).",
            "A phone number has digits, spaces, +, -, ( and ) only.",
        ),
        "registration.send" => ("Gửi đăng ký", "Send the registration"),
        "registration.sent" => (
            "Đã gửi; đang chờ cơ quan thuế trả lời.",
            "Sent; waiting for the authority's answer.",
        ),
        "registration.state" => ("Tình trạng đăng ký", "Registration state"),
        "registration.state.none" => ("Chưa gửi", "Not sent"),
        "registration.state.sent" => ("Đã gửi, chờ tiếp nhận", "Sent, not yet received"),
        "registration.state.received" => (
            "Cơ quan thuế đã tiếp nhận, chờ kết quả",
            "Received by the authority, awaiting its decision",
        ),
        "registration.state.accepted" => ("Đã được chấp nhận", "Accepted"),
        "registration.state.refused" => ("Bị từ chối", "Refused"),
        "registration.accepted_kinds" => ("Được phép phát hành", "May be issued"),
        "registration.reasons" => ("Lý do từ chối", "Reasons for the refusal"),
        "registration.elsewhere" => (
            "Đã đăng ký qua nhà cung cấp khác (không chặn phát hành ở đây)",
            "Registered through another provider (issuing is not gated here)",
        ),
        "registration.settings_saved" => ("Đã lưu.", "Saved."),
        "yes" => ("có", "yes"),
        "no" => ("không", "no"),
        "notices.title" => (
            "Thông báo hóa đơn có sai sót (04/SS-HĐĐT)",
            "Notices of erroneous invoices (04/SS-HĐĐT)",
        ),
        "notices.new" => ("Lập thông báo mới", "New notice"),
        "notices.office_code" => ("Mã cơ quan thuế quản lý", "Tax office code"),
        "notices.office_name" => ("Tên cơ quan thuế quản lý", "Tax office name"),
        "notices.place" => ("Địa danh", "Place"),
        "notices.office.default" => (
            "Để trống: lấy cơ quan thuế và địa danh từ hồ sơ công ty.",
            "Left empty: the tax office and place come from the company profile.",
        ),
        "notices.invoice" => ("Hóa đơn", "Invoice"),
        "notices.invoice.pick" => ("Chọn hóa đơn đã phát hành", "Pick an issued invoice"),
        "notices.action" => ("Tính chất thông báo", "Action"),
        "notices.reason" => ("Lý do", "Reason"),
        "notices.row.add" => ("Thêm hóa đơn", "Add an invoice"),
        "notices.row.remove" => ("Bỏ dòng này", "Remove this row"),
        "notices.send" => ("Gửi thông báo", "Send the notice"),
        "notices.sent" => ("Đã gửi thông báo.", "Notice sent."),
        "notices.incomplete" => (
            "Cho mỗi dòng, chọn hóa đơn và ghi lý do.",
            "For each row, pick the invoice and write the reason.",
        ),
        "notices.rows" => ("Các hóa đơn", "Invoices"),
        "notices.date" => ("Ngày gửi", "Sent on"),
        "action.1" => ("Hủy", "Cancel"),
        "action.2" => ("Điều chỉnh", "Adjust"),
        "action.3" => ("Thay thế", "Replace"),
        "action.4" => ("Giải trình", "Explain"),
        "notice.state.sent" => ("Đã gửi", "Sent"),
        "notice.state.received" => ("Đã tiếp nhận", "Received"),
        "notice.state.accepted" => ("Được chấp nhận", "Accepted"),
        "notice.state.refused" => ("Bị từ chối", "Refused"),
        _ => return None,
    })
}
