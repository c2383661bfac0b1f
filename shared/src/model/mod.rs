//! The invoice model: value types with legal rules, the wire document, the validated invoice.

mod document;
mod draft;
mod ids;
mod invoice;
mod rate;

pub use document::*;
pub use draft::*;
pub use ids::*;
pub use invoice::*;
pub use rate::*;
