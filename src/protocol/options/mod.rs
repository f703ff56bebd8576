//! Options → WebSocket URL for `/v1/listen` and `/v1/speak`: typed options read from the app's option bag
//! (`#[derive(Deserialize)]`), validated, and rendered with the base URL into the exact URL to open (the same
//! structs' `Serialize`, as a query string).
//!
//! Owns option names (each a struct field, declared once), their types, the rules between options, the
//! unknown-key check and base-URL parsing. It does not hold credentials (see `auth`): no secret ever goes into a
//! URL.

mod endpoint;
mod fields;
mod listen;
mod path;
mod redact;
mod speak;
mod suggest;
mod values;

pub use endpoint::Endpoint;
pub use fields::{check_names, checked, field_names, flag_or_checked, FlagOr, OptionBag};
pub use listen::{
    keyterm_tokens, CallbackMethod, Endpointing, ListenEncoding, ListenOptions, OptionWarning,
    MAX_EXTRA_CHARS, MAX_KEYTERM_TOKENS,
};
pub use redact::{Redact, NOT_REDACTABLE, REDACT_ENTITY_TYPES, REDACT_GROUPS};
pub use speak::{SpeakEncoding, SpeakOptions, SPEAK_SPEED_RANGE};
pub use values::bounded;

use serde::{Deserialize, Deserializer, Serialize};

use super::error::OptionsError;

/// Reads an option bag's values from `d` (a JS object in the browser, a JSON value in tests). The first value
/// that does not read is an [`OptionsError::Invalid`] with its path (`keyterm[1]`); the keys of the bag itself
/// are the caller's to check ([`check_names`]: a bag may be read as several structs), those of the bags inside
/// it are checked as they are read ([`checked`]), and the rules between options are `validate`'s.
pub fn read_bag<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<T, OptionsError> {
    path::start();
    fields::read_tracked(d).map_err(|e: D::Error| OptionsError::Invalid {
        field: path::take(),
        problem: e.to_string(),
    })
}

/// Reads a server frame's typed view from `d`: the error says what was wrong, and where (`start: invalid
/// type: ...`) for the frame's own fields.
pub fn read_frame<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<T, String> {
    path::start();
    fields::read_tracked(d).map_err(|e: D::Error| {
        let at = path::take();
        let message = e.to_string();
        if at.is_empty() {
            message
        } else {
            [at.as_str(), ": ", &message].concat()
        }
    })
}

/// `typed` as a query string (field order; `None`, empty lists and skipped fields leave no pair), then `extra`'s
/// pairs in their order. Values are form-encoded (a space is `+`, as `URLSearchParams` writes it).
fn render_query<T: Serialize>(typed: &T, extra: &[(String, String)]) -> String {
    let mut query = serde_html_form::to_string(typed).unwrap_or_default();
    if !extra.is_empty() {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(&serde_html_form::to_string(extra).unwrap_or_default());
    }
    query
}

// Error constructors shared by the option types, out of line and cold: an error site is then one call, not an
// inlined allocation and copy per message.

#[cold]
#[inline(never)]
fn invalid_value(field: String, value: String, expected: &str) -> OptionsError {
    OptionsError::InvalidValue {
        field,
        value,
        expected: expected.to_owned(),
    }
}

#[cold]
#[inline(never)]
fn out_of_range(field: &'static str, value: &str, allowed: &str) -> OptionsError {
    OptionsError::OutOfRange {
        field,
        value: value.to_owned(),
        allowed: allowed.to_owned(),
    }
}

#[cold]
#[inline(never)]
fn empty(field: String) -> OptionsError {
    OptionsError::Empty { field }
}

/// `field[i]`, the name of a list item in error messages.
#[cold]
#[inline(never)]
fn item_field(field: &str, i: usize) -> String {
    format!("{field}[{i}]")
}

/// `extra_query` keys must be non-empty and must not shadow a typed option (`names`, the option type's keys,
/// which hold `extra_query` itself: that one is allowed).
fn check_extra_query(pairs: &[(String, String)], names: &[&str]) -> Result<(), OptionsError> {
    for (key, _) in pairs {
        if key.is_empty() {
            return Err(empty("extra_query key".to_owned()));
        }
        if key != "extra_query" && names.contains(&key.as_str()) {
            return Err(OptionsError::ReservedExtraQuery { key: key.clone() });
        }
    }
    Ok(())
}

/// Reads a bag as the browser edge does, from a JSON value: unknown keys, then values, then the rules.
#[cfg(test)]
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    v: &serde_json::Value,
    endpoint: &'static str,
    validate: fn(&T) -> Result<(), OptionsError>,
) -> Result<T, OptionsError> {
    match v {
        serde_json::Value::Object(map) => {
            check_names(map.keys().map(String::as_str), field_names::<T>(), endpoint)?
        }
        serde_json::Value::Null => {}
        serde_json::Value::Array(_) => return Err(OptionsError::NotAnObject { given: "a list" }),
        _ => return Err(OptionsError::NotAnObject { given: "a value" }),
    }
    let options: T = read_bag(v)?;
    validate(&options)?;
    Ok(options)
}
