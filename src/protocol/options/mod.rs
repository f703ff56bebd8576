//! Options → WebSocket URL for `/v1/listen` and `/v1/speak`: typed options built from the user's JSON, validated,
//! and rendered with the base URL into the exact URL to open.
//!
//! Owns option names, types, the rules between options, percent-encoding and base-URL parsing. It does not hold
//! credentials (see `auth`): no secret ever goes into a URL.

mod endpoint;
mod json_fields;
mod listen;
mod query;
mod speak;
mod suggest;

pub use endpoint::Endpoint;
pub use listen::{
    CallbackMethod, Endpointing, ListenEncoding, ListenOptions, Redact, LISTEN_OPTION_NAMES,
};
pub use speak::{SpeakEncoding, SpeakOptions, SPEAK_OPTION_NAMES, SPEAK_SPEED_RANGE};

pub(crate) use suggest::nearest;

use super::error::OptionsError;

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

/// `extra_query` keys must be non-empty and must not shadow a typed option (`names`, the option type's list of
/// keys, which holds `extra_query` itself: that one is allowed).
fn check_extra_query(pairs: &[(String, String)], names: &[&str]) -> Result<(), OptionsError> {
    for (key, _) in pairs {
        if key.is_empty() {
            return Err(json_fields::empty_extra_query_key());
        }
        if key != "extra_query" && names.contains(&key.as_str()) {
            return Err(OptionsError::ReservedExtraQuery { key: key.clone() });
        }
    }
    Ok(())
}
