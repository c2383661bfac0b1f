//! The tax authority over HTTP: the outbox (what is queued, in flight, failed; "retry now"),
//! the registration (01/ĐKTĐ-HĐĐT) and the "registered elsewhere" setting, the 04/SS notices,
//! and the revision of a refused invoice. Handlers parse and answer; `crate::outbox`,
//! `crate::authority` and `crate::invoices` do the work.

use super::{AppState, Caller, decode_cursor, encode_next, if_match};
use crate::auth::Role;
use crate::error::ApiError;
use crate::{authority, invoices, outbox};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use hoadon_core::api::authority::{
    AuthoritySettingsInput, NoticeInput, NoticeView, OutboxState, OutboxView, RegistrationInput,
    RegistrationView,
};
use hoadon_core::api::{InvoiceView, Page};
use hoadon_core::model::DraftInput;
use serde::Deserialize;

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_outbox,
    retry_outbox,
    get_registration,
    send_registration,
    put_settings,
    revise_invoice,
    list_notices,
    create_notice,
    get_notice,
    get_notice_xml
))]
pub(super) struct Api;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/outbox", get(list_outbox))
        .route("/api/outbox/{id}/retry", post(retry_outbox))
        .route(
            "/api/authority/registration",
            get(get_registration).post(send_registration),
        )
        .route("/api/authority/settings", put(put_settings))
        .route("/api/invoices/{id}/revise", post(revise_invoice))
        .route("/api/notices", get(list_notices).post(create_notice))
        .route("/api/notices/{id}", get(get_notice))
        .route("/api/notices/{id}/xml", get(get_notice_xml))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct OutboxQuery {
    /// Only messages in this state.
    state: Option<OutboxState>,
    /// The `next` of the previous page (opaque; empty: the first).
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    cursor: Option<String>,
}

/// `GET /api/outbox?state=&cursor=`: the tenant's messages, newest first.
#[utoipa::path(
    get,
    path = "/api/outbox",
    security(("bearer" = [])),
    params(OutboxQuery),
    responses(
        (status = 200, description = "A page of messages", body = Page<OutboxView>),
        super::openapi::SignedIn,
        (status = 400, response = super::openapi::BadRequest),
        (status = 403, response = super::openapi::Forbidden),
    )
)]
async fn list_outbox(
    caller: Caller,
    Query(q): Query<OutboxQuery>,
) -> Result<Json<Page<OutboxView>>, ApiError> {
    caller.require(&[Role::Admin, Role::Accountant])?;
    let cursor = decode_cursor(q.cursor.as_deref())?;
    Ok(encode_next(
        outbox::list(&caller.store, q.state, cursor, 50).await?,
    ))
}

/// `POST /api/outbox/{id}/retry`: "retry now" for a message that needs attention.
#[utoipa::path(
    post,
    path = "/api/outbox/{id}/retry",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-9a-f]{32}$", description = "The message's id")),
    responses(
        (status = 200, description = "Due again", body = OutboxView),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
        (status = 403, response = super::openapi::Forbidden),
        (status = 409, response = super::openapi::Conflict),
    )
)]
async fn retry_outbox(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<OutboxView>, ApiError> {
    caller.require(&[Role::Admin, Role::Accountant])?;
    Ok(Json(
        outbox::retry_now(&st.0.services, &caller.store, &id).await?,
    ))
}

/// `GET /api/authority/registration`.
#[utoipa::path(
    get,
    path = "/api/authority/registration",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The registration and what it allows", body = RegistrationView),
        super::openapi::SignedIn,
    )
)]
async fn get_registration(caller: Caller) -> Result<Json<RegistrationView>, ApiError> {
    Ok(Json(authority::registration::get(&caller.store).await?))
}

/// `POST /api/authority/registration`: sign and send the 01/ĐKTĐ-HĐĐT (message 100).
#[utoipa::path(
    post,
    path = "/api/authority/registration",
    security(("bearer" = [])),
    request_body(content = RegistrationInput, content_type = "application/json"),
    responses(
        (status = 200, description = "Sent", body = RegistrationView),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 403, response = super::openapi::Forbidden),
        (status = 409, response = super::openapi::Conflict),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn send_registration(
    State(st): State<AppState>,
    caller: Caller,
    Json(body): Json<RegistrationInput>,
) -> Result<Json<RegistrationView>, ApiError> {
    caller.require(&[Role::Admin])?;
    Ok(Json(
        authority::registration::send(&st.0.services, &caller.store, body, &caller.claims.sub)
            .await?,
    ))
}

/// `PUT /api/authority/settings`: registered through another provider (issuing not gated here).
#[utoipa::path(
    put,
    path = "/api/authority/settings",
    security(("bearer" = [])),
    request_body(content = AuthoritySettingsInput, content_type = "application/json"),
    responses(
        (status = 200, description = "Saved", body = RegistrationView),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 403, response = super::openapi::Forbidden),
    )
)]
async fn put_settings(
    State(st): State<AppState>,
    caller: Caller,
    Json(body): Json<AuthoritySettingsInput>,
) -> Result<Json<RegistrationView>, ApiError> {
    caller.require(&[Role::Admin])?;
    Ok(Json(
        authority::registration::settings(&st.0.services, &caller.store, body, &caller.claims.sub)
            .await?,
    ))
}

/// The body of a revision: the fixed content.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Revision {
    document: DraftInput,
}

/// `POST /api/invoices/{id}/revise` with `If-Match`: a refused invoice fixed and sent again
/// under the same number.
#[utoipa::path(
    post,
    path = "/api/invoices/{id}/revise",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, pattern = "^[A-Za-z0-9_-]{8,64}$", description = "The invoice id"),
        ("If-Match" = u64, Header, description = "The version the user fixed"),
    ),
    request_body(content = Revision, content_type = "application/json"),
    responses(
        (status = 200, description = "Signed again and queued for the authority", body = InvoiceView),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 403, response = super::openapi::Forbidden),
        (status = 404, response = super::openapi::NotFound),
        (status = 409, response = super::openapi::Conflict),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn revise_invoice(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Revision>,
) -> Result<Json<InvoiceView>, ApiError> {
    caller.require(&[Role::Admin, Role::Accountant])?;
    let version = if_match(&headers)?;
    let v = invoices::revise(
        &st.0.services,
        &caller.store,
        &id,
        &body.document,
        Some(version),
        &caller.claims.sub,
    )
    .await?;
    Ok(Json(v))
}

/// `GET /api/notices`: the 04/SS notices, newest first.
#[utoipa::path(
    get,
    path = "/api/notices",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every notice", body = Page<NoticeView>),
        super::openapi::SignedIn,
    )
)]
async fn list_notices(caller: Caller) -> Result<Json<Page<NoticeView>>, ApiError> {
    Ok(Json(authority::notices::list(&caller.store).await?))
}

/// `POST /api/notices`: compose, sign and send a 04/SS (message 300).
#[utoipa::path(
    post,
    path = "/api/notices",
    security(("bearer" = [])),
    request_body(content = NoticeInput, content_type = "application/json"),
    responses(
        (status = 201, description = "Sent", body = NoticeView),
        super::openapi::SignedIn,
        super::openapi::WithBody,
        (status = 403, response = super::openapi::Forbidden),
        (status = 422, response = super::openapi::Unprocessable),
    )
)]
async fn create_notice(
    State(st): State<AppState>,
    caller: Caller,
    Json(body): Json<NoticeInput>,
) -> Result<(StatusCode, Json<NoticeView>), ApiError> {
    caller.require(&[Role::Admin, Role::Accountant])?;
    let v = authority::notices::create(&st.0.services, &caller.store, body).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// `GET /api/notices/{id}`.
#[utoipa::path(
    get,
    path = "/api/notices/{id}",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-9a-f]{32}$", description = "The notice's id")),
    responses(
        (status = 200, description = "The notice", body = NoticeView),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
    )
)]
async fn get_notice(caller: Caller, Path(id): Path<String>) -> Result<Json<NoticeView>, ApiError> {
    Ok(Json(authority::notices::get(&caller.store, &id).await?))
}

/// `GET /api/notices/{id}/xml`: the signed 04/SS (`TBao`, the taxpayer's signature in
/// `DSCKS/NNT`), byte for byte as sent.
#[utoipa::path(
    get,
    path = "/api/notices/{id}/xml",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-9a-f]{32}$", description = "The notice's id")),
    responses(
        (status = 200, description = "The signed notice", content_type = "application/xml", body = String),
        super::openapi::SignedIn,
        super::openapi::NamedRecord,
    )
)]
async fn get_notice_xml(
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let xml = authority::notices::signed(&caller.store, &id).await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/xml".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"04SS-{id}.xml\""),
            ),
        ],
        xml,
    )
        .into_response())
}
