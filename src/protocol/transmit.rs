//! What a session asks the IO layer to do on the socket ([`Transmit`]) and the connection state both sessions
//! report ([`SessionState`]).
//!
//! Owns these two shared vocabulary types, the [`SessionIo`] trait over both sessions, and the earliest-deadline
//! helper both sessions' `next_timeout` use; no session logic.

/// One thing to do on the WebSocket, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transmit {
    /// Send a text frame.
    Text(String),
    /// Send a binary frame.
    Binary(Vec<u8>),
    /// Close the socket (`WebSocket.close(code, reason)`).
    Close {
        /// Close code.
        code: u16,
        /// Close reason (at most a few words, no secrets).
        reason: String,
    },
}

/// The earliest of the armed deadlines, if any. One non-generic function for both sessions, instead of an
/// iterator chain monomorphized per array length.
pub(crate) fn earliest(deadlines: &[Option<u64>]) -> Option<u64> {
    let mut min: Option<u64> = None;
    for &t in deadlines {
        min = match (min, t) {
            (Some(m), Some(t)) => Some(m.min(t)),
            (None, t) => t,
            (m, None) => m,
        };
    }
    min
}

/// Connection state as seen by the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    /// The socket is being opened; calls are queued.
    Connecting,
    /// Open.
    Open,
    /// A close was requested (by the app, or a stream end); waiting for the socket to close.
    Closing,
    /// Closed. Terminal.
    Closed,
}

/// The IO side of a session, the same for `/v1/listen` and `/v1/speak`: what the socket reports goes in, what to
/// send comes out, and a timer drives the rest. Lets the web layer drive either session with one piece of code.
pub trait SessionIo {
    /// The socket opened.
    fn handle_open(&mut self, now: u64);
    /// A text frame arrived.
    fn handle_text(&mut self, text: &str, now: u64);
    /// A binary frame arrived.
    fn handle_binary(&mut self, bytes: &[u8], now: u64);
    /// The socket closed.
    fn handle_close(&mut self, code: u16, reason: &str, was_clean: bool, now: u64);
    /// The socket reported an error (its close follows).
    fn handle_socket_error(&mut self, now: u64);
    /// Runs whatever timers are due at `now`.
    fn handle_timeout(&mut self, now: u64);
    /// The next thing to do on the socket.
    fn poll_transmit(&mut self, now: u64) -> Option<Transmit>;
    /// When `handle_timeout` should next be called.
    fn next_timeout(&self) -> Option<u64>;
    /// The connection state.
    fn state(&self) -> SessionState;
}

/// Implements [`SessionIo`] by forwarding to a session's inherent methods of the same names.
macro_rules! forward_session_io {
    ($t:ty) => {
        impl $crate::protocol::SessionIo for $t {
            fn handle_open(&mut self, now: u64) {
                <$t>::handle_open(self, now)
            }
            fn handle_text(&mut self, text: &str, now: u64) {
                <$t>::handle_text(self, text, now)
            }
            fn handle_binary(&mut self, bytes: &[u8], now: u64) {
                <$t>::handle_binary(self, bytes, now)
            }
            fn handle_close(&mut self, code: u16, reason: &str, was_clean: bool, now: u64) {
                <$t>::handle_close(self, code, reason, was_clean, now)
            }
            fn handle_socket_error(&mut self, now: u64) {
                <$t>::handle_socket_error(self, now)
            }
            fn handle_timeout(&mut self, now: u64) {
                <$t>::handle_timeout(self, now)
            }
            fn poll_transmit(&mut self, now: u64) -> Option<$crate::protocol::Transmit> {
                <$t>::poll_transmit(self, now)
            }
            fn next_timeout(&self) -> Option<u64> {
                <$t>::next_timeout(self)
            }
            fn state(&self) -> $crate::protocol::SessionState {
                <$t>::state(self)
            }
        }
    };
}
pub(crate) use forward_session_io;
