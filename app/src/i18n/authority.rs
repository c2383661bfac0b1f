//! The words of the first load about the tax authority: the invoice's authority block, revise
//! mode, the menu. The authority's own screens have theirs in `crate::authority::texts`, so
//! the first load does not carry them.

/// `(vi, en)` for `key`, or `None` when it is not one of these.
pub fn pair(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "nav.outbox" => ("Thông điệp gửi CQT", "Outbox"),
        "nav.registration" => ("Đăng ký HĐĐT", "Registration"),
        "nav.notices" => ("Thông báo 04/SS", "04/SS notices"),
        "nav.tokens" => ("Token truy cập", "Access tokens"),
        "count.outbox_attention" => (
            "thông điệp gửi CQT cần xử lý",
            "messages to the authority need attention",
        ),
        "authority" => ("Cơ quan thuế", "Tax authority"),
        "authority.code" => ("Mã của cơ quan thuế (MCCQT)", "Authority code (MCCQT)"),
        "authority.test" => (
            "THỬ NGHIỆM — không có giá trị pháp lý",
            "TEST — no legal value",
        ),
        "authority.test.explain" => (
            "Mã này do trình giả lập cơ quan thuế cấp: dữ liệu thử nghiệm, không phải hóa đơn hợp pháp.",
            "This code comes from the local simulator of the authority: test data, not a legal invoice.",
        ),
        "authority.errors" => (
            "Cơ quan thuế từ chối vì:",
            "The authority refused it because:",
        ),
        "authority.waiting" => (
            "Đang chờ cơ quan thuế trả lời; trang tự cập nhật.",
            "Waiting for the authority's answer; this page updates itself.",
        ),
        "authority.message" => ("Thông điệp gửi đi", "The message sent"),
        "deliverable" => ("Có thể gửi người mua", "Deliverable to the buyer"),
        "deliverable.not" => (
            "Chưa gửi được cho người mua",
            "Not yet deliverable to the buyer",
        ),
        "revise" => ("Sửa và gửi lại", "Fix and re-send"),
        "revise.title" => ("Sửa hóa đơn bị từ chối", "Fix a refused invoice"),
        "revise.keeps_number" => (
            "Hóa đơn được sửa và gửi lại cơ quan thuế với đúng ký hiệu và số cũ:",
            "The invoice is fixed and sent to the authority again under the same series and number:",
        ),
        "revise.send" => ("Gửi lại cơ quan thuế", "Re-send to the authority"),
        "revise.not_rejected" => (
            "Chỉ hóa đơn bị cơ quan thuế từ chối mới sửa và gửi lại được.",
            "Only an invoice the authority refused can be fixed and re-sent.",
        ),
        "revise.conflict" => (
            "Hóa đơn vừa thay đổi ở nơi khác; đã tải lại bản mới nhất.",
            "The invoice just changed elsewhere; the latest copy was loaded.",
        ),
        "registration.required" => (
            "Chưa được cơ quan thuế chấp nhận đăng ký sử dụng loại hóa đơn này.",
            "The tax authority has not accepted a registration for this kind of invoice.",
        ),
        "registration.open" => ("Mở màn hình đăng ký", "Open the registration"),
        "action.sent" => ("Gửi cơ quan thuế", "Sent to the authority"),
        "action.coded" => ("Cơ quan thuế cấp mã", "Coded by the authority"),
        "action.rejected" => ("Cơ quan thuế từ chối", "Refused by the authority"),
        "action.revised" => ("Sửa và gửi lại", "Fixed to be re-sent"),
        "action.data_sent" => ("Gửi dữ liệu cơ quan thuế", "Data sent"),
        "action.data_accepted" => ("Cơ quan thuế nhận dữ liệu", "Data accepted"),
        _ => return None,
    })
}
