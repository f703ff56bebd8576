//! Reading JavaScript option bags with errors that name the field (`Transcriber options.frameMs: ...`).
//!
//! A [`JsOptions`] records the first error instead of returning it from every read: a parser reads its fields in
//! order and the caller checks once with [`JsOptions::finish`]. After an error no more properties are read (they
//! come back absent), so JavaScript sees the same reads and the same error as with an early return, and the
//! parsers carry no unwinding path per field.

use std::fmt::Display;

use wasm_bindgen::{JsCast, JsValue};

use crate::protocol::json::{self, format_number, Value};
use crate::protocol::{nearest, Auth, Endpoint};
use crate::web::get_field;
use crate::web::worklet::WorkletSource;

/// A view of one JS options object, remembering its path for error messages and the first error.
pub struct JsOptions<'a> {
    obj: &'a JsValue,
    path: String,
    error: Option<String>,
}

impl<'a> JsOptions<'a> {
    /// Wraps `obj` (undefined/null act as `{}`); anything else that is not an object is an error.
    pub fn new(obj: &'a JsValue, path: &str) -> Self {
        let mut o = Self {
            obj,
            path: path.to_owned(),
            error: None,
        };
        if !obj.is_undefined() && !obj.is_null() && !obj.is_object() {
            o.fail([path, ": expected an object"].concat());
        }
        o
    }

    /// Records `message` unless an earlier error was recorded (the first one is what the app sees).
    #[cold]
    #[inline(never)]
    pub fn fail(&mut self, message: String) {
        if self.error.is_none() {
            self.error = Some(message);
        }
    }

    /// Records `"{path}.{key}: {error}"`. Takes `dyn Display` so each error type's `Display` is called, not
    /// inlined into a copy of `to_string` per type.
    #[cold]
    #[inline(never)]
    fn fail_with(&mut self, key: &str, error: &dyn Display) {
        let what = error.to_string();
        self.fail_at(key, &what);
    }

    /// Records `"{path}.{key}: {what}"`.
    #[cold]
    #[inline(never)]
    pub fn fail_at(&mut self, key: &str, what: &str) {
        let message = [self.path.as_str(), ".", key, ": ", what].concat();
        self.fail(message);
    }

    /// The first recorded error, if any (taken: the caller returns it).
    pub fn finish(&mut self) -> Result<(), String> {
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Moves the first error of `nested` (an object read under this one) here.
    pub fn merge(&mut self, nested: JsOptions<'_>) {
        if let Some(e) = nested.error {
            self.fail(e);
        }
    }

    /// The dotted path of a field, for messages.
    pub fn path(&self, key: &str) -> String {
        [self.path.as_str(), ".", key].concat()
    }

    /// The raw value of `key` (undefined when absent, and once an error was recorded).
    pub fn get(&self, key: &str) -> JsValue {
        if self.error.is_some() || self.obj.is_undefined() || self.obj.is_null() {
            return JsValue::UNDEFINED;
        }
        get_field(self.obj, key)
    }

    /// The value of `key`, `None` when undefined or null.
    fn value(&self, key: &str) -> Option<JsValue> {
        let v = self.get(key);
        if v.is_undefined() || v.is_null() {
            None
        } else {
            Some(v)
        }
    }

    /// Rejects keys outside `allowed`, suggesting the nearest allowed one.
    pub fn only(&mut self, allowed: &[&str]) {
        if self.error.is_some() || !self.obj.is_object() {
            return;
        }
        let keys = js_sys::Object::keys(self.obj.unchecked_ref::<js_sys::Object>());
        for k in keys.iter() {
            let Some(k) = k.as_string() else { continue };
            if !allowed.contains(&k.as_str()) {
                self.unknown(&k, allowed);
                return;
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn unknown(&mut self, key: &str, allowed: &[&str]) {
        let head = [self.path.as_str(), ": unknown option \"", key, "\""].concat();
        let message = match nearest(key, allowed) {
            Some(n) => [head.as_str(), ": did you mean \"", n, "\"?"].concat(),
            None => [head.as_str(), ": valid keys are ", &allowed.join(", ")].concat(),
        };
        self.fail(message);
    }

    /// An optional string.
    pub fn string(&mut self, key: &str) -> Option<String> {
        let s = self.value(key)?.as_string();
        if s.is_none() {
            self.fail_at(key, "expected a string");
        }
        s
    }

    /// An optional boolean.
    pub fn bool(&mut self, key: &str) -> Option<bool> {
        let b = self.value(key)?.as_bool();
        if b.is_none() {
            self.fail_at(key, "expected true or false");
        }
        b
    }

    /// An optional browser object of type `T` (e.g. an `AudioContext`), named `type_name` in the error.
    pub fn object<T: JsCast>(&mut self, key: &str, type_name: &str) -> Option<T> {
        self.instance(key, type_name, T::is_type_of)
            .map(JsCast::unchecked_into)
    }

    /// [`JsOptions::object`]'s body, shared by every type: `is` is the type's check.
    fn instance(
        &mut self,
        key: &str,
        type_name: &str,
        is: fn(&JsValue) -> bool,
    ) -> Option<JsValue> {
        let v = self.value(key)?;
        if is(&v) {
            return Some(v);
        }
        self.fail_at(key, &["expected an instance of ", type_name].concat());
        None
    }

    /// An optional whole number within `min..=max`.
    pub fn int(&mut self, key: &str, min: u64, max: u64) -> Option<u64> {
        let v = self.value(key)?;
        match v.as_f64() {
            Some(n) if n.fract() == 0.0 && n >= min as f64 && n <= max as f64 => Some(n as u64),
            _ => {
                self.out_of_range(key, "expected a whole number from ", min as f64, max as f64);
                None
            }
        }
    }

    /// An optional number within `min..=max` (fractions allowed).
    pub fn number(&mut self, key: &str, min: f64, max: f64) -> Option<f64> {
        let v = self.value(key)?;
        match v.as_f64() {
            Some(n) if n.is_finite() && n >= min && n <= max => Some(n),
            _ => {
                self.out_of_range(key, "expected a number from ", min, max);
                None
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn out_of_range(&mut self, key: &str, what: &str, min: f64, max: f64) {
        // format_number, not `{}`: core's float formatting would add ~20 KB to the wasm (and for the whole
        // numbers of `int` it writes the same digits).
        let (min, max) = (format_number(min), format_number(max));
        self.fail_at(key, &[what, &min, " to ", &max].concat());
    }

    /// `key` as a JSON [`Value`] (through `JSON.stringify`, so functions and `undefined` fields vanish as they
    /// would on the wire; absent is `{}`).
    pub fn json(&mut self, key: &str) -> Option<Value> {
        let v = self.get(key);
        if self.error.is_some() {
            return None;
        }
        if v.is_undefined() || v.is_null() {
            return Some(Value::Object(json::Map::new()));
        }
        let Some(text) = js_sys::JSON::stringify(&v).ok().and_then(|s| s.as_string()) else {
            self.fail_at(key, "not serializable as JSON");
            return None;
        };
        match json::parse(&text) {
            Ok(value) => Some(value),
            Err(e) => {
                self.fail_with(key, &e);
                None
            }
        }
    }

    /// The value of a check of field `key` (its default when the check failed, recording the error).
    pub fn check<T: Default, E: Display>(&mut self, key: &str, result: Result<T, E>) -> T {
        match result {
            Ok(v) => v,
            Err(e) => {
                self.fail_with(key, &e);
                T::default()
            }
        }
    }

    /// `worklet`: `"file"` (default), `"blob"` or a URL of the processor module `file`.
    pub fn worklet(&mut self, file: &str) -> WorkletSource {
        match self.string("worklet").as_deref() {
            None | Some("file") => WorkletSource::File,
            Some("blob") => WorkletSource::Blob,
            Some(u) if u.contains('/') || u.contains(':') => WorkletSource::Url(u.to_owned()),
            Some(other) => {
                self.fail_at(
                    "worklet",
                    &[
                        "\"",
                        other,
                        "\" is not \"file\", \"blob\" or a URL of ",
                        file,
                    ]
                    .concat(),
                );
                WorkletSource::File
            }
        }
    }
}

/// `JSON.parse(text)`, or the text itself as a string when it is not JSON.
pub fn parse_json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap_or_else(|_| JsValue::from_str(text))
}

/// `baseUrl` (default: Deepgram's cloud) and `auth`, read the same way by every class.
pub fn endpoint_and_auth(o: &mut JsOptions<'_>) -> (Endpoint, Auth) {
    let base = o.string("baseUrl");
    let endpoint = Endpoint::parse(base.as_deref().unwrap_or("wss://api.deepgram.com"));
    let endpoint = o.check("baseUrl", endpoint);
    let auth = match o.json("auth") {
        Some(v) => o.check("auth", Auth::from_json(&v)),
        None => Auth::default(),
    };
    (endpoint, auth)
}
