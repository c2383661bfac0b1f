//! The words of the token signing screen and of the series' signing mode. They are looked up
//! here first, then in [`crate::i18n::text`]: only those screens call this, so the words travel
//! with them in the lazily loaded module, not in the first load.

use crate::i18n::{self, Lang};

/// The label for `key` in `lang` (the app's own words when it is not one of these).
pub fn text(lang: Lang, key: &'static str) -> &'static str {
    i18n::text_in(lang, key, pair)
}

fn pair(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "mode" => ("Cách ký số", "Signing"),
        "mode.cloud" => ("Khóa trên máy chủ (cloud)", "Cloud key"),
        "mode.remote" => ("Ký số từ xa của CA", "CA remote signing"),
        "mode.token" => ("USB token", "USB token"),
        "mode.saved" => ("Đã đổi cách ký của ký hiệu", "Signing changed for series"),
        "mode.hint" => (
            "Hóa đơn đã phát hành giữ cách ký lúc phát hành.",
            "Invoices already issued keep the way they were issued with.",
        ),
        "mode.remote_not_configured" => (
            "Chưa cấu hình tài khoản ký số từ xa của CA cho công ty.",
            "The CA's remote signing account is not configured for this company.",
        ),
        "mode.admin_only" => (
            "Chỉ quản trị viên đổi được cách ký.",
            "Only an admin can change how a series is signed.",
        ),
        "token.title" => ("Ký bằng USB token", "Token signing"),
        "token.intro" => (
            "Hóa đơn của ký hiệu dùng USB token chờ ở đây đến khi được ký trên máy tính có cắm token: chạy “hoadon token sign”, hoặc xuất gói, ký gói ở máy đó (“hoadon token sign-bundle”) rồi nhập gói đã ký ở đây.",
            "Invoices of series signed with a USB token wait here until they are signed on the computer with the token: run “hoadon token sign” there, or export a bundle, sign it there (“hoadon token sign-bundle”) and import the signed bundle here.",
        ),
        "token.numbers" => (
            "Xuất gói sẽ cấp số cho các hóa đơn ngay (liên tục, theo thứ tự) và cố định thời điểm ký. Hóa đơn đã xuất mà chưa ký sẽ được xuất lại với cùng số; không rút về bản nháp được nữa.",
            "Exporting a bundle numbers the invoices now (gapless, in order) and fixes their signing time. An exported invoice not yet signed is exported again with the same number; it can no longer be withdrawn to a draft.",
        ),
        "token.waiting" => ("Chờ ký", "Waiting"),
        "token.claimed" => ("Đã cấp số, chờ chữ ký", "Numbered, awaiting its signature"),
        "token.none" => (
            "Không có hóa đơn nào chờ ký bằng USB token.",
            "No invoice awaits a token signature.",
        ),
        "token.pick" => ("Chọn", "Pick"),
        "token.certificate" => ("Chứng thư số ký", "Signing certificate"),
        "token.no_certificate" => (
            "Chưa có chứng thư số nào được đăng ký (còn hiệu lực). Hãy đăng ký chứng thư của USB token trước.",
            "No (unrevoked) certificate is registered. Register the USB token's certificate first.",
        ),
        "token.export" => ("Xuất gói để ký", "Export a bundle to sign"),
        "token.export.picked" => ("Xuất gói các hóa đơn đã chọn", "Export the picked invoices"),
        "token.exported" => ("Đã xuất gói, số hóa đơn:", "Bundle exported, invoices:"),
        "token.remaining" => ("còn chờ", "still waiting"),
        "token.skipped" => ("Không xuất được", "Not exported"),
        "token.import" => ("Nhập gói đã ký", "Import a signed bundle"),
        "token.import.hint" => (
            "Tệp “hoadon-signatures/1” do “hoadon token sign-bundle” tạo từ gói đã xuất.",
            "The “hoadon-signatures/1” file “hoadon token sign-bundle” makes from an exported bundle.",
        ),
        "token.format" => (
            "Không phải gói đã ký của hoadon: định dạng",
            "Not a signed hoadon bundle: format",
        ),
        "token.format.expected" => ("cần", "expected"),
        "token.format.unsigned" => (
            "Đây là gói chưa ký: hãy ký nó trên máy có USB token trước.",
            "This is the unsigned bundle: sign it on the computer with the USB token first.",
        ),
        "token.unreadable" => ("Không đọc được tệp", "The file cannot be read"),
        "token.results" => ("Kết quả nhập", "Import results"),
        "token.outcome" => ("Kết quả", "Outcome"),
        "token.attached" => ("Đã gắn chữ ký", "Signature attached"),
        "token.already" => ("Đã gắn từ trước", "Already attached"),
        "token.refused" => ("Bị từ chối", "Refused"),
        "token.refresh" => ("Làm mới", "Refresh"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_token_word_is_in_both_languages() {
        let keys = [
            "mode",
            "mode.cloud",
            "mode.remote",
            "mode.token",
            "mode.saved",
            "mode.hint",
            "mode.remote_not_configured",
            "token.title",
            "token.intro",
            "token.numbers",
            "token.waiting",
            "token.claimed",
            "token.none",
            "token.certificate",
            "token.export",
            "token.export.picked",
            "token.exported",
            "token.import",
            "token.format",
            "token.format.unsigned",
            "token.attached",
            "token.already",
            "token.refused",
            // The first load's (crate::i18n).
            "nav.token",
            "token.banner",
            "token.banner.explain",
            "token.claimed.explain",
            "token.withdraw",
            "token.awaiting.title",
            "action.awaiting_token",
            "action.withdrawn",
        ];
        for k in keys {
            let (vi, en) = (text(Lang::Vi, k), text(Lang::En, k));
            assert!(vi != k && en != k, "{k} has no words");
        }
        assert_ne!(text(Lang::Vi, "token.title"), text(Lang::En, "token.title"));
    }
}
