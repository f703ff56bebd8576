//! The WebSocket upgrade of `/v1/listen` and `/v1/speak`: refuse or accept, and with which headers.
//!
//! Owns the order of the checks (a `refuse_handshake` fault, then credentials → 401, then the query → 400,
//! then the upgrade itself), the Deepgram-style error response (`dg-request-id`, `dg-error`, JSON
//! `{"err_code","err_msg","request_id"}`), and the 101's headers (`dg-request-id`, the chosen subprotocol,
//! CORS like the real service). It must not run the stream: it hands the socket to `connection_io.rs`.

use std::sync::Arc;
use std::time::SystemTime;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::http::header::{HeaderMap, HeaderName, HeaderValue};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::access_token::TokenStatus;
use crate::auth::{read_credentials, subprotocol_items, Credentials};
use crate::connection_io::{run_connection, Limits};
use crate::listen_driver::ListenDriver;
use crate::listen_options::ListenOptions;
use crate::model::speak_model;
use crate::query::{redact_raw_query, Query};
use crate::registry::{NewConnection, Refusal};
use crate::server::AppState;
use crate::speak_driver::SpeakDriver;
use crate::speak_options::SpeakOptions;
use crate::speak_session::SpeakSession;
use crate::transcriber::ListenSession;

/// A fresh `dg-request-id` (UUID v4).
pub fn new_request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The `err_code` and default `err_msg` the real service uses for an HTTP status (DOCS:errors).
pub fn error_code(status: u16) -> (&'static str, &'static str) {
    match status {
        400 => (
            "Bad Request",
            "Bad Request: the request could not be processed.",
        ),
        401 => ("INVALID_AUTH", "Invalid credentials."),
        402 => (
            "ASR_PAYMENT_REQUIRED",
            "Project does not have enough credits for an ASR request.",
        ),
        403 => (
            "INSUFFICIENT_PERMISSIONS",
            "Project does not have access to the requested model.",
        ),
        404 => ("NOT_FOUND", "Not found."),
        405 => ("METHOD_NOT_ALLOWED", "Method not allowed."),
        426 => (
            "UPGRADE_REQUIRED",
            "This endpoint accepts WebSocket upgrades only.",
        ),
        429 => (
            "TOO_MANY_REQUESTS",
            "Too many requests. Please try again later",
        ),
        500 => ("INTERNAL_SERVER_ERROR", "Internal server error."),
        502 => ("BAD_GATEWAY", "Bad gateway."),
        503 => (
            "SERVICE_UNAVAILABLE",
            "The service is temporarily unavailable. Please try again later.",
        ),
        504 => ("GATEWAY_TIMEOUT", "Gateway timeout."),
        _ => ("REQUEST_REFUSED", "The request was refused."),
    }
}

/// Header values must be visible ASCII; anything else (a non-ASCII query value echoed in a message) is
/// replaced rather than dropping the header.
fn header_text(s: &str) -> HeaderValue {
    let clean: String = s
        .chars()
        .map(|c| {
            if c == ' ' || c.is_ascii_graphic() {
                c
            } else {
                '?'
            }
        })
        .collect();
    HeaderValue::from_str(&clean).unwrap_or_else(|_| HeaderValue::from_static("error"))
}

fn add_cors(headers: &mut HeaderMap, origin: Option<&HeaderValue>) {
    // Mirrors the real 101 of deepgram-js-sdk#301 (LISTEN-NOTES §1).
    if let Some(origin) = origin {
        headers.insert("access-control-allow-origin", origin.clone());
        headers.insert(
            "access-control-allow-credentials",
            HeaderValue::from_static("true"),
        );
    }
    headers.append("vary", HeaderValue::from_static("origin"));
    headers.append(
        "vary",
        HeaderValue::from_static("access-control-request-method"),
    );
    headers.append(
        "vary",
        HeaderValue::from_static("access-control-request-headers"),
    );
    headers.insert(
        "access-control-expose-headers",
        HeaderValue::from_static(
            "dg-model-name,dg-model-uuid,dg-char-count,dg-request-id,dg-error",
        ),
    );
}

/// A refused request, Deepgram style.
pub struct DeepgramError {
    /// HTTP status.
    pub status: u16,
    /// `err_code`.
    pub err_code: String,
    /// `err_msg` (also the `dg-error` header).
    pub err_msg: String,
    /// `dg-request-id`.
    pub request_id: String,
    /// The request's `Origin`, for CORS.
    pub origin: Option<HeaderValue>,
}

impl IntoResponse for DeepgramError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "err_code": self.err_code,
            "err_msg": self.err_msg,
            "request_id": self.request_id,
        })
        .to_string();
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert("dg-request-id", header_text(&self.request_id));
        headers.insert("dg-error", header_text(&self.err_msg));
        add_cors(headers, self.origin.as_ref());
        response
    }
}

/// Which endpoint is being upgraded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Listen,
    Speak,
}

impl Endpoint {
    fn path(self) -> &'static str {
        match self {
            Endpoint::Listen => "/v1/listen",
            Endpoint::Speak => "/v1/speak",
        }
    }
}

/// `GET /v1/listen`.
pub async fn listen(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    uri: Uri,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    upgrade(app, Endpoint::Listen, headers, uri, ws)
}

/// `GET /v1/speak`.
pub async fn speak(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    uri: Uri,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    upgrade(app, Endpoint::Speak, headers, uri, ws)
}

enum Validated {
    Listen(ListenOptions),
    Speak(SpeakOptions),
}

fn upgrade(
    app: Arc<AppState>,
    endpoint: Endpoint,
    headers: HeaderMap,
    uri: Uri,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let request_id = new_request_id();
    let path = endpoint.path();
    let raw_query = uri.query().unwrap_or("");
    let shown_query = redact_raw_query(raw_query);
    let origin = headers.get("origin").cloned();
    let refuse = |status: u16, err_msg: Option<String>, why: &str| -> Response {
        let (code, default_msg) = error_code(status);
        let err_msg = err_msg.unwrap_or_else(|| default_msg.to_string());
        app.registry.refused(Refusal {
            path: path.to_string(),
            query: shown_query.clone(),
            status,
            err_code: code.to_string(),
            err_msg: err_msg.clone(),
            request_id: request_id.clone(),
        });
        app.log.line(format_args!(
            "refused {path} ({status} {code}): {why}; request_id {request_id}"
        ));
        DeepgramError {
            status,
            err_code: code.to_string(),
            err_msg,
            request_id: request_id.clone(),
            origin: origin.clone(),
        }
        .into_response()
    };

    if let Some(status) = app.registry.take_refusal(path) {
        return refuse(status, None, "refuse_handshake fault");
    }

    let authorization = headers
        .get(axum::http::header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("\u{fffd}"));
    let protocols = subprotocol_items(
        headers
            .get_all(axum::http::header::SEC_WEBSOCKET_PROTOCOL)
            .iter()
            .filter_map(|v| v.to_str().ok()),
    );
    let creds: Credentials = match read_credentials(authorization, &protocols) {
        Ok(c) => c,
        Err(e) => return refuse(401, None, &e.to_string()),
    };
    let now = SystemTime::now();
    let token_status = |t: &str| {
        if app.registry.is_granted(t) {
            TokenStatus::Valid
        } else {
            app.tokens.status(t, now)
        }
    };
    if let Err(e) = creds.check_with_tokens(&app.config.auth, token_status) {
        return refuse(401, None, &e.to_string());
    }

    let validated = Query::parse(raw_query).and_then(|q| match endpoint {
        Endpoint::Listen => ListenOptions::from_query(&q).map(Validated::Listen),
        Endpoint::Speak => SpeakOptions::from_query(&q).map(Validated::Speak),
    });
    let validated = match validated {
        Ok(v) => v,
        Err(e) => {
            let msg = e.to_string();
            return refuse(400, Some(msg.clone()), &msg);
        }
    };

    let mut ws = match ws {
        Ok(ws) => ws,
        Err(rejection) => {
            let status = rejection.status().as_u16();
            let status = if status == 405 { 405 } else { 426 };
            return refuse(status, None, &rejection.body_text());
        }
    };
    if let Some(p) = &creds.subprotocol {
        if let Ok(v) = HeaderValue::from_str(p) {
            ws.set_selected_protocol(v);
        }
    }

    let (conn, faults, initial) = app.registry.open(NewConnection {
        path: path.to_string(),
        query: shown_query,
        subprotocol: creds.subprotocol.clone(),
        auth: creds.method,
        request_id: request_id.clone(),
    });
    app.log.line(format_args!(
        "connection {} {path} opened (auth {}, request_id {request_id})",
        conn.id,
        creds.method.as_str()
    ));

    let listen_limits = Limits {
        idle: Some(app.config.idle_timeout),
        max_duration: None,
    };
    // No idle close on speak: Deepgram documents none (a maintainer: KeepAlive "doesn't apply to TTS"),
    // only the cap on the connection's duration.
    let speak_limits = Limits {
        idle: None,
        max_duration: Some(app.config.speak_max_duration),
    };
    let configure_timeout = app.config.configure_timeout;
    let log = app.log;
    let failed_conn = Arc::clone(&conn);
    let mut model_headers: Vec<(HeaderName, HeaderValue)> = Vec::new();
    let ws = ws
        .on_failed_upgrade(move |_| failed_conn.closed(1006, "", crate::registry::ClosedBy::Abort));
    let mut response = match validated {
        Validated::Listen(opts) => {
            let session = ListenSession::new(
                opts,
                request_id.clone(),
                SystemTime::now(),
                Arc::clone(&app.recognizer),
            );
            ws.on_upgrade(move |socket| {
                run_connection(
                    socket,
                    conn,
                    ListenDriver::new(session, configure_timeout),
                    listen_limits,
                    faults,
                    initial,
                    log,
                )
            })
        }
        Validated::Speak(opts) => {
            let model = speak_model(opts.model.as_deref());
            model_headers.push((
                HeaderName::from_static("dg-model-name"),
                header_text(&model.name),
            ));
            model_headers.push((
                HeaderName::from_static("dg-model-uuid"),
                header_text(&model.uuid),
            ));
            let session = SpeakSession::new(
                &opts,
                &request_id,
                app.voice.as_ref(),
                app.config.tts_frame_ms,
            );
            let driver = SpeakDriver::new(session, app.config.tts_frame_ms, app.config.tts_speed);
            ws.on_upgrade(move |socket| {
                run_connection(socket, conn, driver, speak_limits, faults, initial, log)
            })
        }
    };
    let headers = response.headers_mut();
    add_cors(headers, origin.as_ref());
    for (name, value) in model_headers {
        headers.insert(name, value);
    }
    headers.insert("dg-request-id", header_text(&request_id));
    response
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]
    use super::*;

    #[test]
    fn request_ids_are_uuid_v4() {
        let id = new_request_id();
        let u = uuid::Uuid::parse_str(&id).unwrap();
        assert_eq!(u.get_version_num(), 4);
        assert_ne!(id, new_request_id());
    }

    #[test]
    fn header_text_never_fails() {
        assert_eq!(header_text("ok `x`"), "ok `x`");
        assert_eq!(header_text("é\n"), "??");
    }

    #[test]
    fn auth_error_body_is_the_documented_one() {
        let r = DeepgramError {
            status: 401,
            err_code: error_code(401).0.into(),
            err_msg: error_code(401).1.into(),
            request_id: "rid".into(),
            origin: None,
        }
        .into_response();
        assert_eq!(r.status(), 401);
        assert_eq!(r.headers()["dg-error"], "Invalid credentials.");
        assert_eq!(r.headers()["dg-request-id"], "rid");
    }
}
