//! The words of the corrections screen and of the buyer's confirmation page. Looked up here
//! first, then in [`crate::i18n::text`]: only these screens call it, so they travel in the lazily
//! loaded module, not in the first load (which has only the standings, the filter and the link).

use crate::i18n::{self, Lang};
use hoadon_core::corrections::{ConfirmationState, Direction, LinkState, Method, Side};

/// The label for `key` in `lang` (the app's own words when it is not one of these).
pub fn text(lang: Lang, key: &'static str) -> &'static str {
    i18n::text_in(lang, key, pair)
}

pub fn method_key(m: Method) -> &'static str {
    match m {
        Method::Replacement => "method.replacement",
        Method::Adjustment => "method.adjustment",
        Method::Cancellation => "method.cancellation",
        Method::Explanation => "method.explanation",
    }
}

pub fn direction_key(d: Direction) -> &'static str {
    match d {
        Direction::Increase => "direction.increase",
        Direction::Decrease => "direction.decrease",
        Direction::Information => "direction.information",
    }
}

pub fn link_key(s: LinkState) -> &'static str {
    match s {
        LinkState::Draft => "link.draft",
        LinkState::Pending => "link.pending",
        LinkState::Valid => "link.valid",
        LinkState::Rejected => "link.rejected",
    }
}

pub fn confirmation_key(s: ConfirmationState) -> &'static str {
    match s {
        ConfirmationState::AwaitingBuyer => "confirmation.awaiting_buyer",
        ConfirmationState::AwaitingSeller => "confirmation.awaiting_seller",
        ConfirmationState::Confirmed => "confirmation.confirmed",
        ConfirmationState::NotNeeded => "confirmation.not_needed",
        ConfirmationState::Revoked => "confirmation.revoked",
    }
}

pub fn side_key(s: Side) -> &'static str {
    match s {
        Side::Seller => "side.seller",
        Side::Buyer => "side.buyer",
    }
}

fn pair(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "corr.title" => ("Điều chỉnh, thay thế hóa đơn", "Corrections of invoice"),
        "corr.chain" => ("Chứng từ liên quan", "Related documents"),
        "corr.kind" => ("Loại", "Kind"),
        "corr.original" => ("Hóa đơn gốc", "Original invoice"),
        "corr.here" => ("(hóa đơn này)", "(this invoice)"),
        "corr.state" => ("Tình trạng", "State"),
        "corr.confirmation" => ("Xác nhận của người mua", "Buyer's confirmation"),
        "corr.cancelled" => ("Đã hủy ngày", "Cancelled on"),
        "corr.notice" => ("Thông báo 04/SS", "04/SS notice"),
        "corr.figures" => (
            "Số liệu sau các lần điều chỉnh",
            "Figures with the adjustments",
        ),
        "corr.figures.hint" => (
            "Hóa đơn gốc cộng các hóa đơn điều chỉnh đã có hiệu lực.",
            "The original plus its valid adjustments.",
        ),
        "corr.rate" => ("Thuế suất", "VAT rate"),
        "corr.list" => (
            "Bảng kê hóa đơn được điều chỉnh, thay thế (01/BK-ĐCTT)",
            "List of the invoices it corrects (01/BK-ĐCTT)",
        ),
        "corr.list.total" => ("Tổng tiền đã lập", "Total as issued"),
        "corr.list.difference" => ("Chênh lệch", "Difference"),
        "corr.none_rate" => ("Không chịu thuế", "No VAT"),
        "corr.actions" => ("Xử lý sai sót", "Correct it"),
        "corr.reason" => (
            "Lý do (ghi trên hóa đơn)",
            "Reason (written on the invoice)",
        ),
        "corr.direction" => ("Điều chỉnh", "Adjustment"),
        "corr.make.replacement" => ("Lập hóa đơn thay thế", "Draft the replacement"),
        "corr.make.adjustment" => ("Lập hóa đơn điều chỉnh", "Draft the adjustment"),
        "corr.make.cancellation" => ("Hủy hóa đơn", "Cancel the invoice"),
        "corr.ground" => ("Căn cứ hủy", "Ground for the cancellation"),
        "ground.not_sent_to_buyer" => (
            "Hóa đơn có sai sót, chưa gửi cho người mua",
            "Wrong, and not yet sent to the buyer",
        ),
        "ground.prepaid_service_cancelled" => (
            "Dịch vụ thu tiền trước đã bị hủy",
            "A prepaid service, since cancelled",
        ),
        "corr.cancel.sure" => (
            "Hủy hóa đơn này? Thông báo 04/SS được ký và gửi cơ quan thuế; không thể hoàn tác.",
            "Cancel this invoice? A 04/SS notice is signed and sent to the tax authority; it cannot be undone.",
        ),
        "corr.explain.allowed" => (
            "Sai sót không liên quan đến mã số thuế và số tiền (tên, địa chỉ): gửi thông báo 04/SS.",
            "An error touching neither tax id nor amounts (name, address): send a 04/SS notice.",
        ),
        "corr.back" => ("Về hóa đơn", "Back to the invoice"),
        "corr.open_draft" => ("Mở bản nháp", "Open the draft"),
        "method.replacement" => ("Thay thế", "Replace"),
        "method.adjustment" => ("Điều chỉnh", "Adjust"),
        "method.cancellation" => ("Hủy", "Cancel"),
        "method.explanation" => ("Thông báo sai sót", "Notify error"),
        "direction.increase" => ("Tăng", "Increase"),
        "direction.decrease" => ("Giảm (ghi số âm)", "Decrease (negative amounts)"),
        "direction.information" => (
            "Thông tin (không đổi số tiền)",
            "Information only (no amounts)",
        ),
        "link.draft" => ("Đang lập", "Being drafted"),
        "link.pending" => ("Chờ có hiệu lực", "Not yet valid"),
        "link.valid" => ("Có hiệu lực", "Valid"),
        "link.rejected" => ("CQT từ chối", "Refused by the authority"),
        "confirmation.awaiting_buyer" => ("Chờ người mua xác nhận", "Awaiting the buyer"),
        "confirmation.awaiting_seller" => ("Chờ người bán xác nhận", "Awaiting the seller"),
        "confirmation.confirmed" => ("Đã xác nhận", "Confirmed"),
        "confirmation.not_needed" => ("Không cần xác nhận", "Not needed"),
        "confirmation.revoked" => ("Đã thu hồi", "Revoked"),
        "side.seller" => ("Người bán", "Seller"),
        "side.buyer" => ("Người mua", "Buyer"),
        "conf.title" => ("Thỏa thuận với người mua", "The buyer's agreement"),
        "conf.explain" => (
            "Người mua có mã số thuế: hóa đơn điều chỉnh, thay thế chỉ phát hành được khi người mua đã xác nhận (qua đường dẫn) hoặc đã có văn bản thỏa thuận.",
            "The buyer has a tax id: the correction can be issued only once the buyer confirmed (through the link) or the signed agreement is recorded.",
        ),
        "conf.none" => ("Chưa yêu cầu xác nhận.", "No confirmation requested yet."),
        "conf.individual" => (
            "Người mua không có mã số thuế: không cần xác nhận.",
            "The buyer has no tax id: no confirmation is needed.",
        ),
        "conf.request" => ("Yêu cầu người mua xác nhận", "Request buyer confirmation"),
        "conf.link" => (
            "Gửi đường dẫn này cho người mua (chỉ hiện một lần):",
            "Send this link to the buyer (shown once):",
        ),
        "conf.copy" => ("Sao chép", "Copy"),
        "conf.copied" => ("Đã sao chép", "Copied"),
        "conf.record" => ("Ghi nhận văn bản thỏa thuận", "Record the signed agreement"),
        "conf.file" => (
            "Văn bản thỏa thuận đã ký (PDF, ảnh; tối đa 2 MB)",
            "The signed agreement (PDF, image; at most 2 MB)",
        ),
        "conf.too_big" => ("Tệp quá 2 MB.", "The file is over 2 MB."),
        "conf.document" => ("Văn bản", "Document"),
        "conf.revoke" => ("Thu hồi", "Revoke"),
        "conf.revoke.sure" => (
            "Thu hồi xác nhận này? Hóa đơn sẽ cần xác nhận lại trước khi phát hành.",
            "Revoke this confirmation? The correction then needs a new one before it is issued.",
        ),
        "conf.entered_by" => ("Do ai lập", "Entered by"),
        "conf.history" => ("Diễn biến", "History"),
        "public.title" => (
            "Xác nhận hóa đơn điều chỉnh, thay thế",
            "Confirm a corrected invoice",
        ),
        "public.intro" => (
            "Người bán đề nghị quý khách xác nhận nội dung sửa đổi dưới đây trước khi phát hành hóa đơn.",
            "The seller asks you to confirm the correction below before the invoice is issued.",
        ),
        "public.reason" => ("Lý do", "Reason"),
        "public.confirm" => ("Xác nhận", "Confirm"),
        "public.name" => (
            "Họ tên người xác nhận cho bên mua",
            "Your name (confirming for the buyer)",
        ),
        "public.done" => (
            "Cảm ơn quý khách: người bán đã nhận được xác nhận.",
            "Thank you: the seller has your confirmation.",
        ),
        "public.gone" => (
            "Đường dẫn không còn hiệu lực (đã thu hồi hoặc không đúng).",
            "This link is no longer valid (revoked or mistyped).",
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_has_words_in_both_languages() {
        let keys = [
            Method::Replacement,
            Method::Adjustment,
            Method::Cancellation,
            Method::Explanation,
        ]
        .map(method_key)
        .into_iter()
        .chain(
            [
                Direction::Increase,
                Direction::Decrease,
                Direction::Information,
            ]
            .map(direction_key),
        )
        .chain(
            [
                LinkState::Draft,
                LinkState::Pending,
                LinkState::Valid,
                LinkState::Rejected,
            ]
            .map(link_key),
        )
        .chain(
            [
                ConfirmationState::AwaitingBuyer,
                ConfirmationState::AwaitingSeller,
                ConfirmationState::Confirmed,
                ConfirmationState::NotNeeded,
                ConfirmationState::Revoked,
            ]
            .map(confirmation_key),
        )
        .chain([Side::Seller, Side::Buyer].map(side_key))
        .chain(
            hoadon_core::corrections::Standing::ALL.map(crate::invoices::corrections::standing_key),
        );
        for k in keys {
            for lang in [Lang::Vi, Lang::En] {
                assert_ne!(text(lang, k), k, "{k} has no words");
            }
        }
    }
}
