//! The words of the certificates screen. Looked up here first, then in [`crate::i18n::text`]:
//! only this screen calls it, so they travel in the lazily loaded module, not in the first load
//! (which has only the menu's `nav.certificates`).

use crate::i18n::{self, Lang};

/// The label for `key` in `lang` (the app's own words when it is not one of these).
pub fn text(lang: Lang, key: &'static str) -> &'static str {
    i18n::text_in(lang, key, pair)
}

fn pair(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "certs.title" => ("Chứng thư số", "Certificates"),
        "certs.intro" => (
            "Các chứng thư số dùng để ký hóa đơn của công ty: của USB token, của dịch vụ ký số từ xa, hoặc do CA cấp cho khóa trên máy chủ. Mỗi chứng thư phải mang mã số thuế của công ty (MST:) và còn hiệu lực.",
            "The certificates the company's invoices are signed with: a USB token's, the CA's remote signing's, or one a CA issued for the server's cloud key. Each must carry the company's tax id (MST:) and be valid.",
        ),
        "certs.label" => ("Tên gọi", "Label"),
        "certs.subject" => ("Chủ thể", "Subject"),
        "certs.issuer" => ("Tổ chức cấp", "Issuer"),
        "certs.validity" => ("Hiệu lực", "Validity"),
        "certs.key_bits" => ("Độ dài khóa (bit)", "Key bits"),
        "certs.uploaded" => ("Người tải lên, lúc", "Uploaded by, at"),
        "certs.state" => ("Trạng thái", "State"),
        "certs.series" => ("Ký hiệu đang dùng", "Used by series"),
        "certs.valid" => ("Còn hiệu lực", "Valid"),
        "certs.expired" => ("Đã hết hạn", "Expired"),
        "certs.not_yet" => ("Chưa đến ngày hiệu lực", "Not yet valid"),
        "certs.revoked" => ("Đã thu hồi", "Revoked"),
        "certs.none" => (
            "Chưa có chứng thư số nào được đăng ký.",
            "No certificate is registered yet.",
        ),
        "certs.revoke" => ("Thu hồi", "Revoke"),
        "certs.revoke.sure" => (
            "Thu hồi chứng thư này? Nó sẽ không còn được dùng để ký; chữ ký cũ vẫn được giữ và giải thích.",
            "Revoke this certificate? It is no longer used to sign; old signatures stay explained.",
        ),
        "certs.revoked.done" => ("Đã thu hồi chứng thư", "Certificate revoked"),
        "certs.upload" => ("Đăng ký chứng thư số", "Register a certificate"),
        "certs.upload.hint" => (
            "Tệp .pem, .crt hoặc .cer (PEM, có thể kèm chuỗi chứng thư của CA, hoặc DER).",
            "A .pem, .crt or .cer file (PEM, possibly with the CA's chain, or DER).",
        ),
        "certs.file" => ("Tệp chứng thư", "Certificate file"),
        "certs.label.optional" => ("Tên gọi (không bắt buộc)", "Label (optional)"),
        "certs.send" => ("Đăng ký", "Register"),
        "certs.created" => ("Đã đăng ký chứng thư", "Certificate registered"),
        "certs.known" => (
            "Chứng thư này đã được đăng ký từ trước",
            "This certificate was registered already",
        ),
        "certs.unreadable" => ("Không đọc được tệp", "The file cannot be read"),
        "certs.admin_only" => (
            "Chỉ quản trị viên đăng ký, thu hồi chứng thư và tạo yêu cầu cấp chứng thư.",
            "Only an admin registers and revokes certificates and makes certificate requests.",
        ),
        "certs.csr" => (
            "Yêu cầu CA cấp chứng thư cho khóa trên máy chủ",
            "Request a CA certificate for the cloud key",
        ),
        "certs.csr.explain" => (
            "Tạo một yêu cầu cấp chứng thư (CSR, PKCS#10) cho khóa ký của công ty trên máy chủ. Gửi tệp này cho CA; khi CA cấp chứng thư, đăng ký chứng thư đó (kèm chuỗi chứng thư của CA) ở trên. Từ lúc đó, khóa trên máy chủ ký bằng chứng thư này.",
            "Makes a certificate request (CSR, PKCS#10) for the company's signing key on the server. Send the file to the CA; when the CA issues the certificate, register it (with the CA's chain) above. From then on the cloud key signs with it.",
        ),
        "certs.csr.make" => ("Tạo yêu cầu (CSR)", "Make the request (CSR)"),
        "certs.csr.made" => ("Đã tạo yêu cầu cho chủ thể", "Request made for the subject"),
        "certs.csr.download" => ("Tải tệp CSR", "Download the CSR"),
        "certs.csr.key" => ("Mã khóa (SHA-256)", "Key id (SHA-256)"),
        "certs.refresh" => ("Làm mới", "Refresh"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_certificate_word_is_in_both_languages() {
        let keys = [
            "certs.title",
            "certs.intro",
            "certs.label",
            "certs.subject",
            "certs.issuer",
            "certs.validity",
            "certs.key_bits",
            "certs.uploaded",
            "certs.state",
            "certs.series",
            "certs.valid",
            "certs.expired",
            "certs.not_yet",
            "certs.revoked",
            "certs.none",
            "certs.revoke",
            "certs.revoke.sure",
            "certs.revoked.done",
            "certs.upload",
            "certs.upload.hint",
            "certs.file",
            "certs.label.optional",
            "certs.send",
            "certs.created",
            "certs.known",
            "certs.unreadable",
            "certs.admin_only",
            "certs.csr",
            "certs.csr.explain",
            "certs.csr.make",
            "certs.csr.made",
            "certs.csr.download",
            "certs.csr.key",
            "certs.refresh",
            // The first load's (crate::i18n): the menu.
            "nav.certificates",
            "tax_id",
        ];
        for k in keys {
            let (vi, en) = (text(Lang::Vi, k), text(Lang::En, k));
            assert!(vi != k && en != k, "{k} has no words");
            assert_ne!(vi, en, "{k} is not translated");
        }
    }
}
