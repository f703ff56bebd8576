//! Binding and running the server: shared state, routes, and the handle tests use to stop it.
//!
//! Owns [`Server::bind`] (in-process servers for tests, and the binary's entry) and `POST /v1/auth/grant`
//! (short-lived bearer tokens, as Deepgram's token endpoint). It must not hold protocol rules.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::auth::{read_credentials, subprotocol_items};
use crate::config::{Config, TtsEngine};
use crate::control::{self, json_response};
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
    ttl_seconds: Option<u64>,
}

/// `POST /v1/auth/grant`: an API key (Token) buys a bearer token valid for `ttl_seconds` (default 30).
async fn grant(State(app): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let request_id = handshake::new_request_id();
    let mut response = grant_response(&app, &headers, &body, &request_id);
    if let Ok(v) = axum::http::HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("dg-request-id", v);
    }
    response
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
        return json_response(
            StatusCode::UNAUTHORIZED,
            &serde_json::json!({"err_code": code, "err_msg": msg, "request_id": request_id}),
        );
    }
    let ttl = if body.iter().all(u8::is_ascii_whitespace) {
        30
    } else {
        match serde_json::from_slice::<GrantRequest>(body) {
            Ok(GrantRequest { ttl_seconds: None }) => 30,
            Ok(GrantRequest {
                ttl_seconds: Some(t),
            }) if (1..=3600).contains(&t) => t,
            _ => {
                let (code, _) = handshake::error_code(400);
                return json_response(
                    StatusCode::BAD_REQUEST,
                    &serde_json::json!({"err_code": code, "err_msg": "Invalid body: send {\"ttl_seconds\": 1-3600} or nothing", "request_id": request_id}),
                );
            }
        }
    };
    let token = format!("dglocal.{}", uuid::Uuid::new_v4().simple());
    app.registry.grant(token.clone(), Duration::from_secs(ttl));
    json_response(
        StatusCode::OK,
        &serde_json::json!({"access_token": token, "expires_in": ttl}),
    )
}

fn router(state: Arc<AppState>) -> Router {
    let mut router = Router::new()
        .route("/v1/listen", get(handshake::listen))
        .route("/v1/speak", get(handshake::speak))
        .route("/v1/auth/grant", post(grant).options(control::preflight));
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
