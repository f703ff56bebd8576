//! Binding and running the server: shared state, routes, and the handle tests use to stop it.
//!
//! Owns [`Server::bind`] (in-process servers for tests, and the binary's entry) and `POST /v1/auth/grant`
//! (short-lived JWT bearer tokens, as Deepgram's token endpoint: no CORS, since Deepgram's REST API has
//! none and tokens are meant to be minted on the app's own server). It must not hold protocol rules.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::access_token::AccessTokens;
use crate::auth::{read_credentials, subprotocol_items};
use crate::config::{Config, TtsEngine};
use crate::control;
use crate::handshake;
use crate::recognizer::{DtmfEngine, RecognizerEngine};
use crate::registry::Registry;
use crate::static_files;
use crate::stderr_log::Logger;
use crate::voice::{DtmfVoiceEngine, VoiceEngine};

/// What every request handler shares.
pub struct AppState {
    /// The configuration.
    pub config: Config,
    /// Connection records, faults, tokens.
    pub registry: Registry,
    /// Mints and checks the JWTs of `/v1/auth/grant`.
    pub tokens: AccessTokens,
    /// Builds the listen recognizers.
    pub recognizer: Arc<dyn RecognizerEngine>,
    /// Builds the speak voices.
    pub voice: Arc<dyn VoiceEngine>,
    /// Log lines on stderr.
    pub log: Logger,
}

/// Why the server could not start.
#[derive(Debug)]
pub enum ServerError {
    /// The address could not be bound.
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// `--www` or `--pkg` is not a directory.
    NotADirectory {
        /// The flag.
        flag: &'static str,
        /// The path given.
        path: String,
    },
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::Bind { addr, source } => write!(
                f,
                "could not listen on {addr}: {source}; choose another --port (0 picks a free one) or --host"
            ),
            ServerError::NotADirectory { flag, path } => {
                write!(f, "{flag} {path} is not a directory; pass an existing folder")
            }
        }
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServerError::Bind { source, .. } => Some(source),
            ServerError::NotADirectory { .. } => None,
        }
    }
}

/// A running server.
pub struct ServerHandle {
    state: Arc<AppState>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl ServerHandle {
    /// The shared state (registry included), for in-process tests.
    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// Stops accepting connections and waits for the accept loop to end. Open WebSockets end when their
    /// runtime does.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(2), &mut self.task).await;
        self.task.abort();
    }

    /// Runs until the accept loop ends (it ends only on [`ServerHandle::shutdown`] or a fatal error).
    pub async fn wait(self) {
        let _ = self.task.await;
    }
}

/// The server.
pub struct Server;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct GrantRequest {
    ttl_seconds: Option<serde_json::Number>,
}

/// Default lifetime of a minted token, as Deepgram's.
pub const DEFAULT_TTL_SECONDS: u64 = 30;
/// Longest lifetime this server mints (Deepgram documents no maximum; the Python SDK checks 1-3600).
pub const MAX_TTL_SECONDS: f64 = 3600.0;

/// `POST /v1/auth/grant`: an API key (Token) buys a JWT bearer token valid for `ttl_seconds` (default 30).
async fn grant(State(app): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let request_id = handshake::new_request_id();
    let mut response = grant_response(&app, &headers, &body, &request_id);
    if let Ok(v) = axum::http::HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("dg-request-id", v);
    }
    response
}

/// A JSON response without CORS headers (Deepgram's REST API sends none).
fn rest_json(status: StatusCode, body: &serde_json::Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    r.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    r
}

/// Reads `ttl_seconds`: any JSON number with 0 < ttl <= 3600, or nothing (30). Returns the number as sent
/// (echoed as `expires_in`) and its value.
fn read_ttl(body: &[u8]) -> Result<(serde_json::Number, f64), String> {
    let bad = || {
        "Invalid body: send {\"ttl_seconds\": <number of seconds, above 0 and at most 3600>} or nothing"
            .to_string()
    };
    let requested = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<GrantRequest>(body)
            .map_err(|_| bad())?
            .ttl_seconds
    };
    match requested {
        None => Ok((
            serde_json::Number::from(DEFAULT_TTL_SECONDS),
            DEFAULT_TTL_SECONDS as f64,
        )),
        Some(n) => match n.as_f64() {
            Some(t) if t.is_finite() && t > 0.0 && t <= MAX_TTL_SECONDS => Ok((n, t)),
            _ => Err(bad()),
        },
    }
}

fn grant_response(app: &AppState, headers: &HeaderMap, body: &[u8], request_id: &str) -> Response {
    let authorization = headers
        .get(axum::http::header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("\u{fffd}"));
    let creds = read_credentials(authorization, &subprotocol_items(std::iter::empty()));
    let allowed = match (&app.config.auth, &creds) {
        (crate::config::AuthPolicy::Open, _) => true,
        (policy, Ok(c)) => c.is_api_key_for(policy),
        (_, Err(_)) => false,
    };
    if !allowed {
        let (code, msg) = handshake::error_code(401);
        return rest_json(
            StatusCode::UNAUTHORIZED,
            &serde_json::json!({"err_code": code, "err_msg": msg, "request_id": request_id}),
        );
    }
    let (expires_in, ttl) = match read_ttl(body) {
        Ok(t) => t,
        Err(msg) => {
            let (code, _) = handshake::error_code(400);
            return rest_json(
                StatusCode::BAD_REQUEST,
                &serde_json::json!({"err_code": code, "err_msg": msg, "request_id": request_id}),
            );
        }
    };
    let minted = app.tokens.mint(SystemTime::now(), ttl);
    rest_json(
        StatusCode::OK,
        &serde_json::json!({"access_token": minted.token, "expires_in": expires_in}),
    )
}

fn router(state: Arc<AppState>) -> Router {
    let mut router = Router::new()
        .route("/v1/listen", get(handshake::listen))
        .route("/v1/speak", get(handshake::speak))
        .route("/v1/auth/grant", post(grant));
    if state.config.control {
        router = router.merge(control::routes());
    }
    router.fallback(static_files::serve).with_state(state)
}

impl Server {
    /// Binds `config.host:config.port` and starts serving in the current tokio runtime; returns the bound
    /// address (the real port when 0 was asked for) and a handle.
    pub async fn bind(config: Config) -> Result<(SocketAddr, ServerHandle), ServerError> {
        for (flag, dir) in [("--www", &config.www), ("--pkg", &config.pkg)] {
            if let Some(dir) = dir {
                if !dir.is_dir() {
                    return Err(ServerError::NotADirectory {
                        flag,
                        path: dir.display().to_string(),
                    });
                }
            }
        }
        let addr = SocketAddr::new(config.host, config.port);
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServerError::Bind { addr, source })?;
        let local = listener
            .local_addr()
            .map_err(|source| ServerError::Bind { addr, source })?;
        let log = Logger::new(config.log);
        let voice: Arc<dyn VoiceEngine> = match config.tts_engine {
            TtsEngine::Dtmf => Arc::new(DtmfVoiceEngine),
            TtsEngine::Espeak => Arc::new(crate::espeak::EspeakVoiceEngine::new(log)),
        };
        let state = Arc::new(AppState {
            registry: Registry::new(config.control),
            tokens: AccessTokens::new(),
            config,
            recognizer: Arc::new(DtmfEngine),
            voice,
            log,
        });
        let app = router(Arc::clone(&state));
        let (tx, rx) = oneshot::channel::<()>();
        // Small frames (20 ms audio, short JSON) must not wait for Nagle.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = served {
                log.line(format_args!("server stopped: {e}"));
            }
        });
        Ok((
            local,
            ServerHandle {
                state,
                shutdown: Some(tx),
                task,
            },
        ))
    }
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
    fn ttl_is_any_number_above_zero_up_to_an_hour() {
        assert_eq!(read_ttl(b"").unwrap().1, 30.0);
        assert_eq!(read_ttl(b"  ").unwrap().1, 30.0);
        assert_eq!(read_ttl(br#"{}"#).unwrap().1, 30.0);
        assert_eq!(read_ttl(br#"{"ttl_seconds":null}"#).unwrap().1, 30.0);
        let (n, t) = read_ttl(br#"{"ttl_seconds":0.5}"#).unwrap();
        assert_eq!((n.to_string(), t), ("0.5".to_string(), 0.5));
        let (n, t) = read_ttl(br#"{"ttl_seconds":3600}"#).unwrap();
        assert_eq!((n.to_string(), t), ("3600".to_string(), 3600.0));
        for bad in [
            &br#"{"ttl_seconds":0}"#[..],
            br#"{"ttl_seconds":-1}"#,
            br#"{"ttl_seconds":3600.5}"#,
            br#"{"ttl_seconds":"30"}"#,
            br#"{"ttl":30}"#,
            b"nope",
        ] {
            let msg = read_ttl(bad).unwrap_err();
            assert!(msg.contains("ttl_seconds"), "{msg}");
        }
    }
}
