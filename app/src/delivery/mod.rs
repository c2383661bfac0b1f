//! Delivery's lazily loaded screens (#17), in the screens module ([`crate::lazy`]): a series'
//! print template (`/series/{series}/template`, admins: [`template`]) and the public lookup page
//! (`/lookup/{tenant}`, no sign-in: [`lookup`]). Their words are in [`texts`]. The invoice
//! screen's print, download, share and e-mail are in the first load (`crate::invoices`).

mod lookup;
mod template;
pub mod texts;

pub use lookup::Lookup;
pub use template::TemplateScreen;
