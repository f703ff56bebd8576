//! Typed reads of server-message fields with [`ProtocolError`]s that name the message type and the field.
//!
//! Owns the leniency policy in one place: an absent or `null` optional field is "not given"; a present field of
//! the wrong JSON type is an error; every number is read as `f64` (the wire mixes `0` and `0.0`).
//!
//! Reads do not return `Result`: a failed read records the first error in [`FieldErrors`] and yields a default,
//! and the message is dropped once it is built if an error was recorded. The first error in read order is the
//! one an early return would give, and without a `?` after every field the code that drops half-built messages
//! is not repeated at each read (several KB of wasm).

use std::cell::Cell;

use super::super::json::{Map, Value};

use super::super::error::ProtocolError;

/// The first field error of one message: `(message_type, field, expected)`, `expected` `None` when missing.
type FieldError = (&'static str, &'static str, Option<&'static str>);

/// Where the reads of one message record their first error.
#[derive(Default)]
pub(crate) struct FieldErrors(Cell<Option<FieldError>>);

impl FieldErrors {
    /// The first recorded error, if any.
    #[inline(never)]
    pub(crate) fn check(&self) -> Result<(), ProtocolError> {
        match self.0.get() {
            None => Ok(()),
            Some((message_type, field, None)) => Err(ProtocolError::MissingField {
                message_type,
                field,
            }),
            Some((message_type, field, Some(expected))) => Err(ProtocolError::WrongFieldType {
                message_type,
                field,
                expected,
            }),
        }
    }
}

/// A JSON object seen as one server message of type `message_type` (`map` is `None` for an object that failed
/// to read: every field of it is then absent).
#[derive(Clone, Copy)]
pub(crate) struct Fields<'a> {
    map: Option<&'a Map>,
    message_type: &'static str,
    errors: &'a FieldErrors,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(map: &'a Map, message_type: &'static str, errors: &'a FieldErrors) -> Self {
        Self {
            map: Some(map),
            message_type,
            errors,
        }
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map?.get(key).filter(|v| !v.is_null())
    }

    /// Records `field` as missing (`expected` `None`) or of the wrong type, unless an earlier read failed.
    #[cold]
    #[inline(never)]
    fn fail(&self, field: &'static str, expected: Option<&'static str>) {
        if self.errors.0.get().is_none() {
            self.errors
                .0
                .set(Some((self.message_type, field, expected)));
        }
    }

    /// The value of `key` when present and `is` accepts it; records a wrong-type error when `is` does not. Not
    /// generic over what is read, so that it is compiled once.
    #[inline(never)]
    fn typed(
        &self,
        key: &'static str,
        expected: &'static str,
        is: fn(&Value) -> bool,
    ) -> Option<&'a Value> {
        let value = self.get(key)?;
        if is(value) {
            Some(value)
        } else {
            self.fail(key, Some(expected));
            None
        }
    }

    /// `value` when given, else records `key` as missing.
    fn required<T: Default>(&self, key: &'static str, value: Option<T>) -> T {
        value.unwrap_or_else(|| {
            self.fail(key, None);
            T::default()
        })
    }

    pub(crate) fn f64_opt(&self, key: &'static str) -> Option<f64> {
        self.typed(key, "a number", |v| v.as_f64().is_some())?
            .as_f64()
    }

    pub(crate) fn f64_req(&self, key: &'static str) -> f64 {
        self.required(key, self.f64_opt(key))
    }

    /// Absent means `false`: e.g. `from_finalize` is missing in older captures and SDK re-serializations.
    pub(crate) fn bool_or_false(&self, key: &'static str) -> bool {
        self.typed(key, "a boolean", |v| v.as_bool().is_some())
            .and_then(Value::as_bool)
            .unwrap_or_default()
    }

    pub(crate) fn string_opt(&self, key: &'static str) -> Option<String> {
        self.typed(key, "a string", |v| v.as_str().is_some())?
            .as_str()
            .map(str::to_owned)
    }

    pub(crate) fn string_req(&self, key: &'static str) -> String {
        self.required(key, self.string_opt(key))
    }

    /// `first` when given, else `second`: a field the wire spells two ways.
    pub(crate) fn string_either(
        &self,
        first: &'static str,
        second: &'static str,
    ) -> Option<String> {
        self.string_opt(first).or_else(|| self.string_opt(second))
    }

    /// A whole number that fits `u32`; `2.0` is accepted, `2.5` is not.
    pub(crate) fn u32_req(&self, key: &'static str) -> u32 {
        let value = self
            .typed(key, "a whole number", |v| v.as_u32().is_some())
            .and_then(Value::as_u32);
        self.required(key, value)
    }

    /// A list of whole numbers such as `channel_index: [0, 1]`.
    #[inline(never)]
    pub(crate) fn u32_list_req(&self, key: &'static str) -> Vec<u32> {
        const EXPECTED: &str = "a list of whole numbers";
        let items = self
            .typed(key, EXPECTED, |v| v.as_array().is_some())
            .and_then(Value::as_array);
        let mut out = Vec::new();
        for item in self.required(key, items.map(Vec::as_slice)) {
            match item.as_u32() {
                Some(n) => out.push(n),
                None => self.fail(key, Some(EXPECTED)),
            }
        }
        out
    }

    #[inline(never)]
    pub(crate) fn string_list_opt(&self, key: &'static str) -> Vec<String> {
        const EXPECTED: &str = "a list of strings";
        let mut out = Vec::new();
        for item in self.array(key, EXPECTED) {
            match item.as_str() {
                Some(s) => out.push(s.to_owned()),
                None => self.fail(key, Some(EXPECTED)),
            }
        }
        out
    }

    pub(crate) fn object_opt(&self, key: &'static str) -> Option<Fields<'a>> {
        let map = self
            .typed(key, "an object", |v| v.as_object().is_some())?
            .as_object()?;
        Some(self.with_map(Some(map)))
    }

    pub(crate) fn object_req(&self, key: &'static str) -> Fields<'a> {
        let map = self
            .typed(key, "an object", |v| v.as_object().is_some())
            .and_then(Value::as_object);
        self.with_map(self.required(key, map.map(Some)))
    }

    fn with_map(&self, map: Option<&'a Map>) -> Fields<'a> {
        Fields { map, ..*self }
    }

    fn array(&self, key: &'static str, expected: &'static str) -> &'a [Value] {
        self.typed(key, expected, |v| v.as_array().is_some())
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// The list `key` (absent = empty).
    pub(crate) fn array_opt(&self, key: &'static str) -> &'a [Value] {
        self.array(key, "a list")
    }

    /// Reads an element of a list that must be an object (`field` names the list for the error).
    #[inline(never)]
    pub(crate) fn element(&self, v: &'a Value, field: &'static str) -> Fields<'a> {
        let map = v.as_object();
        if map.is_none() {
            self.fail(field, Some("a list of objects"));
        }
        self.with_map(map)
    }
}
