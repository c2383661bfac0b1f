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
