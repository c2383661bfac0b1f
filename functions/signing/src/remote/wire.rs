//! The JSON bodies of the generic remote-signing shape (see the module doc of `remote`), shared
//! by the adapter and the stand-in so the two cannot drift.

use serde::{Deserialize, Serialize};

/// `POST {sign_path}`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignHashRequest {
    /// With [`super::RemoteAuth::Body`] only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// With [`super::RemoteAuth::Body`] only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    pub user_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_secret: Option<String>,
    pub credential_id: String,
    /// Unique per request: lets the service recognise a retried request.
    pub request_id: String,
    /// Always `SHA-256`.
    pub hash_algorithm: String,
    /// `digest_info` or `sha256`.
    pub hash_format: String,
    /// Base64.
    pub hash: String,
    /// Shown to the user in the confirmation on the phone.
    pub description: String,
}

impl std::fmt::Debug for SignHashRequest {
    /// Without the secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignHashRequest")
            .field("client_id", &self.client_id)
            .field("user_id", &self.user_id)
            .field("credential_id", &self.credential_id)
            .field("request_id", &self.request_id)
            .field("hash_format", &self.hash_format)
            .finish_non_exhaustive()
    }
}

/// Every answer of the sign and status calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SignHashResponse {
    /// The RSA signature, base64.
    Signed { signature: String },
    /// Waiting for the user; poll the status with this transaction id (the status call may
    /// omit it: it is the one polled).
    Pending {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        transaction_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        poll_after_ms: Option<u64>,
    },
    /// The user (or the service) declined.
    Refused {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// The user did not confirm in the service's own time.
    Expired,
}

/// What an error answer says: its JSON `message`, else its text, cut to 200 characters.
pub(super) fn message(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct Error {
        message: String,
    }
    let text = match serde_json::from_slice::<Error>(body) {
        Ok(e) => e.message,
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    text.chars().take(200).collect()
}
