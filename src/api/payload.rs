//! Small builders for event payloads and argument readers shared by the classes.

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::errors::{error_payload, ErrorKind};
use super::js_options::parse_json;
use crate::protocol::CloseInfo;
use crate::web::{get_field, set_field};

/// Sets `key` on `o` (a plain object; cannot fail). Only the conversion is generic (and inlined): the rest is
/// the one shared [`set_field`].
#[inline]
pub fn set(o: &Object, key: &str, value: impl Into<JsValue>) {
    set_field(o, key, value.into());
}

/// `{code, message}` for `warning` events.
pub fn warning(code: &str, message: &str) -> JsValue {
    let o = Object::new();
    set(&o, "code", code);
    set(&o, "message", message);
    o.into()
}

/// `{code, reason, wasClean, explanation}` for `close` events.
pub fn close(info: &CloseInfo) -> JsValue {
    let o = Object::new();
    set(&o, "code", info.code);
    set(&o, "reason", info.reason.as_str());
    set(&o, "wasClean", info.was_clean);
    set(&o, "explanation", info.kind.explain());
    o.into()
}

/// The bytes of an ArrayBuffer, a typed array or a DataView.
pub fn bytes_of(v: &JsValue) -> Option<Vec<u8>> {
    if let Some(buf) = v.dyn_ref::<js_sys::ArrayBuffer>() {
        return Some(js_sys::Uint8Array::new(buf).to_vec());
    }
    if js_sys::ArrayBuffer::is_view(v) {
        let buffer = Reflect::get(v, &"buffer".into()).ok()?;
        let offset = Reflect::get(v, &"byteOffset".into()).ok()?.as_f64()? as u32;
        let length = Reflect::get(v, &"byteLength".into()).ok()?.as_f64()? as u32;
        return Some(
            js_sys::Uint8Array::new_with_byte_offset_and_length(&buffer, offset, length).to_vec(),
        );
    }
    None
}

/// The `error` event for a server `Error` message: `{kind: "server", message, server}`, the message taken from
/// whichever field the server filled (`description`, `err_msg` or `message`).
pub fn server_error(raw: &str) -> JsValue {
    let server = parse_json(raw);
    let message = ["description", "err_msg", "message"]
        .iter()
        .find_map(|k| get_field(&server, k).as_string().filter(|m| !m.is_empty()))
        .unwrap_or_else(|| "the server reported an error".into());
    let o = error_payload(ErrorKind::Server, &message);
    set_field(&o, "server", server);
    o
}
