//! Option bags as JavaScript objects, read by serde-wasm-bindgen: the browser side of [`config::Bag`].
//!
//! [`config::Bag`]: crate::config::Bag

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use crate::config::Bag;
use crate::protocol::{read_bag, OptionsError};

/// A JS value held as it is inside an option bag (`audioContext`, `destination`): the web layer checks its type
/// where it uses it.
#[derive(Debug, Clone)]
pub struct JsObject(pub JsValue);

impl<'de> Deserialize<'de> for JsObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde_wasm_bindgen::preserve::deserialize::<D, JsValue>(d).map(JsObject)
    }
}

impl JsObject {
    /// The value as a `T` (e.g. an `AudioContext`); the error names `path` and the expected type.
    pub fn cast<T: JsCast>(self, path: &str, type_name: &str) -> Result<T, String> {
        self.0
            .dyn_into::<T>()
            .map_err(|_| [path, ": expected an instance of ", type_name].concat())
    }
}

#[wasm_bindgen(module = "/js/main-thread.js")]
extern "C" {
    #[wasm_bindgen(js_name = plainCopy, catch)]
    fn plain_copy(value: &JsValue) -> Result<JsValue, JsValue>;
}

/// An option bag passed by JavaScript, as a plain copy (`js/main-thread.js`): the app's getters and Proxy traps ran
/// while it was copied, so reading it runs none of the app's code and cannot throw.
pub struct JsBag(JsValue);

impl JsBag {
    /// The bag `value` (read as the bag at `path`, `"Transcriber options"`); the error says where inside it a
    /// getter or trap threw, or that it nests too deep or contains itself.
    pub fn copy(value: &JsValue, path: &str) -> Result<JsBag, String> {
        plain_copy(value).map(JsBag).map_err(|e| {
            let message = e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_default();
            match message.split_once('\0') {
                Some((at, what)) => [path, at, ": ", what].concat(),
                None => [path, ": could not be read: ", &message].concat(),
            }
        })
    }

    /// The copied value.
    pub fn value(&self) -> &JsValue {
        &self.0
    }
}

impl Bag for JsBag {
    type Object = JsObject;

    fn keys(&self) -> Result<Option<Vec<String>>, OptionsError> {
        let v = &self.0;
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        if js_sys::Array::is_array(v) {
            return Err(OptionsError::NotAnObject { given: "a list" });
        }
        if !v.is_object() || v.is_function() {
            return Err(OptionsError::NotAnObject { given: "a value" });
        }
        let keys = js_sys::Object::keys(v.unchecked_ref::<js_sys::Object>());
        Ok(Some(keys.iter().filter_map(|k| k.as_string()).collect()))
    }

    fn read<T: DeserializeOwned>(&self) -> Result<T, OptionsError> {
        let v = if self.0.is_undefined() || self.0.is_null() {
            js_sys::Object::new().into()
        } else {
            self.0.clone()
        };
        read_bag(serde_wasm_bindgen::Deserializer::from(v)).map_err(|e| match e {
            OptionsError::Invalid { field, problem } => OptionsError::Invalid {
                field,
                problem: without_error_prefix(problem),
            },
            other => other,
        })
    }
}

/// The message of a serde-wasm-bindgen error, which is a JS `Error` whose string form starts with `Error: `.
pub fn without_error_prefix(message: String) -> String {
    match message.strip_prefix("Error: ") {
        Some(rest) => rest.to_owned(),
        None => message,
    }
}
