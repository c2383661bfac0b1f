//! The words of the template editor and the public lookup page. Looked up here first, then in
//! [`crate::i18n::text`]: only these screens call it, so they travel in the lazily loaded
//! module, not in the first load.

use crate::i18n::{self, Lang};

/// The label for `key` in `lang` (the app's own words when it is not one of these).
pub fn text(lang: Lang, key: &'static str) -> &'static str {
    i18n::text_in(lang, key, pair)
}

fn pair(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "pdf.print" => ("In", "Print"),
        "pdf.download" => ("Tải PDF", "Download PDF"),
        "pdf.share" => ("Chia sẻ", "Share"),
        "pdf.converted" => ("Bản chuyển đổi", "Converted copy"),
        "pdf.converter" => (
            "Họ tên người chuyển đổi (in dưới chữ ký):",
            "Name of the person converting (printed under the signature):",
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
        "tpl.title" => ("Mẫu in hóa đơn", "Print template"),
        "tpl.open" => ("Mẫu in", "Template"),
        "tpl.version" => ("Phiên bản", "Version"),
        "tpl.builtin" => ("mẫu mặc định", "built-in default"),
        "tpl.show_logo" => ("In logo công ty", "Print the company logo"),
        "tpl.accent" => ("Màu nhấn", "Accent colour"),
        "tpl.labels" => ("Nhãn", "Labels"),
        "tpl.labels.vi" => ("Tiếng Việt", "Vietnamese"),
        "tpl.labels.vi_en" => ("Tiếng Việt và tiếng Anh", "Vietnamese and English"),
        "tpl.columns" => ("Cột thêm", "Extra columns"),
        "tpl.col.code" => ("Mã hàng", "Product code"),
        "tpl.col.discount" => ("Chiết khấu", "Discount"),
        "tpl.footer" => ("Ghi chú chân trang", "Footer note"),
        "tpl.preview" => ("Xem trước", "Preview"),
        "tpl.save" => ("Lưu", "Save"),
        "tpl.saved" => ("Đã lưu phiên bản", "Saved version"),
        "tpl.conflict" => (
            "Mẫu vừa được sửa ở nơi khác; đã tải bản mới nhất, hãy sửa lại.",
            "The template was just changed elsewhere; the latest is loaded, edit it again.",
        ),
        "tpl.versions" => ("Các phiên bản", "Versions"),
        "tpl.who" => ("Người sửa", "By"),
        "tpl.when" => ("Lúc", "When"),
        "tpl.admins" => (
            "Chỉ quản trị viên sửa được mẫu in.",
            "Only admins change the template.",
        ),
        "tpl.back" => ("Về ký hiệu hóa đơn", "Back to the series"),
        "lookup.title" => ("Tra cứu hóa đơn điện tử", "Look up an e-invoice"),
        "lookup.intro" => (
            "Nhập mã tra cứu in trên hóa đơn.",
            "Type the lookup code printed on the invoice.",
        ),
        "lookup.code" => ("Mã tra cứu", "Lookup code"),
        "lookup.submit" => ("Tra cứu", "Look up"),
        "lookup.bad_code" => (
            "Mã tra cứu gồm 16 chữ và số.",
            "A lookup code has 16 letters and digits.",
        ),
        "lookup.none" => (
            "Không tìm thấy hóa đơn với mã này.",
            "No invoice with this code.",
        ),
        "lookup.wait" => (
            "Bạn đã tra cứu quá nhiều lần; vui lòng đợi rồi thử lại sau (giây):",
            "Too many look-ups; please wait and try again in (seconds):",
        ),
        "lookup.unreadable" => (
            "Không đọc được tệp hóa đơn.",
            "The invoice file cannot be read.",
        ),
        "lookup.test" => ("THỬ NGHIỆM", "TEST"),
        "lookup.test.explain" => (
            "Hóa đơn thử nghiệm, không có giá trị pháp lý.",
            "A test invoice, of no legal value.",
        ),
        "lookup.replaced" => ("Hóa đơn này đã bị thay thế.", "This invoice was replaced."),
        "lookup.cancelled" => ("Hóa đơn này đã bị hủy.", "This invoice was cancelled."),
        "lookup.pdf" => ("Tải PDF", "Download PDF"),
        "lookup.xml" => ("Tải XML", "Download XML"),
        "lookup.signatures" => ("Chữ ký số", "Digital signatures"),
        "lookup.no_signature" => ("Không có chữ ký số.", "No digital signature."),
        _ => return None,
    })
}
