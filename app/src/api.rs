//! The API client (gloo-net, same origin). Bodies are the core's typed API bodies
//! (`hoadon_core::api`), so a field the server renames breaks the build, not the screen. Errors
//! come back as the API's `ErrorBody` and a message to show, never swallowed.

use gloo_net::http::{Method, RequestBuilder};
use hoadon_core::api::{Detail, ErrorBody, Login, LoginAnswer};
use leptos::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// What a request carries.
#[derive(Clone, Copy)]
pub enum Payload<'a> {
    None,
    /// A JSON text (see [`json`]).
    Json(&'a str),
    /// A file as the user picked it (catalog import: CSV or `.xlsx`), sent as its bytes with
    /// its type; the server detects the encoding and format, so the browser decodes nothing.
    File(&'a web_sys::File),
    /// A file sent with the type the API asks for (an invoice import: the browser calls an
    /// `.xml` file `text/xml`, or nothing, where the API takes `application/xml`).
    FileAs(&'a web_sys::File, &'a str),
}

/// A body as JSON text for [`Payload::Json`].
pub fn json(body: &impl Serialize) -> String {
    serde_json::to_string(body).expect("API bodies serialize")
}

/// A request with the bearer token and these headers.
fn builder(
    method: Method,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> RequestBuilder {
    let mut req = RequestBuilder::new(path).method(method);
    if let Some(t) = token {
        req = req.header("authorization", &format!("Bearer {t}"));
    }
    for (k, v) in headers {
        req = req.header(k, v);
    }
    req
}

/// The server's answer, or why there was none.
async fn answer(
    method: Method,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    payload: Payload<'_>,
) -> Result<gloo_net::http::Response, String> {
    let req = builder(method, path, token, headers);
    match payload {
        Payload::None => req.send().await,
        Payload::Json(b) => {
            req.header("content-type", "application/json")
                .body(b.to_owned())
                .map_err(|e| e.to_string())?
                .send()
                .await
        }
        Payload::File(f) => {
            let kind = Some(f.type_()).filter(|t| !t.is_empty());
            let kind = kind.as_deref().unwrap_or("application/octet-stream");
            send_file(req, f, kind).await
        }
        Payload::FileAs(f, kind) => send_file(req, f, kind).await,
    }
    .map_err(|e| e.to_string())
}

/// Sends a file's bytes as they are, as `kind`.
async fn send_file(
    req: RequestBuilder,
    f: &web_sys::File,
    kind: &str,
) -> Result<gloo_net::http::Response, gloo_net::Error> {
    req.header("content-type", kind)
        .body(wasm_bindgen::JsValue::from(f.clone()))?
        .send()
        .await
}

/// `(status, body text)`, or why there was no answer.
pub async fn call(
    method: Method,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    payload: Payload<'_>,
) -> Result<(u16, String), String> {
    let resp = answer(method, path, token, headers, payload).await?;
    let status = resp.status();
    Ok((status, resp.text().await.map_err(|e| e.to_string())?))
}

/// A file the server makes (a PDF, an export) as a blob of the type it said: `Ok(Err((status,
/// text)))` when it refused, `Err` when there was no answer.
pub async fn call_file(
    method: Method,
    path: &str,
    token: Option<&str>,
    payload: Payload<'_>,
) -> Result<Result<web_sys::Blob, (u16, String)>, String> {
    let resp = answer(method, path, token, &[], payload).await?;
    if !resp.ok() {
        let text = resp.text().await.unwrap_or_default();
        return Ok(Err((resp.status(), text)));
    }
    let kind = resp.headers().get("content-type").unwrap_or_default();
    let bytes = resp.binary().await.map_err(|e| e.to_string())?;
    blob(&web_sys::js_sys::Uint8Array::from(&bytes[..]).into(), &kind)
        .map(Ok)
        .map_err(|_| "blob".to_owned())
}

/// A blob of one part (bytes or a string) with its MIME type.
pub fn blob(
    part: &wasm_bindgen::JsValue,
    kind: &str,
) -> Result<web_sys::Blob, wasm_bindgen::JsValue> {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(kind);
    let parts = web_sys::js_sys::Array::of1(part);
    web_sys::Blob::new_with_blob_sequence_and_options(&parts, &options)
}

/// Why a request did not give what was asked: the server's error body when it answered (its
/// findings; the server's copy in a conflict is read from `text` as the type the caller
/// expects) and the message to show.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub body: Option<Box<ErrorBody<Value>>>,
    text: String,
    pub message: String,
}

impl Refusal {
    /// A refusal from a status and a body text (`ErrorBody` JSON, or anything else).
    pub fn from_answer(status: u16, text: &str) -> Refusal {
        let body = serde_json::from_str::<ErrorBody<Value>>(text)
            .ok()
            .map(Box::new);
        let message = match &body {
            Some(b) => format!("{} ({})", b.message, b.code),
            None => format!("HTTP {status}"),
        };
        Refusal {
            body,
            text: text.to_owned(),
            message,
        }
    }

    pub fn code(&self) -> &str {
        self.body.as_ref().map_or("", |b| b.code.as_str())
    }

    pub fn details(&self) -> Vec<Detail> {
        self.body
            .as_ref()
            .map(|b| b.details.clone())
            .unwrap_or_default()
    }

    /// The server's copy in a conflict, as `T` (read from the text, as every answer is: one
    /// deserialiser per type in the download).
    pub fn current<T: DeserializeOwned>(&self) -> Option<T> {
        current_of(&self.text)
    }

    /// As shown on a screen: the code, then the half of the server's `"vi / en"` message in
    /// `lang` (or why there was no answer).
    pub fn shown(&self, lang: crate::Lang) -> String {
        match &self.body {
            Some(b) => format!("{}: {}", b.code, crate::i18n::in_lang(&b.message, lang)),
            None => self.message.clone(),
        }
    }

    /// The answer's text (what a conflict keeps, to read its `current` later).
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// The `current` copy in an error body's text. Read back from its own text, because every
/// answer is read from text: one deserialiser per type in the download, not one per way in.
pub fn current_of<T: DeserializeOwned>(text: &str) -> Option<T> {
    let body = serde_json::from_str::<ErrorBody<Value>>(text).ok()?;
    serde_json::from_str(&body.current?.to_string()).ok()
}

/// Reads a 2xx body as `T`.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, Refusal> {
    serde_json::from_str(text).map_err(|e| Refusal {
        body: None,
        text: String::new(),
        message: format!("unexpected answer: {e}"),
    })
}

pub async fn login(email: &str, password: &str) -> Result<LoginAnswer, String> {
    let body = json(&Login {
        email: email.to_owned(),
        password: password.to_owned(),
    });
    let (s, text) = call(Method::POST, "/api/login", None, &[], Payload::Json(&body)).await?;
    match s {
        200 => parse(&text).map_err(|r| r.message),
        _ => Err(Refusal::from_answer(s, &text).message),
    }
}

/// A request on behalf of the signed-in user: the 2xx body text, or the refusal. A `401` signs
/// the user out (the token expired); a failed fetch says the server cannot be reached.
pub async fn send(
    session: crate::Session,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    payload: Payload<'_>,
) -> Result<String, Refusal> {
    // `try_`: a screen of the screens module may ask after it was left (its session is gone).
    let token = session.token.try_get_untracked().flatten();
    match call(method, path, token.as_deref(), headers, payload).await {
        Ok((200..=299, text)) => Ok(text),
        Ok((s, text)) => Err(refused(session, s, &text)),
        Err(_) => Err(unreachable(session)),
    }
}

/// A refusal from the server; a `401` signs the user out (the token expired). So does a `403`
/// without the API's typed body: on AWS the gateway's authorizer answers an expired or unknown
/// token with a bare `{"message":"Forbidden"}` (the API's own refusals always carry a `code`).
fn refused(session: crate::Session, status: u16, text: &str) -> Refusal {
    let refusal = Refusal::from_answer(status, text);
    if status == 401 || (status == 403 && refusal.body.is_none()) {
        session.token.set(None);
    }
    refusal
}

/// The refusal when the server cannot be reached.
fn unreachable(session: crate::Session) -> Refusal {
    Refusal {
        body: None,
        text: String::new(),
        message: crate::i18n::text(
            session.lang.try_get_untracked().unwrap_or(crate::Lang::Vi),
            "unreachable",
        )
        .to_owned(),
    }
}

/// A file the server makes for the signed-in user (an export), as a blob to save: a plain link
/// cannot carry the bearer token.
pub async fn download(session: crate::Session, path: &str) -> Result<web_sys::Blob, Refusal> {
    fetch_file(session, Method::GET, path, Payload::None).await
}

/// [`call_file`] on behalf of the signed-in user (a PDF asked with a body too).
pub async fn fetch_file(
    session: crate::Session,
    method: Method,
    path: &str,
    payload: Payload<'_>,
) -> Result<web_sys::Blob, Refusal> {
    let token = session.token.try_get_untracked().flatten();
    match call_file(method, path, token.as_deref(), payload).await {
        Ok(Ok(b)) => Ok(b),
        Ok(Err((s, text))) => Err(refused(session, s, &text)),
        Err(_) => Err(unreachable(session)),
    }
}

/// [`send`] with the answer read as `T`.
pub async fn request<T: DeserializeOwned>(
    session: crate::Session,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    payload: Payload<'_>,
) -> Result<T, Refusal> {
    let text = send(session, method, path, headers, payload).await?;
    parse(&text)
}

/// `GET` as `T`, or the message to show.
pub async fn get<T: DeserializeOwned>(session: crate::Session, path: &str) -> Result<T, String> {
    request(session, Method::GET, path, &[], Payload::None)
        .await
        .map_err(|r| r.message)
}

/// `application/x-www-form-urlencoded` escaping of one query value.
pub fn encode(s: &str) -> String {
    web_sys::js_sys::encode_uri_component(s).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_are_read_with_their_details_and_current_copy() {
        let text = r#"{"code":"version_conflict","message":"changed","details":[],"current":{"version":3}}"#;
        let r = Refusal::from_answer(409, text);
        assert_eq!(r.code(), "version_conflict");
        assert_eq!(r.message, "changed (version_conflict)");
        assert_eq!(r.current::<serde_json::Value>().unwrap()["version"], 3);
        let r = Refusal::from_answer(502, "<html>bad gateway</html>");
        assert_eq!((r.code(), r.message.as_str()), ("", "HTTP 502"));
    }
}
