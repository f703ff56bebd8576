//! Reading typed option values out of the user's JSON option bag, with errors that name the field and the type
//! that was expected.
//!
//! Owns JSON-type checking only (string, bool, whole number, list-or-single-string, the `extra_query` shapes), plus
//! the small text helpers the option types share for their messages and URLs (decimal numbers, `field[i]` names).
//! It does not know which options exist or how they depend on each other.

use super::super::json::{format_number, Map, Value};

use super::super::error::OptionsError;

/// The JSON type of `v`, in words, for "must be X, not Y" messages.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Appends `n` in decimal. Written out here because each `format!`/`to_string` call site pulls in formatting
/// machinery, which costs more wasm than this loop.
pub(crate) fn push_decimal(out: &mut String, n: u64) {
    if n >= 10 {
        push_decimal(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// `n` in decimal (see [`push_decimal`]).
pub(crate) fn decimal(n: u64) -> String {
    let mut out = String::new();
    push_decimal(&mut out, n);
    out
}

/// `field[i]`, the name of a list item in error messages.
#[cold]
#[inline(never)]
pub(crate) fn item_field(field: &str, i: usize) -> String {
    let mut out = String::with_capacity(field.len() + 4);
    out.push_str(field);
    out.push('[');
    push_decimal(&mut out, i as u64);
    out.push(']');
    out
}

#[inline(never)]
pub(crate) fn object<'a>(value: &'a Value, what: &'static str) -> Result<&'a Map, OptionsError> {
    value.as_object().ok_or(OptionsError::NotAnObject { what })
}

#[cold]
#[inline(never)]
pub(crate) fn wrong(field: &str, expected: &'static str, v: &Value) -> OptionsError {
    wrong_owned(field.to_owned(), expected, v)
}

#[cold]
#[inline(never)]
fn wrong_owned(field: String, expected: &'static str, v: &Value) -> OptionsError {
    OptionsError::WrongType {
        field,
        expected,
        got: type_name(v),
    }
}

#[cold]
#[inline(never)]
pub(crate) fn empty(field: String) -> OptionsError {
    OptionsError::Empty { field }
}

#[inline(never)]
pub(crate) fn read_bool(field: &str, v: &Value) -> Result<bool, OptionsError> {
    v.as_bool().ok_or_else(|| wrong(field, "true or false", v))
}

/// A whole number that fits `u32`. A float with no fraction (`16000.0`) is accepted: JS numbers arrive as `f64`.
#[inline(never)]
pub(crate) fn read_u32(field: &str, v: &Value) -> Result<u32, OptionsError> {
    let expected = "a whole number from 0 to 4294967295";
    v.as_u32().ok_or_else(|| wrong(field, expected, v))
}

#[inline(never)]
pub(crate) fn read_f64(field: &str, v: &Value) -> Result<f64, OptionsError> {
    v.as_f64().ok_or_else(|| wrong(field, "a number", v))
}

/// A non-empty string.
#[inline(never)]
pub(crate) fn read_string(field: &str, v: &Value) -> Result<String, OptionsError> {
    match v {
        Value::String(s) if !s.is_empty() => Ok(s.clone()),
        Value::String(_) => Err(empty(field.to_owned())),
        other => Err(wrong(field, "a string", other)),
    }
}

/// A list of non-empty strings; a single string is accepted as a list of one.
#[inline(never)]
pub(crate) fn read_string_list(field: &str, v: &Value) -> Result<Vec<String>, OptionsError> {
    let items = match v {
        Value::String(_) => return Ok(vec![read_string(field, v)?]),
        Value::Array(items) => items,
        other => return Err(wrong(field, "a string or a list of strings", other)),
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        // The item's name is only built on the error path: most lists are valid.
        match item {
            Value::String(s) if !s.is_empty() => out.push(s.clone()),
            Value::String(_) => return Err(empty(item_field(field, i))),
            other => return Err(wrong_owned(item_field(field, i), "a string", other)),
        }
    }
    Ok(out)
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(if *b { "true" } else { "false" }.to_owned()),
        Value::Number(n) => Some(format_number(*n)),
        _ => None,
    }
}

/// The error for an `extra_query` value that is not a scalar; `key` and `index` name it (`extra_query.key[i]`,
/// `extra_query[i]`).
#[cold]
#[inline(never)]
fn bad_extra_value(key: Option<&str>, index: Option<usize>, v: &Value) -> OptionsError {
    let mut field = String::from(EXTRA_QUERY);
    if let Some(key) = key {
        field.push('.');
        field.push_str(key);
    }
    if let Some(i) = index {
        field.push('[');
        push_decimal(&mut field, i as u64);
        field.push(']');
    }
    wrong_owned(field, "a string, number or boolean", v)
}

const EXTRA_QUERY: &str = "extra_query";

/// `extra_query` as either an object (`{"key": "v"}`, a list value repeats the key; pairs in the object's key order,
/// which from JavaScript is its property order) or a list of pairs (`[["key","v"], ...]`, which keeps the user's
/// order exactly, repeated keys included). Numbers are written as JavaScript writes them (`2`, `1.5`, `1e+21`).
pub(crate) fn read_extra_query(v: &Value) -> Result<Vec<(String, String)>, OptionsError> {
    let mut out = Vec::new();
    match v {
        Value::Object(map) => {
            for (key, value) in map {
                match value {
                    Value::Array(items) => {
                        for (i, item) in items.iter().enumerate() {
                            let text = scalar_text(item)
                                .ok_or_else(|| bad_extra_value(Some(key), Some(i), item))?;
                            out.push((key.clone(), text));
                        }
                    }
                    Value::Null => {}
                    other => {
                        let text = scalar_text(other)
                            .ok_or_else(|| bad_extra_value(Some(key), None, other))?;
                        out.push((key.clone(), text));
                    }
                }
            }
        }
        Value::Array(pairs) => {
            for (i, pair) in pairs.iter().enumerate() {
                let (key, value) = match pair.as_array().map(Vec::as_slice) {
                    Some([Value::String(k), value]) => (k, value),
                    _ => {
                        return Err(wrong_owned(
                            item_field(EXTRA_QUERY, i),
                            "a [key, value] pair",
                            pair,
                        ))
                    }
                };
                let text =
                    scalar_text(value).ok_or_else(|| bad_extra_value(None, Some(i), value))?;
                out.push((key.clone(), text));
            }
        }
        other => {
            return Err(wrong(
                EXTRA_QUERY,
                "an object or a list of [key, value] pairs",
                other,
            ))
        }
    }
    if out.iter().any(|(key, _)| key.is_empty()) {
        return Err(empty_extra_query_key());
    }
    Ok(out)
}

/// The error for an empty `extra_query` key (shared by the reader and both option types' `validate`).
#[cold]
#[inline(never)]
pub(crate) fn empty_extra_query_key() -> OptionsError {
    empty("extra_query key".to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]
    use super::*;
    use crate::protocol::json::json;

    #[test]
    fn numbers_accept_whole_floats_only() {
        assert_eq!(read_u32("sample_rate", &json!(16000)).unwrap(), 16000);
        assert_eq!(read_u32("sample_rate", &json!(16000.0)).unwrap(), 16000);
        for bad in [
            json!(16000.5),
            json!(-1),
            json!("16000"),
            json!(5_000_000_000u64),
        ] {
            let e = read_u32("sample_rate", &bad).unwrap_err();
            assert_eq!(e.field(), "sample_rate");
            assert!(e.to_string().contains("whole number"), "{e}");
        }
    }

    #[test]
    fn string_lists_accept_a_single_string() {
        assert_eq!(read_string_list("keyterm", &json!("a")).unwrap(), vec!["a"]);
        assert_eq!(
            read_string_list("keyterm", &json!(["a", "b"])).unwrap(),
            vec!["a", "b"]
        );
        let e = read_string_list("keyterm", &json!(["a", 3])).unwrap_err();
        assert_eq!(e.field(), "keyterm[1]");
        let e = read_string_list("keyterm", &json!(["a", ""])).unwrap_err();
        assert_eq!(
            e,
            OptionsError::Empty {
                field: "keyterm[1]".into()
            }
        );
        assert!(read_string_list("keyterm", &json!(true)).is_err());
    }

    #[test]
    fn extra_query_keeps_object_order_and_writes_numbers_as_javascript() {
        let pairs =
            read_extra_query(&json!({"z": 1.5, "a": 1e21, "m": 16000.0, "n": -0.25})).unwrap();
        assert_eq!(
            pairs,
            vec![
                ("z".into(), "1.5".into()),
                ("a".into(), "1e+21".into()),
                ("m".into(), "16000".into()),
                ("n".into(), "-0.25".into())
            ]
        );
    }

    #[test]
    fn extra_query_shapes() {
        let pairs = read_extra_query(&json!([["b", "1"], ["a", 2], ["b", true]])).unwrap();
        assert_eq!(
            pairs,
            vec![
                ("b".into(), "1".into()),
                ("a".into(), "2".into()),
                ("b".into(), "true".into())
            ]
        );
        let obj = read_extra_query(&json!({"x": ["1", "2"], "y": "z"})).unwrap();
        assert_eq!(
            obj,
            vec![
                ("x".into(), "1".into()),
                ("x".into(), "2".into()),
                ("y".into(), "z".into())
            ]
        );
        assert!(read_extra_query(&json!("a=b")).is_err());
        assert!(read_extra_query(&json!([["a"]])).is_err());
        assert!(read_extra_query(&json!({"a": {"b": 1}})).is_err());
        assert!(read_extra_query(&json!([["", "v"]])).is_err());
    }
}
