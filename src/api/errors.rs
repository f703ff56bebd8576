//! JavaScript `Error` objects carrying a stable `kind` beside the message.

use std::fmt::Display;

use wasm_bindgen::JsValue;

use crate::web::set_field;

/// The stable error kinds apps can switch on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A bad option or argument (thrown synchronously).
    Options,
    /// A method called in a state that does not allow it.
    State,
    /// The server refused the WebSocket handshake (credentials, options, server down).
    Handshake,
    /// A frame the client could not understand.
    Protocol,
    /// An `Error` message from the server (the stream continues).
    Server,
    /// The connection failed or dropped.
    Network,
    /// Microphone or AudioContext trouble.
    Audio,
}

impl ErrorKind {
    /// The string apps see in `error.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Options => "options",
            ErrorKind::State => "state",
            ErrorKind::Handshake => "handshake",
            ErrorKind::Protocol => "protocol",
            ErrorKind::Server => "server",
            ErrorKind::Network => "network",
            ErrorKind::Audio => "audio",
        }
    }
}

/// A JS `Error` with `message` and `kind`.
pub fn js_error(kind: ErrorKind, message: &str) -> JsValue {
    let e: JsValue = js_sys::Error::new(message).into();
    set_field(&e, "kind", kind.as_str().into());
    e
}

/// A `state` error with the message of `error` (a session refusing a call, or `None`: no session yet, the
/// message then says to call `start()` on `class`). Cold and shared through `dyn Display`: the message is built
/// once here, not at every method of every class.
#[cold]
#[inline(never)]
pub fn state_error(class: &str, error: Option<&dyn Display>) -> JsValue {
    let message = match error {
        Some(e) => e.to_string(),
        None => [class, ": not started: call start() first"].concat(),
    };
    js_error(ErrorKind::State, &message)
}

/// A plain `{kind, message}` object for `error` events.
pub fn error_payload(kind: ErrorKind, message: &str) -> JsValue {
    let o: JsValue = js_sys::Object::new().into();
    set_field(&o, "kind", kind.as_str().into());
    set_field(&o, "message", message.into());
    o
}
