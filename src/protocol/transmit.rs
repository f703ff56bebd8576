//! What a session asks the IO layer to do on the socket ([`Transmit`]), the connection state both sessions report
//! ([`SessionState`]), and the IO side both are driven through ([`SessionIo`]).
//!
//! Owns these shared vocabulary types only; no session logic.

use super::client_message::ClientMessage;
use super::error::ProtocolError;
use super::server_message::Frame;

/// One thing to do on the WebSocket, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transmit {
    /// Send a control message as a text frame (serialized as JSON by the IO layer).
    Message(ClientMessage),
    /// Send a binary frame.
    Binary(Vec<u8>),
    /// Close the socket (`WebSocket.close(code, reason)`).
    Close {
        /// Close code.
        code: u16,
        /// Close reason (at most a few words, no secrets).
        reason: String,
    },
    /// Open a new socket to the same URL, replacing the old one (a stream reconnecting).
    Connect,
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

/// The IO side of a live connection, the same for `/v1/listen` and `/v1/speak`: what the socket reports goes in
/// (text frames already parsed by the IO layer, as `R`, its value type), what to send comes out, and a timer
/// drives the rest. Lets the web layer drive either with one piece of code. `now` is milliseconds from any fixed
/// origin (`performance.now()`); fractions are kept where a latency figure needs them.
pub trait SessionIo<R> {
    /// The socket opened.
    fn handle_open(&mut self, now: f64);
    /// A text frame arrived, parsed as JSON into `raw` (the value the app receives), seen through `frame`.
    fn handle_text(&mut self, frame: &impl Frame, raw: R, now: f64);
    /// A text frame arrived that is not a JSON object.
    fn handle_bad_text(&mut self, error: ProtocolError, now: f64);
    /// A binary frame arrived.
    fn handle_binary(&mut self, bytes: &[u8], now: f64);
    /// The socket closed.
    fn handle_close(&mut self, code: u16, reason: &str, was_clean: bool, now: f64);
    /// Runs whatever timers are due at `now`.
    fn handle_timeout(&mut self, now: f64);
    /// The next thing to do on the socket.
    fn poll_transmit(&mut self, now: f64) -> Option<Transmit>;
    /// When `handle_timeout` should next be called (same clock as `now`).
    fn next_timeout(&self) -> Option<u64>;
    /// The connection state.
    fn state(&self) -> SessionState;
}
