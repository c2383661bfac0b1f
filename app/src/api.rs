//! The API client (gloo-net, same origin). Errors come back as the API's message, never
//! swallowed.

use gloo_net::http::{Method, RequestBuilder};
use leptos::prelude::*;
use serde_json::{Value, json};

/// What a request carries.
#[derive(Clone, Copy)]
pub enum Payload<'a> {
    None,
    Json(&'a Value),
    /// A CSV file (catalog import).
    Csv(&'a str),
}

/// `(status, body)`; a body that is not JSON comes back as a string.
pub async fn call(
    method: Method,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Result<(u16, Value), String> {
    let payload = body.map_or(Payload::None, Payload::Json);
    call_with(method, path, token, headers, payload).await
}

/// [`call`] with any [`Payload`].
pub async fn call_with(
    method: Method,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    payload: Payload<'_>,
) -> Result<(u16, Value), String> {
    let mut req = RequestBuilder::new(path).method(method);
    if let Some(t) = token {
        req = req.header("authorization", &format!("Bearer {t}"));
    }
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let resp = match payload {
        Payload::Json(b) => req.json(b).map_err(|e| e.to_string())?.send().await,
        Payload::Csv(text) => {
            req.header("content-type", "text/csv; charset=utf-8")
                .body(text.to_owned())
                .map_err(|e| e.to_string())?
                .send()
                .await
        }
        Payload::None => req.send().await,
    }
    .map_err(|e| e.to_string())?;
    let status = resp.status();
    let text = resp.text().await.map_err(|e| e.to_string())?;
    let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Ok((status, v))
}

/// The message of an API error body (`{code, message, details[]}`).
pub fn message(status: u16, v: &Value) -> String {
    match v["message"].as_str() {
        Some(m) => format!("{m} ({})", v["code"].as_str().unwrap_or("error")),
        None => format!("HTTP {status}"),
    }
}

pub async fn login(email: &str, password: &str) -> Result<String, String> {
    let body = json!({"email": email, "password": password});
    let (s, v) = call(Method::POST, "/api/login", None, &[], Some(&body)).await?;
    match v["token"].as_str() {
        Some(t) if s == 200 => Ok(t.to_owned()),
        _ => Err(message(s, &v)),
    }
}

/// A request on behalf of the signed-in user: the 2xx body, or the message to show. A `401`
/// signs the user out (the token expired); a failed fetch says the server cannot be reached.
pub async fn request(
    session: crate::Session,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    payload: Payload<'_>,
) -> Result<Value, String> {
    request_full(session, method, path, headers, payload)
        .await
        .map_err(|(_, m)| m)
}

/// [`request`] that also gives the refusal's body (validation details, the server's copy in a
/// conflict), `Value::Null` when there was no answer.
pub async fn request_full(
    session: crate::Session,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    payload: Payload<'_>,
) -> Result<Value, (Value, String)> {
    let token = session.token.get_untracked();
    let lang = session.lang.get_untracked();
    match call_with(method, path, token.as_deref(), headers, payload).await {
        Ok((200..=299, v)) => Ok(v),
        Ok((401, v)) => {
            session.token.set(None);
            let m = message(401, &v);
            Err((v, m))
        }
        Ok((s, v)) => {
            let m = message(s, &v);
            Err((v, m))
        }
        Err(_) => Err((
            Value::Null,
            crate::i18n::text(lang, "unreachable").to_owned(),
        )),
    }
}

pub async fn get(session: crate::Session, path: &str) -> Result<Value, String> {
    request(session, Method::GET, path, &[], Payload::None).await
}

/// `application/x-www-form-urlencoded` escaping of one query value.
pub fn encode(s: &str) -> String {
    web_sys::js_sys::encode_uri_component(s).into()
}
