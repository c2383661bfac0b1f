//! The words of the first load about delivery (#17): why an issued invoice cannot be delivered
//! yet. Its print, download, share, converted copy and e-mail panel, the template editor and the
//! public lookup page are in the screens module, with their words (`crate::delivery::texts`).

/// `(vi, en)` for `key`, or `None` when it is not one of these.
pub fn pair(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "pdf.not_signed" => (
            "Chưa ký số: chưa in, tải hay gửi được.",
            "Not signed yet: cannot be printed, downloaded or sent.",
        ),
        "pdf.not_coded" => (
            "Chưa có mã CQT: chưa in, tải hay gửi được.",
            "Awaiting the tax authority's code: cannot be printed, downloaded or sent.",
        ),
        _ => return None,
    })
}
