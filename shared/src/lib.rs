//! # hoadon-core
//!
//! The invoice logic of hoadon, shared by the browser app and the server: the model with its
//! legal rules, totals with the one rounding policy, amounts in words, validation that reports
//! every finding at once, and GDT XML (writer and tolerant reader).
//!
//! **Architecture invariant:** no I/O, no async, no clock, no randomness. Time and identifiers
//! are passed in. This crate builds for `wasm32-unknown-unknown` (CI checks it), so the numbers a
//! clerk sees in the browser are computed by the very code that renders the XML.
//!
//! Flow: [`InvoiceDocument`] (JSON or XML) → [`validate::check`] → [`Invoice`] →
//! [`Invoice::totals`] and [`xml::render`].

#![forbid(unsafe_code)]

pub mod api;
pub mod books;
pub mod catalog;
pub mod corrections;
pub mod date;
pub mod dsig;
pub mod import;
pub mod lifecycle;
pub mod model;
pub mod money;
pub mod profile;
pub mod rules;
pub mod tdiep;
pub mod totals;
pub mod validate;
pub mod words;
pub mod xml;

pub use date::{Date, DateTime};
pub use model::{Invoice, InvoiceDocument};
pub use money::{Currency, round_money};
pub use totals::Totals;
pub use validate::{Checked, Finding, Severity, check};
