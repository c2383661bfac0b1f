//! Seller and buyer.

use super::Checker;
use crate::model::*;

pub(super) fn check_party(
    c: &mut Checker,
    who: &str,
    p: &PartyDocument,
    seller: bool,
) -> Option<Party> {
    let path = |f: &str| format!("{who}.{f}");
    let tax_id = c.tax_id(&path("tax_id"), &p.tax_id, seller);
    // A business buyer (one with a tax id) must be named with its address (Decree 123 Art. 10(5)).
    let business = seller || p.tax_id.as_deref().is_some_and(|t| !t.trim().is_empty());
    let name = c.text(&path("name"), &p.name, 400, business);
    let address = c.text(&path("address"), &p.address, 400, business);
    let email = c.text(&path("email"), &p.email, 50, false);
    if let Some(e) = &email
        && !e.split([';', ',']).all(|a| {
            a.trim()
                .split_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
        })
    {
        c.invalid(
            "email.format",
            &path("email"),
            "địa chỉ thư điện tử không đúng dạng",
            "not an e-mail address",
        );
    }
    let party = Party {
        name,
        tax_id,
        address,
        code: c.text(&path("code"), &p.code, 50, false),
        phone: c.text(&path("phone"), &p.phone, 20, false),
        email,
        contact_name: c.text(&path("contact_name"), &p.contact_name, 100, false),
        bank_account: c.text(&path("bank_account"), &p.bank_account, 30, false),
        bank_name: c.text(&path("bank_name"), &p.bank_name, 400, false),
        fax: c.text(&path("fax"), &p.fax, 20, false),
        website: c.text(&path("website"), &p.website, 100, false),
        citizen_id: c.text(&path("citizen_id"), &p.citizen_id, 12, false),
        extensions: c.extensions(&path("extensions"), &p.extensions),
    };
    Some(party)
}
