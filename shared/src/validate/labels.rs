//! Vietnamese and English names of the fields that messages talk about.

/// Vietnamese and English names of the fields messages talk about, by the last path segment.
pub(super) fn label(path: &str) -> (&'static str, &'static str) {
    let last = path.rsplit('.').next().unwrap_or(path);
    let last = last.split('[').next().unwrap_or(last);
    match last {
        "format_version" => ("phiên bản định dạng", "format version"),
        "name" => ("tên", "name"),
        "form" => ("mẫu số hóa đơn", "form number"),
        "symbol" => ("ký hiệu hóa đơn", "invoice symbol"),
        "number" => ("số hóa đơn", "invoice number"),
        "issue_date" => ("ngày lập", "issue date"),
        "currency" => ("đơn vị tiền tệ", "currency"),
        "exchange_rate" => ("tỷ giá", "exchange rate"),
        "payment_method" => ("hình thức thanh toán", "payment method"),
        "provider_tax_id" | "tax_id" => ("mã số thuế", "tax id"),
        "address" => ("địa chỉ", "address"),
        "code" => ("mã", "code"),
        "phone" => ("số điện thoại", "phone number"),
        "email" => ("thư điện tử", "e-mail address"),
        "contact_name" => ("họ tên người mua hàng", "buyer's contact name"),
        "bank_account" => ("số tài khoản ngân hàng", "bank account"),
        "bank_name" => ("tên ngân hàng", "bank name"),
        "fax" => ("số fax", "fax number"),
        "website" => ("website", "website"),
        "citizen_id" => ("số căn cước công dân", "citizen id number"),
        "lines" => ("danh sách hàng hóa, dịch vụ", "list of lines"),
        "nature" => ("tính chất", "line nature"),
        "unit" => ("đơn vị tính", "unit"),
        "quantity" => ("số lượng", "quantity"),
        "unit_price" => ("đơn giá", "unit price"),
        "discount_rate" => ("tỷ lệ chiết khấu", "discount rate"),
        "discount_amount" => ("số tiền chiết khấu", "discount amount"),
        "amount" => ("thành tiền", "amount"),
        "tax_rate" => ("thuế suất", "VAT rate"),
        "kind" => ("tính chất hóa đơn liên quan", "correction kind"),
        "regime" => ("loại hóa đơn liên quan", "regime of the related invoice"),
        "note" => ("ghi chú", "note"),
        "direction" => ("tính chất điều chỉnh", "adjustment direction"),
        "total_before_vat" => ("tổng tiền chưa thuế", "total before VAT"),
        "total_vat" => ("tổng tiền thuế", "total VAT"),
        "trade_discount" => ("tổng tiền chiết khấu thương mại", "total trade discount"),
        "total" => ("tổng tiền thanh toán", "total payable"),
        "total_in_words" => ("số tiền bằng chữ", "amount in words"),
        "net" => (
            "thành tiền chưa thuế của nhóm thuế suất",
            "net of the rate group",
        ),
        "vat" => ("tiền thuế của nhóm thuế suất", "VAT of the rate group"),
        "tax_groups" => ("tổng hợp theo thuế suất", "VAT summary"),
        "data_id" => ("mã định danh dữ liệu hóa đơn (Id)", "data id"),
        "qr_data" => ("dữ liệu mã QR", "QR code data"),
        "authority_code" => ("mã của cơ quan thuế", "tax authority code"),
        "field" => ("tên trường mở rộng", "extension field name"),
        "value" => ("giá trị trường mở rộng", "extension value"),
        "data_type" => ("kiểu dữ liệu trường mở rộng", "extension data type"),
        "xml" => ("phần tử XML không xác định", "unknown XML element"),
        _ => ("trường", "field"),
    }
}

pub(super) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
