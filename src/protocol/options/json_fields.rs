//! Reading typed option values out of the user's JSON option bag, with errors that name the field and the type
//! that was expected.
//!
//! Owns JSON-type checking only (string, bool, whole number, list-or-single-string, the `extra_query` shapes). It
//! does not know which options exist or how they depend on each other.

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

#[inline(never)]
pub(crate) fn object<'a>(value: &'a Value, what: &'static str) -> Result<&'a Map, OptionsError> {
    value.as_object().ok_or(OptionsError::NotAnObject { what })
}

#[cold]
#[inline(never)]
fn wrong(field: &str, expected: &'static str, v: &Value) -> OptionsError {
    OptionsError::WrongType {
        field: field.to_owned(),
        expected,
        got: type_name(v),
    }
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
    let s = v.as_str().ok_or_else(|| wrong(field, "a string", v))?;
    if s.is_empty() {
        return Err(OptionsError::Empty {
            field: field.to_owned(),
        });
    }
    Ok(s.to_owned())
}

/// A list of non-empty strings; a single string is accepted as a list of one.
#[inline(never)]
pub(crate) fn read_string_list(field: &str, v: &Value) -> Result<Vec<String>, OptionsError> {
    match v {
        Value::String(_) => Ok(vec![read_string(field, v)?]),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let item_field = format!("{field}[{i}]");
                match item {
                    Value::String(_) => read_string(&item_field, item),
                    other => Err(wrong(&item_field, "a string", other)),
                }
            })
            .collect(),
        other => Err(wrong(field, "a string or a list of strings", other)),
    }
}

#[inline(never)]
fn scalar_text(field: &str, v: &Value) -> Result<String, OptionsError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(if *b { "true" } else { "false" }.to_owned()),
        Value::Number(n) => Ok(format_number(*n)),
        other => Err(wrong(field, "a string, number or boolean", other)),
    }
}

/// `extra_query` as either an object (`{"key": "v"}`, a list value repeats the key; pairs in the object's key order,
/// which from JavaScript is its property order) or a list of pairs (`[["key","v"], ...]`, which keeps the user's
/// order exactly, repeated keys included). Numbers are written as JavaScript writes them (`2`, `1.5`, `1e+21`).
pub(crate) fn read_extra_query(v: &Value) -> Result<Vec<(String, String)>, OptionsError> {
    const FIELD: &str = "extra_query";
    let mut out = Vec::new();
    match v {
        Value::Object(map) => {
            for (key, value) in map {
                let field = format!("{FIELD}.{key}");
                match value {
                    Value::Array(items) => {
                        for (i, item) in items.iter().enumerate() {
                            out.push((key.clone(), scalar_text(&format!("{field}[{i}]"), item)?));
                        }
                    }
                    Value::Null => {}
                    other => out.push((key.clone(), scalar_text(&field, other)?)),
                }
            }
        }
        Value::Array(pairs) => {
            for (i, pair) in pairs.iter().enumerate() {
                let field = format!("{FIELD}[{i}]");
                let (key, value) = match pair.as_array().map(Vec::as_slice) {
                    Some([Value::String(k), value]) => (k.clone(), value),
                    _ => return Err(wrong(&field, "a [key, value] pair", pair)),
                };
                out.push((key, scalar_text(&field, value)?));
            }
        }
        other => {
            return Err(wrong(
                FIELD,
                "an object or a list of [key, value] pairs",
                other,
            ))
        }
    }
    for (key, _) in &out {
        if key.is_empty() {
            return Err(OptionsError::Empty {
                field: format!("{FIELD} key"),
            });
        }
    }
    Ok(out)
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
