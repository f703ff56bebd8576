//! What a session asks the IO layer to do on the socket ([`Transmit`]) and the connection state both sessions
//! report ([`SessionState`]).
//!
//! Owns these two shared vocabulary types only; no logic.

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
