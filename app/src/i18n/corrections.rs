//! The words of the first load about corrections (#16): an invoice's standing, what a
//! correction corrects, the link to the corrections screen and the list's filters. The
//! corrections screen and the buyer's page have theirs in `crate::corrections::texts`, so the
//! first load does not carry them.

/// `(vi, en)` for `key`, or `None` when it is not one of these.
pub fn pair(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "standing.issued" => ("Chưa điều chỉnh, thay thế", "Not corrected"),
        "standing.replacement_pending" => ("Đang được thay thế", "Replacement pending"),
        "standing.replaced" => ("Đã bị thay thế", "Replaced"),
        "standing.adjusted" => ("Đã được điều chỉnh", "Adjusted"),
        "standing.cancelled" => ("Đã hủy", "Cancelled"),
        "corrects.replacement" => ("Thay thế cho hóa đơn", "Replaces invoice"),
        "corrects.adjustment" => ("Điều chỉnh cho hóa đơn", "Adjusts invoice"),
        "corrections.open" => ("Điều chỉnh, thay thế…", "Corrections…"),
        "discard" => ("Bỏ bản nháp này", "Discard this draft"),
        "discard.sure" => (
            "Bỏ bản nháp điều chỉnh/thay thế này? Hóa đơn gốc lại có thể được điều chỉnh, thay thế.",
            "Discard this correction draft? The original can then be corrected again.",
        ),
        "filter.awaiting_confirmation" => (
            "Chờ người mua xác nhận",
            "Awaiting the buyer's confirmation",
        ),
        _ => return None,
    })
}
