//! What every connection exchanged, pending faults, refused handshakes and minted tokens: the state the
//! control API reads and writes.
//!
//! Owns the per-connection record (frames in and out, audio byte count and running SHA-256, close) and its
//! JSON form. Locks are held only to copy or append, never across an await. A lock poisoned by a panicking
//! connection task is recovered, so one connection's failure never blocks another. It must not do IO.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::auth::AuthMethod;
use crate::fault::Fault;
use crate::transcriber::hex;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Who ended a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClosedBy {
    /// The server sent a close frame.
    Server,
    /// The client sent a close frame.
    Client,
    /// The TCP connection ended without a close frame (either side).
    Abort,
}

/// How a connection ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CloseInfo {
    /// Close code (1006 for an abort, 1005 when a close frame had no code).
    pub code: u16,
    /// Close reason.
    pub reason: String,
    /// Who ended it.
    pub by: ClosedBy,
}

#[derive(Debug, Clone)]
struct Record {
    open: bool,
    text_frames: Vec<String>,
    binary_frames: u64,
    binary_bytes: u64,
    hash: Sha256,
    sent_text: Vec<String>,
    sent_binary_frames: u64,
    sent_binary_bytes: u64,
    close: Option<CloseInfo>,
}

/// One connection as the control API shows it.
#[derive(Debug)]
pub struct Connection {
    /// Sequential id, from 1.
    pub id: u64,
    /// `/v1/listen` or `/v1/speak`.
    pub path: String,
    /// The raw query (credential-like values redacted).
    pub query: String,
    /// The accepted subprotocol.
    pub subprotocol: Option<String>,
    /// How the client authenticated.
    pub auth: AuthMethod,
    /// The `dg-request-id`.
    pub request_id: String,
    record: Mutex<Record>,
    faults: mpsc::UnboundedSender<Fault>,
    keep_frames: bool,
}

/// The control API's JSON of a connection.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectionJson {
    id: u64,
    path: String,
    query: String,
    subprotocol: Option<String>,
    auth: &'static str,
    request_id: String,
    open: bool,
    text_frames: Vec<String>,
    binary_frames: u64,
    binary_bytes: u64,
    sha256: String,
    sent_text: Vec<String>,
    sent_binary_frames: u64,
    sent_binary_bytes: u64,
    close: Option<CloseInfo>,
}

fn len64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

impl Connection {
    /// Records a text frame from the client.
    pub fn received_text(&self, text: &str) {
        if self.keep_frames {
            lock(&self.record).text_frames.push(text.to_string());
        }
    }

    /// Records a binary frame from the client.
    pub fn received_binary(&self, bytes: &[u8]) {
        let mut r = lock(&self.record);
        r.binary_frames += 1;
        r.binary_bytes = r.binary_bytes.saturating_add(len64(bytes.len()));
        r.hash.update(bytes);
    }

    /// Records a text frame sent to the client.
    pub fn sent_text(&self, text: &str) {
        if self.keep_frames {
            lock(&self.record).sent_text.push(text.to_string());
        }
    }

    /// Records a binary frame sent to the client.
    pub fn sent_binary(&self, len: usize) {
        let mut r = lock(&self.record);
        r.sent_binary_frames += 1;
        r.sent_binary_bytes = r.sent_binary_bytes.saturating_add(len64(len));
    }

    /// Records the end of the connection; the first recorded close wins (a close handshake ends both ways).
    pub fn closed(&self, code: u16, reason: &str, by: ClosedBy) {
        let mut r = lock(&self.record);
        r.open = false;
        if r.close.is_none() {
            r.close = Some(CloseInfo {
                code,
                reason: reason.to_string(),
                by,
            });
        }
    }

    /// Marks the connection as no longer open without overriding a recorded close.
    pub fn ended(&self) {
        let mut r = lock(&self.record);
        r.open = false;
        if r.close.is_none() {
            r.close = Some(CloseInfo {
                code: 1006,
                reason: String::new(),
                by: ClosedBy::Abort,
            });
        }
    }

    /// How the connection ended, if it has.
    pub fn close_info(&self) -> Option<CloseInfo> {
        lock(&self.record).close.clone()
    }

    /// Whether the connection is still open.
    pub fn is_open(&self) -> bool {
        lock(&self.record).open
    }

    /// Hands a fault to the connection's task; false when it has ended.
    pub fn inject(&self, fault: Fault) -> bool {
        self.is_open() && self.faults.send(fault).is_ok()
    }

    /// The control API's view.
    pub fn to_json(&self) -> ConnectionJson {
        let r = lock(&self.record).clone();
        ConnectionJson {
            id: self.id,
            path: self.path.clone(),
            query: self.query.clone(),
            subprotocol: self.subprotocol.clone(),
            auth: self.auth.as_str(),
            request_id: self.request_id.clone(),
            open: r.open,
            text_frames: r.text_frames,
            binary_frames: r.binary_frames,
            binary_bytes: r.binary_bytes,
            sha256: hex(&r.hash.finalize()),
            sent_text: r.sent_text,
            sent_binary_frames: r.sent_binary_frames,
            sent_binary_bytes: r.sent_binary_bytes,
            close: r.close,
        }
    }
}

/// A handshake the server refused (extra control API field).
#[derive(Debug, Clone, Serialize)]
pub struct Refusal {
    /// Request path.
    pub path: String,
    /// Raw query (credential-like values redacted).
    pub query: String,
    /// HTTP status sent.
    pub status: u16,
    /// `err_code` of the body.
    pub err_code: String,
    /// `err_msg` of the body.
    pub err_msg: String,
    /// `dg-request-id`.
    pub request_id: String,
}

struct PendingFault {
    path: Option<String>,
    fault: Fault,
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    connections: Vec<Arc<Connection>>,
    pending: Vec<PendingFault>,
    refusals: Vec<Refusal>,
    granted: HashMap<String, Instant>,
}

/// Shared state of the control API.
pub struct Registry {
    inner: Mutex<Inner>,
    keep_frames: bool,
}

impl Default for Registry {
    fn default() -> Self {
        Registry::new(true)
    }
}

/// What a new connection needs to register.
#[derive(Debug, Clone)]
pub struct NewConnection {
    /// Request path.
    pub path: String,
    /// Raw query (already redacted).
    pub query: String,
    /// Accepted subprotocol.
    pub subprotocol: Option<String>,
    /// Auth method.
    pub auth: AuthMethod,
    /// Request id.
    pub request_id: String,
}

impl Registry {
    /// A registry; `keep_frames` false keeps counts and hashes but not the text of frames (with
    /// `--no-control` nobody can read them, and a long-running demo should not grow without bound).
    pub fn new(keep_frames: bool) -> Registry {
        Registry {
            inner: Mutex::new(Inner::default()),
            keep_frames,
        }
    }

    /// Registers an accepted connection; returns it, the receiver of faults aimed at it by id, and the
    /// pending `"next"` faults that match its path (consumed).
    pub fn open(
        &self,
        new: NewConnection,
    ) -> (Arc<Connection>, mpsc::UnboundedReceiver<Fault>, Vec<Fault>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut inner = lock(&self.inner);
        inner.next_id += 1;
        let conn = Arc::new(Connection {
            id: inner.next_id,
            path: new.path.clone(),
            query: new.query,
            subprotocol: new.subprotocol,
            auth: new.auth,
            request_id: new.request_id,
            record: Mutex::new(Record {
                open: true,
                text_frames: Vec::new(),
                binary_frames: 0,
                binary_bytes: 0,
                hash: Sha256::new(),
                sent_text: Vec::new(),
                sent_binary_frames: 0,
                sent_binary_bytes: 0,
                close: None,
            }),
            faults: tx,
            keep_frames: self.keep_frames,
        });
        inner.connections.push(Arc::clone(&conn));
        let mut initial = Vec::new();
        inner.pending.retain(|p| {
            let matches = p.path.as_deref().is_none_or(|path| path == new.path)
                && !matches!(p.fault, Fault::RefuseHandshake { .. });
            if matches {
                initial.push(p.fault.clone());
            }
            !matches
        });
        (conn, rx, initial)
    }

    /// Takes a pending `refuse_handshake` for this path, if any: its status.
    pub fn take_refusal(&self, path: &str) -> Option<u16> {
        let mut inner = lock(&self.inner);
        let at = inner.pending.iter().position(|p| {
            matches!(p.fault, Fault::RefuseHandshake { .. })
                && p.path.as_deref().is_none_or(|want| want == path)
        })?;
        match inner.pending.remove(at).fault {
            Fault::RefuseHandshake { status } => Some(status),
            _ => None,
        }
    }

    /// Queues a fault for the next connection (on `path` if given).
    pub fn add_pending(&self, path: Option<String>, fault: Fault) {
        lock(&self.inner).pending.push(PendingFault { path, fault });
    }

    /// A connection by id.
    pub fn get(&self, id: u64) -> Option<Arc<Connection>> {
        lock(&self.inner)
            .connections
            .iter()
            .find(|c| c.id == id)
            .cloned()
    }

    /// Every known connection, in open order.
    pub fn connections(&self) -> Vec<Arc<Connection>> {
        lock(&self.inner).connections.clone()
    }

    /// Records a refused handshake.
    pub fn refused(&self, refusal: Refusal) {
        let mut inner = lock(&self.inner);
        // Bounded so a client retrying forever cannot grow memory without limit.
        if inner.refusals.len() >= 1000 {
            inner.refusals.remove(0);
        }
        inner.refusals.push(refusal);
    }

    /// Refused handshakes since the last reset.
    pub fn refusals(&self) -> Vec<Refusal> {
        lock(&self.inner).refusals.clone()
    }

    /// `POST /_control/reset`: forgets finished connections and refusals, clears pending faults.
    pub fn reset(&self) {
        let mut inner = lock(&self.inner);
        inner.connections.retain(|c| c.is_open());
        inner.pending.clear();
        inner.refusals.clear();
    }

    /// Remembers a token minted by `/v1/auth/grant`, valid for `ttl`.
    pub fn grant(&self, token: String, ttl: Duration) {
        let mut inner = lock(&self.inner);
        let now = Instant::now();
        inner.granted.retain(|_, until| *until > now);
        inner.granted.insert(token, now + ttl);
    }

    /// Whether `token` was minted here and has not expired.
    pub fn is_granted(&self, token: &str) -> bool {
        lock(&self.inner)
            .granted
            .get(token)
            .is_some_and(|until| *until > Instant::now())
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

    fn new(path: &str) -> NewConnection {
        NewConnection {
            path: path.into(),
            query: "q".into(),
            subprotocol: Some("token".into()),
            auth: AuthMethod::SubprotocolToken,
            request_id: "r".into(),
        }
    }

    #[test]
    fn records_and_hashes() {
        let reg = Registry::default();
        let (c, _rx, initial) = reg.open(new("/v1/listen"));
        assert!(initial.is_empty());
        c.received_binary(b"ab");
        c.received_binary(b"c");
        c.received_text("{}");
        c.sent_text("x");
        c.sent_binary(10);
        let j = serde_json::to_value(c.to_json()).unwrap();
        assert_eq!(j["id"], 1);
        assert_eq!(j["binary_frames"], 2);
        assert_eq!(j["binary_bytes"], 3);
        assert_eq!(j["sha256"], hex(&Sha256::digest(b"abc")));
        assert_eq!(j["auth"], "subprotocol-token");
        assert_eq!(j["close"], serde_json::Value::Null);
        c.closed(1000, "", ClosedBy::Server);
        c.closed(1005, "", ClosedBy::Client);
        let j = serde_json::to_value(c.to_json()).unwrap();
        assert_eq!(
            j["close"],
            serde_json::json!({"code":1000,"reason":"","by":"server"})
        );
        assert_eq!(j["open"], false);
    }

    #[test]
    fn next_faults_go_to_the_matching_path_only_once() {
        let reg = Registry::default();
        reg.add_pending(Some("/v1/speak".into()), Fault::StopReading { after_ms: 0 });
        reg.add_pending(None, Fault::DelayReplies { ms: 5 });
        reg.add_pending(
            Some("/v1/listen".into()),
            Fault::RefuseHandshake { status: 429 },
        );
        let (_, _, first) = reg.open(new("/v1/listen"));
        assert_eq!(first, vec![Fault::DelayReplies { ms: 5 }]);
        assert_eq!(reg.take_refusal("/v1/speak"), None);
        assert_eq!(reg.take_refusal("/v1/listen"), Some(429));
        assert_eq!(reg.take_refusal("/v1/listen"), None);
        let (_, _, second) = reg.open(new("/v1/speak"));
        assert_eq!(second, vec![Fault::StopReading { after_ms: 0 }]);
    }

    #[test]
    fn reset_forgets_finished_connections_only() {
        let reg = Registry::default();
        let (a, _ra, _) = reg.open(new("/v1/listen"));
        let (b, _rb, _) = reg.open(new("/v1/listen"));
        a.ended();
        reg.add_pending(None, Fault::DelayReplies { ms: 1 });
        reg.reset();
        let ids: Vec<_> = reg.connections().iter().map(|c| c.id).collect();
        assert_eq!(ids, vec![b.id]);
        let (_, _, initial) = reg.open(new("/v1/listen"));
        assert!(initial.is_empty());
        assert!(!a.inject(Fault::DelayReplies { ms: 1 }));
    }

    #[test]
    fn frames_are_not_kept_when_nobody_can_read_them() {
        let reg = Registry::new(false);
        let (c, _rx, _) = reg.open(new("/v1/listen"));
        c.received_text("{}");
        c.sent_text("x");
        c.received_binary(b"abc");
        let j = serde_json::to_value(c.to_json()).unwrap();
        assert_eq!(j["text_frames"], serde_json::json!([]));
        assert_eq!(j["sent_text"], serde_json::json!([]));
        assert_eq!(j["binary_bytes"], 3);
    }

    #[test]
    fn granted_tokens_expire() {
        let reg = Registry::default();
        reg.grant("t".into(), Duration::from_secs(30));
        reg.grant("old".into(), Duration::ZERO);
        assert!(reg.is_granted("t"));
        assert!(!reg.is_granted("old"));
        assert!(!reg.is_granted("other"));
    }
}
