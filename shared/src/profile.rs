//! The company profile: the tenant's own details, the one source of every invoice's seller block.
//!
//! A sales user cannot put another company's name above the tenant's signature because the draft
//! input has no seller block at all ([`crate::model::DraftInput`]); the server fills `NBan` from
//! this profile, which only admins edit. The tax office's code and name and the place name are
//! what notices to the tax authority (registration, 04/SS) carry.
//!
//! Rules reuse the catalog's field kinds ([`crate::catalog::check_value`]), so the app shows the
//! same finding while the admin types as the server gives when it refuses.

use crate::catalog::{Field, FieldKind, check_value, error, f as field};
use crate::model::PartyDocument;
use crate::validate::Finding;
use serde::{Deserialize, Serialize};

/// The tenant's details. `name`, `tax_id` and `address` are required before anything is issued.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CompanyProfile {
    /// `NBan/Ten`.
    #[serde(default)]
    pub name: String,
    /// `NBan/MST`: must be the signing certificate's `MST:`.
    #[serde(default)]
    pub tax_id: String,
    /// `NBan/DChi`.
    #[serde(default)]
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fax: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// A `data:image/png|jpeg|svg+xml;base64,…` URL, at most [`MAX_LOGO`] characters (printed
    /// on the PDF; not part of the XML).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    /// The managing tax office's code (`MCQTQLy` in notices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_office_code: Option<String>,
    /// The managing tax office's name (`TCQTQLy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_office_name: Option<String>,
    /// The place name notices are dated at (`DDanh`), e.g. "Hà Nội".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place_name: Option<String>,
    /// How a negative amount in words is read on decreasing adjustments ("Âm …" by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negative_words: Option<crate::words::vi::NegativeWords>,
}

/// Largest logo data URL (characters): about 190 KB of image, well inside one store item.
pub const MAX_LOGO: usize = 256 * 1024;

/// The profile's fields with their labels and rules (the app renders its form from this).
pub const FIELDS: &[Field] = &[
    field(
        "name",
        FieldKind::Text(400),
        true,
        "Tên đơn vị",
        "Company name",
    ),
    field("tax_id", FieldKind::TaxId, true, "Mã số thuế", "Tax id"),
    field("address", FieldKind::Text(400), true, "Địa chỉ", "Address"),
    field("phone", FieldKind::Text(20), false, "Điện thoại", "Phone"),
    field("email", FieldKind::Email, false, "Thư điện tử", "E-mail"),
    field("fax", FieldKind::Text(20), false, "Fax", "Fax"),
    field(
        "bank_account",
        FieldKind::Text(30),
        false,
        "Số tài khoản",
        "Bank account",
    ),
    field(
        "bank_name",
        FieldKind::Text(400),
        false,
        "Ngân hàng",
        "Bank",
    ),
    field("website", FieldKind::Text(100), false, "Website", "Website"),
    field(
        "tax_office_code",
        FieldKind::Text(5),
        false,
        "Mã cơ quan thuế quản lý",
        "Tax office code",
    ),
    field(
        "tax_office_name",
        FieldKind::Text(100),
        false,
        "Tên cơ quan thuế quản lý",
        "Tax office name",
    ),
    field(
        "place_name",
        FieldKind::Text(50),
        false,
        "Địa danh",
        "Place name",
    ),
];

fn trimmed(v: &str) -> Option<&str> {
    Some(v.trim()).filter(|s| !s.is_empty())
}

impl CompanyProfile {
    /// A field's value by name (for forms rendered from [`FIELDS`]).
    pub fn get(&self, name: &str) -> Option<&str> {
        match name {
            "name" => trimmed(&self.name),
            "tax_id" => trimmed(&self.tax_id),
            "address" => trimmed(&self.address),
            "phone" => self.phone.as_deref().and_then(trimmed),
            "email" => self.email.as_deref().and_then(trimmed),
            "fax" => self.fax.as_deref().and_then(trimmed),
            "bank_account" => self.bank_account.as_deref().and_then(trimmed),
            "bank_name" => self.bank_name.as_deref().and_then(trimmed),
            "website" => self.website.as_deref().and_then(trimmed),
            "logo" => self.logo.as_deref().and_then(trimmed),
            "tax_office_code" => self.tax_office_code.as_deref().and_then(trimmed),
            "tax_office_name" => self.tax_office_name.as_deref().and_then(trimmed),
            "place_name" => self.place_name.as_deref().and_then(trimmed),
            _ => None,
        }
    }

    /// Sets a field by name (`None` or blank clears an optional one).
    pub fn set(&mut self, name: &str, value: Option<String>) {
        let v = value.filter(|s| !s.trim().is_empty());
        match name {
            "name" => self.name = v.unwrap_or_default(),
            "tax_id" => self.tax_id = v.unwrap_or_default(),
            "address" => self.address = v.unwrap_or_default(),
            "phone" => self.phone = v,
            "email" => self.email = v,
            "fax" => self.fax = v,
            "bank_account" => self.bank_account = v,
            "bank_name" => self.bank_name = v,
            "website" => self.website = v,
            "logo" => self.logo = v,
            "tax_office_code" => self.tax_office_code = v,
            "tax_office_name" => self.tax_office_name = v,
            "place_name" => self.place_name = v,
            _ => {}
        }
    }

    /// Every finding, each at `profile.<field>`.
    pub fn check(&self) -> Vec<Finding> {
        let mut out: Vec<Finding> = FIELDS
            .iter()
            .filter_map(|f| check_value(f, self.get(f.name), format!("profile.{}", f.name)))
            .collect();
        if let Some(logo) = self.get("logo") {
            let image = ["png", "jpeg", "svg+xml"]
                .iter()
                .any(|t| logo.starts_with(&format!("data:image/{t};base64,")));
            if !image || logo.len() > MAX_LOGO {
                out.push(error(
                    "profile.logo",
                    "profile.logo".into(),
                    format!("Logo phải là ảnh PNG, JPEG hoặc SVG, tối đa {MAX_LOGO} ký tự."),
                    format!("The logo must be a PNG, JPEG or SVG image of at most {MAX_LOGO} characters."),
                ));
            }
        }
        out
    }

    /// Whether nothing can be issued yet (a required field is missing or invalid).
    pub fn is_complete(&self) -> bool {
        self.check().is_empty()
    }

    /// The seller block (`NBan`) every invoice of the tenant carries.
    pub fn seller(&self) -> PartyDocument {
        let opt = |n: &str| self.get(n).map(str::to_owned);
        PartyDocument {
            name: opt("name"),
            tax_id: opt("tax_id"),
            address: opt("address"),
            phone: opt("phone"),
            email: opt("email"),
            fax: opt("fax"),
            bank_account: opt("bank_account"),
            bank_name: opt("bank_name"),
            website: opt("website"),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acme() -> CompanyProfile {
        CompanyProfile {
            name: "Công ty TNHH Acme".into(),
            tax_id: "0109998883".into(),
            address: "1 Tràng Tiền, Hà Nội".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_profile_gives_the_seller_block() {
        let p = acme();
        assert!(p.check().is_empty(), "{:?}", p.check());
        let s = p.seller();
        assert_eq!(s.tax_id.as_deref(), Some("0109998883"));
        assert_eq!(s.name.as_deref(), Some("Công ty TNHH Acme"));
    }

    #[test]
    fn findings_name_the_field() {
        let mut p = acme();
        p.tax_id = "0109998887".into();
        p.name = " ".into();
        p.logo = Some("javascript:alert(1)".into());
        let codes: Vec<(String, &str)> = p.check().into_iter().map(|f| (f.path, f.code)).collect();
        assert!(codes.contains(&("profile.name".into(), "required")));
        assert!(codes.contains(&("profile.tax_id".into(), "tax_id.check_digit")));
        assert!(codes.contains(&("profile.logo".into(), "profile.logo")));
        assert!(!CompanyProfile::default().is_complete());
    }

    #[test]
    fn get_and_set_cover_every_field() {
        let mut p = CompanyProfile::default();
        for f in FIELDS {
            p.set(f.name, Some("x".into()));
            assert_eq!(p.get(f.name), Some("x"), "{}", f.name);
        }
    }
}
