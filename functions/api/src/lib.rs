//! # hoadon-api
//!
//! The backend. A guided tour:
//! - [`store`]: the store port (versioned items, conditional all-or-nothing transactions, prefix
//!   queries), its embedded adapter and the conformance suite every adapter must pass.
//! - [`ports`]: clock, ids, archive, signer — small ports with their local adapters;
//!   `s3_archive` (feature `aws`): the archive on S3.
//! - [`auth`]: tokens (verifier port: local HS256, Cognito RS256 + JWKS), roles, Argon2id
//!   passwords, tenant ids; [`access_tokens`]: personal access tokens (`hdp_…`, stored hashed).
//! - [`invoices`]: drafts, gapless numbering, signing, audit chain, recovery sweep;
//!   [`corrections`]: replacement, adjustment, cancellation, the buyer's confirmation.
//! - [`catalogs`]: customers, products, units, currencies, payment methods; CSV and `.xlsx` import and export.
//! - [`http`]: the axum `Router` and its handlers; [`error`]: `ApiError`, mapped once to HTTP.
//! - `kms` (feature `aws`): the KMS key, the signer function and the `Invoke` signer.
//! - [`bootstrap`]: tenants and users; [`local`]: the local system's composition root;
//!   `lambda` (feature `aws`): the composition root of the two Lambda functions.
//! - [`web`]: the web app's files on the API's origin (local system).
//! - [`webhooks`]: the ERP's webhooks — endpoints, the fan-out of the change feed into the
//!   outbox, Standard Webhooks signatures, the SSRF guard.
//! - [`load`]: the load generator behind `hoadon-load` and the crash-safety test.
//! - [`telemetry`]: the log subscriber (JSON on Lambda, readable lines locally) and the
//!   events the stack's alarms count.

pub mod access_tokens;
pub mod auth;
pub mod authority;
pub mod books;
pub mod bootstrap;
pub mod catalogs;
pub mod certificates;
pub mod corrections;
pub mod delivery;
#[cfg(all(feature = "aws", any(test, feature = "testing")))]
pub mod emulators;
pub mod error;
pub mod events;
pub mod gateway_auth;
pub mod http;
pub mod invoices;
#[cfg(feature = "aws")]
pub mod kms;
#[cfg(feature = "aws")]
pub mod lambda;
pub mod load;
pub mod local;
pub mod orders;
pub mod outbox;
pub mod ports;
pub mod profile;
pub mod remote;
#[cfg(feature = "aws")]
pub mod s3_archive;
mod side_chain;
pub mod signing_key;
#[cfg(feature = "aws")]
pub mod sqs;
pub mod store;
pub mod telemetry;
pub mod web;
pub mod webhooks;
