//! The app's words in Vietnamese and English, and vi-VN number formatting.

mod authority;
mod books;
mod corrections;
mod delivery;
mod orders;
mod token;

use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }
}

/// The label for `key`; an unknown key shows itself (a missing translation is visible).
pub fn text(lang: Lang, key: &'static str) -> &'static str {
    let (vi, en) = match key {
        "lang.switch" => ("English", "Tiếng Việt"),
        "signin.title" => ("Đăng nhập", "Sign in"),
        "signin.email" => ("Thư điện tử", "E-mail"),
        "signin.password" => ("Mật khẩu", "Password"),
        "signin.submit" => ("Đăng nhập", "Sign in"),
        "signin.hosted" => (
            "Đăng nhập bằng tài khoản của công ty bạn (trang đăng nhập của hoadon).",
            "Sign in with your company account (hoadon's sign-in page).",
        ),
        "signout" => ("Đăng xuất", "Sign out"),
        "editor.title" => ("Hóa đơn nháp", "Draft invoice"),
        "form" => ("Mẫu số", "Form"),
        "symbol" => ("Ký hiệu", "Symbol"),
        "issue_date" => ("Ngày lập", "Issue date"),
        "seller" => ("Người bán", "Seller"),
        "buyer" => ("Người mua", "Buyer"),
        "name" => ("Tên", "Name"),
        "tax_id" => ("Mã số thuế", "Tax id"),
        "address" => ("Địa chỉ", "Address"),
        "lines" => ("Hàng hóa, dịch vụ", "Goods and services"),
        "line.name" => ("Tên hàng hóa, dịch vụ", "Description"),
        "line.unit" => ("Đơn vị tính", "Unit"),
        "line.quantity" => ("Số lượng", "Quantity"),
        "line.unit_price" => ("Đơn giá", "Unit price"),
        "line.tax_rate" => ("Thuế suất", "VAT rate"),
        "line.amount" => ("Thành tiền", "Amount"),
        "line.add" => ("Thêm dòng", "Add a line"),
        "line.remove" => ("Xóa dòng", "Remove line"),
        "totals" => ("Tổng cộng", "Totals"),
        "totals.net" => ("Cộng tiền hàng", "Net"),
        "totals.vat" => ("Tiền thuế GTGT", "VAT"),
        "totals.total" => ("Tổng tiền thanh toán", "Total"),
        "totals.words" => ("Số tiền viết bằng chữ", "Amount in words"),
        "save" => ("Lưu nháp", "Save draft"),
        "issue" => ("Phát hành", "Issue"),
        "saved" => ("Đã lưu nháp", "Draft saved"),
        "issued" => ("Đã phát hành và ký số: số", "Issued and signed: number"),
        "download" => ("Tải XML đã ký", "Download the signed XML"),
        "conflict" => (
            "Bản nháp đã bị sửa ở nơi khác; tải lại để xem bản mới nhất.",
            "The draft was edited elsewhere; reload to see the latest version.",
        ),
        "home" => ("Trang chủ", "Home"),
        "menu" => ("Menu chính", "Main menu"),
        "skip" => ("Chuyển đến nội dung", "Skip to content"),
        "invoices" => ("Hóa đơn", "Invoices"),
        "invoice" => ("Hóa đơn", "Invoice"),
        "catalogs" => ("Danh mục", "Catalogs"),
        "series" => ("Ký hiệu hóa đơn", "Series"),
        "notfound" => ("Không có trang này", "No such page"),
        "loading" => ("Đang mở…", "Opening…"),
        "online" => ("Trực tuyến", "Online"),
        "offline" => ("Ngoại tuyến", "Offline"),
        "waiting.count" => ("bản nháp chờ đồng bộ", "drafts waiting to sync"),
        "storage.error" => (
            "Không lưu được vào thiết bị; bản nháp chỉ còn đến khi đóng trang.",
            "Cannot store on this device; drafts last only until the page closes.",
        ),
        "unreachable" => (
            "Không kết nối được máy chủ; thử lại khi có mạng.",
            "Cannot reach the server; try again when connected.",
        ),
        "new.invoice" => ("Lập hóa đơn", "New invoice"),
        "awaiting" => ("Chờ ký số", "Awaiting signature"),
        "awaiting.title" => ("Hóa đơn chờ ký số", "Invoices awaiting signature"),
        "recent" => ("Hóa đơn gần đây", "Recent invoices"),
        "waiting.title" => ("Bản nháp trên thiết bị này", "Drafts on this device"),
        "waiting.none" => ("Mọi bản nháp đã được đồng bộ.", "Every draft is synced."),
        "waiting.sync" => ("chờ đồng bộ", "waiting to sync"),
        "waiting.conflict" => ("cần chọn phiên bản", "needs a decision"),
        "waiting.issued" => ("đã phát hành ở nơi khác", "issued elsewhere"),
        "waiting.refused" => ("bị từ chối", "refused"),
        "status" => ("Trạng thái", "Status"),
        "status.any" => ("Tất cả", "Any"),
        "status.draft" => ("Nháp", "Draft"),
        "status.awaiting_token" => ("Chờ ký bằng token", "Awaiting token signature"),
        "status.numbered" => ("Đã cấp số, chờ ký", "Numbered, awaiting signature"),
        "status.signed" => ("Đã ký số", "Signed"),
        "status.sent" => ("Đã gửi CQT, chờ cấp mã", "Sent, awaiting the code"),
        "status.coded" => ("Đã cấp mã", "Coded"),
        "status.rejected" => ("CQT từ chối", "Refused by the authority"),
        "status.data_sent" => ("Đã gửi dữ liệu CQT", "Data sent"),
        "status.data_accepted" => ("CQT đã nhận dữ liệu", "Data accepted"),
        "status.unknown" => ("?", "?"),
        "number" => ("Số hóa đơn", "Number"),
        "filters" => ("Lọc hóa đơn", "Filter invoices"),
        "filter.from" => ("Từ ngày", "From"),
        "filter.to" => ("Đến ngày", "To"),
        "filter.buyer" => ("Người mua (tên, MST)", "Buyer (name, tax id)"),
        "filter.series" => ("Ký hiệu", "Series"),
        "filter.apply" => ("Lọc", "Filter"),
        "pages" => ("Trang", "Pages"),
        "page.previous" => ("Trang trước", "Previous page"),
        "page.next" => ("Trang sau", "Next page"),
        "empty" => ("Không có gì.", "Nothing here."),
        "more" => ("Xem thêm", "More"),
        "back.invoices" => ("Về danh sách hóa đơn", "Back to the invoices"),
        "edit" => ("Sửa", "Edit"),
        "new" => ("Thêm mới", "New"),
        "cancel" => ("Hủy", "Cancel"),
        "search" => ("Tìm", "Search"),
        "search.catalog" => ("Tìm theo mã, tên, MST", "Search by code, name, tax id"),
        "save.entry" => ("Lưu", "Save"),
        "conflict.entry" => (
            "Mục này vừa được sửa ở nơi khác; mở lại để xem bản mới nhất.",
            "This entry was just changed elsewhere; open it again to see the latest.",
        ),
        "import" => ("Nhập từ tệp CSV hoặc Excel", "Import a CSV or Excel file"),
        "import.hint" => (
            "Dòng đầu ghi tên các cột (tên trường hoặc tên cột như trên màn hình); tệp có dòng lỗi thì không nhập dòng nào. Các cột:",
            "The first line names the columns (field names or the labels shown on screen); a file with a bad row imports nothing. Columns:",
        ),
        "import.file" => ("Tệp CSV hoặc Excel (.xlsx)", "CSV or Excel (.xlsx) file"),
        "import.done" => ("Đã nhập:", "Imported:"),
        "import.unreadable" => ("Không đọc được tệp.", "Cannot read the file."),
        "export.csv" => ("Xuất CSV", "Export CSV"),
        "export.xlsx" => ("Xuất Excel", "Export Excel"),
        "import.report" => (
            "Các dòng lỗi (chưa nhập gì)",
            "Rows with errors (nothing imported)",
        ),
        "import.line" => ("Dòng", "Line"),
        "import.field" => ("Cột", "Column"),
        "import.problem" => ("Lỗi", "Problem"),
        "series.create" => ("Tạo ký hiệu", "Create series"),
        "series.created" => ("Đã tạo ký hiệu", "Series created:"),
        "series.last_number" => ("Số cuối đã cấp", "Last number"),
        "series.last_date" => ("Ngày của số cuối", "Date of the last number"),
        "series.form.rule" => (
            "Mẫu số là một chữ số từ 1 đến 9.",
            "The form is one digit from 1 to 9.",
        ),
        "series.symbol.rule" => (
            "Ký hiệu: C hoặc K, 2 số cuối của năm, 1 chữ cái loại hóa đơn, 2 ký tự.",
            "Symbol: C or K, the year's two digits, a type letter, two characters.",
        ),
        "series.symbol.hint" => (
            "Ví dụ C26TAA: C có mã của cơ quan thuế, 26 năm 2026, T đăng ký với cơ quan thuế, AA do bạn đặt.",
            "E.g. C26TAA: C coded by the tax authority, 26 for 2026, T registered, AA your choice.",
        ),
        "buyer.search" => (
            "Tên người mua (gõ để tìm khách hàng)",
            "Buyer name (type to search customers)",
        ),
        "email" => ("Thư điện tử", "E-mail"),
        "line.nature" => ("Tính chất", "Kind"),
        "nature.goods" => ("Hàng hóa, dịch vụ", "Goods or service"),
        "nature.promotion" => ("Khuyến mại", "Promotion"),
        "nature.discount" => ("Chiết khấu thương mại", "Trade discount"),
        "nature.note" => ("Ghi chú", "Note"),
        "line.discount_rate" => ("Chiết khấu (%)", "Discount (%)"),
        "line.discount_amount" => ("Số tiền chiết khấu", "Discount amount"),
        "sync.new" => (
            "Bản nháp mới: được lưu ngay khi bạn gõ.",
            "New draft: kept as you type.",
        ),
        "sync.saving" => ("Đang lưu vào thiết bị…", "Saving on this device…"),
        "sync.pending" => (
            "Đã lưu trên thiết bị, đang đồng bộ…",
            "Saved on this device, syncing…",
        ),
        "sync.offline" => (
            "Đã lưu trên thiết bị; sẽ đồng bộ khi có mạng.",
            "Saved on this device; syncs when the connection returns.",
        ),
        "sync.synced" => (
            "Đã đồng bộ với máy chủ, phiên bản",
            "Synced with the server, version",
        ),
        "sync.conflict" => (
            "Cần chọn phiên bản (xem bên dưới).",
            "A decision is needed (below).",
        ),
        "sync.refused" => ("Máy chủ từ chối bản nháp:", "The server refused the draft:"),
        "retry" => ("Thử lại", "Retry"),
        "issue.offline" => (
            "Phát hành cần kết nối với máy chủ; bản nháp vẫn được lưu trên thiết bị.",
            "Issuing needs the server; the draft stays saved on this device.",
        ),
        "conflict.title" => (
            "Bản nháp đã bị sửa ở nơi khác",
            "This draft was changed elsewhere",
        ),
        "conflict.explain" => (
            "Trong khi bạn sửa trên thiết bị này, bản nháp đã được sửa ở nơi khác. Chọn bản giữ lại:",
            "While you edited it on this device, it was changed elsewhere. Choose which to keep:",
        ),
        "conflict.mine" => (
            "Bản trên thiết bị này, tổng tiền",
            "This device's version, total",
        ),
        "conflict.theirs" => ("Bản trên máy chủ, phiên bản", "The server's version"),
        "conflict.keep_mine" => ("Giữ bản của tôi", "Keep my version"),
        "conflict.take_theirs" => ("Dùng bản trên máy chủ", "Use the server's version"),
        "conflict.issued.title" => (
            "Hóa đơn đã được phát hành ở nơi khác",
            "This invoice was issued elsewhere",
        ),
        "conflict.issued.explain" => (
            "Các sửa đổi trên thiết bị này không thể áp dụng cho hóa đơn đã phát hành.",
            "The changes on this device cannot apply to an issued invoice.",
        ),
        "conflict.issued.open" => ("Mở hóa đơn đã phát hành", "Open the issued invoice"),
        "conflict.issued.copy" => ("Chép sang bản nháp mới", "Copy into a new draft"),
        "signature" => ("Chữ ký số", "Digital signature"),
        "signature.valid" => (
            "Hợp lệ: trình duyệt đã kiểm tra lại chữ ký trên tệp XML.",
            "Valid: this browser checked the XML's signature itself.",
        ),
        "signature.invalid" => ("KHÔNG hợp lệ.", "NOT valid."),
        "signature.signer" => ("Người ký", "Signer"),
        "signature.time" => ("Thời điểm ký", "Signed at"),
        "history" => ("Lịch sử trạng thái", "Status history"),
        "history.valid" => ("Chuỗi nhật ký toàn vẹn.", "The audit chain is intact."),
        "history.broken" => ("Chuỗi nhật ký bị đứt!", "The audit chain is broken!"),
        "action.draft_created" => ("Tạo nháp", "Draft created"),
        "action.draft_updated" => ("Sửa nháp", "Draft edited"),
        "action.numbered" => ("Cấp số", "Numbered"),
        "action.signed" => ("Ký số", "Signed"),
        "profile" => ("Hồ sơ công ty", "Company profile"),
        "profile.hint" => (
            "Thông tin người bán trên mọi hóa đơn. Mã số thuế phải là MST trên chứng thư ký số.",
            "The seller's details on every invoice. The tax id must be the signing certificate's.",
        ),
        "profile.readonly" => (
            "Chỉ quản trị viên sửa được hồ sơ công ty.",
            "Only an admin can change the company profile.",
        ),
        "profile.conflict" => (
            "Hồ sơ vừa được sửa ở nơi khác",
            "The profile was just changed elsewhere",
        ),
        "profile.saved" => ("Đã lưu hồ sơ công ty.", "Company profile saved."),
        "profile.logo" => ("Logo (in trên bản PDF)", "Logo (printed on the PDF)"),
        "profile.logo.pick" => (
            "Chọn ảnh PNG, JPEG hoặc SVG",
            "Pick a PNG, JPEG or SVG image",
        ),
        "profile.logo.too_big" => ("Ảnh quá lớn.", "The image is too large."),
        "profile.incomplete" => (
            "Hồ sơ công ty chưa đủ (tên, mã số thuế, địa chỉ) nên chưa phát hành được.",
            "The company profile is incomplete (name, tax id, address), so nothing can be issued yet.",
        ),
        "profile.fill" => ("Điền hồ sơ công ty", "Fill in the company profile"),
        "profile.ask_admin" => (
            "Hãy nhờ quản trị viên điền hồ sơ công ty.",
            "Ask an admin to fill in the company profile.",
        ),
        "series.pick" => ("Ký hiệu hóa đơn", "Series"),
        "series.none" => ("Chưa chọn ký hiệu", "No series chosen"),
        "attention" => ("Chưa ký được", "Could not be signed"),
        "attention.title" => ("Cần xử lý", "Needs attention"),
        "attention.attempts" => ("số lần thử", "attempts"),
        _ => authority::pair(key)
            .or_else(|| token::pair(key))
            .or_else(|| corrections::pair(key))
            .or_else(|| delivery::pair(key))
            .or_else(|| books::pair(key))
            .or_else(|| orders::pair(key))
            .unwrap_or((key, key)),
    };
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// The half of a server message in `lang`: refusals are written `"vi / en"`.
pub fn in_lang(message: &str, lang: Lang) -> &str {
    match (message.split_once(" / "), lang) {
        (Some((vi, _)), Lang::Vi) => vi,
        (Some((_, en)), Lang::En) => en,
        (None, _) => message,
    }
}

/// The label for `key` from a screen's own words (`pair`), else the app's: how the lazily
/// loaded screens keep their words out of the first load.
pub fn text_in(
    lang: Lang,
    key: &'static str,
    pair: fn(&str) -> Option<(&'static str, &'static str)>,
) -> &'static str {
    match (pair(key), lang) {
        (Some((vi, _)), Lang::Vi) => vi,
        (Some((_, en)), Lang::En) => en,
        (None, _) => text(lang, key),
    }
}

/// The question before signing out while drafts have not reached the server.
pub fn sign_out_warning(lang: Lang, waiting: usize, user: &str) -> String {
    match lang {
        Lang::Vi => format!(
            "{waiting} bản nháp chưa được gửi lên máy chủ; vẫn đăng xuất? Chúng vẫn nằm trên thiết bị này cho {user} và sẽ được đồng bộ khi {user} đăng nhập lại."
        ),
        Lang::En => format!(
            "{waiting} drafts are not yet on the server; sign out anyway? They stay on this device for {user} and sync when they sign in again."
        ),
    }
}

/// The label key of an audit action.
pub fn action_key(action: &str) -> &'static str {
    match action {
        "draft_created" => "action.draft_created",
        "draft_updated" => "action.draft_updated",
        "numbered" => "action.numbered",
        "signed" => "action.signed",
        "sent" | "transmitted" => "action.sent",
        "coded" => "action.coded",
        "rejected" => "action.rejected",
        "revised" => "action.revised",
        "data_sent" => "action.data_sent",
        "data_accepted" => "action.data_accepted",
        "awaiting_token" => "action.awaiting_token",
        "withdrawn" => "action.withdrawn",
        _ => "status.unknown",
    }
}

/// A `YYYY-MM-DD` date as the language writes it: vi-VN `22/11/2026`, English ISO.
pub fn date(lang: Lang, iso: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    match (lang, parts.as_slice()) {
        (Lang::Vi, [y, m, d]) => format!("{d}/{m}/{y}"),
        _ => iso.to_owned(),
    }
}

/// Seconds since 1970 as local date and time (vi-VN `22/11/2026 14:05`).
pub fn datetime(lang: Lang, secs: i64) -> String {
    let d = web_sys::js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(secs as f64 * 1000.0));
    let iso = format!(
        "{:04}-{:02}-{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    );
    format!(
        "{} {:02}:{:02}",
        date(lang, &iso),
        d.get_hours(),
        d.get_minutes()
    )
}

/// A money amount as vi-VN writes it: `.` between thousands, `,` before decimals (the core's
/// formatting, shared with the PDF and the e-mail).
pub fn money(d: Decimal) -> String {
    hoadon_core::money::format_vi(d)
}

/// A number as the user typed it, read the way the chosen language writes numbers: Vietnamese
/// `1.234,5` (`.` groups thousands, `,` starts decimals), English `1,234.5`. `None` when empty or
/// not a number (validation then names the field).
pub fn parse_number(lang: Lang, s: &str) -> Option<Decimal> {
    let (group, point) = match lang {
        Lang::Vi => ('.', ','),
        Lang::En => (',', '.'),
    };
    let s: String = s
        .trim()
        .chars()
        .filter(|c| *c != group && !c.is_whitespace())
        .map(|c| if c == point { '.' } else { c })
        .collect();
    if s.is_empty() { None } else { s.parse().ok() }
}

/// Text folded for search: lower case without Vietnamese diacritics, so "cong ty" finds
/// "Công ty" and "đá" finds "Đá".
pub fn fold(s: &str) -> String {
    const GROUPS: [(char, &str); 7] = [
        ('a', "àáảãạăằắẳẵặâầấẩẫậ"),
        ('e', "èéẻẽẹêềếểễệ"),
        ('i', "ìíỉĩị"),
        ('o', "òóỏõọôồốổỗộơờớởỡợ"),
        ('u', "ùúủũụưừứửữự"),
        ('y', "ỳýỷỹỵ"),
        ('d', "đ"),
    ];
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| {
            GROUPS
                .iter()
                .find(|(_, accented)| accented.contains(c))
                .map_or(c, |(base, _)| *base)
        })
        .collect()
}

/// A number for an input box, written the way [`parse_number`] reads it back (no grouping).
pub fn number_input(lang: Lang, d: rust_decimal::Decimal) -> String {
    let s = d.normalize().to_string();
    match lang {
        Lang::Vi => s.replace('.', ","),
        Lang::En => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_ignores_case_and_diacritics() {
        assert_eq!(fold("Công ty Đá Hoa Cương"), "cong ty da hoa cuong");
        assert_eq!(fold("NGUYỄN"), "nguyen");
    }

    #[test]
    fn numbers_in_inputs_read_back_to_themselves() {
        for s in ["1234.5", "0.125", "18500000"] {
            let d: Decimal = s.parse().unwrap();
            for lang in [Lang::Vi, Lang::En] {
                assert_eq!(parse_number(lang, &number_input(lang, d)), Some(d));
            }
        }
        assert_eq!(number_input(Lang::Vi, "1.50".parse().unwrap()), "1,5");
        assert_eq!(date(Lang::Vi, "2026-11-22"), "22/11/2026");
        assert_eq!(date(Lang::En, "2026-11-22"), "2026-11-22");
    }

    #[test]
    fn numbers_are_read_as_the_chosen_language_writes_them() {
        let d = |s: &str| Some(s.parse::<Decimal>().unwrap());
        assert_eq!(parse_number(Lang::Vi, "1.234,5"), d("1234.5"));
        assert_eq!(parse_number(Lang::Vi, "18500000"), d("18500000"));
        assert_eq!(parse_number(Lang::En, "1,234.5"), d("1234.5"));
        assert_eq!(parse_number(Lang::En, "1.5"), d("1.5"));
        assert_eq!(parse_number(Lang::Vi, " "), None);
        assert_eq!(parse_number(Lang::En, "abc"), None);
    }

    #[test]
    fn amounts_are_written_the_vietnamese_way() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(money(d("39960000")), "39.960.000");
        assert_eq!(money(d("1234.5")), "1.234,5");
        assert_eq!(money(d("-100")), "-100");
        assert_eq!(money(d("0")), "0");
    }
}
