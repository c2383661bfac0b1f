//! A voucher's customer or product code, mapped to the catalog: typed, or picked with the
//! editor's type-ahead over the device's copy of the catalog (code, name or tax id; case and
//! diacritics ignored); where the proposal could not map it (a warning at the field) or the code
//! is not the catalog's, **create it in place** from what the invoice says — the catalog's own form (`crate::catalogs`, its
//! rules checked as typed), started with the buyer's or the line's data — and the new code
//! fills the field. One such form is open at a time (their fields share ids).

use super::texts;
use crate::Session;
use crate::catalogs::{EntryForm, cache};
use crate::typeahead::TypeAhead;
use hoadon_core::api::books::{VoucherCustomer, VoucherLine};
use hoadon_core::import::ImportedParty;
use leptos::prelude::*;
use serde_json::{Map, Value};

/// What a new customer starts from: the voucher's customer, else the invoice's buyer.
pub fn customer_seed(c: &VoucherCustomer, buyer: &ImportedParty) -> Value {
    let pick = |a: &Option<String>, b: &Option<String>| a.clone().or_else(|| b.clone());
    object([
        ("code", pick(&c.code, &buyer.code)),
        ("name", pick(&c.name, &buyer.name)),
        ("tax_id", pick(&c.tax_id, &buyer.tax_id)),
        ("address", pick(&c.address, &buyer.address)),
        ("email", buyer.email.clone()),
        ("contact_name", pick(&c.contact, &buyer.contact)),
    ])
}

/// What a new product starts from: the line's code, description, unit, unit price (amount ÷
/// quantity, in the invoice's currency) and rate.
pub fn product_seed(l: &VoucherLine) -> Value {
    let price = l
        .quantity
        .filter(|q| !q.is_zero())
        .and_then(|q| l.amount.checked_div(q))
        .map(|p| p.round_dp(6).normalize().to_string());
    object([
        ("code", l.product_code.clone()),
        ("name", Some(l.description.clone())),
        ("unit", l.unit.clone()),
        ("unit_price", price),
        ("tax_rate", Some(l.vat_rate.clone())),
    ])
}

/// A JSON object of the fields that have a (non-empty) value.
fn object<const N: usize>(fields: [(&str, Option<String>); N]) -> Value {
    let map: Map<String, Value> = fields
        .into_iter()
        .filter_map(|(k, v)| {
            Some((
                k.to_owned(),
                Value::String(v.filter(|s| !s.trim().is_empty())?),
            ))
        })
        .collect();
    Value::Object(map)
}

#[component]
pub fn CodePicker(
    session: Session,
    /// `customers` or `products`.
    kind: &'static str,
    /// The field's path in the record request (`vouchers[0].customer.code`): the input's id.
    path: String,
    label: &'static str,
    /// The code now ("" for none).
    value: Signal<String>,
    /// Whether the proposal or the server found nothing for the code here.
    warned: Signal<bool>,
    /// The messages at the field.
    msgs: Signal<String>,
    set: Callback<String>,
    /// What a created entry starts from.
    seed: Value,
    /// The path whose create form is open.
    creating: RwSignal<Option<String>>,
) -> impl IntoView {
    let t = move |k| texts::text(session.lang.get(), k);
    let catalogs = cache();
    // Rebuilds the input after a pick or a creation (it keeps what was typed otherwise).
    let generation = RwSignal::new(0u32);
    let msg_id = format!("{path}-msg");
    let path = StoredValue::new(path);
    let seed = StoredValue::new(seed);
    // Whether the code is one of the catalog's (as the device has it): creating is offered
    // otherwise, and wherever something was found wrong, even once typing hid the warning.
    let known = move || {
        let code = value.get();
        !code.is_empty()
            && catalogs
                .search(kind, &code, 8)
                .iter()
                .any(|e| e["code"] == code)
    };
    let open_here = move || creating.with(|c| c.as_deref() == Some(path.get_value().as_str()));
    let create_label = if kind == "products" {
        "bk.create.product"
    } else {
        "bk.create.customer"
    };
    let input = {
        let msg_id = msg_id.clone();
        move || {
            generation.get();
            view! {
                <TypeAhead id=path.get_value() kind initial=value.get_untracked()
                    described_by=msg_id.clone() invalid=warned
                    on_input=move |v: String| set.run(v.trim().to_owned())
                    on_pick=move |e: Value| {
                        set.run(e["code"].as_str().unwrap_or_default().to_owned());
                        generation.update(|g| *g += 1);
                    } />
            }
        }
    };
    let saved = move |code: String| {
        set.run(code);
        creating.set(None);
        generation.update(|g| *g += 1);
        leptos::task::spawn_local(async move { catalogs.refresh(session, kind).await });
    };
    view! {
        <div class="field picker">
            <label for=path.get_value()>{move || t(label)}</label>
            {input}
            <span class="msg" id=msg_id>{msgs}</span>
            <Show when=move || (warned.get() || !known()) && !open_here()>
                <button type="button" class="link" id=format!("{}-create", path.get_value())
                    on:click=move |_| creating.set(Some(path.get_value()))>
                    {move || t(create_label)}</button>
            </Show>
            <Show when=open_here>
                <EntryForm session kind entry=Some(seed.get_value()) on_saved=saved
                    on_cancel=move || creating.set(None) />
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn a_new_customer_starts_from_the_invoices_buyer() {
        let buyer = ImportedParty {
            tax_id: Some("0312345673".into()),
            code: Some("KH-0042".into()),
            name: Some("Bình Minh".into()),
            contact: Some("Lan".into()),
            ..Default::default()
        };
        let v = customer_seed(&VoucherCustomer::default(), &buyer);
        assert_eq!(v["code"], "KH-0042");
        assert_eq!(v["tax_id"], "0312345673");
        assert_eq!(v["contact_name"], "Lan");
        assert!(v.get("address").is_none(), "empty values are left out");
    }

    #[test]
    fn a_new_product_is_priced_per_unit() {
        let line = VoucherLine {
            product_code: None,
            description: "Máy tính".into(),
            unit: Some("Chiếc".into()),
            quantity: Some(Decimal::from(2)),
            amount: Decimal::from(37_000_000),
            amount_vnd: Decimal::from(37_000_000),
            vat_rate: "10%".into(),
            vat: Decimal::from(3_700_000),
            vat_vnd: Decimal::from(3_700_000),
            revenue_account: "5111".into(),
            vat_account: "33311".into(),
        };
        let v = product_seed(&line);
        assert_eq!(v["unit_price"], "18500000");
        assert_eq!(v["tax_rate"], "10%");
        assert!(v.get("code").is_none());
    }
}
