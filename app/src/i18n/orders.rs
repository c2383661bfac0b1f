//! The words of the first load about orders (#19): the menu only. The orders' screens have
//! theirs in `crate::orders::texts`, in the screens module.

/// `(vi, en)` for `key`, or `None` when it is not one of these.
pub fn pair(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "nav.orders" => ("Đơn hàng", "Orders"),
        _ => return None,
    })
}
