//! Reading JavaScript option bags with errors that name the field (`Transcriber options.frameMs: ...`).

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};

use crate::protocol::json::{self, Value};
use crate::protocol::{nearest, Auth, Endpoint};

/// A view of one JS options object, remembering its path for error messages.
pub struct JsOptions<'a> {
    obj: &'a JsValue,
    path: String,
}

impl<'a> JsOptions<'a> {
    /// Wraps `obj` (undefined/null act as `{}`); anything else that is not an object is an error.
    pub fn new(obj: &'a JsValue, path: &str) -> Result<Self, String> {
        if !obj.is_undefined() && !obj.is_null() && !obj.is_object() {
            return Err(format!("{path}: expected an object"));
        }
        Ok(Self {
            obj,
            path: path.to_string(),
        })
    }

    /// The dotted path of a field, for messages.
    pub fn path(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    /// The raw value of `key` (undefined when absent).
    pub fn get(&self, key: &str) -> JsValue {
        if self.obj.is_undefined() || self.obj.is_null() {
            return JsValue::UNDEFINED;
        }
        Reflect::get(self.obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    /// Rejects keys outside `allowed`, suggesting the nearest allowed one.
    pub fn only(&self, allowed: &[&str]) -> Result<(), String> {
        if !self.obj.is_object() {
            return Ok(());
        }
        let keys = js_sys::Object::keys(self.obj.unchecked_ref::<js_sys::Object>());
        for k in keys.iter() {
            let Some(k) = k.as_string() else { continue };
            if !allowed.contains(&k.as_str()) {
                let hint = nearest(&k, allowed)
                    .map(|n| format!(": did you mean \"{n}\"?"))
                    .unwrap_or_else(|| format!(": valid keys are {}", allowed.join(", ")));
                return Err(format!("{}: unknown option \"{k}\"{hint}", self.path));
            }
        }
        Ok(())
    }

    /// An optional string.
    pub fn string(&self, key: &str) -> Result<Option<String>, String> {
        let v = self.get(key);
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        v.as_string()
            .map(Some)
            .ok_or_else(|| format!("{}: expected a string", self.path(key)))
    }

    /// An optional boolean.
    pub fn bool(&self, key: &str) -> Result<Option<bool>, String> {
        let v = self.get(key);
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        v.as_bool()
            .map(Some)
            .ok_or_else(|| format!("{}: expected true or false", self.path(key)))
    }

    /// An optional browser object of type `T` (e.g. an `AudioContext`), named `type_name` in the error.
    pub fn object<T: JsCast>(&self, key: &str, type_name: &str) -> Result<Option<T>, String> {
        let v = self.get(key);
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        v.dyn_into::<T>()
            .map(Some)
            .map_err(|_| format!("{}: expected an instance of {type_name}", self.path(key)))
    }

    /// An optional whole number within `min..=max`.
    pub fn int(&self, key: &str, min: u64, max: u64) -> Result<Option<u64>, String> {
        let v = self.get(key);
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        match v.as_f64() {
            Some(n) if n.fract() == 0.0 && n >= min as f64 && n <= max as f64 => Ok(Some(n as u64)),
            _ => Err(format!(
                "{}: expected a whole number from {min} to {max}",
                self.path(key)
            )),
        }
    }
}

/// A JS value as a JSON [`Value`] (through `JSON.stringify`, so functions and `undefined` fields vanish as they
/// would on the wire).
pub fn to_json(v: &JsValue, path: &str) -> Result<Value, String> {
    if v.is_undefined() || v.is_null() {
        return Ok(Value::Object(json::Map::new()));
    }
    let text = js_sys::JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| format!("{path}: not serializable as JSON"))?;
    json::parse(&text).map_err(|e| format!("{path}: {e}"))
}

/// `JSON.parse(text)`, or the text itself as a string when it is not JSON.
pub fn parse_json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap_or_else(|_| JsValue::from_str(text))
}

/// `baseUrl` (default: Deepgram's cloud) and `auth`, read the same way by every class.
pub fn endpoint_and_auth(o: &JsOptions<'_>) -> Result<(Endpoint, Auth), String> {
    let base = o
        .string("baseUrl")?
        .unwrap_or_else(|| "wss://api.deepgram.com".into());
    let endpoint = Endpoint::parse(&base).map_err(|e| format!("{}: {e}", o.path("baseUrl")))?;
    let auth = Auth::from_json(&to_json(&o.get("auth"), &o.path("auth"))?)
        .map_err(|e| format!("{}: {e}", o.path("auth")))?;
    Ok((endpoint, auth))
}
