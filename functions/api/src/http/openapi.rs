//! The OpenAPI document, **derived** from the types the handlers parse and answer and from the
//! `#[utoipa::path]` annotation beside each handler (every router module holds its part as `Api`),
//! so the document cannot drift from the code. Built once, served at `GET /api/openapi.json`.
//!
//! Every refusal is the typed `ErrorBody` (`error.rs`, and the `typed_errors` layer for axum's own
//! rejections); the shared error responses below are what operations list under their statuses.

use super::{
    access_tokens, authority, books, catalogs, certificates, corrections, delivery, health,
    invoices, orders, session, signing, webhooks,
};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use hoadon_core::api::ErrorBody;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{IntoResponses, Modify, OpenApi, ToResponse};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "hoadon API",
        description = "Vietnamese e-invoices: drafts, issuing (gapless numbers, signed GDT XML), \
                       catalogs, series and the company profile. Every refusal is an `ErrorBody` \
                       with a stable `code`."
    ),
    paths(openapi_document),
    components(
        schemas(ErrorBody),
        responses(
            BadRequest,
            Unauthorized,
            Forbidden,
            NotFound,
            Conflict,
            PayloadTooLarge,
            UnsupportedMediaType,
            Unprocessable,
            Unavailable,
            TooManyRequests
        )
    ),
    modifiers(&BearerAndExamples)
)]
struct Root;

/// The `bearer` scheme that authenticated operations name, the catalogs' `{kind}` as the core's
/// list of kinds (one source), and the draft example (`shared/examples/draft.json`, which a core
/// test keeps valid) on the draft bodies.
struct BearerAndExamples;

impl Modify for BearerAndExamples {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = doc.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
        let kinds = utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(hoadon_core::catalog::KINDS))
            .build();
        let params = doc
            .paths
            .paths
            .values_mut()
            .flat_map(|item| {
                [&mut item.get, &mut item.post, &mut item.put]
                    .into_iter()
                    .flatten()
            })
            .flat_map(|op| op.parameters.iter_mut().flatten())
            .filter(|p| p.name == "kind");
        for p in params {
            p.schema = Some(kinds.clone().into());
        }
        let draft: serde_json::Value =
            serde_json::from_str(include_str!("../../../../shared/examples/draft.json"))
                .expect("the draft example is JSON");
        let create = serde_json::json!({ "id": "7f3c1e9a-draft-0001", "document": draft });
        for (path, example) in [("/api/invoices", create), ("/api/invoices/{id}", draft)] {
            let item = doc.paths.paths.get_mut(path);
            let op = item.and_then(|i| i.post.as_mut().or(i.put.as_mut()));
            let body = op.and_then(|o| o.request_body.as_mut());
            if let Some(json) = body.and_then(|b| b.content.get_mut("application/json")) {
                json.example = Some(example);
            }
        }
    }
}

/// The document as JSON, derived on first use.
pub(super) fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = Root::openapi();
        doc.merge(session::Api::openapi());
        doc.merge(invoices::Api::openapi());
        doc.merge(catalogs::Api::openapi());
        doc.merge(health::Api::openapi());
        doc.merge(authority::Api::openapi());
        doc.merge(certificates::Api::openapi());
        doc.merge(signing::Api::openapi());
        doc.merge(access_tokens::Api::openapi());
        doc.merge(corrections::Api::openapi());
        doc.merge(delivery::Api::openapi());
        doc.merge(books::Api::openapi());
        doc.merge(orders::Api::openapi());
        doc.merge(webhooks::Api::openapi());
        // After the merge: the examples go onto the merged operations.
        BearerAndExamples.modify(&mut doc);
        let mut json = serde_json::to_value(&doc).expect("the OpenAPI document serializes");
        camel_case_links(&mut json);
        json.to_string()
    })
}

/// utoipa 5 writes a link's `operationId` and `operationRef` in snake case, which OpenAPI tools
/// do not read (Schemathesis then follows no link); renamed here, where the JSON is final.
fn camel_case_links(doc: &mut serde_json::Value) {
    let responses = doc["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(|item| item.as_object_mut())
        .flat_map(|item| item.values_mut())
        .filter_map(|op| op.get_mut("responses")?.as_object_mut())
        .flat_map(|responses| responses.values_mut());
    for response in responses {
        let links = response.get_mut("links").and_then(|l| l.as_object_mut());
        for link in links.into_iter().flat_map(|l| l.values_mut()) {
            let Some(link) = link.as_object_mut() else {
                continue;
            };
            for (snake, camel) in [
                ("operation_id", "operationId"),
                ("operation_ref", "operationRef"),
            ] {
                if let Some(v) = link.remove(snake) {
                    link.insert(camel.to_owned(), v);
                }
            }
        }
    }
}

/// `GET /api/openapi.json`: this document (no sign-in needed).
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    operation_id = "openapi_document",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json", body = Object))
)]
pub(super) async fn openapi_document() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], document()).into_response()
}

/// One shared error response per status: an `ErrorBody` in `application/json`.
macro_rules! error_responses {
    ($($name:ident => $what:literal),* $(,)?) => {$(
        #[doc = $what]
        pub(super) struct $name;

        impl<'s> ToResponse<'s> for $name {
            fn response() -> (&'s str, RefOr<utoipa::openapi::Response>) {
                let content = ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build();
                let response = ResponseBuilder::new()
                    .description($what)
                    .content("application/json", content)
                    .build();
                (stringify!($name), response.into())
            }
        }
    )*};
}

error_responses! {
    BadRequest => "`bad_request`: the request is malformed (JSON, a field's type or format, a header).",
    Unauthorized => "`unauthorized` (no valid bearer token) or `invalid_credentials`.",
    Forbidden => "`forbidden`: the caller's role may not do this.",
    NotFound => "`not_found`: no such record in the caller's tenant.",
    Conflict => "The record changed or exists (`draft_conflict`, `version_conflict` with `current`, \
                 `invoice_not_editable`, `id_taken`, `idempotency_key_reused`, `already_exists`).",
    PayloadTooLarge => "`payload_too_large`: the body or the record is larger than the API keeps.",
    UnsupportedMediaType => "`unsupported_media_type`: the body is not in the declared content type.",
    Unprocessable => "The content breaks rules: `validation_failed` and `profile_incomplete` with \
                      every finding in `details` (e.g. `issue_date.future`, \
                      `issue_date.before_last`, `series.exhausted`), `unknown_series`, a rule of \
                      the tenant (`registration_required`, `certificate.other_tax_id`, …).",
    TooManyRequests => "`rate_limited`: too many attempts from this client; `Retry-After` says when to try again.",
    Unavailable => "`unavailable`, `signing_pending`, `signing_key_missing` or a service's own code \
                    (`certificate_request.signer_failed`): retry later.",
}

/// Error answers that go together, so that each operation lists them once (`responses(…)` takes
/// these beside its own statuses). Each refers to the shared responses above.
macro_rules! error_sets {
    ($($(#[$doc:meta])* $name:ident = [$($status:literal => $response:ident),*];)*) => {$(
        $(#[$doc])*
        pub(super) struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
                [$(($status.to_string(), Ref::from_response_name(stringify!($response)).into())),*]
                    .into_iter()
                    .collect()
            }
        }
    )*};
}

error_sets! {
    /// A bearer token is checked (or credentials are) and the store is read.
    SignedIn = [401 => Unauthorized, 503 => Unavailable];
    /// A request body: malformed, over the limit, or not in the declared content type.
    WithBody = [400 => BadRequest, 413 => PayloadTooLarge, 415 => UnsupportedMediaType];
    /// A record named in the path: a malformed name, or no such record.
    NamedRecord = [400 => BadRequest, 404 => NotFound];
    /// A period's read (books, vouchers): malformed query or cursor, a role that may not, a
    /// period that is not one.
    PeriodRead = [400 => BadRequest, 403 => Forbidden, 422 => Unprocessable];
    /// A catalog write: a role that may not, an unknown catalog, an entry breaking its rules.
    CatalogWrite = [403 => Forbidden, 404 => NotFound, 422 => Unprocessable];
}
