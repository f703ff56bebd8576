//! The browser WebSocket as an RAII value delivering typed [`SocketEvent`]s to one sink.

use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use super::listener::EventListener;
use crate::protocol::ClientMessage;

/// What the socket reports.
#[derive(Debug)]
pub enum SocketEvent {
    /// The handshake completed.
    Open,
    /// A text frame, as the JS string it arrived as (parsed once, by `JSON.parse`, in [`super::frame`]).
    Text(JsValue),
    /// A binary frame.
    Binary(Vec<u8>),
    /// The connection closed (a refused handshake arrives as code 1006 before any `Open`).
    Close {
        /// Close code.
        code: u16,
        /// Close reason.
        reason: String,
        /// Whether the closing handshake completed.
        was_clean: bool,
    },
    /// The browser's opaque `error` event (always followed by `Close`).
    Error,
}

/// An open or opening WebSocket; dropping it unsubscribes and closes it.
#[derive(Debug)]
#[must_use = "a socket closes when dropped"]
pub struct Socket {
    ws: WebSocket,
    _listeners: [EventListener; 4],
}

impl Socket {
    /// Opens `url` offering `protocols` (the auth subprotocols) and sends every event to `sink`.
    pub fn connect(
        url: &str,
        protocols: &[String],
        sink: Rc<dyn Fn(SocketEvent)>,
    ) -> Result<Self, JsValue> {
        let ws = if protocols.is_empty() {
            WebSocket::new(url)?
        } else {
            let list: Array = protocols.iter().map(|p| JsValue::from_str(p)).collect();
            WebSocket::new_with_str_sequence(url, &list)?
        };
        ws.set_binary_type(BinaryType::Arraybuffer);
        let s = sink.clone();
        let open = EventListener::new(&ws, "open", move |_| s(SocketEvent::Open))?;
        let s = sink.clone();
        let message = EventListener::new(&ws, "message", move |e| {
            let Some(e) = e.dyn_ref::<MessageEvent>() else {
                return;
            };
            let data = e.data();
            if data.is_string() {
                s(SocketEvent::Text(data));
            } else if let Some(buf) = data.dyn_ref::<ArrayBuffer>() {
                s(SocketEvent::Binary(Uint8Array::new(buf).to_vec()));
            }
        })?;
        let s = sink.clone();
        let close = EventListener::new(&ws, "close", move |e| {
            let (code, reason, was_clean) = match e.dyn_ref::<CloseEvent>() {
                Some(c) => (c.code(), c.reason(), c.was_clean()),
                None => (1006, String::new(), false),
            };
            s(SocketEvent::Close {
                code,
                reason,
                was_clean,
            });
        })?;
        let s = sink;
        let error = EventListener::new(&ws, "error", move |_| s(SocketEvent::Error))?;
        Ok(Self {
            ws,
            _listeners: [open, message, close, error],
        })
    }

    /// Sends a control message as a JSON text frame (serialized by serde-wasm-bindgen, written by
    /// `JSON.stringify`).
    pub fn send_message(&self, message: &ClientMessage) -> Result<(), JsValue> {
        let value = serde_wasm_bindgen::to_value(message)?;
        let text = js_sys::JSON::stringify(&value)?;
        self.ws.send_with_str(&String::from(text))
    }

    /// Sends a binary frame.
    pub fn send_binary(&self, bytes: &[u8]) -> Result<(), JsValue> {
        self.ws.send_with_u8_array(bytes)
    }

    /// Starts the closing handshake.
    pub fn close(&self, code: u16, reason: &str) {
        let _ = self.ws.close_with_code_and_reason(code, reason);
    }

    /// Bytes queued by `send` but not yet on the network.
    pub fn buffered_amount(&self) -> usize {
        self.ws.buffered_amount() as usize
    }

    /// The subprotocol the server selected ("" if none).
    pub fn protocol(&self) -> String {
        self.ws.protocol()
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        // Listeners go first (fields drop after this), so no event reaches a sink that is being torn down.
        let state = self.ws.ready_state();
        if state == WebSocket::CONNECTING || state == WebSocket::OPEN {
            let _ = self.ws.close_with_code_and_reason(1000, "");
        }
    }
}
