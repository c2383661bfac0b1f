//! The words of the first load about delivery (#17): the invoice screen's print, download,
//! share and converted-copy buttons and its e-mail panel. The template editor and the public
//! lookup page have theirs in `crate::delivery::texts`, so the first load does not carry them.

/// `(vi, en)` for `key`, or `None` when it is not one of these.
pub fn pair(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "pdf.print" => ("In", "Print"),
        "pdf.download" => ("Tải PDF", "Download PDF"),
        "pdf.share" => ("Chia sẻ", "Share"),
        "pdf.converted" => ("Bản chuyển đổi", "Converted copy"),
        "pdf.converter" => (
            "Họ tên người chuyển đổi (in dưới chữ ký):",
            "Name of the person converting (printed under the signature):",
        ),
        "pdf.not_signed" => (
            "Chưa ký số: chưa in, tải hay gửi được.",
            "Not signed yet: cannot be printed, downloaded or sent.",
        ),
        "pdf.not_coded" => (
            "Chưa có mã CQT: chưa in, tải hay gửi được.",
            "Awaiting the tax authority's code: cannot be printed, downloaded or sent.",
        ),
        "mail" => ("Gửi hóa đơn qua thư điện tử", "E-mail"),
        "mail.to" => ("Đến (cách nhau bằng dấu phẩy)", "To (comma-separated)"),
        "mail.to.hint" => (
            "Để trống: gửi đến thư điện tử của người mua.",
            "Empty: the buyer's e-mail.",
        ),
        "mail.lang" => ("Ngôn ngữ thư", "Language"),
        "mail.send" => ("Gửi", "Send"),
        "mail.resend" => ("Gửi lại", "Resend"),
        "mail.none" => ("Chưa gửi thư nào.", "No e-mail sent yet."),
        "mail.queued" => ("Đang chờ gửi", "Queued"),
        "mail.sent" => ("Đã gửi", "Sent"),
        "mail.needs_attention" => ("Cần xử lý", "Needs attention"),
        "mail.auto" => ("tự động", "automatic"),
        "mail.attempts" => ("lần thử", "attempts"),
        "mail.asked" => ("Đã xếp thư vào hàng gửi.", "The e-mail is queued."),
        _ => return None,
    })
}
