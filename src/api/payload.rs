//! Small builders for event payloads and argument readers shared by the classes.

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::errors::{error_payload, ErrorKind};
use super::js_options::parse_json;
use crate::protocol::json::format_number;
use crate::protocol::CloseInfo;

/// Sets `key` on `o` (a plain object; cannot fail).
pub fn set(o: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(o, &JsValue::from_str(key), &value.into());
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

/// An optional number within `min..=max` (fractions allowed).
pub fn number(v: &JsValue, path: &str, min: f64, max: f64) -> Result<Option<f64>, String> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n) if n.is_finite() && n >= min && n <= max => Ok(Some(n)),
        // format_number, not `{}`: core's float formatting would add ~20 KB to the wasm.
        _ => Err(format!(
            "{path}: expected a number from {} to {}",
            format_number(min),
            format_number(max)
        )),
    }
}

/// The `error` event for a server `Error` message: `{kind: "server", message, server}`, the message taken from
/// whichever field the server filled (`description`, `err_msg` or `message`).
pub fn server_error(raw: &str) -> JsValue {
    let server = parse_json(raw);
    let message = ["description", "err_msg", "message"]
        .iter()
        .find_map(|k| {
            Reflect::get(&server, &JsValue::from_str(k))
                .ok()
                .and_then(|v| v.as_string())
                .filter(|m| !m.is_empty())
        })
        .unwrap_or_else(|| "the server reported an error".into());
    let o = error_payload(ErrorKind::Server, &message);
    let _ = Reflect::set(&o, &"server".into(), &server);
    o
}
