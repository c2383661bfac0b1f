//! The words of the first load about the books (#18): the menu only. The books, vouchers and
//! reports screens have theirs in `crate::books::texts`, in the screens module.

/// `(vi, en)` for `key`, or `None` when it is not one of these.
pub fn pair(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "nav.books" => ("Sổ sách", "Books"),
        "nav.vouchers" => ("Chứng từ", "Vouchers"),
        "nav.reports" => ("Thống kê", "Reports"),
        _ => return None,
    })
}
