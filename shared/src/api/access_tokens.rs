//! The API's bodies for personal access tokens (`/api/access-tokens`, #15): what a user sends
//! to create one, the token shown once, and the list. Shared by the server and the app.
//!
//! A personal access token is how a program acts for a user without the user's password: the
//! desktop signer (`hoadon token sign --server URL`) today, ERP integrations later (#19). Its
//! [`TokenRole`] limits it to that program's routes.

use serde::{Deserialize, Serialize};

/// Default lifetime of a token when the request names none.
pub const DEFAULT_EXPIRY_DAYS: u32 = 90;
/// Longest lifetime: a token that never expires would outlive the person who made it.
pub const MAX_EXPIRY_DAYS: u32 = 365;
/// Longest name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// What a token may do. One variant per kind of program; an ERP role (#19) is one more variant
/// here and one more line in the server's role mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum TokenRole {
    /// The desktop signer: claims invoices awaiting a token signature and posts their
    /// signatures; every other route refuses it.
    Signer,
    /// An ERP (#19): creates and invoices orders, reads invoices, their documents and the
    /// change feed; never users, keys, settings or webhooks.
    Integration,
}

impl TokenRole {
    /// Every role, for a form's choices.
    pub const ALL: [TokenRole; 2] = [TokenRole::Signer, TokenRole::Integration];

    /// The wire name (`"signer"`).
    pub fn as_str(self) -> &'static str {
        match self {
            TokenRole::Signer => "signer",
            TokenRole::Integration => "integration",
        }
    }
}

/// `POST /api/access-tokens`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateAccessToken {
    /// What the token is for (e.g. "Kế toán — máy ký token"); 1 to 100 characters, no control
    /// characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub name: String,
    pub role: TokenRole,
    /// Days until it expires: 1 to 365, 90 when absent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::money::count_serde::deserialize"
    )]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub expires_in_days: Option<u32>,
}

/// A token as lists show it: never the token itself, which only its creator saw, once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessTokenView {
    /// 32 lower-case hex digits.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9a-f]{32}$"))]
    pub id: String,
    pub name: String,
    pub role: TokenRole,
    /// The user who created it (the token acts as that user, in its role).
    pub created_by: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds; the token is refused from then on.
    pub expires_at: i64,
    /// Unix seconds, to the minute (updated at most once a minute).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<i64>,
    /// Unix seconds; a revoked token stays listed and is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<i64>,
}

/// `201` to `POST /api/access-tokens`: the token, **shown this once** (the server keeps only its
/// SHA-256), and its record. `Debug` hides the token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedAccessToken {
    /// `hdp_` and 43 base64url characters: send it as `Authorization: Bearer hdp_…`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^hdp_[A-Za-z0-9_-]{43}$"))]
    pub token: String,
    pub record: AccessTokenView,
}

impl std::fmt::Debug for CreatedAccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedAccessToken")
            .field("token", &"hdp_…(redacted)")
            .field("record", &self.record)
            .finish()
    }
}

/// `GET /api/access-tokens/self`: who a token acts as — how the desktop signer checks its token
/// before asking for the PIN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessTokenSelf {
    /// The token's record.
    pub record: AccessTokenView,
    /// The tenant it belongs to.
    pub tenant: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let c = CreatedAccessToken {
            token: "hdp_secretsecretsecret".into(),
            record: AccessTokenView {
                id: "0".repeat(32),
                name: "n".into(),
                role: TokenRole::Signer,
                created_by: "a@b.vn".into(),
                created_at: 1,
                expires_at: 2,
                last_used_at: None,
                revoked_at: None,
            },
        };
        assert!(!format!("{c:?}").contains("secret"));
    }

    #[test]
    fn unknown_fields_and_roles_are_refused() {
        let ok: CreateAccessToken =
            serde_json::from_str(r#"{"name":"x","role":"signer"}"#).unwrap();
        assert_eq!(ok.expires_in_days, None);
        // JSON Schema's integer: a whole number written 30.0 is 30; 30.5 is not a count.
        let whole: CreateAccessToken =
            serde_json::from_str(r#"{"name":"x","role":"signer","expires_in_days":30.0}"#).unwrap();
        assert_eq!(whole.expires_in_days, Some(30));
        assert!(
            serde_json::from_str::<CreateAccessToken>(
                r#"{"name":"x","role":"signer","expires_in_days":30.5}"#
            )
            .is_err()
        );
        assert!(
            serde_json::from_str::<CreateAccessToken>(r#"{"name":"x","role":"admin"}"#).is_err()
        );
        assert!(
            serde_json::from_str::<CreateAccessToken>(r#"{"name":"x","role":"signer","x":1}"#)
                .is_err()
        );
    }
}
