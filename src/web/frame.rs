//! Server text frames parsed once, by the browser's `JSON.parse`: the parsed object is what the app's handlers
//! receive, and the protocol core reads its typed view from the same object (serde-wasm-bindgen).

use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

use super::get_field;
use crate::protocol::{raw_excerpt, read_frame, Frame, ProtocolError};

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` of a JS string as it came from the socket (js-sys's binding takes a Rust `&str`, which would
    /// copy the text out of JS and back in).
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn json_parse(text: &JsValue) -> Result<JsValue, JsValue>;
}

/// A parsed server frame (a plain object).
pub struct JsFrame(pub JsValue);

impl Frame for JsFrame {
    fn message_type(&self) -> Option<String> {
        get_field(&self.0, "type").as_string()
    }

    fn read<T: DeserializeOwned>(&self) -> Result<T, String> {
        read_frame(serde_wasm_bindgen::Deserializer::from(self.0.clone()))
            .map_err(super::bag::without_error_prefix)
    }
}

/// `JSON.parse(text)`, when it gives an object; otherwise the error the session reports (with the start of the
/// frame, copied only on this path).
pub fn parse(text: &JsValue) -> Result<JsFrame, ProtocolError> {
    let excerpt = || raw_excerpt(&text.as_string().unwrap_or_default());
    match json_parse(text) {
        Ok(v) if v.is_object() && !js_sys::Array::is_array(&v) => Ok(JsFrame(v)),
        Ok(_) => Err(ProtocolError::NotAnObject { excerpt: excerpt() }),
        Err(e) => Err(ProtocolError::MalformedJson {
            detail: super::audio_context::describe(&e),
            excerpt: excerpt(),
        }),
    }
}
