//! The `/_control/` test API: health, reset, connection records, fault injection. JSON in and out, CORS
//! fully open (any origin, preflight answered), absent with `--no-control`.
//!
//! Owns the HTTP shape of the API (documented in README.md). It must not touch connections directly:
//! records and faults go through `registry.rs`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::{HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, options, post};
use axum::Router;
use serde_json::{json, Value};

use crate::fault::{Fault, FaultRequest, FaultTarget};
use crate::server::AppState;

/// Adds the open CORS headers every control response carries.
pub fn open_cors(headers: &mut HeaderMap) {
    headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    headers.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    headers.insert(
        "access-control-allow-headers",
        HeaderValue::from_static("*"),
    );
    headers.insert("access-control-max-age", HeaderValue::from_static("600"));
}

/// A JSON response with open CORS.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r.headers_mut()
        .insert("cache-control", HeaderValue::from_static("no-store"));
    open_cors(r.headers_mut());
    r
}

fn error(status: StatusCode, message: &str) -> Response {
    json_response(status, &json!({"ok": false, "error": message}))
}

/// Answers a CORS preflight.
pub async fn preflight() -> Response {
    let mut r = StatusCode::NO_CONTENT.into_response();
    open_cors(r.headers_mut());
    r
}

async fn health() -> Response {
    json_response(StatusCode::OK, &json!({"ok": true}))
}

async fn reset(State(app): State<Arc<AppState>>) -> Response {
    app.registry.reset();
    json_response(StatusCode::OK, &json!({"ok": true}))
}

async fn connections(State(app): State<Arc<AppState>>) -> Response {
    let list: Vec<_> = app
        .registry
        .connections()
        .iter()
        .map(|c| c.to_json())
        .collect();
    json_response(
        StatusCode::OK,
        &json!({"connections": list, "refused": app.registry.refusals()}),
    )
}

async fn connection(State(app): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<u64>() else {
        return error(
            StatusCode::BAD_REQUEST,
            &format!(
                "connection id `{id}` is not a number; use an id from GET /_control/connections"
            ),
        );
    };
    match app.registry.get(id) {
        Some(c) => match serde_json::to_value(c.to_json()) {
            Ok(v) => json_response(StatusCode::OK, &v),
            Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        },
        None => error(
            StatusCode::NOT_FOUND,
            &format!("no connection {id}; GET /_control/connections lists them (reset forgets closed ones)"),
        ),
    }
}

async fn faults(State(app): State<Arc<AppState>>, body: Bytes) -> Response {
    let req: FaultRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!(
                    "body is not a fault request ({e}); send {{\"connection\":\"next\"|ID,\"path\":\"/v1/listen\"|\"/v1/speak\"|null,\"fault\":{{\"kind\":...}}}}"
                ),
            )
        }
    };
    if let Err(e) = req.fault.validate() {
        return error(StatusCode::BAD_REQUEST, &e.to_string());
    }
    match req.connection {
        FaultTarget::Named(name) if name == "next" => {
            if let Some(p) = req.path.as_deref() {
                if p != "/v1/listen" && p != "/v1/speak" {
                    return error(
                        StatusCode::BAD_REQUEST,
                        &format!("path `{p}` is not a stream path; use \"/v1/listen\", \"/v1/speak\" or null"),
                    );
                }
            }
            app.registry.add_pending(req.path, req.fault);
            json_response(StatusCode::OK, &json!({"ok": true}))
        }
        FaultTarget::Named(other) => error(
            StatusCode::BAD_REQUEST,
            &format!("connection `{other}` is neither \"next\" nor a connection id"),
        ),
        FaultTarget::Id(id) => {
            if matches!(req.fault, Fault::RefuseHandshake { .. }) {
                return error(
                    StatusCode::BAD_REQUEST,
                    &crate::fault::FaultError::RefuseOpenConnection.to_string(),
                );
            }
            let Some(conn) = app.registry.get(id) else {
                return error(StatusCode::NOT_FOUND, &format!("no connection {id}"));
            };
            if conn.inject(req.fault) {
                json_response(StatusCode::OK, &json!({"ok": true}))
            } else {
                error(
                    StatusCode::CONFLICT,
                    &format!("connection {id} has ended; faults apply to open connections"),
                )
            }
        }
    }
}

/// The control routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/_control/health", get(health).options(preflight))
        .route("/_control/reset", post(reset).options(preflight))
        .route("/_control/connections", get(connections).options(preflight))
        .route(
            "/_control/connections/{id}",
            get(connection).options(preflight),
        )
        .route("/_control/faults", post(faults).options(preflight))
        .route("/_control/{*rest}", options(preflight))
}
