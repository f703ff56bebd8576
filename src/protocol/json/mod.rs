//! A small JSON (RFC 8259) value type, parser and writer: all the JSON this crate needs, in a few KB of wasm.
//!
//! Owns:
//! - [`Value`]: null, boolean, number (`f64`), string, array, object ([`Map`], which keeps the key order of the
//!   text).
//! - [`parse`]: strict RFC 8259 (no comments, no trailing commas, no leading zeros, no raw control characters in
//!   strings, no lone surrogates in `\u` escapes), errors that give the byte position, nesting limited to
//!   [`MAX_DEPTH`], and no panic on any input. Numbers are correctly rounded to the nearest `f64`; a number too large
//!   for `f64` is an error (as in `serde_json`), one too small becomes 0.
//! - The writer ([`Value::to_json`], [`push_string`]): strings escaped per RFC 8259 §7, numbers in the shortest form
//!   that reads back exactly, laid out like JavaScript's `Number.prototype.toString` (what `JSON.stringify` writes),
//!   non-finite numbers as `null` (as `JSON.stringify` does).
//!
//! It does not map JSON onto Rust types: the option and message readers do that, with their own error messages.
//! Duplicate object keys are kept in order; [`Map::get`] returns the last one, as `JSON.parse` does.

mod number;
mod parse;
mod write;

use std::ops::Index;

pub use parse::{parse, Error, MAX_DEPTH};
pub use write::push_string;

/// `n` as JSON writes it: the shortest text that reads back to `n`, laid out as JavaScript's
/// `Number.prototype.toString` (`1.5`, `100`, `1e+21`, `1e-7`); `null` when `n` is not finite.
pub fn format_number(n: f64) -> String {
    let mut out = String::new();
    if n.is_finite() {
        number::push_f64(n, &mut out);
    } else {
        out.push_str("null");
    }
    out
}

/// A JSON value.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number (JSON numbers are read as the nearest `f64`, as JavaScript does).
    Number(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object, in the key order of the text.
    Object(Map),
}

/// The members of a JSON object, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Map {
    entries: Vec<(String, Value)>,
}

static NULL: Value = Value::Null;

impl Value {
    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The number if it is a whole number from 0 to `u64::MAX` (`2.0` is one, `2.5` and `-1` are not).
    pub fn as_u64(&self) -> Option<u64> {
        let n = self.as_f64()?;
        // 2^64 is the first f64 above u64::MAX.
        (n.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(&n)).then_some(n as u64)
    }

    /// The number if it is a whole number from 0 to `u32::MAX` (`2.0` is one, `2.5` and `-1` are not).
    pub fn as_u32(&self) -> Option<u32> {
        let n = self.as_f64()?;
        (n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n)).then_some(n as u32)
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The items, if this is an array.
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Self::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Self::Object(map) => Some(map),
            _ => None,
        }
    }

    /// The member `key`, if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?.get(key)
    }
}

/// `value["key"]`: the member, or `null` when this is not an object or has no such member (never panics).
impl Index<&str> for Value {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

/// `value[i]`: the item, or `null` when this is not an array or is too short (never panics).
impl Index<usize> for Value {
    type Output = Value;
    fn index(&self, i: usize) -> &Value {
        self.as_array().and_then(|a| a.get(i)).unwrap_or(&NULL)
    }
}

impl Map {
    /// An empty object.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of `key` (the last one when the text repeats the key, as `JSON.parse` does).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` (replacing its value in place when present, else appending); returns the old value.
    pub fn insert(&mut self, key: impl Into<String>, value: Value) -> Option<Value> {
        let key = key.into();
        match self.entries.iter_mut().rev().find(|(k, _)| *k == key) {
            Some((_, old)) => Some(std::mem::replace(old, value)),
            None => {
                self.entries.push((key, value));
                None
            }
        }
    }

    /// Appends a member without looking for an earlier one with the same key (the parser keeps duplicates).
    pub(crate) fn push(&mut self, key: String, value: Value) {
        self.entries.push((key, value));
    }

    /// Number of members (duplicates counted).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no members.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The members in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter(self.entries.iter())
    }
}

/// Iterator over a [`Map`]'s members in order.
#[derive(Debug, Clone)]
pub struct Iter<'a>(std::slice::Iter<'a, (String, Value)>);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a String, &'a Value);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a String, &'a Value);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<K: Into<String>> FromIterator<(K, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(iter: I) -> Self {
        let mut map = Map::new();
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Self::Bool(b)
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Self::Number(n)
    }
}

macro_rules! from_integer {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            /// Exact up to 2^53 in magnitude; larger values round to the nearest `f64`, as in JavaScript.
            fn from(n: $t) -> Self {
                Self::Number(n as f64)
            }
        }
    )*};
}
from_integer!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Self::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Self::String(s)
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Self {
        Self::Array(items)
    }
}

impl From<Map> for Value {
    fn from(map: Map) -> Self {
        Self::Object(map)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Null, Into::into)
    }
}

/// Builds a [`Value`] from JSON-like tokens, for tests: `json!({"model": "nova-3", "rates": [8000, rate]})`.
/// Keys are string literals; a value is `null`, an array, an object or any expression with `Into<Value>`.
#[cfg(test)]
macro_rules! json {
    // Arrays: @array [items done] [tokens of the current item] rest.
    (@array [$($done:expr,)*] []) => { ::std::vec![$($done,)*] };
    (@array [$($done:expr,)*] [$($cur:tt)+]) => {
        ::std::vec![$($done,)* $crate::protocol::json::json!($($cur)+),]
    };
    (@array [$($done:expr,)*] [$($cur:tt)+] , $($rest:tt)*) => {
        $crate::protocol::json::json!(@array [$($done,)* $crate::protocol::json::json!($($cur)+),] [] $($rest)*)
    };
    (@array [$($done:expr,)*] [$($cur:tt)*] $next:tt $($rest:tt)*) => {
        $crate::protocol::json::json!(@array [$($done,)*] [$($cur)* $next] $($rest)*)
    };
    // Objects: @object map-ident, then `key: tokens of the value` per member.
    (@object $map:ident) => {};
    (@object $map:ident $key:literal : $($rest:tt)*) => {
        $crate::protocol::json::json!(@member $map $key [] $($rest)*)
    };
    (@member $map:ident $key:literal [$($cur:tt)+]) => {
        $map.insert($key, $crate::protocol::json::json!($($cur)+));
    };
    (@member $map:ident $key:literal [$($cur:tt)+] , $($rest:tt)*) => {
        $map.insert($key, $crate::protocol::json::json!($($cur)+));
        $crate::protocol::json::json!(@object $map $($rest)*)
    };
    (@member $map:ident $key:literal [$($cur:tt)*] $next:tt $($rest:tt)*) => {
        $crate::protocol::json::json!(@member $map $key [$($cur)* $next] $($rest)*)
    };
    (null) => { $crate::protocol::json::Value::Null };
    ([ $($tt:tt)* ]) => {
        $crate::protocol::json::Value::Array($crate::protocol::json::json!(@array [] [] $($tt)*))
    };
    ({ $($tt:tt)* }) => {{
        #[allow(unused_mut)]
        let mut map = $crate::protocol::json::Map::new();
        $crate::protocol::json::json!(@object map $($tt)*);
        $crate::protocol::json::Value::Object(map)
    }};
    ($e:expr) => { $crate::protocol::json::Value::from($e) };
}
#[cfg(test)]
pub(crate) use json;

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]
    use super::*;

    #[test]
    fn accessors() {
        let v = parse(r#"{"a":1,"b":[true,null,"x"],"c":{"d":2.5},"a":-3}"#).unwrap();
        assert_eq!(v["a"].as_f64(), Some(-3.0), "the last duplicate wins");
        assert_eq!(v["a"].as_u64(), None);
        assert_eq!(v["b"][0].as_bool(), Some(true));
        assert!(v["b"][1].is_null());
        assert_eq!(v["b"][2].as_str(), Some("x"));
        assert!(v["b"][9].is_null() && v["zz"]["yy"].is_null() && v[0].is_null());
        assert_eq!(v["c"]["d"].as_f64(), Some(2.5));
        assert_eq!(v["c"]["d"].as_u32(), None);
        assert_eq!(v.as_object().unwrap().len(), 4);
        let keys: Vec<&str> = v
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["a", "b", "c", "a"], "text order, duplicates kept");
        assert_eq!(Value::from(16000.0).as_u32(), Some(16000));
        assert_eq!(Value::from(4_294_967_296u64).as_u32(), None);
        assert_eq!(Value::from(4_294_967_296u64).as_u64(), Some(4_294_967_296));
        assert_eq!(Value::from(-0.0).as_u32(), Some(0));
        assert_eq!(Value::from(1e300).as_u64(), None);
    }

    #[test]
    fn map_insert_replaces_in_place() {
        let mut m = Map::new();
        assert!(m.is_empty());
        assert_eq!(m.insert("b", Value::from(1)), None);
        assert_eq!(m.insert("a", Value::from(2)), None);
        assert_eq!(m.insert("b", Value::from(3)), Some(Value::from(1)));
        assert_eq!(Value::Object(m.clone()).to_json(), r#"{"b":3,"a":2}"#);
        assert!(m.contains_key("a") && !m.contains_key("c"));
        let collected: Map = [("x", Value::Null), ("x", Value::from(true))]
            .into_iter()
            .collect();
        assert_eq!(collected.len(), 1);
    }

    #[test]
    fn json_macro_builds_values() {
        let rate = 8000u32;
        let v = json!({"model": "nova-3", "rates": [16000, rate, -1, 2.5], "on": true, "x": null,
                       "nested": {"k": ["a", {"b": null}]}, "expr": "x".repeat(2)});
        assert_eq!(
            v.to_json(),
            r#"{"model":"nova-3","rates":[16000,8000,-1,2.5],"on":true,"x":null,"nested":{"k":["a",{"b":null}]},"expr":"xx"}"#
        );
        assert_eq!(json!([]), Value::Array(Vec::new()));
        assert_eq!(json!({}), Value::Object(Map::new()));
        assert_eq!(json!(null), Value::Null);
        assert_eq!(json!([1, 2,]), parse("[1,2]").unwrap());
    }
}
