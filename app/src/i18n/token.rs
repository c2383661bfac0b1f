//! The words of the first load about signing with a USB token (#15): the invoice's banner while
//! it awaits the token, the home list, the menu. The token signing screen and the series' signing
//! mode have theirs in `crate::token::texts`, so the first load does not carry them.

/// `(vi, en)` for `key`, or `None` when it is not one of these.
pub fn pair(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "nav.token" => ("Ký bằng USB token", "Token signing"),
        "nav.certificates" => ("Chứng thư số", "Certificates"),
        "token.awaiting.title" => (
            "Hóa đơn chờ ký bằng USB token",
            "Invoices awaiting a token signature",
        ),
        "token.banner" => ("Chờ ký bằng USB token", "Awaiting token signature"),
        "token.banner.explain" => (
            "Hóa đơn đã được kiểm tra và khóa nội dung; chưa có số. Trên máy tính có cắm USB token, chạy “hoadon token sign”, hoặc xuất gói ở màn hình “Ký bằng USB token”, ký rồi nhập lại. Số được cấp khi một phiên ký nhận hóa đơn.",
            "The invoice is checked and its content frozen; it has no number yet. On the computer with the USB token, run “hoadon token sign”, or export a bundle on the “Token signing” screen, sign it and import it back. The number is given when a signing session takes it.",
        ),
        "token.claimed.explain" => (
            "Đã cấp số cho phiên ký bằng USB token; chờ chữ ký được gửi lên. Phiên ký sau sẽ nhận lại hóa đơn này với cùng số.",
            "Numbered for a token signing session; waiting for its signature. The next session gets it again with the same number.",
        ),
        "token.withdraw" => ("Rút về bản nháp", "Withdraw to draft"),
        "action.awaiting_token" => (
            "Phát hành, chờ ký bằng USB token",
            "Issued, awaiting the token",
        ),
        "action.withdrawn" => ("Rút về bản nháp", "Withdrawn to draft"),
        _ => return None,
    })
}
