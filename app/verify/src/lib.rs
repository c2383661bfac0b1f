//! The web app's signature verifier, built as a wasm module of its own (`app/build`) and
//! imported by the app only when an invoice's signature is to be checked: the XML parser, the
//! canonicalizer and RSA are then not part of the first load, which stays within its budget.
//! The check itself is `hoadon_core::dsig::check_signatures`, the same code as the server's.

use wasm_bindgen::prelude::wasm_bindgen;

/// The JSON of `hoadon_core::dsig::SignatureCheck` for `xml` (`null` when it has no signature
/// or does not parse).
#[wasm_bindgen]
pub fn verify(xml: &str) -> String {
    serde_json::to_string(&hoadon_core::dsig::check_signatures(xml)).unwrap_or_default()
}

/// The JSON of every signature's own verdict (`hoadon_core::dsig::SignatureCheck` per
/// `ds:Signature`, in document order: the seller's, then the tax authority's); `[]` when the
/// document does not parse.
#[wasm_bindgen]
pub fn verify_each(xml: &str) -> String {
    let each: Vec<_> = hoadon_core::dsig::verify_document(xml)
        .unwrap_or_default()
        .into_iter()
        .map(|r| hoadon_core::dsig::SignatureCheck {
            valid: r.valid,
            signer: r.signer.unwrap_or_default(),
            tax_id: r.tax_id.unwrap_or_default(),
            time: r.signing_time.unwrap_or_default(),
            failure: r.failure,
        })
        .collect();
    serde_json::to_string(&each).unwrap_or_default()
}
