//! The API client (gloo-net, same origin). Errors come back as the API's message, never
//! swallowed.

use gloo_net::http::{Method, RequestBuilder};
use serde_json::{Value, json};

/// `(status, body)`; a body that is not JSON comes back as a string.
pub async fn call(
    method: Method,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Result<(u16, Value), String> {
    let mut req = RequestBuilder::new(path).method(method);
    if let Some(t) = token {
        req = req.header("authorization", &format!("Bearer {t}"));
    }
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let resp = match body {
        Some(b) => req.json(b).map_err(|e| e.to_string())?.send().await,
        None => req.send().await,
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
