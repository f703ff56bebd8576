//! JavaScript `Error` objects carrying a stable `kind` beside the message.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

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
    let e = js_sys::Error::new(message);
    let _ = Reflect::set(&e, &"kind".into(), &kind.as_str().into());
    e.into()
}

/// A plain `{kind, message}` object for `error` events.
pub fn error_payload(kind: ErrorKind, message: &str) -> JsValue {
    let o = js_sys::Object::new();
    let _ = Reflect::set(&o, &"kind".into(), &kind.as_str().into());
    let _ = Reflect::set(&o, &"message".into(), &message.into());
    o.into()
}
