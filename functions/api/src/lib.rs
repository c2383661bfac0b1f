//! # hoadon-api
//!
//! The backend. A guided tour:
//! - [`store`]: the store port (versioned items, conditional all-or-nothing transactions, prefix
//!   queries), its embedded adapter and the conformance suite every adapter must pass.

pub mod store;
